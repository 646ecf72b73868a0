//! The default stance and sentiment models, compiled into the binary.
//!
//! They are trained from `datasets/quotes.csv` (split `train`) by `scripts/train-defaults.sh`;
//! `models/README.md` is their model card.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::pipeline::{ModelHeader, Pipeline};

/// Which built-in model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// threatening / conciliatory / neutral.
    Stance,
    /// negative / neutral / positive.
    Sentiment,
}

impl Task {
    /// Name as on the command line and in the label column.
    pub fn name(self) -> &'static str {
        match self {
            Task::Stance => "stance",
            Task::Sentiment => "sentiment",
        }
    }

    fn bytes(self) -> &'static [u8] {
        match self {
            Task::Stance => include_bytes!("../../models/stance.model"),
            Task::Sentiment => include_bytes!("../../models/sentiment.model"),
        }
    }
}

/// Load a built-in model.
pub fn builtin(task: Task) -> Result<Pipeline> {
    let name = format!("<built-in {} model>", task.name());
    Pipeline::from_bytes(task.bytes(), Path::new(&name))
}

/// The header of `path` if given, else of the built-in model for `task`, without loading
/// the rest (see [`Pipeline::peek_header`]).
pub fn peek_header(path: Option<&Path>, task: Task) -> Result<ModelHeader> {
    match path {
        Some(p) => Pipeline::peek_header(p),
        None => {
            let name = format!("<built-in {} model>", task.name());
            Pipeline::header_from_prefix(task.bytes(), Path::new(&name))
        }
    }
}

/// Load `path` if given, else the built-in model for `task`.
pub fn load(path: Option<&Path>, task: Task) -> Result<Pipeline> {
    match path {
        Some(p) => Pipeline::load(p),
        None => builtin(task),
    }
}
