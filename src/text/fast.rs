//! The same analysis as [`Analyzer::tokens`], without an allocation per token.
//!
//! Every stage but negation and stop-word removal looks at one word segment alone, and word
//! frequencies are Zipfian: a per-thread memo keeps, for each distinct segment, what those
//! stages make of it (its parts after contractions, their stemmed text, kinds and feature
//! hashes). A text is then its segments looked up in the memo plus one pass for negation
//! and stop words. The memo is filled by running the filters of [`super::filters`] on the
//! segment, so the result is the reference pipeline's by construction (segments are told
//! apart by a 64-bit hash; see [`Memo`]); a property test checks it on random text.

use std::cell::RefCell;

use unicode_segmentation::UnicodeSegmentation;

use super::{filters, stopwords, Analyzer, AnalyzerSettings, TokenKind};

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

/// Hash of one word of a feature term. Terms are hashed word by word (see
/// [`crate::features::term_hash`]), so this is computed once per distinct word.
///
/// Terms are identified by this hash alone, so every input bit must reach every output
/// bit: each 8-byte chunk goes through a 64×64→128-bit multiply whose halves are folded
/// together. (A multiply-rotate hash like FxHash is not enough: `NEG_stifl` and
/// `NEG_sting` collide under it, since a change in a chunk's top byte only reaches the
/// top bits, which the next chunk's low byte can cancel.)
#[inline]
pub fn word_hash(word: &[u8]) -> u64 {
    let mut h = fold_mul(WORD_SEED ^ word.len() as u64, K1);
    let mut chunks = word.chunks_exact(8);
    for c in &mut chunks {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        h = fold_mul(h ^ u64::from_le_bytes(b), K2);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        h = fold_mul(h ^ tail_le(rest), K3);
    }
    h
}

/// The 1 to 7 bytes of `rest` as a little-endian integer, zero-padded: what copying them
/// into a zeroed `[u8; 8]` gives, with two overlapping loads instead of a `memcpy` call
/// (most words end in such a tail, so this is on every lookup's path).
#[inline(always)]
fn tail_le(rest: &[u8]) -> u64 {
    let n = rest.len();
    if n >= 4 {
        let lo = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as u64;
        let hi = u32::from_le_bytes([rest[n - 4], rest[n - 3], rest[n - 2], rest[n - 1]]) as u64;
        // The bytes both loads cover are equal, so or-ing the shifted high load is exact.
        lo | hi << (8 * (n - 4))
    } else {
        let (a, b, c) = (rest[0] as u64, rest[n / 2] as u64, rest[n - 1] as u64);
        a | b << (8 * (n / 2)) | c << (8 * (n - 1))
    }
}

const WORD_SEED: u64 = 0x243f_6a88_85a3_08d3;
const K1: u64 = 0x9e37_79b9_7f4a_7c15;
const K2: u64 = 0xbf58_476d_1ce4_e5b9;
const K3: u64 = 0x94d0_49bb_1331_11eb;

/// The 128-bit product of `a` and `b`, its two halves xor-ed: every bit of `a` reaches
/// every bit of the result.
#[inline(always)]
pub(crate) fn fold_mul(a: u64, b: u64) -> u64 {
    let p = a as u128 * b as u128;
    (p as u64) ^ ((p >> 64) as u64)
}

/// What the context-free stages make of one part of a segment.
#[derive(Debug, Clone, Copy)]
struct Part {
    /// Span relative to the segment's start.
    start: u32,
    end: u32,
    flags: u8,
    /// Final text (stemmed when stemming is on): a range of [`Memo::texts`].
    text: (u32, u32),
    hash: u64,
    neg_hash: u64,
}

const PUNCT: u8 = 1;
const NEGATOR: u8 = 2;
const STOP: u8 = 4;
/// In a [`Slot`]'s flags: the segment is one part spanning all of it (a plain word), whose
/// flags and hashes the slot holds.
const WHOLE: u8 = 8;

/// One memo slot: a segment, identified by its 64-bit [`word_hash`], and its parts in
/// [`Memo::parts`]. A segment that is one whole part (most are) also has that part's
/// flags and hashes here: its lookup then reads the slot's cache line alone, which the
/// analysis asks for ahead, and not a second, random one in the parts.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct Slot {
    key: u64,
    hash: u64,
    neg_hash: u64,
    first: u32,
    /// Number of parts plus one; 0 marks an empty slot. Memoised segments are at most
    /// [`MAX_MEMO_SEGMENT`] bytes, so they have fewer parts than that.
    n: u16,
    /// With [`WHOLE`]: the part's flags.
    flags: u8,
}

