//! Status on stderr while long work runs.

use std::io::{IsTerminal, Write};

/// Status lines on stderr, only when it is a terminal.
pub struct Progress {
    on: bool,
}

impl Progress {
    /// Progress for this process.
    pub fn new() -> Self {
        Progress {
            on: std::io::stderr().is_terminal(),
        }
    }

    /// Show a stage.
    pub fn stage(&self, msg: &str) {
        if self.on {
            eprint!("\r\x1b[2K{msg}");
            let _ = std::io::stderr().flush();
        }
    }

    /// Clear the line.
    pub fn done(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}
