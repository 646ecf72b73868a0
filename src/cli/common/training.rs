//! Where labelled data comes from, and the feature and model hyperparameters of `train`,
//! `cv` and `tune`; which model the predicting commands load.

use anyhow::Result;
use clap::{Args as ClapArgs, ValueEnum};
use stance::features::FeatureValidParams;
use stance::input::labelled::{Labelled, ReadOptions};
use stance::models::{ClassWeight, ModelKind, ModelSettings};
use stance::pipeline::options::{stemming_language, TrainOptions};

use super::progress::say;
use super::UsageError;

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
        let d = stance::input::labelled::read_labelled(&self.data, &opts)?;
        if !d.skipped.is_empty() {
            say!(
                "warning: skipped {} bad row(s) in {}; first: {}",
                d.skipped.len(),
                d.file,
                d.skipped[0].1
            );
        }
        if d.replaced > 0 {
            say!(
                "warning: replaced invalid UTF-8 or NUL bytes in {} row(s) of {}",
                d.replaced,
                d.file
            );
        }
        Ok(d)
    }

    /// Read data to train on: like [`DataArgs::read`], and refused with a message about
    /// the data when it has one label (a fold would otherwise be blamed for it).
    pub fn read_for_training(&self) -> Result<Labelled> {
        let d = self.read()?;
        let mut labels: Vec<&str> = d.labels.iter().map(String::as_str).collect();
        labels.sort_unstable();
        labels.dedup();
        if labels.len() < 2 {
            let filter = self
                .filter_desc()
                .map_or(String::new(), |f| format!(" with {f}"));
            return Err(stance::Error::Training(format!(
                "every row of {}{filter} has the same {} ({}), in {} rows; a classifier needs at least two labels (is --label-column right?)",
                d.file,
                self.label_column,
                labels.first().copied().unwrap_or(""),
                d.texts.len()
            ))
            .into());
        }
        Ok(d)
    }

    /// `column=value` of the split filter, if any.
    pub fn filter_desc(&self) -> Option<String> {
        self.split
            .as_ref()
            .map(|v| format!("{}={}", self.split_column, v))
    }

    /// What a model trained on `d` (read through these options) records about its data.
    pub fn training_meta(&self, d: &Labelled, seed: u64) -> stance::pipeline::TrainingMeta {
        stance::pipeline::TrainingMeta {
            data_file: d.file.clone(),
            data_sha256: d.sha256.clone(),
            text_column: self.text_column.clone(),
            label_column: self.label_column.clone(),
            filter: self.filter_desc(),
            seed,
            date: stance::util::today(),
            ..Default::default()
        }
    }
}

/// Each of `folds` folds needs a row to test on.
pub fn enough_rows_for_folds(rows: usize, folds: usize) -> std::result::Result<(), UsageError> {
    if rows < folds {
        return Err(UsageError(format!("{rows} rows cannot make {folds} folds")));
    }
    Ok(())
}

