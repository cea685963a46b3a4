//! The binary: arguments in, library call, exit code out.

#[cfg(unix)]
mod signals;

use clap::Parser;
use massage_triage::cli::Cli;
use massage_triage::commands::{run, Context, Terminal};
use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to standard output with 0; usage errors exit 2.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    // The commands that prompt or write files end cleanly on a signal; the others keep the
    // default (they leave nothing behind) and start no thread for it.
    #[cfg(unix)]
    if matches!(
        cli.command,
        None | Some(massage_triage::cli::Command::Intake(_) | massage_triage::cli::Command::Batch(_))
    ) {
        signals::end_cleanly();
    }
    let terminal = Terminal {
        stdin: std::io::stdin().is_terminal(),
        stdout: std::io::stdout().is_terminal(),
        stderr: std::io::stderr().is_terminal(),
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
    };
    let mut context = Context {
        input: &mut std::io::stdin().lock(),
        out: &mut std::io::stdout().lock(),
        err: &mut std::io::stderr(),
        terminal,
        color: cli.color,
    };
    ExitCode::from(run(cli, &mut context))
}
