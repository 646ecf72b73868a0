//! Sparse linear classifiers as linfa estimators.
//!
//! Each model kind has a params builder (`*Params`) that linfa's [`ParamGuard`] checks into
//! `*ValidParams`; only checked params implement [`Fit`], on a
//! `DatasetBase<SparseRecords, Array1<usize>>` whose targets are class indices and whose
//! optional weights are per-sample weights. Every fit returns a [`LinearModel`], which
//! implements [`PredictInplace`](linfa::traits::PredictInplace) for labels
//! (`Array1<usize>`) and probabilities (`Array2<f32>`).
//!
//! | kind | estimator | probabilities |
//! |---|---|---|
//! | `nb` | multinomial naive Bayes | posterior (softmax of joint log-likelihood) |
//! | `cnb` | complement naive Bayes | softmax of the complement scores |
//! | `logreg` | multinomial logistic regression, L2, L-BFGS | the model's own softmax |
//! | `svm` | one-vs-rest linear SVM (squared hinge, dual coordinate descent) | softmax of margins with a temperature fitted on training margins |
//! | `nblr` | `logreg` and `nb` fitted on the same rows, log-probabilities summed (a product of experts) | softmax of the summed scores |
//!
//! `nb_weight` scales features by naive Bayes log-count ratios before logistic regression or
//! the SVM learn their weights (Wang & Manning's NBSVM, one ratio vector per class).

mod calibrate;
mod fold;
mod lbfgs;
mod linear;
mod logreg;
mod nb;
pub mod prior;
mod svm;

pub use calibrate::fit_temperature;
pub use lbfgs::{minimize, minimize_observed, minimize_shared, LbfgsResult};
pub use linear::{argmax, log_sum_exp, softmax_in_place, LinearModel};
pub use logreg::{LogRegParams, LogRegValidParams};
pub use nb::{
    ComplementNbParams, ComplementNbValidParams, MultinomialNbParams, MultinomialNbValidParams,
};
pub use svm::{LinearSvmParams, LinearSvmValidParams};

use linfa::traits::Fit;
use linfa::{DatasetBase, ParamGuard};
use ndarray::Array1;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::SparseRecords;
use crate::util::progress::{Progress, Silent};

/// A training set: sparse rows and class indices, optionally weighted per sample.
pub type Dataset = DatasetBase<SparseRecords, Array1<usize>>;

/// The model kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Multinomial logistic regression.
    Logreg,
    /// Multinomial naive Bayes.
    Nb,
    /// Complement naive Bayes.
    Cnb,
    /// One-vs-rest linear SVM.
    Svm,
    /// Logistic regression and multinomial NB as a product of experts: their
    /// log-probabilities are summed, which is again a linear model.
    Nblr,
}

impl ModelKind {
    /// Every kind, in the order benchmarks list them.
    pub const ALL: [ModelKind; 5] = [
        ModelKind::Nblr,
        ModelKind::Logreg,
        ModelKind::Nb,
        ModelKind::Cnb,
        ModelKind::Svm,
    ];

    /// Name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Logreg => "logreg",
            ModelKind::Nb => "nb",
            ModelKind::Cnb => "cnb",
            ModelKind::Svm => "svm",
            ModelKind::Nblr => "nblr",
        }
    }
}

impl std::str::FromStr for ModelKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        ModelKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown model {s:?}: expected nblr, logreg, nb, cnb or svm"))
    }
}

/// How samples are weighted by class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClassWeight {
    /// Every sample weighs 1.
    None,
    /// Weight `n / (k · n_c)`, so every class weighs the same in total.
    Balanced,
}

/// Every model hyperparameter, as plain data stored in model files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSettings {
    /// Which estimator.
    pub kind: ModelKind,
    /// Additive smoothing for `nb`, `cnb` and the NB ratios. Default 0.1; `> 0`.
    pub alpha: f32,
    /// Inverse regularisation strength for `logreg` and `svm` (as in scikit-learn's `C`).
    /// Default 10 for logreg, 0.5 for svm; `> 0`.
    pub c: f32,
    /// Scale features by NB log-count ratios first (`logreg`, `svm`, `nblr`). Default off.
    pub nb_weight: bool,
    /// Per-class sample weighting. Default none.
    pub class_weight: ClassWeight,
    /// Convergence tolerance: max |gradient| for logreg, projected-gradient gap for svm.
    /// Default 1e-4 (logreg), 0.1 (svm); `> 0`.
    pub tol: f64,
    /// Iteration cap. Default 1000; `>= 1`.
    pub max_iter: u32,
    /// Seed for the SVM's coordinate order.
    pub seed: u64,
}