/// Cross-validation needs at least two folds.
pub fn check_folds(folds: usize) -> std::result::Result<(), UsageError> {
    if folds < 2 {
        return Err(UsageError(format!("--folds {folds}: need at least 2")));
    }
    Ok(())
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

impl From<ClassWeightArg> for ClassWeight {
    fn from(w: ClassWeightArg) -> Self {
        match w {
            ClassWeightArg::None => ClassWeight::None,
            ClassWeightArg::Balanced => ClassWeight::Balanced,
        }
    }
}

/// Feature and model hyperparameters, shared by `train` and `cv`.
#[derive(Debug, Clone, ClapArgs)]
pub struct ModelArgs {
    /// Model kind to train (predict, evaluate and explain take a model file with --model
    /// instead).
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
    /// Keep terms seen in at least N training texts (>= 1) [default: 1, or 2 from 100,000
    /// training rows, where terms of one text are most of the vocabulary and teach nothing].
    #[arg(long, value_name = "N")]
    pub min_df: Option<u32>,
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
    /// Add actor and modality marks: who acts (first, second, third person) and when
    /// (future, hypothetical, past, after an `if`), so `we will strike` and `they will
    /// strike` differ (English).
    #[arg(long)]
    pub marks: bool,
    /// Add polarity terms from the built-in list of positive and negative words
    /// (`datasets/polarity.csv`; English): `p:pos`, `p:neg`, flipped after a negator.
    #[arg(long)]
    pub polarity: bool,
    /// Polarity terms from your own list instead (CSV `word,polarity`, polarity
    /// `positive` or `negative`); implies --polarity.
    #[arg(long, value_name = "FILE")]
    pub polarity_list: Option<std::path::PathBuf>,
    /// Seed for every random choice.
    #[arg(long, default_value_t = 42, value_name = "N")]
    pub seed: u64,
}

impl ModelArgs {
    /// The settings as the library takes them.
    fn options(&self) -> Result<TrainOptions> {
        Ok(TrainOptions {
            model: self.model.into(),
            nbsvm: self.nbsvm,
            ngrams: self.ngrams,
            char_ngrams: self.char_ngrams,
            min_df: self.min_df,
            max_df: self.max_df,
            max_features: self.max_features,
            sublinear_tf: !self.no_sublinear_tf,
            alpha: self.alpha,
            c: self.c,
            class_weight: self.class_weight.into(),
            max_iter: self.max_iter,
            language: stemming_language(&self.language).map_err(UsageError)?,
            negation: !self.no_negation,
            stop_words: self.stop_words,
            marks: self.marks,
            polarity: self.lexicon()?,
            seed: self.seed,
        })
    }

    /// Checked feature params for training on `rows` rows.
    pub fn features(&self, rows: usize) -> Result<FeatureValidParams> {
        Ok(self.options()?.features(rows)?)
    }

    /// The polarity list asked for, if any.
    fn lexicon(&self) -> Result<Option<stance::features::polarity::Lexicon>> {
        use stance::features::polarity::Lexicon;
        match &self.polarity_list {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| stance::Error::io(path.clone(), e))?;
                Lexicon::parse(&text)
                    .map(Some)
                    .map_err(|e| UsageError(format!("{}: {e}", path.display())).into())
            }
            None => Ok(self.polarity.then(Lexicon::built_in)),
        }
    }

    /// Model settings.
    pub fn model(&self) -> ModelSettings {
        let kind: ModelKind = self.model.into();
        TrainOptions {
            model: kind,
            nbsvm: self.nbsvm,
            alpha: self.alpha,
            c: self.c,
            class_weight: self.class_weight.into(),
            max_iter: self.max_iter,
            seed: self.seed,
            ..TrainOptions::default()
        }
        .model()
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
    /// Class prior to predict under: `model` (the one the model file carries, else its
    /// training shares; the built-in models carry one for news), `train` (the training
    /// rows' shares), `uniform`, or shares such as `neutral=0.9,threatening=0.05,conciliatory=0.05`.
    #[arg(long, default_value = "model", value_name = "PRIOR")]
    pub prior: String,
}

/// `path` when it names a model kind (`nblr`, `svm`, …) and no such file exists: `train`
/// and `cv` take a kind with `--model`, the commands that load a model take a file.
fn model_kind_not_file(path: &std::path::Path) -> Option<&str> {
    let s = path.to_str()?;
    (!path.exists() && KindArg::from_str(s, true).is_ok()).then_some(s)
}

/// Load `path` (or the built-in model for `task`) to predict under `prior`.
pub fn load_with_prior(
    path: Option<&std::path::Path>,
    task: stance::pipeline::builtin::Task,
    prior: &str,
) -> Result<stance::pipeline::Pipeline> {
    if let Some(kind) = path.and_then(model_kind_not_file) {
        return Err(UsageError(format!(
            "{kind} is a model kind; --model here takes a model file (train one with `stance train --model {kind} --data FILE -o MODEL`, or leave --model out for the built-in model)"
        ))
        .into());
    }
    let prior = stance::models::prior::Prior::parse(prior)?;
    let mut p = stance::pipeline::builtin::load(path, task)?;
    p.set_prior(&prior)?;
    Ok(p)
}

impl ModelChoice {
    /// Load the chosen model, set to predict under `--prior`.
    pub fn load(&self) -> Result<stance::pipeline::Pipeline> {
        load_with_prior(self.model.as_deref(), self.task.into(), &self.prior)
    }

    /// The model's header alone (unchecked beyond itself; `load` checks the whole file).
    pub fn peek_header(&self) -> Result<stance::pipeline::ModelHeader> {
        Ok(stance::pipeline::builtin::peek_header(
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

impl From<TaskArg> for stance::pipeline::builtin::Task {
    fn from(t: TaskArg) -> Self {
        match t {
            TaskArg::Stance => stance::pipeline::builtin::Task::Stance,
            TaskArg::Sentiment => stance::pipeline::builtin::Task::Sentiment,
        }
    }
}
