//! The binary: the command line, the terminal and the process around the library.
//! Arguments are parsed here ([`cli`]); each subcommand runs the library over the streams
//! it is given ([`commands`]); the intake is drawn on the terminal ([`terminal`]); files are
//! written whole ([`files`], the intake's answers by [`save`]); a signal ends the run
//! cleanly ([`signals`], [`cleanup`]).

#![deny(unreachable_pub)]

mod cleanup;
mod cli;
mod commands;
mod files;
mod save;
#[cfg(unix)]
mod signals;
mod terminal;
mod verdicts;

use clap::Parser;
use cli::Cli;
use commands::{run, Context, Terminal};
use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to standard output with 0; usage errors exit 2.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { commands::exit::BAD_INPUT } else { commands::exit::OK });
        }
    };
    // The commands that prompt or write files end cleanly on a signal; the others keep the
    // default (they leave nothing behind) and start no thread for it.
    #[cfg(unix)]
    if matches!(cli.command, None | Some(cli::Command::Intake(_) | cli::Command::Batch(_))) {
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
