//! The `stance` binary: parse the command line, run the subcommand, map errors to exit
//! codes (0 ok, 1 runtime failure, 2 bad usage or bad input; a closed stdout pipe is 0).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    quiet_panics();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let broken_pipe = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", one_line(&e));
            if let Some(f) = e.chain().find_map(|c| c.downcast_ref::<cli::Failed>()) {
                return ExitCode::from(f.code);
            }
            let bad_input = e
                .chain()
                .find_map(|c| c.downcast_ref::<stance::Error>())
                .is_some_and(stance::Error::is_bad_input)
                || e.chain()
                    .any(|c| c.downcast_ref::<cli::UsageError>().is_some());
            ExitCode::from(if bad_input { 2 } else { 1 })
        }
    }
}

/// The error and its causes on one line, skipping a cause whose text the message before
/// it already shows (`stance::Error::Io` prints its I/O error and also names it as source).
fn one_line(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if msg.contains(&part) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&part);
    }
    msg.replace(['\n', '\r'], " ")
}

/// A panic is a bug in `stance`, never the user's fault: report it on one line with where it
/// happened and exit 1, instead of Rust's multi-line panic message.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        // The message must not land on a progress bar or a terminal left in raw mode.
        cli::restore_terminal();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: internal error{at}: {} (this is a bug in stance; please report it, see SECURITY.md)",
            what.replace(['\n', '\r'], " ")
        );
        std::process::exit(1);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_io_error_is_printed_once_on_one_line() {
        let io = std::io::Error::other("disk\non fire");
        let e = anyhow::Error::from(stance::Error::io("m.model", io)).context("writing m.model");
        assert_eq!(one_line(&e), "writing m.model: m.model: disk on fire");
    }
}
