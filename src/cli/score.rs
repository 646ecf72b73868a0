//! `stance score`: extract quotes and classify each one's stance and sentiment; summaries
//! per article or per speaker.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args as ClapArgs, ValueEnum};
use rayon::prelude::*;
use stance::articles::Article;
use stance::defaults::Task;
use stance::pipeline::Pipeline;

use super::common::{
    csv_field, ellipsize, ellipsize_middle, for_each_article_batch, load_with_prior, score_quotes,
    stdout, ArticleArgs, Format, JsonArray, QuoteWriter, Scored, UsageError,
};
use stance::quotes::{Quote, QuoteKind};

/// Partial quotes shorter than this are a few words in the writer's
/// sentence, too little to carry a stance; `--all-quotes` scores them too.
const MIN_PARTIAL_WORDS: usize = 4;

/// Whether `score` classifies a quote by default: direct quotes, and partial
/// quotes of at least [`MIN_PARTIAL_WORDS`] words.
fn scored_by_default(q: &Quote) -> bool {
    match q.kind {
        QuoteKind::Direct => true,
        QuoteKind::Partial => {
            q.text
                .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
                .filter(|w| !w.is_empty())
                .count()
                >= MIN_PARTIAL_WORDS
        }
        QuoteKind::Scare => false,
    }
}

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

