//! Multinomial logistic regression with an L2 penalty, fitted to convergence by L-BFGS.
//!
//! Objective (scikit-learn's, divided by `C · Σw`):
//! `(1/Σw) Σ_i w_i · (logsumexp(s_i) − s_i,y_i) + ‖W‖² / (2 C Σw)`, intercepts unpenalised.
//! It is solved with each row's private columns folded into one (see `fold`): the same
//! problem in fewer variables.

use linfa::traits::Fit;
use linfa::ParamGuard;
use ndarray::Array1;
use rayon::prelude::*;

use super::fold::Folded;
use super::{ensure, lbfgs, log_sum_exp, nb_ratios, prepare, LinearModel, Prepared};
use crate::error::{Error, Result};
use crate::features::SparseRecords;
use crate::util::prefetch;
use crate::util::progress::{Progress, Silent};

/// Checked logistic regression params.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRegValidParams {
    c: f32,
    nb_weight: bool,
    tol: f64,
    max_iter: u32,
    memory: usize,
}

/// The weights the data sees: `w ⊙ ratios` written into `eff` with NB weighting, else `w`
/// itself (`eff` is then unused and may be empty).
fn effective_weights<'a>(eff: &'a mut [f32], w: &'a [f32], ratios: Option<&[f32]>) -> &'a [f32] {
    match ratios {
        Some(r) => {
            eff.par_iter_mut()
                .zip(w.par_iter().zip(r.par_iter()))
                .for_each(|(e, (&w, &r))| *e = w * r);
            eff
        }
        None => w,
    }
}

/// `Σ w²`, in parallel over blocks: a serial `f64` sum is one chain of dependent additions,
/// 0.09 ms on each of MR's 38 gradient evaluations.
///
/// The blocks' sums are added in block order: rayon's own `sum` adds them in an order that
/// depends on how the work was split between threads, and floating-point addition is not
/// associative, so the result (and the model) could change from run to run.
fn squared_norm(w: &[f32]) -> f64 {
    let blocks: Vec<f64> = w
        .par_chunks(8192)
        .map(|c| c.iter().map(|&v| v as f64 * v as f64).sum::<f64>())
        .collect();
    blocks.iter().sum()
}

/// How many entries ahead the gradient loops ask for the weight (or residual) they will
/// read: on large data those reads are random and miss the cache; their addresses are
/// known in advance, so they can be fetched while earlier entries are summed. Results do
/// not change, only when memory is read.
const AHEAD: usize = 32;

/// Entries from which a weight or residual array is read ahead: smaller ones (1 MiB of
/// `f32`) stay in a core's L2 cache, where the extra instructions only cost time
/// (MR, 100k weights: train + evaluate 7 % slower with them).
const PREFETCH_FROM: usize = 1 << 18;

/// `acc[c] += Σ_t product(val_t, table[idx_t · k + c])` over entries `range` of a sparse
/// row (`idx` are columns, `table` the weights) or column (`idx` are rows, `table` the
/// residuals), with `k = acc.len()`; `read` is (indices, values, table, read ahead). Built
/// for a fixed `K` (1 for two classes; 3 or 4: `stance`'s own models have three) the sums
/// stay in registers; `K = 0` takes `k` from `acc`. Either way each sum adds the same terms
/// in the same order.
#[inline(always)]
fn add_products<const K: usize, A: Copy + Default + std::ops::AddAssign>(
    acc: &mut [A],
    range: std::ops::Range<usize>,
    (idx, vals, table, far): (&[u32], &[f32], &[f32], bool),
    product: impl Fn(f32, f32) -> A,
) {
    let k = if K == 0 { acc.len() } else { K };
    let mut local = [A::default(); 4];
    if K != 0 {
        local[..K].copy_from_slice(&acc[..K]);
    }
    let sums: &mut [A] = if K == 0 { &mut *acc } else { &mut local[..K] };
    for t in range {
        if far {
            if let Some(&ahead) = idx.get(t + AHEAD) {
                prefetch(&table[ahead as usize * k]);
            }
        }
        let (i, x) = (idx[t] as usize, vals[t]);
        for (a, &v) in sums.iter_mut().zip(&table[i * k..(i + 1) * k]) {
            *a += product(x, v);
        }
    }
    if K != 0 {
        acc[..K].copy_from_slice(&local[..K]);
    }
}

