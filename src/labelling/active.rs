//! Active learning: which unlabelled texts are worth labelling next.
//!
//! A model's probabilities give each text an uncertainty score ([`Uncertainty`]); texts are
//! ranked most uncertain first ([`rank`]) or in a seeded random order, and a batch is taken
//! from that order skipping near-duplicates of texts already labelled or queued
//! ([`select_diverse`]), so one label is never spent twice on the same statement.
//! `stance label` and the active-learning benchmark both go through these functions.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::labelling::checks::{normalized_text, TrigramIndex};
use crate::util::Rng;

/// Texts at or above this word-trigram Jaccard similarity count as near-duplicates (the
/// default of `stance data check`).
pub const NEAR_DUPLICATE_JACCARD: f64 = 0.5;

/// How uncertain a prediction is. Both scores lie in `[0, 1]`, higher meaning less sure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Uncertainty {
    /// `1 − (p₁ − p₂)`, where p₁ ≥ p₂ are the two largest probabilities: the closer the top
    /// two labels, the less sure the model.
    Margin,
    /// Shannon entropy divided by `ln K` (K labels), so that a uniform distribution scores 1.
    Entropy,
}

impl Uncertainty {
    /// Name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Uncertainty::Margin => "margin",
            Uncertainty::Entropy => "entropy",
        }
    }

    /// The score of one probability vector (empty or single-label vectors score 0).
    pub fn score(self, p: &[f32]) -> f64 {
        match self {
            Uncertainty::Margin => {
                if p.len() < 2 {
                    return 0.0;
                }
                1.0 - margin(p)
            }
            Uncertainty::Entropy => {
                if p.len() < 2 {
                    return 0.0;
                }
                let h: f64 = p
                    .iter()
                    .map(|&x| x as f64)
                    .filter(|&x| x > 0.0)
                    .map(|x| -x * x.ln())
                    .sum();
                (h / (p.len() as f64).ln()).clamp(0.0, 1.0)
            }
        }
    }
}

/// The gap between the two largest probabilities (1 for fewer than two).
pub fn margin(p: &[f32]) -> f64 {
    let (mut first, mut second) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &x in p {
        let x = x as f64;
        if x > first {
            second = first;
            first = x;
        } else if x > second {
            second = x;
        }
    }
    if second.is_finite() {
        first - second
    } else {
        1.0
    }
}

/// Indices of `scores` from the highest to the lowest; ties keep input order, and a NaN
/// score ranks last.
pub fn rank(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    let key = |i: usize| {
        if scores[i].is_nan() {
            f64::NEG_INFINITY
        } else {
            scores[i]
        }
    };
    order.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
    order
}

/// How texts are ordered for labelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Most uncertain first, by an [`Uncertainty`] score.
    Uncertainty,
    /// A seeded random order (the baseline).
    Random,
}

impl Strategy {
    /// Name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Uncertainty => "uncertainty",
            Strategy::Random => "random",
        }
    }
}

/// The order in which `scores.len()` candidates are offered: by `scores` (most uncertain
/// first) for [`Strategy::Uncertainty`], shuffled by `rng` for [`Strategy::Random`].
pub fn order(strategy: Strategy, scores: &[f64], rng: &mut Rng) -> Vec<usize> {
    match strategy {
        Strategy::Uncertainty => rank(scores),
        Strategy::Random => {
            let mut o: Vec<usize> = (0..scores.len()).collect();
            rng.shuffle(&mut o);
            o
        }
    }
}

/// The outcome of [`select_diverse`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Chosen candidates, in the order given.
    pub chosen: Vec<usize>,
    /// Candidates passed over as near-duplicates of a text labelled or chosen before. They
    /// stay near-duplicates (the index only grows), so callers can drop them for good.
    pub near_duplicates: Vec<usize>,
}

/// Walk `order` and choose up to `n` candidates, skipping any whose word-trigram Jaccard
/// similarity with a text in `seen` is at least `threshold`. Each chosen text is added to
/// `seen`, so the batch is diverse within itself too.
pub fn select_diverse<S: AsRef<str>>(
    order: &[usize],
    texts: &[S],
    seen: &mut TrigramIndex,
    n: usize,
    threshold: f64,
) -> Selection {
    let mut out = Selection::default();
    for &i in order {
        if out.chosen.len() >= n {
            break;
        }
        let t = texts[i].as_ref();
        if seen.max_jaccard(t) >= threshold {
            out.near_duplicates.push(i);
        } else {
            seen.insert(t);
            out.chosen.push(i);
        }
    }
    out
}

