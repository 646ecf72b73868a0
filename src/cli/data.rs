//! `stance data check`: validate a labelled dataset and print its figures.

use std::io::Write;

use anyhow::Result;
use clap::{Args as ClapArgs, Subcommand};
use stance::labelling::checks::{check, CheckReport, CheckRules};

use super::common::{stdout, ReportFormat, UsageError};

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
    /// Label columns, comma-separated [default: those of `stance` and `sentiment` the
    /// file has, else `label`].
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    label_columns: Option<Vec<String>>,
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
    format: ReportFormat,
}

pub fn run(a: Args) -> Result<()> {
    match a.command {
        DataCommand::Check(c) => run_check(c),
    }
}

/// The label columns to check when none are named: `stance` and `sentiment` (the
/// project's corpus and `stance label` files), else `label` (what `train` reads by default).
fn default_label_columns(headers: &[String]) -> Option<Vec<String>> {
    let has = |c: &str| headers.iter().any(|h| h == c);
    let tasks: Vec<String> = ["stance", "sentiment"]
        .into_iter()
        .filter(|c| has(c))
        .map(String::from)
        .collect();
    if !tasks.is_empty() {
        Some(tasks)
    } else {
        has("label").then(|| vec!["label".to_string()])
    }
}

fn run_check(a: CheckArgs) -> Result<()> {
    if !(a.jaccard > 0.0 && a.jaccard <= 1.0) {
        return Err(UsageError(format!("--jaccard {}: must be in (0, 1]", a.jaccard)).into());
    }
    let t = stance::input::labelled::read_table(&a.file, false)?;
    let cols = Columns::of(&a, &t)?;
    let rules = CheckRules {
        max_words: a.max_words,
        jaccard: a.jaccard,
        min_label_share: a.min_label_share,
    };
    let r = check(&t, cols.text, &cols.labels, cols.split, &cols.extra, &rules);
    let mut out = stdout();
    if matches!(a.format, ReportFormat::Json) {
        let mut v = serde_json::to_value(&r)?;
        v["passed"] = serde_json::json!(r.passed());
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        write_figures(&mut out, &a.file, &r)?;
        write_rules(&mut out, &a, &r, cols.split.is_some())?;
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

/// The columns a check reads, by index into the table.
struct Columns {
    text: usize,
    labels: Vec<usize>,
    split: Option<usize>,
    extra: Vec<usize>,
}

impl Columns {
    /// The text and label columns must be there; the split and counted columns may not be.
    fn of(a: &CheckArgs, t: &stance::input::labelled::Table) -> Result<Columns> {
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
        let label_columns = match &a.label_columns {
            Some(given) => given.clone(),
            None => default_label_columns(&t.headers).ok_or_else(|| {
                UsageError(format!(
                    "{}: no label column named stance, sentiment or label; name yours with --label-columns (columns: {})",
                    a.file,
                    t.headers.join(", ")
                ))
            })?,
        };
        let labels = label_columns
            .iter()
            .map(|c| need(c))
            .collect::<Result<Vec<_>>>()?;
        let split = if a.split_column == "none" {
            None
        } else {
            t.column(&a.split_column)
        };
        let extra = a.count_columns.iter().filter_map(|c| t.column(c)).collect();
        Ok(Columns {
            text,
            labels,
            split,
            extra,
        })
    }
}

/// The table report's figures: rows, words, and the rows per value of each counted column.
fn write_figures(out: &mut impl Write, file: &str, r: &CheckReport) -> std::io::Result<()> {
    writeln!(out, "file      {file}")?;
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
    Ok(())
}

/// Up to ten lines, and how many more.
fn lines(v: &[u64]) -> String {
    let mut s: Vec<String> = v.iter().take(10).map(|l| l.to_string()).collect();
    if v.len() > 10 {
        s.push(format!("… ({} more)", v.len() - 10));
    }
    format!("lines {}", s.join(", "))
}

/// One rule's line: `ok` or `FAIL` with how many rows broke it and which.
fn rule(out: &mut impl Write, name: &str, bad: usize, detail: String) -> std::io::Result<()> {
    let mark = if bad == 0 { "ok  " } else { "FAIL" };
    writeln!(
        out,
        "{mark} {name}: {bad}{}",
        if bad > 0 {
            format!(" ({detail})")
        } else {
            String::new()
        }
    )
}

/// A rule that was not run says so, rather than "ok".
fn off(out: &mut impl Write, name: &str, why: &str) -> std::io::Result<()> {
    writeln!(out, "off  {name}: {why}")
}

/// The table report's rules, one line each.
fn write_rules(
    out: &mut impl Write,
    a: &CheckArgs,
    r: &CheckReport,
    has_split: bool,
) -> std::io::Result<()> {
    rule(out, "empty texts", r.empty.len(), lines(&r.empty))?;
    let too_long = format!("texts over {} words", a.max_words);
    rule(out, &too_long, r.too_long.len(), lines(&r.too_long))?;
    rule(
        out,
        "empty labels",
        r.empty_labels.len(),
        lines(&r.empty_labels),
    )?;
    rule(
        out,
        "label columns with fewer than two labels (a classifier needs two or more)",
        r.single_label.len(),
        r.single_label.join(", "),
    )?;
    if has_split {
        rule(
            out,
            "rows shared between splits",
            r.shared_between_splits.len(),
            lines(&r.shared_between_splits),
        )?;
    } else {
        off(out, "rows shared between splits", "no split column")?;
    }
    let truncated = if r.near_duplicates_truncated {
        format!(
            "; stopped counting at {}",
            stance::labelling::checks::MAX_DUPLICATE_PAIRS
        )
    } else {
        String::new()
    };
    let pairs: Vec<String> = r
        .near_duplicates
        .iter()
        .take(10)
        .map(|p| format!("{}~{}", p.line_a, p.line_b))
        .collect();
    rule(
        out,
        &format!(
            "near-duplicate pairs (trigram Jaccard >= {}{truncated})",
            a.jaccard
        ),
        r.near_duplicates.len(),
        format!("lines {}", pairs.join(", ")),
    )?;
    if a.min_label_share > 0.0 {
        rule(
            out,
            &format!("labels under {:.0}% of rows", a.min_label_share * 100.0),
            r.underrepresented.len(),
            r.underrepresented.join(", "),
        )?;
    } else {
        off(out, "label shares", "no --min-label-share")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::default_label_columns;

    fn cols(h: &[&str]) -> Option<Vec<String>> {
        default_label_columns(&h.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn label_columns_default_to_the_tasks_then_label() {
        assert_eq!(
            cols(&["text", "stance", "sentiment", "label"]),
            Some(vec!["stance".into(), "sentiment".into()])
        );
        assert_eq!(cols(&["text", "sentiment"]), Some(vec!["sentiment".into()]));
        assert_eq!(cols(&["text", "label"]), Some(vec!["label".into()]));
        assert_eq!(cols(&["text", "class"]), None);
    }
}
