//! `stance`: find quoted statements in news articles, attribute their speakers, and classify
//! each quote's stance (threatening, conciliatory, neutral) and sentiment.
//!
//! The crate is a pipeline; its folders are its stages, in order:
//!
//! | stage | module |
//! |---|---|
//! | files, directories, JSONL → articles; labelled CSV/JSONL; lines of text | [`input`] |
//! | article → quotes with speakers and char offsets | [`quotes`] |
//! | text → tokens (Unicode words, contractions, negation, Snowball stems) | [`text`] |
//! | tokens → sparse n-gram TF-IDF rows (CSR, `f32`) | [`features`] |
//! | rows → labels and probabilities (NB, CNB, logistic regression, SVM, NB weighting); class priors | [`models`] |
//! | the whole fitted pipeline, its versioned file and the built-in models | [`pipeline`] |
//! | an article → its quotes with both models' labels; roll-ups by article and speaker | [`score`] |
//! | metrics, stratified splits, cross-validation, tuning, calibration, explanations | [`evaluate`] |
//! | dataset checks, a durable labelling file, what to label next | [`labelling`] |
//! | self-contained HTML reports: quotes by stance and speaker; a model's errors | [`report`] |
//! | the seeded RNG, hashing, atomic writes, dates, progress events for long work | [`util`] |
//!
//! Arrows point down the table and never back up: [`pipeline`] imports nothing from
//! [`evaluate`], and no stage imports [`report`].
//!
//! Errors are one enum, [`Error`]; randomness is one seeded generator, [`util::Rng`].
#![warn(missing_docs)]

pub mod error;
pub mod evaluate;
pub mod features;
pub mod input;
pub mod labelling;
pub mod models;
pub mod pipeline;
pub mod quotes;
pub mod report;
pub mod score;
pub mod text;
pub mod util;

pub use error::{Error, Result};
