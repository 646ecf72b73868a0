//! One-vs-rest linear SVM with the squared hinge loss, fitted in the dual by coordinate
//! descent (Hsieh et al. 2008), as LIBLINEAR's default solver. The intercept is a constant
//! feature of value 1, regularised like the other weights.

use std::sync::atomic::{AtomicU64, Ordering};

use linfa::traits::Fit;
use linfa::ParamGuard;
use ndarray::Array1;
use rayon::prelude::*;

use super::{ensure, fit_temperature, nb_ratios, prepare, LinearModel};
use crate::error::{Error, Result};
use crate::features::SparseRecords;
use crate::util::progress::{Event, Progress, Silent};
use crate::util::Rng;

/// Checked SVM params.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearSvmValidParams {
    c: f32,
    nb_weight: bool,
    tol: f64,
    max_iter: u32,
    seed: u64,
}

/// Linear SVM builder.
///
/// | param | default | range |
/// |---|---|---|
/// | `c` (penalty) | 0.5 | `> 0` |
/// | `nb_weight` (NB log-count ratio feature scaling) | off | |
/// | `tol` (projected-gradient gap) | 0.1 | `> 0` |
/// | `max_iter` (passes over the data) | 1000 | `>= 1` |
/// | `seed` (coordinate order) | 0 | any |
///
/// Probabilities: the margins go through a softmax whose temperature is fitted on the
/// training margins (minimum log-loss), so they rank like the margins and sum to 1 but lean
/// overconfident; calibrate on held-out data for trustworthy confidences.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearSvmParams(LinearSvmValidParams);

impl Default for LinearSvmParams {
    fn default() -> Self {
        LinearSvmParams(LinearSvmValidParams {
            c: 0.5,
            nb_weight: false,
            tol: 0.1,
            max_iter: 1000,
            seed: 0,
        })
    }
}

impl LinearSvmParams {
    /// Defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Penalty.
    pub fn c(mut self, c: f32) -> Self {
        self.0.c = c;
        self
    }
    /// Scale features by NB log-count ratios.
    pub fn nb_weight(mut self, on: bool) -> Self {
        self.0.nb_weight = on;
        self
    }
    /// Stopping tolerance.
    pub fn tol(mut self, t: f64) -> Self {
        self.0.tol = t;
        self
    }
    /// Pass cap.
    pub fn max_iter(mut self, n: u32) -> Self {
        self.0.max_iter = n;
        self
    }
    /// Seed for the coordinate order.
    pub fn seed(mut self, s: u64) -> Self {
        self.0.seed = s;
        self
    }
}

