//! `stance report`: one self-contained HTML page of articles with their quotes highlighted by
//! stance, speakers, a per-speaker table, a timeline and filters. Also the page behind
//! `stance evaluate --html`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use rayon::prelude::*;
use stance::evaluate::metrics::Evaluation;
use stance::input::labelled::Labelled;
use stance::pipeline::builtin::Task;
use stance::pipeline::Pipeline;
use stance::report::articles::{ArticleReport, ReportOptions, ReportQuote};
use stance::report::evaluation::{write_evaluation, EvaluationPage};

use super::common::{for_each_article_batch, stdout, ArticleArgs, Failed};

/// Write an HTML report.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "The page needs no network: CSS, script and charts are inline. Filters: click a \
                  speaker or a stance button; the view is kept in the URL fragment \
                  (#speaker=NAME&stance=threatening,neutral&page=2).\n\n\
                  Example:\n  stance report article.txt -o report.html\n  stance report news/ dump.jsonl -o report.html --force --title \"Border talks, June\""
)]
pub struct Args {
    #[command(flatten)]
    input: ArticleArgs,
    /// HTML file to write (atomically); `-` writes to stdout.
    #[arg(short, long, value_name = "FILE")]
    output: String,
    /// Overwrite an existing file.
    #[arg(long)]
    force: bool,
    /// Title of the page.
    #[arg(long, default_value = "Quotes by stance", value_name = "TEXT")]
    title: String,
    /// Stance model file [default: the built-in stance model].
    #[arg(long, value_name = "MODEL")]
    stance_model: Option<PathBuf>,
    /// Sentiment model file [default: the built-in sentiment model].
    #[arg(long, value_name = "MODEL")]
    sentiment_model: Option<PathBuf>,
}

/// What was written.
#[derive(Default)]
struct Written {
    articles: usize,
    quotes: usize,
    /// Inputs that could not be read (already reported on stderr).
    input_failure: Option<anyhow::Error>,
}

pub fn run(a: Args) -> Result<()> {
    let st = stance::pipeline::builtin::load(a.stance_model.as_deref(), Task::Stance)?;
    let se = stance::pipeline::builtin::load(a.sentiment_model.as_deref(), Task::Sentiment)?;
    let model_name = |p: &Option<PathBuf>, task: &str| {
        p.as_ref().map_or(format!("built-in {task} model"), |p| {
            p.display().to_string()
        })
    };
    let inputs = if a.input.paths.is_empty() {
        "stdin".to_string()
    } else {
        a.input.paths.join(", ")
    };
    let opts = ReportOptions {
        title: a.title.clone(),
        subtitle: format!(
            "{inputs} · {} · {} · stance {}",
            model_name(&a.stance_model, "stance"),
            model_name(&a.sentiment_model, "sentiment"),
            env!("CARGO_PKG_VERSION")
        ),
        stance_labels: st.labels().to_vec(),
        sentiment_labels: se.labels().to_vec(),
    };
    let mut done = Written::default();
    let result = if a.output == "-" {
        let mut out = stdout();
        write_report(&mut out, (&a.input, true), opts, &st, &se, &mut done)
            .map_err(|e| anyhow::Error::new(e).context("writing the report to stdout"))
    } else {
        let path = Path::new(&a.output);
        stance::util::write_atomic_with(path, a.force, |w| {
            write_report(w, (&a.input, false), opts, &st, &se, &mut done)
        })
        .map_err(anyhow::Error::new)
    };
    // No article could be read: the input error is the one to report.
    if result.is_err() {
        if let Some(input) = done.input_failure.take() {
            return Err(input);
        }
    }
    result?;
    if a.output != "-" {
        eprintln!(
            "wrote {}: {} article{}, {} quote{}",
            a.output,
            done.articles,
            if done.articles == 1 { "" } else { "s" },
            done.quotes,
            if done.quotes == 1 { "" } else { "s" }
        );
    }
    match done.input_failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Stream the articles into the page (`to_stdout`: the page goes to stdout). Inputs that
/// cannot be read are skipped (and recorded in `done`); the page is still written unless no
/// article at all could be read.
fn write_report(
    w: &mut dyn Write,
    (input, to_stdout): (&ArticleArgs, bool),
    opts: ReportOptions,
    st: &Pipeline,
    se: &Pipeline,
    done: &mut Written,
) -> std::io::Result<()> {
    let mut rep = ArticleReport::new(w, opts)?;
    // The report shows every quote found, short partial ones too.
    let scorer = stance::score::Scorer::new(st, se, input.score_options(true, false));
    let r = for_each_article_batch(input, to_stdout, |batch| {
        let scored: Vec<_> = batch
            .par_iter()
            .map(|art| input.score(&scorer, art).quotes)
            .collect();
        for (art, quotes) in batch.iter().zip(&scored) {
            let rq: Vec<ReportQuote> = quotes
                .iter()
                .map(|s| ReportQuote {
                    quote: &s.quote,
                    stance: &s.stance,
                    stance_confidence: s.stance_confidence,
                    sentiment: &s.sentiment,
                    sentiment_confidence: s.sentiment_confidence,
                })
                .collect();
            rep.article(art, &rq)?;
            done.articles += 1;
            done.quotes += rq.len();
        }
        Ok(())
    });
    match r {
        Ok(()) => {}
        Err(e) if e.is::<Failed>() => done.input_failure = Some(e),
        Err(e) => {
            return Err(match e.downcast::<std::io::Error>() {
                Ok(io) => io,
                Err(other) => std::io::Error::other(format!("{other:#}")),
            })
        }
    }
    if done.articles == 0 && done.input_failure.is_some() {
        // Dropping the temp file: an empty page would hide the failure.
        return Err(std::io::Error::other("no article could be read"));
    }
    rep.finish()?;
    Ok(())
}

/// `stance evaluate --html FILE`: the evaluation page. Predicts the rows again to get the
/// probabilities (the metrics need only the labels), which costs one more pass over the
/// texts and keeps the evaluation itself unchanged.
pub fn evaluation_html(
    path: &Path,
    force: bool,
    p: &Pipeline,
    model: &str,
    d: &Labelled,
    e: &Evaluation,
) -> Result<()> {
    let predictions = p.predict(&d.texts);
    // `e.labels` holds the model's labels, then labels only the data has.
    let truth: Vec<usize> = d
        .labels
        .iter()
        .map(|l| e.labels.iter().position(|n| n == l).unwrap_or(0))
        .collect();
    let subtitle = format!(
        "{model} on {} ({} rows) · stance {}",
        d.file,
        d.texts.len(),
        env!("CARGO_PKG_VERSION")
    );
    let page = EvaluationPage {
        title: "Model evaluation",
        subtitle: &subtitle,
        evaluation: e,
        texts: &d.texts,
        lines: &d.lines,
        truth: &truth,
        predictions: &predictions,
    };
    stance::util::write_atomic_with(path, force, |w| write_evaluation(w, &page))
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
