//! Multinomial and complement naive Bayes on sparse rows.

use linfa::traits::Fit;
use linfa::ParamGuard;
use ndarray::Array1;

use super::{class_feature_sums, ensure, prepare, LinearModel};
use crate::error::{Error, Result};
use crate::features::SparseRecords;

/// Checked multinomial NB params.
#[derive(Debug, Clone, PartialEq)]
pub struct MultinomialNbValidParams {
    alpha: f32,
}

/// Multinomial naive Bayes builder. `alpha`: additive smoothing, default 0.1, range `> 0`.
#[derive(Debug, Clone, PartialEq)]
pub struct MultinomialNbParams(MultinomialNbValidParams);

impl Default for MultinomialNbParams {
    fn default() -> Self {
        MultinomialNbParams(MultinomialNbValidParams { alpha: 0.1 })
    }
}

impl MultinomialNbParams {
    /// Defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Additive (Lidstone) smoothing.
    pub fn alpha(mut self, a: f32) -> Self {
        self.0.alpha = a;
        self
    }
}

impl ParamGuard for MultinomialNbParams {
    type Checked = MultinomialNbValidParams;
    type Error = Error;
    fn check_ref(&self) -> Result<&Self::Checked> {
        let a = self.0.alpha;
        ensure(
            a.is_finite() && a > 0.0,
            "alpha",
            format!("{a}: must be > 0"),
        )?;
        Ok(&self.0)
    }
    fn check(self) -> Result<Self::Checked> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl Fit<SparseRecords, Array1<usize>, Error> for MultinomialNbValidParams {
    type Object = LinearModel;

    /// `log P(c) + Σ_j x_j log θ_cj` with `θ_cj = (f_cj + α) / (Σ_j f_cj + α V)`.
    fn fit(&self, ds: &super::Dataset) -> Result<LinearModel> {
        let p = prepare(ds)?;
        let (v, k) = (p.x.ncols(), p.k);
        let sums = class_feature_sums(&p);
        let alpha = self.alpha as f64;
        let mut class_tot = vec![0.0f64; k];
        for j in 0..v {
            for c in 0..k {
                class_tot[c] += sums[j * k + c];
            }
        }
        let weights = (0..v * k)
            .map(|i| {
                let c = i % k;
                ((sums[i] + alpha) / (class_tot[c] + alpha * v as f64)).ln() as f32
            })
            .collect();
        let mut prior = vec![0.0f64; k];
        for (&c, &w) in p.y.iter().zip(&p.w) {
            prior[c] += w as f64;
        }
        let n: f64 = prior.iter().sum();
        let bias = prior
            .iter()
            .map(|&c| {
                if c > 0.0 {
                    (c / n).ln() as f32
                } else {
                    f32::MIN / 4.0
                }
            })
            .collect();
        Ok(LinearModel::new(v, k, weights, bias, 1.0))
    }
}

/// Checked complement NB params.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplementNbValidParams {
    alpha: f32,
}

/// Complement naive Bayes builder (Rennie et al. 2003, unnormalised weights as in
/// scikit-learn's default). `alpha`: smoothing, default 0.1, range `> 0`.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplementNbParams(ComplementNbValidParams);

impl Default for ComplementNbParams {
    fn default() -> Self {
        ComplementNbParams(ComplementNbValidParams { alpha: 0.1 })
    }
}

impl ComplementNbParams {
    /// Defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Additive smoothing.
    pub fn alpha(mut self, a: f32) -> Self {
        self.0.alpha = a;
        self
    }
}

impl ParamGuard for ComplementNbParams {
    type Checked = ComplementNbValidParams;
    type Error = Error;
    fn check_ref(&self) -> Result<&Self::Checked> {
        let a = self.0.alpha;
        ensure(
            a.is_finite() && a > 0.0,
            "alpha",
            format!("{a}: must be > 0"),
        )?;
        Ok(&self.0)
    }
    fn check(self) -> Result<Self::Checked> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl Fit<SparseRecords, Array1<usize>, Error> for ComplementNbValidParams {
    type Object = LinearModel;

    /// `w_cj = −log θ̃_cj` with `θ̃_cj = (f_¬c,j + α) / Σ_j (f_¬c,j + α)`: a class scores
    /// high when its features are rare in the other classes. No prior, as in scikit-learn.
    fn fit(&self, ds: &super::Dataset) -> Result<LinearModel> {
        let p = prepare(ds)?;
        let (v, k) = (p.x.ncols(), p.k);
        let sums = class_feature_sums(&p);
        let alpha = self.alpha as f64;
        let mut comp = vec![0.0f64; v * k];
        let mut comp_tot = vec![0.0f64; k];
        for j in 0..v {
            let all: f64 = sums[j * k..(j + 1) * k].iter().sum();
            for c in 0..k {
                let x = all - sums[j * k + c] + alpha;
                comp[j * k + c] = x;
                comp_tot[c] += x;
            }
        }
        let weights = comp
            .iter()
            .enumerate()
            .map(|(i, &x)| -(x / comp_tot[i % k]).ln() as f32)
            .collect();
        Ok(LinearModel::new(v, k, weights, vec![0.0; k], 1.0))
    }
}
