//! N-gram extraction, vocabulary fitting and TF-IDF transformation.

use linfa::ParamGuard;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::marks::Marks;
use super::polarity::{Lexicon, Polarity, NEGATIVE, POSITIVE};
use super::SparseRecords;
use crate::error::{Error, Result};
use crate::text::{word_hash, Analyzed, Analyzer, AnalyzerSettings};
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
    /// Actor and modality marks ([`super::marks`]): `we will strike` also gives the terms
    /// `m:1f` and `m:1f strike`. Default off; absent from older model files, which load as
    /// off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub marks: bool,
    /// Polarity terms ([`super::polarity`]): each token in the word list adds `p:pos` or
    /// `p:neg` (flipped inside a negation scope). The list itself is stored here, so a
    /// model file carries it. Default none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polarity: Option<Lexicon>,
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
            marks: false,
            polarity: None,
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

    /// Polarity terms from a word list ([`FeatureSettings::polarity`]). Default none.
    pub fn polarity(mut self, lexicon: Option<Lexicon>) -> Self {
        self.0 .0.polarity = lexicon;
        self
    }

    /// Actor and modality marks ([`FeatureSettings::marks`]). Default off.
    pub fn marks(mut self, on: bool) -> Self {
        self.0 .0.marks = on;
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
        let (pending, x) = self.fit_transform_pending(texts)?;
        Ok((pending.build()?, x))
    }

    /// [`FeatureValidParams::fit_transform`], leaving the vocabulary's lookup table to be
    /// built later ([`PendingVectorizer::build`]): training needs the rows at once and the
    /// table only to predict, so the two can be made side by side.
    pub fn fit_transform_pending<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
    ) -> Result<(PendingVectorizer, SparseRecords)> {
        let s = &self.0;
        let extractor = Extractor::new(s);
        let n = texts.len();
        // Several chunks per thread, so that no thread idles while another finishes a
        // last large one; the result does not depend on the chunk size.
        let chunk = (n / (4 * rayon::current_num_threads())).clamp(MIN_CHUNK, MAX_CHUNK);
        let parts: Vec<Part> = texts
            .par_chunks(chunk)
            .map(|chunk| Part::build(&extractor, chunk))
            .collect();
        let Merged {
            origin,
            df,
            ids: remaps,
        } = merge_parts(&parts);
        let max_df = ((s.max_df as f64 * n as f64).floor() as u32).max(1);
        let mut kept: Vec<(&str, u32)> = origin
            .iter()
            .enumerate()
            .filter(|&(g, _)| {
                let d = df[g];
                d >= s.min_df && d <= max_df
            })
            .map(|(g, &(pi, local))| (parts[pi as usize].term(local as usize), g as u32))
            .collect();
        if let Some(m) = s.max_features {
            if kept.len() > m {
                // Most frequent first; ties broken by the term so the choice is deterministic.
                kept.par_sort_unstable_by(|a, b| {
                    df[b.1 as usize]
                        .cmp(&df[a.1 as usize])
                        .then_with(|| a.0.cmp(b.0))
                });
                kept.truncate(m);
            }
        }
        // Columns follow the terms' byte order.
        kept.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut column = vec![u32::MAX; df.len()];
        for (c, (_, g)) in kept.iter().enumerate() {
            column[*g as usize] = c as u32;
        }
        let idf: Vec<f32> = kept
            .par_iter()
            .map(|&(_, g)| {
                let d = df[g as usize];
                (((1 + n) as f64 / (1 + d) as f64).ln() + 1.0) as f32
            })
            .collect();
        // The vocabulary's table reuses the hashes computed while counting.
        let hashes: Vec<u64> = kept
            .par_iter()
            .map(|&(_, g)| {
                let (pi, local) = origin[g as usize];
                parts[pi as usize].hashes[local as usize]
            })
            .collect();
        // The terms' text in one blob, written in parallel pieces that are then joined.
        let mut offsets = Vec::with_capacity(kept.len() + 1);
        offsets.push(0);
        for (k, _) in &kept {
            offsets.push(offsets[offsets.len() - 1] + k.len());
        }
        let pieces: Vec<String> = kept
            .par_chunks(4096)
            .map(|c| c.iter().map(|(k, _)| *k).collect())
            .collect();
        let blob = pieces.concat();
        drop(pieces);
        let ncols = kept.len();
        drop(kept);
        let sublinear = s.sublinear_tf;
        // The rows are written straight into the matrix's arrays: each chunk gets a region as
        // long as its term occurrences (an upper bound of its non-zeros), fills the front of
        // it, and the regions are then moved together. The arrays start as untouched
        // zeroed memory, so the unused ends of the regions never become resident, and no
        // second copy of the rows exists at any time (with it, training on a million texts
        // peaked 125 MiB higher).
        let bound: Vec<usize> = parts.iter().map(|p| p.ids.len()).collect();
        let total: usize = bound.iter().sum();
        let mut indices = vec![0u32; total];
        let mut data = vec![0f32; total];
        let mut regions = Vec::with_capacity(parts.len());
        let (mut rest_i, mut rest_d) = (&mut indices[..], &mut data[..]);
        for &len in &bound {
            let (ri, ti) = std::mem::take(&mut rest_i).split_at_mut(len);
            let (rd, td) = std::mem::take(&mut rest_d).split_at_mut(len);
            regions.push((ri, rd));
            rest_i = ti;
            rest_d = td;
        }
        let lens: Vec<Vec<usize>> = parts
            .par_iter()
            .zip(remaps.par_iter())
            .zip(regions.into_par_iter())
            .map(|((Part { ptr, ids, .. }, remap), (ri, rd))| {
                let mut lens = Vec::with_capacity(ptr.len());
                let mut idx = Vec::new();
                let mut val = Vec::new();
                let mut cols = Vec::new();
                let mut at = 0;
                for w in ptr.windows(2) {
                    cols.clear();
                    cols.extend(
                        ids[w[0]..w[1]]
                            .iter()
                            .map(|&l| column[remap[l as usize] as usize])
                            .filter(|&c| c != u32::MAX),
                    );
                    idx.clear();
                    val.clear();
                    tfidf_row(&mut cols, &idf, sublinear, &mut idx, &mut val);
                    // A document's non-zeros never outnumber its term occurrences.
                    ri[at..at + idx.len()].copy_from_slice(&idx);
                    rd[at..at + val.len()].copy_from_slice(&val);
                    at += idx.len();
                    lens.push(idx.len());
                }
                lens
            })
            .collect();
        drop(parts);
        drop(remaps);
        let mut indptr = Vec::with_capacity(n + 1);
        indptr.push(0);
        let (mut from, mut to) = (0, 0);
        for (lens, len) in lens.iter().zip(&bound) {
            let nnz: usize = lens.iter().sum();
            indices.copy_within(from..from + nnz, to);
            data.copy_within(from..from + nnz, to);
            for l in lens {
                indptr.push(to + l);
                to += l;
            }
            from += len;
        }
        indices.truncate(to);
        indices.shrink_to_fit();
        data.truncate(to);
        data.shrink_to_fit();
        let x = SparseRecords::from_csr(ncols, indptr, indices, data);
        let pending = PendingVectorizer {
            settings: s.clone(),
            blob,
            offsets,
            hashes,
            idf,
        };
        Ok((pending, x))
    }
}

