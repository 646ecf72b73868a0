use linfa::traits::{Fit, Predict};
use linfa::{DatasetBase, ParamGuard};
use linfa_bayes::NaiveBayes;
use ndarray::{Array1, Array2};

use super::*;
use crate::features::{FeatureParams, SparseRecords};

fn toy() -> (SparseRecords, Array1<usize>) {
    let texts = [
        "we will strike back hard",
        "they will pay for this attack",
        "any attack will be met with force",
        "we are ready to talk",
        "we welcome the offer of talks",
        "let us sit down and negotiate",
        "the meeting is on tuesday",
        "the report was published today",
        "officials met in the capital",
    ];
    let y = Array1::from(vec![0, 0, 0, 1, 1, 1, 2, 2, 2]);
    let v = FeatureParams::new().check().unwrap().fit(&texts).unwrap();
    (v.transform(&texts), y)
}

fn dense(x: &SparseRecords) -> Array2<f64> {
    let mut d = Array2::zeros((x.nrows(), x.ncols()));
    for i in 0..x.nrows() {
        let (idx, val) = x.row(i);
        for (&j, &v) in idx.iter().zip(val) {
            d[[i, j as usize]] = v as f64;
        }
    }
    d
}

fn probs(m: &LinearModel, x: &SparseRecords) -> Array2<f32> {
    m.predict(&DatasetBase::new(
        x.clone(),
        Array1::<usize>::zeros(x.nrows()),
    ))
}

#[test]
fn nb_matches_linfa_bayes_multinomial_nb() {
    let (x, y) = toy();
    let ds = DatasetBase::new(x.clone(), y.clone());
    let ours = MultinomialNbParams::new()
        .alpha(0.5)
        .check()
        .unwrap()
        .fit(&ds)
        .unwrap();
    let dense_ds = DatasetBase::new(dense(&x), y.clone());
    let oracle = linfa_bayes::MultinomialNb::params()
        .alpha(0.5)
        .fit(&dense_ds)
        .unwrap();
    let oracle_pred: Array1<usize> = oracle.predict(&dense(&x));
    let oracle_proba = oracle.predict_proba(dense(&x).view()).0;
    let our_pred: Array1<usize> = ours.predict(&ds);
    assert_eq!(our_pred, oracle_pred);
    let ours_p = probs(&ours, &x);
    for (a, b) in ours_p.iter().zip(oracle_proba.iter()) {
        assert!((*a as f64 - b).abs() < 1e-4, "{a} vs {b}");
    }
}

#[test]
fn logreg_matches_linfa_logistic_multi_logistic_regression() {
    let (x, y) = toy();
    let ds = DatasetBase::new(x.clone(), y.clone());
    let c = 4.0f32;
    let ours = LogRegParams::new()
        .c(c)
        .tol(1e-6)
        .check()
        .unwrap()
        .fit(&ds)
        .unwrap();
    // linfa minimises Σ loss + α/2 ‖W‖², the same optimum as ours with α = 1/C.
    let oracle = linfa_logistic::MultiLogisticRegression::default()
        .alpha(1.0 / c as f64)
        .gradient_tolerance(1e-8)
        .max_iterations(2000)
        .fit(&DatasetBase::new(dense(&x), y.clone()))
        .unwrap();
    let oracle_pred: Array1<usize> = oracle.predict(&dense(&x));
    let our_pred: Array1<usize> = ours.predict(&ds);
    assert_eq!(our_pred, oracle_pred);
    let oracle_proba = oracle.predict_probabilities(&dense(&x));
    let ours_p = probs(&ours, &x);
    // linfa orders its classes by label value, which here is the class index.
    for (a, b) in ours_p.iter().zip(oracle_proba.iter()) {
        assert!((*a as f64 - b).abs() < 2e-3, "{a} vs {b}");
    }
}

#[test]
fn every_model_learns_the_toy_problem_and_probabilities_sum_to_one() {
    let (x, y) = toy();
    let ds = DatasetBase::new(x.clone(), y.clone());
    for kind in ModelKind::ALL {
        for nbw in [false, true] {
            let s = ModelSettings {
                nb_weight: nbw,
                ..ModelSettings::for_kind(kind)
            };
            let m = s.fit(&ds).unwrap();
            let pred: Array1<usize> = m.predict(&ds);
            assert_eq!(pred, y, "{kind:?} nb_weight={nbw}");
            for row in probs(&m, &x).rows() {
                assert!((row.sum() - 1.0).abs() < 1e-5);
            }
        }
    }
}

