//! `stance data check`: validate a labelled dataset and print its figures.

use std::io::Write;

use anyhow::Result;
use clap::{Args as ClapArgs, Subcommand};
use stance::dataset::{check, CheckRules};

use super::common::{stdout, Format, UsageError};

/// Dataset tools.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    command: DataCommand,
}

#[derive(Debug, Subcommand)]
enum DataCommand {
    /// Validate a labelled CSV: balance, near-duplicates, empty or over-long texts, split leaks.
    /// Exits 1 when a rule fails.
    #[command(
        after_help = "Example:\n  stance data check datasets/quotes.csv --label-columns stance,sentiment --min-label-share 0.15\n  stance data check mydata.csv --label-columns label --split-column none"
    )]
    Check(CheckArgs),
}

#[derive(Debug, ClapArgs)]
struct CheckArgs {
    /// The CSV file (`-` reads stdin).
    file: String,
    /// Column holding the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    text_column: String,
    /// Label columns, comma-separated.
    #[arg(
        long,
        default_value = "stance,sentiment",
        value_delimiter = ',',
        value_name = "NAMES"
    )]
    label_columns: Vec<String>,
    /// Split column (`none` for no split check).
    #[arg(long, default_value = "split", value_name = "NAME")]
    split_column: String,
    /// Further columns to count, comma-separated; missing ones are ignored.
    #[arg(
        long,
        default_value = "domain,speaker_type",
        value_delimiter = ',',
        value_name = "NAMES"
    )]
    count_columns: Vec<String>,
    /// Texts over this many words fail.
    #[arg(long, default_value_t = 80, value_name = "N")]
    max_words: usize,
    /// Pairs at or above this word-trigram Jaccard similarity fail, in (0, 1].
    #[arg(long, default_value_t = 0.5, value_name = "J")]
    jaccard: f64,
    /// Each label must hold at least this share of rows, in [0, 1); 0 turns the rule off.
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    min_label_share: f64,
    /// Output format: table or json.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub fn run(a: Args) -> Result<()> {
    match a.command {
        DataCommand::Check(c) => run_check(c),
    }
}

fn run_check(a: CheckArgs) -> Result<()> {
    if !(a.jaccard > 0.0 && a.jaccard <= 1.0) {
        return Err(UsageError(format!("--jaccard {}: must be in (0, 1]", a.jaccard)).into());
    }
    let t = stance::data::read_table(&a.file, false)?;
    let need = |name: &str| -> Result<usize> {
        t.column(name).ok_or_else(|| {
            stance::Error::MissingColumn {
                file: a.file.clone(),
                column: name.to_string(),
                found: t.headers.join(", "),
            }
            .into()
        })
    };
    let text = need(&a.text_column)?;
    let labels = a
        .label_columns
        .iter()
        .map(|c| need(c))
        .collect::<Result<Vec<_>>>()?;
    let split = if a.split_column == "none" {
        None
    } else {
        t.column(&a.split_column)
    };
    let extra: Vec<usize> = a.count_columns.iter().filter_map(|c| t.column(c)).collect();
    let rules = CheckRules {
        max_words: a.max_words,
        jaccard: a.jaccard,
        min_label_share: a.min_label_share,
    };
    let r = check(&t, text, &labels, split, &extra, &rules);
    let mut out = stdout();
    if matches!(a.format, Format::Json | Format::Jsonl) {
        let mut v = serde_json::to_value(&r)?;
        v["passed"] = serde_json::json!(r.passed());
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        writeln!(out, "file      {}", a.file)?;
        writeln!(out, "rows      {}", r.rows)?;
        writeln!(
            out,
            "words     min {}  median {}  max {}",
            r.words.0, r.words.1, r.words.2
        )?;
        for (col, counts) in r.labels.iter().chain(&r.columns) {
            writeln!(out, "{col} ({} values)", counts.len())?;
            for (v, n) in counts {
                writeln!(
                    out,
                    "  {:<24} {:>6}  {:>5.1}%",
                    if v.is_empty() { "(empty)" } else { v },
                    n,
                    *n as f64 * 100.0 / r.rows.max(1) as f64
                )?;
            }
        }
        let lines = |v: &[u64]| -> String {
            let mut s: Vec<String> = v.iter().take(10).map(|l| l.to_string()).collect();
            if v.len() > 10 {
                s.push(format!("… ({} more)", v.len() - 10));
            }
            s.join(", ")
        };
        let mut rule = |name: &str, bad: usize, detail: String| -> std::io::Result<()> {
            let mark = if bad == 0 { "ok  " } else { "FAIL" };
            writeln!(
                out,
                "{mark} {name}: {bad}{}",
                if bad > 0 {
                    format!(" (lines {detail})")
                } else {
                    String::new()
                }
            )
        };
        rule("empty texts", r.empty.len(), lines(&r.empty))?;
        rule(
            &format!("texts over {} words", a.max_words),
            r.too_long.len(),
            lines(&r.too_long),
        )?;
        rule("empty labels", r.empty_labels.len(), lines(&r.empty_labels))?;
        rule(
            "rows shared between splits",
            r.shared_between_splits.len(),
            lines(&r.shared_between_splits),
        )?;
        rule(
            &format!(
                "near-duplicate pairs (trigram Jaccard >= {}{})",
                a.jaccard,
                if r.near_duplicates_truncated {
                    format!(
                        "; stopped counting at {}",
                        stance::dataset::MAX_DUPLICATE_PAIRS
                    )
                } else {
                    String::new()
                }
            ),
            r.near_duplicates.len(),
            {
                let shown: Vec<String> = r
                    .near_duplicates
                    .iter()
                    .take(10)
                    .map(|p| format!("{}~{}", p.line_a, p.line_b))
                    .collect();
                shown.join(", ")
            },
        )?;
        if a.min_label_share > 0.0 {
            rule(
                &format!("labels under {:.0}% of rows", a.min_label_share * 100.0),
                r.underrepresented.len(),
                r.underrepresented.join(", "),
            )?;
        }
        writeln!(out, "{}", if r.passed() { "PASSED" } else { "FAILED" })?;
    }
    out.flush()?;
    if !r.passed() {
        // The report already says which rule failed.
        return Err(super::common::Failed {
            code: 1,
            msg: "dataset check failed".into(),
        }
        .into());
    }
    Ok(())
}
