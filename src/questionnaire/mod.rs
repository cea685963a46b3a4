//! The questionnaire (`questionnaire.toml`): questions in the order they are asked, their
//! wording for the desk and for therapists, their options, which version added each, when a
//! conditional question is asked, and the safety statements: marks on options (what one
//! answer demands) and invariants (what a combination of answers demands).

use crate::code::Code;
use crate::diagnostic::{Diagnostics, SourceText};
use crate::recommendation::{Pressure, Style, StyleSet, Urgency};
use crate::rules::{Condition, ConditionCompiler, RawCondition};
use crate::suggestion::{closest, one_of};
use serde::Deserialize;
use std::collections::HashSet;
use toml::Spanned;

/// The most options a question may have (several-of answers are held as bits).
pub const MAX_OPTIONS: usize = 64;

/// The answer keys that are not questions.
pub const RESERVED_KEYS: &[&str] = &["id", "version", "line", "error"];

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
    /// With this answer a massage is never given at more than this pressure.
    pub max_pressure: Option<Pressure>,
    /// The questionnaire version that added the option.
    pub since: u32,
    /// The heading the option is listed under when the question is read out.
    pub group: Option<String>,
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

/// A safety statement over several answers: whenever `when` holds, the outcome must meet
/// every demand, whatever else is answered (`rules check` proves it).
#[derive(Debug, Clone)]
pub struct Invariant {
    /// Stable id (findings name it).
    pub id: String,
    /// When it applies.
    pub when: Condition,
    /// A physician referral at least this urgent.
    pub min_urgency: Option<Urgency>,
    /// Styles never recommended nor offered as alternatives.
    pub forbids: StyleSet,
    /// A massage never at more than this pressure.
    pub max_pressure: Option<Pressure>,
    /// Why, in a sentence.
    pub because: String,
    /// Keys of the clinical reference's sources.
    pub source: Vec<String>,
    /// Line in `questionnaire.toml`.
    pub line: usize,
}

