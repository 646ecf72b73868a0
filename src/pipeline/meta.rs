//! What a model file says about itself: settings, labels, prior and how it was trained.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::features::FeatureSettings;
use crate::models::ModelSettings;

/// Facts about the training run, stored for reproducibility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TrainingMeta {
    /// Rows used for training.
    pub rows: usize,
    /// Rows per label.
    pub label_counts: BTreeMap<String, usize>,
    /// The data file as given.
    pub data_file: String,
    /// SHA-256 of the data file's bytes (hex).
    pub data_sha256: String,
    /// Text and label columns.
    pub text_column: String,
    /// Label column.
    pub label_column: String,
    /// Row filter used (e.g. `split=train`), if any.
    pub filter: Option<String>,
    /// The run's seed.
    pub seed: u64,
    /// `stance` version that trained it.
    pub stance_version: String,
    /// Training date (UTC, `YYYY-MM-DD`).
    pub date: String,
    /// Optimiser iterations, for iterative models.
    pub iterations: Option<u32>,
    /// Whether the optimiser met its tolerance.
    pub converged: Option<bool>,
    /// How the probabilities' temperature was set.
    pub calibration: Option<String>,
    /// The search that chose the settings, for a model written by `stance tune`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuning: Option<TuningRecord>,
}

/// The JSON header of a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelHeader {
    /// Feature extraction settings.
    pub features: FeatureSettings,
    /// Model hyperparameters.
    pub model: ModelSettings,
    /// Class labels; the order of every probability vector.
    pub labels: Vec<String>,
    /// Softmax temperature.
    pub temperature: f32,
    /// Training metadata.
    pub training: TrainingMeta,
    /// The class prior the model predicts under unless told otherwise (label → share,
    /// summing to 1); absent: the training rows' shares. See [`crate::models::prior`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior: Option<BTreeMap<String, f64>>,
}

/// What a search was, recorded in the model it picked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuningRecord {
    /// The values searched, by parameter.
    pub search_space: BTreeMap<String, Vec<String>>,
    /// Configurations asked for.
    pub budget: usize,
    /// Configurations scored.
    pub tried: usize,
    /// Cross-validation folds (stratified).
    pub folds: usize,
    /// Seed of the search and the folds.
    pub seed: u64,
    /// The winner as `stance train` options.
    pub winner: String,
    /// The winner's mean macro-F1 over the folds.
    pub cv_macro_f1_mean: f64,
    /// Its standard deviation.
    pub cv_macro_f1_std: f64,
    /// The winner's mean accuracy over the folds.
    pub cv_accuracy_mean: f64,
}
