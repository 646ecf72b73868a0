//! Classification metrics and stratified folds.

use serde::Serialize;

use crate::util::Rng;

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassMetrics {
    /// Of the rows predicted as this class, the fraction that are.
    pub precision: f64,
    /// Of the rows of this class, the fraction predicted as it.
    pub recall: f64,
    /// Harmonic mean of precision and recall (0 when both are 0).
    pub f1: f64,
    /// Rows of this class in the data.
    pub support: usize,
}

/// The result of comparing predictions with true labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Class labels; the order of `per_class` and of the confusion matrix.
    pub labels: Vec<String>,
    /// `confusion[t][p]`: rows with true label `t` predicted as `p`.
    pub confusion: Vec<Vec<usize>>,
    /// Fraction of rows predicted right.
    pub accuracy: f64,
    /// Unweighted mean F1 over the classes present in the truth or the predictions.
    pub macro_f1: f64,
    /// Per class, in label order.
    pub per_class: Vec<ClassMetrics>,
}

impl Evaluation {
    /// Compute from class indices into `labels`.
    pub fn new(labels: &[String], truth: &[usize], pred: &[usize]) -> Evaluation {
        let k = labels.len();
        let mut confusion = vec![vec![0usize; k]; k];
        for (&t, &p) in truth.iter().zip(pred) {
            confusion[t][p] += 1;
        }
        let n = truth.len();
        let correct: usize = confusion.iter().enumerate().map(|(c, row)| row[c]).sum();
        let mut per_class = Vec::with_capacity(k);
        let mut f1_sum = 0.0;
        let mut present = 0;
        for (c, row) in confusion.iter().enumerate() {
            let tp = row[c] as f64;
            let support: usize = row.iter().sum();
            let predicted: usize = (0..k).map(|t| confusion[t][c]).sum();
            let precision = if predicted > 0 {
                tp / predicted as f64
            } else {
                0.0
            };
            let recall = if support > 0 {
                tp / support as f64
            } else {
                0.0
            };
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            if support > 0 || predicted > 0 {
                f1_sum += f1;
                present += 1;
            }
            per_class.push(ClassMetrics {
                precision,
                recall,
                f1,
                support,
            });
        }
        Evaluation {
            labels: labels.to_vec(),
            confusion,
            accuracy: if n > 0 {
                correct as f64 / n as f64
            } else {
                0.0
            },
            macro_f1: if present > 0 {
                f1_sum / present as f64
            } else {
                0.0
            },
            per_class,
        }
    }
}

/// Assign each row to one of `k` folds so that every fold has the same label mix (within
/// one row per class): rows of each class are shuffled with the seeded generator, then
/// dealt round-robin, continuing the deal across classes.
pub fn stratified_folds(y: &[usize], k: usize, rng: &mut Rng) -> Vec<usize> {
    let classes = y.iter().copied().max().map_or(0, |m| m + 1);
    let mut fold = vec![0usize; y.len()];
    let mut next = 0;
    for c in 0..classes {
        let mut rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == c).collect();
        rng.shuffle(&mut rows);
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

    /// Hand-computed confusion matrix (rows = truth):
    /// ```text
    ///        a  b  c
    ///   a    3  1  0
    ///   b    1  2  1
    ///   c    0  0  2
    /// ```
    /// precision a = 3/4, b = 2/3, c = 2/3; recall a = 3/4, b = 2/4, c = 2/2;
    /// f1 a = 0.75, b = 4/7, c = 0.8; macro = (0.75 + 0.571429 + 0.8) / 3 = 0.707143;
    /// accuracy = 7/10.
    #[test]
    fn metrics_match_a_hand_computed_confusion_matrix() {
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let truth = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2];
        let pred = [0, 0, 0, 1, 0, 1, 1, 2, 2, 2];
        let e = Evaluation::new(&labels, &truth, &pred);
        assert_eq!(
            e.confusion,
            vec![vec![3, 1, 0], vec![1, 2, 1], vec![0, 0, 2]]
        );
        assert!((e.accuracy - 0.7).abs() < 1e-12);
        assert!((e.per_class[0].precision - 0.75).abs() < 1e-12);
        assert!((e.per_class[1].precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((e.per_class[1].recall - 0.5).abs() < 1e-12);
        assert!((e.per_class[1].f1 - 4.0 / 7.0).abs() < 1e-12);
        assert!((e.per_class[2].f1 - 0.8).abs() < 1e-12);
        assert!((e.macro_f1 - 0.707_142_857).abs() < 1e-9);
        assert_eq!(e.per_class[2].support, 2);
    }

    #[test]
    fn classes_absent_from_truth_and_predictions_do_not_count_in_macro_f1() {
        let labels: Vec<String> = ["a", "b", "z"].iter().map(|s| s.to_string()).collect();
        let e = Evaluation::new(&labels, &[0, 1], &[0, 1]);
        assert_eq!(e.macro_f1, 1.0);
    }

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
}
