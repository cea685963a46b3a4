//! The command line: one struct per subcommand. Doc comments here are the `--help` text.

use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use massage_triage::batch::RecordFormat;
use massage_triage::check::Budget;
use massage_triage::choice::Choice;
use massage_triage::fhir::ExportFormat;
use massage_triage::print::PrintFormat;
use massage_triage::report::{Audience, Format};
use std::marker::PhantomData;
use std::path::PathBuf;

/// Back-pain triage for massage clinics: a short questionnaire and the clinic's rules
/// recommend a massage style, the pressure to use, or a physician first.
#[derive(Debug, Parser)]
#[command(name = "massage-triage", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    /// When to colour the output; never when NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Print the manual page (roff, for `man -l -`) and exit.
    #[arg(long)]
    pub man: bool,

    /// What to do; with none, the questionnaire starts (on a terminal).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Ask the questionnaire interactively and give a recommendation.
    #[command(after_help = INTAKE_HELP)]
    Intake(Deferred<IntakeArgs>),
    /// Assess one answer file (TOML or JSON) and give a recommendation.
    #[command(after_help = ASSESS_HELP)]
    Assess(Deferred<AssessArgs>),
    /// Assess many answer sets: JSON Lines or CSV in, JSON Lines or CSV out.
    #[command(after_help = BATCH_HELP)]
    Batch(Deferred<BatchArgs>),
    /// Check and test a rule set.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print a shell's completion script, e.g. `massage-triage completions bash >
    /// ~/.local/share/bash-completion/completions/massage-triage`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Each subcommand's help ends with an example and its exit codes.
const ASSESS_HELP: &str = "\
Example:
  massage-triage assess --answers examples/desk-worker.toml
  massage-triage assess --answers client.json --format json --explain

Exit codes: 0 a recommendation (a physician referral included), 2 bad input or usage
(the message names the file, line and column), 1 an unexpected failure.";

const INTAKE_HELP: &str = "\
Example:
  massage-triage intake --mode therapist --save answers.toml --id booking-1042
  massage-triage intake --record records/ --id booking-1042

Keys: arrows (or k/j) move, space ticks, Enter confirms, Esc goes back (`<` at a number),
\"? what this question means\" (or `?` at a number) shows the help, Ctrl-C quits.
Exit codes: 0 a recommendation, 2 bad usage (or no terminal; an existing --save or --record
FILE without --force, refused before the first question), 130 Ctrl-C, 143/129
SIGTERM/SIGHUP, 1 an unexpected failure.";

const BATCH_HELP: &str = "\
Example:
  massage-triage batch --input bookings.csv --output results.jsonl

Exit codes: 0 every record answered, 2 some record refused (its line says why) or bad
usage (an existing --output FILE without --force included, refused before any reading), 130 Ctrl-C, 143/129 SIGTERM/SIGHUP, 1 an unexpected failure.";

const CHECK_HELP: &str = "\
Example:
  massage-triage rules check --rules my-rules

Exit codes: 0 proven safe with no gaps (warnings allowed), 3 a safety finding, a gap, or
not proven within --time-limit and --memory-limit (the message names the questions and rules
that entangle the answer space), 2 a rule set that does not load, 1 an unexpected failure.";

const REPLAY_HELP: &str = "\
Example:
  massage-triage rules replay --rules my-rules answers/

Exit codes: 0 replayed (3 with --fail-on-change when an outcome changes), 2 a rule set or
an answer file that does not load, 1 an unexpected failure.";

const DIFF_HELP: &str = "\
Examples:
  massage-triage rules diff built-in my-rules
  massage-triage rules diff my-rules-2026 my-rules --format json --fail-on-change

Exit codes: 0 compared (3 with --fail-on-change when an outcome changes), 2 a rule set that
does not load, two rule sets that ask different questions, or a pair too large to compare
completely, 1 an unexpected failure.";

const INIT_HELP: &str = "\
Example:
  massage-triage rules init my-rules && massage-triage rules check --rules my-rules

Exit codes: 0 the three files written, 2 one of them exists already and no --force
(nothing is written), 1 an unexpected failure.";

const PRINT_HELP: &str = "\
Examples:
  massage-triage rules print --output phone-script.html
  massage-triage rules print --mode therapist --format markdown --rules my-rules

Exit codes: 0 printed, 2 a rule set that does not load or is not proven safe, or bad usage
(an existing --output FILE without --force included), 1 an unexpected failure (the output could not be written).";

