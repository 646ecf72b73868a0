//! N-gram extraction, vocabulary fitting and TF-IDF transformation.

use linfa::ParamGuard;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::SparseRecords;
use crate::error::{Error, Result};
use crate::text::{Analyzer, AnalyzerSettings};
use crate::util::FastMap;

/// Character n-gram features start with this, so they never collide with word n-grams.
pub const CHAR_PREFIX: &str = "c:";

/// Feature extraction settings. Plain data, stored in every model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSettings {
    /// Text analysis stages.
    pub analyzer: AnalyzerSettings,
    /// Word n-gram range, inclusive. Default `(1, 2)`; `1 <= lo <= hi <= 3`.
    pub ngrams: (u8, u8),
    /// Character n-gram range within words (padded by a space each side), or `None`.
    /// Default `None`; `1 <= lo <= hi <= 8`.
    pub char_ngrams: Option<(u8, u8)>,
    /// Keep terms in at least this many training documents. Default 1; `>= 1`.
    pub min_df: u32,
    /// Drop terms in more than this fraction of training documents. Default 1.0; `(0, 1]`.
    pub max_df: f32,
    /// Keep only the most frequent terms (by document frequency), or all. Default all.
    pub max_features: Option<usize>,
    /// Term frequency `1 + ln(tf)` instead of `tf`. Default on.
    pub sublinear_tf: bool,
}

impl Default for FeatureSettings {
    fn default() -> Self {
        FeatureSettings {
            analyzer: AnalyzerSettings::default(),
            ngrams: (1, 2),
            char_ngrams: None,
            min_df: 1,
            max_df: 1.0,
            max_features: None,
            sublinear_tf: true,
        }
    }
}

/// Checked feature settings: the only kind that can fit a [`Vectorizer`].
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureValidParams(FeatureSettings);

/// Builder for feature settings; `check()` (linfa's [`ParamGuard`]) validates them.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureParams(FeatureValidParams);

impl Default for FeatureParams {
    fn default() -> Self {
        FeatureParams(FeatureValidParams(FeatureSettings::default()))
    }
}

impl FeatureParams {
    /// Defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Start from existing settings.
    pub fn from_settings(s: FeatureSettings) -> Self {
        FeatureParams(FeatureValidParams(s))
    }

    /// Analysis stages.
    pub fn analyzer(mut self, a: AnalyzerSettings) -> Self {
        self.0 .0.analyzer = a;
        self
    }

    /// Word n-gram range.
    pub fn ngrams(mut self, lo: u8, hi: u8) -> Self {
        self.0 .0.ngrams = (lo, hi);
        self
    }

    /// Character n-gram range, or `None`.
    pub fn char_ngrams(mut self, r: Option<(u8, u8)>) -> Self {
        self.0 .0.char_ngrams = r;
        self
    }

    /// Minimum document frequency.
    pub fn min_df(mut self, n: u32) -> Self {
        self.0 .0.min_df = n;
        self
    }

    /// Maximum document fraction.
    pub fn max_df(mut self, f: f32) -> Self {
        self.0 .0.max_df = f;
        self
    }

    /// Vocabulary size cap.
    pub fn max_features(mut self, n: Option<usize>) -> Self {
        self.0 .0.max_features = n;
        self
    }

    /// Sublinear term frequency.
    pub fn sublinear_tf(mut self, on: bool) -> Self {
        self.0 .0.sublinear_tf = on;
        self
    }
}

impl ParamGuard for FeatureParams {
    type Checked = FeatureValidParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&FeatureValidParams> {
        let s = &self.0 .0;
        let (lo, hi) = s.ngrams;
        if !(1 <= lo && lo <= hi && hi <= 3) {
            return Err(Error::Param {
                name: "ngrams",
                reason: format!("{lo}-{hi}: need 1 <= lo <= hi <= 3"),
            });
        }
        if let Some((lo, hi)) = s.char_ngrams {
            if !(1 <= lo && lo <= hi && hi <= 8) {
                return Err(Error::Param {
                    name: "char-ngrams",
                    reason: format!("{lo}-{hi}: need 1 <= lo <= hi <= 8"),
                });
            }
        }
        if s.min_df < 1 {
            return Err(Error::Param {
                name: "min-df",
                reason: "must be at least 1".into(),
            });
        }
        if !(s.max_df > 0.0 && s.max_df <= 1.0) {
            return Err(Error::Param {
                name: "max-df",
                reason: format!("{}: must be in (0, 1]", s.max_df),
            });
        }
        if s.max_features == Some(0) {
            return Err(Error::Param {
                name: "max-features",
                reason: "must be at least 1".into(),
            });
        }
        Ok(&self.0)
    }

