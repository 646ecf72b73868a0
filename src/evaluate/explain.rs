//! Why a model decided as it did.
//!
//! Every model is linear: `score_c = bias_c + Σ_j x_j · W[j, c]`, with `x_j` the TF-IDF
//! value of n-gram `j`, and probabilities are `softmax(score / T)`. So each n-gram's part in
//! a decision is exact: `x_j · W[j, c]` per class. A softmax does not change when the same
//! amount is added to every class, so contributions are reported **relative to the mean
//! over classes**: `x_j · (W[j, c] − mean_c' W[j, c'])`. Positive means the n-gram pushed
//! towards class `c` more than towards the others on average. The relative bias plus the
//! relative contributions of all n-grams add up to the relative scores, whose softmax (after
//! dividing by `T`) gives the probabilities.

use serde::Serialize;

use crate::models::{argmax, softmax_in_place};
use crate::pipeline::Pipeline;

/// One n-gram of a text and its part in each class's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermContribution {
    /// The n-gram as stored in the vocabulary (stemmed, `NEG_` inside a negation scope,
    /// `c:` in front of character n-grams).
    pub term: String,
    /// The original text it came from, each distinct span once, in order of appearance.
    pub words: Vec<String>,
    /// Its TF-IDF value in this text.
    pub value: f32,
    /// `value · (W[j, c] − mean over classes)`, in label order.
    pub contributions: Vec<f32>,
}

/// A decision taken apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The model's labels; the order of every per-class vector.
    pub labels: Vec<String>,
    /// Index of the predicted label.
    pub label: usize,
    /// Probabilities, summing to 1.
    pub probabilities: Vec<f32>,
    /// The softmax temperature the scores are divided by.
    pub temperature: f32,
    /// Added to the tempered scores before the softmax when the model predicts under a class
    /// prior other than its training shares ([`crate::models::prior`]); empty otherwise.
    pub prior_shift: Vec<f32>,
    /// Scores relative to their mean: `bias + Σ contributions`, per class.
    pub scores: Vec<f32>,
    /// Intercepts relative to their mean, per class.
    pub bias: Vec<f32>,
    /// Every n-gram of the text that the model knows, the strongest first: ordered by the
    /// size of its contribution to the predicted class.
    pub terms: Vec<TermContribution>,
}

/// A feature's weight for one class, relative to the mean over classes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureWeight {
    /// The n-gram as stored.
    pub term: String,
    /// `W[j, c] − mean over classes`: the contribution per unit of TF-IDF value.
    pub weight: f32,
}

/// The strongest features of one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassFeatures {
    /// The class.
    pub label: String,
    /// Largest relative weight first.
    pub features: Vec<FeatureWeight>,
}

fn centred(v: &[f32]) -> Vec<f32> {
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / v.len().max(1) as f64;
    v.iter().map(|&x| (x as f64 - mean) as f32).collect()
}

/// Take one text's decision apart into its n-grams' contributions.
pub fn explain(p: &Pipeline, text: &str) -> Explanation {
    let (idx, val) = p.vectorizer.transform_one(text);
    let mut spans = p.vectorizer.term_spans(text);
    // By column (stable, so each term's spans stay in text order), for a range lookup.
    spans.sort_by_key(|s| s.0);
    let vocab = p.vectorizer.vocabulary();
    let m = &p.model;
    let k = m.n_classes();
    let bias = centred(m.bias());
    let mut scores: Vec<f64> = bias.iter().map(|&b| b as f64).collect();
    let mut terms: Vec<TermContribution> = idx
        .iter()
        .zip(&val)
        .map(|(&j, &x)| {
            let w: Vec<f32> = (0..k).map(|c| m.weight(j as usize, c)).collect();
            let contributions: Vec<f32> = centred(&w).iter().map(|&d| x * d).collect();
            for (s, &c) in scores.iter_mut().zip(&contributions) {
                *s += c as f64;
            }
            let mut words: Vec<String> = Vec::new();
            let from = spans.partition_point(|s| s.0 < j);
            let to = spans.partition_point(|s| s.0 <= j);
            for &(_, a, b) in &spans[from..to] {
                let w = text[a..b].to_string();
                if !words.contains(&w) {
                    words.push(w);
                }
            }
            TermContribution {
                term: vocab.term(j as usize).to_string(),
                words,
                value: x,
                contributions,
            }
        })
        .collect();
    let scores: Vec<f32> = scores.into_iter().map(|s| s as f32).collect();
    let t = m.temperature();
    let mut probabilities = scores.clone();
    m.logits_in_place(&mut probabilities);
    softmax_in_place(&mut probabilities);
    let label = argmax(&probabilities);
    terms.sort_by(|a, b| {
        b.contributions[label]
            .abs()
            .total_cmp(&a.contributions[label].abs())
            .then_with(|| a.term.cmp(&b.term))
    });
    Explanation {
        labels: p.labels().to_vec(),
        label,
        probabilities,
        temperature: t,
        prior_shift: m.log_shift().to_vec(),
        scores,
        bias,
        terms,
    }
}

/// The `k` n-grams of a text that pushed most towards the predicted class (largest
/// positive contribution relative to the mean over classes first; none that pushed away).
pub fn top_ngrams(p: &Pipeline, text: &str, k: usize) -> Vec<TermContribution> {
    let e = explain(p, text);
    let mut terms: Vec<TermContribution> = e
        .terms
        .into_iter()
        .filter(|t| t.contributions[e.label] > 0.0)
        .collect();
    terms.sort_by(|a, b| {
        b.contributions[e.label]
            .total_cmp(&a.contributions[e.label])
            .then_with(|| a.term.cmp(&b.term))
    });
    terms.truncate(k);
    terms
}

