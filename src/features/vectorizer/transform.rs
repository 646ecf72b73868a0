//! Transforming: a fitted [`Vectorizer`] turns texts (or their terms' hashes, made ahead)
//! into L2-normalised TF-IDF rows by looking their terms up in its vocabulary.

use rayon::prelude::*;

use super::extract::{Extractor, Scratch, TermHashes};
use super::settings::FeatureSettings;
use super::Vocabulary;
use crate::features::SparseRecords;

/// What [`Vectorizer::transform_one`] reuses: term hashes, then packed (column, IDF) pairs.
#[derive(Default)]
struct RowScratch {
    scratch: Scratch,
    hashes: Vec<u64>,
    cols: Vec<u64>,
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
        Vectorizer::with_valued_vocabulary(settings, vocab, idf)
    }

    /// [`Vectorizer::from_parts`] with a vocabulary that already keeps each term's IDF in
    /// its slot (as [`Vocabulary::from_table`] makes it), saving a pass over the table.
    pub(crate) fn with_valued_vocabulary(
        settings: FeatureSettings,
        vocab: Vocabulary,
        idf: Vec<f32>,
    ) -> Self {
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

/// [`tfidf_row`] over items sorted by column, each giving its column and IDF.
pub(super) fn tfidf_sorted<T>(
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

#[cfg(test)]
mod tests {
    use linfa::ParamGuard;

    use super::*;
    use crate::features::FeatureParams;

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