    fn check(self) -> Result<FeatureValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl FeatureValidParams {
    /// The settings.
    pub fn settings(&self) -> &FeatureSettings {
        &self.0
    }

    /// Learn the vocabulary and IDF from training texts.
    pub fn fit<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Vectorizer> {
        self.fit_transform(texts).map(|(v, _)| v)
    }

    /// Learn the vocabulary and IDF and return the training rows too, tokenizing each text
    /// once: chunks of texts are turned into local term ids in parallel, the local
    /// dictionaries are merged, the vocabulary is pruned, and the kept ids become columns.
    pub fn fit_transform<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
    ) -> Result<(Vectorizer, SparseRecords)> {
        let s = &self.0;
        let extractor = Extractor::new(s);
        let n = texts.len();
        let parts: Vec<Part> = texts
            .par_chunks(CHUNK)
            .map(|chunk| Part::build(&extractor, chunk))
            .collect();
        // Merge the chunk dictionaries, in chunk order, into global ids.
        let mut global: FastMap<String, u32> = FastMap::default();
        let mut df: Vec<u32> = Vec::new();
        let mut remaps: Vec<Vec<u32>> = Vec::with_capacity(parts.len());
        let mut parts_ids = Vec::with_capacity(parts.len());
        for part in parts {
            let mut remap = vec![0u32; part.terms.len()];
            for ((term, local), d) in part.terms.into_iter().zip(part.df) {
                let next = global.len() as u32;
                let g = *global.entry(term).or_insert(next);
                if g as usize == df.len() {
                    df.push(0);
                }
                df[g as usize] += d;
                remap[local as usize] = g;
            }
            remaps.push(remap);
            parts_ids.push((part.ptr, part.ids));
        }
        let max_df = ((s.max_df as f64 * n as f64).floor() as u32).max(1);
        let mut kept: Vec<(String, u32)> = global
            .into_iter()
            .filter(|&(_, g)| {
                let d = df[g as usize];
                d >= s.min_df && d <= max_df
            })
            .collect();
        if let Some(m) = s.max_features {
            if kept.len() > m {
                // Most frequent first; ties broken by the term so the choice is deterministic.
                kept.par_sort_unstable_by(|a, b| {
                    df[b.1 as usize]
                        .cmp(&df[a.1 as usize])
                        .then_with(|| a.0.cmp(&b.0))
                });
                kept.truncate(m);
            }
        }
        kept.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut column = vec![u32::MAX; df.len()];
        let mut idf = Vec::with_capacity(kept.len());
        for (c, (_, g)) in kept.iter().enumerate() {
            column[*g as usize] = c as u32;
            let d = df[*g as usize];
            idf.push((((1 + n) as f64 / (1 + d) as f64).ln() + 1.0) as f32);
        }
        let terms: Vec<String> = kept.into_iter().map(|(k, _)| k).collect();
        let ncols = terms.len();
        let sublinear = s.sublinear_tf;
        let rows: Vec<(Vec<usize>, Vec<u32>, Vec<f32>)> = parts_ids
            .par_iter()
            .zip(remaps.par_iter())
            .map(|((ptr, ids), remap)| {
                let mut lens = Vec::with_capacity(ptr.len());
                let mut idx = Vec::new();
                let mut val = Vec::new();
                let mut cols = Vec::new();
                for w in ptr.windows(2) {
                    cols.clear();
                    cols.extend(
                        ids[w[0]..w[1]]
                            .iter()
                            .map(|&l| column[remap[l as usize] as usize])
                            .filter(|&c| c != u32::MAX),
                    );
                    let before = idx.len();
                    tfidf_row(&mut cols, &idf, sublinear, &mut idx, &mut val);
                    lens.push(idx.len() - before);
                }
                (lens, idx, val)
            })
            .collect();
        let nnz = rows.iter().map(|r| r.1.len()).sum();
        let mut indptr = Vec::with_capacity(n + 1);
        let mut indices = Vec::with_capacity(nnz);
        let mut data = Vec::with_capacity(nnz);
        indptr.push(0);
        for (lens, idx, val) in rows {
            let mut at = indices.len();
            for l in lens {
                at += l;
                indptr.push(at);
            }
            indices.extend_from_slice(&idx);
            data.extend_from_slice(&val);
        }
        let x = SparseRecords::from_csr(ncols, indptr, indices, data);
        let v = Vectorizer::from_parts(s.clone(), Vocabulary::new(terms), idf);
        Ok((v, x))
    }
}

