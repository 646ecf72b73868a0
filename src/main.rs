//! The `stance` binary: parse the command line, run the subcommand, map errors to exit
//! codes (0 ok, 1 runtime failure, 2 bad usage or bad input; a closed stdout pipe is 0).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
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
            eprintln!("error: {e:#}");
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