/// [`merge_parts`] has `2^MERGE_SHARD_BITS` shards, chosen by a term hash's top bits.
const MERGE_SHARD_BITS: u32 = 4;
const MERGE_SHARDS: usize = 1 << MERGE_SHARD_BITS;
/// Part entries up to which [`merge_parts`] works in parallel: at most 32 MiB of lists,
/// and shard maps reserved for as many entries.
const PARALLEL_MERGE_UP_TO: usize = 1 << 22;

/// Merge the chunk dictionaries into global term ids. Terms are told apart by their 64-bit
/// hash, as lookups do (see [`Vocabulary`]).
///
/// A term's shard is fixed by its hash, so the shards are merged in parallel, each over
/// the parts in order; a shard's ids then follow the ones of the shards before it. The ids
/// differ from a serial merge's, but nothing downstream depends on them: columns are
/// ordered by the terms' text.
fn merge_parts(parts: &[Part]) -> Merged {
    // The shards' lists take 8 bytes per part entry on top of the result, and each shard's
    // map is reserved for all of its entries (repeats included): fine for small inputs,
    // but on a million texts this lifted training's peak memory by about 110 MB, so large
    // inputs are merged serially.
    if parts.iter().map(|p| p.hashes.len()).sum::<usize>() > PARALLEL_MERGE_UP_TO {
        return merge_serially(parts);
    }
    let shard_of = |h: u64| (h >> (64 - MERGE_SHARD_BITS)) as usize;
    // Each part's local ids, by shard.
    let by_shard: Vec<Vec<Vec<u32>>> = parts
        .par_iter()
        .map(|p| {
            let mut lists = vec![Vec::new(); MERGE_SHARDS];
            for (local, &h) in p.hashes.iter().enumerate() {
                lists[shard_of(h)].push(local as u32);
            }
            lists
        })
        .collect();
    // Per shard: its terms, with each part's shard-local ids in the order of `by_shard`.
    let shards: Vec<Merged> = (0..MERGE_SHARDS)
        .into_par_iter()
        .map(|sh| {
            let size: usize = by_shard.iter().map(|l| l[sh].len()).sum();
            let mut map: FastMap<u64, u32> =
                FastMap::with_capacity_and_hasher(size, Default::default());
            let mut origin = Vec::with_capacity(size);
            let mut df: Vec<u32> = Vec::with_capacity(size);
            let mut ids = Vec::with_capacity(parts.len());
            for (pi, (part, lists)) in parts.iter().zip(&by_shard).enumerate() {
                let mut part_ids = Vec::with_capacity(lists[sh].len());
                for &local in &lists[sh] {
                    let next = origin.len() as u32;
                    let g = *map.entry(part.hashes[local as usize]).or_insert(next);
                    if g == next {
                        origin.push((pi as u32, local));
                        df.push(0);
                    }
                    df[g as usize] += part.df[local as usize];
                    part_ids.push(g);
                }
                ids.push(part_ids);
            }
            Merged { origin, df, ids }
        })
        .collect();
    let mut first = Vec::with_capacity(MERGE_SHARDS);
    let mut total = 0u32;
    for shard in &shards {
        first.push(total);
        total += shard.origin.len() as u32;
    }
    let remaps: Vec<Vec<u32>> = parts
        .par_iter()
        .zip(&by_shard)
        .enumerate()
        .map(|(pi, (part, lists))| {
            let mut remap = vec![0u32; part.hashes.len()];
            for (sh, list) in lists.iter().enumerate() {
                for (&local, &g) in list.iter().zip(&shards[sh].ids[pi]) {
                    remap[local as usize] = first[sh] + g;
                }
            }
            remap
        })
        .collect();
    let mut origin = Vec::with_capacity(total as usize);
    let mut df = Vec::with_capacity(total as usize);
    for shard in shards {
        origin.extend(shard.origin);
        df.extend(shard.df);
    }
    Merged {
        origin,
        df,
        ids: remaps,
    }
}

