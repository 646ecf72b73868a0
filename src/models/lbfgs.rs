//! Limited-memory BFGS with a backtracking (Armijo) line search.
//!
//! Vectors are stored as `f32` to keep memory at a few copies of the weight matrix; dot
//! products accumulate in `f64`.

use std::collections::VecDeque;

use crate::util::progress::{Event, Progress, Silent};

/// Outcome of [`minimize`].
#[derive(Debug, Clone)]
pub struct LbfgsResult {
    /// The minimiser found.
    pub x: Vec<f32>,
    /// Objective at `x`.
    pub f: f64,
    /// Iterations taken.
    pub iterations: u32,
    /// Whether a tolerance was met (rather than the iteration cap).
    pub converged: bool,
}

/// Four independent f64 accumulators, so the compiler can keep a vector pipeline busy.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += x[k] as f64 * y[k] as f64;
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(&x, &y)| x as f64 * y as f64).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// `max |a_i|` (0 for an empty slice; NaNs are skipped, as `f32::max` does). The maximum
/// does not depend on the order it is taken in, so eight lanes run side by side instead of
/// one chain of dependent comparisons.
#[inline(always)]
fn max_abs(a: &[f32]) -> f64 {
    let mut lanes = [0.0f32; 8];
    let chunks = a.chunks_exact(8);
    let tail = chunks
        .remainder()
        .iter()
        .fold(0.0f32, |m, &v| m.max(v.abs()));
    for c in chunks {
        for k in 0..8 {
            lanes[k] = lanes[k].max(c[k].abs());
        }
    }
    lanes.iter().fold(tail, |m, &v| m.max(v)) as f64
}

/// `max |a_i| · share_i` (with no shares, [`max_abs`]): the largest gradient entry of the
/// problem a folded one stands for (see `fold`).
#[inline(always)]
fn max_abs_shared(a: &[f32], share: Option<&[f32]>) -> f64 {
    let Some(share) = share else {
        return max_abs(a);
    };
    let mut lanes = [0.0f32; 8];
    let (ca, cs) = (a.chunks_exact(8), share.chunks_exact(8));
    let tail = ca
        .remainder()
        .iter()
        .zip(cs.remainder())
        .fold(0.0f32, |m, (&v, &s)| m.max(v.abs() * s));
    for (c, s) in ca.zip(cs) {
        for k in 0..8 {
            lanes[k] = lanes[k].max(c[k].abs() * s[k]);
        }
    }
    lanes.iter().fold(tail, |m, &v| m.max(v)) as f64
}

/// Minimise a smooth function. `fg(x, grad)` returns `f(x)` and writes `∇f(x)` into `grad`.
/// Stops when `max |∇f| <= tol`, when the relative decrease of `f` falls below 1e-10
/// three times in a row, or after `max_iter` iterations.
pub fn minimize(
    x0: Vec<f32>,
    fg: impl FnMut(&[f32], &mut [f32]) -> f64,
    memory: usize,
    tol: f64,
    max_iter: u32,
) -> LbfgsResult {
    minimize_shared(x0, fg, memory, tol, max_iter, None)
}

/// [`minimize`], stopping when `max |∇f_i| · share_i <= tol` (`share` as long as `x0`).
pub fn minimize_shared(
    x0: Vec<f32>,
    fg: impl FnMut(&[f32], &mut [f32]) -> f64,
    memory: usize,
    tol: f64,
    max_iter: u32,
    share: Option<&[f32]>,
) -> LbfgsResult {
    minimize_observed(x0, fg, memory, tol, max_iter, share, &Silent)
}

/// [`minimize_shared`], telling `progress` at each iteration the figure the stopping rule
/// compares with `tol` ([`Event::Iteration`]). It is computed for that rule anyway, so
/// watching costs one call per iteration and changes nothing.
pub fn minimize_observed(
    x0: Vec<f32>,
    fg: impl FnMut(&[f32], &mut [f32]) -> f64,
    memory: usize,
    tol: f64,
    max_iter: u32,
    share: Option<&[f32]>,
    progress: &dyn Progress,
) -> LbfgsResult {
    let stop = Stop {
        tol,
        max_iter,
        share,
        progress,
    };
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU was just found to support AVX2.
        return unsafe { minimize_avx2(x0, fg, memory, &stop) };
    }
    minimize_any(x0, fg, memory, &stop)
}

