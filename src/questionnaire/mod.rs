//! The questionnaire (`questionnaire.toml`): questions in the order they are asked, their
//! wording for the desk and for therapists, their options, which version added each, when a
//! conditional question is asked, and the safety statements: marks on options (what one
//! answer demands) and invariants (what a combination of answers demands).
//!
//! This file holds the model; `load.rs` reads and validates the file, and `conditions.rs`
//! holds the parts of conditions that need the questions: their TOML form, their compiler
//! and their description in words.

mod conditions;
mod load;

pub(crate) use conditions::{ConditionCompiler, RawCondition};
pub(crate) use load::{check_id, parse_pressure, parse_style, parse_urgency, schema as file_schema};

use crate::condition::Condition;
use crate::recommendation::{Pressure, StyleSet, Urgency};
use crate::suggestion::one_of;
use crate::wording::Text;

/// The most options a question may have (several-of answers are held as bits).
pub const MAX_OPTIONS: usize = 64;

/// The answer keys that are not questions.
pub const RESERVED_KEYS: &[&str] = &["id", "version", "line", "error"];

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum QuestionKind {
    /// Exactly one of the options.
    OneOf,
    /// Any number of the options, at least `min_selected`.
    SeveralOf {
        /// How many must be chosen at least (0: an empty list says "none of these").
        min_selected: usize,
    },
    /// A whole number in an inclusive range.
    Number {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// Yes or no.
    YesNo,
}

impl QuestionKind {
    /// The word used in `questionnaire.toml`.
    pub fn id(self) -> &'static str {
        match self {
            QuestionKind::OneOf => "one",
            QuestionKind::SeveralOf { .. } => "several",
            QuestionKind::Number { .. } => "number",
            QuestionKind::YesNo => "yes_no",
        }
    }
}

/// One option of a one-of or several-of question.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct AnswerOption {
    /// Stable id used in answer files.
    pub id: Text,
    /// What is shown or read out.
    pub label: Text,
    /// One line of help.
    pub help: Text,
    /// A red-flag symptom.
    pub red_flag: bool,
    /// This answer must always lead to a physician referral at least this urgent.
    pub min_urgency: Option<Urgency>,
    /// Styles that must never be recommended with this answer.
    pub forbids: StyleSet,
    /// With this answer a massage is never given at more than this pressure.
    pub max_pressure: Option<Pressure>,
    /// The questionnaire version that added the option.
    pub since: u32,
    /// The heading the option is listed under when the question is read out.
    pub group: Option<Text>,
    /// Line in `questionnaire.toml`.
    pub line: usize,
}

impl AnswerOption {
    /// The option carries a safety mark (a demand of its own).
    pub fn has_mark(&self) -> bool {
        self.min_urgency.is_some() || !self.forbids.is_empty() || self.max_pressure.is_some()
    }
}

/// One question.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Question {
    /// Stable id: the key in answer files.
    pub id: Text,
    /// The kind of answer it takes.
    pub kind: QuestionKind,
    /// Short, plain wording read aloud to a caller.
    pub desk: Text,
    /// Clinical wording for therapists.
    pub therapist: Text,
    /// One line of help.
    pub help: Text,
    /// Options (one-of and several-of questions only).
    pub options: Vec<AnswerOption>,
    /// Adding any option of this question never lowers the urgency nor raises the pressure.
    pub escalating: bool,
    /// The questionnaire version that added the question.
    pub since: u32,
    /// A conditional question is asked only when this holds (over earlier questions).
    pub ask_when: Option<Condition>,
    /// The question has an `ask_when` (set before the conditions are compiled).
    pub conditional: bool,
    /// Line in `questionnaire.toml`.
    pub line: usize,
}

impl Question {
    /// The index of an option by id.
    pub fn option_index(&self, id: &str) -> Option<usize> {
        self.options.iter().position(|o| o.id == id)
    }

    /// The option a mistaken name most likely means: the one whose label it is (rule files
    /// and answers name options by id, and a label is the slip a person makes: "not sure"
    /// for `unknown`), else the closest id.
    pub fn closest_option(&self, text: &str) -> Option<&str> {
        let label = |o: &&AnswerOption| o.label.trim().eq_ignore_ascii_case(text.trim());
        match self.options.iter().find(label) {
            Some(option) => Some(&option.id),
            None => crate::suggestion::closest(text, self.option_ids()),
        }
    }

