//! Argument groups and helpers shared by several subcommands.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use clap::{Args as ClapArgs, ValueEnum};
use linfa::ParamGuard;
use stance::data::{Labelled, ReadOptions};
use stance::features::{FeatureParams, FeatureValidParams};
use stance::models::{ClassWeight, ModelKind, ModelSettings};
use stance::text::{AnalyzerSettings, Language};

/// A mistake in how the command was called, found after parsing (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Output formats for tabular results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for reading.
    Table,
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header.
    Csv,
    /// One JSON document.
    Json,
}

/// Where labelled data comes from.
#[derive(Debug, Clone, ClapArgs)]
pub struct DataArgs {
    /// Labelled data: CSV with a header, or JSONL (`.jsonl`); `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    pub data: String,
    /// Column (CSV header or JSON key) holding the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_column: String,
    /// Column holding the label.
    #[arg(long, default_value = "label", value_name = "NAME")]
    pub label_column: String,
    /// Use only rows whose split column has this value (e.g. `train` or `test`).
    #[arg(long, value_name = "VALUE")]
    pub split: Option<String>,
    /// Column that `--split` filters on.
    #[arg(long, default_value = "split", value_name = "NAME")]
    pub split_column: String,
    /// Skip bad rows (reported on stderr) instead of stopping at the first.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    #[arg(long)]
    pub lossy: bool,
}

impl DataArgs {
    /// Read the data, reporting skipped rows on stderr.
    pub fn read(&self) -> Result<Labelled> {
        let opts = ReadOptions {
            text_column: self.text_column.clone(),
            label_column: self.label_column.clone(),
            filter: self
                .split
                .as_ref()
                .map(|v| (self.split_column.clone(), v.clone())),
            skip_bad_rows: self.skip_bad_rows,
            lossy: self.lossy,
        };
        let d = stance::data::read_labelled(&self.data, &opts)?;
        if !d.skipped.is_empty() {
            eprintln!(
                "warning: skipped {} bad row(s) in {}; first: {}",
                d.skipped.len(),
                d.file,
                d.skipped[0].1
            );
        }
        if d.replaced > 0 {
            eprintln!(
                "warning: replaced invalid UTF-8 or NUL bytes in {} row(s) of {}",
                d.replaced, d.file
            );
        }
        Ok(d)
    }

    /// `column=value` of the split filter, if any.
    pub fn filter_desc(&self) -> Option<String> {
        self.split
            .as_ref()
            .map(|v| format!("{}={}", self.split_column, v))
    }
}

/// An inclusive range written `LO-HI` or `N`.
pub fn parse_range(s: &str) -> std::result::Result<(u8, u8), String> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let p = |x: &str| {
        x.trim()
            .parse::<u8>()
            .map_err(|_| format!("{s:?}: expected LO-HI, e.g. 1-2"))
    };
    Ok((p(a)?, p(b)?))
}

fn parse_language(s: &str) -> std::result::Result<Language, String> {
    Language::parse(s).ok_or_else(|| {
        let all: Vec<String> = Language::ALL.iter().map(|l| l.name()).collect();
        format!("unknown language {s:?}; one of: {}", all.join(", "))
    })
}

/// Model kinds for clap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Logistic regression × multinomial NB, log-probabilities summed (the default).
    Nblr,
    /// Multinomial logistic regression (L-BFGS, L2).
    Logreg,
    /// Multinomial naive Bayes.
    Nb,
    /// Complement naive Bayes.
    Cnb,
    /// One-vs-rest linear SVM (squared hinge).
    Svm,
}

impl From<KindArg> for ModelKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Logreg => ModelKind::Logreg,
            KindArg::Nb => ModelKind::Nb,
            KindArg::Cnb => ModelKind::Cnb,
            KindArg::Svm => ModelKind::Svm,
            KindArg::Nblr => ModelKind::Nblr,
        }
    }
}

/// Class weighting for clap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClassWeightArg {
    /// Every row weighs 1.
    None,
    /// Every class weighs the same in total.
    Balanced,
}

