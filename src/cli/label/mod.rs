//! `stance label`: label the quotes of articles one key at a time, most informative first,
//! appending each answer to a dataset as it is given.
//!
//! Split by concern: where answers come from and raw terminal mode ([`answers`]), the
//! quotes and their paragraphs ([`candidates`]), the display ([`render`]) and the
//! labelling loop ([`session`]).

mod answers;
mod candidates;
mod render;
mod session;

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, ValueEnum};
use stance::input::lines::LineReader;
use stance::labelling::checks::normalized_text;
use stance::labelling::labelfile::LabelFile;
use stance::pipeline::builtin::Task;
use stance::pipeline::Pipeline;

use super::common::progress::{colour_allowed, say};
use super::common::{for_each_article_batch, ArticleArgs, Failed, UsageError};
use answers::{Answers, RawTerminal};
use candidates::{candidates_of, Candidate};
use render::Ui;
use session::{Session, Tally};

/// Columns of a new dataset: those of `datasets/quotes.csv`, then where each quote came from.
const NEW_HEADERS: [&str; 9] = [
    "id",
    "text",
    "stance",
    "sentiment",
    "domain",
    "speaker_type",
    "split",
    "source",
    "speaker",
];

/// Label quotes.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Keys: t / c / n for threatening / conciliatory / neutral, then - / 0 / + for \
negative / neutral / positive sentiment with --task both (only - / 0 / + with --task sentiment); \
s skip, u undo the last answer, q quit. Every answer is saved at once; run the same command \
again to continue.\n\n\
Example:\n  stance label --articles news/ --into my_quotes.csv\n  stance label --articles news/ --into my_quotes.csv --task both --retrain-every 50\n  printf 'c+\\nt-\\nq\\n' | stance label --articles a.txt --into l.csv --task both --answers -"
)]
pub struct Args {
    /// Article files, directories (recursive: *.txt, *.jsonl) or `-` for stdin.
    #[arg(long, required = true, num_args = 1.., value_name = "PATH")]
    articles: Vec<String>,
    /// The CSV dataset answers are appended to; created with a header if missing.
    #[arg(long, value_name = "DATASET.csv")]
    into: PathBuf,
    /// Model guiding the ranking and shown as the guess (with --task both: the stance model)
    /// [default: the built-in model].
    #[arg(long, value_name = "MODEL")]
    model: Option<PathBuf>,
    /// Sentiment model with --task both [default: the built-in sentiment model].
    #[arg(long, value_name = "MODEL")]
    sentiment_model: Option<PathBuf>,
    /// What to label.
    #[arg(long, value_enum, default_value = "stance")]
    task: LabelTask,
    /// Order of the quotes: most uncertain first, or random.
    #[arg(long, value_enum, default_value = "uncertainty")]
    strategy: StrategyArg,
    /// Uncertainty score: 1 - (p1 - p2), or entropy / ln K.
    #[arg(long, value_enum, default_value = "margin")]
    by: ByArg,
    /// Quotes ranked and queued together (>= 1); the next batch is ranked with the
    /// model as it is then.
    #[arg(long, default_value_t = 10, value_name = "N")]
    batch: usize,
    /// Retrain the model on the dataset after every N new labels, once it holds at least
    /// 2 rows of each label; 0 never retrains. The new model ranks the next batch.
    #[arg(long, default_value_t = 0, value_name = "N")]
    retrain_every: usize,
    /// Read answers from FILE (`-` for stdin), one per line (`t`, `c+`, `n0`, `s`, `u`, `q`),
    /// instead of keys from the terminal.
    #[arg(long, value_name = "FILE|-")]
    answers: Option<String>,
    /// Share of new rows given split `test`, by a seeded hash of the text, in [0, 1].
    #[arg(long, default_value_t = 0.2, value_name = "F")]
    test_share: f64,
    /// Seed for the split hash, the random order and retraining.
    #[arg(long, default_value_t = 42, value_name = "N")]
    seed: u64,
    /// Replace invalid UTF-8 in articles with U+FFFD instead of skipping the article.
    #[arg(long)]
    lossy: bool,
}

/// What is labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LabelTask {
    /// threatening / conciliatory / neutral.
    Stance,
    /// negative / neutral / positive.
    Sentiment,
    /// Stance, then sentiment, for each quote.
    Both,
}

impl LabelTask {
    fn tasks(self) -> Vec<Task> {
        match self {
            LabelTask::Stance => vec![Task::Stance],
            LabelTask::Sentiment => vec![Task::Sentiment],
            LabelTask::Both => vec![Task::Stance, Task::Sentiment],
        }
    }
}

/// Order of the quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    /// Most uncertain first, diversified.
    Uncertainty,
    /// Seeded random order, diversified (a baseline).
    Random,
}

/// Uncertainty score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// 1 - (p1 - p2).
    Margin,
    /// Entropy / ln K.
    Entropy,
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The stance or sentiment column of a task.
fn column(task: Task) -> &'static str {
    task.name()
}

