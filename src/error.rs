//! The one error type of the library. Variants carry the data a user needs to find the
//! problem: the file, the line, the column, the parameter.

use std::path::PathBuf;

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `stance`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A row of a data file is unusable.
    #[error("{file}:{line}: {reason}")]
    BadRow {
        /// The data file (`-` for stdin).
        file: String,
        /// 1-based line where the row starts.
        line: u64,
        /// Column involved, if any.
        column: Option<String>,
        /// What is wrong.
        reason: String,
    },
    /// A required column is not in the header.
    #[error("{file}: no column named {column:?} (columns: {found})")]
    MissingColumn {
        /// The data file.
        file: String,
        /// The column asked for.
        column: String,
        /// The columns that are there, comma-separated.
        found: String,
    },
    /// Input text is not valid UTF-8.
    #[error("{file}: invalid UTF-8 at line {line}, byte offset {offset} (use --lossy to replace bad bytes)")]
    InvalidUtf8 {
        /// The file.
        file: String,
        /// 1-based line.
        line: u64,
        /// Byte offset of the first bad byte from the start of the file.
        offset: u64,
    },
    /// Input that is not text at all (a PDF, an archive, an image): no decoding helps.
    #[error("{file}: looks like {what}, not text: {advice}")]
    NotText {
        /// The file.
        file: String,
        /// What it looks like, e.g. "a PDF".
        what: &'static str,
        /// What to do instead.
        advice: &'static str,
    },
    /// Input is well-formed but holds nothing to work on.
    #[error("{file}: {reason}")]
    EmptyInput {
        /// The file.
        file: String,
        /// Why it is unusable.
        reason: String,
    },
    /// A model file cannot be used.
    #[error("{}: not a usable stance model: {reason}", path.display())]
    BadModel {
        /// The model file.
        path: PathBuf,
        /// What is wrong, with the byte offset where known.
        reason: String,
    },
    /// A model file written by a newer `stance`.
    #[error("{}: model format version {found} is newer than this stance understands (up to {supported}); upgrade stance", path.display())]
    ModelVersion {
        /// The model file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Newest version this build reads.
        supported: u32,
    },
    /// A hyperparameter is out of range.
    #[error("invalid parameter {name}: {reason}")]
    Param {
        /// Parameter name as on the command line.
        name: &'static str,
        /// The allowed range or the problem.
        reason: String,
    },
    /// Refusing to overwrite an existing file.
    #[error("{} already exists; pass --force to overwrite it", path.display())]
    Exists {
        /// The file that exists.
        path: PathBuf,
    },
    /// Training data that cannot train a model (e.g. one class only).
    #[error("cannot train: {0}")]
    Training(String),
    /// An error from linfa's traits.
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
}

impl Error {
    /// Whether the error is the user's input or usage (exit code 2) rather than a
    /// runtime failure (exit code 1).
    pub fn is_bad_input(&self) -> bool {
        match self {
            // A path that does not exist, or a directory given as a file, is a usage
            // mistake; other I/O trouble is runtime.
            Error::Io { source, .. } => matches!(
                source.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::InvalidInput
            ),
            Error::Linfa(_) => false,
            _ => true,
        }
    }

    /// Shorthand for an I/O error on a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