/// Terms merged from chunk dictionaries.
struct Merged {
    /// Where each term's text is: (part, local id).
    origin: Vec<(u32, u32)>,
    /// Document frequency of each term.
    df: Vec<u32>,
    /// For each part, its local ids' merged ids.
    ids: Vec<Vec<u32>>,
}

/// [`merge_parts`] one part after another: no memory beyond the result's.
fn merge_serially(parts: &[Part]) -> Merged {
    let first = parts.first().map_or(0, |p| p.hashes.len());
    let mut global: FastMap<u64, u32> =
        FastMap::with_capacity_and_hasher(2 * first, Default::default());
    let mut origin: Vec<(u32, u32)> = Vec::with_capacity(2 * first);
    let mut df: Vec<u32> = Vec::with_capacity(2 * first);
    let mut remaps: Vec<Vec<u32>> = Vec::with_capacity(parts.len());
    for (pi, part) in parts.iter().enumerate() {
        let mut remap = vec![0u32; part.hashes.len()];
        for (local, (&h, &d)) in part.hashes.iter().zip(&part.df).enumerate() {
            let next = origin.len() as u32;
            let g = *global.entry(h).or_insert(next);
            if g == next {
                origin.push((pi as u32, local as u32));
                df.push(0);
            }
            df[g as usize] += d;
            remap[local] = g;
        }
        remaps.push(remap);
    }
    Merged {
        origin,
        df,
        ids: remaps,
    }
}

/// Texts per parallel work unit in `fit_transform`, at least and at most. Each chunk has
/// its own dictionary, merged afterwards ([`merge_parts`]): chunks too small repeat that
/// work.
const MIN_CHUNK: usize = 256;
const MAX_CHUNK: usize = 2048;

/// One chunk's local dictionary (term texts and hashes by local id, in first-seen order),
/// document frequencies by local id, and every document's term ids in order (CSR-like:
/// `ptr` delimits documents in `ids`).
struct Part {
    blob: String,
    /// End of each term in `blob`.
    ends: Vec<usize>,
    hashes: Vec<u64>,
    df: Vec<u32>,
    ptr: Vec<usize>,
    ids: Vec<u32>,
}

impl Part {
    fn build<S: AsRef<str>>(extractor: &Extractor, chunk: &[S]) -> Part {
        let mut map: FastMap<u64, u32> = FastMap::default();
        let mut part = Part {
            blob: String::new(),
            ends: Vec::new(),
            hashes: Vec::new(),
            df: Vec::new(),
            ptr: Vec::with_capacity(chunk.len() + 1),
            ids: Vec::new(),
        };
        let mut last: Vec<u32> = Vec::new();
        let mut scratch = Scratch::default();
        part.ptr.push(0);
        for (d, t) in chunk.iter().enumerate() {
            let d = d as u32;
            extractor.each(t.as_ref(), &mut scratch, true, &mut |term, h, _| {
                let next = part.hashes.len() as u32;
                let id = *map.entry(h).or_insert(next);
                if id == next {
                    // A new term: only now is its text written.
                    term.push_to(&mut part.blob);
                    part.ends.push(part.blob.len());
                    part.hashes.push(h);
                    part.df.push(0);
                    last.push(u32::MAX);
                }
                // Count each term once per document.
                if last[id as usize] != d {
                    last[id as usize] = d;
                    part.df[id as usize] += 1;
                }
                part.ids.push(id);
            });
            part.ptr.push(part.ids.len());
        }
        part
    }

    fn term(&self, local: usize) -> &str {
        let start = if local == 0 { 0 } else { self.ends[local - 1] };
        &self.blob[start..self.ends[local]]
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
    tfidf_sorted(cols, |&c| c, |&c| idf[c as usize], sublinear, idx, val);
}

/// [`tfidf_row`] over items sorted by column, each giving its column and IDF.
fn tfidf_sorted<T>(
    items: &[T],
    column: impl Fn(&T) -> u32,
    idf: impl Fn(&T) -> f32,
    sublinear: bool,
    idx: &mut Vec<u32>,
    val: &mut Vec<f32>,
) {
    let start = val.len();
    let mut i = 0;
    while i < items.len() {
        let c = column(&items[i]);
        let mut j = i;
        while j < items.len() && column(&items[j]) == c {
            j += 1;
        }
        // Most terms occur once in a short text; ln 1 is exactly 0, so the call is skipped
        // with the same result.
        let tf = match (sublinear, j - i) {
            (true, 1) => 1.0,
            (true, n) => 1.0 + (n as f32).ln(),
            (false, n) => n as f32,
        };
        idx.push(c);
        val.push(tf * idf(&items[i]));
        i = j;
    }
    let norm = val[start..].iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        val[start..].iter_mut().for_each(|v| *v /= norm);
    }
}