impl Default for ModelSettings {
    fn default() -> Self {
        ModelSettings::for_kind(ModelKind::Nblr)
    }
}

impl ModelSettings {
    /// Defaults for one kind.
    pub fn for_kind(kind: ModelKind) -> Self {
        ModelSettings {
            kind,
            alpha: 0.1,
            c: if kind == ModelKind::Svm { 0.5 } else { 10.0 },
            nb_weight: false,
            class_weight: ClassWeight::None,
            tol: if kind == ModelKind::Svm { 0.1 } else { 1e-4 },
            max_iter: 1000,
            seed: 0,
        }
    }

    /// Check the settings and fit the chosen estimator.
    pub fn fit(&self, ds: &Dataset) -> Result<LinearModel> {
        self.fit_report(ds).map(|(m, _)| m)
    }

    /// Like [`fit`](Self::fit), also reporting how the optimiser did.
    pub fn fit_report(&self, ds: &Dataset) -> Result<(LinearModel, FitReport)> {
        self.fit_observed(ds, &Silent)
    }

    /// Like [`fit_report`](Self::fit_report), telling `progress` each optimiser iteration
    /// (logreg, nblr: L-BFGS; svm: passes; nb and cnb have none).
    pub fn fit_observed(
        &self,
        ds: &Dataset,
        progress: &dyn Progress,
    ) -> Result<(LinearModel, FitReport)> {
        let weighted;
        let ds = match self.class_weight {
            ClassWeight::None => ds,
            ClassWeight::Balanced => {
                let w = balanced_weights(ds.targets.as_slice().unwrap_or(&[]), ds.weights());
                weighted = DatasetBase::new(ds.records.clone(), ds.targets.clone()).with_weights(w);
                &weighted
            }
        };
        let closed_form = FitReport::default();
        match self.kind {
            ModelKind::Nb => Ok((
                MultinomialNbParams::new()
                    .alpha(self.alpha)
                    .check()?
                    .fit(ds)?,
                closed_form,
            )),
            ModelKind::Cnb => Ok((
                ComplementNbParams::new()
                    .alpha(self.alpha)
                    .check()?
                    .fit(ds)?,
                closed_form,
            )),
            ModelKind::Nblr => {
                let (mut m, iterations, converged) = LogRegParams::new()
                    .c(self.c)
                    .nb_weight(self.nb_weight)
                    .tol(self.tol)
                    .max_iter(self.max_iter)
                    .check()?
                    .fit_observed(ds, progress)?;
                let nb = MultinomialNbParams::new()
                    .alpha(self.alpha)
                    .check()?
                    .fit(ds)?;
                for (w, n) in m.weights.iter_mut().zip(&nb.weights) {
                    *w += n;
                }
                for (b, n) in m.bias.iter_mut().zip(&nb.bias) {
                    *b += n;
                }
                Ok((
                    m,
                    FitReport {
                        iterations: Some(iterations),
                        converged: Some(converged),
                    },
                ))
            }
            ModelKind::Logreg => {
                let (m, iterations, converged) = LogRegParams::new()
                    .c(self.c)
                    .nb_weight(self.nb_weight)
                    .tol(self.tol)
                    .max_iter(self.max_iter)
                    .check()?
                    .fit_observed(ds, progress)?;
                Ok((
                    m,
                    FitReport {
                        iterations: Some(iterations),
                        converged: Some(converged),
                    },
                ))
            }
            ModelKind::Svm => LinearSvmParams::new()
                .c(self.c)
                .nb_weight(self.nb_weight)
                .tol(self.tol)
                .max_iter(self.max_iter)
                .seed(self.seed)
                .check()?
                .fit_observed(ds, progress)
                .map(|m| (m, closed_form)),
        }
    }
}

/// How an iterative fit went (empty for closed-form models).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FitReport {
    /// Optimiser iterations.
    pub iterations: Option<u32>,
    /// Whether the tolerance was met.
    pub converged: Option<bool>,
}

