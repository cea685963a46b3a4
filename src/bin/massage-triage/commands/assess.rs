//! `assess`: one answer file in, one recommendation out.

use super::{load_rule_set, CommandError, Context, Ended};
use crate::cli::AssessArgs;
use massage_triage::answers::{AnswerFormat, Answers};
use massage_triage::counterfactual::what_would_change;
use massage_triage::diagnostic::{read_limited, read_text_file, SourceText};
use massage_triage::engine::{evaluate, evaluate_traced};
use massage_triage::intake::record::{replayed_outcome, Given};
use massage_triage::report::Format;
use massage_triage::report::{render_human, what_would_change_json, Audience, Outcome, Paint};
use massage_triage::rules::RuleSet;
use std::path::Path;

pub(super) fn run(args: &AssessArgs, context: &mut Context<'_>) -> Result<Ended, CommandError> {
    let rule_set = load_rule_set(args.rules.rules.as_deref(), context)?;
    let (name, given) = read_answers(&rule_set, &args.answers, context)?;
    let (output, warnings): (String, Vec<(&str, &str)>) = match &given {
        Given::Complete(answers) => (
            render(&rule_set, answers, args.format, args.explain, context),
            massage_triage::engine::warnings(&rule_set, answers).map(|u| (u.message.as_str(), u.id.as_str())).collect(),
        ),
        // A record of a call that ended early: the outcome its answers settle, as the
        // intake showed it.
        Given::Settled { id, answers } => {
            let outcome = replayed_outcome(&rule_set, id.as_deref(), answers, args.explain);
            let output = match args.format {
                Format::Json => outcome.to_json(),
                Format::Human => render_human(&outcome, Audience::Therapist, context.paint_out()),
            };
            (output, outcome.warnings.iter().map(|w| (w.message, w.id)).collect())
        }
    };
    context.out.write_all(output.as_bytes())?;
    context.out.flush()?;
    let label = context.paint_err().warn("warning");
    for (message, id) in warnings {
        let _ = writeln!(
            context.err,
            "{label}: {name}: {message} [{id}] (answers that rarely go together; the result does not change)",
        );
    }
    // The process ends next: freeing the rule set's strings one by one would be work for
    // nothing (a tenth of a cold assess, callgrind).
    std::mem::forget(rule_set);
    Ok(Ended::Done)
}

/// Reads and validates an answer file or an intake's record (`-`: standard input); returns
/// its name with the answers.
fn read_answers(rule_set: &RuleSet, path: &Path, context: &mut Context<'_>) -> Result<(String, Given), CommandError> {
    let stdin = path == Path::new("-");
    let (name, text) = if stdin {
        ("-".to_owned(), read_limited(&mut context.input, "-")?)
    } else {
        (path.display().to_string(), read_text_file(path)?)
    };
    let format = if stdin {
        AnswerFormat::detect(&text)
    } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        AnswerFormat::Json
    } else {
        AnswerFormat::Toml
    };
    let answers = massage_triage::intake::record::read_answers(rule_set, SourceText::new(&name, &text), format)?;
    Ok((name, answers))
}

/// The result in the chosen format, with the trace when asked.
pub(crate) fn render(
    rule_set: &RuleSet,
    answers: &Answers,
    format: Format,
    explain: bool,
    context: &Context<'_>,
) -> String {
    render_for(rule_set, answers, format, explain, Audience::Therapist, context.paint_out())
}

/// The result in the chosen format for one audience (the intake's desk and therapist
/// modes), with the trace when asked; `paint` is standard output's colour decision.
pub(crate) fn render_for(
    rule_set: &RuleSet,
    answers: &Answers,
    format: Format,
    explain: bool,
    audience: Audience,
    paint: Paint,
) -> String {
    let (evaluation, trace) = if explain {
        let (evaluation, trace) = evaluate_traced(rule_set, answers);
        (evaluation, Some(trace))
    } else {
        (evaluate(rule_set, answers), None)
    };
    // "What would change it" belongs to the explanation: computed only when it is shown.
    let changes = explain.then(|| what_would_change(rule_set, answers, &evaluation));
    let mut outcome = Outcome::of_answers(rule_set, answers, &evaluation, trace.as_deref());
    outcome.what_would_change = changes.map(|c| what_would_change_json(rule_set, &c));
    match format {
        Format::Json => outcome.to_json(),
        Format::Human => render_human(&outcome, audience, paint),
    }
}