/// When to stop, and who is told how close it is.
struct Stop<'a> {
    tol: f64,
    max_iter: u32,
    share: Option<&'a [f32]>,
    progress: &'a dyn Progress,
}

impl Stop<'_> {
    /// The largest (shared) gradient entry, reported as iteration `n`'s.
    #[inline(always)]
    fn gradient(&self, g: &[f32], n: u32) -> f64 {
        let norm = max_abs_shared(g, self.share);
        self.progress.event(Event::Iteration {
            n: n as u64,
            max: self.max_iter as u64,
            grad_norm: norm,
            tol: self.tol,
        });
        norm
    }
}

/// [`minimize`] compiled for AVX2. The vector loops convert between `f32` and `f64`; with
/// twice the lanes they take about half the time. No fused multiply-add is enabled, and
/// each lane does the same operations in the same order, so the result is the portable
/// build's, bit for bit (a test checks it).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn minimize_avx2(
    x0: Vec<f32>,
    fg: impl FnMut(&[f32], &mut [f32]) -> f64,
    memory: usize,
    stop: &Stop<'_>,
) -> LbfgsResult {
    minimize_any(x0, fg, memory, stop)
}

/// The body of [`minimize`], inlined into each build of it, as are the steps it calls.
#[inline(always)]
fn minimize_any(
    x0: Vec<f32>,
    mut fg: impl FnMut(&[f32], &mut [f32]) -> f64,
    memory: usize,
    stop: &Stop<'_>,
) -> LbfgsResult {
    let n = x0.len();
    let mut x = x0;
    let mut g = vec![0.0f32; n];
    let mut f = fg(&x, &mut g);
    let mut hist = History::new(memory);
    let mut d = vec![0.0f32; n];
    let mut x_new = vec![0.0f32; n];
    let mut g_new = vec![0.0f32; n];
    let mut stalls = 0;
    for it in 0..stop.max_iter {
        let norm = stop.gradient(&g, it);
        if norm <= stop.tol {
            return LbfgsResult {
                x,
                f,
                iterations: it,
                converged: true,
            };
        }
        let slope = hist.direction(&g, &mut d);
        let step = if hist.pairs.is_empty() {
            (1.0 / dot(&g, &g).sqrt()).min(1.0)
        } else {
            1.0
        };
        let Some(f_new) = line_search(
            &mut fg,
            (&x, &d),
            (f, slope, step),
            (&mut x_new, &mut g_new),
        ) else {
            return LbfgsResult {
                x,
                f,
                iterations: it,
                converged: norm <= stop.tol * 10.0,
            };
        };
        hist.remember((&x, &x_new), (&g, &g_new));
        let decrease = f - f_new;
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        f = f_new;
        if decrease <= 1e-10 * f.abs().max(1.0) {
            stalls += 1;
            if stalls >= 3 {
                return LbfgsResult {
                    x,
                    f,
                    iterations: it + 1,
                    converged: true,
                };
            }
        } else {
            stalls = 0;
        }
    }
    let converged = stop.gradient(&g, stop.max_iter) <= stop.tol;
    LbfgsResult {
        x,
        f,
        iterations: stop.max_iter,
        converged,
    }
}

/// The last `memory` steps and gradient changes, which stand for the inverse Hessian.
struct History {
    /// Pairs (s, y, s·y, y·y): both products are needed on every iteration and never
    /// change.
    pairs: VecDeque<(Vec<f32>, Vec<f32>, f64, f64)>,
    memory: usize,
    /// The first loop's coefficients, one per pair.
    alpha: Vec<f64>,
    /// The buffers of the pair last dropped, for the next one: a fresh pair of large
    /// vectors per iteration costs page faults that showed in profiles.
    spare: Option<(Vec<f32>, Vec<f32>)>,
}

impl History {
    fn new(memory: usize) -> History {
        History {
            pairs: VecDeque::with_capacity(memory),
            memory,
            alpha: vec![0.0f64; memory],
            spare: None,
        }
    }