/// The memo of one analyzer's settings: an open-addressing table from segment hashes to
/// their parts.
///
/// Segments are matched by hash alone, like vocabulary terms (see
/// [`crate::features::Vocabulary`]): two segments share a hash with probability 2⁻⁶⁴.
struct Memo {
    settings: AnalyzerSettings,
    slots: Vec<Slot>,
    len: usize,
    parts: Vec<Part>,
    texts: String,
}

/// Distinct segments kept per settings before the memo starts over.
const MAX_MEMO: usize = 1 << 17;
/// Longest segment memoised, in bytes. Words are short; a longer segment (a run of
/// letters in a scraped page) is analysed afresh each time, so that the memo's memory
/// stays bounded (at most `MAX_MEMO · MAX_MEMO_SEGMENT` bytes of text) whatever the input.
const MAX_MEMO_SEGMENT: usize = 48;
/// Settings remembered per thread (two models with different settings, say, alternate).
const MAX_SETTINGS: usize = 4;

thread_local! {
    static MEMOS: RefCell<Vec<Memo>> = const { RefCell::new(Vec::new()) };
}

const NEGATORS: &[&str] = filters::NEGATORS;

impl Memo {
    fn new(settings: AnalyzerSettings) -> Memo {
        Memo::with_slots(settings, 1 << 12)
    }

    fn with_slots(settings: AnalyzerSettings, n: usize) -> Memo {
        Memo {
            settings,
            slots: vec![Slot::default(); n],
            len: 0,
            parts: Vec::new(),
            texts: String::new(),
        }
    }

    fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = Slot::default());
        self.len = 0;
        self.parts.clear();
        self.texts.clear();
    }

    #[inline]
    fn prefetch(&self, key: u64) {
        crate::util::prefetch(&self.slots[key as usize & (self.slots.len() - 1)]);
    }

    /// The slot of the segment with hash `key`, if known.
    #[inline]
    fn get(&self, key: u64) -> Option<Slot> {
        let mask = self.slots.len() - 1;
        let mut i = key as usize & mask;
        loop {
            let s = self.slots[i];
            if s.n == 0 {
                return None;
            }
            if s.key == key {
                return Some(s);
            }
            i = (i + 1) & mask;
        }
    }

    /// The parts a slot points to.
    #[inline]
    fn parts_of(&self, s: Slot) -> &[Part] {
        &self.parts[s.first as usize..s.first as usize + s.n as usize - 1]
    }

    /// Remember the parts of a segment of `len` bytes (at most [`MAX_MEMO_SEGMENT`]);
    /// starts over when full. Returns its slot.
    fn insert(&mut self, key: u64, len: usize, parts: Vec<(Part, String)>) -> Slot {
        if self.len >= MAX_MEMO {
            self.clear();
        }
        if 2 * (self.len + 1) > self.slots.len() {
            let bigger = vec![Slot::default(); 2 * self.slots.len()];
            let old = std::mem::replace(&mut self.slots, bigger);
            for s in old.into_iter().filter(|s| s.n != 0) {
                self.place(s);
            }
        }
        let mut slot = Slot {
            key,
            first: self.parts.len() as u32,
            n: parts.len() as u16 + 1,
            ..Slot::default()
        };
        if let [(p, _)] = parts.as_slice() {
            if p.start == 0 && p.end as usize == len {
                slot.hash = p.hash;
                slot.neg_hash = p.neg_hash;
                slot.flags = p.flags | WHOLE;
            }
        }
        for (mut p, text) in parts {
            let from = self.texts.len() as u32;
            self.texts.push_str(&text);
            p.text = (from, self.texts.len() as u32);
            self.parts.push(p);
        }
        self.place(slot);
        self.len += 1;
        slot
    }

    fn place(&mut self, s: Slot) {
        let mask = self.slots.len() - 1;
        let mut i = s.key as usize & mask;
        while self.slots[i].n != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = s;
    }
}

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
                    let term = &memo.texts[p.text.0 as usize..p.text.1 as usize];
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

