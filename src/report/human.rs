//! The human format: the recommendation first, a referral impossible to miss.

use super::outcome::{Outcome, TraceStep};
use super::Paint;
use crate::answer::Answer;
use crate::answers::Answers;
use crate::choice::Choice;
use crate::condition::Condition;
use crate::questionnaire::Questionnaire;
use crate::recommendation::{Recommendation, Urgency};
use std::fmt::Write;

/// Who reads the output: the wording differs, not the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Front desk: the decision and what to say.
    Desk,
    /// Therapist: everything, with sources.
    Therapist,
}

impl Choice for Audience {
    const ALL: &'static [Self] = &[Audience::Desk, Audience::Therapist];

    fn name(self) -> &'static str {
        match self {
            Audience::Desk => "desk",
            Audience::Therapist => "therapist",
        }
    }

    fn help(self) -> &'static str {
        match self {
            Audience::Desk => "Front desk: short read-aloud wording for a phone call",
            Audience::Therapist => "Therapist: clinical wording, full rationale and precautions",
        }
    }
}

/// The line that marks a physician referral, wherever one is shown (the result, the
/// intake's announcement): as many `!` as the urgency is high, its name, `text`, and red
/// for an emergency or urgent referral, yellow for a routine one.
pub fn referral_banner(urgency: Urgency, text: &str, paint: Paint) -> String {
    let (marks, level) = match urgency {
        Urgency::Emergency => ("!!!", "EMERGENCY"),
        Urgency::Urgent => ("!!", "URGENT"),
        Urgency::Routine => ("!", "PHYSICIAN FIRST"),
    };
    let line = format!("{marks} {level}: {text} {marks}");
    match urgency {
        Urgency::Emergency | Urgency::Urgent => paint.alarm(&line),
        Urgency::Routine => paint.warn(&line),
    }
}

/// A result in words for one audience: the desk gets the decision, what to say, pressure,
/// session length and precautions; the therapist gets the reasons with their sources and
/// the advice as well; then the answers to check and the questions an intake did not ask.
/// The trace, when the outcome carries one (`--explain`), comes before all of it.
pub fn render_human(outcome: &Outcome<'_>, audience: Audience, paint: Paint) -> String {
    // The trace, when asked for, comes first: the recommendation, the pressure and the
    // precautions end the output, in view at the bottom of the terminal.
    let mut out = match &outcome.trace {
        Some(trace) => format!("{}\n", render_trace(trace, paint).trim_start_matches('\n')),
        None => String::new(),
    };
    if let Some(changes) = &outcome.what_would_change {
        what_would_change(&mut out, changes);
    }
    // The recommendation (an emergency above all) comes before anything else, the
    // reference included.
    // The reference comes from the input: escaped, so that it cannot forge a line.
    let reference = outcome.id.map(|id| paint.faint(&format!("Reference: {}", crate::text::escape_controls(id))));
    match outcome.recommendation {
        Recommendation::Physician => referral(&mut out, outcome, reference, audience, paint),
        Recommendation::Massage(style) => massage(&mut out, outcome, style, reference, audience, paint),
    }
    let warnings: Vec<String> = outcome.warnings.iter().map(|w| paint.warn(w.message)).collect();
    list(
        &mut out,
        "Answers to check (they rarely go together; the result is the same either way)",
        warnings.iter().map(String::as_str),
    );
    if !outcome.not_asked.is_empty() {
        let _ = writeln!(out);
        let note = format!("Not asked (the answers given settle the referral): {}", outcome.not_asked.join(", "));
        let _ = writeln!(out, "{}", paint.faint(&note));
    }
    let _ = writeln!(out);
    for line in overrides_in_words(&outcome.identity) {
        let _ = writeln!(out, "{}", paint.warn(&line));
    }
    let _ = writeln!(out, "{}", paint.faint(&identity_in_words(&outcome.identity)));
    out
}

/// Each declared exception to the safety floor, on a line of its own.
pub fn overrides_in_words(identity: &crate::rules::Identity<'_>) -> Vec<String> {
    let statement = |s: &str| if s == "*" { "every built-in safety statement".to_owned() } else { s.to_owned() };
    identity
        .overrides
        .iter()
        .map(|e| format!("Overrides the built-in safety floor: {} (because: {})", statement(&e.statement), e.because))
        .collect()
}

/// Which rules made a result, on one line: `Rules: massage-triage built-in 2.0 (effective
/// 2026-12-01, sha256 1a2b3c4d5e6f), questionnaire version 2, massage-triage 0.1.0`.
pub fn identity_in_words(identity: &crate::rules::Identity<'_>) -> String {
    let rule_set = &identity.rule_set;
    let name = match (rule_set.name, rule_set.version) {
        (Some(name), Some(version)) => format!("{name} {version}"),
        (Some(name), None) => name.to_owned(),
        (None, Some(version)) => format!("version {version}"),
        (None, None) => "unnamed".to_owned(),
    };
    let mut details = Vec::new();
    if let Some(effective) = rule_set.effective {
        details.push(format!("effective {effective}"));
    }
    if let Some(sha256) = &rule_set.sha256 {
        details.push(format!("sha256 {}", &sha256[..12.min(sha256.len())]));
    }
    let details = if details.is_empty() { String::new() } else { format!(" ({})", details.join(", ")) };
    format!(
        "Rules: {name}{details}, questionnaire version {}, massage-triage {}",
        identity.questionnaire_version, identity.tool_version
    )
}

