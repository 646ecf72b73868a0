//! Stratified sampling: k folds and held-out fractions that keep every class's share. Both
//! draw from one per-class shuffle, so a seed gives the same rows to cross-validation,
//! learning curves and calibrated training.

use crate::util::Rng;

/// Rows of each class, each class's rows shuffled by `rng`, classes in index order.
pub(crate) fn shuffled_by_class(rows: &[usize], y: &[usize], rng: &mut Rng) -> Vec<Vec<usize>> {
    let k = rows.iter().map(|&i| y[i] + 1).max().unwrap_or(0);
    let mut by_class = vec![Vec::new(); k];
    for &i in rows {
        by_class[y[i]].push(i);
    }
    for c in &mut by_class {
        rng.shuffle(c);
    }
    by_class
}

/// How many of `n` rows of one class a `fraction` keeps: rounded, at least one.
pub(crate) fn class_share(n: usize, fraction: f64) -> usize {
    if n == 0 {
        return 0;
    }
    ((n as f64 * fraction).round() as usize).clamp(1, n)
}

/// Split `0..y.len()` into (rest, held out) with about `fraction` of every class held out.
/// A class with at least two rows keeps at least one on each side; a class with one row
/// stays in the rest. Both lists are in row order.
pub fn stratified_split(y: &[usize], fraction: f64, rng: &mut Rng) -> (Vec<usize>, Vec<usize>) {
    let all: Vec<usize> = (0..y.len()).collect();
    let mut rest = Vec::new();
    let mut held = Vec::new();
    for rows in shuffled_by_class(&all, y, rng) {
        let h = if rows.len() < 2 {
            0
        } else {
            class_share(rows.len(), fraction).min(rows.len() - 1)
        };
        held.extend_from_slice(&rows[..h]);
        rest.extend_from_slice(&rows[h..]);
    }
    rest.sort_unstable();
    held.sort_unstable();
    (rest, held)
}

/// Assign every row of `y` to one of `k` folds so that each class is spread evenly: each
/// class's rows, shuffled, are dealt round-robin, continuing from one class to the next.
pub fn stratified_folds(y: &[usize], k: usize, rng: &mut Rng) -> Vec<usize> {
    let all: Vec<usize> = (0..y.len()).collect();
    let mut fold = vec![0usize; y.len()];
    let mut next = 0;
    for rows in shuffled_by_class(&all, y, rng) {
        for i in rows {
            fold[i] = next % k;
            next += 1;
        }
    }
    fold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_folds_balance_each_class() {
        let y: Vec<usize> = (0..100).map(|i| usize::from(i % 4 == 0)).collect();
        let folds = stratified_folds(&y, 5, &mut Rng::new(1));
        for f in 0..5 {
            let ones = (0..100).filter(|&i| folds[i] == f && y[i] == 1).count();
            let all = folds.iter().filter(|&&x| x == f).count();
            assert_eq!(ones, 5);
            assert_eq!(all, 20);
        }
    }

    #[test]
    fn stratified_split_holds_out_each_class_share() {
        // 20 rows of class 0, 10 of class 1, 1 of class 2.
        let mut y = vec![0; 20];
        y.extend(vec![1; 10]);
        y.push(2);
        let (rest, held) = stratified_split(&y, 0.2, &mut Rng::new(5));
        assert_eq!(held.iter().filter(|&&i| y[i] == 0).count(), 4);
        assert_eq!(held.iter().filter(|&&i| y[i] == 1).count(), 2);
        assert_eq!(held.iter().filter(|&&i| y[i] == 2).count(), 0);
        assert_eq!(rest.len() + held.len(), y.len());
        let mut all: Vec<usize> = rest.iter().chain(&held).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..y.len()).collect::<Vec<_>>());
        assert_eq!(
            stratified_split(&y, 0.2, &mut Rng::new(5)),
            (rest, held),
            "same seed, same split"
        );
    }
}
