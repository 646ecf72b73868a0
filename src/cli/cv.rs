//! `stance cv`: stratified k-fold cross-validation.

use std::io::Write;

use anyhow::Result;
use clap::Args as ClapArgs;
use stance::metrics::{stratified_folds, Evaluation};
use stance::pipeline::{Pipeline, TrainingMeta};
use stance::util::Rng;

use super::common::{stdout, DataArgs, Format, ModelArgs, Progress, UsageError};

/// Cross-validate.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Example:\n  stance cv --data train.csv --folds 5\n  stance cv --data train.csv --folds 10 --model svm --format json"
)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    model: ModelArgs,
    /// Number of folds (2 or more).
    #[arg(long, default_value_t = 5, value_name = "K")]
    folds: usize,
    /// Output format: table or json.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub fn run(a: Args) -> Result<()> {
    if a.folds < 2 {
        return Err(UsageError(format!("--folds {}: need at least 2", a.folds)).into());
    }
    let features = a.model.features()?;
    let settings = a.model.model();
    let d = a.data.read()?;
    let names: Vec<String> = d
        .labels
        .iter()
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let y: Vec<usize> = d
        .labels
        .iter()
        .map(|l| names.binary_search(l).unwrap_or(0))
        .collect();
    if d.texts.len() < a.folds {
        return Err(UsageError(format!(
            "{} rows cannot make {} folds",
            d.texts.len(),
            a.folds
        ))
        .into());
    }
    let mut rng = Rng::new(a.model.seed);
    let fold = stratified_folds(&y, a.folds, &mut rng);
    let progress = Progress::new();
    let mut evals = Vec::with_capacity(a.folds);
    for f in 0..a.folds {
        progress.stage(&format!("fold {}/{}", f + 1, a.folds));
        let train: Vec<usize> = (0..y.len()).filter(|&i| fold[i] != f).collect();
        let test: Vec<usize> = (0..y.len()).filter(|&i| fold[i] == f).collect();
        let tx: Vec<&str> = train.iter().map(|&i| d.texts[i].as_str()).collect();
        let tl: Vec<String> = train.iter().map(|&i| d.labels[i].clone()).collect();
        let p = Pipeline::fit(&tx, &tl, &features, &settings, TrainingMeta::default())?;
        let vx: Vec<&str> = test.iter().map(|&i| d.texts[i].as_str()).collect();
        let preds = p.predict(&vx);
        // Map the fold model's label order onto the full label list.
        let pred: Vec<usize> = preds
            .iter()
            .map(|x| names.binary_search(&p.labels()[x.label]).unwrap_or(0))
            .collect();
        let truth: Vec<usize> = test.iter().map(|&i| y[i]).collect();
        evals.push(Evaluation::new(&names, &truth, &pred));
    }
    progress.done();
    let stat = |f: &dyn Fn(&Evaluation) -> f64| {
        let v: Vec<f64> = evals.iter().map(f).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var =
            v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0).max(1.0);
        (mean, var.sqrt())
    };
    let acc = stat(&|e| e.accuracy);
    let f1 = stat(&|e| e.macro_f1);
    let per: Vec<(String, (f64, f64))> = names
        .iter()
        .enumerate()
        .map(|(c, l)| (l.clone(), stat(&|e: &Evaluation| e.per_class[c].f1)))
        .collect();
    let mut out = stdout();
    match a.format {
        Format::Json | Format::Jsonl => {
            let per_class: serde_json::Map<String, serde_json::Value> = per
                .iter()
                .map(|(l, (m, s))| (l.clone(), serde_json::json!({"f1_mean": m, "f1_std": s})))
                .collect();
            let o = serde_json::json!({
                "folds": a.folds,
                "rows": y.len(),
                "accuracy_mean": acc.0, "accuracy_std": acc.1,
                "macro_f1_mean": f1.0, "macro_f1_std": f1.1,
                "per_class": per_class,
                "fold_macro_f1": evals.iter().map(|e| e.macro_f1).collect::<Vec<_>>(),
            });
            serde_json::to_writer_pretty(&mut out, &o)?;
            writeln!(out)?;
        }
        _ => {
            writeln!(
                out,
                "{}-fold stratified cross-validation, {} rows, seed {}",
                a.folds,
                y.len(),
                a.model.seed
            )?;
            writeln!(out, "accuracy  {:.4} ± {:.4}", acc.0, acc.1)?;
            writeln!(out, "macro-F1  {:.4} ± {:.4}", f1.0, f1.1)?;
            for (l, (m, s)) in &per {
                writeln!(out, "  F1 {l}: {m:.4} ± {s:.4}")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
