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
/// never looked up. The table is built when a vocabulary is fitted or made from terms, and
/// a model file stores it with the terms' hashes, so that loading places nothing again.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    blob: String,
    offsets: Vec<usize>,
    table: Vec<Slot>,
    /// Terms in no slot, since an earlier term has their hash: column and hash.
    repeats: Vec<(u32, u64)>,
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

/// Slots in the table of `n` terms: the power of two at or above `2n` (and at least 2), so
/// that at most half of them are taken and every probe ends at an empty one.
fn table_size(n: usize) -> usize {
    (2 * n).max(2).next_power_of_two()
}

/// A stored term's distance from its home slot when it is in no slot: an earlier term has
/// its hash (see [`Vocabulary::distinct`]).
const REPEAT: u16 = u16::MAX;
const _: () = assert!(MAX_PROBE < REPEAT as usize);

/// How many terms ahead [`StoredTable::read`] asks for a slot.
const PREFETCH: usize = 16;

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
        let size = table_size(hashes.len());
        let mask = size - 1;
        let mut table = vec![Slot::default(); size];
        let mut repeats = Vec::new();
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
                    repeats.push((i as u32, h));
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
            repeats,
        })
    }

    /// From the terms (as for [`Vocabulary::from_blob`]) and a lookup table read from a
    /// model file ([`StoredTable::read`]) whose `hash(column)` gave each term's hash.
    /// Checks that the table is for as many terms, that a repeat has the hash of an
    /// earlier term in a slot, and that the hashes of about 65 terms spread over the
    /// vocabulary are made again from their text, so that a file written under another term
    /// hash is refused. (A file could still pair a term with the hash of another text, and put it
    /// where lookups of that hash find it: that gives the term's weights to the other
    /// text, as editing the weights would. The checksum rules it out for a corrupted file.)
    pub(crate) fn with_table(
        blob: String,
        offsets: Vec<usize>,
        table: StoredTable,
        hash: impl Fn(usize) -> u64,
    ) -> std::result::Result<Self, String> {
        let n = offsets.len().saturating_sub(1);
        if table.terms != n {
            return Err(format!("a table of {} terms for {n} terms", table.terms));
        }
        let vocab = Vocabulary {
            blob,
            offsets,
            table: table.slots,
            repeats: table.repeats,
        };
        for &(i, h) in &vocab.repeats {
            if vocab.get_hashed(h).is_none_or(|first| first >= i) {
                return Err(format!(
                    "term {i} is stored as a repeat, but no earlier term has its hash"
                ));
            }
        }
        let step = (n / 64).max(1);
        if let Some(i) = (0..n)
            .step_by(step)
            .chain(n.checked_sub(1))
            .find(|&i| term_hash(vocab.term(i)) != hash(i))
        {
            return Err(format!(
                "the hash stored for term {i} is not its text's: the file was written \
                 with another term hash"
            ));
        }
        Ok(vocab)
    }

    /// The table as a model file stores it: the slot count, and each term's
    /// [`term_hash`] and distance from its hash's home slot to its slot ([`REPEAT`] for a
    /// term in no slot), in column order.
    pub(crate) fn stored(&self) -> (usize, Vec<u64>, Vec<u16>) {
        let mask = self.table.len() - 1;
        let mut hashes = vec![0; self.len()];
        let mut distances = vec![REPEAT; self.len()];
        for (i, s) in self.table.iter().enumerate().filter(|(_, s)| s.column != 0) {
            let c = s.column as usize - 1;
            hashes[c] = s.hash;
            // At most MAX_PROBE, which a u16 holds.
            distances[c] = (i.wrapping_sub(s.hash as usize) & mask) as u16;
        }
        for &(c, h) in &self.repeats {
            hashes[c as usize] = h;
        }
        (self.table.len(), hashes, distances)
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
        self.len() - self.repeats.len()
    }

    /// Whether no term was kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A vocabulary's lookup table as a model file stores it, put together before the terms it
/// indexes are read ([`Vocabulary::with_table`] joins the two).
#[derive(Debug)]
pub(crate) struct StoredTable {
    terms: usize,
    slots: Vec<Slot>,
    repeats: Vec<(u32, u64)>,
}

