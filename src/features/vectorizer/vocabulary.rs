//! The vocabulary: terms in column order and the open-addressing table that finds a
//! term's column from its hash.

use rayon::prelude::*;

use super::extract::term_hash;

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
    pub(super) fn with_hashes(
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
    pub(super) fn prefetch(&self, h: u64) {
        crate::util::prefetch(&self.table[h as usize & (self.table.len() - 1)]);
    }

    /// Column of the term whose [`term_hash`] is `h`.
    #[inline]
    pub fn get_hashed(&self, h: u64) -> Option<u32> {
        self.get_with_value(h).map(|(c, _)| c)
    }

    /// Column and kept value of the term whose [`term_hash`] is `h`.
    #[inline]
    pub(super) fn get_with_value(&self, h: u64) -> Option<(u32, f32)> {
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
    pub(super) fn set_values(&mut self, values: &[f32]) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