/// Texts per parallel work unit in `fit_transform`.
const CHUNK: usize = 2048;

/// One chunk's local dictionary (term, local id), document frequencies by local id, and
/// every document's term ids in order (CSR-like: `ptr` delimits documents in `ids`).
struct Part {
    terms: Vec<(String, u32)>,
    df: Vec<u32>,
    ptr: Vec<usize>,
    ids: Vec<u32>,
}

impl Part {
    fn build<S: AsRef<str>>(extractor: &Extractor, chunk: &[S]) -> Part {
        let mut map: FastMap<String, u32> = FastMap::default();
        let mut df: Vec<u32> = Vec::new();
        let mut last: Vec<u32> = Vec::new();
        let mut ptr = Vec::with_capacity(chunk.len() + 1);
        let mut ids = Vec::new();
        let mut buf = String::new();
        ptr.push(0);
        for (d, t) in chunk.iter().enumerate() {
            let d = d as u32;
            extractor.each(t.as_ref(), &mut buf, &mut |term, _| {
                let id = match map.get(term) {
                    Some(&i) => i,
                    None => {
                        let i = df.len() as u32;
                        map.insert(term.to_string(), i);
                        df.push(0);
                        last.push(u32::MAX);
                        i
                    }
                };
                // Count each term once per document.
                if last[id as usize] != d {
                    last[id as usize] = d;
                    df[id as usize] += 1;
                }
                ids.push(id);
            });
            ptr.push(ids.len());
        }
        // Sorted by local id so the merge visits terms in first-seen order.
        let mut terms: Vec<(String, u32)> = map.into_iter().collect();
        terms.sort_unstable_by_key(|&(_, i)| i);
        let df = terms.iter().map(|&(_, i)| df[i as usize]).collect();
        Part {
            terms,
            df,
            ptr,
            ids,
        }
    }
}

/// Append the L2-normalised TF-IDF row of the column ids in `cols` (any order, repeats
/// meaning term frequency) to `idx`/`val`.
fn tfidf_row(
    cols: &mut [u32],
    idf: &[f32],
    sublinear: bool,
    idx: &mut Vec<u32>,
    val: &mut Vec<f32>,
) {
    cols.sort_unstable();
    let start = val.len();
    let mut i = 0;
    while i < cols.len() {
        let c = cols[i];
        let mut j = i;
        while j < cols.len() && cols[j] == c {
            j += 1;
        }
        let tf = (j - i) as f32;
        let tf = if sublinear { 1.0 + tf.ln() } else { tf };
        idx.push(c);
        val.push(tf * idf[c as usize]);
        i = j;
    }
    let norm = val[start..].iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        val[start..].iter_mut().for_each(|v| *v /= norm);
    }
}

/// Emits the n-gram terms of a text, reusing one buffer so lookups do not allocate.
struct Extractor {
    analyzer: Analyzer,
    ngrams: (usize, usize),
    char_ngrams: Option<(usize, usize)>,
}

impl Extractor {
    fn new(s: &FeatureSettings) -> Self {
        Extractor {
            analyzer: Analyzer::new(s.analyzer.clone()),
            ngrams: (s.ngrams.0 as usize, s.ngrams.1 as usize),
            char_ngrams: s.char_ngrams.map(|(a, b)| (a as usize, b as usize)),
        }
    }

