//! `stance cv`: stratified k-fold cross-validation, and learning curves.

use std::io::Write;

use anyhow::Result;
use clap::Args as ClapArgs;
use stance::evaluate::cv::{cross_validate, learning_curve, CurvePoint, CvResult, CURVE_FRACTIONS};

use super::common::{
    check_folds, enough_rows_for_folds, stdout, Bar, DataArgs, ModelArgs, ReportFormat,
};

/// Cross-validate.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Example:\n  stance cv --data train.csv --folds 5\n  stance cv --data train.csv --folds 10 --model svm --format json\n  stance cv --data train.csv --learning-curve"
)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    model: ModelArgs,
    /// Number of folds (2 or more).
    #[arg(long, default_value_t = 5, value_name = "K")]
    folds: usize,
    /// Also train on 10%, 20%, …, 100% of each training fold (a stratified, seeded,
    /// nested subsample) and report macro-F1 against training-set size.
    #[arg(long)]
    learning_curve: bool,
    /// Output format: table or json.
    #[arg(long, value_enum, default_value = "table")]
    format: ReportFormat,
}

pub fn run(a: Args) -> Result<()> {
    check_folds(a.folds)?;
    a.model.features(0)?;
    let settings = a.model.model();
    let bar = Bar::start();
    bar.stage("reading data");
    let d = a.data.read_for_training()?;
    let features = a.model.features(d.texts.len())?;
    enough_rows_for_folds(d.texts.len(), a.folds)?;
    bar.stage(&format!(
        "{} on {} rows",
        settings.kind.name(),
        d.texts.len()
    ));
    // One configuration: its mean over the folds so far.
    bar.name_score("mean macro-F1");
    let seed = a.model.seed;
    // The learning curve's 100% point is the plain cross-validation, fold for fold.
    let (cv, curve) = if a.learning_curve {
        let curve = learning_curve(
            &d.texts,
            &d.labels,
            &features,
            &settings,
            a.folds,
            &CURVE_FRACTIONS,
            seed,
            &bar,
        )?;
        let cv = curve
            .last()
            .filter(|p| p.fraction == 1.0)
            .map(|p| p.cv.clone())
            .ok_or_else(|| anyhow::anyhow!("the learning curve has no 100% point"))?;
        (cv, Some(curve))
    } else {
        let cv = cross_validate(
            &d.texts, &d.labels, &features, &settings, a.folds, seed, &bar,
        )?;
        (cv, None)
    };
    drop(bar);
    let mut out = stdout();
    match a.format {
        ReportFormat::Json => {
            let mut o = cv_json(&cv, a.folds);
            if let Some(curve) = &curve {
                o["learning_curve"] = curve_json(curve);
            }
            serde_json::to_writer_pretty(&mut out, &o)?;
            writeln!(out)?;
        }
        ReportFormat::Table => {
            write_cv_table(&mut out, &cv, a.folds, seed)?;
            if let Some(curve) = &curve {
                writeln!(out)?;
                write_curve_table(&mut out, curve)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn rows(cv: &CvResult) -> usize {
    cv.folds
        .iter()
        .map(|e| e.per_class.iter().map(|m| m.support).sum::<usize>())
        .sum()
}

fn cv_json(cv: &CvResult, folds: usize) -> serde_json::Value {
    let (acc, f1) = (cv.accuracy(), cv.macro_f1());
    let per_class: serde_json::Map<String, serde_json::Value> = cv
        .labels
        .iter()
        .enumerate()
        .map(|(c, l)| {
            let s = cv.class_f1(c);
            (
                l.clone(),
                serde_json::json!({"f1_mean": s.mean, "f1_std": s.std}),
            )
        })
        .collect();
    serde_json::json!({
        "folds": folds,
        "rows": rows(cv),
        "accuracy_mean": acc.mean, "accuracy_std": acc.std,
        "macro_f1_mean": f1.mean, "macro_f1_std": f1.std,
        "per_class": per_class,
        "fold_macro_f1": cv.folds.iter().map(|e| e.macro_f1).collect::<Vec<_>>(),
    })
}

fn write_cv_table(out: &mut impl Write, cv: &CvResult, folds: usize, seed: u64) -> Result<()> {
    let (acc, f1) = (cv.accuracy(), cv.macro_f1());
    writeln!(
        out,
        "{folds}-fold stratified cross-validation, {} rows, seed {seed}",
        rows(cv)
    )?;
    writeln!(out, "accuracy  {:.4} ± {:.4}", acc.mean, acc.std)?;
    writeln!(out, "macro-F1  {:.4} ± {:.4}", f1.mean, f1.std)?;
    for (c, l) in cv.labels.iter().enumerate() {
        let s = cv.class_f1(c);
        writeln!(out, "  F1 {l}: {:.4} ± {:.4}", s.mean, s.std)?;
    }
    Ok(())
}

fn mean_rows(p: &CurvePoint) -> f64 {
    p.train_rows.iter().sum::<usize>() as f64 / p.train_rows.len().max(1) as f64
}

fn curve_json(curve: &[CurvePoint]) -> serde_json::Value {
    curve
        .iter()
        .map(|p| {
            let (f1, acc) = (p.cv.macro_f1(), p.cv.accuracy());
            serde_json::json!({
                "fraction": p.fraction,
                "train_rows_mean": mean_rows(p),
                "macro_f1_mean": f1.mean, "macro_f1_std": f1.std,
                "accuracy_mean": acc.mean, "accuracy_std": acc.std,
            })
        })
        .collect()
}

fn write_curve_table(out: &mut impl Write, curve: &[CurvePoint]) -> Result<()> {
    writeln!(
        out,
        "learning curve (each training fold subsampled, stratified; scored on the whole test fold)"
    )?;
    writeln!(
        out,
        "{:>5}  {:>10}  {:>17}",
        "size", "train rows", "macro-F1"
    )?;
    for p in curve {
        let f1 = p.cv.macro_f1();
        writeln!(
            out,
            "{:>4.0}%  {:>10.0}  {:.4} ± {:.4}",
            p.fraction * 100.0,
            mean_rows(p),
            f1.mean,
            f1.std
        )?;
    }
    // Whether more labels will help: the gain of the last doubling of the data.
    let at = |f: f64| {
        curve
            .iter()
            .find(|p| (p.fraction - f).abs() < 1e-9)
            .map(|p| p.cv.macro_f1().mean)
    };
    if let (Some(half), Some(full)) = (at(0.5), at(1.0)) {
        let gain = full - half;
        writeln!(
            out,
            "macro-F1 gain from 50% to 100% of the data: {gain:+.4} ({})",
            if gain > 0.01 {
                "still rising: more labels are likely to help"
            } else {
                "flat: more labels of the same kind are unlikely to help much"
            }
        )?;
    }
    Ok(())
}
