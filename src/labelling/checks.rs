//! Checks for labelled datasets: balance, near-duplicates, empty or over-long texts, and
//! rows shared between splits.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use crate::input::labelled::Table;
use crate::util::FastMap;

/// Distinct lowercased word trigrams of a text, sorted (a text of fewer than three words is
/// one "gram").
fn trigram_strings(text: &str) -> Vec<String> {
    let words: Vec<String> = text.unicode_words().map(|w| w.to_lowercase()).collect();
    let mut grams: Vec<String> = if words.len() >= 3 {
        words.windows(3).map(|w| w.join(" ")).collect()
    } else {
        vec![words.join(" ")]
    };
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// Lowercased word-trigram ids of a text (a text of fewer than three words is one "gram"),
/// sorted by id as [`sorted_intersection`] needs (ids of grams seen before are not in the
/// order of the strings).
fn trigrams(text: &str, ids: &mut FastMap<String, u32>) -> Vec<u32> {
    let mut set: Vec<u32> = trigram_strings(text)
        .into_iter()
        .map(|g| {
            let n = ids.len() as u32;
            *ids.entry(g).or_insert(n)
        })
        .collect();
    set.sort_unstable();
    set
}

/// Pairs `(i, j, jaccard)` with `i < j` whose word-trigram Jaccard similarity is at least
/// `threshold` (in (0, 1]).
///
/// Exact, without comparing every pair: trigrams are ordered rarest first, and two sets with
/// Jaccard ≥ t must share a trigram within the first `|A| − ⌈t·|A|⌉ + 1` of each (prefix
/// filtering), so only those prefixes go into the inverted index.
pub fn near_duplicates(texts: &[impl AsRef<str>], threshold: f64) -> Vec<(usize, usize, f64)> {
    near_duplicates_up_to(texts, threshold, usize::MAX).0
}

/// Most near-duplicate pairs `data check` lists. A file of n copies of one row holds
/// n·(n−1)/2 pairs (20,000 copies: 200 million, gigabytes to list), so it stops here.
pub const MAX_DUPLICATE_PAIRS: usize = 10_000;

/// Like [`near_duplicates`], stopping once `max` pairs are found (the work stops too);
/// the flag says whether it stopped early.
pub fn near_duplicates_up_to(
    texts: &[impl AsRef<str>],
    threshold: f64,
    max: usize,
) -> (Vec<(usize, usize, f64)>, bool) {
    let mut ids = FastMap::default();
    let sets: Vec<Vec<u32>> = texts
        .iter()
        .map(|t| trigrams(t.as_ref(), &mut ids))
        .collect();
    let mut df = vec![0u32; ids.len()];
    for s in &sets {
        for &g in s {
            df[g as usize] += 1;
        }
    }
    let ordered: Vec<Vec<u32>> = sets
        .iter()
        .map(|s| {
            let mut o = s.clone();
            o.sort_unstable_by_key(|&g| (df[g as usize], g));
            o
        })
        .collect();
    let mut index: HashMap<u32, Vec<usize>> = HashMap::new();
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    let mut seen: HashSet<usize> = HashSet::new();
    for (i, o) in ordered.iter().enumerate() {
        if o.is_empty() {
            continue;
        }
        let prefix = o.len() - (threshold * o.len() as f64).ceil() as usize + 1;
        seen.clear();
        for g in &o[..prefix.min(o.len())] {
            if let Some(list) = index.get(g) {
                for &j in list {
                    if seen.insert(j) {
                        let inter = sorted_intersection(&sets[i], &sets[j]);
                        let union = sets[i].len() + sets[j].len() - inter;
                        let jac = inter as f64 / union as f64;
                        if jac >= threshold {
                            if pairs.len() == max {
                                pairs.sort_by_key(|p| (p.0, p.1));
                                return (pairs, true);
                            }
                            pairs.push((j, i, jac));
                        }
                    }
                }
            }
        }
        for &g in &o[..prefix.min(o.len())] {
            index.entry(g).or_default().push(i);
        }
    }
    pairs.sort_by_key(|p| (p.0, p.1));
    (pairs, false)
}

/// A growing set of texts that answers "is this text a near-duplicate of one already in?"
/// by word-trigram Jaccard similarity, the measure of [`near_duplicates`]. Texts sharing no
/// trigram are never compared (an inverted index), so a query costs the postings of its own
/// trigrams, not a pass over every text.
#[derive(Debug, Clone, Default)]
pub struct TrigramIndex {
    ids: FastMap<String, u32>,
    sets: Vec<Vec<u32>>,
    postings: Vec<Vec<u32>>,
}

impl TrigramIndex {
    /// An empty index.
    pub fn new() -> Self {
        TrigramIndex::default()
    }

    /// Texts added so far.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether no text was added.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// Add a text.
    pub fn insert(&mut self, text: &str) {
        let set = trigrams(text, &mut self.ids);
        let row = self.sets.len() as u32;
        self.postings.resize(self.ids.len(), Vec::new());
        for &g in &set {
            self.postings[g as usize].push(row);
        }
        self.sets.push(set);
    }

    /// The highest word-trigram Jaccard similarity between `text` and any text added, or 0.
    pub fn max_jaccard(&self, text: &str) -> f64 {
        let grams = trigram_strings(text);
        let mut known: Vec<u32> = grams
            .iter()
            .filter_map(|g| self.ids.get(g).copied())
            .collect();
        known.sort_unstable();
        let mut best = 0.0f64;
        let mut seen = std::collections::HashSet::new();
        for &g in &known {
            for &j in &self.postings[g as usize] {
                if seen.insert(j) {
                    let other = &self.sets[j as usize];
                    let inter = sorted_intersection(&known, other);
                    let union = grams.len() + other.len() - inter;
                    best = best.max(inter as f64 / union as f64);
                }
            }
        }
        best
    }
}

fn sorted_intersection(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// A text as compared for identity: lowercased Unicode words joined by single spaces, so
/// case, punctuation and spacing do not make two texts different.
pub fn normalized_text(s: &str) -> String {
    s.unicode_words()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What to check.
#[derive(Debug, Clone)]
pub struct CheckRules {
    /// Texts longer than this many words are a failure.
    pub max_words: usize,
    /// Near-duplicate threshold on word-trigram Jaccard similarity.
    pub jaccard: f64,
    /// Every label of every label column must have at least this share of rows (0 = off).
    pub min_label_share: f64,
}

/// A near-duplicate pair, by 1-based line.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicatePair {
    /// Line of the first row.
    pub line_a: u64,
    /// Line of the second row.
    pub line_b: u64,
    /// Their word-trigram Jaccard similarity.
    pub jaccard: f64,
}

/// Figures and failures of one dataset.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Data rows.
    pub rows: usize,
    /// Per label column: label → rows.
    pub labels: BTreeMap<String, BTreeMap<String, usize>>,
    /// Per extra column (domain, speaker type, split): value → rows.
    pub columns: BTreeMap<String, BTreeMap<String, usize>>,
    /// Words per text: min, median, max.
    pub words: (usize, usize, usize),
    /// Near-duplicate pairs.
    pub near_duplicates: Vec<DuplicatePair>,
    /// Whether the search stopped at [`MAX_DUPLICATE_PAIRS`] (there are more).
    pub near_duplicates_truncated: bool,
    /// Lines with an empty text.
    pub empty: Vec<u64>,
    /// Lines with a text over the word limit.
    pub too_long: Vec<u64>,
    /// Lines with an empty label.
    pub empty_labels: Vec<u64>,
    /// Lines whose text (normalised) appears in more than one split.
    pub shared_between_splits: Vec<u64>,
    /// Labels below the minimum share: "column=label (share)".
    pub underrepresented: Vec<String>,
    /// Label columns with fewer than two labels, from which no classifier can learn:
    /// "column (its one label)".
    pub single_label: Vec<String>,
}

impl CheckReport {
    /// Whether every rule holds.
    pub fn passed(&self) -> bool {
        self.near_duplicates.is_empty()
            && self.empty.is_empty()
            && self.too_long.is_empty()
            && self.empty_labels.is_empty()
            && self.shared_between_splits.is_empty()
            && self.underrepresented.is_empty()
            && self.single_label.is_empty()
    }
}

fn field(row: &[String], i: usize) -> &str {
    row.get(i).map(|s| s.trim()).unwrap_or("")
}

/// Check a table. `text` is the text column, `labels` the label columns, `split` the split
/// column if any, `extra` further columns to count (e.g. domain).
pub fn check(
    t: &Table,
    text: usize,
    labels: &[usize],
    split: Option<usize>,
    extra: &[usize],
    rules: &CheckRules,
) -> CheckReport {
    let texts: Vec<&str> = t.rows.iter().map(|(_, r)| field(r, text)).collect();
    let mut report = CheckReport {
        rows: t.rows.len(),
        labels: BTreeMap::new(),
        columns: BTreeMap::new(),
        words: (0, 0, 0),
        near_duplicates: vec![],
        near_duplicates_truncated: false,
        empty: vec![],
        too_long: vec![],
        empty_labels: vec![],
        shared_between_splits: vec![],
        underrepresented: vec![],
        single_label: vec![],
    };
    let mut lens = Vec::with_capacity(texts.len());
    for ((line, _), tx) in t.rows.iter().zip(&texts) {
        let n = tx.unicode_words().count();
        lens.push(n);
        if tx.is_empty() {
            report.empty.push(*line);
        } else if n > rules.max_words {
            report.too_long.push(*line);
        }
    }
    let mut sorted = lens.clone();
    sorted.sort_unstable();
    if !sorted.is_empty() {
        report.words = (
            sorted[0],
            sorted[sorted.len() / 2],
            sorted[sorted.len() - 1],
        );
    }
    for &c in labels {
        let mut counts = BTreeMap::new();
        for (line, r) in &t.rows {
            let v = field(r, c);
            if v.is_empty() {
                report.empty_labels.push(*line);
            } else {
                *counts.entry(v.to_string()).or_insert(0) += 1;
            }
        }
        if rules.min_label_share > 0.0 {
            for (l, &n) in &counts {
                let share = n as f64 / t.rows.len().max(1) as f64;
                if share < rules.min_label_share {
                    report.underrepresented.push(format!(
                        "{}={} ({:.1}%)",
                        t.headers[c],
                        l,
                        share * 100.0
                    ));
                }
            }
        }
        if counts.len() < 2 {
            let only: Vec<&str> = counts.keys().map(String::as_str).collect();
            report
                .single_label
                .push(format!("{} ({})", t.headers[c], only.join("")));
        }
        report.labels.insert(t.headers[c].clone(), counts);
    }
    report.empty_labels.sort_unstable();
    report.empty_labels.dedup();
    for &c in extra.iter().chain(split.iter()) {
        let mut counts = BTreeMap::new();
        for (_, r) in &t.rows {
            *counts.entry(field(r, c).to_string()).or_insert(0) += 1;
        }
        report.columns.insert(t.headers[c].clone(), counts);
    }
    if let Some(sc) = split {
        let norm = normalized_text;
        let mut splits: HashMap<String, HashSet<&str>> = HashMap::new();
        for (i, (_, r)) in t.rows.iter().enumerate() {
            splits
                .entry(norm(texts[i]))
                .or_default()
                .insert(field(r, sc));
        }
        for (i, (line, _)) in t.rows.iter().enumerate() {
            if splits.get(&norm(texts[i])).is_some_and(|s| s.len() > 1) {
                report.shared_between_splits.push(*line);
            }
        }
    }
    let (pairs, truncated) = near_duplicates_up_to(&texts, rules.jaccard, MAX_DUPLICATE_PAIRS);
    report.near_duplicates_truncated = truncated;
    report.near_duplicates = pairs
        .into_iter()
        .filter(|&(i, j, _)| !texts[i].is_empty() && !texts[j].is_empty())
        .map(|(i, j, jac)| DuplicatePair {
            line_a: t.rows[i].0,
            line_b: t.rows[j].0,
            jaccard: jac,
        })
        .collect();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(texts: &[&str], t: f64) -> Vec<(usize, usize)> {
        let mut out = vec![];
        for i in 0..texts.len() {
            for j in i + 1..texts.len() {
                if jaccard_by_strings(texts[i], texts[j]) >= t {
                    out.push((i, j));
                }
            }
        }
        out
    }

    #[test]
    fn near_duplicates_match_brute_force() {
        let texts = [
            "we will respond with force if they cross the line",
            "we will respond with force if they cross the border",
            "the talks resume on monday in geneva",
            "talks resume on monday in geneva say officials",
            "completely different words here today",
            "we will respond",
            "We will respond!",
        ];
        for t in [0.3, 0.5, 0.7] {
            let got: Vec<(usize, usize)> = near_duplicates(&texts, t)
                .iter()
                .map(|p| (p.0, p.1))
                .collect();
            assert_eq!(got, brute(&texts, t), "threshold {t}");
        }
    }

    /// Jaccard from string sets, independent of the id machinery.
    fn jaccard_by_strings(a: &str, b: &str) -> f64 {
        let a: HashSet<String> = trigram_strings(a).into_iter().collect();
        let b: HashSet<String> = trigram_strings(b).into_iter().collect();
        a.intersection(&b).count() as f64 / a.union(&b).count() as f64
    }

    #[test]
    fn shared_trigrams_count_when_ids_were_assigned_by_an_earlier_text() {
        // The second text's grams sort as strings before the one it shares with the first,
        // so their ids are out of order; unsorted ids once hid the shared gram.
        let texts = ["x y z w", "a b c q y z w"];
        let want = jaccard_by_strings(texts[0], texts[1]);
        assert!((want - 1.0 / 6.0).abs() < 1e-12);
        let got = near_duplicates(&texts, 0.1);
        assert_eq!(got.len(), 1);
        assert!((got[0].2 - want).abs() < 1e-12);
    }

    #[test]
    fn trigram_index_finds_the_most_similar_text() {
        let mut idx = TrigramIndex::new();
        assert_eq!(idx.max_jaccard("anything at all here"), 0.0);
        idx.insert("we will respond with force if they cross the line");
        idx.insert("the talks resume on monday in geneva");
        // 7 of 8 trigrams shared with the first text, 9 distinct in all.
        let j = idx.max_jaccard("we will respond with force if they cross the border");
        assert!((j - 7.0 / 9.0).abs() < 1e-12, "{j}");
        assert_eq!(
            idx.max_jaccard("The talks resume on Monday in Geneva!"),
            1.0
        );
        assert_eq!(idx.max_jaccard("completely different words here"), 0.0);
        assert_eq!(idx.len(), 2);
    }

    proptest::proptest! {
        #[test]
        fn prefix_filter_equals_brute_force(
            texts in proptest::collection::vec("(a|b|c|d) (a|b|c|d) (a|b|c|d)( (a|b|c|d)){0,4}", 1..30),
            t in 0.2f64..1.0,
        ) {
            let refs: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
            let got: Vec<(usize, usize)> = near_duplicates(&refs, t).iter().map(|p| (p.0, p.1)).collect();
            proptest::prop_assert_eq!(got, brute(&refs, t));
        }

        #[test]
        fn trigram_index_agrees_with_pairwise_jaccard(
            texts in proptest::collection::vec("(a|b|c|d) (a|b|c|d) (a|b|c|d)( (a|b|c|d)){0,4}", 2..20),
        ) {
            let refs: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
            let (query, rest) = refs.split_last().unwrap();
            let mut idx = TrigramIndex::new();
            for t in rest {
                idx.insert(t);
            }
            let want = rest
                .iter()
                .map(|t| jaccard_by_strings(query, t))
                .fold(0.0, f64::max);
            proptest::prop_assert!((idx.max_jaccard(query) - want).abs() < 1e-12);
        }
    }

    #[test]
    fn thousands_of_identical_rows_stop_at_the_pair_limit() {
        let texts = vec!["we will respond with force if they cross the line"; 5000];
        let (pairs, truncated) = near_duplicates_up_to(&texts, 0.5, MAX_DUPLICATE_PAIRS);
        assert!(truncated);
        assert_eq!(pairs.len(), MAX_DUPLICATE_PAIRS);
        let (few, truncated) = near_duplicates_up_to(&texts[..100], 0.5, MAX_DUPLICATE_PAIRS);
        assert!(!truncated);
        assert_eq!(few.len(), 100 * 99 / 2);
    }
}
