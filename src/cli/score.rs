//! `stance score`: extract quotes and classify each one's stance and sentiment; summaries
//! per article or per speaker.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args as ClapArgs, ValueEnum};
use rayon::prelude::*;
use stance::input::articles::Article;
use stance::pipeline::builtin::Task;
use stance::pipeline::Pipeline;

use stance::score::{
    ArticleScores, ArticleSummary, Scorer, SpeakerRollup, SpeakerRow, MIN_PARTIAL_WORDS,
};

use super::common::{
    csv_field, ellipsize, ellipsize_middle, for_each_article_batch, load_with_prior, stdout,
    ArticleArgs, Format, JsonArray, QuoteWriter, UsageError,
};

/// Rows of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum By {
    /// One row per quote.
    Quote,
    /// One row per article: counts per stance and its most threatening quote.
    Article,
    /// One row per speaker across all inputs: counts and the dates seen.
    Speaker,
}

/// Score articles.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Example:\n  stance score article.txt\n  stance score news/ --by speaker\n  stance score dump.jsonl --format jsonl --stance-model my.model"
)]
pub struct Args {
    #[command(flatten)]
    input: ArticleArgs,
    /// Stance model file [default: the built-in stance model].
    #[arg(long, value_name = "MODEL")]
    stance_model: Option<PathBuf>,
    /// Sentiment model file [default: the built-in sentiment model].
    #[arg(long, value_name = "MODEL")]
    sentiment_model: Option<PathBuf>,
    /// Class prior of the stance model: `model` (its own; the built-in one carries real
    /// news's), `train`, `uniform`, or shares such as `neutral=0.9,threatening=0.05,conciliatory=0.05`.
    #[arg(long, default_value = "model", value_name = "PRIOR")]
    prior: String,
    /// Class prior of the sentiment model, as --prior.
    #[arg(long, default_value = "model", value_name = "PRIOR")]
    sentiment_prior: String,
    /// Output format: table, jsonl (one object per line), csv or json (one array).
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// What one output row is.
    #[arg(long, value_enum, default_value = "quote")]
    by: By,
    /// With --by quote: add the three n-grams that pushed each quote most towards its stance
    /// and towards its sentiment (as written in the quote).
    #[arg(long)]
    explain: bool,
    /// Classify every quote found, also partial quotes under four words (and scare quotes
    /// with --keep-scare-quotes) [default: direct quotes and partial quotes of 4+ words].
    #[arg(long)]
    all_quotes: bool,
}

pub fn run(a: Args) -> Result<()> {
    if a.explain && !matches!(a.by, By::Quote) {
        return Err(UsageError("--explain needs --by quote: it explains each quote".into()).into());
    }
    let stance_m = load_with_prior(a.stance_model.as_deref(), Task::Stance, &a.prior)?;
    let sent_m = load_with_prior(
        a.sentiment_model.as_deref(),
        Task::Sentiment,
        &a.sentiment_prior,
    )?;
    let scorer = Scorer::new(
        &stance_m,
        &sent_m,
        a.input.score_options(a.all_quotes, a.explain),
    );
    let mut w = QuoteWriter::new(a.format, true);
    let mut out = stdout();
    let mut speakers = SpeakerRollup::new();
    let mut header = false;
    let mut array = JsonArray::default();
    let mut left_out = 0;
    for_each_article_batch(&a.input, true, |batch| {
        let scored: Vec<(&Article, ArticleScores)> = batch
            .par_iter()
            .map(|art| (art, a.input.score(&scorer, art)))
            .collect();
        for (art, r) in scored {
            left_out += r.left_out;
            match a.by {
                By::Quote => {
                    for s in &r.quotes {
                        w.write(art, &s.quote, Some(s))?;
                    }
                }
                By::Article => write_article(
                    &mut out,
                    a.format,
                    (&mut header, &mut array),
                    &ArticleSummary::of(art, &r.quotes, stance_m.labels()),
                    &stance_m,
                )?,
                By::Speaker => speakers.add(art, &r.quotes),
            }
        }
        Ok(())
    })?;
    if left_out > 0 {
        eprintln!(
            "score: classified direct quotes and partial quotes of {MIN_PARTIAL_WORDS}+ words; \
             {left_out} shorter partial quote(s) left out (--all-quotes to include them)"
        );
    }
    match a.by {
        By::Quote => w.finish(a.explain)?,
        By::Article => {
            match a.format {
                Format::Json => array.finish(&mut out)?,
                // No article had a row: the header still says what the columns would be.
                Format::Csv | Format::Table if !header => {
                    article_header(&mut out, a.format, &stance_m)?
                }
                _ => {}
            }
            out.flush()?
        }
        By::Speaker => write_speakers(&mut out, a.format, &speakers.finish(), &stance_m, &sent_m)?,
    }
    Ok(())
}

/// The header of `--by article` in CSV or as a table: the same columns.
fn article_header(out: &mut impl Write, format: Format, st: &Pipeline) -> Result<()> {
    match format {
        Format::Csv => {
            let labels: Vec<String> = st.labels().iter().map(|l| csv_field(l)).collect();
            writeln!(
                out,
                "article,date,quotes,{},most_threatening_quote,most_threatening_speaker",
                labels.join(",")
            )?;
        }
        Format::Table => {
            let labels: Vec<String> = st
                .labels()
                .iter()
                .map(|l| format!("{:>12}", ellipsize(l, 12)))
                .collect();
            writeln!(
                out,
                "{:<32} {:>10} {:>6} {}  {:<24} most threatening quote",
                "article",
                "date",
                "quotes",
                labels.join(" "),
                "most threatening speaker"
            )?;
        }
        Format::Jsonl | Format::Json => {}
    }
    Ok(())
}

