//! `rules check`, `rules test`, `rules replay` and `rules init`: the clinic lead's tools
//! for an edited rule set.

use super::{CommandError, Context, Ended};
use crate::cli::{CheckArgs, DiffArgs, ExportArgs, PrintArgs, ReplayArgs, RulesCommand, TestArgs};
use massage_triage::answers::AnswerFormat;
use massage_triage::cases::parse_cases;
use massage_triage::check::check_within;
use massage_triage::check::outcome_words;
use massage_triage::code::Code;
use massage_triage::diagnostic::Diagnostic;
use massage_triage::diagnostic::{read_text_file, Diagnostics, SourceText};
use massage_triage::engine::{evaluate_traced, FiredRules};
use massage_triage::replay::{replay, Change, Replayed};
use massage_triage::report::Format;
use massage_triage::report::{
    check_json, diff_json, render_case_failure, render_check_human, render_diff_human, render_trace, TraceStep,
};
use massage_triage::rules::{RuleSet, BUILT_IN_CASES};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub(super) fn run(command: &RulesCommand, context: &mut Context<'_>) -> Result<Ended, CommandError> {
    match command {
        RulesCommand::Check(args) => run_check(args, context),
        RulesCommand::Test(args) => run_test(args, context),
        RulesCommand::Init { dir, overwrite } => run_init(dir, overwrite.force, context),
        RulesCommand::Replay(args) => run_replay(args, context),
        RulesCommand::Diff(args) => run_diff(args, context),
        RulesCommand::Print(args) => run_print(args, context),
        RulesCommand::Export(args) => run_export(args, context),
    }
}

/// Loads the rule set without the safety gate: checking it is the point.
fn load(dir: Option<&Path>) -> Result<RuleSet, CommandError> {
    match dir {
        None => Ok(RuleSet::built_in()?),
        Some(dir) => Ok(RuleSet::load_dir(dir)?),
    }
}

fn run_check(args: &CheckArgs, context: &mut Context<'_>) -> Result<Ended, CommandError> {
    let rule_set = load(args.rules.rules.as_deref())?;
    let report = check_within(&rule_set, args.budget.budget());
    if !report.unsafe_() && args.rules.rules.is_some() {
        // Proven safe: `assess`, `intake` and `batch` need not prove these bytes again.
        super::remember_safe(
            crate::verdicts::Verdicts::open().as_ref(),
            &rule_set,
            rule_set.compiled_form().as_deref(),
        );
    }
    let text = match args.format {
        Format::Human => render_check_human(&rule_set, &report, context.paint_out()),
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&check_json(&rule_set, &report)).unwrap_or_default();
            text.push('\n');
            text
        }
    };
    context.out.write_all(text.as_bytes())?;
    context.out.flush()?;
    Ok(if report.failed() { Ended::Findings } else { Ended::Done })
}

/// Writes the built-in files into `dir`: all three or, if one exists and not `force`, none.
fn run_init(dir: &Path, force: bool, context: &mut Context<'_>) -> Result<Ended, CommandError> {
    use massage_triage::rules::{BUILT_IN_QUESTIONNAIRE, BUILT_IN_RULES};
    let files = [
        ("questionnaire.toml", BUILT_IN_QUESTIONNAIRE),
        ("rules.toml", BUILT_IN_RULES),
        ("cases.toml", BUILT_IN_CASES),
    ];
    let usage = |error: crate::files::FileError| CommandError::Usage(error.to_string());
    // The folder is made first, so that the rule's check finds it; every file is checked
    // before any is written.
    std::fs::create_dir_all(dir)
        .map_err(|e| CommandError::Failure(anyhow::anyhow!("cannot create the folder {}: {e}", dir.display())))?;
    let refused: Vec<String> = files
        .iter()
        .filter_map(|(name, _)| crate::files::check_target(&dir.join(name), force).err())
        .map(|error| error.to_string())
        .collect();
    if !refused.is_empty() {
        return Err(CommandError::Usage(format!("{}; nothing was written", refused.join("; "))));
    }
    for (name, text) in files {
        crate::files::write_text(&dir.join(name), text.as_bytes(), force).map_err(usage)?;
    }
    writeln!(
        context.out,
        "wrote the built-in rule set into {}: edit it, then `massage-triage rules check --rules {}`",
        dir.display(),
        dir.display()
    )?;
    Ok(Ended::Done)
}

