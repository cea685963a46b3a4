//! The result of an intake that ended early on a settled referral: the engine's decision
//! over the rules certain to fire, rendered like any other result, with the questions not
//! asked named (nothing is made up for them).

use super::skip::{settled_evaluation, PartialAnswers};
use crate::report::{
    failure_in_words, json_report_for, render_human_for, warnings_in_words, Audience, Format, JsonTraceStep,
    JsonWarning, Paint,
};
use crate::rules::{Condition, RuleSet, Truth};
use std::fmt::Write;

/// How the result of a settled intake is shown.
#[derive(Debug, Clone, Copy)]
pub struct Presentation<'a> {
    /// The answers' reference (`--id`).
    pub id: Option<&'a str>,
    /// Human or JSON.
    pub format: Format,
    /// Add every rule's part (`--explain`).
    pub explain: bool,
    /// Desk or therapist wording.
    pub audience: Audience,
    /// Standard output's colour decision.
    pub paint: Paint,
}

/// Renders the result of partial answers that settle a referral.
pub fn render_settled(rule_set: &RuleSet, answers: &PartialAnswers, how: Presentation<'_>) -> String {
    let evaluation = settled_evaluation(rule_set, answers);
    let unlikely = rule_set.questionnaire.unlikely.iter().filter(|u| u.when.truth(answers) == Truth::Yes);
    match how.format {
        Format::Json => {
            let mut report = json_report_for(rule_set, how.id, &evaluation);
            report.warnings = unlikely.map(JsonWarning::of).collect();
            if how.explain {
                report.trace = Some(json_trace(rule_set, answers));
            }
            let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Human => {
            let mut text = render_human_for(rule_set, how.id, &evaluation, how.audience, how.paint);
            warnings_in_words(&mut text, unlikely, how.paint);
            let not_asked = not_asked(rule_set, answers);
            if !not_asked.is_empty() {
                let _ = writeln!(text);
                let note = format!("Not asked (the answers given settle the referral): {}", not_asked.join(", "));
                let _ = writeln!(text, "{}", how.paint.faint(&note));
            }
            if how.explain {
                human_trace(&mut text, rule_set, answers, how.paint);
            }
            text
        }
    }
}

/// Ids of the questions without an answer (a conditional question not called for aside).
fn not_asked<'r>(rule_set: &'r RuleSet, answers: &PartialAnswers) -> Vec<&'r str> {
    rule_set
        .questionnaire
        .questions
        .iter()
        .zip(answers)
        .filter(|(q, a)| a.is_none() && q.ask_when.as_ref().is_none_or(|w| w.truth(answers) != Truth::No))
        .map(|(q, _)| q.id.as_str())
        .collect()
}

/// Why a rule did not fire or is not decided, in words.
fn status_in_words(rule_set: &RuleSet, answers: &PartialAnswers, when: &Condition, status: Truth) -> Option<String> {
    let questionnaire = &rule_set.questionnaire;
    match status {
        Truth::Yes => None,
        Truth::No => Some(failure_in_words(questionnaire, when, |q| answers.get(q).copied().flatten())),
        Truth::Unknown => {
            let missing: Vec<&str> = when
                .questions_read()
                .iter()
                .filter(|q| answers.get(**q).copied().flatten().is_none())
                .map(|q| questionnaire.questions[*q].id.as_str())
                .collect();
            Some(format!("not decided: {} not asked", missing.join(", ")))
        }
    }
}

fn human_trace(out: &mut String, rule_set: &RuleSet, answers: &PartialAnswers, paint: Paint) {
    let _ = writeln!(out);
    let _ = writeln!(out, "Rules considered, in order:");
    for rule in &rule_set.rules {
        let at = paint.faint(&rule_set.rule_location(rule));
        let status = rule.when.truth(answers);
        match status_in_words(rule_set, answers, &rule.when, status) {
            None => {
                let _ = writeln!(out, "  {} {} fired ({at})", paint.good("+"), rule.id);
            }
            Some(why) if status == Truth::No => {
                let _ = writeln!(out, "  {} {} did not fire: {why} ({at})", paint.faint("-"), rule.id);
            }
            Some(why) => {
                let _ = writeln!(out, "  {} {} {why} ({at})", paint.faint("?"), rule.id);
            }
        }
    }
}

fn json_trace<'r>(rule_set: &'r RuleSet, answers: &PartialAnswers) -> Vec<JsonTraceStep<'r>> {
    rule_set
        .rules
        .iter()
        .map(|rule| {
            let status = rule.when.truth(answers);
            JsonTraceStep {
                rule: &rule.id,
                at: rule_set.rule_location(rule),
                fired: status == Truth::Yes,
                failed: status_in_words(rule_set, answers, &rule.when, status),
            }
        })
        .collect()
}
