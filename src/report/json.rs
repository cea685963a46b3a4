//! The contract's JSON output.

use crate::answers::Answers;
use crate::engine::{Evaluation, RuleTrace, UNDECIDED_REASON};
use crate::recommendation::{Pressure, Recommendation, Style, Urgency};
use crate::rules::RuleSet;
use serde::Serialize;

/// One evaluation as the contract's JSON object (plus `id`, `tell` and, with `--explain`,
/// `trace`).
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// The answer set's reference, when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    /// A style or `physician`.
    pub recommendation: Recommendation,
    /// With `physician`: how soon.
    pub urgency: Option<Urgency>,
    /// Most pressure to use.
    pub pressure: Option<Pressure>,
    /// First-session length.
    pub session_minutes: Option<u16>,
    /// Other suitable styles, best first.
    pub alternatives: Vec<Style>,
    /// Sentences for the therapist.
    pub precautions: Vec<&'a str>,
    /// The rules that decided.
    pub reasons: Vec<JsonReason<'a>>,
    /// Self-care sentences for the client.
    pub advice: Vec<&'a str>,
    /// With a referral: what to tell the person (the deciding rule's own sentence, else the
    /// urgency's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tell: Option<&'a str>,
    /// Answers that rarely go together, to check with the person (they never change the
    /// outcome).
    pub warnings: Vec<JsonWarning<'a>>,
    /// With `--explain`: every rule, fired or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<JsonTraceStep<'a>>>,
    /// With `--explain`: the smallest changes to the answers that would change the
    /// recommendation or the urgency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_would_change: Option<Vec<super::rules::JsonCounterfactual>>,
}

/// An unlikely combination of answers.
#[derive(Debug, Serialize)]
pub struct JsonWarning<'a> {
    /// Its id in `questionnaire.toml`.
    pub id: &'a str,
    /// What to check.
    pub message: &'a str,
}

impl<'a> JsonWarning<'a> {
    /// The warning of an unlikely combination.
    pub fn of(unlikely: &'a crate::questionnaire::Unlikely) -> Self {
        JsonWarning { id: &unlikely.id, message: &unlikely.message }
    }
}

/// A rule that decided.
#[derive(Debug, Serialize)]
pub struct JsonReason<'a> {
    /// Rule id.
    pub rule: &'a str,
    /// Its sentence.
    pub because: &'a str,
    /// Its sources.
    pub source: &'a [String],
}

/// One rule in the trace.
#[derive(Debug, Serialize)]
pub struct JsonTraceStep<'a> {
    /// Rule id.
    pub rule: &'a str,
    /// `file:line`.
    pub at: String,
    /// Whether it fired.
    pub fired: bool,
    /// For a rule that did not fire: the part of its condition that failed, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

const NO_SOURCES: &[String] = &[];

/// Builds the JSON object for an evaluation.
pub fn json_report<'a>(
    rule_set: &'a RuleSet,
    answers: &'a Answers,
    evaluation: &Evaluation,
    trace: Option<&[RuleTrace<'a>]>,
) -> JsonReport<'a> {
    let mut report = json_report_for(rule_set, answers.id.as_deref(), evaluation);
    report.warnings = crate::engine::warnings(rule_set, answers).map(JsonWarning::of).collect();
    report.trace = trace.map(|steps| {
        steps
            .iter()
            .map(|step| JsonTraceStep {
                rule: &step.rule.id,
                at: rule_set.rule_location(step.rule),
                fired: step.fired,
                failed: step
                    .failed
                    .map(|c| super::human::failure_in_words(&rule_set.questionnaire, c, |q| Some(answers.get(q)))),
            })
            .collect()
    });
    report
}

/// Builds the JSON object for an evaluation without a trace; `id` is the answers'
/// reference (the intake uses this when it ends before every question is answered).
pub fn json_report_for<'a>(rule_set: &'a RuleSet, id: Option<&'a str>, evaluation: &Evaluation) -> JsonReport<'a> {
    let mut reasons: Vec<JsonReason<'a>> = evaluation
        .reasons(rule_set)
        .map(|rule| JsonReason { rule: &rule.id, because: &rule.because, source: &rule.source })
        .collect();
    if evaluation.undecided {
        reasons.push(JsonReason { rule: UNDECIDED_REASON.0, because: UNDECIDED_REASON.1, source: NO_SOURCES });
    }
    JsonReport {
        id,
        recommendation: evaluation.recommendation,
        urgency: evaluation.urgency,
        pressure: evaluation.pressure,
        session_minutes: evaluation.session_minutes,
        alternatives: evaluation.alternatives.iter().collect(),
        precautions: evaluation.precautions(rule_set).collect(),
        reasons,
        advice: evaluation.advice(rule_set).collect(),
        tell: evaluation.tell(rule_set),
        warnings: Vec::new(),
        trace: None,
        what_would_change: None,
    }
}