const EXPORT_HELP: &str = "\
Examples:
  massage-triage rules export --format fhir --output questionnaire.fhir.json
  massage-triage rules export --format fhir --record records/20261201T184421Z-booking-1042.json

Exit codes: 0 exported, 2 a rule set that does not load or is not proven safe, a record
that does not load or was made under another rule set, or bad usage (an existing --output
FILE without --force included), 1 an unexpected failure (the output could not be written).";

const TEST_HELP: &str = "\
Example:
  massage-triage rules test --rules my-rules --min-coverage 100

Exit codes: 0 every case passes, 3 a case fails or coverage is below --min-coverage,
2 cases or rules that do not load, 1 an unexpected failure.";

/// A subcommand's arguments, built only for the subcommand that runs (clap's
/// `Command::defer`): building every subcommand's arguments was over half the heap (120 of
/// 225 KB) and 18 % of the instructions of a cold `assess`, which uses one subcommand.
/// Help, the `help` subcommand and the manual page build what they show and are unchanged;
/// completion scripts offer the same words, `--color` listed first.
#[derive(Debug)]
pub(crate) struct Deferred<T>(pub T);

impl<T> std::ops::Deref for Deferred<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Args> Args for Deferred<T> {
    fn augment_args(command: clap::Command) -> clap::Command {
        command.defer(|command| keep_about(command, T::augment_args))
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        command.defer(|command| keep_about(command, T::augment_args_for_update))
    }

    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

/// Adds the arguments and keeps the subcommand's own description: an arguments struct's
/// doc comment is a description too, and added late it would replace the subcommand's.
fn keep_about(command: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    use clap::builder::Resettable;
    let about = command.get_about().cloned().map_or(Resettable::Reset, Resettable::Value);
    let long_about = command.get_long_about().cloned().map_or(Resettable::Reset, Resettable::Value);
    augment(command).about(about).long_about(long_about)
}

impl<T: clap::FromArgMatches> clap::FromArgMatches for Deferred<T> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Deferred)
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
}

/// `--rules DIR`, shared by every subcommand that evaluates or checks.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct RulesArg {
    /// A folder with questionnaire.toml and rules.toml (and cases.toml) to use instead of
    /// the built-in rule set.
    #[arg(long, value_name = "DIR", env = "MASSAGE_TRIAGE_RULES")]
    pub rules: Option<PathBuf>,
}

/// `--force`, shared by every subcommand that writes a file the user names: one rule for
/// them all (files.rs; README, "Files the tool writes").
#[derive(Debug, Args, Clone, Copy, Default)]
pub(crate) struct ForceArg {
    /// Replace the file to be written if it exists. Without --force an existing file is
    /// refused (exit 2) before anything is asked, read or written.
    #[arg(long)]
    pub force: bool,
}

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum ColorChoice {
    /// On a terminal that shows colour (not TERM=dumb), or anywhere with CLICOLOR_FORCE; never with NO_COLOR.
    #[default]
    Auto,
    /// Also when the output is a file or a pipe; still never with NO_COLOR.
    Always,
    /// No colour at all.
    Never,
}

