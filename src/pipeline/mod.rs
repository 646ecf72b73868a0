//! The whole fitted pipeline: a vectorizer and a linear model with their ordered labels,
//! fitted together, predicting one text or many, under the training prior or another; its
//! one-file format ([`mod@format`]), what the file says about itself ([`meta`]), the
//! built-in models ([`builtin`]), and training settings by name ([`options`]).

pub mod builtin;
pub mod format;
pub mod meta;
pub mod options;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use rayon::prelude::*;

pub use format::{FORMAT_VERSION, MAGIC, MAX_MODEL_BYTES};
pub use meta::{ModelHeader, TrainingMeta, TuningRecord};
pub use options::TrainOptions;

use crate::error::{Error, Result};
use crate::features::{FeatureValidParams, TermHashes, Vectorizer};
use crate::models::prior::Prior;
use crate::models::{argmax, LinearModel, ModelSettings};
use crate::util::progress::{Event, Progress, Silent};

/// One prediction: the label index, and probabilities in label order.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Index into [`Pipeline::labels`].
    pub label: usize,
    /// Probabilities, summing to 1.
    pub probabilities: Vec<f32>,
}

impl Prediction {
    /// The most probable label of `probabilities` (label order), with them.
    fn from_probabilities(probabilities: Vec<f32>) -> Prediction {
        Prediction {
            label: argmax(&probabilities),
            probabilities,
        }
    }
}

/// A fitted text classifier: vectorizer + linear model + labels.
#[derive(Debug)]
pub struct Pipeline {
    /// Text → features.
    pub vectorizer: Vectorizer,
    /// Features → scores.
    pub model: LinearModel,
    /// Header (labels, settings, metadata).
    pub header: ModelHeader,
}

impl Pipeline {
    /// Ordered class labels.
    pub fn labels(&self) -> &[String] {
        &self.header.labels
    }

    /// Fit the whole pipeline on texts and their labels. Labels are sorted, so the same data
    /// always gives the same label order. `training` is stored as given, with `rows`,
    /// `label_counts`, optimiser figures and the version filled in.
    pub fn fit<S: AsRef<str> + Sync>(
        texts: &[S],
        labels: &[String],
        features: &FeatureValidParams,
        model: &ModelSettings,
        training: TrainingMeta,
    ) -> Result<Pipeline> {
        Pipeline::fit_with_progress(texts, labels, features, model, training, &Silent)
    }

    /// [`fit`](Self::fit), telling `progress` its stages (`extracting features`, `fitting
    /// the model`) and the optimiser's iterations. The model is the same.
    pub fn fit_with_progress<S: AsRef<str> + Sync>(
        texts: &[S],
        labels: &[String],
        features: &FeatureValidParams,
        model: &ModelSettings,
        mut training: TrainingMeta,
        progress: &dyn Progress,
    ) -> Result<Pipeline> {
        let (names, y) = crate::models::encode_labels(labels);
        if names.len() < 2 {
            return Err(Error::Training(format!(
                "need at least two distinct labels, found {}",
                names.len()
            )));
        }
        progress.event(Event::Stage("extracting features"));
        let (pending, x) = features.fit_transform_pending(texts)?;
        crate::util::release_free_memory(texts.iter().map(|t| t.as_ref().len()).sum());
        let ds = linfa::DatasetBase::new(x, ndarray::Array1::from(y));
        progress.event(Event::Stage("fitting the model"));
        // The vocabulary's lookup table is built while the model fits: the optimiser's
        // serial steps leave a thread free for it.
        let (vectorizer, fitted) =
            rayon::join(|| pending.build(), || model.fit_observed(&ds, progress));
        let vectorizer = vectorizer?;
        let (model_fit, report) = fitted?;
        training.rows = texts.len();
        training.label_counts = BTreeMap::new();
        for l in labels {
            *training.label_counts.entry(l.clone()).or_insert(0) += 1;
        }
        training.iterations = report.iterations;
        training.converged = report.converged;
        training.stance_version = env!("CARGO_PKG_VERSION").to_string();
        if training.calibration.is_none() && model.kind == crate::models::ModelKind::Svm {
            training.calibration = Some("temperature fitted on training margins".into());
        }
        let header = ModelHeader {
            features: features.settings().clone(),
            model: model.clone(),
            labels: names,
            temperature: model_fit.temperature(),
            training,
            prior: None,
        };
        Ok(Pipeline {
            vectorizer,
            model: model_fit,
            header,
        })
    }

