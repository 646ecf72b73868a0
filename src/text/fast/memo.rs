//! The per-thread memo of segments: for each distinct word segment, what the context-free
//! analysis stages make of it ([`Part`]s), in an open-addressing table ([`Memo`]).

use std::cell::RefCell;

use super::super::AnalyzerSettings;

/// What the context-free stages make of one part of a segment.
#[derive(Debug, Clone, Copy)]
pub(super) struct Part {
    /// Span relative to the segment's start.
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) flags: u8,
    /// Final text (stemmed when stemming is on): a range of [`Memo::texts`].
    pub(super) text: (u32, u32),
    pub(super) hash: u64,
    pub(super) neg_hash: u64,
}

pub(super) const PUNCT: u8 = 1;
pub(super) const NEGATOR: u8 = 2;
pub(super) const STOP: u8 = 4;
/// In a [`Slot`]'s flags: the segment is one part spanning all of it (a plain word), whose
/// flags and hashes the slot holds.
pub(super) const WHOLE: u8 = 8;

/// One memo slot: a segment, identified by its 64-bit [`word_hash`](super::word_hash),
/// and its parts in [`Memo::parts`]. A segment that is one whole part (most are) also has
/// that part's flags and hashes here: its lookup then reads the slot's cache line alone,
/// which the analysis asks for ahead, and not a second, random one in the parts.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
pub(super) struct Slot {
    key: u64,
    pub(super) hash: u64,
    pub(super) neg_hash: u64,
    first: u32,
    /// Number of parts plus one; 0 marks an empty slot. Memoised segments are at most
    /// [`MAX_MEMO_SEGMENT`] bytes, so they have fewer parts than that.
    n: u16,
    /// With [`WHOLE`]: the part's flags.
    pub(super) flags: u8,
}

/// The memo of one analyzer's settings: an open-addressing table from segment hashes to
/// their parts.
///
/// Segments are matched by hash alone, like vocabulary terms (see
/// [`crate::features::Vocabulary`]): two segments share a hash with probability 2⁻⁶⁴.
pub(super) struct Memo {
    pub(super) settings: AnalyzerSettings,
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
pub(super) const MAX_MEMO_SEGMENT: usize = 48;
/// Settings remembered per thread (two models with different settings, say, alternate).
pub(super) const MAX_SETTINGS: usize = 4;

thread_local! {
    pub(super) static MEMOS: RefCell<Vec<Memo>> = const { RefCell::new(Vec::new()) };
}

impl Memo {
    pub(super) fn new(settings: AnalyzerSettings) -> Memo {
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
    pub(super) fn prefetch(&self, key: u64) {
        crate::util::prefetch(&self.slots[key as usize & (self.slots.len() - 1)]);
    }

    /// The slot of the segment with hash `key`, if known.
    #[inline]
    pub(super) fn get(&self, key: u64) -> Option<Slot> {
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

    /// The final text of a part.
    #[inline]
    pub(super) fn text(&self, p: &Part) -> &str {
        &self.texts[p.text.0 as usize..p.text.1 as usize]
    }

    /// Bytes of text and segments held: what grows as the memo fills.
    #[cfg(test)]
    pub(super) fn held(&self) -> usize {
        self.texts.len() + self.len
    }

    /// The parts a slot points to.
    #[inline]
    pub(super) fn parts_of(&self, s: Slot) -> &[Part] {
        &self.parts[s.first as usize..s.first as usize + s.n as usize - 1]
    }

    /// Remember the parts of a segment of `len` bytes (at most [`MAX_MEMO_SEGMENT`]);
    /// starts over when full. Returns its slot.
    pub(super) fn insert(&mut self, key: u64, len: usize, parts: Vec<(Part, String)>) -> Slot {
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