fn write_article(
    out: &mut impl Write,
    format: Format,
    (header, array): (&mut bool, &mut JsonArray),
    row: &ArticleSummary,
    st: &Pipeline,
) -> Result<()> {
    if !std::mem::replace(header, true) {
        article_header(out, format, st)?;
    }
    match format {
        Format::Jsonl | Format::Json => {
            let o = row.to_json();
            if format == Format::Json {
                array.before_row(out)?;
                write!(out, "{o}")?;
            } else {
                writeln!(out, "{o}")?;
            }
        }
        Format::Csv => {
            let c: Vec<String> = row.counts.iter().map(|(_, n)| n.to_string()).collect();
            writeln!(
                out,
                "{},{},{},{},{},{}",
                csv_field(&row.article),
                row.date.as_deref().unwrap_or(""),
                row.quotes,
                c.join(","),
                csv_field(row.most_threatening_quote.as_deref().unwrap_or("")),
                csv_field(row.most_threatening_speaker.as_deref().unwrap_or("")),
            )?;
        }
        Format::Table => {
            let c: Vec<String> = row.counts.iter().map(|(_, n)| format!("{n:>12}")).collect();
            let (speaker, quote) = match &row.most_threatening_quote {
                Some(q) => (
                    ellipsize(
                        row.most_threatening_speaker
                            .as_deref()
                            .unwrap_or("(unknown)"),
                        24,
                    ),
                    ellipsize(q, 60),
                ),
                None => ("-".to_string(), String::new()),
            };
            writeln!(
                out,
                "{:<32} {:>10} {:>6} {}  {speaker:<24} {quote}",
                ellipsize_middle(&row.article, 32),
                row.date.as_deref().unwrap_or("-"),
                row.quotes,
                c.join(" "),
            )?;
        }
    }
    Ok(())
}

fn write_speakers(
    out: &mut impl Write,
    format: Format,
    rows: &[SpeakerRow],
    st: &Pipeline,
    se: &Pipeline,
) -> Result<()> {
    let cols: Vec<(String, bool)> = st
        .labels()
        .iter()
        .map(|l| (l.clone(), true))
        .chain(se.labels().iter().map(|l| (l.clone(), false)))
        .collect();
    let count = |t: &SpeakerRow, (l, is_stance): &(String, bool)| -> usize {
        if *is_stance {
            t.stance_count(l)
        } else {
            t.sentiment_count(l)
        }
    };
    let row_json = |t: &SpeakerRow| t.to_json(st.labels(), se.labels());
    match format {
        Format::Jsonl => {
            for t in rows {
                writeln!(out, "{}", row_json(t))?;
            }
        }
        Format::Json => {
            let all: Vec<serde_json::Value> = rows.iter().map(row_json).collect();
            serde_json::to_writer(&mut *out, &all)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let heads: Vec<String> = cols
                .iter()
                .map(|(l, s)| {
                    csv_field(&format!("{}_{l}", if *s { "stance" } else { "sentiment" }))
                })
                .collect();
            writeln!(
                out,
                "speaker,quotes,articles,{},first_date,last_date",
                heads.join(",")
            )?;
            for t in rows {
                let c: Vec<String> = cols.iter().map(|c| count(t, c).to_string()).collect();
                writeln!(
                    out,
                    "{},{},{},{},{},{}",
                    csv_field(t.speaker.as_deref().unwrap_or("")),
                    t.quotes,
                    t.articles,
                    c.join(","),
                    t.first_date.as_deref().unwrap_or(""),
                    t.last_date.as_deref().unwrap_or("")
                )?;
            }
        }
        Format::Table => {
            // The CSV's columns; the label headers grouped under the task they count, as
            // both tasks have a `neutral`.
            let width = |labels: &[String]| -> usize {
                labels
                    .iter()
                    .map(|l| l.chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(7)
            };
            let (ws, we) = (width(st.labels()), width(se.labels()));
            let group = |name: &str, labels: &[String], w: usize| -> String {
                let span = labels.len() * (w + 1) - 1;
                format!("{:-^span$}", format!(" {name} "))
            };
            writeln!(
                out,
                "{:<28} {:>6} {:>8}  {}  {}",
                "",
                "",
                "",
                group("stance", st.labels(), ws),
                group("sentiment", se.labels(), we)
            )?;
            let heads = |labels: &[String], w: usize| -> String {
                let h: Vec<String> = labels.iter().map(|l| format!("{l:>w$}")).collect();
                h.join(" ")
            };
            writeln!(
                out,
                "{:<28} {:>6} {:>8}  {}  {}  {:<10}  last date",
                "speaker",
                "quotes",
                "articles",
                heads(st.labels(), ws),
                heads(se.labels(), we),
                "first date",
            )?;
            for t in rows {
                let c = |labels: &[String], is_stance: bool, w: usize| -> String {
                    let v: Vec<String> = labels
                        .iter()
                        .map(|l| format!("{:>w$}", count(t, &(l.clone(), is_stance))))
                        .collect();
                    v.join(" ")
                };
                writeln!(
                    out,
                    "{:<28} {:>6} {:>8}  {}  {}  {:<10}  {}",
                    ellipsize(t.speaker.as_deref().unwrap_or("(unknown)"), 28),
                    t.quotes,
                    t.articles,
                    c(st.labels(), true, ws),
                    c(se.labels(), false, we),
                    t.first_date.as_deref().unwrap_or("-"),
                    t.last_date.as_deref().unwrap_or("-")
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