    /// Predict under `prior` from now on ([`Prior::Model`] restores the file's own).
    pub fn set_prior(&mut self, prior: &Prior) -> Result<()> {
        let h = &self.header;
        let shift = prior.log_shift(&h.labels, &h.training.label_counts, h.prior.as_ref())?;
        self.model.set_log_shift(shift);
        Ok(())
    }

    /// Make `prior` the one this model predicts under by default and stores in its file
    /// ([`ModelHeader::prior`]); [`Prior::Train`] and [`Prior::Model`] store none.
    pub fn store_prior(&mut self, prior: &Prior) -> Result<()> {
        let labels = &self.header.labels;
        self.header.prior = match prior {
            Prior::Train | Prior::Model => None,
            Prior::Uniform => Some(
                labels
                    .iter()
                    .map(|l| (l.clone(), (1e9 / labels.len() as f64).round() / 1e9))
                    .collect(),
            ),
            Prior::Shares(s) => {
                // Checks that every label has a share, and normalises.
                prior.log_shift(labels, &self.header.training.label_counts, None)?;
                let sum: f64 = labels.iter().map(|l| s[l]).sum();
                // Nine decimals: short numbers read back from the JSON header exactly.
                let round = |x: f64| (x * 1e9).round() / 1e9;
                Some(
                    labels
                        .iter()
                        .map(|l| (l.clone(), round(s[l] / sum)))
                        .collect(),
                )
            }
        };
        self.set_prior(&Prior::Model)
    }

    /// Predict one text.
    pub fn predict_one(&self, text: &str) -> Prediction {
        thread_local! {
            // The text's row, reused from text to text.
            static ROW: std::cell::RefCell<(Vec<u32>, Vec<f32>)> = Default::default();
        }
        let p = ROW.with(|row| {
            let (idx, val) = &mut *row.borrow_mut();
            self.vectorizer.transform_one_into(text, idx, val);
            self.model.proba(idx, val)
        });
        Prediction::from_probabilities(p)
    }

    /// Class scores of one text, before the temperature (label order).
    pub fn scores_one(&self, text: &str) -> Vec<f32> {
        let (idx, val) = self.vectorizer.transform_one(text);
        self.model.scores(&idx, &val)
    }

    /// Predict many texts in parallel, in input order.
    pub fn predict<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Prediction> {
        texts
            .par_chunks(64)
            .flat_map_iter(|c| self.predict_serial(c))
            .collect()
    }

    /// Predict texts one after another on this thread, in input order: what
    /// [`Pipeline::predict_one`] gives each, with each text's vocabulary lookups overlapping
    /// the next one's analysis ([`Vectorizer::transform_each`]).
    pub fn predict_serial<S: AsRef<str>>(&self, texts: &[S]) -> Vec<Prediction> {
        let mut out = Vec::with_capacity(texts.len());
        self.vectorizer.transform_each(texts, |_, idx, val| {
            out.push(Prediction::from_probabilities(self.model.proba(idx, val)));
        });
        out
    }

    /// [`Pipeline::predict`] of texts whose terms were hashed ahead, while this model was
    /// loading: the same predictions. `None` when they were hashed with other feature
    /// settings than this model's.
    pub fn predict_hashed(&self, hashes: &TermHashes) -> Option<Vec<Prediction>> {
        let n = hashes.len();
        let chunks: Vec<Option<Vec<Prediction>>> = (0..n.div_ceil(64))
            .into_par_iter()
            .map(|c| {
                let rows = 64 * c..(64 * c + 64).min(n);
                let mut out = Vec::with_capacity(rows.len());
                self.vectorizer
                    .transform_hashed_each(hashes, rows, |_, idx, val| {
                        out.push(Prediction::from_probabilities(self.model.proba(idx, val)));
                    })
                    .then_some(out)
            })
            .collect();
        chunks
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .map(|c| c.concat())
    }
}
