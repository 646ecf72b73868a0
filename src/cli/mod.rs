//! Subcommands, one file each. Shared argument groups live in [`common`].

mod common;
mod cv;
mod data;
mod evaluate;
mod extract;
mod predict;
mod score;
mod train;

use clap::{Parser, Subcommand};

pub use common::{Failed, UsageError};

/// Find quoted statements in news, attribute speakers, classify stance and sentiment;
/// train, evaluate and compare your own text classifiers.
#[derive(Debug, Parser)]
#[command(name = "stance", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Find every quoted statement in articles, with its speaker and character offsets.
    Extract(extract::Args),
    /// Extract quotes and classify their stance and sentiment; summaries by article or speaker.
    Score(score::Args),
    /// Train a model from a labelled CSV or JSONL file.
    Train(train::Args),
    /// Score a model on labelled data: accuracy, macro-F1, per-class figures, confusion.
    Evaluate(evaluate::Args),
    /// Label texts given as arguments or one per line on stdin.
    Predict(predict::Args),
    /// Stratified k-fold cross-validation of a model configuration.
    Cv(cv::Args),
    /// Dataset tools: `data check` validates a labelled dataset.
    Data(data::Args),
}

/// Run the chosen subcommand.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Extract(a) => extract::run(a),
        Command::Score(a) => score::run(a),
        Command::Train(a) => train::run(a),
        Command::Evaluate(a) => evaluate::run(a),
        Command::Predict(a) => predict::run(a),
        Command::Cv(a) => cv::run(a),
        Command::Data(a) => data::run(a),
    }
}