/// A row's contribution to its class scores, in `f32` as the scores are kept.
#[inline(always)]
fn score_term(x: f32, w: f32) -> f32 {
    x * w
}

/// A column entry's contribution to the gradient, in `f64`.
#[inline(always)]
fn gradient_term(x: f32, r: f32) -> f64 {
    x as f64 * r as f64
}

/// Bytes the L-BFGS history may take: `2 · memory · params · 4`.
const HISTORY_BUDGET: usize = 1 << 30;

/// The history length to use for `params` parameters: `memory`, or fewer (at least 3) when
/// `memory` pairs of vectors would pass [`HISTORY_BUDGET`]. A million texts with three
/// labels can have tens of millions of parameters; seven pairs of them took 1.6 GB.
pub fn history_within_budget(memory: usize, params: usize) -> usize {
    let fits = HISTORY_BUDGET / (8 * params.max(1));
    memory.min(fits.max(3))
}

/// Logistic regression builder.
///
/// | param | default | range |
/// |---|---|---|
/// | `c` (inverse L2 strength) | 10 | `> 0` |
/// | `nb_weight` (NB log-count ratio feature scaling) | off | |
/// | `tol` (max abs gradient) | 1e-4 | `> 0` |
/// | `max_iter` | 1000 | `>= 1` |
/// | `memory` (L-BFGS history pairs) | 7 | `1..=50`; fewer when the history would pass 1 GiB (the history budget is checked when fitting) |
#[derive(Debug, Clone, PartialEq)]
pub struct LogRegParams(LogRegValidParams);

impl Default for LogRegParams {
    fn default() -> Self {
        LogRegParams(LogRegValidParams {
            c: 10.0,
            nb_weight: false,
            tol: 1e-4,
            max_iter: 1000,
            memory: 7,
        })
    }
}

impl LogRegParams {
    /// Defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Inverse regularisation strength.
    pub fn c(mut self, c: f32) -> Self {
        self.0.c = c;
        self
    }
    /// Scale features by NB log-count ratios.
    pub fn nb_weight(mut self, on: bool) -> Self {
        self.0.nb_weight = on;
        self
    }
    /// Gradient tolerance.
    pub fn tol(mut self, t: f64) -> Self {
        self.0.tol = t;
        self
    }
    /// Iteration cap.
    pub fn max_iter(mut self, n: u32) -> Self {
        self.0.max_iter = n;
        self
    }
    /// L-BFGS history length.
    pub fn memory(mut self, m: usize) -> Self {
        self.0.memory = m;
        self
    }
}

