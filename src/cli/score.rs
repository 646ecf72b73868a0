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
    csv_io, csv_writer, ellipsize, ellipsize_middle, for_each_article_batch, load_with_prior,
    stdout, write_csv_row, ArticleArgs, Format, JsonArray, QuoteWriter, UsageError,
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
            let heads = ["article", "date", "quotes"]
                .into_iter()
                .chain(st.labels().iter().map(String::as_str))
                .chain(["most_threatening_quote", "most_threatening_speaker"]);
            write_csv_row(out, heads)?;
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
            let mut r = csv::ByteRecord::new();
            r.push_field(row.article.as_bytes());
            r.push_field(or_empty(&row.date).as_bytes());
            r.push_field(row.quotes.to_string().as_bytes());
            for (_, n) in &row.counts {
                r.push_field(n.to_string().as_bytes());
            }
            r.push_field(or_empty(&row.most_threatening_quote).as_bytes());
            r.push_field(or_empty(&row.most_threatening_speaker).as_bytes());
            write_csv_row(out, &r)?;
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

/// The rows of `--by speaker` in `format`.
fn write_speakers(
    out: &mut impl Write,
    format: Format,
    rows: &[SpeakerRow],
    st: &Pipeline,
    se: &Pipeline,
) -> Result<()> {
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
        Format::Csv => speakers_csv(out, rows, st.labels(), se.labels())?,
        Format::Table => speakers_table(out, rows, st.labels(), se.labels())?,
    }
    out.flush()?;
    Ok(())
}

/// `--by speaker` as CSV: a count column per stance label, then per sentiment label.
fn speakers_csv(
    out: &mut impl Write,
    rows: &[SpeakerRow],
    stance: &[String],
    sentiment: &[String],
) -> Result<()> {
    let counts = stance
        .iter()
        .map(|l| format!("stance_{l}"))
        .chain(sentiment.iter().map(|l| format!("sentiment_{l}")));
    let heads = ["speaker".to_string(), "quotes".into(), "articles".into()]
        .into_iter()
        .chain(counts)
        .chain(["first_date".to_string(), "last_date".into()]);
    let mut w = csv_writer(&mut *out);
    w.write_record(heads).map_err(csv_io)?;
    let mut r = csv::ByteRecord::new();
    for t in rows {
        r.clear();
        r.push_field(or_empty(&t.speaker).as_bytes());
        r.push_field(t.quotes.to_string().as_bytes());
        r.push_field(t.articles.to_string().as_bytes());
        for l in stance {
            r.push_field(t.stance_count(l).to_string().as_bytes());
        }
        for l in sentiment {
            r.push_field(t.sentiment_count(l).to_string().as_bytes());
        }
        r.push_field(or_empty(&t.first_date).as_bytes());
        r.push_field(or_empty(&t.last_date).as_bytes());
        w.write_byte_record(&r).map_err(csv_io)?;
    }
    w.flush()?;
    Ok(())
}

/// `--by speaker` as a table: the CSV's columns, the label headers grouped under the task
/// they count, as both tasks have a `neutral`.
fn speakers_table(
    out: &mut impl Write,
    rows: &[SpeakerRow],
    stance: &[String],
    sentiment: &[String],
) -> Result<()> {
    let width = |labels: &[String]| -> usize {
        labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
            .max(7)
    };
    let (ws, we) = (width(stance), width(sentiment));
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
        group("stance", stance, ws),
        group("sentiment", sentiment, we)
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
        heads(stance, ws),
        heads(sentiment, we),
        "first date",
    )?;
    for t in rows {
        let c = |labels: &[String], count: &dyn Fn(&str) -> usize, w: usize| -> String {
            let v: Vec<String> = labels.iter().map(|l| format!("{:>w$}", count(l))).collect();
            v.join(" ")
        };
        writeln!(
            out,
            "{:<28} {:>6} {:>8}  {}  {}  {:<10}  {}",
            ellipsize(t.speaker.as_deref().unwrap_or("(unknown)"), 28),
            t.quotes,
            t.articles,
            c(stance, &|l| t.stance_count(l), ws),
            c(sentiment, &|l| t.sentiment_count(l), we),
            t.first_date.as_deref().unwrap_or("-"),
            t.last_date.as_deref().unwrap_or("-")
        )?;
    }
    Ok(())
}

/// An optional text as a CSV field: empty when there is none.
fn or_empty(text: &Option<String>) -> &str {
    text.as_deref().unwrap_or("")
}