fn run_test(args: &TestArgs, context: &mut Context<'_>) -> Result<Ended, CommandError> {
    if let Some(pct) = args.min_coverage {
        if !(0.0..=100.0).contains(&pct) {
            return Err(CommandError::Usage(format!("--min-coverage {pct} is not a percentage; expected 0 to 100")));
        }
    }
    let dir = args.rules.rules.as_deref();
    let rule_set = load(dir)?;
    let (name, text) = match dir {
        None => ("rules/cases.toml".to_owned(), BUILT_IN_CASES.to_owned()),
        Some(dir) => {
            let path = dir.join("cases.toml");
            (path.display().to_string(), read_text_file(&path)?)
        }
    };
    let cases = parse_cases(&rule_set, SourceText::new(&name, &text))?;
    let paint = context.paint_out();
    let mut out = String::new();
    let mut failed = 0;
    let mut covered = FiredRules::default();
    // The rules some case leaves silent: a rule that fires in every case is not tested
    // either (its condition is never shown to fail).
    let mut silent = FiredRules::default();
    for case in &cases {
        let (evaluation, mismatches) = case.check(&rule_set);
        covered = covered.union(evaluation.fired);
        (0..rule_set.rules.len()).filter(|r| !evaluation.fired.contains(*r)).for_each(|r| silent.insert(r));
        if mismatches.is_empty() {
            let _ = writeln!(out, "{} {} ({name}:{})", paint.good("ok  "), case.name, case.line);
        } else {
            failed += 1;
            // What differs leads; the trace is for whoever asks (`--explain`).
            let trace = args.explain.then(|| {
                let (_, trace) = evaluate_traced(&rule_set, &case.answers);
                render_trace(&TraceStep::of_evaluation(&rule_set, &case.answers, &trace), paint)
            });
            out.push_str(&render_case_failure(case, &name, &mismatches, trace.as_deref(), paint));
        }
    }
    let total = rule_set.rules.len();
    let never: Vec<String> = (0..total)
        .filter(|r| !covered.contains(*r))
        .map(|r| format!("{} ({})", rule_set.rules[r].id, rule_set.rule_location(&rule_set.rules[r])))
        .collect();
    let coverage = 100.0 * (total - never.len()) as f64 / total.max(1) as f64;
    let _ = writeln!(out);
    let _ = writeln!(out, "coverage: {} of {total} rules fired by some case ({coverage:.1}%)", total - never.len());
    if !never.is_empty() {
        let _ = writeln!(out, "no case fires: {}", never.join(", "));
    }
    let always: Vec<String> = (0..total)
        .filter(|r| !silent.contains(*r) && rule_set.rules[*r].when != massage_triage::rules::Condition::Always)
        .map(|r| format!("{} ({})", rule_set.rules[r].id, rule_set.rule_location(&rule_set.rules[r])))
        .collect();
    if !always.is_empty() && !cases.is_empty() {
        let _ = writeln!(out, "every case fires (none shows it silent): {}", always.join(", "));
    }
    let low = args.min_coverage.is_some_and(|least| coverage + 1e-9 < least);
    if let (true, Some(least)) = (low, args.min_coverage) {
        let _ = writeln!(out, "{}: coverage {coverage:.1}% is below --min-coverage {least}", paint.alarm("error"));
    }
    let verdict = if failed > 0 || low { paint.alarm("FAILED") } else { paint.good("ok") };
    for line in massage_triage::report::overrides_in_words(&rule_set.identity()) {
        let _ = writeln!(out, "{}", paint.warn(&line));
    }
    let _ = writeln!(out, "{}", paint.faint(&massage_triage::report::identity_in_words(&rule_set.identity())));
    let _ = writeln!(out, "rules test {verdict}: {} passed, {failed} failed", cases.len() - failed);
    context.out.write_all(out.as_bytes())?;
    context.out.flush()?;
    Ok(if failed > 0 || low { Ended::Findings } else { Ended::Done })
}

/// `rules replay`: each answer file under the old and the new rule set.
fn run_replay(args: &ReplayArgs, context: &mut Context<'_>) -> Result<Ended, CommandError> {
    let new = super::load_rule_set(args.rules.rules.as_deref(), context)?;
    let old = super::load_rule_set(args.old.as_deref(), context)?;
    let mut files = Vec::new();
    for path in &args.paths {
        answer_files(path, &mut files)?;
    }
    let mut replayed = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let text = read_text_file(path)?;
        let format = match path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
            true => AnswerFormat::Json,
            false => AnswerFormat::Toml,
        };
        replayed.push((name.clone(), replay(&old, &new, SourceText::new(&name, &text), format)));
    }
    let text = match args.format {
        Format::Human => replay_human(&replayed, context.paint_out()),
        Format::Json => replay_json(&new, &replayed),
    };
    context.out.write_all(text.as_bytes())?;
    let refused: Vec<Diagnostics> = replayed
        .iter()
        .filter_map(|(_, r)| if let Replayed::Refused(d) = r { Some(d.clone()) } else { None })
        .collect();
    if !refused.is_empty() {
        return Err(CommandError::Input(Diagnostics(refused.into_iter().flat_map(|d| d.0).collect())));
    }
    let changed = replayed.iter().any(|(_, r)| matches!(r, Replayed::Changed { .. }));
    Ok(if changed && args.fail_on_change { Ended::Findings } else { Ended::Done })
}

