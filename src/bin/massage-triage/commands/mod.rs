//! Running a subcommand: the one place where arguments meet the library and results
//! become text on the output streams and an exit code.

mod assess;
mod batch;
mod intake;
mod rules;

use crate::cli::{Cli, ColorChoice, Command};
use massage_triage::code::Code;
use massage_triage::diagnostic::Diagnostics;
use massage_triage::report::Paint;
use massage_triage::rules::RuleSet;
use std::io::{Read, Write};
use std::path::Path;

/// Exit codes of the contract.
pub(crate) mod exit {
    /// A recommendation was produced (a referral included), or a check passed.
    pub(crate) const OK: u8 = 0;
    /// An unexpected failure (I/O, internal).
    pub(crate) const FAILURE: u8 = 1;
    /// Bad usage or bad input.
    pub(crate) const BAD_INPUT: u8 = 2;
    /// `rules check` or `rules test` found a problem.
    pub(crate) const FINDINGS: u8 = 3;
    /// Interrupted (Ctrl-C) during `intake` or `batch`.
    pub(crate) const INTERRUPTED: u8 = 130;
}

/// How a command that ran to its end ended, before it is an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ended {
    /// It answered (a physician referral included), or a check passed.
    Done,
    /// `rules check` or `rules test` found a problem.
    Findings,
    /// `batch` answered every good record and refused at least one.
    SomeRefused,
    /// Ctrl-C typed at a prompt, or a signal during `batch`.
    Interrupted,
}

/// The one place a command's result becomes the contract's exit code.
pub(crate) fn exit_code(result: &Result<Ended, CommandError>) -> u8 {
    match result {
        Ok(Ended::Done) => exit::OK,
        Ok(Ended::Findings) => exit::FINDINGS,
        Ok(Ended::SomeRefused) | Err(CommandError::Input(_) | CommandError::Usage(_)) => exit::BAD_INPUT,
        Ok(Ended::Interrupted) => exit::INTERRUPTED,
        Err(CommandError::Failure(_)) => exit::FAILURE,
    }
}

/// What the process is attached to, found out once by `main`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Terminal {
    /// Standard input is a terminal.
    pub stdin: bool,
    /// Standard output is a terminal.
    pub stdout: bool,
    /// Standard error is a terminal.
    pub stderr: bool,
    /// `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
    /// `CLICOLOR_FORCE` is set (and not `0`): colour even where it is not a terminal.
    pub clicolor_force: bool,
    /// The terminal cannot show colour (`TERM=dumb`).
    pub dumb: bool,
    /// A Windows console that would show ANSI styles as text: virtual terminal processing
    /// could not be turned on (always false elsewhere).
    pub styles_unseen: bool,
}

/// The streams and facts a command runs with.
pub(crate) struct Context<'a> {
    /// Standard input.
    pub input: &'a mut dyn Read,
    /// Standard output: data.
    pub out: &'a mut dyn Write,
    /// Standard error: messages.
    pub err: &'a mut dyn Write,
    /// What the streams are.
    pub terminal: Terminal,
    /// `--color`.
    pub color: ColorChoice,
}

impl Context<'_> {
    /// The contract says never with `NO_COLOR`: it wins even over `--color always`, which
    /// otherwise colours a stream that is not a terminal. With `auto`, a terminal that can
    /// show colour (not `TERM=dumb`), or any stream when `CLICOLOR_FORCE` is set. Never on a
    /// Windows console that would print the styles' codes as text.
    fn paint(&self, is_terminal: bool) -> Paint {
        let terminal = &self.terminal;
        Paint::new(
            !terminal.no_color
                && (!is_terminal || !terminal.styles_unseen)
                && match self.color {
                    ColorChoice::Always => true,
                    ColorChoice::Never => false,
                    ColorChoice::Auto => terminal.clicolor_force || (is_terminal && !terminal.dumb),
                },
        )
    }

    /// Colour decision for standard output.
    pub(crate) fn paint_out(&self) -> Paint {
        self.paint(self.terminal.stdout)
    }

    /// Colour decision for standard error.
    pub(crate) fn paint_err(&self) -> Paint {
        self.paint(self.terminal.stderr)
    }
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CommandError {
    /// Bad input with places in files (exit 2).
    #[error("{0}")]
    Input(Diagnostics),
    /// Bad usage (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Anything unexpected (exit 1).
    #[error("{0:#}")]
    Failure(#[from] anyhow::Error),
}

impl From<Diagnostics> for CommandError {
    fn from(diagnostics: Diagnostics) -> Self {
        CommandError::Input(diagnostics)
    }
}

impl From<massage_triage::diagnostic::Diagnostic> for CommandError {
    fn from(diagnostic: massage_triage::diagnostic::Diagnostic) -> Self {
        CommandError::Input(diagnostic.into())
    }
}

impl From<std::io::Error> for CommandError {
    fn from(error: std::io::Error) -> Self {
        CommandError::Failure(error.into())
    }
}

/// Runs the command line and returns the exit code; every message is written here.
pub(crate) fn run(cli: Cli, context: &mut Context<'_>) -> u8 {
    let json_errors = asks_for_json(cli.command.as_ref());
    let result = match cli.command {
        _ if cli.man => man_page(context),
        Some(Command::Completions { shell }) => completions(shell, context),
        Some(Command::Assess(args)) => assess::run(&args, context),
        Some(Command::Intake(args)) => intake::run(&args, context),
        Some(Command::Batch(args)) => batch::run(&args, context),
        Some(Command::Rules(command)) => rules::run(&command, context),
        None => no_subcommand(context),
    };
    if let Err(error) = &result {
        if json_errors {
            report_error_json(error, context);
        } else {
            report_error(error, context);
        }
    }
    exit_code(&result)
}

/// The manual page, from the same definitions as `--help`.
fn man_page(context: &mut Context<'_>) -> Result<Ended, CommandError> {
    clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut context.out)?;
    Ok(Ended::Done)
}