/// A term as [`Extractor::each`] found it. A word n-gram's text is only put together when
/// asked for: training needs it once per new term, lookups never.
enum Term<'a> {
    /// Consecutive tokens, joined by spaces.
    Words(&'a Analyzed, &'a [crate::text::Word]),
    /// A token inside an actor and modality frame: the frame's name, a space, the token.
    Marked(&'a str, &'a Analyzed, &'a crate::text::Word),
    /// A character n-gram, already written out.
    Text(&'a str),
}

impl Term<'_> {
    /// Append the term's text to `out`.
    fn push_to(&self, out: &mut String) {
        match self {
            Term::Words(analyzed, words) => {
                for (k, w) in words.iter().enumerate() {
                    if k > 0 {
                        out.push(' ');
                    }
                    out.push_str(analyzed.term(w));
                }
            }
            Term::Text(t) => out.push_str(t),
            Term::Marked(name, analyzed, w) => {
                out.push_str(name);
                out.push(' ');
                out.push_str(analyzed.term(w));
            }
        }
    }
}

/// Buffers [`Extractor::each`] reuses from text to text.
#[derive(Default)]
struct Scratch {
    buf: String,
    analyzed: Analyzed,
}

/// The term hashes of many texts, made from feature settings alone, before any
/// vocabulary: the part of transforming a text that does not need the vocabulary (analysis,
/// n-grams, hashing), done while a model is still loading. Rows of the texts are then read
/// with [`Vectorizer::transform_hashed_each`]. Takes 8 bytes per term occurrence.
#[derive(Debug, Clone)]
pub struct TermHashes {
    settings: FeatureSettings,
    /// Row `i`'s hashes are `hashes[ptr[i]..ptr[i + 1]]`.
    ptr: Vec<usize>,
    hashes: Vec<u64>,
}

impl TermHashes {
    /// Hash the terms of `texts` in parallel, as a vectorizer with `settings` would.
    /// `settings` must be valid (as [`FeatureParams::check`] makes sure).
    pub fn new<S: AsRef<str> + Sync>(settings: &FeatureSettings, texts: &[S]) -> TermHashes {
        let extractor = Extractor::new(settings);
        let pieces: Vec<(Vec<usize>, Vec<u64>)> = texts
            .par_chunks(256)
            .map(|chunk| {
                let mut scratch = Scratch::default();
                let (mut lens, mut hashes) = (Vec::with_capacity(chunk.len()), Vec::new());
                for t in chunk {
                    let before = hashes.len();
                    extractor.hashes_into(t.as_ref(), &mut scratch, &mut hashes, |_| {});
                    lens.push(hashes.len() - before);
                }
                (lens, hashes)
            })
            .collect();
        let mut ptr = Vec::with_capacity(texts.len() + 1);
        ptr.push(0);
        let mut hashes = Vec::with_capacity(pieces.iter().map(|p| p.1.len()).sum());
        for (lens, h) in pieces {
            for l in lens {
                ptr.push(ptr[ptr.len() - 1] + l);
            }
            hashes.extend_from_slice(&h);
        }
        TermHashes {
            settings: settings.clone(),
            ptr,
            hashes,
        }
    }

    /// Number of texts.
    pub fn len(&self) -> usize {
        self.ptr.len() - 1
    }

    /// Whether there are no texts.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn row(&self, i: usize) -> &[u64] {
        &self.hashes[self.ptr[i]..self.ptr[i + 1]]
    }
}

/// What [`Vectorizer::transform_one`] reuses: term hashes, then packed (column, IDF) pairs.
#[derive(Default)]
struct RowScratch {
    scratch: Scratch,
    hashes: Vec<u64>,
    cols: Vec<u64>,
}