impl ParamGuard for LogRegParams {
    type Checked = LogRegValidParams;
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
        ensure((1..=50).contains(&p.memory), "memory", "must be in 1..=50")?;
        Ok(&self.0)
    }
    fn check(self) -> Result<Self::Checked> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl LogRegValidParams {
    /// Fit and also report L-BFGS iterations and whether it converged.
    pub fn fit_report(&self, ds: &super::Dataset) -> Result<(LinearModel, u32, bool)> {
        self.fit_observed(ds, &Silent)
    }

    /// [`fit_report`](Self::fit_report), telling `progress` each L-BFGS iteration.
    pub fn fit_observed(
        &self,
        ds: &super::Dataset,
        progress: &dyn Progress,
    ) -> Result<(LinearModel, u32, bool)> {
        let p = prepare(ds)?;
        if p.k == 2 {
            return Ok(self.fit_binary(&p, progress));
        }
        self.fit_multinomial(&p, progress)
    }

    /// Two classes: the softmax over two weight vectors is over-parameterised. With the
    /// penalty on both, the optimum has `W₀ = −W₁`, so it equals a binary logistic
    /// regression on `w = W₁ − W₀` with `C' = 2C`; solving that halves the work.
    fn fit_binary(&self, p: &Prepared<'_>, progress: &dyn Progress) -> (LinearModel, u32, bool) {
        // Class 1 against class 0; for two classes the class-0 ratios are the negation.
        let full_ratios: Option<Vec<f32>> = self
            .nb_weight
            .then(|| nb_ratios(p, 1.0).chunks(2).map(|r| r[1]).collect());
        let folded = Folded::new(p.x, full_ratios.as_deref());
        let ratios = folded.scale();
        let x = &folded.x;
        let (n, v) = (x.nrows(), x.ncols());
        // The gradient walks every column on every evaluation: it reads the CSC arrays
        // directly, as a sparse-matrix view per column cost more than the column's few
        // entries.
        let xt = x.matrix.to_csc();
        let indptr = xt.indptr();
        let (col_ptr, col_row, col_val) = (indptr.raw_storage(), xt.indices(), xt.data());
        let (row_col, row_val) = (x.matrix.indices(), x.matrix.data());
        let (far_w, far_r) = (v >= PREFETCH_FROM, n >= PREFETCH_FROM);
        let total_w: f64 = p.w.iter().map(|&w| w as f64).sum();
        let inv_cs = 1.0 / (2.0 * self.c as f64 * total_w);
        let mut eff = vec![0.0f32; if ratios.is_some() { v } else { 0 }];
        let mut res = vec![0.0f32; n];
        let mut loss = vec![0.0f64; n];
        let fg = |params: &[f32], grad: &mut [f32]| -> f64 {
            let (w, b) = params.split_at(v);
            let b = b[0];
            let eff = effective_weights(&mut eff, w, ratios.as_deref());
            res.par_iter_mut()
                .zip(loss.par_iter_mut())
                .enumerate()
                .for_each(|(i, (r, l))| {
                    let mut s = [b];
                    let rows = (row_col, row_val, eff, far_w);
                    add_products::<1, _>(&mut s, x.row_range(i), rows, score_term);
                    let s = s[0] as f64;
                    let wi = p.w[i] as f64;
                    let t = if p.y[i] == 1 { 1.0 } else { 0.0 };
                    // log(1 + e^{-z}) with z = ±s, stable for large |s|.
                    let z = if t == 1.0 { s } else { -s };
                    *l = wi
                        * (if z > 0.0 {
                            (-z).exp().ln_1p()
                        } else {
                            -z + z.exp().ln_1p()
                        });
                    let prob = 1.0 / (1.0 + (-s).exp());
                    *r = (wi * (prob - t) / total_w) as f32;
                });
            let res = &res;
            let (gw, gb) = grad.split_at_mut(v);
            gw.par_iter_mut()
                .with_min_len(1024)
                .enumerate()
                .for_each(|(j, g)| {
                    let mut acc = [0.0f64];
                    let cols = (col_row, col_val, res.as_slice(), far_r);
                    add_products::<1, _>(&mut acc, col_ptr[j]..col_ptr[j + 1], cols, gradient_term);
                    let acc = acc[0];
                    let scale = ratios.as_ref().map_or(1.0, |r| r[j] as f64);
                    *g = (acc * scale + w[j] as f64 * inv_cs) as f32;
                });
            gb[0] = res.iter().map(|&r| r as f64).sum::<f64>() as f32;
            let data: f64 = loss.iter().sum::<f64>() / total_w;
            let reg: f64 = squared_norm(w) * 0.5 * inv_cs;
            data + reg
        };
        let memory = history_within_budget(self.memory, v + 1);
        let mut share = folded.share.clone();
        share.push(1.0);
        let r = lbfgs::minimize_observed(
            vec![0.0; v + 1],
            fg,
            memory,
            self.tol,
            self.max_iter,
            Some(&share),
            progress,
        );
        let b = r.x[v] / 2.0;
        let raw = folded.unfold(p.x, &r.x[..v], 1);
        let mut weights = vec![0.0f32; 2 * raw.len()];
        for (j, &u) in raw.iter().enumerate() {
            let w = u * full_ratios.as_ref().map_or(1.0, |rt| rt[j]) / 2.0;
            weights[2 * j] = -w;
            weights[2 * j + 1] = w;
        }
        (
            LinearModel::new(raw.len(), 2, weights, vec![-b, b], 1.0),
            r.iterations,
            r.converged,
        )
    }

    /// Multinomial (softmax) fit for three or more classes; also the reference that the
    /// binary shortcut is tested against.
    fn fit_multinomial(
        &self,
        p: &Prepared<'_>,
        progress: &dyn Progress,
    ) -> Result<(LinearModel, u32, bool)> {
        let k = p.k;
        let ratios = self.nb_weight.then(|| nb_ratios(p, 1.0));
        // Ratios differ by class, so a row's private values would fold differently for
        // each: with them the problem is solved as it is.
        let folded = ratios.is_none().then(|| Folded::new(p.x, None));
        let x = folded.as_ref().map_or(p.x, |f| &f.x);
        let (n, v) = (x.nrows(), x.ncols());
        // Columns as plain arrays, as in `fit_binary`.
        let xt = x.matrix.to_csc();
        let indptr = xt.indptr();
        let (col_ptr, col_row, col_val) = (indptr.raw_storage(), xt.indices(), xt.data());
        let (row_col, row_val) = (x.matrix.indices(), x.matrix.data());
        let (far_w, far_r) = (v * k >= PREFETCH_FROM, n * k >= PREFETCH_FROM);
        let total_w: f64 = p.w.iter().map(|&w| w as f64).sum();
        let inv_cs = 1.0 / (self.c as f64 * total_w);
        let mut eff = vec![0.0f32; if ratios.is_some() { v * k } else { 0 }];
        let mut res = vec![0.0f32; n * k];
        let mut loss = vec![0.0f64; n];
        let fg = |params: &[f32], grad: &mut [f32]| -> f64 {
            let (w, b) = params.split_at(v * k);
            let eff = effective_weights(&mut eff, w, ratios.as_deref());
            res.par_chunks_mut(k)
                .zip(loss.par_iter_mut())
                .enumerate()
                .for_each_init(Vec::new, |s: &mut Vec<f32>, (i, (r, l))| {
                    s.clear();
                    s.extend_from_slice(b);
                    let range = x.row_range(i);
                    let rows = (row_col, row_val, eff, far_w);
                    match k {
                        3 => add_products::<3, _>(s, range, rows, score_term),
                        4 => add_products::<4, _>(s, range, rows, score_term),
                        _ => add_products::<0, _>(s, range, rows, score_term),
                    }
                    let lse = log_sum_exp(s);
                    let y = p.y[i];
                    let wi = p.w[i] as f64;
                    *l = wi * (lse - s[y] as f64);
                    for (c, (rc, &sc)) in r.iter_mut().zip(s.iter()).enumerate() {
                        let pc = (sc as f64 - lse).exp();
                        let t = if c == y { 1.0 } else { 0.0 };
                        *rc = (wi * (pc - t) / total_w) as f32;
                    }
                });
            let res = &res;
            let (gw, gb) = grad.split_at_mut(v * k);
            gw.par_chunks_mut(k)
                .with_min_len(256)
                .enumerate()
                .for_each_init(Vec::new, |acc: &mut Vec<f64>, (j, g)| {
                    acc.clear();
                    acc.resize(k, 0.0);
                    let range = col_ptr[j]..col_ptr[j + 1];
                    let cols = (col_row, col_val, res.as_slice(), far_r);
                    match k {
                        3 => add_products::<3, _>(acc, range, cols, gradient_term),
                        4 => add_products::<4, _>(acc, range, cols, gradient_term),
                        _ => add_products::<0, _>(acc, range, cols, gradient_term),
                    }
                    for c in 0..k {
                        let scale = ratios.as_ref().map_or(1.0, |r| r[j * k + c] as f64);
                        g[c] = (acc[c] * scale + w[j * k + c] as f64 * inv_cs) as f32;
                    }
                });
            for (c, g) in gb.iter_mut().enumerate() {
                *g = (0..n).map(|i| res[i * k + c] as f64).sum::<f64>() as f32;
            }
            let data: f64 = loss.iter().sum::<f64>() / total_w;
            let reg: f64 = squared_norm(w) * 0.5 * inv_cs;
            data + reg
        };
        let memory = history_within_budget(self.memory, v * k + k);
        let share: Option<Vec<f32>> = folded.as_ref().map(|f| {
            let mut s: Vec<f32> = f
                .share
                .iter()
                .flat_map(|&s| std::iter::repeat_n(s, k))
                .collect();
            s.resize(v * k + k, 1.0);
            s
        });
        let r = lbfgs::minimize_observed(
            vec![0.0; v * k + k],
            fg,
            memory,
            self.tol,
            self.max_iter,
            share.as_deref(),
            progress,
        );
        let (w, b) = r.x.split_at(v * k);
        let w = match &folded {
            Some(f) => f.unfold(p.x, w, k),
            None => w.to_vec(),
        };
        let weights = match &ratios {
            Some(rt) => w.iter().zip(rt).map(|(&w, &r)| w * r).collect(),
            None => w,
        };
        Ok((
            LinearModel::new(p.x.ncols(), k, weights, b.to_vec(), 1.0),
            r.iterations,
            r.converged,
        ))
    }
}