/// Answers that are possible but rarely go together, where a slip at the desk is likelier:
/// confirmed once more in the intake, reported as a warning elsewhere, never refused and
/// never a different outcome.
#[derive(Debug, Clone)]
pub struct Unlikely {
    /// Stable id (the `warnings` field names it).
    pub id: String,
    /// When the answers are unlikely together.
    pub when: Condition,
    /// What to check, in words staff can read aloud.
    pub message: String,
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
#[derive(Debug, Clone)]
pub struct Questionnaire {
    /// The questions, in order.
    pub questions: Vec<Question>,
    /// The questionnaire's version (1 when the file declares none).
    pub version: u32,
    /// Safety statements over several answers.
    pub invariants: Vec<Invariant>,
    /// Answers that rarely go together.
    pub unlikely: Vec<Unlikely>,
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
                    _ => Condition::Contains { question: q, options: 1 << o, test: crate::rules::SetTest::ContainsAny },
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
            StatementSubject::Invariant(index) => self.invariants[index].id.clone(),
        }
    }

    /// Parses and validates `questionnaire.toml`, collecting every problem: the questions
    /// first, then the conditions that name them (`ask_when`, invariants, unlikely answers).
    pub fn parse(source: SourceText<'_>) -> Result<Questionnaire, Diagnostics> {
        let raw: RawQuestionnaire = toml::from_str(source.text).map_err(|e| source.toml_error(&e))?;
        let mut problems = Diagnostics::default();
        if raw.question.is_empty() {
            problems.push(crate::diagnostic::Diagnostic::whole_file(
                source.name,
                Code::NoQuestions,
                "the questionnaire has no questions; expected at least one [[question]] table",
            ));
        }
        let version = questionnaire_version(raw.version.as_ref(), source, &mut problems);
        let mut seen = HashSet::new();
        let mut questions: Vec<Question> = raw
            .question
            .iter()
            .filter_map(|q| validate_question(q, version, source, &mut seen, &mut problems))
            .collect();
        source.offsets_to_lines(
            questions
                .iter_mut()
                .flat_map(|q| std::iter::once(&mut q.line).chain(q.options.iter_mut().map(|o| &mut o.line))),
        );
        let mut questionnaire = Questionnaire { questions, version, invariants: Vec::new(), unlikely: Vec::new() };
        if problems.is_empty() {
            questionnaire.compile_conditions(&raw, source, &mut problems);
        }
        problems.into_result(questionnaire)
    }

    /// Compiles `ask_when`, the invariants and the unlikely answers against the questions.
    fn compile_conditions(&mut self, raw: &RawQuestionnaire, source: SourceText<'_>, problems: &mut Diagnostics) {
        let mut compiler = ConditionCompiler { questionnaire: self, source, problems };
        let ask_when: Vec<Option<Condition>> = raw
            .question
            .iter()
            .enumerate()
            .map(|(index, q)| q.ask_when.as_ref().and_then(|when| compiler.compile_ask_when(when, index)))
            .collect();
        let invariants: Vec<Invariant> =
            raw.invariant.iter().filter_map(|i| validate_invariant(i, &mut compiler)).collect();
        let unlikely: Vec<Unlikely> = raw
            .unlikely
            .iter()
            .filter_map(|u| {
                let when = compiler.compile(&u.when)?;
                Some(Unlikely { id: u.id.get_ref().clone(), when, message: u.message.clone(), line: u.id.span().start })
            })
            .collect();
        check_unique_ids(raw.invariant.iter().map(|i| &i.id), "invariant", source, problems);
        check_unique_ids(raw.unlikely.iter().map(|u| &u.id), "unlikely answer", source, problems);
        for (question, when) in self.questions.iter_mut().zip(ask_when) {
            question.ask_when = when;
        }
        self.invariants = invariants;
        self.unlikely = unlikely;
        source.offsets_to_lines(
            self.invariants.iter_mut().map(|i| &mut i.line).chain(self.unlikely.iter_mut().map(|u| &mut u.line)),
        );
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
                    question.ask_when.as_ref().is_none_or(|when| when.truth(answers) != crate::rules::Truth::No);
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

fn questionnaire_version(raw: Option<&Spanned<i64>>, source: SourceText<'_>, problems: &mut Diagnostics) -> u32 {
    let Some(raw) = raw else { return 1 };
    match u32::try_from(*raw.get_ref()) {
        Ok(version) if version >= 1 => version,
        _ => {
            problems.push(source.error(
                raw.span(),
                Code::BadVersion,
                format!("version {} is not valid; expected a whole number from 1", raw.get_ref()),
            ));
            1
        }
    }
}

/// The version that added a question or option: `since`, else the first version.
fn since(
    raw: Option<&Spanned<i64>>,
    at_least: u32,
    version: u32,
    what: &str,
    source: SourceText<'_>,
    problems: &mut Diagnostics,
) -> u32 {
    let Some(raw) = raw else { return at_least };
    let value = *raw.get_ref();
    match u32::try_from(value) {
        Ok(since) if since >= at_least && since <= version => since,
        _ => {
            problems.push(source.error(
                raw.span(),
                Code::BadVersion,
                format!(
                    "since = {value} is not valid for this {what}; expected a version from {at_least} to the questionnaire's version {version}"
                ),
            ));
            at_least
        }
    }
}

fn check_unique_ids<'a>(
    ids: impl Iterator<Item = &'a Spanned<String>>,
    what: &str,
    source: SourceText<'_>,
    problems: &mut Diagnostics,
) {
    let mut seen: Vec<&Spanned<String>> = Vec::new();
    for id in ids {
        check_id(id, what, source, problems);
        if let Some(first) = seen.iter().find(|s| s.get_ref() == id.get_ref()) {
            let (line, _) = source.line_column(first.span().start);
            problems.push(source.error(
                id.span(),
                Code::DuplicateId,
                format!("{what} \"{}\" is defined twice (first at line {line})", id.get_ref()),
            ));
        } else {
            seen.push(id);
        }
    }
}

