//! `stance`: find quoted statements in news articles, attribute their speakers, and classify
//! each quote's stance (threatening, conciliatory, neutral) and sentiment.
//!
//! The crate is a pipeline; each stage is a module:
//!
//! | stage | module |
//! |---|---|
//! | files, directories, JSONL → articles, one at a time | [`articles`] |
//! | article → quotes with speakers and char offsets | [`quotes`] |
//! | text → tokens (Unicode words, contractions, negation, Snowball stems) | [`text`] |
//! | tokens → sparse n-gram TF-IDF rows (CSR, `f32`) | [`features`] |
//! | rows → labels and probabilities (NB, CNB, logistic regression, SVM, NB weighting) | [`models`] |
//! | the whole fitted pipeline in one versioned file | [`pipeline`] |
//! | class priors: predicting for a collection with other label shares | [`prior`] |
//! | the built-in stance and sentiment models | [`defaults`] |
//! | labelled CSV / JSONL input with line numbers | [`data`] |
//! | accuracy, macro-F1, confusion, cross-validation | [`metrics`] |
//! | dataset checks: balance, near-duplicates, split leaks | [`dataset`] |
//! | self-contained HTML reports: quotes by stance and speaker; a model's errors | [`report`] |
//! | what to label next: uncertainty, diversified batches | [`active`] |
//! | a labelled CSV grown one durable row at a time | [`labelfile`] |
//! | cross-validation, learning curves, stratified sampling | [`cv`] |
//! | hyperparameter search by cross-validation | [`tune`] |
//! | per-n-gram contributions to a decision; strongest features | [`explain`] |
//!
//! Errors are one enum, [`Error`]; randomness is one seeded generator, [`util::Rng`].
#![warn(missing_docs)]

pub mod active;
pub mod articles;
pub mod cv;
pub mod data;
pub mod dataset;
pub mod defaults;
pub mod error;
pub mod explain;
pub mod features;
pub mod labelfile;
pub mod metrics;
pub mod models;
pub mod pipeline;
pub mod prior;
pub mod quotes;
pub mod report;
pub mod text;
pub mod tune;
pub mod util;

pub use error::{Error, Result};