impl ParamGuard for LinearSvmParams {
    type Checked = LinearSvmValidParams;
    type Error = Error;
    fn check_ref(&self) -> Result<&Self::Checked> {
        let p = &self.0;
        ensure(
            p.c.is_finite() && p.c > 0.0,
            "c",
            format!("{}: must be > 0", p.c),
        )?;
        ensure(
            p.tol.is_finite() && p.tol > 0.0,
            "tol",
            format!("{}: must be > 0", p.tol),
        )?;
        ensure(p.max_iter >= 1, "max-iter", "must be at least 1")?;
        Ok(&self.0)
    }
    fn check(self) -> Result<Self::Checked> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl Fit<SparseRecords, Array1<usize>, Error> for LinearSvmValidParams {
    type Object = LinearModel;

    fn fit(&self, ds: &super::Dataset) -> Result<LinearModel> {
        self.fit_observed(ds, &Silent)
    }
}

impl LinearSvmValidParams {
    /// [`Fit::fit`], telling `progress` the projected-gradient gap after each pass. Its
    /// iteration count is the passes of all one-vs-rest problems together (they run side
    /// by side), out of `max_iter` per problem.
    pub fn fit_observed(
        &self,
        ds: &super::Dataset,
        progress: &dyn Progress,
    ) -> Result<LinearModel> {
        let p = prepare(ds)?;
        let (n, v, k) = (p.x.nrows(), p.x.ncols(), p.k);
        let ratios = self.nb_weight.then(|| nb_ratios(&p, 1.0));
        // Binary problems need one separator; its negation scores the other class.
        let problems: Vec<usize> = if k == 2 { vec![1] } else { (0..k).collect() };
        let passes = AtomicU64::new(0);
        let max = self.max_iter as u64 * problems.len() as u64;
        let pass_done = |gap: f64| {
            progress.event(Event::Iteration {
                n: passes.fetch_add(1, Ordering::Relaxed) + 1,
                max,
                grad_norm: gap,
                tol: self.tol,
            })
        };
        let fitted: Vec<(Vec<f32>, f32)> = problems
            .par_iter()
            .map(|&c| {
                let scale: Option<Vec<f32>> = ratios
                    .as_ref()
                    .map(|r| (0..v).map(|j| r[j * k + c]).collect());
                let mut rng = Rng::new(self.seed ^ (c as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                self.solve_binary(&p, c, scale.as_deref(), &mut rng, &pass_done)
            })
            .collect();
        let mut weights = vec![0.0f32; v * k];
        let mut bias = vec![0.0f32; k];
        if k == 2 {
            let (w, b) = &fitted[0];
            for j in 0..v {
                weights[j * 2 + 1] = w[j] / 2.0;
                weights[j * 2] = -w[j] / 2.0;
            }
            bias[1] = b / 2.0;
            bias[0] = -b / 2.0;
        } else {
            for (c, (w, b)) in fitted.iter().enumerate() {
                for j in 0..v {
                    weights[j * k + c] = w[j];
                }
                bias[c] = *b;
            }
        }
        let mut model = LinearModel::new(v, k, weights, bias, 1.0);
        let scores: Vec<Vec<f32>> = (0..n)
            .into_par_iter()
            .map(|i| {
                let (idx, val) = p.x.row(i);
                model.scores(idx, val)
            })
            .collect();
        model.set_temperature(fit_temperature(&scores, p.y));
        Ok(model)
    }

    /// Class `c` against the rest. Returns weights in the original feature space and the
    /// intercept. `pass_done` is told the projected-gradient gap after each pass.
    fn solve_binary(
        &self,
        p: &super::Prepared<'_>,
        c: usize,
        scale: Option<&[f32]>,
        rng: &mut Rng,
        pass_done: &(dyn Fn(f64) + Sync),
    ) -> (Vec<f32>, f32) {
        let n = p.x.nrows();
        let v = p.x.ncols();
        let sx = |j: u32, x: f32| scale.map_or(x, |s| x * s[j as usize]);
        let ys: Vec<f64> =
            p.y.iter()
                .map(|&y| if y == c { 1.0 } else { -1.0 })
                .collect();
        // Squared hinge: D_ii = 1 / (2 C_i), no upper bound on alpha.
        let diag: Vec<f64> =
            p.w.iter()
                .map(|&w| 0.5 / (self.c as f64 * w as f64))
                .collect();
        let qd: Vec<f64> = (0..n)
            .map(|i| {
                let (idx, val) = p.x.row(i);
                let sq: f64 = idx
                    .iter()
                    .zip(val)
                    .map(|(&j, &x)| (sx(j, x) as f64).powi(2))
                    .sum();
                sq + 1.0 + diag[i]
            })
            .collect();
        let mut w = vec![0.0f64; v];
        let mut b = 0.0f64;
        let mut alpha = vec![0.0f64; n];
        let mut order: Vec<usize> = (0..n).collect();
        for _ in 0..self.max_iter {
            rng.shuffle(&mut order);
            let mut pg_max = f64::NEG_INFINITY;
            let mut pg_min = f64::INFINITY;
            for &i in &order {
                let (idx, val) = p.x.row(i);
                let mut dotp = b;
                for (&j, &x) in idx.iter().zip(val) {
                    dotp += w[j as usize] * sx(j, x) as f64;
                }
                let g = ys[i] * dotp - 1.0 + diag[i] * alpha[i];
                let pg = if alpha[i] == 0.0 { g.min(0.0) } else { g };
                pg_max = pg_max.max(pg);
                pg_min = pg_min.min(pg);
                if pg.abs() > 1e-12 {
                    let old = alpha[i];
                    alpha[i] = (old - g / qd[i]).max(0.0);
                    let delta = (alpha[i] - old) * ys[i];
                    for (&j, &x) in idx.iter().zip(val) {
                        w[j as usize] += delta * sx(j, x) as f64;
                    }
                    b += delta;
                }
            }
            let gap = pg_max - pg_min;
            pass_done(gap);
            if gap <= self.tol {
                break;
            }
        }
        let w = (0..v)
            .map(|j| (w[j] * scale.map_or(1.0, |s| s[j] as f64)) as f32)
            .collect();
        (w, b as f32)
    }
}