/// `intake`.
#[derive(Debug, Args)]
pub(crate) struct IntakeArgs {
    /// Wording and detail: desk (read aloud) or therapist (clinical, with rationale).
    #[arg(long, value_parser = choice::<Audience>(), default_value = Audience::Desk.name())]
    pub mode: Audience,
    /// Output format of the result (prompts always go to standard error).
    #[arg(long, value_parser = choice::<Format>(), default_value = Format::Human.name())]
    pub format: Format,
    /// Show every rule considered, fired or not, and why.
    #[arg(long)]
    pub explain: bool,
    /// Save the answers as an answer file that `assess --answers` accepts (written whole;
    /// an existing FILE is refused unless --force).
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Record every call, finished or not (completed, stopped early on a referral,
    /// interrupted), as a JSON record that `assess --answers` replays: PATH is a folder
    /// that exists (a new file for each call, named from the UTC time and --id) or a
    /// file ending in .json (an existing one is refused unless --force).
    #[arg(long, value_name = "PATH")]
    pub record: Option<PathBuf>,
    /// A reference for the saved answers and the record (a booking number; never a name).
    #[arg(long, value_name = "REF")]
    pub id: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub overwrite: ForceArg,
    /// Plain, accessible prompts: numbered options and typed answers, one line each, with
    /// no cursor movement, redraws or colour (for screen readers). Also on with TERM=dumb.
    #[arg(long, env = "MASSAGE_TRIAGE_PLAIN", value_parser = clap::builder::FalseyValueParser::new())]
    pub plain: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub rules: RulesArg,
}

impl IntakeArgs {
    /// The intake's arguments as if `intake` were typed alone: clap's defaults, not a copy.
    pub(crate) fn defaults() -> Result<Self, clap::Error> {
        use clap::{CommandFactory, FromArgMatches};
        let command = Cli::command();
        let intake = command.find_subcommand("intake").cloned().unwrap_or_else(|| clap::Command::new("intake"));
        Self::from_arg_matches(&intake.try_get_matches_from(["intake"])?)
    }
}

/// `assess`.
#[derive(Debug, Args)]
pub(crate) struct AssessArgs {
    /// The answer file: TOML, or JSON when it ends in .json; `-` reads standard input
    /// (TOML or JSON, told apart by content).
    #[arg(long, short = 'a', value_name = "FILE")]
    pub answers: PathBuf,
    /// Output format.
    #[arg(long, value_parser = choice::<Format>(), default_value = Format::Human.name())]
    pub format: Format,
    /// Show every rule considered, fired or not, and why.
    #[arg(long)]
    pub explain: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub rules: RulesArg,
}

/// `batch`.
#[derive(Debug, Args)]
pub(crate) struct BatchArgs {
    /// Input file; `-` or absent reads standard input.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Output file, written whole (temporary file, then rename; an existing FILE is refused
    /// unless --force); `-` or absent writes standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Input format: JSON Lines answer sets, or CSV with a header row of `id`, `version` and
    /// question ids (several-of answers joined by `;`, `none` for none of these). Default:
    /// the input's extension, else what its start shows (a CSV header, or JSON Lines).
    #[arg(long, value_parser = choice::<RecordFormat>())]
    pub input_format: Option<RecordFormat>,
    /// Output format: JSON Lines results (the `assess --format json` object with the
    /// record's `id` or `line`), or CSV with one column a result field. Default: the
    /// output's extension, else jsonl.
    #[arg(long, value_parser = choice::<RecordFormat>())]
    pub output_format: Option<RecordFormat>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub overwrite: ForceArg,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub rules: RulesArg,
}

/// `rules ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum RulesCommand {
    /// Prove the rule set safe over every possible answer set; report gaps, dead and
    /// shadowed rules, unused questions.
    #[command(after_help = CHECK_HELP)]
    Check(Deferred<CheckArgs>),
    /// Run the rule set's worked cases (cases.toml) and report rule coverage.
    #[command(after_help = TEST_HELP)]
    Test(Deferred<TestArgs>),
    /// Run saved answer files under another rule set and list each whose outcome would
    /// change, old against new.
    #[command(after_help = REPLAY_HELP)]
    Replay(Deferred<ReplayArgs>),
    /// Compare two rule sets over every possible answer set: each region of answers whose
    /// outcome (recommendation, urgency, pressure, session length) changes, how large it
    /// is, the rules that make the difference, and an answer file for each.
    #[command(after_help = DIFF_HELP)]
    Diff(Deferred<DiffArgs>),
    /// Write the built-in rule set (questionnaire.toml, rules.toml, cases.toml) into a
    /// folder, to start a clinic's own from; if one of them exists, none is written unless
    /// --force.
    #[command(after_help = INIT_HELP)]
    Init {
        /// The folder (created if it does not exist).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        #[command(flatten)]
        #[allow(missing_docs)]
        overwrite: ForceArg,
    },
    /// Print the phone script from the rule set: every question in order with its options
    /// and help, the red flags with what to tell the caller, the rules in words, stamped
    /// with the rule set's identity.
    #[command(after_help = PRINT_HELP)]
    Print(Deferred<PrintArgs>),
    /// Export the questionnaire for other systems: an HL7 FHIR R4 Questionnaire (JSON) with
    /// the safety marks as extensions.
    #[command(after_help = EXPORT_HELP)]
    Export(Deferred<ExportArgs>),
}

/// `rules export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// What to export.
    #[arg(long, value_parser = choice::<ExportFormat>(), default_value = ExportFormat::Fhir.name())]
    pub format: ExportFormat,
    /// Write it into FILE (written whole; an existing FILE is refused unless --force) instead
    /// of standard output; `-` is standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Export this intake record (`intake --record`) as a QuestionnaireResponse answering the
    /// rule set's Questionnaire, instead of the Questionnaire itself.
    #[arg(long, value_name = "RECORD")]
    pub record: Option<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub overwrite: ForceArg,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub rules: RulesArg,
}

