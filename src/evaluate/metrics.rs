//! Classification metrics: accuracy, per-class precision and recall, macro-F1, confusion,
//! and reliability (calibration) tables.

use serde::Serialize;

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

/// One confidence bin of a reliability table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityBin {
    /// Lower edge of the bin (inclusive).
    pub lower: f64,
    /// Upper edge (exclusive, except for the last bin, which holds confidence 1).
    pub upper: f64,
    /// Predictions whose confidence falls in the bin.
    pub count: usize,
    /// Mean confidence of those predictions (0 for an empty bin).
    pub mean_confidence: f64,
    /// Fraction of them that are right (0 for an empty bin).
    pub accuracy: f64,
}

/// How well confidences match accuracy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reliability {
    /// Expected calibration error: `Σ_b (n_b / n) · |accuracy_b − mean_confidence_b|`.
    pub ece: f64,
    /// Equal-width bins over `[0, 1]`, in order.
    pub bins: Vec<ReliabilityBin>,
}

/// Expected calibration error and the reliability table of predictions, from the
/// confidence of each predicted label (its probability) and whether it was right.
/// Bins are `bins` equal-width intervals `[i/bins, (i+1)/bins)`, the last one closed.
pub fn reliability(confidence: &[f64], correct: &[bool], bins: usize) -> Reliability {
    let bins = bins.max(1);
    let mut count = vec![0usize; bins];
    let mut conf_sum = vec![0.0f64; bins];
    let mut right = vec![0usize; bins];
    for (&c, &ok) in confidence.iter().zip(correct) {
        let b = ((c * bins as f64).floor().max(0.0) as usize).min(bins - 1);
        count[b] += 1;
        conf_sum[b] += c;
        right[b] += usize::from(ok);
    }
    let n: usize = count.iter().sum();
    let mut ece = 0.0;
    let out = (0..bins)
        .map(|b| {
            let (mean_confidence, accuracy) = if count[b] > 0 {
                (
                    conf_sum[b] / count[b] as f64,
                    right[b] as f64 / count[b] as f64,
                )
            } else {
                (0.0, 0.0)
            };
            if n > 0 {
                ece += count[b] as f64 / n as f64 * (accuracy - mean_confidence).abs();
            }
            ReliabilityBin {
                lower: b as f64 / bins as f64,
                upper: (b + 1) as f64 / bins as f64,
                count: count[b],
                mean_confidence,
                accuracy,
            }
        })
        .collect();
    Reliability { ece, bins: out }
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

    /// Hand-computed, 4 bins of width 0.25, six predictions:
    /// ```text
    ///   confidence  0.30  0.40  0.60  0.70  0.90  1.00
    ///   correct      no    yes   yes   no    yes   yes
    /// ```
    /// bin [0.25, 0.5): 2 rows, mean conf 0.35, accuracy 0.5, gap 0.15;
    /// bin [0.5, 0.75): 2 rows, mean conf 0.65, accuracy 0.5, gap 0.15;
    /// bin [0.75, 1]:   2 rows, mean conf 0.95, accuracy 1.0, gap 0.05 (1.0 falls in the last bin);
    /// ECE = (2·0.15 + 2·0.15 + 2·0.05) / 6 = 0.7 / 6 = 0.116667.
    #[test]
    fn ece_matches_a_hand_computed_example() {
        let conf = [0.3, 0.4, 0.6, 0.7, 0.9, 1.0];
        let ok = [false, true, true, false, true, true];
        let r = reliability(&conf, &ok, 4);
        assert!((r.ece - 0.7 / 6.0).abs() < 1e-12, "{}", r.ece);
        let counts: Vec<usize> = r.bins.iter().map(|b| b.count).collect();
        assert_eq!(counts, [0, 2, 2, 2]);
        assert!((r.bins[1].mean_confidence - 0.35).abs() < 1e-12);
        assert!((r.bins[2].accuracy - 0.5).abs() < 1e-12);
        assert!((r.bins[3].mean_confidence - 0.95).abs() < 1e-12);
        assert_eq!((r.bins[3].lower, r.bins[3].upper), (0.75, 1.0));
        assert_eq!(r.bins[0].accuracy, 0.0);
    }

    #[test]
    fn perfectly_calibrated_bins_have_zero_ece() {
        // Ten predictions at 0.8 of which eight are right.
        let conf = [0.8; 10];
        let ok: Vec<bool> = (0..10).map(|i| i < 8).collect();
        let r = reliability(&conf, &ok, 10);
        assert!(r.ece.abs() < 1e-12);
        assert_eq!(r.bins[8].count, 10);
    }
}
