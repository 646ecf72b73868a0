//! Term extraction: the word n-grams, actor marks, polarity terms and character n-grams of
//! a text ([`Extractor`]), each with its 64-bit [`term_hash`], and the hashes of many texts
//! made ahead of a vocabulary ([`TermHashes`]).

use rayon::prelude::*;

use super::settings::FeatureSettings;
use crate::features::marks::Marks;
use crate::features::polarity::{Polarity, NEGATIVE, POSITIVE};
use crate::text::{word_hash, Analyzed, Analyzer};

/// Character n-gram features start with this, so they never collide with word n-grams.
pub const CHAR_PREFIX: &str = "c:";

/// A term as [`Extractor::each`] found it. A word n-gram's text is only put together when
/// asked for: training needs it once per new term, lookups never.
pub(super) enum Term<'a> {
    /// Consecutive tokens, joined by spaces.
    Words(&'a Analyzed, &'a [crate::text::Word]),
    /// A token inside an actor and modality frame: the frame's name, a space, the token.
    Marked(&'a str, &'a Analyzed, &'a crate::text::Word),
    /// A character n-gram, already written out.
    Text(&'a str),
}

impl Term<'_> {
    /// Append the term's text to `out`.
    pub(super) fn push_to(&self, out: &mut String) {
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
pub(super) struct Scratch {
    buf: String,
    analyzed: Analyzed,
}

/// The term hashes of many texts, made from feature settings alone, before any
/// vocabulary: the part of transforming a text that does not need the vocabulary (analysis,
/// n-grams, hashing), done while a model is still loading. Rows of the texts are then read
/// with [`Vectorizer::transform_hashed_each`]. Takes 8 bytes per term occurrence.
///
/// [`Vectorizer::transform_hashed_each`]: super::Vectorizer::transform_hashed_each
#[derive(Debug, Clone)]
pub struct TermHashes {
    pub(super) settings: FeatureSettings,
    /// Row `i`'s hashes are `hashes[ptr[i]..ptr[i + 1]]`.
    ptr: Vec<usize>,
    hashes: Vec<u64>,
}

impl TermHashes {
    /// Hash the terms of `texts` in parallel, as a vectorizer with `settings` would.
    /// `settings` must be valid (as [`FeatureParams::check`](super::FeatureParams) makes sure).
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

    pub(super) fn row(&self, i: usize) -> &[u64] {
        &self.hashes[self.ptr[i]..self.ptr[i + 1]]
    }
}

/// Emits the n-gram terms of a text.
pub(super) struct Extractor {
    analyzer: Analyzer,
    ngrams: (usize, usize),
    char_ngrams: Option<(usize, usize)>,
    marks: Option<Marks>,
    polarity: Option<Polarity>,
    /// `p:neg` and `p:pos` with their term hashes, made once.
    polarity_terms: [(&'static str, u64); 2],
}

impl Extractor {
    pub(super) fn new(s: &FeatureSettings) -> Self {
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
    pub(super) fn hashes_into(
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
    pub(super) fn each(
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

#[cfg(test)]
mod tests {
    use linfa::ParamGuard;

    use super::*;
    use crate::features::vectorizer::settings::plain;

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
}
