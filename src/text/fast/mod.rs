//! The same analysis as [`Analyzer::tokens`], without an allocation per token.
//!
//! Every stage but negation and stop-word removal looks at one word segment alone, and word
//! frequencies are Zipfian: a per-thread memo keeps, for each distinct segment, what those
//! stages make of it (its parts after contractions, their stemmed text, kinds and feature
//! hashes). A text is then its segments looked up in the memo plus one pass for negation
//! and stop words. The memo is filled by running the filters of [`super::filters`] on the
//! segment, so the result is the reference pipeline's by construction (segments are told
//! apart by a 64-bit hash; see [`Memo`]); a property test checks it on random text.
//!
//! This file holds the analysis itself ([`Analyzed`], its [`Word`]s); beside it are the memo
//! (`memo`), the word hash that tokens and terms share (`hash`, [`word_hash`]) and the
//! ASCII fast path of word segmentation (`ascii`, [`AsciiWords`]).

mod ascii;
mod hash;
mod memo;

use unicode_segmentation::UnicodeSegmentation;

pub use ascii::AsciiWords;
pub(crate) use hash::fold_mul;
pub use hash::word_hash;
use memo::{Memo, Part, MAX_MEMO_SEGMENT, MAX_SETTINGS, MEMOS, NEGATOR, PUNCT, STOP, WHOLE};

use super::{filters, stopwords, Analyzer, TokenKind};

/// One token of an analysed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// Byte span `[start, end)` in the original text.
    pub start: usize,
    /// End of the span.
    pub end: usize,
    /// Hash of the feature term (`NEG_` included) as [`word_hash`] computes it.
    pub hash: u64,
    /// Range of the feature term in [`Analyzed::arena`].
    term: (u32, u32),
}

/// A reusable buffer of analysed tokens: clear and refill it text after text.
#[derive(Debug, Default, Clone)]
pub struct Analyzed {
    words: Vec<Word>,
    arena: String,
    /// Segments of the text: start, length, hash.
    segments: Vec<(u32, u32, u64)>,
}

impl Analyzed {
    /// The tokens, in order.
    pub fn words(&self) -> &[Word] {
        &self.words
    }