/// One row per person across articles: a speaker given as one capitalised
/// word (`Putin`, in an article that never gives the full name) joins the
/// row of the one full name of two or more capitalised words that ends in
/// that word (`Vladimir Putin`). With two such names (`Anna Berg`, `Tom
/// Berg`) the word stays a row of its own: which one is meant is unknown.
fn merge_surnames(speakers: &mut BTreeMap<Option<String>, Tally>) {
    let capitalised = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    let mut full_by_last: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in speakers.keys().flatten() {
        let words: Vec<&str> = name.split(' ').collect();
        if words.len() >= 2 && words.iter().all(|w| capitalised(w)) {
            if let Some(last) = words.last() {
                full_by_last
                    .entry(last.to_string())
                    .or_default()
                    .push(name.clone());
            }
        }
    }
    let singles: Vec<String> = speakers
        .keys()
        .flatten()
        .filter(|n| !n.contains(' ') && capitalised(n))
        .cloned()
        .collect();
    for single in singles {
        let Some([full]) = full_by_last.get(&single).map(Vec::as_slice) else {
            continue;
        };
        let Some(from) = speakers.remove(&Some(single)) else {
            continue;
        };
        let into = speakers.entry(Some(full.clone())).or_default();
        into.quotes += from.quotes;
        into.articles += from.articles;
        for (k, v) in from.stance {
            *into.stance.entry(k).or_insert(0) += v;
        }
        for (k, v) in from.sentiment {
            *into.sentiment.entry(k).or_insert(0) += v;
        }
        into.first = match (into.first.take(), from.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        into.last = match (into.last.take(), from.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

#[derive(Default)]
struct Tally {
    quotes: usize,
    stance: BTreeMap<String, usize>,
    sentiment: BTreeMap<String, usize>,
    first: Option<String>,
    last: Option<String>,
    articles: usize,
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
    let mut w = QuoteWriter::new(a.format, true);
    let mut out = stdout();
    let mut speakers: BTreeMap<Option<String>, Tally> = BTreeMap::new();
    let threat = stance_m
        .labels()
        .iter()
        .position(|l| l == "threatening")
        .unwrap_or(0);
    let mut header = false;
    let mut array = JsonArray::default();
    let skipped = std::sync::atomic::AtomicUsize::new(0);
    for_each_article_batch(&a.input, |batch| {
        let scored: Vec<(&Article, Vec<Scored>)> = batch
            .par_iter()
            .map(|art| {
                let mut quotes = a.input.extract(art);
                if !a.all_quotes {
                    let found = quotes.len();
                    quotes.retain(scored_by_default);
                    skipped.fetch_add(found - quotes.len(), std::sync::atomic::Ordering::Relaxed);
                }
                (art, score_quotes(quotes, &stance_m, &sent_m, a.explain))
            })
            .collect();
        for (art, quotes) in scored {
            match a.by {
                By::Quote => {
                    for s in &quotes {
                        w.write(art, &s.quote, Some(s))?;
                    }
                }
                By::Article => write_article(
                    &mut out,
                    a.format,
                    (&mut header, &mut array),
                    art,
                    &quotes,
                    &stance_m,
                    threat,
                )?,
                By::Speaker => {
                    let mut seen = std::collections::HashSet::new();
                    for s in &quotes {
                        let t = speakers.entry(s.quote.speaker.clone()).or_default();
                        t.quotes += 1;
                        *t.stance.entry(s.stance.clone()).or_insert(0) += 1;
                        *t.sentiment.entry(s.sentiment.clone()).or_insert(0) += 1;
                        if seen.insert(s.quote.speaker.clone()) {
                            t.articles += 1;
                        }
                        if let Some(d) = &art.date {
                            if t.first.as_ref().is_none_or(|f| d < f) {
                                t.first = Some(d.clone());
                            }
                            if t.last.as_ref().is_none_or(|l| d > l) {
                                t.last = Some(d.clone());
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    })?;
    let skipped = skipped.into_inner();
    if skipped > 0 {
        eprintln!(
            "score: classified direct quotes and partial quotes of {MIN_PARTIAL_WORDS}+ words; \
             {skipped} shorter partial quote(s) left out (--all-quotes to include them)"
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
        By::Speaker => {
            merge_surnames(&mut speakers);
            write_speakers(&mut out, a.format, &speakers, &stance_m, &sent_m)?
        }
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
    art: &Article,
    quotes: &[Scored],
    st: &Pipeline,
    threat: usize,
) -> Result<()> {
    let mut counts: Vec<usize> = vec![0; st.labels().len()];
    for s in quotes {
        if let Some(i) = st.labels().iter().position(|l| *l == s.stance) {
            counts[i] += 1;
        }
    }
    let top = quotes
        .iter()
        .filter(|s| s.stance == st.labels()[threat])
        .max_by(|a, b| a.stance_probs[threat].total_cmp(&b.stance_probs[threat]));
    if !std::mem::replace(header, true) {
        article_header(out, format, st)?;
    }
    match format {
        Format::Jsonl | Format::Json => {
            let mut o = serde_json::Map::new();
            o.insert("article".into(), art.id.clone().into());
            o.insert("date".into(), art.date.clone().into());
            o.insert("quotes".into(), quotes.len().into());
            for (l, n) in st.labels().iter().zip(&counts) {
                o.insert(l.clone(), (*n).into());
            }
            o.insert(
                "most_threatening_quote".into(),
                top.map(|s| s.quote.text.clone()).into(),
            );
            o.insert(
                "most_threatening_speaker".into(),
                top.and_then(|s| s.quote.speaker.clone()).into(),
            );
            let o = serde_json::Value::Object(o);
            if format == Format::Json {
                array.before_row(out)?;
                write!(out, "{o}")?;
            } else {
                writeln!(out, "{o}")?;
            }
        }
        Format::Csv => {
            let c: Vec<String> = counts.iter().map(|n| n.to_string()).collect();
            writeln!(
                out,
                "{},{},{},{},{},{}",
                csv_field(&art.id),
                art.date.as_deref().unwrap_or(""),
                quotes.len(),
                c.join(","),
                csv_field(top.map_or("", |s| s.quote.text.as_str())),
                csv_field(top.and_then(|s| s.quote.speaker.as_deref()).unwrap_or("")),
            )?;
        }
        Format::Table => {
            let c: Vec<String> = counts.iter().map(|n| format!("{n:>12}")).collect();
            let (speaker, quote) = top.map_or(("-".to_string(), String::new()), |s| {
                (
                    ellipsize(s.quote.speaker.as_deref().unwrap_or("(unknown)"), 24),
                    ellipsize(&s.quote.text, 60),
                )
            });
            writeln!(
                out,
                "{:<32} {:>10} {:>6} {}  {speaker:<24} {quote}",
                ellipsize_middle(&art.id, 32),
                art.date.as_deref().unwrap_or("-"),
                quotes.len(),
                c.join(" "),
            )?;
        }
    }
    Ok(())
}

fn write_speakers(
    out: &mut impl Write,
    format: Format,
    speakers: &BTreeMap<Option<String>, Tally>,
    st: &Pipeline,
    se: &Pipeline,
) -> Result<()> {
    let mut rows: Vec<(&Option<String>, &Tally)> = speakers.iter().collect();
    rows.sort_by(|a, b| b.1.quotes.cmp(&a.1.quotes).then_with(|| a.0.cmp(b.0)));
    let cols: Vec<(String, bool)> = st
        .labels()
        .iter()
        .map(|l| (l.clone(), true))
        .chain(se.labels().iter().map(|l| (l.clone(), false)))
        .collect();
    let count = |t: &Tally, (l, is_stance): &(String, bool)| -> usize {
        let m = if *is_stance { &t.stance } else { &t.sentiment };
        m.get(l).copied().unwrap_or(0)
    };
    let row_json = |name: &Option<String>, t: &Tally| {
        let st_counts: serde_json::Map<String, serde_json::Value> = st
            .labels()
            .iter()
            .map(|l| (l.clone(), count(t, &(l.clone(), true)).into()))
            .collect();
        let se_counts: serde_json::Map<String, serde_json::Value> = se
            .labels()
            .iter()
            .map(|l| (l.clone(), count(t, &(l.clone(), false)).into()))
            .collect();
        serde_json::json!({
            "speaker": name, "quotes": t.quotes, "articles": t.articles,
            "stance": st_counts, "sentiment": se_counts,
            "first_date": t.first, "last_date": t.last,
        })
    };
    match format {
        Format::Jsonl => {
            for (name, t) in rows {
                writeln!(out, "{}", row_json(name, t))?;
            }
        }
        Format::Json => {
            let all: Vec<serde_json::Value> = rows.iter().map(|(n, t)| row_json(n, t)).collect();
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
            for (name, t) in rows {
                let c: Vec<String> = cols.iter().map(|c| count(t, c).to_string()).collect();
                writeln!(
                    out,
                    "{},{},{},{},{},{}",
                    csv_field(name.as_deref().unwrap_or("")),
                    t.quotes,
                    t.articles,
                    c.join(","),
                    t.first.as_deref().unwrap_or(""),
                    t.last.as_deref().unwrap_or("")
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
            for (name, t) in rows {
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
                    ellipsize(name.as_deref().unwrap_or("(unknown)"), 28),
                    t.quotes,
                    t.articles,
                    c(st.labels(), true, ws),
                    c(se.labels(), false, we),
                    t.first.as_deref().unwrap_or("-"),
                    t.last.as_deref().unwrap_or("-")
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
