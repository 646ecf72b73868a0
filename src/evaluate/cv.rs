//! Cross-validation and learning curves, shared by `stance cv` and `stance tune`.
//!
//! Every fold fits its own vectorizer on its training rows only, so no vocabulary or IDF
//! leaks from the rows it is scored on.

use linfa::DatasetBase;
use ndarray::Array1;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::evaluate::metrics::Evaluation;
use crate::evaluate::split::{class_share, shuffled_by_class, stratified_folds};
use crate::features::FeatureValidParams;
use crate::models::encode_labels;
use crate::models::{argmax, ModelSettings};
use crate::util::progress::{Event, Progress};
use crate::util::Rng;

/// Rows outside fold `f` (to fit on), rows in it (to score), and the latter's classes.
fn fold_rows(fold: &[usize], y: &[usize], f: usize) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let train: Vec<usize> = (0..y.len()).filter(|&i| fold[i] != f).collect();
    let test: Vec<usize> = (0..y.len()).filter(|&i| fold[i] == f).collect();
    let truth: Vec<usize> = test.iter().map(|&i| y[i]).collect();
    (train, test, truth)
}

/// A mean and a sample standard deviation (n − 1 in the denominator; 0 for one value).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanStd {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub std: f64,
}

impl MeanStd {
    /// Of a list of values.
    pub fn of(v: &[f64]) -> MeanStd {
        if v.is_empty() {
            return MeanStd {
                mean: 0.0,
                std: 0.0,
            };
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var =
            v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0).max(1.0);
        MeanStd {
            mean,
            std: var.sqrt(),
        }
    }
}

/// The per-fold evaluations of one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct CvResult {
    /// Labels of the whole data set, sorted; the order of every evaluation's classes.
    pub labels: Vec<String>,
    /// One evaluation per fold, in fold order.
    pub folds: Vec<Evaluation>,
}

impl CvResult {
    /// Macro-F1 over folds.
    pub fn macro_f1(&self) -> MeanStd {
        self.stat(|e| e.macro_f1)
    }

    /// Accuracy over folds.
    pub fn accuracy(&self) -> MeanStd {
        self.stat(|e| e.accuracy)
    }

    /// F1 of class `c` over folds.
    pub fn class_f1(&self, c: usize) -> MeanStd {
        self.stat(|e| e.per_class[c].f1)
    }

    fn stat(&self, f: impl Fn(&Evaluation) -> f64) -> MeanStd {
        MeanStd::of(&self.folds.iter().map(f).collect::<Vec<_>>())
    }
}

/// Fit on the rows `train` and score the rows `test`: one vectorizer, then every model.
/// `predicted(m, labels)` is given, as each model `m` is fitted, the predicted index into
/// `names` of every test row. Optimiser iterations go to `progress`.
#[allow(clippy::too_many_arguments)]
fn fit_and_predict<S: AsRef<str> + Sync>(
    texts: &[S],
    y: &[usize],
    train: &[usize],
    test: &[usize],
    features: &FeatureValidParams,
    models: &[ModelSettings],
    progress: &dyn Progress,
    mut predicted: impl FnMut(usize, Vec<usize>),
) -> Result<()> {
    // The fold's own label list, so a class absent from its training rows is not a class
    // of its models.
    let mut present: Vec<usize> = train.iter().map(|&i| y[i]).collect();
    present.sort_unstable();
    present.dedup();
    if present.len() < 2 {
        return Err(Error::Training(format!(
            "a training fold has {} distinct label(s); need at least two",
            present.len()
        )));
    }
    let tx: Vec<&str> = train.iter().map(|&i| texts[i].as_ref()).collect();
    let local: Vec<usize> = train
        .iter()
        .map(|&i| present.binary_search(&y[i]).unwrap_or(0))
        .collect();
    let (vectorizer, x) = features.fit_transform(&tx)?;
    let ds = DatasetBase::new(x, Array1::from(local));
    let vx: Vec<&str> = test.iter().map(|&i| texts[i].as_ref()).collect();
    let test_x = vectorizer.transform(&vx);
    for (i, m) in models.iter().enumerate() {
        let (model, _) = m.fit_observed(&ds, progress)?;
        let pred = (0..test_x.nrows())
            .map(|r| {
                let (idx, val) = test_x.row(r);
                // As `Pipeline::predict`: the most probable label.
                present[argmax(&model.proba(idx, val))]
            })
            .collect();
        predicted(i, pred);
    }
    Ok(())
}

fn check_folds(n: usize, folds: usize) -> Result<()> {
    if folds < 2 {
        return Err(Error::Param {
            name: "folds",
            reason: format!("{folds}: need at least 2"),
        });
    }
    if n < folds {
        return Err(Error::Param {
            name: "folds",
            reason: format!("{n} rows cannot make {folds} folds"),
        });
    }
    Ok(())
}

