//! An intake's record: every call written down, finished or not (completed, stopped early
//! on a settled referral, interrupted), as one JSON object: its status, when, how, the
//! answers given, why each other question was not asked, and the outcome. It is read back
//! by `assess` and `rules replay` like an answer file: its answers, and when they leave
//! questions unanswered, the outcome they settle ([`read_answers`]); nothing is made up
//! for what was not asked.
//!
//! Field names are stable (the README lists them): `record` (the format, 1), `status`,
//! `authored`, `mode`, `version`, `id`, `answers`, `not_asked`, `outcome`, and the
//! identity every JSON output carries.

use super::outcome::settled_outcome;
use super::skip::{matters, settled_evaluation, settled_referral, PartialAnswers};
use crate::answer::Answer;
use crate::answers::{is_record, parse_answers, parse_record, AnswerFormat, Answers, RECORD_FORMAT};
use crate::choice::Choice;
use crate::code::Code;
use crate::condition::Truth;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceText};
use crate::engine::{evaluate, Evaluation};
use crate::questionnaire::Questionnaire;
use crate::report::{Audience, Outcome};
use crate::rules::{Identity, RuleSet};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// How the call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every question answered and the summary confirmed.
    Completed,
    /// Ended early on a referral that the answers given settle.
    Stopped,
    /// Ctrl-C, a signal, or the terminal closing, before the end.
    Interrupted,
}

/// Why a question has no answer in a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotAskedBecause {
    /// Its answer cannot change the outcome that the answers given settle.
    Settled,
    /// A conditional question whose condition does not hold.
    NotCalledFor,
    /// The call ended before it was reached.
    Interrupted,
}

/// One call, as far as it went.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// How it ended.
    pub status: Status,
    /// When, in UTC, RFC 3339 to the second (`2026-12-01T18:30:05Z`).
    pub authored: &'a str,
    /// Desk or therapist.
    pub mode: Audience,
    /// The reference (`--id`).
    pub id: Option<&'a str>,
    /// The answers given, in questionnaire order.
    pub answers: &'a PartialAnswers,
    /// Which questions were put to the person.
    pub asked: &'a [bool],
}

/// The record's JSON object (pretty-printed, ending in a newline).
pub fn record_json(rule_set: &RuleSet, call: &Call<'_>) -> String {
    let questionnaire = &rule_set.questionnaire;
    let complete = complete(questionnaire, call.id, call.answers);
    let outcome = match &complete {
        Some(answers) => Some(Outcome::of_answers(rule_set, answers, &evaluate(rule_set, answers), None)),
        None if settled_referral(rule_set, call.answers).is_some() => {
            Some(settled_outcome(rule_set, call.answers, call.asked, call.id, false))
        }
        None => None,
    };
    let record = Record {
        record: RECORD_FORMAT,
        status: call.status,
        authored: call.authored,
        mode: call.mode.name(),
        version: questionnaire.version,
        id: call.id,
        answers: AnswersJson { questionnaire, answers: call.answers },
        not_asked: NotAskedJson(not_asked(rule_set, call)),
        outcome,
        identity: rule_set.identity(),
    };
    let text = serde_json::to_string_pretty(&record).unwrap_or_default();
    let mut text = crate::text::json_terminal_safe(&text).into_owned();
    text.push('\n');
    text
}

#[derive(serde::Serialize)]
struct Record<'a> {
    record: i64,
    status: Status,
    authored: &'a str,
    mode: &'static str,
    version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    answers: AnswersJson<'a>,
    not_asked: NotAskedJson<'a>,
    outcome: Option<Outcome<'a>>,
    #[serde(flatten)]
    identity: Identity<'a>,
}

/// The answers given, keyed by question id in questionnaire order, each encoded as a JSON
/// answer file encodes it ([`crate::answers::Shown::json`]).
struct AnswersJson<'a> {
    questionnaire: &'a Questionnaire,
    answers: &'a PartialAnswers,
}

impl Serialize for AnswersJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let given =
            self.questionnaire.questions.iter().zip(self.answers).filter_map(|(question, answer)| match answer {
                Some(Answer::NotAsked) | None => None,
                Some(answer) => Some((question, answer)),
            });
        let mut map = serializer.serialize_map(None)?;
        for (question, answer) in given {
            map.serialize_entry(&question.id, &answer.shown(question).json())?;
        }
        map.end()
    }
}

/// The questions without an answer, in questionnaire order, each with why.
struct NotAskedJson<'a>(Vec<(&'a str, NotAskedBecause)>);

impl Serialize for NotAskedJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (id, because) in &self.0 {
            map.serialize_entry(id, because)?;
        }
        map.end()
    }
}

/// Why each question without an answer has none. A question the answers given could still
/// change the outcome of was not reached: only an interrupted call leaves one.
fn not_asked<'r>(rule_set: &'r RuleSet, call: &Call<'_>) -> Vec<(&'r str, NotAskedBecause)> {
    let questions = rule_set.questionnaire.questions.iter().enumerate();
    questions
        .filter_map(|(index, question)| {
            let because = match call.answers.get(index).copied().flatten() {
                Some(Answer::NotAsked) => NotAskedBecause::NotCalledFor,
                Some(_) => return None,
                None if call.status == Status::Interrupted && matters(rule_set, call.answers, index) => {
                    NotAskedBecause::Interrupted
                }
                None => NotAskedBecause::Settled,
            };
            Some((question.id.as_str(), because))
        })
        .collect()
}

/// The answers as a complete answer set, when every question has one.
fn complete(questionnaire: &Questionnaire, id: Option<&str>, answers: &PartialAnswers) -> Option<Answers> {
    let values: Option<Vec<Answer>> = answers.iter().copied().collect();
    Answers::new(questionnaire, id.map(str::to_owned), values?).ok()
}

