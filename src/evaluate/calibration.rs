//! Calibrated training: a softmax temperature fitted on a stratified held-out slice.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::features::FeatureValidParams;
use crate::models::{argmax, ModelSettings};
use crate::pipeline::{Pipeline, TrainingMeta};
use crate::util::progress::{Event, Prefixed, Progress, Silent};

/// What calibrated training measured on its held-out slice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationReport {
    /// Rows held out to fit the temperature.
    pub held_out: usize,
    /// The model's temperature before calibration.
    pub temperature_before: f32,
    /// The fitted temperature.
    pub temperature: f32,
    /// Expected calibration error on the held-out rows (10 bins) before.
    pub ece_before: f64,
    /// After; measured on the rows the temperature was fitted on, so optimistic.
    pub ece_after: f64,
}

/// Expected calibration error (10 bins) of `softmax(score / t)` against `y`.
fn ece_at(scores: &[Vec<f32>], y: &[usize], t: f32) -> f64 {
    let (conf, ok): (Vec<f64>, Vec<bool>) = scores
        .iter()
        .zip(y)
        .map(|(s, &c)| {
            let mut p: Vec<f32> = s.iter().map(|v| v / t).collect();
            crate::models::softmax_in_place(&mut p);
            let best = argmax(&p);
            (p[best] as f64, best == c)
        })
        .unzip();
    crate::evaluate::metrics::reliability(&conf, &ok, 10).ece
}

impl Pipeline {
    /// Fit with temperature scaling. A stratified `fraction` of the rows (drawn with
    /// `Rng::new(seed)`) is held out; a pipeline is fitted on the rest; one temperature is
    /// fitted to the held-out rows' scores by least log-loss
    /// ([`fit_temperature`](crate::models::fit_temperature)). The pipeline is then fitted again on
    /// all rows and given that temperature: it predicts the same labels as
    /// [`fit`](Self::fit) on the same rows, and only its probabilities change. (Keeping the
    /// model fitted on the rest instead gave similar calibration on the five public sentence
    /// sets, with the accuracy of 10% less data.)
    /// The temperature and how it was set are recorded in `training.calibration`.
    pub fn fit_calibrated<S: AsRef<str> + Sync>(
        texts: &[S],
        labels: &[String],
        features: &FeatureValidParams,
        model: &ModelSettings,
        training: TrainingMeta,
        fraction: f64,
        seed: u64,
    ) -> Result<(Pipeline, CalibrationReport)> {
        Pipeline::fit_calibrated_with_progress(
            texts, labels, features, model, training, fraction, seed, &Silent,
        )
    }