pub fn run(a: Args) -> Result<()> {
    check_args(&a)?;
    let ui = Ui {
        color: std::io::stderr().is_terminal() && colour_allowed(),
    };
    // Before anything is read: a session that cannot get answers fails at once.
    let mut answers = open_answers(&a, &ui)?;
    let (file, models) = open_dataset_and_models(&a)?;
    let (cands, already, article_failure) = read_candidates(&a, &file)?;
    say!(
        "{} quotes to label ({} already in {}, {})",
        cands.len(),
        already,
        a.into.display(),
        plural(file.rows(), "row")
    );
    let mut session = Session::new(&a, file, models, cands, ui);
    session.run(&mut answers)?;
    // Out of raw mode before the closing line.
    drop(answers);
    let Tally {
        labelled,
        skipped,
        undone,
        near_dups,
    } = session.tally;
    eprintln!(
        "labelled {} ({skipped} skipped, {undone} undone, {near_dups} near-duplicates passed over); {} now has {}",
        plural(labelled, "quote"),
        a.into.display(),
        plural(session.file.rows(), "row")
    );
    match article_failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Option combinations clap cannot check.
fn check_args(a: &Args) -> Result<()> {
    if a.batch == 0 {
        return Err(UsageError("--batch must be at least 1".into()).into());
    }
    if !(0.0..=1.0).contains(&a.test_share) {
        return Err(UsageError(format!("--test-share {}: must be in [0, 1]", a.test_share)).into());
    }
    if a.answers.as_deref() == Some("-") && a.articles.iter().any(|p| p == "-") {
        return Err(
            UsageError("--answers - and --articles - cannot both read stdin".into()).into(),
        );
    }
    if a.sentiment_model.is_some() && a.task != LabelTask::Both {
        return Err(
            UsageError("--sentiment-model goes with --task both; use --model".into()).into(),
        );
    }
    Ok(())
}

/// The answer file, or single keys from the terminal (raw mode), or typed lines when the
/// terminal cannot give single keys.
fn open_answers(a: &Args, ui: &Ui) -> Result<Answers> {
    Ok(match &a.answers {
        Some(f) => Answers::Lines(LineReader::open(f, false)?),
        // Keys come from the terminal, also when the articles come down a pipe.
        None if std::io::stdin().is_terminal() || a.articles.iter().any(|p| p == "-") => {
            match RawTerminal::enter() {
                Some(t) => Answers::Keys(t),
                None if std::io::stdin().is_terminal() => {
                    ui.line(
                        "(the terminal cannot read single keys: type each answer and press Enter)",
                    );
                    Answers::TypedLines(std::io::stdin())
                }
                None => {
                    return Err(UsageError(
                        "no terminal to read keys from: pass --answers FILE".into(),
                    )
                    .into())
                }
            }
        }
        None => return Err(UsageError(
            "stdin is not a terminal: pass --answers FILE (or --answers - to read them from stdin)"
                .into(),
        )
        .into()),
    })
}

/// The dataset (created, or repaired after a torn last row) and each task's model.
fn open_dataset_and_models(a: &Args) -> Result<(LabelFile, Vec<(Task, Pipeline)>)> {
    let tasks = a.task.tasks();
    let mut required = vec!["text"];
    required.extend(tasks.iter().map(|t| column(*t)));
    let (file, repair) = LabelFile::open(&a.into, &NEW_HEADERS, &required)
        .with_context(|| format!("opening {}", a.into.display()))?;
    if let Some(r) = repair {
        say!("warning: {}: {r}", a.into.display());
    }
    let mut models: Vec<(Task, Pipeline)> = Vec::new();
    for &t in &tasks {
        let path = match t {
            Task::Sentiment if a.task == LabelTask::Both => a.sentiment_model.as_deref(),
            _ => a.model.as_deref(),
        };
        models.push((t, stance::pipeline::builtin::load(path, t)?));
    }
    Ok((file, models))
}

/// The articles' quotes not yet in the dataset (each text once), how many already are,
/// and the failure to report at the end if some articles could not be read.
fn read_candidates(
    a: &Args,
    file: &LabelFile,
) -> Result<(Vec<Candidate>, usize, Option<anyhow::Error>)> {
    let input = ArticleArgs {
        paths: a.articles.clone(),
        ext: Vec::new(),
        lossy: a.lossy,
        keep_scare_quotes: false,
        max_quote_chars: 5000,
        over_long: Default::default(),
    };
    let mut cands: Vec<Candidate> = Vec::new();
    let mut known: HashSet<String> = HashSet::new();
    let mut already = 0usize;
    let read = for_each_article_batch(&input, false, |batch| {
        for art in batch {
            for c in candidates_of(&input, art) {
                let key = normalized_text(&c.text);
                if key.is_empty() || !known.insert(key) {
                    continue;
                }
                if file.contains(&c.text) {
                    already += 1;
                } else {
                    cands.push(c);
                }
            }
        }
        Ok(())
    });
    // Unreadable articles were reported; label the others, and fail at the end.
    let article_failure = match read {
        Ok(()) => None,
        Err(e) if e.downcast_ref::<Failed>().is_some() => Some(e),
        Err(e) => return Err(e),
    };
    Ok((cands, already, article_failure))
}
