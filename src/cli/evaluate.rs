//! `stance evaluate`: compare a model's predictions with labelled data.

use std::io::Write;

use anyhow::Result;
use clap::Args as ClapArgs;
use stance::data::Labelled;
use stance::metrics::Evaluation;
use stance::pipeline::Pipeline;

use super::common::{stdout, DataArgs, Format, ModelChoice};

/// Evaluate a model.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Example:\n  stance evaluate --model mr.model --data test.csv\n  stance evaluate --model mr.model --data test.csv --format json"
)]
pub struct Args {
    #[command(flatten)]
    model: ModelChoice,
    #[command(flatten)]
    data: DataArgs,
    /// Output format: table or json.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub fn run(a: Args) -> Result<()> {
    let p = a.model.load()?;
    let d = a.data.read()?;
    let eval = evaluate(&p, &d)?;
    let mut out = stdout();
    match a.format {
        Format::Json | Format::Jsonl => {
            serde_json::to_writer_pretty(&mut out, &to_json(&eval))?;
            writeln!(out)?;
        }
        Format::Table | Format::Csv => write_table(&mut out, &eval)?,
    }
    out.flush()?;
    Ok(())
}

/// Predict and compare. Labels the model does not know are added after the model's labels
/// (never predicted, so they count as misses) and reported on stderr with the line of their
/// first row. If no row has a label the model knows, the data or the model is the wrong
/// one: that is an error naming the first row.
pub fn evaluate(p: &Pipeline, d: &Labelled) -> Result<Evaluation> {
    let known = p.labels();
    let mut names: Vec<String> = known.to_vec();
    // Unknown label → (rows, first line).
    let mut unknown: std::collections::BTreeMap<String, (usize, u64)> = Default::default();
    let truth: Vec<usize> = d
        .labels
        .iter()
        .zip(&d.lines)
        .map(|(l, &line)| {
            if let Some(i) = known.iter().position(|n| n == l) {
                return i;
            }
            unknown.entry(l.clone()).or_insert((0, line)).0 += 1;
            names.iter().position(|n| n == l).unwrap_or_else(|| {
                names.push(l.clone());
                names.len() - 1
            })
        })
        .collect();
    if !d.labels.is_empty() && truth.iter().all(|&t| t >= known.len()) {
        return Err(stance::Error::BadRow {
            file: d.file.clone(),
            line: d.lines[0],
            column: None,
            reason: format!(
                "no row has a label the model knows ({}); first label here: {:?}. Wrong --label-column or wrong model?",
                known.join(", "),
                d.labels[0]
            ),
        }
        .into());
    }
    if !unknown.is_empty() {
        let list: Vec<String> = unknown
            .iter()
            .map(|(l, (n, line))| format!("{l:?} ({n} rows) first at {}:{line}", d.file))
            .collect();
        eprintln!(
            "warning: labels the model does not know (counted as errors): {}",
            list.join(", ")
        );
    }
    let pred: Vec<usize> = p.predict(&d.texts).into_iter().map(|x| x.label).collect();
    Ok(Evaluation::new(&names, &truth, &pred))
}

/// The JSON shape documented in the README.
pub fn to_json(e: &Evaluation) -> serde_json::Value {
    let per_class: serde_json::Map<String, serde_json::Value> = e
        .labels
        .iter()
        .zip(&e.per_class)
        .map(|(l, m)| (l.clone(), serde_json::json!(m)))
        .collect();
    serde_json::json!({
        "accuracy": e.accuracy,
        "macro_f1": e.macro_f1,
        "per_class": per_class,
        "confusion": { "labels": e.labels, "matrix": e.confusion },
    })
}

/// Human-readable report.
pub fn write_table(out: &mut impl Write, e: &Evaluation) -> std::io::Result<()> {
    let n: usize = e.per_class.iter().map(|m| m.support).sum();
    writeln!(out, "rows      {n}")?;
    writeln!(out, "accuracy  {:.4}", e.accuracy)?;
    writeln!(out, "macro-F1  {:.4}", e.macro_f1)?;
    writeln!(out)?;
    let w = e
        .labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(
        out,
        "{:w$}  {:>9}  {:>6}  {:>6}  {:>7}",
        "label", "precision", "recall", "F1", "support"
    )?;
    for (l, m) in e.labels.iter().zip(&e.per_class) {
        writeln!(
            out,
            "{:w$}  {:>9.4}  {:>6.4}  {:>6.4}  {:>7}",
            l, m.precision, m.recall, m.f1, m.support
        )?;
    }
    writeln!(out)?;
    writeln!(out, "confusion (rows: true label, columns: predicted)")?;
    let cw = e
        .confusion
        .iter()
        .flatten()
        .map(|v| v.to_string().len())
        .max()
        .unwrap_or(1)
        .max(w.min(12));
    write!(out, "{:w$}", "")?;
    for l in &e.labels {
        write!(out, "  {:>cw$}", super::common::ellipsize(l, cw))?;
    }
    writeln!(out)?;
    for (l, row) in e.labels.iter().zip(&e.confusion) {
        write!(out, "{:w$}", l)?;
        for v in row {
            write!(out, "  {:>cw$}", v)?;
        }
        writeln!(out)?;
    }
    Ok(())
}
