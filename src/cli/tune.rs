//! `stance tune`: search hyperparameters by stratified cross-validation and write the best.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use stance::evaluate::tune::{tune, SearchSpace, Trial};
use stance::features::FeatureSettings;
use stance::models::ModelSettings;
use stance::pipeline::TuningRecord;
use stance::pipeline::{Pipeline, TrainingMeta};

use super::common::{
    check_folds, enough_rows_for_folds, stdout, Bar, ClassWeightArg, DataArgs, ReportFormat,
    UsageError,
};

/// Tune hyperparameters.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Search space: model {nblr, logreg, nb, cnb, svm}, --ngrams {1-1, 1-2, 1-3}, \
--char-ngrams {off, 4-4, 2-5}, --min-df {1, 2}, --c {0.3, 1, 3, 10, 30} (logreg, nblr, svm), \
--alpha {0.03, 0.1, 0.3, 1} (nb, cnb, nblr), --nbsvm {off, on} (logreg, nblr, svm): \
1,224 distinct configurations. The defaults are always tried first, then the 17 that change \
one of their settings; the rest are drawn at random (seeded), each kind equally likely. Every configuration is scored on the same \
stratified folds of the given data. The best (highest mean macro-F1, then lowest spread) \
is trained on all the data and written with -o, with the search recorded in the model.\n\n\
Example:\n  stance tune --data train.csv --folds 5 -o tuned.model\n  \
stance tune --data train.csv --folds 3 --budget 40 --seed 7 --format json"
)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    /// Number of cross-validation folds (2 or more).
    #[arg(long, default_value_t = 5, value_name = "K")]
    folds: usize,
    /// Configurations to try (1 or more).
    #[arg(long, default_value_t = 20, value_name = "N")]
    budget: usize,
    /// Seed of the search, the folds and the models.
    #[arg(long, default_value_t = 42, value_name = "N")]
    seed: u64,
    /// Weight classes equally (`balanced`) for imbalanced data; not searched.
    #[arg(long, value_enum, default_value = "none")]
    class_weight: ClassWeightArg,
    /// Optimiser iteration cap (>= 1); not searched.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_iter: u32,
    /// Write the best configuration, trained on all the data, here (atomically).
    #[arg(short, long, value_name = "MODEL")]
    output: Option<PathBuf>,
    /// Overwrite an existing model file.
    #[arg(long)]
    force: bool,
    /// Output format: table or json.
    #[arg(long, value_enum, default_value = "table")]
    format: ReportFormat,
}

pub fn run(a: Args) -> Result<()> {
    check_folds(a.folds)?;
    if a.budget == 0 {
        return Err(UsageError("--budget 0: need at least 1".into()).into());
    }
    if a.max_iter == 0 {
        return Err(UsageError("--max-iter 0: need at least 1".into()).into());
    }
    if let Some(o) = &a.output {
        // Fail before the search, not after it.
        if o.exists() && !a.force {
            return Err(stance::Error::Exists { path: o.clone() }.into());
        }
    }
    let bar = Bar::start();
    bar.stage("reading data");
    let d = a.data.read_for_training()?;
    enough_rows_for_folds(d.texts.len(), a.folds)?;
    let space = SearchSpace::default();
    let base_features = FeatureSettings::default();
    let base_model = ModelSettings {
        class_weight: a.class_weight.into(),
        max_iter: a.max_iter,
        seed: a.seed,
        ..ModelSettings::default()
    };
    bar.stage(&format!("tuning on {} rows", d.texts.len()));
    let trials = tune(
        &d.texts,
        &d.labels,
        &space,
        &base_features,
        &base_model,
        a.folds,
        a.budget,
        a.seed,
        &bar,
    )?;
    drop(bar);
    let best = trials
        .first()
        .ok_or_else(|| anyhow::anyhow!("the search tried no configuration"))?;
    let mut out = stdout();
    match a.format {
        ReportFormat::Json => {
            let o = serde_json::json!({
                "folds": a.folds,
                "rows": d.texts.len(),
                "seed": a.seed,
                "budget": a.budget,
                "results": trials.iter().map(trial_json).collect::<Vec<_>>(),
                "best": best.candidate.describe(),
            });
            serde_json::to_writer_pretty(&mut out, &o)?;
            writeln!(out)?;
        }
        ReportFormat::Table => write_table(&mut out, &trials, a.folds, d.texts.len(), a.seed)?,
    }
    out.flush()?;
    if let Some(path) = &a.output {
        let bar = Bar::start();
        bar.stage("training the best configuration on all rows");
        let record = TuningRecord::new(&space, a.budget, trials.len(), a.folds, a.seed, best);
        let meta = TrainingMeta {
            tuning: Some(record),
            ..a.data.training_meta(&d, a.seed)
        };
        let features = best.candidate.features(&base_features)?;
        let settings = best.candidate.model(&base_model);
        let p = Pipeline::fit_with_progress(&d.texts, &d.labels, &features, &settings, meta, &bar)?;
        bar.stage("writing model");
        p.save(path, a.force)
            .with_context(|| format!("writing {}", path.display()))?;
        drop(bar);
        eprintln!(
            "best: {} (macro-F1 {:.4}); trained on {} rows -> {}",
            best.candidate.describe(),
            best.cv.macro_f1().mean,
            d.texts.len(),
            path.display()
        );
    }
    Ok(())
}

fn opt(v: Option<f32>) -> String {
    v.map_or("-".to_string(), |x| x.to_string())
}

fn trial_json(t: &Trial) -> serde_json::Value {
    let c = &t.candidate;
    let (f1, acc) = (t.cv.macro_f1(), t.cv.accuracy());
    serde_json::json!({
        "model": c.kind.name(),
        "ngrams": format!("{}-{}", c.ngrams.0, c.ngrams.1),
        "char_ngrams": c.char_ngrams.map(|(a, b)| format!("{a}-{b}")),
        "min_df": c.min_df,
        "c": c.c,
        "alpha": c.alpha,
        "nbsvm": c.nbsvm,
        "macro_f1_mean": f1.mean,
        "macro_f1_std": f1.std,
        "accuracy_mean": acc.mean,
        "options": c.describe(),
    })
}

fn write_table(
    out: &mut impl Write,
    trials: &[Trial],
    folds: usize,
    rows: usize,
    seed: u64,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} configurations, {folds}-fold stratified cross-validation, {rows} rows, seed {seed}",
        trials.len()
    )?;
    writeln!(
        out,
        "{:>4}  {:<6}  {:<6}  {:<5}  {:>6}  {:>5}  {:>5}  {:<5}  {:>8}  {:>6}  {:>8}",
        "rank",
        "model",
        "ngrams",
        "char",
        "min_df",
        "C",
        "alpha",
        "nbsvm",
        "macro-F1",
        "std",
        "accuracy"
    )?;
    for (i, t) in trials.iter().enumerate() {
        let c = &t.candidate;
        let (f1, acc) = (t.cv.macro_f1(), t.cv.accuracy());
        writeln!(
            out,
            "{:>4}  {:<6}  {:<6}  {:<5}  {:>6}  {:>5}  {:>5}  {:<5}  {:>8.4}  {:>6.4}  {:>8.4}",
            i + 1,
            c.kind.name(),
            format!("{}-{}", c.ngrams.0, c.ngrams.1),
            c.char_ngrams
                .map_or("off".to_string(), |(a, b)| format!("{a}-{b}")),
            c.min_df,
            opt(c.c),
            opt(c.alpha),
            if c.nbsvm { "on" } else { "off" },
            f1.mean,
            f1.std,
            acc.mean
        )?;
    }
    Ok(())
}