    /// [`fit_calibrated`](Self::fit_calibrated), telling `progress` the stages of both fits
    /// (named `fit without the held-out rows: …` and `refit on all rows: …`) and their
    /// optimiser iterations.
    #[allow(clippy::too_many_arguments)]
    pub fn fit_calibrated_with_progress<S: AsRef<str> + Sync>(
        texts: &[S],
        labels: &[String],
        features: &FeatureValidParams,
        model: &ModelSettings,
        training: TrainingMeta,
        fraction: f64,
        seed: u64,
        progress: &dyn Progress,
    ) -> Result<(Pipeline, CalibrationReport)> {
        if !(fraction > 0.0 && fraction < 1.0) {
            return Err(Error::Param {
                name: "calibration-fraction",
                reason: format!("{fraction}: must be in (0, 1)"),
            });
        }
        let (names, y) = crate::models::encode_labels(labels);
        let (rest, held) = crate::evaluate::split::stratified_split(
            &y,
            fraction,
            &mut crate::util::Rng::new(seed),
        );
        if held.is_empty() {
            return Err(Error::Training(format!(
                "--calibration-fraction {fraction} of {} rows holds out no row",
                texts.len()
            )));
        }
        let rx: Vec<&str> = rest.iter().map(|&i| texts[i].as_ref()).collect();
        let rl: Vec<String> = rest.iter().map(|&i| labels[i].clone()).collect();
        let part = Pipeline::fit_with_progress(
            &rx,
            &rl,
            features,
            model,
            training.clone(),
            &Prefixed {
                prefix: "fit without the held-out rows",
                inner: progress,
            },
        )?;
        // The split leaves every class in the rest, so `part` has every label, sorted as
        // `names`, and the held-out classes index its scores directly.
        debug_assert_eq!(part.labels(), &names[..]);
        progress.event(Event::Stage("fitting the temperature on the held-out rows"));
        let hs: Vec<Vec<f32>> = held
            .iter()
            .map(|&i| part.scores_one(texts[i].as_ref()))
            .collect();
        let hy: Vec<usize> = held.iter().map(|&i| y[i]).collect();
        let before = part.model.temperature();
        let t = crate::models::fit_temperature(&hs, &hy);
        let report = CalibrationReport {
            held_out: hs.len(),
            temperature_before: before,
            temperature: t,
            ece_before: ece_at(&hs, &hy, before),
            ece_after: ece_at(&hs, &hy, t),
        };
        let mut p = Pipeline::fit_with_progress(
            texts,
            labels,
            features,
            model,
            training,
            &Prefixed {
                prefix: "refit on all rows",
                inner: progress,
            },
        )?;
        p.model.set_temperature(t);
        p.header.temperature = t;
        p.header.training.calibration = Some(format!(
            "temperature {t} fitted by least log-loss on a stratified held-out {:.0}% ({} rows, seed {seed}); \
             held-out ECE {:.4} at temperature {before}, {:.4} after; model refitted on all rows",
            fraction * 100.0,
            report.held_out,
            report.ece_before,
            report.ece_after,
        ));
        Ok((p, report))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use linfa::ParamGuard;

    use super::*;
    use crate::features::FeatureParams;

    /// 20 rows per class; each text shares words with the other class, so the model is
    /// not certain of everything.
    fn data() -> (Vec<String>, Vec<String>) {
        let a = ["strike", "attack", "force", "retaliate", "punish"];
        let b = ["talk", "peace", "welcome", "dialogue", "agree"];
        let shared = ["we", "will", "they", "now", "soon"];
        let mut t = Vec::new();
        let mut l = Vec::new();
        for i in 0..20 {
            t.push(format!("{} {} {}", shared[i % 5], a[i % 5], b[(i + 1) % 5]));
            l.push("threat".to_string());
            t.push(format!(
                "{} {} {}",
                shared[(i + 2) % 5],
                b[i % 5],
                a[(i + 3) % 5]
            ));
            l.push("calm".to_string());
        }
        (t, l)
    }

    #[test]
    fn calibrated_training_keeps_the_labels_and_records_the_temperature() {
        let (t, l) = data();
        let f = FeatureParams::new().check().unwrap();
        let m = ModelSettings::default();
        let plain = Pipeline::fit(&t, &l, &f, &m, TrainingMeta::default()).unwrap();
        let (cal, r) =
            Pipeline::fit_calibrated(&t, &l, &f, &m, TrainingMeta::default(), 0.1, 3).unwrap();
        // 10% of 20 rows per class: 2 per class.
        assert_eq!(r.held_out, 4);
        assert_eq!(r.temperature_before, 1.0);
        assert_eq!(cal.model.temperature(), r.temperature);
        assert_eq!(cal.header.temperature, r.temperature);
        assert_eq!(cal.header.training.rows, 40);
        let note = cal.header.training.calibration.clone().unwrap();
        assert!(note.contains("held-out 10% (4 rows, seed 3)"), "{note}");
        for (a, b) in plain.predict(&t).iter().zip(cal.predict(&t)) {
            assert_eq!(a.label, b.label);
        }
        let back = Pipeline::from_bytes(&cal.to_bytes().unwrap(), Path::new("m")).unwrap();
        assert_eq!(back.header, cal.header);
        assert_eq!(back.model.temperature(), r.temperature);
    }

    /// Both fits' stages are named after the fit, in order, and watching gives the same
    /// model file.
    #[test]
    fn calibrated_training_names_the_stages_of_both_fits() {
        let (t, l) = data();
        let f = FeatureParams::new().check().unwrap();
        let m = ModelSettings::default();
        let stages = std::sync::Mutex::new(Vec::new());
        let watch = |e: Event<'_>| {
            if let Event::Stage(s) = e {
                stages.lock().unwrap().push(s.to_string());
            }
        };
        let meta = TrainingMeta::default;
        let (plain, _) = Pipeline::fit_calibrated(&t, &l, &f, &m, meta(), 0.1, 3).unwrap();
        let (watched, _) =
            Pipeline::fit_calibrated_with_progress(&t, &l, &f, &m, meta(), 0.1, 3, &watch).unwrap();
        assert_eq!(plain.to_bytes().unwrap(), watched.to_bytes().unwrap());
        assert_eq!(
            *stages.lock().unwrap(),
            [
                "fit without the held-out rows: extracting features",
                "fit without the held-out rows: fitting the model",
                "fitting the temperature on the held-out rows",
                "refit on all rows: extracting features",
                "refit on all rows: fitting the model",
            ]
        );
    }

    #[test]
    fn calibration_fraction_out_of_range_is_refused() {
        let (t, l) = data();
        let f = FeatureParams::new().check().unwrap();
        for bad in [0.0, 1.0, -0.5, f64::NAN] {
            let r = Pipeline::fit_calibrated(
                &t,
                &l,
                &f,
                &ModelSettings::default(),
                TrainingMeta::default(),
                bad,
                1,
            );
            assert!(matches!(r, Err(Error::Param { .. })), "{bad}");
        }
    }
}
