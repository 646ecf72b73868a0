//! Argument groups and helpers shared by several subcommands: training data and
//! hyperparameters ([`training`]), articles in batches ([`articles`]), output formats and
//! writers ([`output`]), progress bars and the lines printed above them on stderr
//! ([`progress`]).

pub mod articles;
pub mod output;
pub mod progress;
pub mod training;

pub use articles::*;
pub use output::*;
pub use progress::*;
pub use training::*;

/// A mistake in how the command was called, found after parsing (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// A command that already reported what went wrong and only needs its exit code.
#[derive(Debug, thiserror::Error)]
#[error("{msg}")]
pub struct Failed {
    /// Exit code: 1 runtime failure, 2 bad input.
    pub code: u8,
    /// One-line summary.
    pub msg: String,
}