/// UAX-29 word boundaries for ASCII text, as `split_word_bound_indices` gives them, without
/// its table lookups. For ASCII the rules reduce to: letters and digits join each other and
/// `_`; a letter, `'`, `.` or `:` and a letter stay one word (`don't`, `e.g`); a digit, `,`
/// `.` `;` or `'` and a digit stay one number (`1,200`); runs of spaces are one segment;
/// CR LF is one segment; anything else stands alone. A property test compares it with the
/// general implementation.
pub struct AsciiWords<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> AsciiWords<'a> {
    /// Segments of an ASCII `text`.
    pub fn new(text: &'a str) -> Self {
        debug_assert!(text.is_ascii());
        AsciiWords { text, pos: 0 }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    /// `_` (ExtendNumLet).
    Under,
    /// `:` (MidLetter).
    MidLetter,
    /// `.` and `'` (MidNumLet and Single_Quote).
    MidNumLet,
    /// `,` and `;` (MidNum).
    MidNum,
    Space,
    Other,
}

const fn class_of(b: u8) -> Class {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Under,
        b':' => Class::MidLetter,
        b'.' | b'\'' => Class::MidNumLet,
        b',' | b';' => Class::MidNum,
        b' ' => Class::Space,
        _ => Class::Other,
    }
}

/// [`class_of`] for every byte: one load instead of a chain of comparisons.
static CLASSES: [Class; 256] = {
    let mut t = [Class::Other; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = class_of(i as u8);
        i += 1;
    }
    t
};

#[inline(always)]
fn class(b: u8) -> Class {
    CLASSES[b as usize]
}

impl<'a> Iterator for AsciiWords<'a> {
    type Item = (usize, &'a str);

    #[inline]
    fn next(&mut self) -> Option<(usize, &'a str)> {
        let b = self.text.as_bytes();
        let start = self.pos;
        if start >= b.len() {
            return None;
        }
        let first = class(b[start]);
        let mut i = start + 1;
        match first {
            Class::Space => {
                while i < b.len() && b[i] == b' ' {
                    i += 1;
                }
            }
            Class::Letter | Class::Digit | Class::Under => {
                // `prev` is the class of the last character in the segment.
                let mut prev = first;
                while i < b.len() {
                    let c = class(b[i]);
                    match c {
                        Class::Letter | Class::Digit | Class::Under => {
                            prev = c;
                            i += 1;
                        }
                        Class::MidLetter | Class::MidNumLet | Class::MidNum => {
                            let next = b.get(i + 1).map(|&x| class(x));
                            let joins = matches!(
                                (prev, c, next),
                                (
                                    Class::Letter,
                                    Class::MidLetter | Class::MidNumLet,
                                    Some(Class::Letter)
                                ) | (
                                    Class::Digit,
                                    Class::MidNum | Class::MidNumLet,
                                    Some(Class::Digit)
                                )
                            );
                            if !joins {
                                break;
                            }
                            prev = next.unwrap_or(c);
                            i += 2;
                        }
                        _ => break,
                    }
                }
            }
            Class::Other if b[start] == b'\r' && b.get(start + 1) == Some(&b'\n') => i += 1,
            _ => {}
        }
        self.pos = i;
        Some((start, &self.text[start..i]))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::text::Language;

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
    fn word_hash_tails_equal_zero_padded_chunks() {
        let bytes = b"abcdefghijklmno";
        for n in 1..8 {
            let mut b = [0u8; 8];
            b[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(
                tail_le(&bytes[..n]),
                u64::from_le_bytes(b),
                "tail of {n} bytes"
            );
        }
    }

    #[test]
    fn long_segments_are_analysed_but_not_memoised() {
        // Regression (fuzzing: out of memory): every distinct run of letters used to stay
        // in the memo, however long.
        let a = Analyzer::new(AnalyzerSettings::default());
        let mut out = Analyzed::default();
        let before = MEMOS.with(|m| {
            m.borrow()
                .iter()
                .map(|m| m.texts.len() + m.len)
                .sum::<usize>()
        });
        for i in 0..200 {
            let word = format!("{}{i}", "x".repeat(10_000));
            let text = format!("we {word} now");
            assert_eq!(fast(&a, &text, &mut out), reference(&a, &text));
        }
        let after = MEMOS.with(|m| {
            m.borrow()
                .iter()
                .map(|m| m.texts.len() + m.len)
                .sum::<usize>()
        });
        // "we" and "now" at most, not 200 runs of 10,000 letters.
        assert!(after - before < 100, "memo grew by {}", after - before);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn ascii_words_equal_unicode_segmentation(text in "[a-zA-Z0-9_:.',; \t\r\n\"!?()-]{0,40}") {
            let ours: Vec<(usize, &str)> = AsciiWords::new(&text).collect();
            let theirs: Vec<(usize, &str)> = text.split_word_bound_indices().collect();
            prop_assert_eq!(ours, theirs);
        }

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
