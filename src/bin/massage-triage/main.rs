//! The binary: the command line, the terminal and the process around the library.
//! Arguments are parsed here ([`cli`]); each subcommand runs the library over the streams
//! it is given ([`commands`]); the intake is drawn on the terminal ([`terminal`]); every
//! file the user names is written by one rule ([`files`]: an existing one refused unless
//! `--force`, then written whole); a signal ends the run cleanly ([`signals`], [`cleanup`]).

#![deny(unreachable_pub)]

mod cleanup;
mod cli;
mod commands;
mod files;
mod record;
#[cfg(unix)]
mod signals;
mod terminal;
mod verdicts;

use cli::Cli;
use commands::{run, Context, Terminal};
use std::io::IsTerminal;
use std::process::ExitCode;

/// The colour of `--help` and of usage errors: `--color never` and `NO_COLOR` turn it off,
/// `--color always` on; otherwise clap decides as for any stream (a terminal, unless
/// `NO_COLOR`, `TERM=dumb`; `CLICOLOR_FORCE` forces it).
fn help_color(args: impl Iterator<Item = std::ffi::OsString>) -> clap::ColorChoice {
    let args: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
    let asked = args.iter().enumerate().find_map(|(i, arg)| match arg.strip_prefix("--color") {
        Some(value) if value.starts_with('=') => Some(value[1..].to_owned()),
        Some("") => args.get(i + 1).cloned(),
        _ => None,
    });
    match asked.as_deref() {
        _ if anstyle_query::no_color() => clap::ColorChoice::Never,
        Some("never") => clap::ColorChoice::Never,
        Some("always") => clap::ColorChoice::Always,
        _ => clap::ColorChoice::Auto,
    }
}

/// Whether a console shows ANSI styles. A Windows console does only once its virtual
/// terminal processing is on, which this turns on for standard output and error; when that
/// fails (an old console; or standard output is not a console, since anstyle-query then stops
/// before standard error), the consoles get no colour rather than the styles' codes as text.
#[cfg(windows)]
fn console_shows_styles() -> bool {
    anstyle_query::windows::enable_ansi_colors().unwrap_or(false)
}

/// Every terminal of the other systems reads ANSI styles (`TERM=dumb` is told apart on its own).
#[cfg(not(windows))]
fn console_shows_styles() -> bool {
    true
}

/// `--version`: the tool's, and the built-in rule set it carries (loaded only when asked:
/// every other command would pay for it).
fn version_text() -> String {
    match massage_triage::rules::RuleSet::built_in() {
        Ok(rule_set) => {
            let identity = massage_triage::report::identity_in_words(&rule_set.identity());
            format!("{}\nbuilt-in {}", env!("CARGO_PKG_VERSION"), identity.replacen("Rules: ", "rules: ", 1))
        }
        Err(_) => env!("CARGO_PKG_VERSION").to_owned(),
    }
}

fn main() -> ExitCode {
    // Help is coloured as `--color` says, which clap cannot know before it parses.
    let mut command = <Cli as clap::CommandFactory>::command().color(help_color(std::env::args_os()));
    if std::env::args_os().any(|a| a == "--version" || a == "-V") {
        command = command.version(version_text());
    }
    let parsed = command
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|matches| <Cli as clap::FromArgMatches>::from_arg_matches(&matches));
    // Not freed: dropping clap's tree of every command and argument was 6% of the
    // instructions of a cold `assess`, and the process ends soon after.
    std::mem::forget(command);
    let cli = match parsed {
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
        no_color: anstyle_query::no_color(),
        clicolor_force: anstyle_query::clicolor_force(),
        dumb: !anstyle_query::term_supports_color(),
        styles_unseen: !console_shows_styles(),
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