    /// The search direction `d = -H g` by the two-loop recursion, and its slope `g·d`.
    /// When `d` is not a descent direction (numerical trouble), the pairs are forgotten
    /// and `d` restarts from steepest descent.
    #[inline(always)]
    fn direction(&mut self, g: &[f32], d: &mut [f32]) -> f64 {
        d.iter_mut().zip(g).for_each(|(d, &g)| *d = -g);
        for (i, (s, y, sy, _)) in self.pairs.iter().enumerate().rev() {
            let a = (1.0 / sy) * dot(s, d);
            self.alpha[i] = a;
            d.iter_mut()
                .zip(y)
                .for_each(|(d, &y)| *d -= (a * y as f64) as f32);
        }
        if let Some((_, _, sy, yy)) = self.pairs.back() {
            let gamma = sy / yy;
            d.iter_mut().for_each(|d| *d = (*d as f64 * gamma) as f32);
        }
        for (i, (s, y, sy, _)) in self.pairs.iter().enumerate() {
            let b = (1.0 / sy) * dot(y, d);
            let a = self.alpha[i];
            d.iter_mut()
                .zip(s)
                .for_each(|(d, &s)| *d += ((a - b) * s as f64) as f32);
        }
        let slope = dot(g, d);
        if slope >= 0.0 || !slope.is_finite() {
            self.pairs.clear();
            d.iter_mut().zip(g).for_each(|(d, &g)| *d = -g);
            return dot(g, d);
        }
        slope
    }

    /// Keep the pair of the step from `x` to `x_new` (gradients `g` to `g_new`) when its
    /// curvature `s·y` is positive, dropping the oldest beyond `memory`.
    #[inline(always)]
    fn remember(&mut self, (x, x_new): (&[f32], &[f32]), (g, g_new): (&[f32], &[f32])) {
        let n = x.len();
        let (mut s, mut y) = self
            .spare
            .take()
            .unwrap_or_else(|| (vec![0.0f32; n], vec![0.0f32; n]));
        s.iter_mut()
            .zip(x_new.iter().zip(x))
            .for_each(|(s, (&a, &b))| *s = a - b);
        y.iter_mut()
            .zip(g_new.iter().zip(g))
            .for_each(|(y, (&a, &b))| *y = a - b);
        let sy = dot(&s, &y);
        if sy > 1e-12 {
            if self.pairs.len() == self.memory {
                self.spare = self.pairs.pop_front().map(|(s, y, _, _)| (s, y));
            }
            let yy = dot(&y, &y);
            self.pairs.push_back((s, y, sy, yy));
        } else {
            self.spare = Some((s, y));
        }
    }
}

