//! `stance train`: fit a pipeline on labelled data and write one model file.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use stance::pipeline::Pipeline;

use super::common::{say, Bar, DataArgs, ModelArgs};

/// Train a model.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Example:\n  stance train --data train.csv -o mr.model\n  stance train --data datasets/quotes.csv --label-column stance --split train --model svm -o stance.model --force\n  stance train --data train.csv --calibrate --calibration-fraction 0.1 -o mr.model"
)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    model: ModelArgs,
    /// Where to write the model (atomically).
    #[arg(short, long, value_name = "MODEL")]
    output: PathBuf,
    /// Overwrite an existing model file.
    #[arg(long)]
    force: bool,
    /// Fit a softmax temperature on a stratified held-out slice so that probabilities match
    /// accuracy; the model is then refitted on all rows and keeps that temperature.
    #[arg(long)]
    calibrate: bool,
    /// Share of the rows held out for --calibrate, in (0, 1).
    #[arg(long, default_value_t = 0.1, value_name = "F", requires = "calibrate")]
    calibration_fraction: f64,
    /// Class prior the model predicts under by default, stored in the file: `train` (the
    /// training rows' shares), `uniform`, or shares of your collection such as
    /// `neutral=0.9,threatening=0.05,conciliatory=0.05`. `predict --prior` overrides it.
    #[arg(long, default_value = "train", value_name = "PRIOR")]
    prior: String,
}

pub fn run(a: Args) -> Result<()> {
    stance::util::not_a_directory(&a.output)?;
    if a.output.exists() && !a.force {
        return Err(stance::Error::Exists {
            path: a.output.clone(),
        }
        .into());
    }
    a.model.features(0)?;
    let prior = stance::models::prior::Prior::parse(&a.prior)?;
    let settings = a.model.model();
    let bar = Bar::start();
    bar.stage("reading data");
    let d = a.data.read_for_training()?;
    let features = a.model.features(d.texts.len())?;
    bar.stage(&format!(
        "training {} on {} rows",
        settings.kind.name(),
        d.texts.len()
    ));
    let meta = a.data.training_meta(&d, a.model.seed);
    let p = if a.calibrate {
        let (p, r) = Pipeline::fit_calibrated_with_progress(
            &d.texts,
            &d.labels,
            &features,
            &settings,
            meta,
            a.calibration_fraction,
            a.model.seed,
            &bar,
        )?;
        say!(
            "calibrated on {} held-out rows: temperature {} -> {}, held-out ECE {:.4} -> {:.4}",
            r.held_out,
            r.temperature_before,
            r.temperature,
            r.ece_before,
            r.ece_after
        );
        p
    } else {
        Pipeline::fit_with_progress(&d.texts, &d.labels, &features, &settings, meta, &bar)?
    };
    let mut p = p;
    p.store_prior(&prior)?;
    bar.stage("writing model");
    p.save(&a.output, a.force).context("writing the model")?;
    drop(bar);
    if p.header.training.converged == Some(false) {
        eprintln!(
            "warning: the optimiser stopped at --max-iter {} before converging",
            settings.max_iter
        );
    }
    let counts: Vec<String> = p
        .header
        .training
        .label_counts
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    eprintln!(
        "trained {} on {} rows ({}), {} features -> {}",
        settings.kind.name(),
        d.texts.len(),
        counts.join(", "),
        p.vectorizer.vocabulary().len(),
        a.output.display()
    );
    Ok(())
}
