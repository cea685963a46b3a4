//! Worked cases (`cases.toml`): answers with the outcome a clinician expects, run by the
//! test suite and by `rules test`.

use crate::answers::{AnswerProblem, AnswerSheet, Answers, RawValue, ValueKind};
use crate::code::Code;
use crate::diagnostic::{Diagnostics, SourceText};
use crate::engine::warnings;
use crate::engine::{evaluate, Evaluation};
use crate::recommendation::{Pressure, Recommendation, Style, Urgency};
use crate::rules::RuleSet;
use serde::Deserialize;
use std::borrow::Cow;
use toml::Spanned;

/// One worked case.
#[derive(Debug, Clone)]
pub struct WorkedCase {
    /// A short description.
    pub name: String,
    /// Line in the cases file.
    pub line: usize,
    /// The answers.
    pub answers: Answers,
    /// What a clinician expects.
    pub expect: Expectation,
}

/// The expected outcome; a list means "any of these"; an absent field is not checked.
#[derive(Debug, Clone, Default)]
pub struct Expectation {
    /// Expected recommendation(s).
    pub recommendation: Vec<Recommendation>,
    /// Expected urgency (`none` for no referral).
    pub urgency: Vec<Option<Urgency>>,
    /// Expected pressure.
    pub pressure: Vec<Pressure>,
    /// Expected session length.
    pub session_minutes: Vec<u16>,
    /// Rules expected to fire.
    pub fires: Vec<String>,
    /// Rules expected not to fire.
    pub does_not_fire: Vec<String>,
    /// A style expected among the alternatives.
    pub alternatives_include: Option<Style>,
    /// Whether precautions are expected (true) or expected to be none (false).
    pub precautions_nonempty: Option<bool>,
    /// The unlikely-answer warnings expected, by id (absent: not checked; empty: none).
    pub warnings: Option<Vec<String>>,
}

/// A field where the actual outcome differs from the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The output field.
    pub field: &'static str,
    /// What was expected, in words.
    pub expected: String,
    /// What the engine gave.
    pub actual: String,
}

impl WorkedCase {
    /// Evaluates the case and lists every field that differs from the expectation.
    pub fn check(&self, rule_set: &RuleSet) -> (Evaluation, Vec<Mismatch>) {
        let evaluation = evaluate(rule_set, &self.answers);
        let mut wrong = Vec::new();
        let expect = &self.expect;
        let mut field = |name: &'static str, ok: bool, expected: String, actual: String| {
            if !ok {
                wrong.push(Mismatch { field: name, expected, actual });
            }
        };
        let words = |items: Vec<String>| items.join(" or ");
        if !expect.recommendation.is_empty() {
            field(
                "recommendation",
                expect.recommendation.contains(&evaluation.recommendation),
                words(expect.recommendation.iter().map(|r| r.id().to_owned()).collect()),
                evaluation.recommendation.id().to_owned(),
            );
        }
        if !expect.urgency.is_empty() {
            field(
                "urgency",
                expect.urgency.contains(&evaluation.urgency),
                words(expect.urgency.iter().map(|u| urgency_word(*u)).collect()),
                urgency_word(evaluation.urgency),
            );
        }
        if !expect.pressure.is_empty() {
            field(
                "pressure",
                evaluation.pressure.is_some_and(|p| expect.pressure.contains(&p)),
                words(expect.pressure.iter().map(|p| p.id().to_owned()).collect()),
                evaluation.pressure.map_or("none".to_owned(), |p| p.id().to_owned()),
            );
        }
        if !expect.session_minutes.is_empty() {
            field(
                "session_minutes",
                evaluation.session_minutes.is_some_and(|m| expect.session_minutes.contains(&m)),
                words(expect.session_minutes.iter().map(u16::to_string).collect()),
                evaluation.session_minutes.map_or("none".to_owned(), |m| m.to_string()),
            );
        }
        let fired: Vec<&str> = evaluation.fired.iter().map(|i| rule_set.rules[i].id.as_str()).collect();
        for id in &expect.fires {
            field("fires", fired.contains(&id.as_str()), format!("{id} fires"), format!("fired: {}", fired.join(", ")));
        }
        for id in &expect.does_not_fire {
            field("does_not_fire", !fired.contains(&id.as_str()), format!("{id} does not fire"), format!("{id} fired"));
        }
        if let Some(style) = expect.alternatives_include {
            let alternatives: Vec<&str> = evaluation.alternatives.iter().map(|s| s.id()).collect();
            field(
                "alternatives_include",
                evaluation.alternatives.iter().any(|s| s == style),
                format!("{} among the alternatives", style.id()),
                format!(
                    "alternatives: {}",
                    if alternatives.is_empty() { "none".to_owned() } else { alternatives.join(", ") }
                ),
            );
        }
        if let Some(wanted) = expect.precautions_nonempty {
            let count = evaluation.precautions(rule_set).count();
            let expected = if wanted { "some precautions" } else { "no precautions" };
            field("precautions_nonempty", (count > 0) == wanted, expected.to_owned(), format!("{count} precaution(s)"));
        }
        if let Some(wanted) = &expect.warnings {
            let given: Vec<&str> = warnings(rule_set, &self.answers).map(|u| u.id.as_str()).collect();
            let words = |ids: Vec<&str>| if ids.is_empty() { "none".to_owned() } else { ids.join(", ") };
            field(
                "warnings",
                given.len() == wanted.len() && wanted.iter().all(|w| given.contains(&w.as_str())),
                words(wanted.iter().map(String::as_str).collect()),
                words(given),
            );
        }
        (evaluation, wrong)
    }
}