fn referral(out: &mut String, outcome: &Outcome<'_>, reference: Option<String>, audience: Audience, paint: Paint) {
    let urgency = outcome.urgency.unwrap_or(Urgency::Routine);
    let tell = outcome.tell.unwrap_or_default();
    // The emergency banner says what to do, in capitals: the first sentence of what to tell
    // (call 911..., or the maternity unit when that rule decides).
    let first = tell.split_inclusive(". ").next().unwrap_or(tell).trim().trim_end_matches('.');
    let what = match urgency {
        Urgency::Emergency => first.to_uppercase(),
        Urgency::Urgent => "SEE A PHYSICIAN WITHIN 24 HOURS. NO MASSAGE.".to_owned(),
        Urgency::Routine => "SEE A PHYSICIAN BEFORE BOOKING A MASSAGE".to_owned(),
    };
    let banner = referral_banner(urgency, &what, paint);
    let _ = writeln!(out, "{banner}");
    let _ = writeln!(out, "Recommendation: {} ({})", paint.strong("physician"), urgency.id());
    let _ = writeln!(out, "Tell the person: {}", paint.strong(tell));
    if let Some(reference) = reference {
        let _ = writeln!(out, "{reference}");
    }
    if audience == Audience::Desk {
        // The desk tells the caller why, in the deciding rule's plain words.
        let _ = writeln!(out, "Why: {}", outcome.why.unwrap_or_default());
        list(out, "Precautions", outcome.precautions.iter().copied());
        return;
    }
    reasons(out, outcome, paint);
    list(out, "Precautions", outcome.precautions.iter().copied());
    list(out, "Advice", outcome.advice.iter().copied());
}

fn massage(
    out: &mut String,
    outcome: &Outcome<'_>,
    style: crate::recommendation::Style,
    reference: Option<String>,
    audience: Audience,
    paint: Paint,
) {
    let _ = writeln!(out, "Recommendation: {} ({})", paint.good(&paint.strong(style.name())), style.id());
    if let Some(reference) = reference {
        let _ = writeln!(out, "{reference}");
    }
    if let Some(pressure) = outcome.pressure {
        let _ = writeln!(out, "Pressure: {} at most", paint.strong(pressure.id()));
    }
    if let Some(minutes) = outcome.session_minutes {
        let _ = writeln!(out, "First session: {minutes} minutes");
    }
    if !outcome.alternatives.is_empty() {
        let names: Vec<&str> = outcome.alternatives.iter().map(|s| s.name()).collect();
        let _ = writeln!(out, "Alternatives: {}", names.join(", "));
    }
    list(out, "Precautions", outcome.precautions.iter().copied());
    if audience == Audience::Desk {
        return;
    }
    reasons(out, outcome, paint);
    list(out, "Advice for the client", outcome.advice.iter().copied());
}

/// `Why:` and each reason with its sources.
fn reasons(out: &mut String, outcome: &Outcome<'_>, paint: Paint) {
    let _ = writeln!(out);
    let _ = writeln!(out, "Why:");
    for reason in &outcome.reasons {
        let sources = if reason.source.is_empty() { String::new() } else { format!(" [{}]", reason.source.join(", ")) };
        let _ = writeln!(out, "  - {}: {}{}", paint.strong(reason.rule), reason.because, paint.faint(&sources));
    }
}

fn list<'a>(out: &mut String, title: &str, items: impl Iterator<Item = &'a str>) {
    let items: Vec<&str> = items.collect();
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{title}:");
    for item in items {
        let _ = writeln!(out, "  - {item}");
    }
}

/// "What would change it" (`--explain`), each change with its result in words.
fn what_would_change(out: &mut String, changes: &[super::JsonCounterfactual]) {
    let _ = writeln!(out, "What would change it:");
    if changes.is_empty() {
        let _ = writeln!(out, "  - no change to one or two answers would change the recommendation or the urgency");
    }
    for change in changes {
        let _ = writeln!(out, "  - {}", change.in_words);
    }
    let _ = writeln!(out);
}

/// The readable trace (`--explain`): every rule, fired or not, and why.
pub fn render_trace(trace: &[TraceStep<'_>], paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(out);
    let _ = writeln!(out, "Rules considered, in order:");
    for step in trace {
        let at = paint.faint(&step.at);
        let why = step.failed.as_deref().unwrap_or_default();
        let _ = match (step.fired, step.undecided) {
            (true, _) => writeln!(out, "  {} {} fired ({at})", paint.good("+"), step.rule),
            (false, false) => writeln!(out, "  {} {} did not fire: {why} ({at})", paint.faint("-"), step.rule),
            (false, true) => writeln!(out, "  {} {} {why} ({at})", paint.faint("?"), step.rule),
        };
    }
    out
}

/// Why a condition does not hold, in words: what it needs and the answers it read
/// (`needs severity is at least 8, but severity = 5`). `answer` gives each question's answer,
/// `None` for one not given yet (left out). The trace, the JSON trace and the intake's
/// early end all say it this way.
pub fn failure_in_words(
    questionnaire: &Questionnaire,
    condition: &Condition,
    answer: impl Fn(usize) -> Option<Answer>,
) -> String {
    let given: Vec<String> = condition
        .questions_read()
        .into_iter()
        .filter_map(|q| {
            Some(format!("{} = {}", questionnaire.questions[q].id, Answers::describe(questionnaire, q, answer(q)?)))
        })
        .collect();
    if given.is_empty() {
        format!("needs {}", condition.describe(questionnaire))
    } else {
        format!("needs {}, but {}", condition.describe(questionnaire), given.join(", "))
    }
}