/// The name `rules diff` gives the built-in rule set (a folder of that name is `./built-in`).
const BUILT_IN: &str = "built-in";

/// `rules diff`: two rule sets compared over every answer set.
fn run_diff(args: &DiffArgs, context: &mut Context<'_>) -> Result<Ended, CommandError> {
    let load_named = |path: &Path| load((path.as_os_str() != BUILT_IN).then_some(path));
    let (old, new) = (load_named(&args.old)?, load_named(&args.new)?);
    let diff = massage_triage::check::diff::diff(&old, &new, args.budget.budget()).map_err(|error| {
        use massage_triage::check::diff::DiffError;
        let code = match error {
            DiffError::OtherQuestions(_) => Code::OtherQuestions,
            DiffError::TooManyRules { .. } | DiffError::Uncoverable(_) => Code::NotProven,
            DiffError::Unconfirmed => return CommandError::Failure(anyhow::anyhow!("{error}")),
        };
        CommandError::from(Diagnostic::whole_file(&new.questionnaire_file, code, error.to_string()))
    })?;
    let text = match args.format {
        Format::Human => render_diff_human(&old, &new, &diff, context.paint_out()),
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&diff_json(&old, &new, &diff)).unwrap_or_default();
            text.push('\n');
            massage_triage::text::json_terminal_safe(&text).into_owned()
        }
    };
    context.out.write_all(text.as_bytes())?;
    context.out.flush()?;
    Ok(if args.fail_on_change && !diff.regions.is_empty() { Ended::Findings } else { Ended::Done })
}

/// `rules print`: the phone script, from a rule set proven safe (a printed script tells
/// callers what to do, so an unsafe set is refused as `assess` refuses it).
fn run_print(args: &PrintArgs, context: &mut Context<'_>) -> Result<Ended, CommandError> {
    let output = checked_output(args.output.as_deref(), args.overwrite.force)?;
    let rule_set = super::load_rule_set(args.rules.rules.as_deref(), context)?;
    let text = massage_triage::print::PhoneScript::of(&rule_set, args.mode).render(args.format);
    write_output(output, text.as_bytes(), context)?;
    Ok(Ended::Done)
}

/// `rules export`: the questionnaire for other systems, from a rule set proven safe (its
/// safety marks go with it).
fn run_export(args: &ExportArgs, context: &mut Context<'_>) -> Result<Ended, CommandError> {
    let output = checked_output(args.output.as_deref(), args.overwrite.force)?;
    let rule_set = super::load_rule_set(args.rules.rules.as_deref(), context)?;
    let resource = match (args.format, &args.record) {
        (massage_triage::fhir::ExportFormat::Fhir, None) => massage_triage::fhir::questionnaire(&rule_set),
        (massage_triage::fhir::ExportFormat::Fhir, Some(path)) => record_response(&rule_set, path)?,
    };
    let mut text = serde_json::to_string_pretty(&resource).map_err(|e| CommandError::Failure(e.into()))?;
    text.push('\n');
    write_output(output, massage_triage::text::json_terminal_safe(&text).as_bytes(), context)?;
    Ok(Ended::Done)
}

/// A record as a FHIR QuestionnaireResponse: its answers checked as `assess` checks them.
fn record_response(rule_set: &RuleSet, path: &Path) -> Result<serde_json::Value, CommandError> {
    let name = path.display().to_string();
    let text = read_text_file(path)?;
    let not_a_record = |message: String| CommandError::from(Diagnostic::whole_file(&name, Code::BadRecord, message));
    if !massage_triage::answers::is_record(&text) {
        return Err(not_a_record(
            "not an intake record (a JSON object with a \"record\" key, as `intake --record` writes)".to_owned(),
        ));
    }
    let answers = massage_triage::answers::parse_record(&rule_set.questionnaire, SourceText::new(&name, &text))?;
    let record: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| not_a_record(format!("not valid JSON: {e}")))?;
    massage_triage::fhir::questionnaire_response(rule_set, &record, &answers).map_err(|e| not_a_record(e.to_string()))
}