    /// Option ids, for messages.
    pub fn option_ids(&self) -> impl Iterator<Item = &str> {
        self.options.iter().map(|o| o.id.as_str())
    }

    /// A bit mask with every option of this question set.
    pub fn all_options_mask(&self) -> u64 {
        match self.options.len() {
            MAX_OPTIONS => u64::MAX,
            n => (1u64 << n) - 1,
        }
    }

    /// What the question expects, in words: "one of a, b, c", "a whole number from 0 to 10".
    pub fn expectation(&self) -> String {
        self.expectation_with(NoneWritten::EmptyList)
    }

    /// [`Question::expectation`] where "none of these" is written as `none_written` says.
    pub fn expectation_with(&self, none_written: NoneWritten) -> String {
        match self.kind {
            QuestionKind::OneOf => format!("one of {}", one_of(self.option_ids())),
            QuestionKind::SeveralOf { min_selected } => {
                let least = if min_selected == 0 {
                    match none_written {
                        NoneWritten::EmptyList => "a list (empty for none)".to_owned(),
                        NoneWritten::Word(word) => format!("a list (`{word}` for none of these)"),
                    }
                } else {
                    format!("a list of at least {min_selected}")
                };
                format!("{least} of {}", one_of(self.option_ids()))
            }
            QuestionKind::Number { min, max } => format!("a whole number from {min} to {max}"),
            QuestionKind::YesNo => "true or false".to_owned(),
        }
    }
}

/// How an answer format writes "none of these" for a several-of question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoneWritten {
    /// An empty list (`[]`), in answer files and JSON Lines.
    EmptyList,
    /// A word, in a CSV cell (where an empty cell is no answer).
    Word(&'static str),
}

/// A safety statement over several answers: whenever `when` holds, the outcome must meet
/// every demand, whatever else is answered (`rules check` proves it).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Invariant {
    /// Stable id (findings name it).
    pub id: Text,
    /// When it applies.
    pub when: Condition,
    /// A physician referral at least this urgent.
    pub min_urgency: Option<Urgency>,
    /// Styles never recommended nor offered as alternatives.
    pub forbids: StyleSet,
    /// A massage never at more than this pressure.
    pub max_pressure: Option<Pressure>,
    /// Why, in a sentence.
    pub because: Text,
    /// Keys of the clinical reference's sources.
    pub source: Vec<Text>,
    /// Line in `questionnaire.toml`.
    pub line: usize,
}

/// Answers that are possible but rarely go together, where a slip at the desk is likelier:
/// confirmed once more in the intake, reported as a warning elsewhere, never refused and
/// never a different outcome.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Unlikely {
    /// Stable id (the `warnings` field names it).
    pub id: Text,
    /// When the answers are unlikely together.
    pub when: Condition,
    /// What to check, in words staff can read aloud.
    pub message: Text,
    /// Line in `questionnaire.toml`.
    pub line: usize,
}

/// What one safety statement demands, and of which answers: a mark on an option or an
/// invariant, seen the same way by the checker and by "what would change it".
#[derive(Debug, Clone)]
pub struct Statement<'q> {
    /// Where it is written.
    pub subject: StatementSubject,
    /// The answers it applies to.
    pub when: std::borrow::Cow<'q, Condition>,
    /// A physician referral at least this urgent.
    pub min_urgency: Option<Urgency>,
    /// Styles never recommended nor offered.
    pub forbids: StyleSet,
    /// A massage never at more than this pressure.
    pub max_pressure: Option<Pressure>,
    /// Line in `questionnaire.toml`.
    pub line: usize,
}

/// Which statement: a mark on an option, or an invariant (its index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementSubject {
    /// The mark on option `option` of question `question`.
    Mark {
        /// Question index.
        question: usize,
        /// Option index.
        option: usize,
    },
    /// Invariant at this index.
    Invariant(usize),
}

/// The whole questionnaire, in the order questions are asked.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Questionnaire {
    /// The questions, in order.
    pub questions: Vec<Question>,
    /// The questionnaire's version (1 when the file declares none).
    pub version: u32,
    /// Safety statements over several answers.
    pub invariants: Vec<Invariant>,
    /// Answers that rarely go together.
    pub unlikely: Vec<Unlikely>,
    /// The built-in safety statements this questionnaire means to weaken, each with the
    /// clinic's reason (`[[floor_exception]]`).
    pub floor_exceptions: Vec<FloorException>,
}

