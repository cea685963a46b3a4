//! One result as every output shows it. [`Outcome`] is built once from an evaluation and
//! the rule set: it chooses the reasons, what to tell the person, the precautions and the
//! advice, and carries the warnings and the trace when they are shown. The contract's JSON
//! object is its `Serialize`; the words for people read the same fields; batch's JSON Lines
//! are pre-rendered fragments of the same choices, tested equal to it.

use crate::answers::Answers;
use crate::engine::{Evaluation, RuleTrace, UNDECIDED_REASON};
use crate::questionnaire::Unlikely;
use crate::recommendation::{Pressure, Recommendation, Style, Urgency};
use crate::rules::{Identity, RuleSet};
use crate::wording::Text;
use serde::Serialize;

/// One result: the contract's JSON object (plus `id`, `tell` and, with `--explain`,
/// `trace` and `what_would_change`), and what the words for people need besides.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Outcome<'a> {
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
    /// The rules that decided ([`Evaluation::reasons`]), and the engine's own reason when
    /// no rule settles a style.
    pub reasons: Vec<Reason<'a>>,
    /// Self-care sentences for the client.
    pub advice: Vec<&'a str>,
    /// With a referral: what to tell the person ([`Evaluation::tell`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tell: Option<&'a str>,
    /// With a referral: why, in the deciding rule's words (what the desk reads out).
    #[serde(skip)]
    pub why: Option<&'a str>,
    /// Answers that rarely go together, to check with the person (they never change the
    /// outcome).
    pub warnings: Vec<Warning<'a>>,
    /// Questions an intake did not ask because the answers given settle a referral.
    #[serde(skip)]
    pub not_asked: Vec<&'a str>,
    /// With `--explain`: every rule, fired or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep<'a>>>,
    /// With `--explain`: the smallest changes to the answers that would change the
    /// recommendation or the urgency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_would_change: Option<Vec<super::rules::JsonCounterfactual>>,
    /// Which rule set, questionnaire and tool made it (`schema_version`, `rule_set`,
    /// `questionnaire_version`, `tool_version`).
    #[serde(flatten)]
    pub identity: Identity<'a>,
}

/// An unlikely combination of answers.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Warning<'a> {
    /// Its id in `questionnaire.toml`.
    pub id: &'a str,
    /// What to check.
    pub message: &'a str,
}

impl<'a> Warning<'a> {
    /// The warning of an unlikely combination.
    pub fn of(unlikely: &'a Unlikely) -> Self {
        Warning { id: &unlikely.id, message: &unlikely.message }
    }
}

/// A rule that decided.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Reason<'a> {
    /// Rule id.
    pub rule: &'a str,
    /// Its sentence.
    pub because: &'a str,
    /// Its sources.
    pub source: &'a [Text],
}

/// One rule in the trace.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct TraceStep<'a> {
    /// Rule id.
    pub rule: &'a str,
    /// `file:line`.
    pub at: String,
    /// Whether it fired.
    pub fired: bool,
    /// For a rule that did not fire: the part of its condition that failed, in words, or
    /// what was not asked when it cannot be told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
    /// Neither fired nor not: it reads a question that was not asked.
    #[serde(skip)]
    pub undecided: bool,
}

impl<'a> TraceStep<'a> {
    /// The trace of an evaluation of complete answers.
    pub fn of_evaluation(rule_set: &'a RuleSet, answers: &Answers, trace: &[RuleTrace<'a>]) -> Vec<Self> {
        let in_words = |c| super::human::failure_in_words(&rule_set.questionnaire, c, |q| Some(answers.get(q)));
        trace
            .iter()
            .map(|step| TraceStep {
                rule: &step.rule.id,
                at: rule_set.rule_location(step.rule),
                fired: step.fired,
                failed: step.failed.map(in_words),
                undecided: false,
            })
            .collect()
    }
}

impl<'a> Outcome<'a> {
    /// The result of an evaluation; `id` is the answers' reference. Without warnings or a
    /// trace (see [`Outcome::of_answers`]).
    pub fn of(rule_set: &'a RuleSet, id: Option<&'a str>, evaluation: &Evaluation) -> Self {
        let mut reasons: Vec<Reason<'a>> = evaluation
            .reasons(rule_set)
            .map(|rule| Reason { rule: &rule.id, because: &rule.because, source: &rule.source })
            .collect();
        if evaluation.undecided {
            reasons.push(Reason { rule: UNDECIDED_REASON.0, because: UNDECIDED_REASON.1, source: &[] });
        }
        let why = evaluation.urgency.map(|_| match evaluation.deciding_rule(rule_set) {
            Some(rule) => rule.because.as_str(),
            None => UNDECIDED_REASON.1,
        });
        Outcome {
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
            why,
            warnings: Vec::new(),
            not_asked: Vec::new(),
            trace: None,
            what_would_change: None,
            identity: rule_set.identity(),
        }
    }

    /// The result of evaluating complete answers, with their warnings and, with
    /// `--explain`, the trace.
    pub fn of_answers(
        rule_set: &'a RuleSet,
        answers: &'a Answers,
        evaluation: &Evaluation,
        trace: Option<&[RuleTrace<'a>]>,
    ) -> Self {
        Outcome {
            warnings: crate::engine::warnings(rule_set, answers).map(Warning::of).collect(),
            trace: trace.map(|steps| TraceStep::of_evaluation(rule_set, answers, steps)),
            ..Outcome::of(rule_set, answers.id.as_deref(), evaluation)
        }
    }

    /// The contract's JSON object, pretty-printed, with no character left raw that a
    /// terminal would obey ([`crate::text::json_terminal_safe`]), and a newline.
    pub fn to_json(&self) -> String {
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        let mut text = crate::text::json_terminal_safe(&text).into_owned();
        text.push('\n');
        text
    }
}
