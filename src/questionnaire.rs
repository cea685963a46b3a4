//! The questionnaire (`questionnaire.toml`): questions in the order they are asked, their
//! wording for the desk and for therapists, their options and the safety marks on them.

use crate::diagnostic::{Diagnostics, SourceText};
use crate::recommendation::{Style, StyleSet, Urgency};
use crate::suggestion::{closest, one_of};
use serde::Deserialize;
use std::collections::HashSet;
use toml::Spanned;

/// The most options a question may have (several-of answers are held as bits).
pub const MAX_OPTIONS: usize = 64;

/// The answer keys that are not questions.
pub const RESERVED_KEYS: &[&str] = &["id", "line", "error"];

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone)]
pub struct AnswerOption {
    /// Stable id used in answer files.
    pub id: String,
    /// What is shown or read out.
    pub label: String,
    /// One line of help.
    pub help: String,
    /// A red-flag symptom.
    pub red_flag: bool,
    /// This answer must always lead to a physician referral at least this urgent.
    pub min_urgency: Option<Urgency>,
    /// Styles that must never be recommended with this answer.
    pub forbids: StyleSet,
    /// Line in `questionnaire.toml`.
    pub line: usize,
}

/// One question.
#[derive(Debug, Clone)]
pub struct Question {
    /// Stable id: the key in answer files.
    pub id: String,
    /// The kind of answer it takes.
    pub kind: QuestionKind,
    /// Short, plain wording read aloud to a caller.
    pub desk: String,
    /// Clinical wording for therapists.
    pub therapist: String,
    /// One line of help.
    pub help: String,
    /// Options (one-of and several-of questions only).
    pub options: Vec<AnswerOption>,
    /// Adding any option of this question never lowers the urgency nor raises the pressure.
    pub escalating: bool,
    /// Line in `questionnaire.toml`.
    pub line: usize,
}

