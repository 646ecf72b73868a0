//! Measuring models: metrics ([`metrics`]), stratified sampling ([`split`]),
//! cross-validation and learning curves ([`cv`]), hyperparameter search ([`tune`]),
//! calibrated training ([`calibration`]) and per-n-gram explanations ([`explain`]).
//!
//! Everything here stands on [`crate::pipeline`]; the pipeline and its file format import
//! nothing from here.

pub mod calibration;
pub mod cv;
pub mod explain;
pub mod metrics;
pub mod split;
pub mod tune;