fn urgency_word(urgency: Option<Urgency>) -> String {
    urgency.map_or("none".to_owned(), |u| u.id().to_owned())
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawCases {
    #[serde(default)]
    case: Vec<RawCase>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawCase {
    #[schemars(with = "String")]
    name: Spanned<String>,
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
    answers: Spanned<toml::Table>,
    expect: RawExpect,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    #[schemars(with = "Option<OneOrMany<String>>")]
    recommendation: Option<Spanned<OneOrMany<String>>>,
    #[schemars(with = "Option<OneOrMany<String>>")]
    urgency: Option<Spanned<OneOrMany<String>>>,
    #[schemars(with = "Option<OneOrMany<String>>")]
    pressure: Option<Spanned<OneOrMany<String>>>,
    session_minutes: Option<OneOrMany<u16>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    fires: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    does_not_fire: Vec<Spanned<String>>,
    #[schemars(with = "Option<OneOrMany<String>>")]
    alternatives_include: Option<Spanned<OneOrMany<String>>>,
    precautions_nonempty: Option<bool>,
    #[schemars(with = "Option<Vec<String>>")]
    warnings: Option<Vec<Spanned<String>>>,
}

/// The answer sheet's view of a TOML value.
pub fn toml_raw_value(value: &toml::Value) -> RawValue<'_> {
    match value {
        toml::Value::String(s) => RawValue::Text(Cow::Borrowed(s)),
        toml::Value::Integer(n) => RawValue::Integer(*n),
        toml::Value::Boolean(b) => RawValue::Bool(*b),
        toml::Value::Array(items) => RawValue::List(
            items
                .iter()
                .map(|item| match item {
                    toml::Value::String(s) => (Ok(Cow::Borrowed(s.as_str())), None),
                    other => (Err(toml_kind(other)), None),
                })
                .collect(),
        ),
        other => RawValue::Other(toml_kind(other)),
    }
}

fn toml_kind(value: &toml::Value) -> ValueKind {
    match value {
        toml::Value::String(_) => ValueKind::Text,
        toml::Value::Integer(_) => ValueKind::Integer,
        toml::Value::Float(_) => ValueKind::Decimal,
        toml::Value::Boolean(_) => ValueKind::Bool,
        toml::Value::Datetime(_) => ValueKind::Date,
        toml::Value::Array(_) => ValueKind::List,
        toml::Value::Table(_) => ValueKind::Table,
    }
}

/// Parses a cases file against a rule set, collecting every problem.
pub fn parse_cases(rule_set: &RuleSet, source: SourceText<'_>) -> Result<Vec<WorkedCase>, Diagnostics> {
    let raw: RawCases = toml::from_str(source.text).map_err(|e| source.toml_error(&e))?;
    let mut problems = Diagnostics::default();
    let mut cases: Vec<WorkedCase> =
        raw.case.into_iter().filter_map(|case| parse_case(rule_set, case, source, &mut problems)).collect();
    // Each case's line from its byte offset, in one pass over the file: a line count per case
    // from the file's start made a 3,000-case file quadratic.
    source.offsets_to_lines(cases.iter_mut().map(|case| &mut case.line));
    problems.into_result(cases)
}

fn parse_case(
    rule_set: &RuleSet,
    raw: RawCase,
    source: SourceText<'_>,
    problems: &mut Diagnostics,
) -> Option<WorkedCase> {
    let mut sheet = AnswerSheet::new(&rule_set.questionnaire);
    let span = raw.answers.span();
    for (key, value) in raw.answers.get_ref() {
        sheet.set(key, Some(span.clone()), toml_raw_value(value), Some(span.clone()));
    }
    let answers = sheet.finish().map_err(|found: Vec<AnswerProblem>| {
        for mut problem in found {
            problem.span = problem.span.or_else(|| Some(span.clone()));
            problem.message = format!("case \"{}\": {}", raw.name.get_ref(), problem.message);
            problems.push(problem.into_diagnostic(source));
        }
    });
    let expect = parse_expect(rule_set, raw.expect, source, problems);
    Some(WorkedCase {
        // The byte offset for now: `parse_cases` turns every case's into its line at once.
        line: raw.name.span().start,
        name: raw.name.into_inner(),
        answers: answers.ok()?,
        expect: expect?,
    })
}

fn parse_expect(
    rule_set: &RuleSet,
    raw: RawExpect,
    source: SourceText<'_>,
    problems: &mut Diagnostics,
) -> Option<Expectation> {
    let before = problems.0.len();
    let mut words = |value: Option<Spanned<OneOrMany<String>>>, what: &str, known: &[&str]| -> Vec<String> {
        let Some(value) = value else { return Vec::new() };
        let span = value.span();
        let items = value.into_inner().into_vec();
        for item in &items {
            if !known.contains(&item.as_str()) {
                problems.push(
                    source
                        .error(
                            span.clone(),
                            Code::UnknownValue,
                            format!(
                                "unknown {what} \"{item}\"; expected one of {}",
                                crate::suggestion::one_of(known.iter().copied())
                            ),
                        )
                        .suggest(crate::suggestion::closest(item, known.iter().copied())),
                );
            }
        }
        items
    };
    let recommendations: Vec<&str> = Recommendation::ids().collect();
    let urgencies: Vec<&str> = Urgency::ids().chain(["none"]).collect();
    let pressures: Vec<&str> = Pressure::ids().collect();
    let styles: Vec<&str> = Style::ids().collect();
    let alternative = words(raw.alternatives_include, "style", &styles);
    let recommendation = words(raw.recommendation, "recommendation", &recommendations);
    let urgency = words(raw.urgency, "urgency", &urgencies);
    let pressure = words(raw.pressure, "pressure", &pressures);
    for id in raw.warnings.iter().flatten() {
        if !rule_set.questionnaire.unlikely.iter().any(|u| u.id == *id.get_ref()) {
            let ids = rule_set.questionnaire.unlikely.iter().map(|u| u.id.as_str());
            problems.push(
                source
                    .error(id.span(), Code::UnknownWarning, format!("unknown warning \"{}\"", id.get_ref()))
                    .suggest(crate::suggestion::closest(id.get_ref(), ids)),
            );
        }
    }
    for id in raw.fires.iter().chain(&raw.does_not_fire) {
        if rule_set.rule_index(id.get_ref()).is_none() {
            let ids = rule_set.rules.iter().map(|r| r.id.as_str());
            problems.push(
                source
                    .error(id.span(), Code::UnknownRule, format!("unknown rule \"{}\"", id.get_ref()))
                    .suggest(crate::suggestion::closest(id.get_ref(), ids)),
            );
        }
    }
    if problems.0.len() != before {
        return None;
    }
    Some(Expectation {
        recommendation: recommendation.iter().filter_map(|r| Recommendation::from_id(r)).collect(),
        urgency: urgency.iter().map(|u| Urgency::from_id(u)).collect(),
        pressure: pressure.iter().filter_map(|p| Pressure::from_id(p)).collect(),
        session_minutes: raw.session_minutes.map(OneOrMany::into_vec).unwrap_or_default(),
        fires: raw.fires.into_iter().map(Spanned::into_inner).collect(),
        does_not_fire: raw.does_not_fire.into_iter().map(Spanned::into_inner).collect(),
        alternatives_include: alternative.first().and_then(|s| Style::from_id(s)),
        precautions_nonempty: raw.precautions_nonempty,
        warnings: raw.warnings.map(|ids| ids.into_iter().map(Spanned::into_inner).collect()),
    })
}

/// The JSON Schema of `cases.toml`, from the types the loader reads.
pub(crate) fn schema() -> schemars::Schema {
    crate::schema::generator().into_root_schema_for::<RawCases>()
}