    /// Calls `f` with each term and the byte span of the original text it came from.
    fn each(&self, text: &str, buf: &mut String, f: &mut dyn FnMut(&str, (usize, usize))) {
        let toks = self.analyzer.tokens(text);
        // Borrow plain terms; only negated ones need a new string.
        let terms: Vec<std::borrow::Cow<'_, str>> = toks
            .iter()
            .map(|t| {
                if t.negated {
                    std::borrow::Cow::Owned(t.term())
                } else {
                    std::borrow::Cow::Borrowed(t.text.as_str())
                }
            })
            .collect();
        let (lo, hi) = self.ngrams;
        for n in lo..=hi {
            for (i, w) in terms.windows(n).enumerate() {
                buf.clear();
                for (k, t) in w.iter().enumerate() {
                    if k > 0 {
                        buf.push(' ');
                    }
                    buf.push_str(t);
                }
                f(buf, (toks[i].start, toks[i + n - 1].end));
            }
        }
        if let Some((lo, hi)) = self.char_ngrams {
            let mut chars: Vec<char> = Vec::new();
            for t in &toks {
                chars.clear();
                chars.push(' ');
                chars.extend(text[t.start..t.end].chars().flat_map(char::to_lowercase));
                chars.push(' ');
                for n in lo..=hi {
                    for w in chars.windows(n) {
                        buf.clear();
                        buf.push_str(CHAR_PREFIX);
                        buf.extend(w.iter());
                        f(buf, (t.start, t.end));
                    }
                }
            }
        }
    }
}

/// Terms in column order, stored as one string with offsets, and an open-addressing hash
/// table of column ids over them.
///
/// A vocabulary can hold millions of n-grams. One blob instead of a `String` per term keeps
/// loading a model to a single pass with no per-term allocation, and lookups touch one
/// table slot and one blob slice.
#[derive(Debug, Clone, PartialEq)]
pub struct Vocabulary {
    blob: String,
    offsets: Vec<usize>,
    /// `id + 1` per slot, 0 for empty; the length is a power of two at least twice the size.
    table: Vec<u32>,
    duplicates: usize,
}

fn term_hash(term: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::util::FastHasher::default();
    h.write(term.as_bytes());
    h.finish()
}

/// Longest run of filled slots a stored vocabulary table may have.
const MAX_PROBE_RUN: usize = 4096;

/// Longest run of non-empty slots, wrapping around the end of the table.
fn longest_run(table: &[u32]) -> usize {
    let (mut best, mut cur) = (0, 0);
    // Twice round so a run crossing the end is counted whole.
    for &e in table.iter().chain(table.iter()) {
        cur = if e == 0 { 0 } else { cur + 1 };
        best = best.max(cur);
    }
    best.min(table.len())
}

impl Vocabulary {
    /// From terms (sorted ascending and unique when built by `fit`).
    pub fn new(terms: Vec<String>) -> Self {
        let mut blob = String::with_capacity(terms.iter().map(String::len).sum());
        let mut offsets = Vec::with_capacity(terms.len() + 1);
        offsets.push(0);
        for t in &terms {
            blob.push_str(t);
            offsets.push(blob.len());
        }
        Vocabulary::from_blob(blob, offsets)
    }

    /// From a blob and `len + 1` ascending offsets that fall on char boundaries (the model
    /// loader checks both).
    pub fn from_blob(blob: String, offsets: Vec<usize>) -> Self {
        let n = offsets.len().saturating_sub(1);
        let size = (2 * n).max(2).next_power_of_two();
        let mask = size - 1;
        let hashes: Vec<u64> = (0..n)
            .into_par_iter()
            .with_min_len(4096)
            .map(|i| term_hash(&blob[offsets[i]..offsets[i + 1]]))
            .collect();
        let mut table = vec![0u32; size];
        let mut duplicates = 0;
        for (i, &h) in hashes.iter().enumerate() {
            let mut slot = h as usize & mask;
            loop {
                match table[slot] {
                    0 => {
                        table[slot] = i as u32 + 1;
                        break;
                    }
                    e => {
                        let j = e as usize - 1;
                        if blob[offsets[j]..offsets[j + 1]] == blob[offsets[i]..offsets[i + 1]] {
                            duplicates += 1;
                            break;
                        }
                        slot = (slot + 1) & mask;
                    }
                }
            }
        }
        Vocabulary {
            blob,
            offsets,
            table,
            duplicates,
        }
    }