/// `--output FILE` checked by the rule of files.rs before any work; `None` for standard
/// output (absent or `-`).
fn checked_output(output: Option<&Path>, force: bool) -> Result<Option<(&Path, bool)>, CommandError> {
    let Some(path) = output.filter(|p| p.as_os_str() != "-") else { return Ok(None) };
    crate::files::check_target(path, force).map_err(|error| CommandError::Usage(error.to_string()))?;
    Ok(Some((path, force)))
}

/// The checked output written by the rule (whole; an existing file only with `--force`), or
/// standard output.
fn write_output(output: Option<(&Path, bool)>, bytes: &[u8], context: &mut Context<'_>) -> Result<(), CommandError> {
    let Some((path, force)) = output else {
        context.out.write_all(bytes)?;
        context.out.flush()?;
        return Ok(());
    };
    crate::files::write_text(path, bytes, force).map_err(|error| match error {
        // Made while the work was done (checked before): refused as before it.
        error @ crate::files::FileError::Exists(_) => CommandError::Usage(error.to_string()),
        error => CommandError::Failure(anyhow::anyhow!("{error}")),
    })
}

/// The answer files at `path`: the file itself, or every `.toml` and `.json` below a folder,
/// in name order.
fn answer_files(path: &Path, into: &mut Vec<PathBuf>) -> Result<(), CommandError> {
    if !path.is_dir() {
        into.push(path.to_owned());
        return Ok(());
    }
    let unreadable = |e: std::io::Error| {
        let message = format!("cannot read the folder: {e}");
        CommandError::from(massage_triage::diagnostic::Diagnostic::whole_file(
            &path.display().to_string(),
            massage_triage::code::Code::Unreadable,
            message,
        ))
    };
    let read = std::fs::read_dir(path).map_err(unreadable)?;
    let mut entries: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for entry in entries {
        let answers =
            entry.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml") || e.eq_ignore_ascii_case("json"));
        if entry.is_dir() || answers {
            answer_files(&entry, into)?;
        }
    }
    Ok(())
}

fn replay_human(replayed: &[(String, Replayed)], paint: massage_triage::report::Paint) -> String {
    let mut out = String::new();
    let mut counts = [0usize; Change::ALL.len()];
    let (mut same, mut changed, mut needs) = (0, 0, 0);
    for (name, result) in replayed {
        match result {
            Replayed::Same(_) => same += 1,
            Replayed::Changed { old, new, changes } => {
                changed += 1;
                changes.iter().for_each(|c| counts[Change::ALL.iter().position(|k| k == c).unwrap_or(0)] += 1);
                let kinds: Vec<&str> = changes.iter().map(|c| c.name()).collect();
                let _ = writeln!(
                    out,
                    "{} {name}: {} -> {} [{}]",
                    paint.warn("changed"),
                    outcome_words(old),
                    outcome_words(new),
                    kinds.join(", ")
                );
            }
            Replayed::NeedsNewAnswers(problems) => {
                needs += 1;
                let why = problems.0.first().map_or(String::new(), |d| d.message.clone());
                let _ = writeln!(out, "{} {name}: {why}", paint.warn("needs new answers"));
            }
            Replayed::Refused(_) => {}
        }
    }
    let by_kind: Vec<String> = Change::ALL.iter().zip(counts).map(|(c, n)| format!("{} {n}", c.name())).collect();
    let _ = writeln!(
        out,
        "rules replay: {} replayed: {same} the same, {changed} changed ({}), {needs} need new answers",
        same + changed + needs,
        by_kind.join(", ")
    );
    out
}

fn replay_json(new: &RuleSet, replayed: &[(String, Replayed)]) -> String {
    let outcome = massage_triage::report::decision_json;
    let files: Vec<serde_json::Value> = replayed
        .iter()
        .filter_map(|(name, result)| match result {
            Replayed::Same(_) => Some(serde_json::json!({ "file": name, "status": "same" })),
            Replayed::Changed { old, new, changes } => Some(serde_json::json!({
                "file": name, "status": "changed", "changes": changes, "old": outcome(old), "new": outcome(new),
            })),
            Replayed::NeedsNewAnswers(problems) => Some(serde_json::json!({
                "file": name, "status": "needs_new_answers",
                "message": problems.0.first().map(|d| d.message.clone()),
            })),
            Replayed::Refused(_) => None,
        })
        .collect();
    let mut report = serde_json::json!({ "files": files });
    if let (Some(object), Ok(serde_json::Value::Object(identity))) =
        (report.as_object_mut(), serde_json::to_value(new.identity()))
    {
        object.extend(identity);
    }
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    massage_triage::text::json_terminal_safe(&text).into_owned()
}