    /// The feature term of a token: its text, with `NEG_` in front inside a negation scope.
    pub fn term(&self, w: &Word) -> &str {
        &self.arena[w.term.0 as usize..w.term.1 as usize]
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the text had no tokens.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

const NEGATORS: &[&str] = filters::NEGATORS;

impl Analyzer {
    /// Analyse `text` into `out` (cleared first): the tokens [`Analyzer::tokens`] gives,
    /// with their feature terms and hashes, without allocating once warm.
    pub fn analyze_into(&self, text: &str, out: &mut Analyzed) {
        self.analyze(text, out, true)
    }

    /// As [`Analyzer::analyze_into`] but without the terms' text: spans and hashes only
    /// ([`Analyzed::term`] is then empty), which is all a vocabulary lookup needs.
    pub fn analyze_hashes_into(&self, text: &str, out: &mut Analyzed) {
        self.analyze(text, out, false)
    }

    fn analyze(&self, text: &str, out: &mut Analyzed, with_text: bool) {
        out.words.clear();
        out.arena.clear();
        out.segments.clear();
        MEMOS.with(|m| {
            let mut memos = m.borrow_mut();
            let i = match memos.iter().position(|m| m.settings == self.settings) {
                Some(i) => i,
                None => {
                    if memos.len() >= MAX_SETTINGS {
                        memos.clear();
                    }
                    memos.push(Memo::new(self.settings.clone()));
                    memos.len() - 1
                }
            };
            let memo = &mut memos[i];
            // First every segment's hash, asking for its slot; then the lookups, which
            // then mostly find their slot loaded.
            let mut push = |start: usize, seg: &str| {
                if seg == " " {
                    return;
                }
                let key = word_hash(seg.as_bytes());
                memo.prefetch(key);
                out.segments.push((start as u32, seg.len() as u32, key));
            };
            if text.is_ascii() {
                for (start, seg) in AsciiWords::new(text) {
                    push(start, seg);
                }
            } else {
                for (start, seg) in text.split_word_bound_indices() {
                    push(start, seg);
                }
            }
            let mut inside = false;
            let settings = &self.settings;
            let Analyzed {
                words,
                arena,
                segments,
            } = out;
            // Place one part (its span in the text, flags, hashes and text) after negation
            // and stop words, which need the parts before it.
            let mut emit =
                |(start, end): (usize, usize), flags: u8, hashes: (u64, u64), term: &str| {
                    if flags & PUNCT != 0 {
                        inside = false;
                        return;
                    }
                    let negated = if flags & NEGATOR != 0 {
                        inside = settings.negation;
                        false
                    } else {
                        settings.negation && inside
                    };
                    if settings.stop_words && !negated && flags & STOP != 0 {
                        return;
                    }
                    let from = arena.len() as u32;
                    if with_text {
                        if negated {
                            arena.push_str("NEG_");
                        }
                        arena.push_str(term);
                    }
                    words.push(Word {
                        start,
                        end,
                        hash: if negated { hashes.1 } else { hashes.0 },
                        term: (from, arena.len() as u32),
                    });
                };
            for &(start, len, key) in segments.iter() {
                let (start, len) = (start as usize, len as usize);
                let seg = &text[start..start + len];
                if len > MAX_MEMO_SEGMENT {
                    for (p, term) in self.segment_parts(seg) {
                        let span = (start + p.start as usize, start + p.end as usize);
                        emit(span, p.flags, (p.hash, p.neg_hash), &term);
                    }
                    continue;
                }
                let slot = match memo.get(key) {
                    Some(slot) => slot,
                    None => memo.insert(key, len, self.segment_parts(seg)),
                };
                if slot.flags & WHOLE != 0 && !with_text {
                    emit(
                        (start, start + len),
                        slot.flags,
                        (slot.hash, slot.neg_hash),
                        "",
                    );
                    continue;
                }
                for p in memo.parts_of(slot) {
                    let span = (start + p.start as usize, start + p.end as usize);
                    let term = memo.text(p);
                    emit(span, p.flags, (p.hash, p.neg_hash), term);
                }
            }
        });
    }

    /// The part for a plain word spanning `len` bytes, lowercased as the settings say:
    /// its flags, stemmed text and hashes.
    fn word_part(&self, len: usize, text: String) -> (Part, String) {
        let mut flags = 0;
        if NEGATORS.binary_search(&text.as_str()).is_ok() {
            flags |= NEGATOR;
        }
        if stopwords::ENGLISH.binary_search(&text.as_str()).is_ok() {
            flags |= STOP;
        }
        let text = match &self.stemmer {
            Some(stemmer) => match stemmer.stem(&text) {
                std::borrow::Cow::Owned(stemmed) => stemmed,
                std::borrow::Cow::Borrowed(_) => text,
            },
            None => text,
        };
        let mut neg = String::with_capacity(4 + text.len());
        neg.push_str("NEG_");
        neg.push_str(&text);
        let part = Part {
            start: 0,
            end: len as u32,
            flags,
            text: (0, 0),
            hash: word_hash(text.as_bytes()),
            neg_hash: word_hash(neg.as_bytes()),
        };
        (part, text)
    }

    /// Run the context-free stages on one segment.
    fn segment_parts(&self, seg: &str) -> Vec<(Part, String)> {
        let s = &self.settings;
        // Most segments are plain ASCII words. For them the stages reduce to lowercasing
        // and stemming (no apostrophe, no digit: contractions and numbers leave them be,
        // except `cannot`), done here without building tokens.
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_alphabetic()) {
            let lower = if s.lowercase {
                seg.to_ascii_lowercase()
            } else {
                seg.to_string()
            };
            if !(s.contractions && lower == "cannot") {
                return vec![self.word_part(seg.len(), lower)];
            }
        }
        let mut toks = self.context_free(seg);
        let flags: Vec<u8> = toks
            .iter()
            .map(|t| {
                let mut f = 0;
                if t.kind == TokenKind::Punct {
                    f |= PUNCT;
                }
                if NEGATORS.binary_search(&t.text.as_str()).is_ok() {
                    f |= NEGATOR;
                }
                if stopwords::ENGLISH.binary_search(&t.text.as_str()).is_ok() {
                    f |= STOP;
                }
                f
            })
            .collect();
        if let (Some(stemmer), Some(lang)) = (&self.stemmer, s.stem) {
            // Punctuation is never a word, so stemming it changes nothing.
            filters::stem(stemmer, lang as u8, &mut toks);
        }
        toks.into_iter()
            .zip(flags)
            .map(|(t, flags)| {
                let neg = format!("NEG_{}", t.text);
                let part = Part {
                    start: t.start as u32,
                    end: t.end as u32,
                    flags,
                    text: (0, 0),
                    hash: word_hash(t.text.as_bytes()),
                    neg_hash: word_hash(neg.as_bytes()),
                };
                (part, t.text)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::text::{AnalyzerSettings, Language};

    fn all_settings() -> Vec<AnalyzerSettings> {
        let mut out = vec![AnalyzerSettings::default()];
        for bits in 0..32u32 {
            out.push(AnalyzerSettings {
                lowercase: bits & 1 != 0,
                contractions: bits & 2 != 0,
                numbers: bits & 4 != 0,
                negation: bits & 8 != 0,
                stop_words: bits & 16 != 0,
                stem: if bits % 3 == 0 {
                    None
                } else {
                    Some(Language::English)
                },
            });
        }
        out
    }

    fn reference(a: &Analyzer, text: &str) -> Vec<(String, usize, usize)> {
        a.tokens(text)
            .iter()
            .map(|t| (t.term(), t.start, t.end))
            .collect()
    }

    /// The fast analysis's terms and spans; its hashes are checked against the terms, and
    /// the analysis without text (which takes plain words from the memo's slots) must give
    /// the same spans and hashes.
    fn fast(a: &Analyzer, text: &str, out: &mut Analyzed) -> Vec<(String, usize, usize)> {
        let mut bare = Analyzed::default();
        // Twice: the first run fills the memo, the second reads from it.
        for _ in 0..2 {
            a.analyze_into(text, out);
            a.analyze_hashes_into(text, &mut bare);
            let spans = |x: &Analyzed| -> Vec<(u64, usize, usize)> {
                x.words().iter().map(|w| (w.hash, w.start, w.end)).collect()
            };
            assert_eq!(spans(&bare), spans(out), "{text:?}");
        }
        out.words()
            .iter()
            .map(|w| {
                assert_eq!(w.hash, word_hash(out.term(w).as_bytes()));
                (out.term(w).to_string(), w.start, w.end)
            })
            .collect()
    }

    #[test]
    fn fast_analysis_equals_the_filter_pipeline_on_examples() {
        let texts = [
            "We won't back down; not now, not ever. They DON'T want war!",
            "Russia\u{2019}s army can't, cannot: 1,200 troops (3.5%) at 10:30 e.g. U.S.",
            "No talks without a ceasefire \u{2014} never again \u{1F600} \u{5730}\u{9707}",
            "  tabs\tand\r\nlines\nrock'n'roll __init__ a_b 12_34 x.y.z 1.2.3 'quoted'  ",
            "",
        ];
        let mut out = Analyzed::default();
        for s in all_settings() {
            let a = Analyzer::new(s.clone());
            for t in texts {
                assert_eq!(fast(&a, t, &mut out), reference(&a, t), "{s:?} {t:?}");
            }
        }
    }

    #[test]
    fn long_segments_are_analysed_but_not_memoised() {
        // Regression (fuzzing: out of memory): every distinct run of letters used to stay
        // in the memo, however long.
        let a = Analyzer::new(AnalyzerSettings::default());
        let mut out = Analyzed::default();
        let before = MEMOS.with(|m| m.borrow().iter().map(|m| m.held()).sum::<usize>());
        for i in 0..200 {
            let word = format!("{}{i}", "x".repeat(10_000));
            let text = format!("we {word} now");
            assert_eq!(fast(&a, &text, &mut out), reference(&a, &text));
        }
        let after = MEMOS.with(|m| m.borrow().iter().map(|m| m.held()).sum::<usize>());
        // "we" and "now" at most, not 200 runs of 10,000 letters.
        assert!(after - before < 100, "memo grew by {}", after - before);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn fast_analysis_equals_the_filter_pipeline(
            text in "([a-zA-Z0-9_:.',; \"!?-]|\u{2019}|é|Ж|\u{301}|\u{1F600}){0,60}",
            which in 0..33usize,
        ) {
            let s = all_settings()[which].clone();
            let a = Analyzer::new(s);
            let mut out = Analyzed::default();
            prop_assert_eq!(fast(&a, &text, &mut out), reference(&a, &text));
        }
    }
}
