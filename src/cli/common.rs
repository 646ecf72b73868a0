//! Argument groups and helpers shared by several subcommands.

use std::io::{IsTerminal, Write};
use std::path::Path;

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

/// Output formats of commands that write rows (extract, score, predict).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for reading.
    Table,
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header.
    Csv,
    /// One JSON document: an array of the rows.
    Json,
}

/// Output formats of commands that write one report (evaluate, cv, tune, data check,
/// explain): rows would not fit what they print, so they offer no jsonl or csv.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Aligned text for reading.
    Table,
    /// One JSON document.
    Json,
}

/// Separates the rows of a JSON array written one row at a time: `[` before the first,
/// `,` before the others, and `]` (or `[]` when there were none) at the end.
#[derive(Default)]
pub struct JsonArray {
    rows: usize,
}

impl JsonArray {
    /// Write what goes before the next row.
    pub fn before_row(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(if self.rows == 0 { b"[\n" } else { b",\n" })?;
        self.rows += 1;
        Ok(())
    }

    /// Close the array.
    pub fn finish(&self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(if self.rows == 0 { b"[]\n" } else { b"\n]\n" })
    }
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

/// Training rows from which `--min-df` defaults to 2.
pub const MIN_DF_2_FROM_ROWS: usize = 100_000;

/// The `--min-df` default for `rows` training rows.
pub fn default_min_df(rows: usize) -> u32 {
    if rows >= MIN_DF_2_FROM_ROWS {
        2
    } else {
        1
    }
}

impl ModelArgs {
    /// Checked feature params for training on `rows` rows.
    pub fn features(&self, rows: usize) -> Result<FeatureValidParams> {
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
            .min_df(self.min_df.unwrap_or(default_min_df(rows)))
            .max_df(self.max_df)
            .max_features(self.max_features)
            .sublinear_tf(!self.no_sublinear_tf)
            .marks(self.marks)
            .polarity(self.lexicon()?)
            .check()?)
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
    task: stance::defaults::Task,
    prior: &str,
) -> Result<stance::pipeline::Pipeline> {
    if let Some(kind) = path.and_then(model_kind_not_file) {
        return Err(UsageError(format!(
            "{kind} is a model kind; --model here takes a model file (train one with `stance train --model {kind} --data FILE -o MODEL`, or leave --model out for the built-in model)"
        ))
        .into());
    }
    let prior = stance::prior::Prior::parse(prior)?;
    let mut p = stance::defaults::load(path, task)?;
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
        Ok(stance::defaults::peek_header(
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

/// Shorten for a table cell by cutting the middle, so a path keeps its file name.
pub fn ellipsize_middle(s: &str, max: usize) -> String {
    let flat = ellipsize(s, usize::MAX);
    let n = flat.chars().count();
    if n <= max || max < 3 {
        return ellipsize(&flat, max);
    }
    // A third before the cut, the rest after: the end of a path names the file.
    let head = (max - 1) / 3;
    let tail = max - 1 - head;
    let mut t: String = flat.chars().take(head).collect();
    t.push('…');
    t.extend(flat.chars().skip(n - tail));
    t
}

/// A command that already reported what went wrong and only needs its exit code.
#[derive(Debug, thiserror::Error)]
#[error("{msg}")]
pub struct Failed {
    /// Exit code: 1 runtime failure, 2 bad input.
    pub code: u8,
    /// One-line summary.
    pub msg: String,
}

/// Where articles come from and how quotes are found.
#[derive(Debug, Clone, ClapArgs)]
pub struct ArticleArgs {
    /// Article files (plain text, optional `date YYYY-MM-DD` first line; or JSONL with
    /// id, text, date, title, url), directories (recursive: *.txt, *.jsonl), or `-` for stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Also read these extensions from directories, comma-separated (e.g. `md,text`; read
    /// as plain text, `ndjson` as JSONL). Files named on the command line are always read.
    #[arg(long, value_delimiter = ',', value_name = "EXT")]
    pub ext: Vec<String>,
    /// Replace invalid UTF-8 with U+FFFD instead of skipping the article.
    #[arg(long)]
    pub lossy: bool,
    /// Keep scare quotes (one to three words with no speech cue), flagged partial.
    #[arg(long)]
    pub keep_scare_quotes: bool,
    /// Drop quotes longer than this many characters (a run-away from a missing mark).
    #[arg(long, default_value_t = 5000, value_name = "N")]
    pub max_quote_chars: usize,
    /// Quotes dropped by --max-quote-chars so far, reported at the end.
    #[arg(skip)]
    pub over_long: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl ArticleArgs {
    /// Quotes of one article, offsets into the article text as read (prefix included).
    pub fn extract(&self, a: &stance::articles::Article) -> Vec<stance::quotes::Quote> {
        // The length limit is applied here rather than in `extract` (which would drop the
        // same quotes) so that the dropped ones can be counted and reported.
        let opts = stance::quotes::ExtractOptions {
            keep_scare_quotes: self.keep_scare_quotes,
            max_quote_chars: usize::MAX,
        };
        let mut qs = stance::quotes::extract(a.body(), &opts);
        let found = qs.len();
        qs.retain(|q| q.end - q.start <= self.max_quote_chars);
        if qs.len() < found {
            self.over_long
                .fetch_add(found - qs.len(), std::sync::atomic::Ordering::Relaxed);
        }
        for q in &mut qs {
            q.start += a.body_start;
            q.end += a.body_start;
        }
        qs
    }
}

/// Articles processed together: enough to keep both cores busy, few enough that memory stays
/// flat however many articles come.
const ARTICLE_BATCH: usize = 64;
/// A batch also ends at this many bytes of text: 64 articles at the 16 MiB limit would
/// otherwise be a gigabyte.
const ARTICLE_BATCH_BYTES: usize = 8 << 20;

/// Read the articles in input order, in batches; unreadable inputs are reported on stderr
/// and skipped, and make the command fail at the end (exit 2 for bad input, 1 otherwise).
pub fn for_each_article_batch(
    input: &ArticleArgs,
    mut f: impl FnMut(&[stance::articles::Article]) -> Result<()>,
) -> Result<()> {
    let expanded = stance::articles::expand_with(&input.paths, &input.ext);
    if input.paths.is_empty() && std::io::stdin().is_terminal() {
        // Otherwise a newcomer who typed the bare command sees nothing happen.
        eprintln!("reading articles from stdin (end with Ctrl-D); give files or directories to read those instead");
    }
    let skipped = expanded.skipped;
    let n_sources = expanded.sources.len();
    let mut failed: Vec<stance::Error> = expanded.errors;
    for e in &failed {
        eprintln!("error: {e}");
    }
    let mut batch = Vec::with_capacity(ARTICLE_BATCH);
    let mut total = 0usize;
    for item in stance::articles::ArticleReader::new(expanded.sources, input.lossy) {
        total += 1;
        match item {
            Ok(a) => batch.push(a),
            Err(e) => {
                eprintln!("error: {e}");
                failed.push(e);
            }
        }
        let bytes: usize = batch.iter().map(|a| a.text.len()).sum();
        if batch.len() == ARTICLE_BATCH || bytes >= ARTICLE_BATCH_BYTES {
            f(&batch)?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        f(&batch)?;
    }
    let over_long = input.over_long.load(std::sync::atomic::Ordering::Relaxed);
    if over_long > 0 {
        eprintln!(
            "warning: dropped {over_long} quote(s) longer than --max-quote-chars {} (usually a quote mark never closed)",
            input.max_quote_chars
        );
    }
    if total == 0 && failed.is_empty() {
        return Err(Failed {
            code: 2,
            msg: nothing_found(&input.paths, n_sources, &skipped),
        }
        .into());
    }
    if failed.is_empty() {
        return Ok(());
    }
    let code = if failed.iter().all(stance::Error::is_bad_input) {
        2
    } else {
        1
    };
    Err(Failed {
        code,
        msg: format!(
            "{} of {} inputs could not be read (listed above)",
            failed.len(),
            total.max(failed.len())
        ),
    }
    .into())
}

/// Why no article was read: the files the directories held and why each was passed over.
fn nothing_found(paths: &[String], sources: usize, skipped: &[String]) -> String {
    let dirs = paths.join(", ");
    if sources > 0 {
        return format!("no article found: {dirs} holds no article (an empty JSONL file?)");
    }
    if skipped.is_empty() {
        return format!(
            "no article found: {dirs} holds no files (directories are searched for *.txt and *.jsonl)"
        );
    }
    let mut exts: Vec<String> = skipped
        .iter()
        .filter_map(|f| {
            Path::new(f)
                .extension()?
                .to_str()
                .map(str::to_ascii_lowercase)
        })
        .collect();
    exts.sort();
    exts.dedup();
    let shown: Vec<&str> = skipped.iter().take(5).map(String::as_str).collect();
    let more = if skipped.len() > 5 {
        format!(" and {} more", skipped.len() - 5)
    } else {
        String::new()
    };
    let hint = if exts.is_empty() {
        "name the files themselves to read them".to_string()
    } else {
        format!("--ext {} reads them as plain text", exts.join(","))
    };
    format!(
        "no article found: {dirs} holds {} file(s), none read: {}{more}; directories are searched for *.txt and *.jsonl only ({hint})",
        skipped.len(),
        shown.join(", ")
    )
}

/// Classification of one quote, for `score`.
pub struct Scored {
    /// The quote.
    pub quote: stance::quotes::Quote,
    /// Stance label.
    pub stance: String,
    /// Its probability.
    pub stance_confidence: f32,
    /// All stance probabilities, in the model's label order.
    pub stance_probs: Vec<f32>,
    /// Sentiment label.
    pub sentiment: String,
    /// Its probability.
    pub sentiment_confidence: f32,
    /// With `--explain`: the n-grams (as written in the quote) that pushed most towards
    /// the stance label, then towards the sentiment label; empty otherwise.
    pub why: Option<(Vec<String>, Vec<String>)>,
}

/// N-grams shown per label by `--explain`.
const EXPLAIN_NGRAMS: usize = 3;

/// The `EXPLAIN_NGRAMS` n-grams that pushed `text` most towards its label, as written.
fn top_words(p: &stance::pipeline::Pipeline, text: &str) -> Vec<String> {
    stance::explain::top_ngrams(p, text, EXPLAIN_NGRAMS)
        .into_iter()
        .map(|t| t.words.into_iter().next().unwrap_or(t.term))
        .collect()
}

/// Extract an article's quotes and classify each with the stance and sentiment models.
pub fn score_article(
    input: &ArticleArgs,
    art: &stance::articles::Article,
    st: &stance::pipeline::Pipeline,
    se: &stance::pipeline::Pipeline,
    explain: bool,
) -> Vec<Scored> {
    score_quotes(input.extract(art), st, se, explain)
}

/// Classifies quotes already extracted.
pub fn score_quotes(
    quotes: Vec<stance::quotes::Quote>,
    st: &stance::pipeline::Pipeline,
    se: &stance::pipeline::Pipeline,
    explain: bool,
) -> Vec<Scored> {
    quotes
        .into_iter()
        .map(|q| {
            let ps = st.predict_one(&q.text);
            let pe = se.predict_one(&q.text);
            Scored {
                stance: st.labels()[ps.label].clone(),
                stance_confidence: ps.probabilities[ps.label],
                stance_probs: ps.probabilities,
                sentiment: se.labels()[pe.label].clone(),
                sentiment_confidence: pe.probabilities[pe.label],
                why: explain.then(|| (top_words(st, &q.text), top_words(se, &q.text))),
                quote: q,
            }
        })
        .collect()
}

/// Writes quote rows as table, JSONL or CSV.
pub struct QuoteWriter {
    format: Format,
    scored: bool,
    header_done: bool,
    array: JsonArray,
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
}

impl QuoteWriter {
    /// A writer; `scored` adds the classification columns.
    pub fn new(format: Format, scored: bool) -> Self {
        QuoteWriter {
            format,
            scored,
            header_done: false,
            array: JsonArray::default(),
            out: stdout(),
        }
    }

    /// One quote of one article.
    pub fn write(
        &mut self,
        a: &stance::articles::Article,
        q: &stance::quotes::Quote,
        s: Option<&Scored>,
    ) -> Result<()> {
        let out = &mut self.out;
        match self.format {
            Format::Jsonl | Format::Json => {
                let mut o = serde_json::json!({
                    "article": a.id, "date": a.date, "quote": q.text, "speaker": q.speaker,
                    "speaker_title": q.speaker_title, "start": q.start, "end": q.end, "partial": q.partial,
                    "kind": q.kind,
                });
                if let Some(s) = s {
                    o["stance"] = s.stance.clone().into();
                    o["stance_confidence"] = round(s.stance_confidence).into();
                    o["sentiment"] = s.sentiment.clone().into();
                    o["sentiment_confidence"] = round(s.sentiment_confidence).into();
                    if let Some((st, se)) = &s.why {
                        o["stance_ngrams"] = st.clone().into();
                        o["sentiment_ngrams"] = se.clone().into();
                    }
                }
                if self.format == Format::Json {
                    self.array.before_row(out)?;
                    write!(out, "{o}")?;
                } else {
                    writeln!(out, "{o}")?;
                }
            }
            Format::Csv => {
                self.header(s.is_some_and(|s| s.why.is_some()))?;
                let out = &mut self.out;
                write!(
                    out,
                    "{},{},{},{},{},{},{},{},{}",
                    csv_field(&a.id),
                    csv_field(a.date.as_deref().unwrap_or("")),
                    csv_field(&q.text),
                    csv_field(q.speaker.as_deref().unwrap_or("")),
                    csv_field(q.speaker_title.as_deref().unwrap_or("")),
                    q.start,
                    q.end,
                    q.partial,
                    q.kind.name()
                )?;
                if let Some(s) = s {
                    write!(
                        out,
                        ",{},{:.6},{},{:.6}",
                        csv_field(&s.stance),
                        s.stance_confidence,
                        csv_field(&s.sentiment),
                        s.sentiment_confidence
                    )?;
                    if let Some((st, se)) = &s.why {
                        write!(
                            out,
                            ",{},{}",
                            csv_field(&st.join(" | ")),
                            csv_field(&se.join(" | "))
                        )?;
                    }
                }
                writeln!(out)?;
            }
            Format::Table => {
                self.header(false)?;
                let out = &mut self.out;
                let art = ellipsize(
                    Path::new(&a.id)
                        .file_name()
                        .map_or(a.id.as_str(), |n| n.to_str().unwrap_or(&a.id)),
                    24,
                );
                let spk = ellipsize(q.speaker.as_deref().unwrap_or("(unknown)"), 24);
                let date = ellipsize(a.date.as_deref().unwrap_or("-"), 10);
                let title = ellipsize(q.speaker_title.as_deref().unwrap_or("-"), 20);
                let span = format!("{}-{}", q.start, q.end);
                let kind = q.kind.name();
                let text = ellipsize(&q.text, if self.scored { 60 } else { 80 });
                // The CSV's columns, narrowed: `partial` is in `kind`.
                write!(
                    out,
                    "{art:<24} {date:<10} {spk:<24} {title:<20} {span:<11} {kind:<7} "
                )?;
                match s {
                    Some(s) => {
                        writeln!(
                            out,
                            "{:<18} {:<18} {text}",
                            format!("{} {:.2}", ellipsize(&s.stance, 13), s.stance_confidence),
                            format!(
                                "{} {:.2}",
                                ellipsize(&s.sentiment, 13),
                                s.sentiment_confidence
                            ),
                        )?;
                        if let Some((st, se)) = &s.why {
                            writeln!(
                                out,
                                "{:<139} why: {} ({}); {} ({})",
                                "",
                                st.join(", "),
                                s.stance,
                                se.join(", "),
                                s.sentiment
                            )?;
                        }
                    }
                    None => writeln!(out, "{text}")?,
                }
            }
        }
        Ok(())
    }

    /// The CSV or table header, once; `explain` adds the n-gram columns to CSV.
    fn header(&mut self, explain: bool) -> Result<()> {
        if std::mem::replace(&mut self.header_done, true) {
            return Ok(());
        }
        let out = &mut self.out;
        match self.format {
            Format::Csv => {
                write!(
                    out,
                    "article,date,quote,speaker,speaker_title,start,end,partial,kind"
                )?;
                if self.scored {
                    write!(
                        out,
                        ",stance,stance_confidence,sentiment,sentiment_confidence"
                    )?;
                }
                if explain {
                    write!(out, ",stance_ngrams,sentiment_ngrams")?;
                }
                writeln!(out)?;
            }
            Format::Table => {
                write!(
                    out,
                    "{:<24} {:<10} {:<24} {:<20} {:<11} {:<7} ",
                    "article", "date", "speaker", "speaker_title", "start-end", "kind"
                )?;
                if self.scored {
                    write!(out, "{:<18} {:<18} ", "stance", "sentiment")?;
                }
                writeln!(out, "quote")?;
            }
            Format::Jsonl | Format::Json => {}
        }
        Ok(())
    }

    /// Close the JSON array, or write the header when there was no row; flush.
    pub fn finish(mut self, explain: bool) -> Result<()> {
        match self.format {
            Format::Json => self.array.finish(&mut self.out)?,
            Format::Csv | Format::Table => self.header(explain)?,
            Format::Jsonl => {}
        }
        self.out.flush()?;
        Ok(())
    }
}

/// Six decimals keep JSONL short.
pub fn round(v: f32) -> f64 {
    (v as f64 * 1e6).round() / 1e6
}