/// Backtracking (Armijo) line search from `x` along `d`: the first of `step`, `step / 2`,
/// … (40 tries) that lowers `f` by at least `1e-4 · step · slope`. Returns `f` there, with
/// the point and its gradient in `x_new` and `g_new`; `None` when no try did.
#[inline(always)]
fn line_search(
    fg: &mut impl FnMut(&[f32], &mut [f32]) -> f64,
    (x, d): (&[f32], &[f32]),
    (f, slope, mut step): (f64, f64, f64),
    (x_new, g_new): (&mut [f32], &mut [f32]),
) -> Option<f64> {
    for _ in 0..40 {
        x_new
            .iter_mut()
            .zip(x.iter().zip(d))
            .for_each(|(xn, (&x, &d))| *xn = (x as f64 + step * d as f64) as f32);
        let f_new = fg(x_new, g_new);
        if f_new.is_finite() && f_new <= f + 1e-4 * step * slope {
            return Some(f_new);
        }
        step *= 0.5;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_the_rosenbrock_function() {
        let r = minimize(
            vec![-1.2, 1.0],
            |x, g| {
                let (a, b) = (x[0] as f64, x[1] as f64);
                g[0] = (-2.0 * (1.0 - a) - 400.0 * a * (b - a * a)) as f32;
                g[1] = (200.0 * (b - a * a)) as f32;
                (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
            },
            7,
            1e-4,
            500,
        );
        assert!(r.converged);
        assert!(
            (r.x[0] - 1.0).abs() < 1e-2 && (r.x[1] - 1.0).abs() < 2e-2,
            "{:?}",
            r.x
        );
    }

    /// The AVX2 build must not change a single bit: models would then depend on the CPU.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_build_gives_the_portable_result_bit_for_bit() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        // A smooth, ill-conditioned problem over enough variables to fill the vector loops:
        // f = Σ c_i · softplus(x_i − t_i) + 0.01 · Σ x_i².
        let n = 1003;
        let fg = |x: &[f32], g: &mut [f32]| {
            let mut f = 0.0;
            for i in 0..n {
                let c = 1.0 + (i % 17) as f64;
                let z = x[i] as f64 - (i % 5) as f64 * 0.7;
                f += c * z.exp().ln_1p() + 0.01 * (x[i] as f64).powi(2);
                g[i] = (c / (1.0 + (-z).exp()) + 0.02 * x[i] as f64) as f32;
            }
            f
        };
        // Shares below 1 stop the search earlier, at another point to compare.
        let share: Vec<f32> = (0..n).map(|i| 0.25 + (i % 4) as f32 / 4.0).collect();
        for share in [None, Some(&share[..])] {
            let stop = Stop {
                tol: 1e-6,
                max_iter: 200,
                share,
                progress: &Silent,
            };
            let portable = minimize_any(vec![0.5; n], fg, 7, &stop);
            // SAFETY: AVX2 support was checked above.
            let avx2 = unsafe { minimize_avx2(vec![0.5; n], fg, 7, &stop) };
            assert!(portable.iterations > 5, "{}", portable.iterations);
            assert_eq!(portable.iterations, avx2.iterations);
            assert_eq!(portable.f.to_bits(), avx2.f.to_bits());
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&portable.x), bits(&avx2.x));
        }
    }

    #[test]
    fn max_abs_equals_the_largest_magnitude_in_any_order() {
        let v: Vec<f32> = (0..1003)
            .map(|i| ((i * 7919) % 1009) as f32 * if i % 3 == 0 { -1.0 } else { 1.0 })
            .collect();
        let serial = v.iter().fold(0.0f64, |m, &x| m.max((x as f64).abs()));
        assert_eq!(max_abs(&v), serial);
        assert_eq!(serial, 1008.0);
        assert_eq!(max_abs(&[]), 0.0);
        assert_eq!(max_abs(&[f32::NAN, -2.5, 1.0]), 2.5);
        let share: Vec<f32> = (0..v.len()).map(|i| ((i * 13) % 7) as f32 / 6.0).collect();
        let serial = v
            .iter()
            .zip(&share)
            .fold(0.0f32, |m, (&x, &s)| m.max(x.abs() * s));
        assert_eq!(max_abs_shared(&v, Some(&share)), serial as f64);
        assert!(max_abs_shared(&v, Some(&share)) < max_abs(&v));
        assert_eq!(max_abs_shared(&v, None), max_abs(&v));
    }

    /// Each iteration's largest gradient entry is reported, from the start to the one that
    /// met the tolerance, and watching gives the same minimiser bit for bit.
    #[test]
    fn each_iteration_is_reported_and_watching_changes_nothing() {
        let fg = |x: &[f32], g: &mut [f32]| {
            let mut f = 0.0;
            for i in 0..5 {
                let d = x[i] as f64 - i as f64;
                f += (i + 1) as f64 * d * d;
                g[i] = (2.0 * (i + 1) as f64 * d) as f32;
            }
            f
        };
        let seen = std::sync::Mutex::new(Vec::new());
        let watch = |e: Event<'_>| {
            if let Event::Iteration { n, grad_norm, .. } = e {
                seen.lock().unwrap().push((n, grad_norm));
            }
        };
        let plain = minimize(vec![0.0; 5], fg, 5, 1e-5, 200);
        let watched = minimize_observed(vec![0.0; 5], fg, 5, 1e-5, 200, None, &watch);
        assert_eq!(plain.iterations, watched.iterations);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&plain.x), bits(&watched.x));
        let seen = seen.into_inner().unwrap();
        assert!(watched.converged);
        assert_eq!(seen.len() as u32, watched.iterations + 1);
        assert!(seen.iter().enumerate().all(|(i, s)| s.0 == i as u64));
        // At x = 0 the largest gradient entry is 2 · 5 · 4 = 40; the last met 1e-5.
        assert_eq!(seen[0].1, 40.0);
        assert!(seen.last().unwrap().1 <= 1e-5);
    }

    #[test]
    fn minimises_a_quadratic_exactly() {
        // f = Σ (i+1) (x_i − i)², minimum at x_i = i.
        let r = minimize(
            vec![0.0; 5],
            |x, g| {
                let mut f = 0.0;
                for i in 0..5 {
                    let d = x[i] as f64 - i as f64;
                    f += (i + 1) as f64 * d * d;
                    g[i] = (2.0 * (i + 1) as f64 * d) as f32;
                }
                f
            },
            5,
            1e-5,
            200,
        );
        for (i, v) in r.x.iter().enumerate() {
            assert!((*v as f64 - i as f64).abs() < 1e-4);
        }
    }
}
