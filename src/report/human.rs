//! The human format: the recommendation first, a referral impossible to miss.

use super::Paint;
use crate::answers::{Answer, Answers};
use crate::choice::Choice;
use crate::engine::{Evaluation, RuleTrace, UNDECIDED_REASON};
use crate::questionnaire::Questionnaire;
use crate::recommendation::{Recommendation, Urgency};
use crate::rules::{Condition, RuleSet};
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

/// Renders an evaluation in words. `trace` adds the readable trace (`--explain`).
pub fn render_human(
    rule_set: &RuleSet,
    answers: &Answers,
    evaluation: &Evaluation,
    trace: Option<&[RuleTrace<'_>]>,
    paint: Paint,
) -> String {
    let mut out = render_human_for(rule_set, answers.id.as_deref(), evaluation, Audience::Therapist, paint);
    if let Some(trace) = trace {
        explain(&mut out, rule_set, answers, trace, paint);
    }
    out
}

/// Renders an evaluation in words for one audience, without a trace: the desk gets the
/// decision, what to say, pressure, session length and precautions; the therapist gets
/// the reasons with their sources and the advice as well. `id` is the answers' reference.
pub fn render_human_for(
    rule_set: &RuleSet,
    id: Option<&str>,
    evaluation: &Evaluation,
    audience: Audience,
    paint: Paint,
) -> String {
    let mut out = String::new();
    // The recommendation (an emergency above all) comes before anything else, the
    // reference included.
    // The reference comes from the input: escaped, so that it cannot forge a line.
    let reference = id.map(|id| paint.faint(&format!("Reference: {}", crate::text::escape_controls(id))));
    match evaluation.recommendation {
        Recommendation::Physician => referral(&mut out, rule_set, evaluation, reference, audience, paint),
        Recommendation::Massage(style) => massage(&mut out, rule_set, evaluation, style, reference, audience, paint),
    }
    out
}

fn referral(
    out: &mut String,
    rule_set: &RuleSet,
    evaluation: &Evaluation,
    reference: Option<String>,
    audience: Audience,
    paint: Paint,
) {
    let urgency = evaluation.urgency.unwrap_or(Urgency::Routine);
    let tell = evaluation.tell(rule_set).unwrap_or_else(|| rule_set.policy.tell(urgency));
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
        let why = match evaluation.deciding_rule(rule_set) {
            Some(rule) => rule.because.as_str(),
            None => UNDECIDED_REASON.1,
        };
        let _ = writeln!(out, "Why: {why}");
        list(out, "Precautions", evaluation.precautions(rule_set));
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Why:");
    for rule in evaluation.reasons(rule_set) {
        reason_line(out, &rule.id, &rule.because, &rule.source, paint);
    }
    if evaluation.undecided {
        reason_line(out, UNDECIDED_REASON.0, UNDECIDED_REASON.1, &[], paint);
    }
    list(out, "Precautions", evaluation.precautions(rule_set));
    list(out, "Advice", evaluation.advice(rule_set));
}

fn massage(
    out: &mut String,
    rule_set: &RuleSet,
    evaluation: &Evaluation,
    style: crate::recommendation::Style,
    reference: Option<String>,
    audience: Audience,
    paint: Paint,
) {
    let _ = writeln!(out, "Recommendation: {} ({})", paint.good(&paint.strong(style.name())), style.id());
    if let Some(reference) = reference {
        let _ = writeln!(out, "{reference}");
    }
    if let Some(pressure) = evaluation.pressure {
        let _ = writeln!(out, "Pressure: {} at most", paint.strong(pressure.id()));
    }
    if let Some(minutes) = evaluation.session_minutes {
        let _ = writeln!(out, "First session: {minutes} minutes");
    }
    if !evaluation.alternatives.is_empty() {
        let names: Vec<&str> = evaluation.alternatives.iter().map(|s| s.name()).collect();
        let _ = writeln!(out, "Alternatives: {}", names.join(", "));
    }
    list(out, "Precautions", evaluation.precautions(rule_set));
    if audience == Audience::Desk {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Why:");
    for rule in evaluation.reasons(rule_set) {
        reason_line(out, &rule.id, &rule.because, &rule.source, paint);
    }
    list(out, "Advice for the client", evaluation.advice(rule_set));
}

/// Unlikely combinations, as a list to check with the person (the outcome is unchanged).
pub fn warnings_in_words<'a>(
    out: &mut String,
    warnings: impl Iterator<Item = &'a crate::questionnaire::Unlikely>,
    paint: Paint,
) {
    let messages: Vec<String> = warnings.map(|u| paint.warn(&u.message)).collect();
    list(
        out,
        "Answers to check (they rarely go together; the result is the same either way)",
        messages.iter().map(String::as_str),
    );
}

fn reason_line(out: &mut String, id: &str, because: &str, source: &[String], paint: Paint) {
    let sources = if source.is_empty() { String::new() } else { format!(" [{}]", source.join(", ")) };
    let _ = writeln!(out, "  - {}: {because}{}", paint.strong(id), paint.faint(&sources));
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

/// The readable trace alone (`--explain`): every rule, fired or not, and why.
pub fn render_trace(rule_set: &RuleSet, answers: &Answers, trace: &[RuleTrace<'_>], paint: Paint) -> String {
    let mut out = String::new();
    explain(&mut out, rule_set, answers, trace, paint);
    out
}

fn explain(out: &mut String, rule_set: &RuleSet, answers: &Answers, trace: &[RuleTrace<'_>], paint: Paint) {
    let _ = writeln!(out);
    let _ = writeln!(out, "Rules considered, in order:");
    for step in trace {
        let at = paint.faint(&rule_set.rule_location(step.rule));
        if step.fired {
            let _ = writeln!(out, "  {} {} fired ({at})", paint.good("+"), step.rule.id);
        } else {
            let failed = step
                .failed
                .map(|c| failure_in_words(&rule_set.questionnaire, c, |q| Some(answers.get(q))))
                .unwrap_or_default();
            let _ = writeln!(out, "  {} {} did not fire: {failed} ({at})", paint.faint("-"), step.rule.id);
        }
    }
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