    /// From stored parts, as written by [`Vocabulary::table`]: the hash table is taken as
    /// stored instead of rebuilt, so loading a large model costs no hashing. Checks that
    /// the table has a power-of-two size above the term count, that every slot is empty or
    /// names a term, and that every term is in it exactly once; lookups then always end and
    /// stay in bounds.
    pub fn from_stored(blob: String, offsets: Vec<usize>, table: Vec<u32>) -> Result<Self, String> {
        let n = offsets.len().saturating_sub(1);
        if !table.len().is_power_of_two() || table.len() <= n {
            return Err(format!("hash table of {} slots for {n} terms", table.len()));
        }
        let mut seen = vec![false; n];
        for &e in &table {
            if e == 0 {
                continue;
            }
            let j = e as usize - 1;
            if j >= n || seen[j] {
                return Err(format!(
                    "hash table slot names term {j} twice or out of range"
                ));
            }
            seen[j] = true;
        }
        if seen.iter().any(|s| !s) {
            return Err("hash table misses a term".into());
        }
        // A model file is untrusted: a table with one long run of filled slots would make
        // every lookup walk it. Linear probing at load factor 1/2 gives runs of a few dozen
        // slots even for millions of terms, so a run this long means a crafted file.
        let longest = longest_run(&table);
        if longest > MAX_PROBE_RUN {
            return Err(format!(
                "hash table has a run of {longest} filled slots (at most {MAX_PROBE_RUN} expected)"
            ));
        }
        Ok(Vocabulary {
            blob,
            offsets,
            table,
            duplicates: 0,
        })
    }

    /// The hash table, as stored in model files: `id + 1` per slot, 0 for empty; slots are
    /// probed linearly from `FastHasher(term bytes) & (len − 1)`.
    pub fn table(&self) -> &[u32] {
        &self.table
    }

    /// Column of a term.
    pub fn get(&self, term: &str) -> Option<u32> {
        let mask = self.table.len() - 1;
        let mut slot = term_hash(term) as usize & mask;
        loop {
            match self.table[slot] {
                0 => return None,
                e => {
                    let j = e as usize - 1;
                    if &self.blob[self.offsets[j]..self.offsets[j + 1]] == term {
                        return Some(j as u32);
                    }
                    slot = (slot + 1) & mask;
                }
            }
        }
    }

    /// Term of a column.
    pub fn term(&self, i: usize) -> &str {
        &self.blob[self.offsets[i]..self.offsets[i + 1]]
    }

    /// All terms in column order.
    pub fn terms(&self) -> Vec<&str> {
        self.iter().collect()
    }

    /// Iterate over the terms in column order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.offsets.windows(2).map(|w| &self.blob[w[0]..w[1]])
    }

    /// Vocabulary size.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Number of distinct terms (equals `len()` unless a term repeats).
    pub fn distinct(&self) -> usize {
        self.len() - self.duplicates
    }

    /// Whether no term was kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A fitted TF-IDF vectorizer.
pub struct Vectorizer {
    settings: FeatureSettings,
    extractor: Extractor,
    vocab: Vocabulary,
    idf: Vec<f32>,
}

impl std::fmt::Debug for Vectorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vectorizer")
            .field("settings", &self.settings)
            .field("vocabulary", &self.vocab.len())
            .finish()
    }
}

impl Vectorizer {
    /// Reassemble from stored parts (used by the model loader).
    pub fn from_parts(settings: FeatureSettings, vocab: Vocabulary, idf: Vec<f32>) -> Self {
        Vectorizer {
            extractor: Extractor::new(&settings),
            settings,
            vocab,
            idf,
        }
    }

    /// The settings it was fitted with.
    pub fn settings(&self) -> &FeatureSettings {
        &self.settings
    }

    /// The vocabulary.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }

    /// IDF per column.
    pub fn idf(&self) -> &[f32] {
        &self.idf
    }

    /// The TF-IDF row of one text as sorted (column, value) pairs, L2-normalised.
    pub fn transform_one(&self, text: &str) -> (Vec<u32>, Vec<f32>) {
        let mut buf = String::new();
        let mut cols: Vec<u32> = Vec::new();
        self.extractor.each(text, &mut buf, &mut |term, _| {
            if let Some(c) = self.vocab.get(term) {
                cols.push(c);
            }
        });
        let mut idx = Vec::with_capacity(cols.len());
        let mut val = Vec::with_capacity(cols.len());
        tfidf_row(
            &mut cols,
            &self.idf,
            self.settings.sublinear_tf,
            &mut idx,
            &mut val,
        );
        (idx, val)
    }

    /// Every occurrence of a vocabulary term in `text`: its column and the byte span
    /// `[start, end)` of the original text it came from (for a word n-gram, from its first
    /// word's start to its last word's end; for a character n-gram, its word).
    pub fn term_spans(&self, text: &str) -> Vec<(u32, usize, usize)> {
        let mut buf = String::new();
        let mut out = Vec::new();
        self.extractor
            .each(text, &mut buf, &mut |term, (start, end)| {
                if let Some(c) = self.vocab.get(term) {
                    out.push((c, start, end));
                }
            });
        out
    }