impl Fit<SparseRecords, Array1<usize>, Error> for LogRegValidParams {
    type Object = LinearModel;

    fn fit(&self, ds: &super::Dataset) -> Result<LinearModel> {
        self.fit_report(ds).map(|(m, _, _)| m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FeatureParams;
    use linfa::DatasetBase;

    /// Regression: the L2 term's blocks were added in whatever order rayon's reduction
    /// chose, which depends on how threads split the work; they must be added in order.
    #[test]
    fn squared_norm_adds_its_blocks_in_order() {
        // One large weight first, then blocks whose squares add up to 1 each: added in
        // order, each 1 is lost against 1e16 (its spacing there is 2); added in another
        // order, some of them first meet each other and count.
        let mut w = vec![0.0f32; 13 * 8192];
        w[0] = 1e8;
        for b in 1..13 {
            w[b * 8192] = 1.0;
        }
        let in_order = w
            .chunks(8192)
            .map(|c| c.iter().map(|&v| v as f64 * v as f64).sum::<f64>())
            .fold(0.0f64, |a, b| a + b);
        assert_eq!(in_order, 1e16);
        for _ in 0..20 {
            assert_eq!(squared_norm(&w).to_bits(), in_order.to_bits());
        }
    }

    /// The class sums built for a fixed class count, and with reading ahead, must give the
    /// general loop's sums bit for bit (the model must not depend on which one ran).
    #[test]
    fn fixed_class_count_sums_equal_the_general_loop_bit_for_bit() {
        let cols: Vec<u32> = (0..200u32).map(|t| (t * 7919) % 50).collect();
        let vals: Vec<f32> = (0..200).map(|t| 0.1 + (t % 13) as f32 / 7.0).collect();
        for k in [1usize, 3, 4] {
            let table: Vec<f32> = (0..50 * k)
                .map(|t| ((t * 31) % 17) as f32 / 3.0 - 2.5)
                .collect();
            let (plain, ahead) = (
                (&cols[..], &vals[..], &table[..], false),
                (&cols[..], &vals[..], &table[..], true),
            );
            check(k, plain, ahead, |c| c as f32 * 0.3, score_term);
            check(k, plain, ahead, |c| c as f64 * 0.3, gradient_term);
        }
    }

    /// The general loop plain and the `k`-specific one reading ahead, from the same start:
    /// both must change the sums and agree bit for bit.
    fn check<A>(
        k: usize,
        plain: (&[u32], &[f32], &[f32], bool),
        ahead: (&[u32], &[f32], &[f32], bool),
        start: impl Fn(usize) -> A,
        term: impl Fn(f32, f32) -> A + Copy,
    ) where
        A: Copy + Default + std::ops::AddAssign + PartialEq + std::fmt::Debug + Into<f64>,
    {
        let start: Vec<A> = (0..k).map(start).collect();
        let (mut a, mut b) = (start.clone(), start.clone());
        add_products::<0, _>(&mut a, 5..190, plain, term);
        match k {
            1 => add_products::<1, _>(&mut b, 5..190, ahead, term),
            3 => add_products::<3, _>(&mut b, 5..190, ahead, term),
            _ => add_products::<4, _>(&mut b, 5..190, ahead, term),
        }
        assert_ne!(a, start);
        // Widening to f64 is exact, so equal bits there are equal bits here.
        let bits = |v: &[A]| v.iter().map(|&x| x.into().to_bits()).collect::<Vec<u64>>();
        assert_eq!(bits(&a), bits(&b));
    }

    /// Short statements of two kinds (and, last, two neutral ones).
    const TEXTS: [&str; 9] = [
        "we will strike back hard",
        "they will pay for this attack",
        "we are ready to talk",
        "we welcome the offer of talks",
        "any attack will be met with force",
        "let us sit down and negotiate now",
        "we will talk if they stop the attack",
        "the meeting is on tuesday",
        "officials met in the capital today",
    ];

    /// Every row twice at half weight is the same objective with no column private to a
    /// row, so nothing is folded: both fits must reach the same model.
    #[test]
    fn folded_fit_equals_the_fit_of_the_same_problem_with_nothing_to_fold() {
        let texts = TEXTS;
        let v = FeatureParams::new().check().unwrap().fit(&texts).unwrap();
        let x = v.transform(&texts);
        let twice: Vec<usize> = (0..texts.len()).chain(0..texts.len()).collect();
        for (k, labels) in [
            (2, vec![0usize, 0, 1, 1, 0, 1, 1, 0, 1]),
            (3, vec![0usize, 0, 1, 1, 0, 1, 1, 2, 2]),
        ] {
            for nb_weight in [false, true] {
                let params = LogRegParams::new()
                    .c(3.0)
                    .tol(1e-7)
                    .nb_weight(nb_weight)
                    .check()
                    .unwrap();
                let once = DatasetBase::new(x.clone(), Array1::from(labels.clone()));
                let doubled = DatasetBase::new(
                    x.select_rows(&twice),
                    twice.iter().map(|&i| labels[i]).collect::<Array1<usize>>(),
                )
                .with_weights(Array1::from_elem(twice.len(), 0.5f32));
                let p_once = prepare(&once).unwrap();
                assert!(Folded::new(p_once.x, None).x.ncols() < x.ncols());
                let p_doubled = prepare(&doubled).unwrap();
                assert_eq!(Folded::new(p_doubled.x, None).x.ncols(), x.ncols());
                let (a, _, ok1) = params.fit_report(&once).unwrap();
                let (b, _, ok2) = params.fit_report(&doubled).unwrap();
                assert!(ok1 && ok2, "k {k}, nb {nb_weight}");
                for i in 0..texts.len() {
                    let (idx, val) = x.row(i);
                    for (pa, pb) in a.proba(idx, val).iter().zip(b.proba(idx, val)) {
                        assert!((pa - pb).abs() < 1e-3, "k {k}, nb {nb_weight}, row {i}");
                    }
                }
                let gap = a
                    .weights
                    .iter()
                    .zip(&b.weights)
                    .map(|(p, q)| (p - q).abs())
                    .fold(0.0f32, f32::max);
                assert!(gap < 1e-2, "k {k}, nb {nb_weight}: weights differ by {gap}");
            }
        }
    }

    #[test]
    fn binary_shortcut_equals_the_multinomial_solution() {
        let texts = &TEXTS[..7];
        let v = FeatureParams::new().check().unwrap().fit(texts).unwrap();
        let ds = DatasetBase::new(
            v.transform(texts),
            ndarray::array![0usize, 0, 1, 1, 0, 1, 1],
        );
        let p = prepare(&ds).unwrap();
        let params = LogRegParams::new().c(3.0).tol(1e-7).check().unwrap();
        let (bin, _, ok1) = params.fit_binary(&p, &Silent);
        let (multi, _, ok2) = params.fit_multinomial(&p, &Silent).unwrap();
        assert!(ok1 && ok2);
        for i in 0..texts.len() {
            let (idx, val) = ds.records.row(i);
            let (a, b) = (bin.proba(idx, val), multi.proba(idx, val));
            assert!((a[1] - b[1]).abs() < 1e-3, "row {i}: {a:?} vs {b:?}");
        }
    }
}
