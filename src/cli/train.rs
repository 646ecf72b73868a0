//! `stance train`: fit a pipeline on labelled data and write one model file.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use stance::pipeline::{Pipeline, TrainingMeta};

use super::common::{DataArgs, ModelArgs, Progress};

/// Train a model.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Example:\n  stance train --data train.csv -o mr.model\n  stance train --data datasets/quotes.csv --label-column stance --split train --model svm -o stance.model --force"
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
}

pub fn run(a: Args) -> Result<()> {
    stance::util::not_a_directory(&a.output)?;
    if a.output.exists() && !a.force {
        return Err(stance::Error::Exists {
            path: a.output.clone(),
        }
        .into());
    }
    let features = a.model.features()?;
    let settings = a.model.model();
    let progress = Progress::new();
    progress.stage("reading data");
    let d = a.data.read()?;
    progress.stage(&format!(
        "training {} on {} rows",
        settings.kind.name(),
        d.texts.len()
    ));
    let meta = TrainingMeta {
        data_file: d.file.clone(),
        data_sha256: d.sha256.clone(),
        text_column: a.data.text_column.clone(),
        label_column: a.data.label_column.clone(),
        filter: a.data.filter_desc(),
        seed: a.model.seed,
        date: stance::util::today(),
        ..TrainingMeta::default()
    };
    let p = Pipeline::fit(&d.texts, &d.labels, &features, &settings, meta)?;
    progress.stage("writing model");
    p.save(&a.output, a.force).context("writing the model")?;
    progress.done();
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