/// Emits the n-gram terms of a text.
struct Extractor {
    analyzer: Analyzer,
    ngrams: (usize, usize),
    char_ngrams: Option<(usize, usize)>,
    marks: Option<Marks>,
    polarity: Option<Polarity>,
    /// `p:neg` and `p:pos` with their term hashes, made once.
    polarity_terms: [(&'static str, u64); 2],
}

impl Extractor {
    fn new(s: &FeatureSettings) -> Self {
        let analyzer = Analyzer::new(s.analyzer.clone());
        let marks = s.marks.then(|| Marks::new(&analyzer));
        let polarity = s.polarity.as_ref().map(|l| Polarity::new(&analyzer, l));
        Extractor {
            analyzer,
            ngrams: (s.ngrams.0 as usize, s.ngrams.1 as usize),
            char_ngrams: s.char_ngrams.map(|(a, b)| (a as usize, b as usize)),
            marks,
            polarity,
            polarity_terms: [
                (NEGATIVE, term_hash(NEGATIVE)),
                (POSITIVE, term_hash(POSITIVE)),
            ],
        }
    }

    /// Append the [`term_hash`] of each of the text's terms to `out`, calling `seen` with
    /// each (to prefetch its table slot, say).
    fn hashes_into(
        &self,
        text: &str,
        scratch: &mut Scratch,
        out: &mut Vec<u64>,
        mut seen: impl FnMut(u64),
    ) {
        self.each(text, scratch, false, &mut |_, h, _| {
            seen(h);
            out.push(h);
        });
    }

    /// Calls `f` with each term, its [`term_hash`] and the byte span of the original text it
    /// came from. With `need_text` false the analysis skips the tokens' text, and a word
    /// n-gram's [`Term::push_to`] writes nothing (its hash is all a lookup needs).
    fn each(
        &self,
        text: &str,
        scratch: &mut Scratch,
        need_text: bool,
        // Generic rather than `dyn`: the sink is called for every term, and inlined into
        // the loop it costs nothing.
        f: &mut impl FnMut(Term<'_>, u64, (usize, usize)),
    ) {
        let Scratch { buf, analyzed } = scratch;
        if need_text {
            self.analyzer.analyze_into(text, analyzed);
        } else {
            self.analyzer.analyze_hashes_into(text, analyzed);
        }
        let toks = analyzed.words();
        let (lo, hi) = self.ngrams;
        for n in lo..=hi {
            for w in toks.windows(n) {
                let h = w.iter().fold(TERM_SEED, |h, t| fold_word(h, t.hash));
                f(
                    Term::Words(analyzed, w),
                    finish_term(h),
                    (w[0].start, w[n - 1].end),
                );
            }
        }
        if let Some(marks) = &self.marks {
            marks.each(text, analyzed, |m| {
                let at = &toks[m.at];
                let name = marks.name(m.id);
                if m.word {
                    // As `term_hash("m:1f strike")`: the frame's name, then the word.
                    let h = fold_word(fold_word(TERM_SEED, marks.name_hash(m.id)), at.hash);
                    f(
                        Term::Marked(name, analyzed, at),
                        finish_term(h),
                        (at.start, at.end),
                    );
                } else {
                    // As `term_hash("m:1f")`, from the name's hash made once.
                    let h = finish_term(fold_word(TERM_SEED, marks.name_hash(m.id)));
                    f(Term::Text(name), h, (at.start, at.end));
                }
            });
        }
        if let Some(polarity) = &self.polarity {
            polarity.each(analyzed, |i, positive| {
                let (name, h) = self.polarity_terms[usize::from(positive)];
                f(Term::Text(name), h, (toks[i].start, toks[i].end));
            });
        }
        if let Some((lo, hi)) = self.char_ngrams {
            let mut chars: Vec<char> = Vec::new();
            for t in toks {
                chars.clear();
                chars.push(' ');
                chars.extend(text[t.start..t.end].chars().flat_map(char::to_lowercase));
                chars.push(' ');
                for n in lo..=hi {
                    for w in chars.windows(n) {
                        buf.clear();
                        buf.push_str(CHAR_PREFIX);
                        buf.extend(w.iter());
                        f(Term::Text(buf), term_hash(buf), (t.start, t.end));
                    }
                }
            }
        }
    }
}

/// Terms in column order, stored as one string with offsets, and an open-addressing hash
/// table from each term's 64-bit [`term_hash`] to its column.
///
/// A vocabulary can hold millions of n-grams; lookups are the hottest part of prediction.
/// A slot holds the whole 64-bit hash next to the column, so a lookup reads one cache line
/// and never the term's text: a term matches by its hash alone. Two different terms share
/// a hash with probability about `n² / 2⁶⁵` (3·10⁻⁸ for a million terms); should it happen,
/// the later term is counted in [`Vocabulary::distinct`] as a repeat and its column is
/// never looked up. The table is built when the vocabulary is made or loaded, not stored.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    blob: String,
    offsets: Vec<usize>,
    table: Vec<Slot>,
    duplicates: usize,
}

/// Two vocabularies are equal when they hold the same terms in the same order.
impl PartialEq for Vocabulary {
    fn eq(&self, other: &Self) -> bool {
        self.offsets == other.offsets && self.blob == other.blob
    }
}

/// One table slot: a term's hash and `column + 1`, or `column == 0` when empty, and a value
/// kept beside it (the vectorizer keeps the term's IDF there, saving a second lookup).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(16))]
struct Slot {
    hash: u64,
    column: u32,
    value: f32,
}

const TERM_SEED: u64 = 0x2545_f491_4f6c_dd1d;

/// Fold the next word's hash into an n-gram's running hash.
#[inline]
fn fold_word(h: u64, w: u64) -> u64 {
    crate::text::fold_mul(h ^ w, 0x9e37_79b9_7f4a_7c15)
}

/// MurmurHash3's fmix64 on the folded hash, whose low bits pick the table slot.
#[inline]
fn finish_term(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Hash of a term: its space-separated words hashed one by one and folded in order. Word
/// n-grams are hashed from their tokens' hashes without joining them (tokens never contain
/// a space), and that gives the same value as hashing the joined term here.
pub fn term_hash(term: &str) -> u64 {
    // Split as bytes: terms are short, and a plain byte loop beats the string searcher's
    // set-up on each (the pieces are the same).
    finish_term(
        term.as_bytes()
            .split(|&b| b == b' ')
            .fold(TERM_SEED, |h, w| fold_word(h, word_hash(w))),
    )
}

/// Longest probe a vocabulary's table may need. Linear probing at load factor 1/2 gives
/// runs of a few dozen slots even for millions of terms; terms crafted to share their
/// low hash bits would make every lookup walk a long run, and are refused instead.
const MAX_PROBE: usize = 4096;

impl Vocabulary {
    /// From terms (sorted ascending and unique when built by `fit`). Fails only for terms
    /// crafted to collide (see [`Vocabulary::from_blob`]).
    pub fn new(terms: Vec<String>) -> std::result::Result<Self, String> {
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
    /// loader checks both). Refuses terms whose hashes pile up so that some lookup would
    /// probe more than 4,096 slots: only crafted terms do that.
    pub fn from_blob(blob: String, offsets: Vec<usize>) -> std::result::Result<Self, String> {
        let n = offsets.len().saturating_sub(1);
        let hashes: Vec<u64> = (0..n)
            .into_par_iter()
            .with_min_len(4096)
            .map(|i| term_hash(&blob[offsets[i]..offsets[i + 1]]))
            .collect();
        Vocabulary::with_hashes(blob, offsets, hashes)
    }

    /// [`Vocabulary::from_blob`] with each term's [`term_hash`] already known.
    fn with_hashes(
        blob: String,
        offsets: Vec<usize>,
        hashes: Vec<u64>,
    ) -> std::result::Result<Self, String> {
        let size = (2 * hashes.len()).max(2).next_power_of_two();
        let mask = size - 1;
        let mut table = vec![Slot::default(); size];
        let mut duplicates = 0;
        for (i, &h) in hashes.iter().enumerate() {
            let home = h as usize & mask;
            let mut slot = home;
            loop {
                let e = table[slot];
                if e.column == 0 {
                    table[slot] = Slot {
                        hash: h,
                        column: i as u32 + 1,
                        value: 0.0,
                    };
                    break;
                }
                if e.hash == h {
                    duplicates += 1;
                    break;
                }
                slot = (slot + 1) & mask;
                if slot.wrapping_sub(home) & mask > MAX_PROBE {
                    return Err(format!(
                        "term {i} needs a hash-table probe longer than {MAX_PROBE} slots: the terms look crafted to collide"
                    ));
                }
            }
        }
        Ok(Vocabulary {
            blob,
            offsets,
            table,
            duplicates,
        })
    }

    /// Column of a term.
    pub fn get(&self, term: &str) -> Option<u32> {
        self.get_hashed(term_hash(term))
    }

    /// Start loading the table slot where a lookup of `h` begins.
    #[inline]
    fn prefetch(&self, h: u64) {
        crate::util::prefetch(&self.table[h as usize & (self.table.len() - 1)]);
    }

    /// Column of the term whose [`term_hash`] is `h`.
    #[inline]
    pub fn get_hashed(&self, h: u64) -> Option<u32> {
        self.get_with_value(h).map(|(c, _)| c)
    }

    /// Column and kept value of the term whose [`term_hash`] is `h`.
    #[inline]
    fn get_with_value(&self, h: u64) -> Option<(u32, f32)> {
        let mask = self.table.len() - 1;
        let mut slot = h as usize & mask;
        loop {
            let e = self.table[slot];
            if e.column == 0 {
                return None;
            }
            if e.hash == h {
                return Some((e.column - 1, e.value));
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Keep `values[column]` beside each term's slot.
    fn set_values(&mut self, values: &[f32]) {
        for s in self.table.iter_mut().filter(|s| s.column != 0) {
            s.value = values.get(s.column as usize - 1).copied().unwrap_or(0.0);
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

/// A fitted vectorizer whose vocabulary lookup table is not built yet.
pub struct PendingVectorizer {
    settings: FeatureSettings,
    blob: String,
    offsets: Vec<usize>,
    hashes: Vec<u64>,
    idf: Vec<f32>,
}

impl PendingVectorizer {
    /// Build the lookup table. Fails only for terms crafted to collide (see
    /// [`Vocabulary::from_blob`]).
    pub fn build(self) -> Result<Vectorizer> {
        let vocab = Vocabulary::with_hashes(self.blob, self.offsets, self.hashes)
            .map_err(Error::Training)?;
        Ok(Vectorizer::from_parts(self.settings, vocab, self.idf))
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
    pub fn from_parts(settings: FeatureSettings, mut vocab: Vocabulary, idf: Vec<f32>) -> Self {
        vocab.set_values(&idf);
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
        let (mut idx, mut val) = (Vec::new(), Vec::new());
        self.transform_one_into(text, &mut idx, &mut val);
        (idx, val)
    }

    /// [`Vectorizer::transform_one`] into buffers the caller reuses (cleared first).
    pub fn transform_one_into(&self, text: &str, idx: &mut Vec<u32>, val: &mut Vec<f32>) {
        idx.clear();
        val.clear();
        thread_local! {
            // Reused from text to text: most texts then cost no allocation but their row.
            static SCRATCH: std::cell::RefCell<RowScratch> = Default::default();
        }
        SCRATCH.with(|s| {
            let RowScratch {
                scratch,
                hashes,
                cols,
            } = &mut *s.borrow_mut();
            hashes.clear();
            // The table is large and the lookups independent: asking for every slot first
            // lets the memory system fetch them together.
            self.extractor
                .hashes_into(text, scratch, hashes, |h| self.vocab.prefetch(h));
            self.row_of_hashes(hashes, cols, idx, val);
        })
    }

    /// The TF-IDF rows of `texts`, one after another on this thread, each passed to `f`
    /// with its index: the rows [`Vectorizer::transform_one_into`] gives. Each text is
    /// analysed and its table slots asked for before the previous text's are looked up, so
    /// the slots have time to arrive.
    pub fn transform_each<S: AsRef<str>>(
        &self,
        texts: &[S],
        mut f: impl FnMut(usize, &[u32], &[f32]),
    ) {
        let mut scratch = Scratch::default();
        let (mut this, mut next, mut cols) = (Vec::new(), Vec::new(), Vec::new());
        let (mut idx, mut val) = (Vec::new(), Vec::new());
        let mut hash = |text: &str, out: &mut Vec<u64>| {
            out.clear();
            self.extractor
                .hashes_into(text, &mut scratch, out, |h| self.vocab.prefetch(h));
        };
        if let Some(t) = texts.first() {
            hash(t.as_ref(), &mut this);
        }
        for i in 0..texts.len() {
            if let Some(t) = texts.get(i + 1) {
                hash(t.as_ref(), &mut next);
            }
            idx.clear();
            val.clear();
            self.row_of_hashes(&this, &mut cols, &mut idx, &mut val);
            f(i, &idx, &val);
            std::mem::swap(&mut this, &mut next);
        }
    }

    /// The TF-IDF rows of texts whose terms were hashed ahead ([`TermHashes`]), rows
    /// `rows` of them, one after another, each passed to `f` with its index: the rows
    /// [`Vectorizer::transform_one_into`] gives for the texts. The next row's slots are asked
    /// for before this one's are looked up, as in [`Vectorizer::transform_each`]. Returns
    /// false, doing nothing, when the hashes were made with other feature settings than
    /// this vectorizer's.
    pub fn transform_hashed_each(
        &self,
        hashes: &TermHashes,
        rows: std::ops::Range<usize>,
        mut f: impl FnMut(usize, &[u32], &[f32]),
    ) -> bool {
        if hashes.settings != self.settings {
            return false;
        }
        let (mut cols, mut idx, mut val) = (Vec::new(), Vec::new(), Vec::new());
        if let Some(first) = rows.clone().next() {
            hashes
                .row(first)
                .iter()
                .for_each(|&h| self.vocab.prefetch(h));
        }
        for i in rows.clone() {
            if i + 1 < rows.end {
                hashes
                    .row(i + 1)
                    .iter()
                    .for_each(|&h| self.vocab.prefetch(h));
            }
            idx.clear();
            val.clear();
            self.row_of_hashes(hashes.row(i), &mut cols, &mut idx, &mut val);
            f(i, &idx, &val);
        }
        true
    }

    /// Look up term hashes and append their TF-IDF row to `idx`/`val`.
    fn row_of_hashes(
        &self,
        hashes: &[u64],
        cols: &mut Vec<u64>,
        idx: &mut Vec<u32>,
        val: &mut Vec<f32>,
    ) {
        // Column and IDF packed in one integer, column on top: sorting plain integers
        // takes the standard library's branch-free small-sort path, twice as fast as
        // sorting pairs by a key (same columns carry the same IDF, so order is exact).
        cols.clear();
        cols.extend(
            hashes
                .iter()
                .filter_map(|&h| self.vocab.get_with_value(h))
                .map(|(c, idf)| (c as u64) << 32 | idf.to_bits() as u64),
        );
        cols.sort_unstable();
        tfidf_sorted(
            cols,
            |&p| (p >> 32) as u32,
            |&p| f32::from_bits(p as u32),
            self.settings.sublinear_tf,
            idx,
            val,
        );
    }

    /// Every occurrence of a vocabulary term in `text`: its column and the byte span
    /// `[start, end)` of the original text it came from (for a word n-gram, from its first
    /// word's start to its last word's end; for a character n-gram, its word).
    pub fn term_spans(&self, text: &str) -> Vec<(u32, usize, usize)> {
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        self.extractor
            .each(text, &mut scratch, false, &mut |_, h, (start, end)| {
                if let Some(c) = self.vocab.get_hashed(h) {
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
    fn rows_from_hashes_made_ahead_equal_transformed_rows() {
        let docs = [
            "We won't strike; we will talk.",
            "Russia’s envoy: no talks, no peace",
            "",
            "émigrés réunis 42 fois",
            "talk talk talk",
        ];
        for chars in [None, Some((2, 4))] {
            let v = FeatureParams::new()
                .char_ngrams(chars)
                .check()
                .unwrap()
                .fit(&docs[..4])
                .unwrap();
            let hashed = TermHashes::new(v.settings(), &docs);
            assert_eq!(hashed.len(), docs.len());
            let mut seen = 0;
            assert!(
                v.transform_hashed_each(&hashed, 0..docs.len(), |i, idx, val| {
                    assert_eq!(
                        (idx.to_vec(), val.to_vec()),
                        v.transform_one(docs[i]),
                        "{:?}",
                        docs[i]
                    );
                    seen += 1;
                })
            );
            assert_eq!(seen, docs.len());
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
    fn sharded_and_serial_merges_agree() {
        // The serial merge is what inputs past PARALLEL_MERGE_UP_TO get; both must count
        // every term's documents alike and give each term one id.
        let ex = Extractor::new(plain().check().unwrap().settings());
        let texts: Vec<String> = (0..3000)
            .map(|i| format!("w{} w{} and w{} again w{}", i % 7, i % 113, i % 1009, i))
            .collect();
        let parts: Vec<Part> = texts.chunks(256).map(|c| Part::build(&ex, c)).collect();
        let (a, b) = (merge_parts(&parts), merge_serially(&parts));
        assert_eq!(a.origin.len(), b.origin.len());
        let mut df_a = std::collections::HashMap::new();
        for (pi, part) in parts.iter().enumerate() {
            for (local, &h) in part.hashes.iter().enumerate() {
                let (ga, gb) = (a.ids[pi][local] as usize, b.ids[pi][local] as usize);
                assert_eq!(a.df[ga], b.df[gb], "term hash {h:x}");
                assert_eq!(*df_a.entry(h).or_insert(ga), ga, "one id per term");
            }
        }
    }

    #[test]
    fn fitted_columns_follow_the_terms_byte_order() {
        let texts = ["zebra ab abc", "abcdefghij abcdefghia ab", "é a"];
        let v = plain().ngrams(1, 1).check().unwrap();
        let (vec, _) = v.fit_transform(&texts).unwrap();
        let terms = vec.vocabulary().terms();
        let mut sorted = terms.clone();
        sorted.sort();
        assert_eq!(terms, sorted);
        assert!(terms.contains(&"abcdefghia") && terms.contains(&"abcdefghij"));
    }

    #[test]
    fn vocabulary_lookup_finds_every_term_and_nothing_else() {
        let terms: Vec<String> = (0..5000).map(|i| format!("t{i}")).collect();
        let v = Vocabulary::new(terms.clone()).unwrap();
        for (i, t) in terms.iter().enumerate() {
            assert_eq!(v.get(t), Some(i as u32));
            assert_eq!(v.term(i), t);
        }
        assert_eq!(v.get("t5000"), None);
        assert_eq!(v.get(""), None);
        assert_eq!(v.distinct(), 5000);
        let dup = Vocabulary::new(vec!["a".into(), "b".into(), "a".into()]).unwrap();
        assert_eq!(dup.distinct(), 2);
        assert!(Vocabulary::new(vec![]).unwrap().is_empty());
        assert_eq!(Vocabulary::new(vec![]).unwrap().get("x"), None);
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
    fn term_hashes_of_near_identical_terms_differ() {
        // Regression: under a multiply-rotate word hash these two collided, and training
        // merged them into one column.
        assert_ne!(term_hash("NEG_stifl"), term_hash("NEG_sting"));
        assert_ne!(term_hash("NEG_a NEG_stifl"), term_hash("NEG_a NEG_sting"));
        // Every word of up to three letters from a small alphabet, alone, negated, and in
        // bigrams with a few others: 59,000 terms, no two hashes alike.
        let alphabet: Vec<char> = "abegilnostu_".chars().collect();
        let mut words = vec![String::new()];
        for len in 1..=3 {
            let mut next = Vec::new();
            for w in words.iter().filter(|w| w.len() == len - 1) {
                for &c in &alphabet {
                    next.push(format!("{w}{c}"));
                }
            }
            words.extend(next);
        }
        words.retain(|w| !w.is_empty());
        let mut terms: Vec<String> = Vec::new();
        for w in &words {
            terms.push(w.clone());
            terms.push(format!("NEG_{w}"));
            terms.push(format!("c: {w}"));
            for other in ["the", "NEG_stin", "we"] {
                terms.push(format!("{w} {other}"));
                terms.push(format!("{other} {w}"));
            }
        }
        terms.sort();
        terms.dedup();
        let mut hashes: Vec<u64> = terms.iter().map(|t| term_hash(t)).collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), terms.len());
    }

    #[test]
    fn terms_crafted_to_share_a_slot_are_refused() {
        // Regression: terms whose hashes agree in their low bits would make every lookup
        // walk one long run. 4,300 terms get a 16,384-slot table; take terms whose home
        // slot is below 64.
        let mask = 16_383;
        let terms: Vec<String> = (0u64..)
            .map(|i| format!("t{i}"))
            .filter(|t| term_hash(t) & mask < 64)
            .take(4300)
            .collect();
        let e = Vocabulary::new(terms).unwrap_err();
        assert!(e.contains("crafted to collide"), "{e}");
        // As many ordinary terms load.
        let plain: Vec<String> = (0..4300).map(|i| format!("t{i}")).collect();
        assert_eq!(Vocabulary::new(plain).unwrap().distinct(), 4300);
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