/// Stratified k-fold cross-validation of several model settings that share one feature
/// setting: each fold's vectorizer is fitted once and every model is fitted on its rows.
/// Folds come from [`stratified_folds`] with `Rng::new(seed)`, so every call with the same
/// seed scores every configuration on the same folds. `progress` is told each model fit
/// as it ends ([`Event::Fits`]; `best` is the highest mean macro-F1 of a configuration
/// over the folds it was scored on so far) and the optimiser's iterations.
pub fn cross_validate_many<S: AsRef<str> + Sync>(
    texts: &[S],
    labels: &[String],
    features: &FeatureValidParams,
    models: &[ModelSettings],
    folds: usize,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Vec<CvResult>> {
    check_folds(texts.len(), folds)?;
    let (names, y) = encode_labels(labels);
    let fold = stratified_folds(&y, folds, &mut Rng::new(seed));
    let mut out: Vec<CvResult> = models
        .iter()
        .map(|_| CvResult {
            labels: names.clone(),
            folds: Vec::with_capacity(folds),
        })
        .collect();
    let total = folds * models.len();
    let mut done = 0;
    progress.event(Event::Fits {
        done,
        total,
        best: None,
    });
    for f in 0..folds {
        let (train, test, truth) = fold_rows(&fold, &y, f);
        fit_and_predict(
            texts,
            &y,
            &train,
            &test,
            features,
            models,
            progress,
            |m, pred| {
                out[m].folds.push(Evaluation::new(&names, &truth, &pred));
                done += 1;
                progress.event(Event::Fits {
                    done,
                    total,
                    best: best_so_far(&out),
                });
            },
        )?;
    }
    Ok(out)
}

/// The highest mean macro-F1 of a configuration over the folds it was scored on so far.
fn best_so_far(results: &[CvResult]) -> Option<f64> {
    results
        .iter()
        .filter(|r| !r.folds.is_empty())
        .map(|r| r.macro_f1().mean)
        .reduce(f64::max)
}

/// Stratified k-fold cross-validation of one configuration.
pub fn cross_validate<S: AsRef<str> + Sync>(
    texts: &[S],
    labels: &[String],
    features: &FeatureValidParams,
    model: &ModelSettings,
    folds: usize,
    seed: u64,
    progress: &dyn Progress,
) -> Result<CvResult> {
    let mut r = cross_validate_many(
        texts,
        labels,
        features,
        std::slice::from_ref(model),
        folds,
        seed,
        progress,
    )?;
    Ok(r.remove(0))
}

/// One point of a learning curve.
#[derive(Debug, Clone, PartialEq)]
pub struct CurvePoint {
    /// Share of each training fold used.
    pub fraction: f64,
    /// Training rows used, per fold.
    pub train_rows: Vec<usize>,
    /// The folds' scores at this size.
    pub cv: CvResult,
}

/// The fractions `stance cv --learning-curve` uses: 10 %, 20 %, …, 100 %.
pub const CURVE_FRACTIONS: [f64; 10] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/// Learning curve: for each fraction, every fold's model is trained on that share of its
/// training rows (a stratified subsample, each class rounded, at least one row) and scored
/// on the whole test fold. The folds are those of [`cross_validate`] with the same seed;
/// the subsamples are nested (each size holds the rows of every smaller size), drawn by
/// the same generator after the folds. At 100 % the scores equal [`cross_validate`]'s.
#[allow(clippy::too_many_arguments)]
pub fn learning_curve<S: AsRef<str> + Sync>(
    texts: &[S],
    labels: &[String],
    features: &FeatureValidParams,
    model: &ModelSettings,
    folds: usize,
    fractions: &[f64],
    seed: u64,
    progress: &dyn Progress,
) -> Result<Vec<CurvePoint>> {
    check_folds(texts.len(), folds)?;
    if let Some(f) = fractions.iter().find(|&&f| !(f > 0.0 && f <= 1.0)) {
        return Err(Error::Param {
            name: "fraction",
            reason: format!("{f}: must be in (0, 1]"),
        });
    }
    let (names, y) = encode_labels(labels);
    let mut rng = Rng::new(seed);
    let fold = stratified_folds(&y, folds, &mut rng);
    let mut points: Vec<CurvePoint> = fractions
        .iter()
        .map(|&fraction| CurvePoint {
            fraction,
            train_rows: Vec::with_capacity(folds),
            cv: CvResult {
                labels: names.clone(),
                folds: Vec::with_capacity(folds),
            },
        })
        .collect();
    let total = folds * fractions.len();
    progress.event(Event::Fits {
        done: 0,
        total,
        best: None,
    });
    for f in 0..folds {
        let (train, test, truth) = fold_rows(&fold, &y, f);
        let order = shuffled_by_class(&train, &y, &mut rng);
        for (s, point) in points.iter_mut().enumerate() {
            let mut sub: Vec<usize> = order
                .iter()
                .flat_map(|rows| rows[..class_share(rows.len(), point.fraction)].iter())
                .copied()
                .collect();
            // Row order as in the full fold, so 100 % fits exactly what cross_validate fits.
            sub.sort_unstable();
            let mut pred = Vec::new();
            fit_and_predict(
                texts,
                &y,
                &sub,
                &test,
                features,
                std::slice::from_ref(model),
                progress,
                |_, p| pred = p,
            )?;
            point.train_rows.push(sub.len());
            point.cv.folds.push(Evaluation::new(&names, &truth, &pred));
            progress.event(Event::Fits {
                done: f * fractions.len() + s + 1,
                total,
                best: None,
            });
        }
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FeatureParams;
    use crate::util::progress::Silent;
    use linfa::ParamGuard;

    fn toy() -> (Vec<String>, Vec<String>) {
        let threat = [
            "we will strike back hard",
            "they will pay for this attack",
            "any attack will be met with force",
            "we will retaliate with force",
            "cross this line and you will pay",
            "our missiles are ready to strike",
        ];
        let calm = [
            "we are ready to talk",
            "we welcome the offer of talks",
            "let us sit down and negotiate",
            "our door is open to dialogue",
            "we hope to meet and talk soon",
            "we thank them for the offer",
        ];
        let mut t = Vec::new();
        let mut l = Vec::new();
        for (a, b) in threat.iter().zip(calm) {
            t.push(a.to_string());
            l.push("threat".to_string());
            t.push(b.to_string());
            l.push("calm".to_string());
        }
        (t, l)
    }

    #[test]
    fn mean_and_sample_std_match_hand_computation() {
        // mean 2, squared deviations 1 + 0 + 1 = 2, / (3 − 1) = 1.
        let m = MeanStd::of(&[1.0, 2.0, 3.0]);
        assert_eq!((m.mean, m.std), (2.0, 1.0));
        assert_eq!(MeanStd::of(&[0.5]).std, 0.0);
    }

    #[test]
    fn cv_of_many_models_equals_cv_of_each() {
        let (t, l) = toy();
        let f = FeatureParams::new().check().unwrap();
        let models = [
            ModelSettings::for_kind(crate::models::ModelKind::Nb),
            ModelSettings::for_kind(crate::models::ModelKind::Logreg),
        ];
        let many = cross_validate_many(&t, &l, &f, &models, 3, 7, &Silent).unwrap();
        for (m, r) in models.iter().zip(&many) {
            let one = cross_validate(&t, &l, &f, m, 3, 7, &Silent).unwrap();
            assert_eq!(&one, r);
        }
        assert_eq!(many[0].folds.len(), 3);
        assert_eq!(many[0].labels, ["calm", "threat"]);
    }

    /// Every fit is reported once, in order, out of folds × configurations; the last
    /// report's best is the best configuration's mean; watching changes no score.
    #[test]
    fn cv_reports_each_fit_as_it_ends_and_changes_no_score() {
        let (t, l) = toy();
        let f = FeatureParams::new().check().unwrap();
        let models = [
            ModelSettings::for_kind(crate::models::ModelKind::Nb),
            ModelSettings::for_kind(crate::models::ModelKind::Svm),
        ];
        let seen = std::sync::Mutex::new(Vec::new());
        let watch = |e: Event<'_>| {
            if let Event::Fits { done, total, best } = e {
                seen.lock().unwrap().push((done, total, best));
            }
        };
        let watched = cross_validate_many(&t, &l, &f, &models, 3, 7, &watch).unwrap();
        assert_eq!(
            watched,
            cross_validate_many(&t, &l, &f, &models, 3, 7, &Silent).unwrap()
        );
        let seen = seen.into_inner().unwrap();
        let done: Vec<usize> = seen.iter().map(|s| s.0).collect();
        assert_eq!(done, [0, 1, 2, 3, 4, 5, 6]);
        assert!(seen.iter().all(|s| s.1 == 6));
        assert_eq!(seen[0].2, None);
        let best = watched
            .iter()
            .map(|r| r.macro_f1().mean)
            .fold(0.0, f64::max);
        assert_eq!(seen[6].2, Some(best));
    }

    #[test]
    fn learning_curve_at_full_size_equals_cross_validation() {
        let (t, l) = toy();
        let f = FeatureParams::new().check().unwrap();
        let m = ModelSettings::default();
        let curve = learning_curve(&t, &l, &f, &m, 3, &[0.5, 1.0], 9, &Silent).unwrap();
        let cv = cross_validate(&t, &l, &f, &m, 3, 9, &Silent).unwrap();
        assert_eq!(curve[1].cv, cv);
        // Each training fold has 8 rows, 4 per class: half keeps 2 per class.
        assert_eq!(curve[0].train_rows, [4, 4, 4]);
        assert_eq!(curve[1].train_rows, [8, 8, 8]);
    }

    #[test]
    fn too_few_rows_for_the_folds_is_a_parameter_error() {
        let (t, l) = toy();
        let f = FeatureParams::new().check().unwrap();
        let r = cross_validate(&t, &l, &f, &ModelSettings::default(), 13, 1, &Silent);
        assert!(matches!(r, Err(Error::Param { name: "folds", .. })));
    }
}