fn validate_invariant(raw: &RawInvariant, compiler: &mut ConditionCompiler<'_>) -> Option<Invariant> {
    let source = compiler.source;
    let when = compiler.compile(&raw.when);
    let problems = &mut *compiler.problems;
    let min_urgency = raw.min_urgency.as_ref().and_then(|u| parse_urgency(u, source, problems));
    let forbids: StyleSet = raw.forbids.iter().filter_map(|s| parse_style(s, source, problems)).collect();
    let max_pressure = raw.max_pressure.as_ref().and_then(|p| parse_pressure(p, source, problems));
    if raw.min_urgency.is_none() && raw.forbids.is_empty() && raw.max_pressure.is_none() {
        problems.push(source.error(
            raw.id.span(),
            Code::NoDemand,
            format!(
                "invariant \"{}\" demands nothing; expected at least one of min_urgency, forbids, max_pressure",
                raw.id.get_ref()
            ),
        ));
    }
    if raw.because.get_ref().trim().is_empty() {
        problems.push(source.error(
            raw.because.span(),
            Code::EmptyBecause,
            "`because` is empty; say why the statement holds",
        ));
    }
    Some(Invariant {
        id: raw.id.get_ref().clone(),
        when: when?,
        min_urgency,
        forbids,
        max_pressure,
        because: raw.because.get_ref().clone(),
        source: raw.source.clone(),
        line: raw.id.span().start, // made a line number once all are known
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestionnaire {
    version: Option<Spanned<i64>>,
    #[serde(default)]
    question: Vec<RawQuestion>,
    #[serde(default)]
    invariant: Vec<RawInvariant>,
    #[serde(default)]
    unlikely: Vec<RawUnlikely>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInvariant {
    id: Spanned<String>,
    when: Spanned<RawCondition>,
    min_urgency: Option<Spanned<String>>,
    #[serde(default)]
    forbids: Vec<Spanned<String>>,
    max_pressure: Option<Spanned<String>>,
    because: Spanned<String>,
    source: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnlikely {
    id: Spanned<String>,
    when: Spanned<RawCondition>,
    message: String,
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
    since: Option<Spanned<i64>>,
    ask_when: Option<Spanned<RawCondition>>,
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
    max_pressure: Option<Spanned<String>>,
    since: Option<Spanned<i64>>,
    group: Option<String>,
}

const KINDS: &[&str] = &["one", "several", "number", "yes_no"];

/// Checks an id is made of lower-case letters, digits and underscores.
pub(crate) fn check_id(id: &Spanned<String>, what: &str, source: SourceText<'_>, problems: &mut Diagnostics) {
    let valid = !id.get_ref().is_empty()
        && id.get_ref().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        problems.push(source.error(
            id.span(),
            Code::BadId,
            format!("{what} id \"{}\" is not valid; expected lower-case letters, digits and _", id.get_ref()),
        ));
    }
}

fn validate_question(
    raw: &RawQuestion,
    version: u32,
    source: SourceText<'_>,
    seen: &mut HashSet<String>,
    problems: &mut Diagnostics,
) -> Option<Question> {
    let id = raw.id.get_ref().clone();
    check_id(&raw.id, "question", source, problems);
    if !seen.insert(id.clone()) {
        problems.push(source.error(
            raw.id.span(),
            Code::DuplicateQuestion,
            format!("question \"{id}\" is defined twice"),
        ));
    }
    if RESERVED_KEYS.contains(&id.as_str()) {
        problems.push(source.error(
            raw.id.span(),
            Code::ReservedId,
            format!("\"{id}\" is reserved in answer files; choose another question id"),
        ));
    }
    let since = since(raw.since.as_ref(), 1, version, "question", source, problems);
    let kind = question_kind(raw, source, problems)?;
    let options = validate_options(raw, kind, since, version, source, problems);
    Some(Question {
        id,
        kind,
        desk: raw.desk.clone(),
        therapist: raw.therapist.clone(),
        help: raw.help.clone(),
        options,
        escalating: raw.escalating,
        since,
        ask_when: None, // compiled once every question is known
        conditional: raw.ask_when.is_some(),
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
                        Code::UnknownKind,
                        format!("unknown question kind \"{word}\"; expected one of {}", one_of(KINDS.iter().copied())),
                    )
                    .suggest(closest(word, KINDS.iter().copied())),
            );
            return None;
        }
    };
    let misplaced = |key: &str, span: std::ops::Range<usize>| {
        source.error(span, Code::MisplacedKey, format!("`{key}` does not apply to a \"{word}\" question"))
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
            Code::MissingRange,
            format!("number question \"{}\" needs both `min` and `max`", raw.id.get_ref()),
        ));
        return None;
    };
    if min.get_ref() > max.get_ref() {
        problems.push(source.error(
            max.span(),
            Code::EmptyRange,
            format!("the range {}..{} is empty; expected min <= max", min.get_ref(), max.get_ref()),
        ));
        return None;
    }
    Some(QuestionKind::Number { min: *min.get_ref(), max: *max.get_ref() })
}

