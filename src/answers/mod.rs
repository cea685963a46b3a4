//! Answers to the questionnaire, however they arrive (answer file, batch record, the
//! interactive intake): one validated [`Answers`] value, with nothing defaulted.
//!
//! Each format has its adapter, which reads values into [`RawValue`]s with their places:
//! [`toml`] and [`json`] for answer files (JSON through [`json_reader`], which JSON Lines
//! records share), `batch::input` for records. One [`AnswerSheet`] checks them all against
//! the questionnaire ([`sheet`]), so an answer means the same whatever the format.

mod json;
pub mod json_reader;
mod record;
mod sheet;
mod toml;
mod value;

pub use json::{json_raw_value, parse_json};
pub use record::{is_record, parse_record, RECORD_FORMAT};
pub use sheet::{AnswerProblem, AnswerSheet, GivenAnswers};
pub use toml::parse_toml;
pub use value::{ListItem, RawValue, ValueKind};

// The value of one answer lives in `crate::answer` (conditions read it without the
// questionnaire); it is named here too, where answer sets are built.
pub use crate::answer::{Answer, NUMBER_BIAS};

use crate::condition::AnswerLookup;
use crate::diagnostic::{Diagnostics, SourceText};
use crate::questionnaire::{AnswerOption, Question, QuestionKind, Questionnaire};

/// A complete, validated set of answers: one per question, in questionnaire order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Answers {
    /// The optional reference (booking number), echoed in the output.
    pub id: Option<String>,
    values: Vec<Answer>,
    /// The same answers as machine words (option bits, or the number), which the engine's
    /// compiled tests read.
    words: Vec<u64>,
}

/// Conditions read a complete answer set through this, so that they need not know
/// [`Answers`].
impl AnswerLookup for Answers {
    #[inline]
    fn answer(&self, question: usize) -> Answer {
        self.get(question)
    }
}

/// Why values do not make a valid set of answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswersError {
    /// Not one value a question.
    #[error("expected {expected} answers, got {got}")]
    WrongCount {
        /// The questionnaire's questions.
        expected: usize,
        /// The values given.
        got: usize,
    },
    /// A value of the wrong kind or out of range for its question.
    #[error("answer to \"{question}\" does not fit: expected {expected}")]
    DoesNotFit {
        /// The question's id.
        question: String,
        /// What it expects.
        expected: String,
    },
    /// A conditional question that these answers ask is not answered.
    #[error("\"{0}\" is asked with these answers but has no answer")]
    Unanswered(String),
    /// A conditional question that these answers do not ask is answered.
    #[error("\"{0}\" is not asked with these answers but has one")]
    NotAsked(String),
}

impl Answers {
    /// Answers from values in questionnaire order, checked against the questionnaire: each
    /// fits its question, and a conditional question is answered exactly when it is asked.
    pub fn new(
        questionnaire: &Questionnaire,
        id: Option<String>,
        values: Vec<Answer>,
    ) -> Result<Answers, AnswersError> {
        let answers = Answers::unchecked(questionnaire, id, values)?;
        for (question, value) in questionnaire.questions.iter().zip(&answers.values) {
            let Some(when) = &question.ask_when else { continue };
            match (when.holds(&answers), *value == Answer::NotAsked) {
                (true, true) => return Err(AnswersError::Unanswered(question.id.to_string())),
                (false, false) => return Err(AnswersError::NotAsked(question.id.to_string())),
                _ => {}
            }
        }
        Ok(answers)
    }

    /// Answers whose values each fit their question, conditional questions unchecked: the
    /// checker's samples of one question's classes, combined with arbitrary other answers.
    pub(crate) fn unchecked(
        questionnaire: &Questionnaire,
        id: Option<String>,
        values: Vec<Answer>,
    ) -> Result<Answers, AnswersError> {
        if values.len() != questionnaire.questions.len() {
            return Err(AnswersError::WrongCount { expected: questionnaire.questions.len(), got: values.len() });
        }
        for (question, value) in questionnaire.questions.iter().zip(&values) {
            check_fits(question, *value)?;
        }
        Ok(Answers::from_values(id, values))
    }

    fn from_values(id: Option<String>, values: Vec<Answer>) -> Answers {
        let words = values.iter().map(|v| v.word()).collect();
        Answers { id, values, words }
    }

    /// Every answer as a machine word (see [`Answer::word`]), in questionnaire order.
    #[inline]
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The answer to the question at `index`.
    #[inline]
    pub fn get(&self, index: usize) -> Answer {
        self.values[index]
    }

    /// Every answer, in questionnaire order.
    pub fn values(&self) -> &[Answer] {
        &self.values
    }

    /// The same answers with one changed (used to explore "what would change it").
    pub fn with(&self, index: usize, value: Answer) -> Answers {
        let mut values = self.values.clone();
        values[index] = value;
        Answers::from_values(self.id.clone(), values)
    }

    /// An answer file (TOML) that `assess --answers` accepts and that gives the same result:
    /// the questionnaire's version, then every question asked (one not asked is left out).
    pub fn to_toml(&self, questionnaire: &Questionnaire) -> String {
        let mut text = format!("version = {}\n", questionnaire.version);
        if let Some(id) = &self.id {
            text.push_str(&format!("id = {}\n", toml_string(id)));
        }
        for (question, value) in questionnaire.questions.iter().zip(&self.values) {
            if *value != Answer::NotAsked {
                text.push_str(&format!("{} = {}\n", question.id, value.shown(question).toml()));
            }
        }
        text
    }

