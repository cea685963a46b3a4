//! Loading `questionnaire.toml`: the file as written (with a span on every id), then each
//! question, option, invariant and unlikely answer validated, every problem collected with
//! its place. The conditions are compiled last, once every question is known
//! (`conditions.rs`).

use super::conditions::{ConditionCompiler, RawCondition};
use super::{
    AnswerOption, FloorException, Invariant, Question, QuestionKind, Questionnaire, Unlikely, MAX_OPTIONS,
    RESERVED_KEYS,
};
use crate::code::Code;
use crate::condition::Condition;
use crate::diagnostic::{Diagnostics, SourceText};
use crate::recommendation::{Pressure, Style, StyleSet, Urgency};
use crate::suggestion::{closest, one_of};
use crate::wording::Text;
use serde::Deserialize;
use std::collections::HashSet;
use toml::Spanned;

impl Questionnaire {
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
        let floor_exceptions = validate_floor_exceptions(&raw.floor_exception, source, &mut problems);
        let mut questionnaire =
            Questionnaire { questions, version, invariants: Vec::new(), unlikely: Vec::new(), floor_exceptions };
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
                Some(Unlikely {
                    id: u.id.get_ref().clone().into(),
                    when,
                    message: u.message.clone().into(),
                    line: u.id.span().start,
                })
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
        id: raw.id.get_ref().clone().into(),
        when: when?,
        min_urgency,
        forbids,
        max_pressure,
        because: raw.because.get_ref().clone().into(),
        source: raw.source.iter().cloned().map(Text::from).collect(),
        line: raw.id.span().start, // made a line number once all are known
    })
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawQuestionnaire {
    #[schemars(with = "Option<i64>")]
    version: Option<Spanned<i64>>,
    #[serde(default)]
    question: Vec<RawQuestion>,
    #[serde(default)]
    invariant: Vec<RawInvariant>,
    #[serde(default)]
    unlikely: Vec<RawUnlikely>,
    #[serde(default)]
    floor_exception: Vec<RawFloorException>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawFloorException {
    #[schemars(with = "String")]
    statement: Spanned<String>,
    #[schemars(with = "String")]
    because: Spanned<String>,
}

/// `[[floor_exception]]`: a statement named, with a reason; which statements of the floor
/// exist is for the check to say (`rules check` compares with the built-in set).
fn validate_floor_exceptions(
    raw: &[RawFloorException],
    source: SourceText<'_>,
    problems: &mut Diagnostics,
) -> Vec<FloorException> {
    let mut exceptions = Vec::new();
    for exception in raw {
        let (statement, because) = (exception.statement.get_ref().trim(), exception.because.get_ref().trim());
        if statement.is_empty() {
            problems.push(source.error(exception.statement.span(), Code::BadFloorException, "the statement is empty; expected a statement's name (question.option, an invariant's id, question.escalating) or \"*\""));
            continue;
        }
        if because.is_empty() {
            problems.push(source.error(
                exception.because.span(),
                Code::BadFloorException,
                "an exception to the safety floor needs a because: the clinic's reason, which every result shows",
            ));
            continue;
        }
        exceptions.push(FloorException {
            statement: statement.to_owned().into(),
            because: because.to_owned().into(),
            line: source.line_of(exception.statement.span().start),
        });
    }
    exceptions
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawInvariant {
    #[schemars(with = "String")]
    id: Spanned<String>,
    #[schemars(with = "RawCondition")]
    when: Spanned<RawCondition>,
    #[schemars(with = "Option<String>")]
    min_urgency: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    forbids: Vec<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    max_pressure: Option<Spanned<String>>,
    #[schemars(with = "String")]
    because: Spanned<String>,
    source: Vec<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawUnlikely {
    #[schemars(with = "String")]
    id: Spanned<String>,
    #[schemars(with = "RawCondition")]
    when: Spanned<RawCondition>,
    message: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    #[schemars(with = "String")]
    id: Spanned<String>,
    #[schemars(with = "String")]
    kind: Spanned<String>,
    desk: String,
    therapist: String,
    help: String,
    #[schemars(with = "Option<i64>")]
    min: Option<Spanned<i64>>,
    #[schemars(with = "Option<i64>")]
    max: Option<Spanned<i64>>,
    #[schemars(with = "Option<usize>")]
    min_selected: Option<Spanned<usize>>,
    #[serde(default)]
    escalating: bool,
    #[schemars(with = "Option<i64>")]
    since: Option<Spanned<i64>>,
    #[schemars(with = "Option<RawCondition>")]
    ask_when: Option<Spanned<RawCondition>>,
    #[serde(default)]
    option: Vec<RawOption>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawOption {
    #[schemars(with = "String")]
    id: Spanned<String>,
    label: String,
    help: String,
    #[serde(default)]
    red_flag: bool,
    #[schemars(with = "Option<String>")]
    min_urgency: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    forbids: Vec<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    max_pressure: Option<Spanned<String>>,
    #[schemars(with = "Option<i64>")]
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
        id: id.into(),
        kind,
        desk: raw.desk.clone().into(),
        therapist: raw.therapist.clone().into(),
        help: raw.help.clone().into(),
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
                id: option.id.get_ref().clone().into(),
                label: option.label.clone().into(),
                help: option.help.clone().into(),
                red_flag: option.red_flag,
                min_urgency: option.min_urgency.as_ref().and_then(|u| parse_urgency(u, source, problems)),
                forbids: option.forbids.iter().filter_map(|s| parse_style(s, source, problems)).collect(),
                max_pressure: option.max_pressure.as_ref().and_then(|p| parse_pressure(p, source, problems)),
                since: since(option.since.as_ref(), question_since, version, "option", source, problems),
                group: option.group.clone().map(Text::from),
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

/// The JSON Schema of `questionnaire.toml`, from the types the loader reads.
pub(crate) fn schema() -> schemars::Schema {
    crate::schema::generator().into_root_schema_for::<RawQuestionnaire>()
}