/// A declared exception to the safety floor: the built-in statement a clinic weakens on
/// purpose, and why. Every result made with the rule set says so.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct FloorException {
    /// The statement: `question.option` (a mark), `question.escalating`, an invariant's id,
    /// or `*` for the whole floor.
    pub statement: Text,
    /// The clinic's reason.
    pub because: Text,
    /// Line in `questionnaire.toml`.
    #[serde(skip)]
    pub line: usize,
}

impl Questionnaire {
    /// The index of a question by id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }

    /// Question ids, for messages.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.questions.iter().map(|q| q.id.as_str())
    }

    /// Every safety statement: the marks on options, then the invariants.
    pub fn statements(&self) -> Vec<Statement<'_>> {
        let mut statements = Vec::new();
        for (q, question) in self.questions.iter().enumerate() {
            for (o, option) in question.options.iter().enumerate().filter(|(_, o)| o.has_mark()) {
                let when = match question.kind {
                    QuestionKind::OneOf => Condition::Choice { question: q, options: 1 << o },
                    _ => Condition::Contains {
                        question: q,
                        options: 1 << o,
                        test: crate::condition::SetTest::ContainsAny,
                    },
                };
                statements.push(Statement {
                    subject: StatementSubject::Mark { question: q, option: o },
                    when: std::borrow::Cow::Owned(when),
                    min_urgency: option.min_urgency,
                    forbids: option.forbids,
                    max_pressure: option.max_pressure,
                    line: option.line,
                });
            }
        }
        for (index, invariant) in self.invariants.iter().enumerate() {
            statements.push(Statement {
                subject: StatementSubject::Invariant(index),
                when: std::borrow::Cow::Borrowed(&invariant.when),
                min_urgency: invariant.min_urgency,
                forbids: invariant.forbids,
                max_pressure: invariant.max_pressure,
                line: invariant.line,
            });
        }
        statements
    }

    /// What the statement is about, in words: `red_flags.fever` or the invariant's id.
    pub fn statement_name(&self, subject: StatementSubject) -> String {
        match subject {
            StatementSubject::Mark { question, option } => {
                let question = &self.questions[question];
                format!("{}.{}", question.id, question.options[option].id)
            }
            StatementSubject::Invariant(index) => self.invariants[index].id.to_string(),
        }
    }

    /// The questions a version-`version` answer set was not asked, given its answers: every
    /// question added since (a conditional one only when its condition holds), and for the
    /// other several-of questions every option added since. Empty when nothing more is asked.
    pub fn not_asked_before(&self, version: u32, answers: &[Option<crate::answer::Answer>]) -> Vec<NotAsked<'_>> {
        let mut missing = Vec::new();
        if version >= self.version {
            // Nothing is added after the questionnaire's own version (the loader checks
            // every `since`): the common case, once a record, kept off the loop below.
            return missing;
        }
        for question in &self.questions {
            if question.since > version {
                let asked =
                    question.ask_when.as_ref().is_none_or(|when| when.truth(answers) != crate::condition::Truth::No);
                if asked {
                    missing.push(NotAsked { question, options: Vec::new() });
                }
                continue;
            }
            if matches!(question.kind, QuestionKind::SeveralOf { .. }) {
                let options: Vec<&AnswerOption> = question.options.iter().filter(|o| o.since > version).collect();
                if !options.is_empty() {
                    missing.push(NotAsked { question, options });
                }
            }
        }
        missing
    }
}

/// What an answer set given under an older version was not asked: a whole question (no
/// options listed), or these options of a several-of question.
#[derive(Debug, Clone)]
pub struct NotAsked<'q> {
    /// The question.
    pub question: &'q Question,
    /// The options added since (empty: the whole question is new).
    pub options: Vec<&'q AnswerOption>,
}

impl NotAsked<'_> {
    /// `red_flags: breathless_sweaty, head_neuro (added in version 2)`.
    pub fn describe(&self) -> String {
        if self.options.is_empty() {
            return format!("the question {} (added in version {})", self.question.id, self.question.since);
        }
        let ids: Vec<String> = self.options.iter().map(|o| format!("{} (version {})", o.id, o.since)).collect();
        format!("{}: {}", self.question.id, ids.join(", "))
    }
}