    /// The answer in words, as the questionnaire names it (`lower_back, leg`, `5`, `yes`).
    pub fn describe(questionnaire: &Questionnaire, index: usize, value: Answer) -> String {
        value.shown(&questionnaire.questions[index]).words(Naming::Ids)
    }
}

/// An answer in its question's terms: the one place an answer is read back into the
/// options it names. Every rendering of an answer (TOML, JSON, words by id or by label)
/// starts from this.
#[derive(Debug, Clone)]
pub enum Shown<'q> {
    /// A one-of answer (`None` only for an index the question does not have, which
    /// validated answers never hold).
    Option(Option<&'q AnswerOption>),
    /// A several-of answer, in option order (empty: none of these).
    Options(Vec<&'q AnswerOption>),
    /// A number.
    Number(i64),
    /// Yes or no.
    YesNo(bool),
    /// A conditional question that was not asked.
    NotAsked,
}

/// How options are named in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// By id, as files and rule sets do (`lower_back, leg`; `none`; `yes`).
    Ids,
    /// By label, as the person heard them (`Lower back; Leg`; `none of these`; `Yes`).
    Labels,
}

impl Answer {
    /// The answer in `question`'s terms.
    pub fn shown(self, question: &Question) -> Shown<'_> {
        match self {
            Answer::Choice(i) => Shown::Option(question.options.get(usize::from(i))),
            Answer::Choices(bits) => Shown::Options(
                question.options.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, o)| o).collect(),
            ),
            Answer::Number(n) => Shown::Number(n),
            Answer::YesNo(b) => Shown::YesNo(b),
            Answer::NotAsked => Shown::NotAsked,
        }
    }
}

impl Shown<'_> {
    /// The answer in words.
    pub fn words(&self, naming: Naming) -> String {
        let name = |option: &AnswerOption| match naming {
            Naming::Ids => option.id.to_string(),
            Naming::Labels => option.label.to_string(),
        };
        let (none, separator, yes, no, not_asked) = match naming {
            Naming::Ids => ("none", ", ", "yes", "no", "not asked"),
            Naming::Labels => ("none of these", "; ", "Yes", "No", "(not asked)"),
        };
        match self {
            Shown::Option(option) => option.map_or("?".to_owned(), name),
            Shown::Options(options) if options.is_empty() => none.to_owned(),
            Shown::Options(options) => options.iter().map(|o| name(o)).collect::<Vec<_>>().join(separator),
            Shown::Number(n) => n.to_string(),
            Shown::YesNo(true) => yes.to_owned(),
            Shown::YesNo(false) => no.to_owned(),
            Shown::NotAsked => not_asked.to_owned(),
        }
    }

    /// The answer as a TOML value (empty for a question not asked, which is left out).
    fn toml(&self) -> String {
        let text = |t: &str| ::toml::Value::String(t.to_owned()).to_string();
        match self {
            Shown::Option(option) => option.map_or(String::new(), |o| text(&o.id)),
            Shown::Options(options) => {
                format!("[{}]", options.iter().map(|o| text(&o.id)).collect::<Vec<_>>().join(", "))
            }
            Shown::Number(n) => n.to_string(),
            Shown::YesNo(b) => b.to_string(),
            Shown::NotAsked => String::new(),
        }
    }

    /// The answer as a JSON value: ids, numbers, booleans; null for a question not asked.
    pub fn json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Shown::Option(option) => option.map_or(Value::Null, |o| Value::from(o.id.as_str())),
            Shown::Options(options) => options.iter().map(|o| Value::from(o.id.as_str())).collect(),
            Shown::Number(n) => Value::from(*n),
            Shown::YesNo(b) => Value::from(*b),
            Shown::NotAsked => Value::Null,
        }
    }
}

fn toml_string(text: &str) -> String {
    ::toml::Value::String(text.to_owned()).to_string()
}

fn check_fits(question: &Question, value: Answer) -> Result<(), AnswersError> {
    let fits = match (question.kind, value) {
        (QuestionKind::OneOf, Answer::Choice(i)) => usize::from(i) < question.options.len(),
        (QuestionKind::SeveralOf { min_selected }, Answer::Choices(bits)) => {
            bits & !question.all_options_mask() == 0 && bits.count_ones() as usize >= min_selected
        }
        (QuestionKind::Number { min, max }, Answer::Number(n)) => (min..=max).contains(&n),
        (QuestionKind::YesNo, Answer::YesNo(_)) => true,
        (_, Answer::NotAsked) => question.conditional,
        _ => false,
    };
    if fits {
        Ok(())
    } else {
        Err(AnswersError::DoesNotFit { question: question.id.to_string(), expected: question.expectation() })
    }
}

/// The format of an answer file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerFormat {
    /// A TOML table.
    Toml,
    /// A JSON object.
    Json,
}

impl AnswerFormat {
    /// JSON when the text's first non-blank character opens an object, TOML otherwise.
    pub fn detect(text: &str) -> AnswerFormat {
        if text.trim_start_matches('\u{feff}').trim_start().starts_with('{') {
            AnswerFormat::Json
        } else {
            AnswerFormat::Toml
        }
    }
}

/// Parses and validates an answer file in the given format.
pub fn parse_answers(
    questionnaire: &Questionnaire,
    source: SourceText<'_>,
    format: AnswerFormat,
) -> Result<Answers, Diagnostics> {
    match format {
        AnswerFormat::Toml => parse_toml(questionnaire, source),
        AnswerFormat::Json => parse_json(questionnaire, source),
    }
}

fn problems_to_diagnostics(problems: Vec<AnswerProblem>, source: SourceText<'_>) -> Diagnostics {
    Diagnostics(problems.into_iter().map(|p| p.into_diagnostic(source)).collect())
}