/// Answers read from a file to assess: an answer file's, or a record's.
#[derive(Debug, Clone)]
pub enum Given {
    /// Every question answered (an answer file, or a record of a whole call).
    Complete(Answers),
    /// A record of a call that ended early, whose answers settle the outcome.
    Settled {
        /// The answers' reference.
        id: Option<String>,
        /// The answers given, in questionnaire order.
        answers: Vec<Option<Answer>>,
    },
}

impl Given {
    /// The outcome: the engine's evaluation, or the one the partial answers settle.
    pub fn evaluation(&self, rule_set: &RuleSet) -> Evaluation {
        match self {
            Given::Complete(answers) => evaluate(rule_set, answers),
            Given::Settled { answers, .. } => settled_evaluation(rule_set, answers),
        }
    }
}

/// The outcome that a record's partial answers settle, as the intake showed it: every
/// question without an answer named as not asked.
pub fn replayed_outcome<'r>(
    rule_set: &'r RuleSet,
    id: Option<&'r str>,
    answers: &PartialAnswers,
    explain: bool,
) -> Outcome<'r> {
    settled_outcome(rule_set, answers, &vec![false; answers.len()], id, explain)
}

/// Reads an answer file, or a record (a JSON object with a `"record"` key). A record's
/// answers are assessed when complete, or when they settle the outcome (every way of
/// answering the rest gives the same one, as the intake decides when it stops early);
/// otherwise it is refused, naming the questions missing.
pub fn read_answers(rule_set: &RuleSet, source: SourceText<'_>, format: AnswerFormat) -> Result<Given, Diagnostics> {
    let questionnaire = &rule_set.questionnaire;
    if format != AnswerFormat::Json || !is_record(source.text) {
        return parse_answers(questionnaire, source, format).map(Given::Complete);
    }
    let given = parse_record(questionnaire, source)?;
    if let Some(answers) = complete(questionnaire, given.id.as_deref(), &given.values) {
        return Ok(Given::Complete(answers));
    }
    if settled_referral(rule_set, &given.values).is_some() {
        return Ok(Given::Settled { id: given.id, answers: given.values });
    }
    let missing: Vec<&str> = questionnaire
        .questions
        .iter()
        .zip(&given.values)
        // A conditional question is named once it is known to be asked.
        .filter(|(question, answer)| {
            answer.is_none() && question.ask_when.as_ref().is_none_or(|when| when.truth(&given.values) == Truth::Yes)
        })
        .map(|(question, _)| question.id.as_str())
        .collect();
    let message = format!(
        "this record's answers settle no outcome: it has no answer to {} (the call ended before they were asked), and the outcome depends on them; ask them and assess a complete answer file",
        missing.join(", ")
    );
    Err(Diagnostic::whole_file(source.name, Code::UnsettledRecord, message).into())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::recommendation::{Recommendation, Urgency};

    fn rule_set() -> RuleSet {
        RuleSet::built_in().unwrap()
    }

    fn record_of(rule_set: &RuleSet, status: Status, answers: &PartialAnswers) -> String {
        let asked: Vec<bool> = answers.iter().map(Option::is_some).collect();
        let call = Call {
            status,
            authored: "2026-12-01T18:30:05Z",
            mode: Audience::Desk,
            id: Some("booking-1"),
            answers,
            asked: &asked,
        };
        record_json(rule_set, &call)
    }

    fn red_flags(rule_set: &RuleSet, ids: &[&str]) -> Answer {
        let question = &rule_set.questionnaire.questions[0];
        Answer::Choices(ids.iter().map(|id| 1u64 << question.option_index(id).unwrap()).sum())
    }

    #[test]
    fn a_stopped_record_replays_to_its_settled_referral() {
        let rule_set = rule_set();
        let mut answers = vec![None; rule_set.questionnaire.questions.len()];
        answers[0] = Some(red_flags(&rule_set, &["saddle_numbness"]));
        let text = record_of(&rule_set, Status::Stopped, &answers);
        let record: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(record["record"], 1);
        assert_eq!(record["status"], "stopped");
        assert_eq!(record["answers"]["red_flags"], serde_json::json!(["saddle_numbness"]));
        assert_eq!(record["not_asked"]["duration"], "settled");
        assert_eq!(record["outcome"]["urgency"], "emergency");
        assert_eq!(record["questionnaire_version"], 2);
        let given = read_answers(&rule_set, SourceText::new("r.json", &text), AnswerFormat::Json).unwrap();
        let evaluation = given.evaluation(&rule_set);
        assert_eq!(
            (evaluation.recommendation, evaluation.urgency),
            (Recommendation::Physician, Some(Urgency::Emergency))
        );
        assert!(matches!(given, Given::Settled { id: Some(ref id), .. } if id == "booking-1"));
    }

    #[test]
    fn partial_answers_that_settle_nothing_are_refused_naming_what_is_missing() {
        let rule_set = rule_set();
        let mut answers = vec![None; rule_set.questionnaire.questions.len()];
        answers[0] = Some(red_flags(&rule_set, &[]));
        let text = record_of(&rule_set, Status::Interrupted, &answers);
        let record: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(record["outcome"], serde_json::Value::Null);
        assert_eq!(record["not_asked"]["duration"], "interrupted");
        let problems = read_answers(&rule_set, SourceText::new("r.json", &text), AnswerFormat::Json).unwrap_err();
        assert_eq!(problems.0[0].code, Code::UnsettledRecord);
        assert!(problems.0[0].message.contains("duration, severity"), "{}", problems.0[0].message);
    }
}
