//! The fitted form every model takes: class scores linear in the features, and
//! probabilities from a tempered softmax.

use linfa::traits::PredictInplace;
use ndarray::{Array1, Array2};

use crate::features::SparseRecords;

/// A fitted linear classifier: `score_c(x) = bias_c + Σ_j x_j · W[j, c]` and
/// `p(c | x) = softmax(score / temperature)`.
///
/// Naive Bayes log-probabilities, logistic regression and SVM margins all have this form,
/// so one type predicts for every model kind.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    pub(crate) n_features: usize,
    pub(crate) n_classes: usize,
    /// Feature-major `n_features × n_classes`: one feature's class weights are adjacent,
    /// which is what a sparse row walk touches.
    pub(crate) weights: Vec<f32>,
    pub(crate) bias: Vec<f32>,
    pub(crate) temperature: f32,
    /// Added to the tempered scores before the softmax: `ln π'(y) − ln π(y)` for a class
    /// prior other than the training one ([`crate::models::prior`]); empty for none.
    pub(crate) log_shift: Vec<f32>,
}

impl LinearModel {
    /// Assemble from parts; `weights` is feature-major (`n_features × n_classes`).
    pub fn new(
        n_features: usize,
        n_classes: usize,
        weights: Vec<f32>,
        bias: Vec<f32>,
        temperature: f32,
    ) -> Self {
        debug_assert_eq!(weights.len(), n_features * n_classes);
        debug_assert_eq!(bias.len(), n_classes);
        LinearModel {
            n_features,
            n_classes,
            weights,
            bias,
            temperature,
            log_shift: Vec::new(),
        }
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Weights, feature-major.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Per-class intercepts.
    pub fn bias(&self) -> &[f32] {
        &self.bias
    }

    /// Softmax temperature (1 for models whose scores are log-probabilities).
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// Set the softmax temperature (calibration).
    pub fn set_temperature(&mut self, t: f32) {
        self.temperature = t;
    }

    /// Set the per-class shift added to the tempered scores (a class prior, see
    /// [`crate::models::prior`]); `None` removes it.
    pub fn set_log_shift(&mut self, shift: Option<Vec<f32>>) {
        let shift = shift.unwrap_or_default();
        debug_assert!(shift.is_empty() || shift.len() == self.n_classes);
        self.log_shift = shift;
    }

    /// The per-class shift added to the tempered scores (empty for none).
    pub fn log_shift(&self) -> &[f32] {
        &self.log_shift
    }

    /// Tempered and shifted scores, in place: what the softmax turns into probabilities.
    pub fn logits_in_place(&self, s: &mut [f32]) {
        let t = self.temperature;
        s.iter_mut().for_each(|v| *v /= t);
        s.iter_mut().zip(&self.log_shift).for_each(|(v, d)| *v += d);
    }

    /// Weight of feature `j` for class `c`.
    pub fn weight(&self, j: usize, c: usize) -> f32 {
        self.weights[j * self.n_classes + c]
    }

    /// Class scores of one sparse row.
    pub fn scores(&self, idx: &[u32], val: &[f32]) -> Vec<f32> {
        let k = self.n_classes;
        // The f64 sums on the stack for up to 8 classes: one allocation per text fewer.
        let mut small = [0.0f64; 8];
        let mut large = Vec::new();
        let s: &mut [f64] = if k <= small.len() {
            &mut small[..k]
        } else {
            large.resize(k, 0.0);
            &mut large
        };
        s.iter_mut()
            .zip(&self.bias)
            .for_each(|(s, &b)| *s = b as f64);
        // Rows are scattered over a large matrix: ask for all of them before using any.
        for &j in idx {
            if let Some(w) = self.weights.get(j as usize * k) {
                crate::util::prefetch(w);
            }
        }
        for (&j, &x) in idx.iter().zip(val) {
            let row = &self.weights[j as usize * k..(j as usize + 1) * k];
            for (sc, &w) in s.iter_mut().zip(row) {
                *sc += (x * w) as f64;
            }
        }
        s.iter().map(|&v| v as f32).collect()
    }

    /// Class probabilities of one sparse row; they sum to 1.
    pub fn proba(&self, idx: &[u32], val: &[f32]) -> Vec<f32> {
        let mut s = self.scores(idx, val);
        self.logits_in_place(&mut s);
        softmax_in_place(&mut s);
        s
    }
}

/// `exp(s_i - m) / Σ_j exp(s_j - m)` with `m` the maximum, in f64, so nothing overflows.
///
/// Dividing by the sum rather than subtracting `logsumexp` keeps the result summing to 1
/// when scores are so large that `m + ln Σ` rounds back to `m`. Scores that overflowed to
/// infinity share the probability among themselves; NaN scores get none; if nothing is
/// left to rank, every class gets the same.
pub fn softmax_in_place(s: &mut [f32]) {
    s.iter_mut()
        .filter(|v| v.is_nan())
        .for_each(|v| *v = f32::NEG_INFINITY);
    let m = s.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)) as f64;
    if !m.is_finite() {
        // All +inf at the top share; all -inf means no information.
        let top = s.iter().filter(|&&v| v as f64 == m).count().max(1) as f32;
        let all = m == f64::NEG_INFINITY;
        let share = if all { 1.0 / s.len() as f32 } else { 1.0 / top };
        s.iter_mut()
            .for_each(|v| *v = if all || *v as f64 == m { share } else { 0.0 });
        return;
    }
    let sum: f64 = s.iter().map(|&v| (v as f64 - m).exp()).sum();
    s.iter_mut()
        .for_each(|v| *v = ((*v as f64 - m).exp() / sum) as f32);
}

/// `ln Σ exp(s_i)`, max-shifted, in f64.
pub fn log_sum_exp(s: &[f32]) -> f64 {
    let m = s.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)) as f64;
    if !m.is_finite() {
        return m;
    }
    m + s.iter().map(|&v| (v as f64 - m).exp()).sum::<f64>().ln()
}

/// Index of the largest value; the first on ties.
pub fn argmax(s: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in s.iter().enumerate() {
        if v > s[best] {
            best = i;
        }
    }
    best
}

impl PredictInplace<SparseRecords, Array1<usize>> for LinearModel {
    fn predict_inplace(&self, x: &SparseRecords, y: &mut Array1<usize>) {
        for (i, out) in y.iter_mut().enumerate() {
            let (idx, val) = x.row(i);
            let mut s = self.scores(idx, val);
            if !self.log_shift.is_empty() {
                self.logits_in_place(&mut s);
            }
            *out = argmax(&s);
        }
    }

    fn default_target(&self, x: &SparseRecords) -> Array1<usize> {
        Array1::zeros(x.nrows())
    }
}

impl PredictInplace<SparseRecords, Array2<f32>> for LinearModel {
    fn predict_inplace(&self, x: &SparseRecords, y: &mut Array2<f32>) {
        for (i, mut out) in y.rows_mut().into_iter().enumerate() {
            let (idx, val) = x.row(i);
            for (o, p) in out.iter_mut().zip(self.proba(idx, val)) {
                *o = p;
            }
        }
    }

    fn default_target(&self, x: &SparseRecords) -> Array2<f32> {
        Array2::zeros((x.nrows(), self.n_classes))
    }
}