/// `n / (k · n_c)` per sample, times any existing sample weight.
pub fn balanced_weights(y: &[usize], existing: Option<&[f32]>) -> Array1<f32> {
    let k = y.iter().copied().max().map_or(0, |m| m + 1);
    let mut counts = vec![0usize; k];
    for &c in y {
        counts[c] += 1;
    }
    let n = y.len() as f32;
    let present = counts.iter().filter(|&&c| c > 0).count() as f32;
    y.iter()
        .enumerate()
        .map(|(i, &c)| {
            let base = existing.and_then(|w| w.get(i)).copied().unwrap_or(1.0);
            base * n / (present * counts[c] as f32)
        })
        .collect()
}

/// Shared checks and accessors for the estimators.
pub(crate) struct Prepared<'a> {
    pub x: &'a SparseRecords,
    pub y: &'a [usize],
    pub w: Vec<f32>,
    pub k: usize,
}

pub(crate) fn prepare(ds: &Dataset) -> Result<Prepared<'_>> {
    let y = ds
        .targets
        .as_slice()
        .ok_or_else(|| Error::Training("targets are not contiguous".into()))?;
    let n = ds.records.nrows();
    if n == 0 {
        return Err(Error::Training("no training rows".into()));
    }
    if y.len() != n {
        return Err(Error::Linfa(linfa::Error::MismatchedShapes(n, y.len())));
    }
    let k = y.iter().copied().max().map_or(0, |m| m + 1);
    if k < 2 {
        return Err(Error::Training("need at least two classes".into()));
    }
    let w = match ds.weights() {
        Some(w) if w.len() == n => w.to_vec(),
        _ => vec![1.0; n],
    };
    Ok(Prepared {
        x: &ds.records,
        y,
        w,
        k,
    })
}

/// Weighted per-class feature sums, feature-major `V × K`, in f64.
pub(crate) fn class_feature_sums(p: &Prepared<'_>) -> Vec<f64> {
    let v = p.x.ncols();
    let mut sums = vec![0.0f64; v * p.k];
    for i in 0..p.x.nrows() {
        let (idx, val) = p.x.row(i);
        let c = p.y[i];
        let w = p.w[i] as f64;
        for (&j, &x) in idx.iter().zip(val) {
            sums[j as usize * p.k + c] += w * x as f64;
        }
    }
    sums
}

/// NB log-count ratios, one vector per class (class vs rest), feature-major `V × K`:
/// `r_c = ln((α + f_c) / |α + f_c|₁) − ln((α + f_¬c) / |α + f_¬c|₁)`.
pub(crate) fn nb_ratios(p: &Prepared<'_>, alpha: f64) -> Vec<f32> {
    let v = p.x.ncols();
    let k = p.k;
    let sums = class_feature_sums(p);
    let mut total = vec![0.0f64; v];
    for j in 0..v {
        total[j] = sums[j * k..(j + 1) * k].iter().sum();
    }
    let mut class_tot = vec![0.0f64; k];
    for j in 0..v {
        for c in 0..k {
            class_tot[c] += sums[j * k + c];
        }
    }
    let all: f64 = class_tot.iter().sum();
    let mut r = vec![0.0f32; v * k];
    for c in 0..k {
        let pn = class_tot[c] + alpha * v as f64;
        let qn = all - class_tot[c] + alpha * v as f64;
        for j in 0..v {
            let pc = (sums[j * k + c] + alpha) / pn;
            let qc = (total[j] - sums[j * k + c] + alpha) / qn;
            r[j * k + c] = (pc / qc).ln() as f32;
        }
    }
    r
}

/// Fail with a parameter error unless `ok`.
pub(crate) fn ensure(ok: bool, name: &'static str, reason: impl Into<String>) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::Param {
            name,
            reason: reason.into(),
        })
    }
}

#[cfg(test)]
mod tests;

/// Sorted distinct labels and each row's index into them.
pub fn encode_labels(labels: &[String]) -> (Vec<String>, Vec<usize>) {
    let names: Vec<String> = labels
        .iter()
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let y = labels
        .iter()
        .map(|l| names.binary_search(l).unwrap_or(0))
        .collect();
    (names, y)
}
