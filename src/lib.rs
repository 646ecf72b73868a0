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
//! | the built-in stance and sentiment models | [`defaults`] |
//! | labelled CSV / JSONL input with line numbers | [`data`] |
//! | accuracy, macro-F1, confusion, cross-validation | [`metrics`] |
//! | dataset checks: balance, near-duplicates, split leaks | [`dataset`] |
//!
//! Errors are one enum, [`Error`]; randomness is one seeded generator, [`util::Rng`].
#![warn(missing_docs)]

pub mod articles;
pub mod data;
pub mod dataset;
pub mod defaults;
pub mod error;
pub mod features;
pub mod metrics;
pub mod models;
pub mod pipeline;
pub mod quotes;
pub mod text;
pub mod util;

pub use error::{Error, Result};