impl StoredTable {
    /// The table of `n` terms from its slot count, each term's hash (`hash(column)`),
    /// each term's distance from its hash's home slot to its slot (`distance(column)`, or
    /// [`REPEAT`] for a term in no slot) and the value to keep beside each term (see
    /// [`Vocabulary::set_values`]). Nothing is hashed or probed for again: each term is put
    /// straight into its slot.
    ///
    /// What is read is checked so that every lookup stays in the table, ends, and finds
    /// each term: the table has [`table_size`] slots; no term is further than
    /// [`MAX_PROBE`] slots from its home slot, nor in a slot another term has; and from its
    /// home slot to its slot no slot is empty, as lookups walk.
    pub(crate) fn read(
        n: usize,
        size: usize,
        hash: impl Fn(usize) -> u64,
        distance: impl Fn(usize) -> u16,
        value: impl Fn(usize) -> f32,
    ) -> std::result::Result<StoredTable, String> {
        if size != table_size(n) {
            return Err(format!(
                "a table of {size} slots; {n} terms have {}",
                table_size(n)
            ));
        }
        let mask = size - 1;
        let mut slots = vec![Slot::default(); size];
        // Which slots are taken, a bit each: 64 KB for a million slots, so the checks
        // below read the cache and the large table is only written.
        let mut taken = vec![0u64; size.div_ceil(64)];
        let is_taken = |taken: &[u64], s: usize| taken[s / 64] >> (s % 64) & 1 == 1;
        let mut repeats = Vec::new();
        // Slots are far apart in a large table: each is asked for a few terms ahead, so
        // that the memory system fetches several at once.
        let ahead = |i: usize| (hash(i) as usize).wrapping_add(distance(i) as usize) & mask;
        for i in 0..n {
            if i + PREFETCH < n {
                crate::util::prefetch(&slots[ahead(i + PREFETCH)]);
            }
            let h = hash(i);
            let d = distance(i);
            if d == REPEAT {
                repeats.push((i as u32, h));
                continue;
            }
            if d as usize > MAX_PROBE {
                return Err(format!(
                    "term {i} is {d} slots from its home slot; at most {MAX_PROBE} are probed"
                ));
            }
            let s = (h as usize).wrapping_add(d as usize) & mask;
            if is_taken(&taken, s) {
                let other = slots[s].column - 1;
                return Err(format!("terms {other} and {i} are in one slot"));
            }
            taken[s / 64] |= 1 << (s % 64);
            slots[s] = Slot {
                hash: h,
                column: i as u32 + 1,
                value: value(i),
            };
        }
        // A lookup walks from the home slot through taken slots: no slot between a term's
        // home slot and its slot may be empty. Distances are a slot or two on average.
        for i in 0..n {
            let d = distance(i);
            if d == REPEAT {
                continue;
            }
            let home = hash(i) as usize & mask;
            if (0..d as usize).any(|j| !is_taken(&taken, (home + j) & mask)) {
                return Err(format!("term {i} is past an empty slot from its home slot"));
            }
        }
        Ok(StoredTable {
            terms: n,
            slots,
            repeats,
        })
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

    /// A vocabulary made again from its stored hashes and table, as a model file keeps
    /// them.
    fn reloaded(v: &Vocabulary, values: &[f32]) -> Result<Vocabulary, String> {
        let (size, hashes, distances) = v.stored();
        let table = StoredTable::read(
            v.len(),
            size,
            |i| hashes[i],
            |i| distances[i],
            |i| values[i],
        )?;
        Vocabulary::with_table(v.blob.clone(), v.offsets.clone(), table, |i| hashes[i])
    }

    #[test]
    fn a_stored_table_loads_to_the_same_lookups_and_repeats() {
        let terms: Vec<String> = (0..3000).map(|i| format!("t{}", i % 2900)).collect();
        let v = Vocabulary::new(terms.clone()).unwrap();
        assert_eq!(v.distinct(), 2900);
        let values: Vec<f32> = (0..terms.len()).map(|i| i as f32).collect();
        let w = reloaded(&v, &values).unwrap();
        assert_eq!(w, v);
        assert_eq!(w.distinct(), 2900);
        assert_eq!(w.stored(), v.stored());
        assert_eq!(v.stored().2.iter().filter(|&&d| d == REPEAT).count(), 100);
        for t in terms.iter().chain([&"t3000".to_string()]) {
            assert_eq!(w.get(t), v.get(t), "{t}");
            if let Some(c) = w.get(t) {
                assert_eq!(w.get_with_value(term_hash(t)), Some((c, c as f32)));
            }
        }
        let empty = Vocabulary::new(vec![]).unwrap();
        assert_eq!(reloaded(&empty, &[]).unwrap().get("x"), None);
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