    /// TF-IDF rows of many texts, in parallel, in input order.
    pub fn transform<S: AsRef<str> + Sync>(&self, texts: &[S]) -> SparseRecords {
        let rows: Vec<(Vec<u32>, Vec<f32>)> = texts
            .par_iter()
            .map(|t| self.transform_one(t.as_ref()))
            .collect();
        let nnz = rows.iter().map(|r| r.0.len()).sum();
        let mut indptr = Vec::with_capacity(rows.len() + 1);
        let mut indices = Vec::with_capacity(nnz);
        let mut data = Vec::with_capacity(nnz);
        indptr.push(0);
        for (i, v) in rows {
            indices.extend_from_slice(&i);
            data.extend_from_slice(&v);
            indptr.push(indices.len());
        }
        SparseRecords::from_csr(self.vocab.len(), indptr, indices, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> FeatureParams {
        FeatureParams::new().analyzer(AnalyzerSettings {
            stem: None,
            negation: false,
            ..AnalyzerSettings::default()
        })
    }

    /// Hand-computed: docs "a b", "a c", "a a d" (unigrams, raw tf, smooth idf, L2).
    /// n = 3; df(a)=3, df(b)=df(c)=df(d)=1.
    /// idf(a) = ln(4/4)+1 = 1; idf(b) = ln(4/2)+1 = 1.693147.
    /// Doc 3: tf(a)=2, tf(d)=1 → (2, 1.693147) / sqrt(4 + 2.866747) = (0.763228, 0.646129).
    #[test]
    fn tfidf_matches_hand_computed_example() {
        let docs = ["a b", "a c", "a a d"];
        let v = plain()
            .ngrams(1, 1)
            .sublinear_tf(false)
            .check()
            .unwrap()
            .fit(&docs)
            .unwrap();
        assert_eq!(v.vocabulary().terms(), ["a", "b", "c", "d"]);
        assert!((v.idf()[0] - 1.0).abs() < 1e-6);
        assert!((v.idf()[1] - 1.693_147).abs() < 1e-5);
        let (idx, val) = v.transform_one("a a d");
        assert_eq!(idx, [0, 3]);
        assert!((val[0] - 0.763_228).abs() < 1e-5, "{val:?}");
        assert!((val[1] - 0.646_129).abs() < 1e-5, "{val:?}");
        // Sublinear: tf(a) = 1 + ln 2 = 1.693147, so both weights are equal.
        let v = plain().ngrams(1, 1).check().unwrap().fit(&docs).unwrap();
        let (_, val) = v.transform_one("a a d");
        assert!((val[0] - val[1]).abs() < 1e-6);
    }

    #[test]
    fn fit_transform_rows_equal_transform_rows() {
        let docs: Vec<String> = (0..5000)
            .map(|i| {
                format!(
                    "doc {} says word{} and word{} not word{}",
                    i % 7,
                    i % 13,
                    i % 29,
                    i % 3
                )
            })
            .collect();
        for min_df in [1, 3] {
            let p = plain().min_df(min_df).check().unwrap();
            let (v, x) = p.fit_transform(&docs).unwrap();
            assert_eq!(x, v.transform(&docs));
            assert_eq!(
                v.vocabulary().terms(),
                p.fit(&docs).unwrap().vocabulary().terms()
            );
        }
    }

    #[test]
    fn one_text_alone_equals_its_row_in_a_batch() {
        let docs = [
            "we will respond",
            "ready to talk",
            "we are ready",
            "no talks",
        ];
        let v = FeatureParams::new().check().unwrap().fit(&docs).unwrap();
        let batch = v.transform(&docs);
        for (i, d) in docs.iter().enumerate() {
            let (idx, val) = v.transform_one(d);
            let (bi, bv) = batch.row(i);
            assert_eq!(idx, bi);
            assert_eq!(val, bv);
        }
    }

    #[test]
    fn bigrams_and_char_ngrams_are_extracted() {
        let v = plain()
            .ngrams(1, 2)
            .char_ngrams(Some((3, 3)))
            .check()
            .unwrap()
            .fit(&["no war"])
            .unwrap();
        let terms = v.vocabulary().terms();
        for t in [
            "no", "war", "no war", "c: no", "c:no ", "c: wa", "c:war", "c:ar ",
        ] {
            assert!(terms.contains(&t), "missing {t:?} in {terms:?}");
        }
    }

    #[test]
    fn min_df_max_df_and_max_features_prune() {
        let docs = ["a b", "a c", "a b d"];
        let terms = |p: FeatureParams| {
            p.ngrams(1, 1)
                .check()
                .unwrap()
                .fit(&docs)
                .unwrap()
                .vocabulary()
                .iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(terms(plain().min_df(2)), ["a", "b"]);
        assert_eq!(terms(plain().max_df(0.9)), ["b", "c", "d"]);
        assert_eq!(terms(plain().max_features(Some(2))), ["a", "b"]);
    }

    #[test]
    fn vocabulary_lookup_finds_every_term_and_nothing_else() {
        let terms: Vec<String> = (0..5000).map(|i| format!("t{i}")).collect();
        let v = Vocabulary::new(terms.clone());
        for (i, t) in terms.iter().enumerate() {
            assert_eq!(v.get(t), Some(i as u32));
            assert_eq!(v.term(i), t);
        }
        assert_eq!(v.get("t5000"), None);
        assert_eq!(v.get(""), None);
        assert_eq!(v.distinct(), 5000);
        let dup = Vocabulary::new(vec!["a".into(), "b".into(), "a".into()]);
        assert_eq!(dup.distinct(), 2);
        assert!(Vocabulary::new(vec![]).is_empty());
        assert_eq!(Vocabulary::new(vec![]).get("x"), None);
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(plain().ngrams(2, 1).check().is_err());
        assert!(plain().ngrams(1, 4).check().is_err());
        assert!(plain().char_ngrams(Some((0, 3))).check().is_err());
        assert!(plain().min_df(0).check().is_err());
        assert!(plain().max_df(0.0).check().is_err());
        assert!(plain().max_features(Some(0)).check().is_err());
    }

    #[test]
    fn a_stored_table_with_one_long_run_is_refused() {
        // Regression: a crafted table packing every term into one run would make each
        // lookup walk the whole run.
        let n = MAX_PROBE_RUN + 1;
        let terms: Vec<String> = (0..n).map(|i| format!("t{i:05}")).collect();
        let v = Vocabulary::new(terms);
        let (blob, offsets) = (v.blob.clone(), v.offsets.clone());
        let mut table = vec![0u32; v.table.len()];
        for (i, slot) in table.iter_mut().take(n).enumerate() {
            *slot = i as u32 + 1;
        }
        let e = Vocabulary::from_stored(blob.clone(), offsets.clone(), table).unwrap_err();
        assert!(e.contains("run of 4097 filled slots"), "{e}");
        // The table `new` builds loads.
        assert!(Vocabulary::from_stored(blob, offsets, v.table.clone()).is_ok());
        assert_eq!(longest_run(&[1, 0, 0, 2, 3]), 3);
        assert_eq!(longest_run(&[1, 2, 3]), 3);
    }

    #[test]
    fn term_spans_point_at_the_original_words() {
        let v = FeatureParams::new()
            .char_ngrams(Some((3, 3)))
            .check()
            .unwrap()
            .fit(&["They won't respond, not now"])
            .unwrap();
        let text = "They won't respond, not now";
        let spans = v.term_spans(text);
        let find = |term: &str| {
            let c = v.vocabulary().get(term).unwrap();
            spans
                .iter()
                .filter(|s| s.0 == c)
                .map(|s| &text[s.1..s.2])
                .collect::<Vec<_>>()
        };
        // A lowercased word, a contraction's parts, a negated word, a bigram across a comma
        // and a character n-gram all lead back to the text as written.
        assert_eq!(find("they"), ["They"]);
        assert_eq!(find("will"), ["wo"]);
        assert_eq!(find("not"), ["n't", "not"]);
        assert_eq!(find("will not"), ["won't"]);
        assert_eq!(find("NEG_respond"), ["respond"]);
        assert_eq!(find("NEG_respond not"), ["respond, not"]);
        assert_eq!(find("c:res"), ["respond"]);
    }

    #[test]
    fn empty_text_gives_an_empty_row() {
        let v = FeatureParams::new().check().unwrap().fit(&["x y"]).unwrap();
        assert_eq!(v.transform_one(""), (vec![], vec![]));
    }
}