#[test]
fn svm_binary_separates_two_classes() {
    let (x, y) = toy();
    let keep: Vec<usize> = (0..6).collect();
    let xs = x.select_rows(&keep);
    let ys = Array1::from(y.iter().take(6).copied().collect::<Vec<_>>());
    let ds = DatasetBase::new(xs, ys.clone());
    let m = LinearSvmParams::new().check().unwrap().fit(&ds).unwrap();
    let pred: Array1<usize> = m.predict(&ds);
    assert_eq!(pred, ys);
}

#[test]
fn one_class_is_refused() {
    let (x, _) = toy();
    let ds = DatasetBase::new(x, Array1::zeros(9));
    assert!(matches!(
        ModelSettings::default().fit(&ds),
        Err(Error::Training(_))
    ));
}

#[test]
fn balanced_weights_equalise_class_totals() {
    let w = balanced_weights(&[0, 0, 0, 1], None);
    assert!((w[0] * 3.0 - w[3]).abs() < 1e-6);
    assert!((w.sum() - 4.0).abs() < 1e-5);
}

#[test]
fn bad_params_are_refused_by_check() {
    assert!(MultinomialNbParams::new().alpha(0.0).check().is_err());
    assert!(ComplementNbParams::new().alpha(-1.0).check().is_err());
    assert!(LogRegParams::new().c(0.0).check().is_err());
    assert!(LogRegParams::new().memory(0).check().is_err());
    assert!(LinearSvmParams::new().tol(f64::NAN).check().is_err());
}

proptest::proptest! {
    #[test]
    fn softmax_sums_to_one(s in proptest::collection::vec(-1e4f32..1e4, 1..8)) {
        let mut v = s.clone();
        softmax_in_place(&mut v);
        let sum: f32 = v.iter().sum();
        proptest::prop_assert!((sum - 1.0).abs() < 1e-4);
        proptest::prop_assert!(v.iter().all(|p| p.is_finite() && *p >= 0.0));
    }

    /// Scores a hostile model file can produce: huge, infinite or NaN.
    #[test]
    fn softmax_sums_to_one_for_any_scores(s in proptest::collection::vec(proptest::num::f32::ANY, 1..8)) {
        let mut v = s.clone();
        softmax_in_place(&mut v);
        let sum: f32 = v.iter().sum();
        proptest::prop_assert!((sum - 1.0).abs() < 1e-4, "{:?} -> {:?}", s, v);
        proptest::prop_assert!(v.iter().all(|p| p.is_finite() && *p >= 0.0));
    }
}

#[test]
fn softmax_of_huge_equal_scores_is_uniform_not_all_ones() {
    let mut v = [1e30f32, 1e30];
    softmax_in_place(&mut v);
    assert_eq!(v, [0.5, 0.5]);
}

/// Scores are bias plus the row's weighted features, summed in f64, for few classes (kept
/// on the stack) and many (on the heap) alike. Hand-computed: feature 1 (x = 0.5) and
/// feature 2 (x = 2) with class c's weights 1 + c and -c, bias c / 10.
#[test]
fn scores_are_bias_plus_weighted_features_for_any_number_of_classes() {
    for k in [2usize, 8, 9, 12] {
        let mut w = vec![0.0f32; 3 * k];
        for c in 0..k {
            w[k + c] = 1.0 + c as f32;
            w[2 * k + c] = -(c as f32);
        }
        let bias: Vec<f32> = (0..k).map(|c| c as f32 / 10.0).collect();
        let m = LinearModel::new(3, k, w, bias, 1.0);
        let s = m.scores(&[1, 2], &[0.5, 2.0]);
        let want: Vec<f32> = (0..k)
            .map(|c| c as f32 / 10.0 + 0.5 * (1.0 + c as f32) - 2.0 * c as f32)
            .collect();
        assert_eq!(s.len(), k);
        for (a, b) in s.iter().zip(&want) {
            assert!((a - b).abs() < 1e-6, "k {k}: {s:?} vs {want:?}");
        }
    }
}
