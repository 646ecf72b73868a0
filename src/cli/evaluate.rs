//! `stance evaluate`: compare a model's predictions with labelled data.

use std::io::Write;

use anyhow::Result;
use clap::Args as ClapArgs;
use stance::evaluate::metrics::{reliability, Evaluation, Reliability};
use stance::features::TermHashes;
use stance::input::labelled::Labelled;
use stance::pipeline::Pipeline;

use super::common::{stdout, DataArgs, ModelChoice, ReportFormat, UsageError};

/// Text, in bytes, up to which `evaluate` hashes the data's terms while the model loads:
/// the hashes take about 3 bytes per byte of text, and on large data the load is a small
/// share of the time anyway.
const PREHASH_MAX_BYTES: usize = 16 << 20;

/// Evaluate a model.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Example:\n  stance evaluate --model mr.model --data test.csv\n  stance evaluate --model mr.model --data test.csv --format json --bins 15\n  stance evaluate --data datasets/quotes.csv --label-column stance --split test --html eval.html"
)]
pub struct Args {
    #[command(flatten)]
    model: ModelChoice,
    #[command(flatten)]
    data: DataArgs,
    /// Output format: table or json.
    #[arg(long, value_enum, default_value = "table")]
    format: ReportFormat,
    /// Also write an HTML page: confusion heatmap, per-class bars, calibration plot and the
    /// most confident mistakes (self-contained, written atomically).
    #[arg(long, value_name = "FILE")]
    html: Option<std::path::PathBuf>,
    /// Overwrite an existing --html file.
    #[arg(long)]
    force: bool,
    /// Equal-width confidence bins for the calibration figures (1 or more).
    #[arg(long, default_value_t = 10, value_name = "N")]
    bins: usize,
}

pub fn run(a: Args) -> Result<()> {
    if a.bins == 0 {
        return Err(UsageError("--bins 0: need at least 1".into()).into());
    }
    if let Some(path) = a.html.as_ref().filter(|h| h.exists() && !a.force) {
        return Err(stance::Error::Exists { path: path.clone() }.into());
    }
    // The model loads while the data is read and, when it is small, its terms hashed with
    // the settings in the model's header (loading leaves a core mostly idle); a model error
    // is still the one reported first.
    let (p, d) = rayon::join(
        || a.model.load(),
        || {
            let d = a.data.read()?;
            let bytes: usize = d.texts.iter().map(String::len).sum();
            let hashed = (bytes <= PREHASH_MAX_BYTES)
                .then(|| a.model.peek_header().ok())
                .flatten()
                .map(|h| TermHashes::new(&h.features, &d.texts));
            anyhow::Ok((d, hashed))
        },
    );
    let (p, (d, hashed)) = (p?, d?);
    let (eval, rel) = evaluate(&p, &d, hashed.as_ref(), a.bins)?;
    let mut out = stdout();
    match a.format {
        ReportFormat::Json => {
            let mut o = to_json(&eval);
            o["ece"] = serde_json::json!(rel.ece);
            o["reliability"] = serde_json::json!(rel.bins);
            serde_json::to_writer_pretty(&mut out, &o)?;
            writeln!(out)?;
        }
        ReportFormat::Table => {
            write_table(&mut out, &eval)?;
            writeln!(out)?;
            write_reliability(&mut out, &rel, p.header.temperature)?;
        }
    }
    out.flush()?;
    if let Some(path) = &a.html {
        let model = a.model.model.as_ref().map_or_else(
            || {
                format!(
                    "built-in {} model",
                    stance::pipeline::builtin::Task::from(a.model.task).name()
                )
            },
            |m| m.display().to_string(),
        );
        super::report::evaluation_html(path, a.force, &p, &model, &d, &eval)?;
    }
    Ok(())
}

/// Predict and compare. Labels the model does not know are added after the model's labels
/// (never predicted, so they count as misses) and reported on stderr with the line of their
/// first row. If no row has a label the model knows, the data or the model is the wrong
/// one: that is an error naming the first row.
/// The reliability table bins each prediction by its confidence (the predicted label's
/// probability).
pub fn evaluate(
    p: &Pipeline,
    d: &Labelled,
    hashed: Option<&TermHashes>,
    bins: usize,
) -> Result<(Evaluation, Reliability)> {
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
    let preds = match hashed.and_then(|h| p.predict_hashed(h)) {
        Some(preds) => preds,
        None => p.predict(&d.texts),
    };
    let pred: Vec<usize> = preds.iter().map(|x| x.label).collect();
    let confidence: Vec<f64> = preds
        .iter()
        .map(|x| x.probabilities[x.label] as f64)
        .collect();
    let correct: Vec<bool> = pred.iter().zip(&truth).map(|(p, t)| p == t).collect();
    Ok((
        Evaluation::new(&names, &truth, &pred),
        reliability(&confidence, &correct, bins),
    ))
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

/// Calibration figures: ECE and the reliability table.
pub fn write_reliability(
    out: &mut impl Write,
    r: &Reliability,
    temperature: f32,
) -> std::io::Result<()> {
    writeln!(
        out,
        "calibration (confidence = probability of the predicted label; temperature {temperature})"
    )?;
    writeln!(out, "ECE       {:.4}", r.ece)?;
    writeln!(
        out,
        "{:>13}  {:>6}  {:>15}  {:>8}",
        "confidence", "count", "mean confidence", "accuracy"
    )?;
    // Empty bins have no mean or accuracy: listing them only adds rows of dashes.
    for b in r.bins.iter().filter(|b| b.count > 0) {
        writeln!(
            out,
            "{:>13}  {:>6}  {:>15.4}  {:>8.4}",
            format!("{:.2}-{:.2}", b.lower, b.upper),
            b.count,
            b.mean_confidence,
            b.accuracy
        )?;
    }
    let empty = r.bins.iter().filter(|b| b.count == 0).count();
    if empty > 0 {
        writeln!(out, "({empty} of {} bins empty, not shown)", r.bins.len())?;
    }
    Ok(())
}