impl Question {
    /// The index of an option by id.
    pub fn option_index(&self, id: &str) -> Option<usize> {
        self.options.iter().position(|o| o.id == id)
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
        match self.kind {
            QuestionKind::OneOf => format!("one of {}", one_of(self.option_ids())),
            QuestionKind::SeveralOf { min_selected } => {
                let least = if min_selected == 0 {
                    "a list (empty for none)".to_owned()
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

/// The whole questionnaire, in the order questions are asked.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    /// The questions, in order.
    pub questions: Vec<Question>,
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

    /// Parses and validates `questionnaire.toml`, collecting every problem.
    pub fn parse(source: SourceText<'_>) -> Result<Questionnaire, Diagnostics> {
        let raw: RawQuestionnaire = toml::from_str(source.text).map_err(|e| source.toml_error(&e))?;
        let mut problems = Diagnostics::default();
        if raw.question.is_empty() {
            problems.push(crate::diagnostic::Diagnostic::whole_file(
                source.name,
                "no-questions",
                "the questionnaire has no questions; expected at least one [[question]] table",
            ));
        }
        let mut seen = HashSet::new();
        let mut questions: Vec<Question> =
            raw.question.into_iter().filter_map(|q| validate_question(q, source, &mut seen, &mut problems)).collect();
        source.offsets_to_lines(
            questions
                .iter_mut()
                .flat_map(|q| std::iter::once(&mut q.line).chain(q.options.iter_mut().map(|o| &mut o.line))),
        );
        problems.into_result(Questionnaire { questions })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestionnaire {
    #[serde(default)]
    question: Vec<RawQuestion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: Spanned<String>,
    kind: Spanned<String>,
    desk: String,
    therapist: String,
    help: String,
    min: Option<Spanned<i64>>,
    max: Option<Spanned<i64>>,
    min_selected: Option<Spanned<usize>>,
    #[serde(default)]
    escalating: bool,
    #[serde(default)]
    option: Vec<RawOption>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    id: Spanned<String>,
    label: String,
    help: String,
    #[serde(default)]
    red_flag: bool,
    min_urgency: Option<Spanned<String>>,
    #[serde(default)]
    forbids: Vec<Spanned<String>>,
}

const KINDS: &[&str] = &["one", "several", "number", "yes_no"];

/// Checks an id is made of lower-case letters, digits and underscores.
pub(crate) fn check_id(id: &Spanned<String>, what: &str, source: SourceText<'_>, problems: &mut Diagnostics) {
    let valid = !id.get_ref().is_empty()
        && id.get_ref().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        problems.push(source.error(
            id.span(),
            "bad-id",
            format!("{what} id \"{}\" is not valid; expected lower-case letters, digits and _", id.get_ref()),
        ));
    }
}

fn validate_question(
    raw: RawQuestion,
    source: SourceText<'_>,
    seen: &mut HashSet<String>,
    problems: &mut Diagnostics,
) -> Option<Question> {
    let id = raw.id.get_ref().clone();
    check_id(&raw.id, "question", source, problems);
    if !seen.insert(id.clone()) {
        problems.push(source.error(raw.id.span(), "duplicate-question", format!("question \"{id}\" is defined twice")));
    }
    if RESERVED_KEYS.contains(&id.as_str()) {
        problems.push(source.error(
            raw.id.span(),
            "reserved-id",
            format!("\"{id}\" is reserved in answer files; choose another question id"),
        ));
    }
    let kind = question_kind(&raw, source, problems)?;
    let options = validate_options(&raw, kind, source, problems);
    Some(Question {
        id,
        kind,
        desk: raw.desk,
        therapist: raw.therapist,
        help: raw.help,
        options,
        escalating: raw.escalating,
        line: raw.id.span().start, // made a line number once all are known
    })
}

fn question_kind(raw: &RawQuestion, source: SourceText<'_>, problems: &mut Diagnostics) -> Option<QuestionKind> {
    let word = raw.kind.get_ref().as_str();
    let kind = match word {
        "one" => QuestionKind::OneOf,
        "several" => QuestionKind::SeveralOf { min_selected: raw.min_selected.as_ref().map_or(0, |m| *m.get_ref()) },
        "yes_no" => QuestionKind::YesNo,
        "number" => number_range(raw, source, problems)?,
        _ => {
            problems.push(
                source
                    .error(
                        raw.kind.span(),
                        "unknown-kind",
                        format!("unknown question kind \"{word}\"; expected one of {}", one_of(KINDS.iter().copied())),
                    )
                    .suggest(closest(word, KINDS.iter().copied())),
            );
            return None;
        }
    };
    let misplaced = |key: &str, span: std::ops::Range<usize>| {
        source.error(span, "misplaced-key", format!("`{key}` does not apply to a \"{word}\" question"))
    };
    if word != "number" {
        for (key, value) in [("min", &raw.min), ("max", &raw.max)] {
            if let Some(value) = value {
                problems.push(misplaced(key, value.span()));
            }
        }
    }
    if let (Some(m), false) = (&raw.min_selected, word == "several") {
        problems.push(misplaced("min_selected", m.span()));
    }
    Some(kind)
}

fn number_range(raw: &RawQuestion, source: SourceText<'_>, problems: &mut Diagnostics) -> Option<QuestionKind> {
    let (Some(min), Some(max)) = (&raw.min, &raw.max) else {
        problems.push(source.error(
            raw.kind.span(),
            "missing-range",
            format!("number question \"{}\" needs both `min` and `max`", raw.id.get_ref()),
        ));
        return None;
    };
    if min.get_ref() > max.get_ref() {
        problems.push(source.error(
            max.span(),
            "empty-range",
            format!("the range {}..{} is empty; expected min <= max", min.get_ref(), max.get_ref()),
        ));
        return None;
    }
    Some(QuestionKind::Number { min: *min.get_ref(), max: *max.get_ref() })
}

fn validate_options(
    raw: &RawQuestion,
    kind: QuestionKind,
    source: SourceText<'_>,
    problems: &mut Diagnostics,
) -> Vec<AnswerOption> {
    let takes_options = matches!(kind, QuestionKind::OneOf | QuestionKind::SeveralOf { .. });
    if !takes_options {
        if let Some(first) = raw.option.first() {
            problems.push(source.error(
                first.id.span(),
                "misplaced-key",
                format!("a \"{}\" question has no options", kind.id()),
            ));
        }
        return Vec::new();
    }
    if raw.option.is_empty() {
        problems.push(source.error(
            raw.id.span(),
            "no-options",
            format!("question \"{}\" has no options; expected [[question.option]] tables", raw.id.get_ref()),
        ));
    }
    if raw.option.len() > MAX_OPTIONS {
        problems.push(source.error(
            raw.id.span(),
            "too-many-options",
            format!("question \"{}\" has more than {MAX_OPTIONS} options", raw.id.get_ref()),
        ));
    }
    if let (QuestionKind::SeveralOf { min_selected }, Some(span)) = (kind, raw.min_selected.as_ref().map(|m| m.span()))
    {
        if min_selected > raw.option.len() {
            problems.push(source.error(span, "empty-range", "min_selected is larger than the number of options"));
        }
    }
    let mut seen = HashSet::new();
    raw.option
        .iter()
        .map(|option| {
            check_id(&option.id, "option", source, problems);
            if !seen.insert(option.id.get_ref().as_str()) {
                problems.push(source.error(
                    option.id.span(),
                    "duplicate-option",
                    format!("option \"{}\" appears twice in question \"{}\"", option.id.get_ref(), raw.id.get_ref()),
                ));
            }
            AnswerOption {
                id: option.id.get_ref().clone(),
                label: option.label.clone(),
                help: option.help.clone(),
                red_flag: option.red_flag,
                min_urgency: option.min_urgency.as_ref().and_then(|u| parse_urgency(u, source, problems)),
                forbids: option.forbids.iter().filter_map(|s| parse_style(s, source, problems)).collect(),
                line: option.id.span().start, // made a line number once all are known
            }
        })
        .collect()
}

/// Parses an urgency id, reporting an unknown one with a suggestion.
pub(crate) fn parse_urgency(
    word: &Spanned<String>,
    source: SourceText<'_>,
    problems: &mut Diagnostics,
) -> Option<Urgency> {
    parse_word(word, "urgency", Urgency::from_id, Urgency::ids, source, problems)
}

/// Parses a style id, reporting an unknown one with a suggestion.
pub(crate) fn parse_style(word: &Spanned<String>, source: SourceText<'_>, problems: &mut Diagnostics) -> Option<Style> {
    parse_word(word, "style", Style::from_id, Style::ids, source, problems)
}

/// Parses one of a fixed vocabulary, reporting an unknown word with a suggestion.
pub(crate) fn parse_word<T, I: Iterator<Item = &'static str>>(
    word: &Spanned<String>,
    what: &str,
    parse: fn(&str) -> Option<T>,
    ids: fn() -> I,
    source: SourceText<'_>,
    problems: &mut Diagnostics,
) -> Option<T> {
    let text = word.get_ref().as_str();
    let value = parse(text);
    if value.is_none() {
        problems.push(
            source
                .error(
                    word.span(),
                    "unknown-value",
                    format!("unknown {what} \"{text}\"; expected one of {}", one_of(ids())),
                )
                .suggest(closest(text, ids())),
        );
    }
    value
}