/// Feature and model hyperparameters, shared by `train` and `cv`.
#[derive(Debug, Clone, ClapArgs)]
pub struct ModelArgs {
    /// Model kind.
    #[arg(long, value_enum, default_value = "nblr")]
    pub model: KindArg,
    /// Scale features by naive Bayes log-count ratios first (NBSVM; logreg, svm, nblr).
    #[arg(long)]
    pub nbsvm: bool,
    /// Word n-gram range LO-HI (1 <= LO <= HI <= 3).
    #[arg(long, default_value = "1-2", value_parser = parse_range, value_name = "LO-HI")]
    pub ngrams: (u8, u8),
    /// Character n-gram range LO-HI within words (1 <= LO <= HI <= 8); off unless given.
    #[arg(long, value_parser = parse_range, value_name = "LO-HI")]
    pub char_ngrams: Option<(u8, u8)>,
    /// Keep terms seen in at least N training texts (>= 1).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub min_df: u32,
    /// Drop terms seen in more than this fraction of training texts, in (0, 1].
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    pub max_df: f32,
    /// Keep only the N most frequent terms (default: all).
    #[arg(long, value_name = "N")]
    pub max_features: Option<usize>,
    /// Raw term counts instead of 1 + ln(tf).
    #[arg(long)]
    pub no_sublinear_tf: bool,
    /// Smoothing for nb, cnb and the NB half of nblr (> 0).
    #[arg(long, default_value_t = 0.1, value_name = "A")]
    pub alpha: f32,
    /// Inverse regularisation for logreg, nblr and svm (> 0) [default: 10, or 0.5 for svm].
    #[arg(long, value_name = "C")]
    pub c: Option<f32>,
    /// Weight classes equally (`balanced`) for imbalanced data.
    #[arg(long, value_enum, default_value = "none")]
    pub class_weight: ClassWeightArg,
    /// Optimiser iteration cap (>= 1).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub max_iter: u32,
    /// Snowball stemming language, or `none`.
    #[arg(long, default_value = "english", value_name = "LANG")]
    pub language: String,
    /// Do not mark negation scope (`not want` → `NEG_want`).
    #[arg(long)]
    pub no_negation: bool,
    /// Drop English stop words (stance words such as `will`, `not`, `must` are kept).
    #[arg(long)]
    pub stop_words: bool,
    /// Seed for every random choice.
    #[arg(long, default_value_t = 42, value_name = "N")]
    pub seed: u64,
}

impl ModelArgs {
    /// Checked feature params.
    pub fn features(&self) -> Result<FeatureValidParams> {
        let stem = if self.language.eq_ignore_ascii_case("none") {
            None
        } else {
            Some(parse_language(&self.language).map_err(UsageError)?)
        };
        let analyzer = AnalyzerSettings {
            negation: !self.no_negation,
            stop_words: self.stop_words,
            stem,
            ..AnalyzerSettings::default()
        };
        Ok(FeatureParams::new()
            .analyzer(analyzer)
            .ngrams(self.ngrams.0, self.ngrams.1)
            .char_ngrams(self.char_ngrams)
            .min_df(self.min_df)
            .max_df(self.max_df)
            .max_features(self.max_features)
            .sublinear_tf(!self.no_sublinear_tf)
            .check()?)
    }

    /// Model settings.
    pub fn model(&self) -> ModelSettings {
        let kind: ModelKind = self.model.into();
        let base = ModelSettings::for_kind(kind);
        ModelSettings {
            alpha: self.alpha,
            c: self.c.unwrap_or(base.c),
            nb_weight: self.nbsvm && !matches!(kind, ModelKind::Nb | ModelKind::Cnb),
            class_weight: match self.class_weight {
                ClassWeightArg::None => ClassWeight::None,
                ClassWeightArg::Balanced => ClassWeight::Balanced,
            },
            max_iter: self.max_iter,
            seed: self.seed,
            ..base
        }
    }
}

/// Which model: a file, or a built-in one.
#[derive(Debug, Clone, ClapArgs)]
pub struct ModelChoice {
    /// Model file; without it, the built-in model for --task.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<std::path::PathBuf>,
    /// Built-in model to use when no --model is given.
    #[arg(long, value_enum, default_value = "stance")]
    pub task: TaskArg,
}

impl ModelChoice {
    /// Load the chosen model.
    pub fn load(&self) -> Result<stance::pipeline::Pipeline> {
        Ok(stance::defaults::load(
            self.model.as_deref(),
            self.task.into(),
        )?)
    }
}

/// Built-in tasks for clap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TaskArg {
    /// threatening / conciliatory / neutral.
    Stance,
    /// negative / neutral / positive.
    Sentiment,
}

impl From<TaskArg> for stance::defaults::Task {
    fn from(t: TaskArg) -> Self {
        match t {
            TaskArg::Stance => stance::defaults::Task::Stance,
            TaskArg::Sentiment => stance::defaults::Task::Sentiment,
        }
    }
}

/// Status lines on stderr, only when it is a terminal.
pub struct Progress {
    on: bool,
}

impl Progress {
    /// Progress for this process.
    pub fn new() -> Self {
        Progress {
            on: std::io::stderr().is_terminal(),
        }
    }

    /// Show a stage.
    pub fn stage(&self, msg: &str) {
        if self.on {
            eprint!("\r\x1b[2K{msg}");
            let _ = std::io::stderr().flush();
        }
    }

    /// Clear the line.
    pub fn done(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}

/// Buffered stdout.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

/// Escape a field for CSV output.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Shorten for a table cell, on a char boundary.
pub fn ellipsize(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= max {
        flat
    } else {
        let mut t: String = flat.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