/// The `n` features with the largest weight for each class, relative to the mean weight
/// over classes (the contribution per unit of TF-IDF value).
pub fn top_features(p: &Pipeline, n: usize) -> Vec<ClassFeatures> {
    let m = &p.model;
    let k = m.n_classes();
    let vocab = p.vectorizer.vocabulary();
    let rel: Vec<Vec<f32>> = (0..m.n_features())
        .map(|j| centred(&m.weights()[j * k..(j + 1) * k]))
        .collect();
    p.labels()
        .iter()
        .enumerate()
        .map(|(c, label)| {
            let mut order: Vec<usize> = (0..rel.len()).collect();
            order.sort_by(|&a, &b| rel[b][c].total_cmp(&rel[a][c]).then(a.cmp(&b)));
            ClassFeatures {
                label: label.clone(),
                features: order
                    .into_iter()
                    .take(n)
                    .map(|j| FeatureWeight {
                        term: vocab.term(j).to_string(),
                        weight: rel[j][c],
                    })
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{FeatureSettings, Vectorizer, Vocabulary};
    use crate::models::{LinearModel, ModelSettings};
    use crate::pipeline::{ModelHeader, TrainingMeta};
    use crate::text::AnalyzerSettings;

    /// A hand-built model: unigrams `attack`, `talk`, `the`; raw tf; IDF 1; two classes.
    /// ```text
    ///            calm  threat
    ///   attack   -1.0   3.0
    ///   talk      2.0  -2.0
    ///   the       0.5   0.5
    ///   bias      0.2  -0.2
    /// ```
    fn hand_model() -> Pipeline {
        let features = FeatureSettings {
            analyzer: AnalyzerSettings {
                stem: None,
                negation: false,
                ..AnalyzerSettings::default()
            },
            ngrams: (1, 1),
            sublinear_tf: false,
            ..FeatureSettings::default()
        };
        let vocab = Vocabulary::new(vec!["attack".into(), "talk".into(), "the".into()]).unwrap();
        let vectorizer = Vectorizer::from_parts(features.clone(), vocab, vec![1.0; 3]);
        let model = LinearModel::new(
            3,
            2,
            vec![-1.0, 3.0, 2.0, -2.0, 0.5, 0.5],
            vec![0.2, -0.2],
            1.0,
        );
        Pipeline {
            vectorizer,
            model,
            header: ModelHeader {
                features,
                model: ModelSettings::default(),
                labels: vec!["calm".into(), "threat".into()],
                temperature: 1.0,
                training: TrainingMeta::default(),
                prior: None,
            },
        }
    }

    /// "The attack, the attack!": tf attack 2, the 2, so x = (2, 0, 2) / √8 = 0.707107 each.
    /// Relative weights: attack (−2, +2), the (0, 0); relative bias (0.2, −0.2).
    /// Contributions: attack 0.707107 · (−2, 2) = (−1.414214, 1.414214), the (0, 0).
    /// Relative scores: (0.2 − 1.414214, −0.2 + 1.414214) = (−1.214214, 1.214214);
    /// p(threat) = 1 / (1 + e^(−2.428427)) = 0.918969.
    #[test]
    fn contributions_match_a_hand_computed_example() {
        let p = hand_model();
        let e = explain(&p, "The attack, the attack!");
        assert_eq!(e.label, 1);
        assert_eq!(e.terms[0].term, "attack");
        assert_eq!(e.terms[0].words, ["attack"]);
        assert!((e.terms[0].value - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-5);
        assert!((e.terms[0].contributions[1] - std::f32::consts::SQRT_2).abs() < 1e-5);
        assert!((e.terms[0].contributions[0] + std::f32::consts::SQRT_2).abs() < 1e-5);
        assert_eq!(e.terms[1].term, "the");
        assert_eq!(e.terms[1].words, ["The", "the"]);
        assert_eq!(e.terms[1].contributions, [0.0, 0.0]);
        assert!((e.scores[1] - 1.214_214).abs() < 1e-5);
        assert!((e.probabilities[1] - 0.918_969).abs() < 1e-5);
        // The decomposition gives the model's own probabilities.
        let direct = p.predict_one("The attack, the attack!");
        for (a, b) in e.probabilities.iter().zip(&direct.probabilities) {
            assert!((a - b).abs() < 1e-6);
        }
    }

    #[test]
    fn top_ngrams_keep_only_what_pushed_towards_the_decision() {
        // x = (1, 1, 0) / √2 = 0.707107: attack (−1.414214, 1.414214), talk (1.414214,
        // −1.414214); they cancel, the relative bias (0.2, −0.2) decides: calm. Only `talk`
        // pushed towards calm.
        let p = hand_model();
        let e = explain(&p, "attack talk");
        assert_eq!(e.label, 0);
        let top = top_ngrams(&p, "attack talk", 3);
        assert_eq!(top.len(), 1);
        assert_eq!(top[0].term, "talk");
        assert!((top[0].contributions[0] - std::f32::consts::SQRT_2).abs() < 1e-5);
    }

    #[test]
    fn top_features_rank_by_relative_weight() {
        let f = top_features(&hand_model(), 2);
        assert_eq!(f[0].label, "calm");
        assert_eq!(f[0].features[0].term, "talk");
        assert!((f[0].features[0].weight - 2.0).abs() < 1e-6);
        assert_eq!(f[1].features[0].term, "attack");
        assert!((f[1].features[0].weight - 2.0).abs() < 1e-6);
        assert_eq!(f[1].features[1].term, "the");
    }
}
