//! Temperature scaling: one scalar `T` so that `softmax(score / T)` has the least log-loss.

use super::log_sum_exp;

/// Mean negative log-likelihood of the labels under `softmax(score / t)`.
pub fn nll(scores: &[Vec<f32>], y: &[usize], t: f64) -> f64 {
    let mut total = 0.0;
    let mut buf = Vec::new();
    for (s, &c) in scores.iter().zip(y) {
        buf.clear();
        buf.extend(s.iter().map(|&v| (v as f64 / t) as f32));
        total += log_sum_exp(&buf) - buf[c] as f64;
    }
    total / scores.len().max(1) as f64
}

/// Fit the temperature by golden-section search on `ln T ∈ [−4, 4]` (the NLL is unimodal
/// in `T` for fixed scores). Returns 1 when there is nothing to fit.
pub fn fit_temperature(scores: &[Vec<f32>], y: &[usize]) -> f32 {
    if scores.is_empty() {
        return 1.0;
    }
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (-4.0f64, 4.0f64);
    let f = |lt: f64| nll(scores, y, lt.exp());
    let mut c = b - phi * (b - a);
    let mut d = a + phi * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..60 {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - phi * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + phi * (b - a);
            fd = f(d);
        }
    }
    ((a + b) / 2.0).exp() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_recovers_a_known_scale() {
        // Labels drawn so that softmax(s / 2) is the true model: the fit should land near 2.
        let mut scores = Vec::new();
        let mut y = Vec::new();
        let mut rng = crate::util::Rng::new(3);
        for _ in 0..4000 {
            let s = (rng.unit() * 8.0 - 4.0) as f32;
            let p1 = 1.0 / (1.0 + (-(s as f64) / 2.0).exp());
            scores.push(vec![0.0, s]);
            y.push(usize::from(rng.unit() < p1));
        }
        let t = fit_temperature(&scores, &y);
        assert!((t - 2.0).abs() < 0.25, "t = {t}");
    }
}