/// A shell's completion script.
fn completions(shell: clap_complete::Shell, context: &mut Context<'_>) -> Result<Ended, CommandError> {
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "massage-triage", &mut context.out);
    Ok(Ended::Done)
}

fn no_subcommand(context: &mut Context<'_>) -> Result<Ended, CommandError> {
    // The intake with its defaults; without a terminal it gives the hint to use `assess`.
    let args = crate::cli::IntakeArgs::defaults().map_err(|e| CommandError::Failure(e.into()))?;
    intake::run(&args, context)
}

/// Whether the command was asked for JSON (`--format json`): then its errors are JSON too.
fn asks_for_json(command: Option<&Command>) -> bool {
    use massage_triage::report::Format;
    match command {
        Some(Command::Assess(args)) => args.format == Format::Json,
        Some(Command::Intake(args)) => args.format == Format::Json,
        Some(Command::Rules(crate::cli::RulesCommand::Check(args))) => args.format == Format::Json,
        _ => false,
    }
}

/// Writes an error as JSON Lines on standard error, one object a problem:
/// `{"error": {"code", "message", "file", "line", "column", "suggestion"}}`. Standard error,
/// because standard output holds results only: a script reads a result there or, with a
/// non-zero exit, the errors here, each with its code (the words may change; codes do not).
fn report_error_json(error: &CommandError, context: &mut Context<'_>) {
    let problems: Vec<serde_json::Value> = match error {
        CommandError::Input(diagnostics) => diagnostics
            .0
            .iter()
            .map(|d| {
                serde_json::json!({
                    "code": d.code,
                    "message": d.message,
                    "file": d.file,
                    "line": (d.line > 0).then_some(d.line),
                    "column": (d.column > 0).then_some(d.column),
                    "suggestion": d.suggestion,
                })
            })
            .collect(),
        CommandError::Usage(message) => vec![serde_json::json!({ "code": Code::BadUsage, "message": message })],
        CommandError::Failure(error) => {
            vec![serde_json::json!({ "code": Code::Failure, "message": format!("{error:#}") })]
        }
    };
    for problem in problems {
        let line = serde_json::json!({ "error": problem }).to_string();
        let _ = writeln!(context.err, "{}", massage_triage::text::json_terminal_safe(&line));
    }
}

/// Writes an error to standard error.
fn report_error(error: &CommandError, context: &mut Context<'_>) {
    let paint = context.paint_err();
    let label = paint.alarm("error");
    let text = match error {
        // Each problem with its code, as `rules check` shows its findings: `error[unknown-option]`.
        CommandError::Input(diagnostics) => massage_triage::report::render_diagnostics(diagnostics, paint),
        other => format!("{label}: {other}"),
    };
    let _ = writeln!(context.err, "{text}");
}

/// The built-in rule set (proven safe by the test suite), or the one in `--rules DIR`,
/// refused (exit 2) unless `rules check` would find it safe.
pub(crate) fn load_rule_set(dir: Option<&Path>, context: &mut Context<'_>) -> Result<RuleSet, CommandError> {
    let rule_set = load_proven(dir)?;
    // A declared exception to the safety floor is said on every call, not only in results.
    for exception in &rule_set.questionnaire.floor_exceptions {
        let warning = context.paint_err().warn("warning");
        writeln!(
            context.err,
            "{warning}: this rule set overrides the built-in safety floor: {} (because: {})",
            exception.statement, exception.because
        )?;
    }
    Ok(rule_set)
}

fn load_proven(dir: Option<&Path>) -> Result<RuleSet, CommandError> {
    match dir {
        None => Ok(RuleSet::built_in()?),
        Some(dir) => {
            // A clinic's edited rule set is proven safe before anyone is answered with it,
            // once: this binary's verdict on the same bytes is kept, with the rule set's
            // compiled form (see `verdicts`).
            // The verdict is read once, when the files' digest is known; the form only
            // beside a verdict.
            let verdicts = crate::verdicts::Verdicts::open();
            let mut proven = false;
            let compiled = |digest: &_| {
                let verdicts = verdicts.as_ref()?;
                proven = verdicts.proven_safe(digest);
                proven.then(|| verdicts.compiled(digest)).flatten()
            };
            let (rule_set, from_kept) = RuleSet::load_dir_kept(dir, compiled)?;
            if from_kept {
                return Ok(rule_set);
            }
            if !proven {
                massage_triage::check::ensure_safe(&rule_set)?;
            }
            // Proven before, with no compiled form kept (or a damaged one): kept now.
            let compiled = rule_set.compiled_form();
            if !proven || compiled.is_some() {
                remember_safe(verdicts.as_ref(), &rule_set, compiled.as_deref());
            }
            Ok(rule_set)
        }
    }
}

/// Keeps the verdict that a rule set was proven safe, with its compiled form (from
/// [`RuleSet::compiled_form`]), when it came from files.
pub(crate) fn remember_safe(verdicts: Option<&crate::verdicts::Verdicts>, rule_set: &RuleSet, compiled: Option<&[u8]>) {
    if let (Some(verdicts), Some(digest)) = (verdicts, rule_set.digest) {
        verdicts.remember_safe(&digest, compiled);
    }
}
