//! The result of an intake that ended early on a settled referral: the engine's decision
//! over the rules certain to fire, rendered like any other result, with the questions not
//! asked named (nothing is made up for them).

use super::skip::{settled_evaluation, PartialAnswers};
use crate::condition::{Condition, Truth};
use crate::report::{failure_in_words, render_human, Audience, Format, Outcome, Paint, TraceStep, Warning};
use crate::rules::RuleSet;

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
pub fn render_settled(rule_set: &RuleSet, finished: &super::Finished, how: Presentation<'_>) -> String {
    let outcome = settled_outcome(rule_set, &finished.answers, &finished.asked, how.id, how.explain);
    match how.format {
        Format::Json => outcome.to_json(),
        Format::Human => render_human(&outcome, how.audience, how.paint),
    }
}

/// The result of partial answers that settle a referral, with the questions never put
/// (`asked` says which were) named and, with `explain`, every rule's part.
pub fn settled_outcome<'r>(
    rule_set: &'r RuleSet,
    answers: &PartialAnswers,
    asked: &[bool],
    id: Option<&'r str>,
    explain: bool,
) -> Outcome<'r> {
    let evaluation = settled_evaluation(rule_set, answers);
    let unlikely = rule_set.questionnaire.unlikely.iter().filter(|u| u.when.truth(answers) == Truth::Yes);
    Outcome {
        warnings: unlikely.map(Warning::of).collect(),
        not_asked: not_asked(rule_set, answers, asked),
        trace: explain.then(|| trace(rule_set, answers)),
        ..Outcome::of(rule_set, id, &evaluation)
    }
}

/// Ids of the questions never put to the person (a conditional question not called for
/// aside). A question asked whose answer was then dropped, as unable to change the
/// outcome, was asked: it is not listed.
pub(crate) fn not_asked<'r>(rule_set: &'r RuleSet, answers: &PartialAnswers, asked: &[bool]) -> Vec<&'r str> {
    rule_set
        .questionnaire
        .questions
        .iter()
        .zip(answers)
        .zip(asked)
        .filter(|((q, a), asked)| {
            !**asked && a.is_none() && q.ask_when.as_ref().is_none_or(|w| w.truth(answers) != Truth::No)
        })
        .map(|((q, _), _)| q.id.as_str())
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

/// Every rule: fired, not fired, or not decided because it reads a question not asked.
fn trace<'r>(rule_set: &'r RuleSet, answers: &PartialAnswers) -> Vec<TraceStep<'r>> {
    rule_set
        .rules
        .iter()
        .map(|rule| {
            let status = rule.when.truth(answers);
            TraceStep {
                rule: &rule.id,
                at: rule_set.rule_location(rule),
                fired: status == Truth::Yes,
                failed: status_in_words(rule_set, answers, &rule.when, status),
                undecided: status == Truth::Unknown,
            }
        })
        .collect()
}