/// `rules print`.
#[derive(Debug, Args)]
pub(crate) struct PrintArgs {
    /// Layout: a printable HTML page, or Markdown.
    #[arg(long, value_parser = choice::<PrintFormat>(), default_value = PrintFormat::Html.name())]
    pub format: PrintFormat,
    /// Whose wording of the questions: desk (read aloud) or therapist (clinical).
    #[arg(long, value_parser = choice::<Audience>(), default_value = Audience::Desk.name())]
    pub mode: Audience,
    /// Write the script into FILE (written whole; an existing FILE is refused unless
    /// --force) instead of standard output; `-` is standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub overwrite: ForceArg,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub rules: RulesArg,
}

/// `rules check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Output format.
    #[arg(long, value_parser = choice::<Format>(), default_value = Format::Human.name())]
    pub format: Format,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub budget: BudgetArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub rules: RulesArg,
}

/// How long a proof may run and how much it may hold (`rules check`, `rules diff`).
#[derive(Debug, Args)]
pub(crate) struct BudgetArgs {
    /// Give up (not proven, exit 3) after this many seconds, naming what entangles the
    /// answer space.
    #[arg(long, value_name = "SECS", default_value_t = Budget::DEFAULT.time.as_secs_f64(), value_parser = positive_seconds)]
    pub time_limit: f64,
    /// Give up when the partial outcomes would hold more than this many MiB.
    #[arg(long, value_name = "MIB", default_value_t = Budget::DEFAULT.memory >> 20, value_parser = clap::value_parser!(u64).range(1..=1 << 20).map(|m| m as usize))]
    pub memory_limit: usize,
}

impl BudgetArgs {
    /// The budget asked for.
    pub(crate) fn budget(&self) -> Budget {
        Budget {
            time: std::time::Duration::from_secs_f64(self.time_limit),
            memory: self.memory_limit << 20,
            ..Budget::DEFAULT
        }
    }
}

/// A number of seconds above zero and below a year.
fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds < 3.2e7 => Ok(seconds),
        _ => Err("expected a number of seconds above 0, such as 10 or 2.5".to_owned()),
    }
}

/// `rules replay`.
#[derive(Debug, Args)]
pub(crate) struct ReplayArgs {
    /// Answer files (`.toml`, `.json`) and folders of them (read recursively).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// The rule set the answers were given under (default: the built-in one).
    #[arg(long, value_name = "DIR")]
    pub old: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_parser = choice::<Format>(), default_value = Format::Human.name())]
    pub format: Format,
    /// Exit 3 when some outcome would change.
    #[arg(long)]
    pub fail_on_change: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub rules: RulesArg,
}

/// `rules diff`.
#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The rule set before the change: a folder, or `built-in` for the built-in rules.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The rule set after the change: a folder, or `built-in`.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_parser = choice::<Format>(), default_value = Format::Human.name())]
    pub format: Format,
    /// Exit 3 when some outcome changes.
    #[arg(long)]
    pub fail_on_change: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub budget: BudgetArgs,
}

/// `rules test`.
#[derive(Debug, Args)]
pub(crate) struct TestArgs {
    /// Fail (exit 3) when the cases exercise fewer than this percentage of the rules.
    #[arg(long, value_name = "PCT")]
    pub min_coverage: Option<f64>,
    /// With a failing case, show every rule considered for it, fired or not, and why.
    #[arg(long)]
    pub explain: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub rules: RulesArg,
}

/// Parses a [`Choice`] by the names its type owns, and lists them with their help.
#[derive(Clone)]
pub(crate) struct ChoiceParser<T>(PhantomData<T>);

/// The parser of `T`'s names.
fn choice<T>() -> ChoiceParser<T> {
    ChoiceParser(PhantomData)
}

impl<T: Choice + Send + Sync> TypedValueParser for ChoiceParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        // clap's own parser of possible values gives the usual message and suggestion.
        let names = T::ALL.iter().map(|v| v.name());
        let name = clap::builder::PossibleValuesParser::new(names).parse_ref(command, arg, value)?;
        T::named(&name).ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(command))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(T::ALL.iter().map(|v| PossibleValue::new(v.name()).help(v.help()))))
    }
}