fn validate_options(
    raw: &RawQuestion,
    kind: QuestionKind,
    question_since: u32,
    version: u32,
    source: SourceText<'_>,
    problems: &mut Diagnostics,
) -> Vec<AnswerOption> {
    let takes_options = matches!(kind, QuestionKind::OneOf | QuestionKind::SeveralOf { .. });
    if !takes_options {
        if let Some(first) = raw.option.first() {
            problems.push(source.error(
                first.id.span(),
                Code::MisplacedKey,
                format!("a \"{}\" question has no options", kind.id()),
            ));
        }
        return Vec::new();
    }
    if raw.option.is_empty() {
        problems.push(source.error(
            raw.id.span(),
            Code::NoOptions,
            format!("question \"{}\" has no options; expected [[question.option]] tables", raw.id.get_ref()),
        ));
    }
    if raw.option.len() > MAX_OPTIONS {
        problems.push(source.error(
            raw.id.span(),
            Code::TooManyOptions,
            format!("question \"{}\" has more than {MAX_OPTIONS} options", raw.id.get_ref()),
        ));
    }
    if let (QuestionKind::SeveralOf { min_selected }, Some(span)) = (kind, raw.min_selected.as_ref().map(|m| m.span()))
    {
        if min_selected > raw.option.len() {
            problems.push(source.error(span, Code::EmptyRange, "min_selected is larger than the number of options"));
        }
    }
    check_groups(raw, source, problems);
    let mut seen = HashSet::new();
    raw.option
        .iter()
        .map(|option| {
            check_id(&option.id, "option", source, problems);
            if !seen.insert(option.id.get_ref().as_str()) {
                problems.push(source.error(
                    option.id.span(),
                    Code::DuplicateOption,
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
                max_pressure: option.max_pressure.as_ref().and_then(|p| parse_pressure(p, source, problems)),
                since: since(option.since.as_ref(), question_since, version, "option", source, problems),
                group: option.group.clone(),
                line: option.id.span().start, // made a line number once all are known
            }
        })
        .collect()
}

/// The options of one group are listed together (a heading is read out once).
fn check_groups(raw: &RawQuestion, source: SourceText<'_>, problems: &mut Diagnostics) {
    let mut closed: Vec<&str> = Vec::new();
    let mut current: Option<&str> = None;
    for option in &raw.option {
        let group = option.group.as_deref();
        if group == current {
            continue;
        }
        if let Some(group) = group.filter(|g| closed.contains(g)) {
            problems.push(source.error(
                option.id.span(),
                Code::ScatteredGroup,
                format!("the options of group \"{group}\" are not listed together; move this one next to the others"),
            ));
        }
        closed.extend(current);
        current = group;
    }
}

/// Parses a pressure id, reporting an unknown one with a suggestion.
pub(crate) fn parse_pressure(
    word: &Spanned<String>,
    source: SourceText<'_>,
    problems: &mut Diagnostics,
) -> Option<Pressure> {
    parse_word(word, "pressure", Pressure::from_id, Pressure::ids, source, problems)
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
                    Code::UnknownValue,
                    format!("unknown {what} \"{text}\"; expected one of {}", one_of(ids())),
                )
                .suggest(closest(text, ids())),
        );
    }
    value
}