/// The split (`train` or `test`) of a newly labelled text: a SHA-256 of the seed and the
/// normalised text ([`normalized_text`]) mapped to `[0, 1)`, `test` below `test_share`. The
/// same text always lands in the same split, whoever labels it and in whatever order, so
/// a text can never be in both.
pub fn split_for(text: &str, seed: u64, test_share: f64) -> &'static str {
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    h.update(normalized_text(text).as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    let u = (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64;
    if u < test_share {
        "test"
    } else {
        "train"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_and_entropy_by_hand() {
        // Top two 0.5 and 0.3: margin 0.2, uncertainty 0.8.
        let p = [0.2f32, 0.5, 0.3];
        assert!((Uncertainty::Margin.score(&p) - 0.8).abs() < 1e-6);
        // H = −(0.2 ln 0.2 + 0.5 ln 0.5 + 0.3 ln 0.3) = 1.029653; / ln 3 = 0.937231.
        assert!((Uncertainty::Entropy.score(&p) - 0.937_231).abs() < 1e-5);
        let uniform = [0.25f32; 4];
        assert!((Uncertainty::Margin.score(&uniform) - 1.0).abs() < 1e-9);
        assert!((Uncertainty::Entropy.score(&uniform) - 1.0).abs() < 1e-6);
        let sure = [0.0f32, 1.0];
        assert_eq!(Uncertainty::Margin.score(&sure), 0.0);
        assert_eq!(Uncertainty::Entropy.score(&sure), 0.0);
        assert_eq!(Uncertainty::Margin.score(&[1.0]), 0.0);
    }

    #[test]
    fn rank_puts_the_most_uncertain_first_and_keeps_ties_in_order() {
        assert_eq!(rank(&[0.1, 0.9, 0.5, 0.9, f64::NAN]), [1, 3, 2, 0, 4]);
    }

    #[test]
    fn random_order_is_a_seeded_permutation() {
        let s = [0.0; 20];
        let a = order(Strategy::Random, &s, &mut Rng::new(3));
        let b = order(Strategy::Random, &s, &mut Rng::new(3));
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
        assert_ne!(a, (0..20).collect::<Vec<_>>());
    }

    #[test]
    fn selection_skips_near_duplicates_of_labelled_and_of_chosen_texts() {
        let texts = [
            "we will answer any attack with overwhelming force",
            "we will answer any attack with overwhelming force today",
            "the talks will resume in geneva on monday",
            "talks resume next week",
            "the talks will resume in geneva on monday morning",
        ];
        let mut seen = TrigramIndex::new();
        seen.insert("talks resume next week");
        let s = select_diverse(&[0, 1, 2, 3, 4], &texts, &mut seen, 10, 0.5);
        assert_eq!(s.chosen, [0, 2]);
        assert_eq!(s.near_duplicates, [1, 3, 4]);
        assert_eq!(seen.len(), 3);
        // A batch stops at n; later candidates are not even looked at.
        let mut fresh = TrigramIndex::new();
        let s = select_diverse(&[2, 0, 1], &texts, &mut fresh, 1, 0.5);
        assert_eq!(s.chosen, [2]);
        assert!(s.near_duplicates.is_empty());
    }

    #[test]
    fn split_is_stable_ignores_case_and_spacing_and_hits_the_share() {
        let a = split_for("We will respond.", 42, 0.2);
        assert_eq!(a, split_for("we  WILL respond", 42, 0.2));
        let n = 5000;
        let tests = (0..n)
            .filter(|i| split_for(&format!("statement number {i}"), 42, 0.2) == "test")
            .count();
        // Binomial(5000, 0.2): sd 28; 6 sd either side.
        assert!((830..=1170).contains(&tests), "{tests}");
        assert_eq!(split_for("anything", 1, 0.0), "train");
        assert_eq!(split_for("anything", 1, 1.0), "test");
    }
}
