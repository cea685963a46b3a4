//! Answers to the questionnaire, however they arrive (answer file, batch record, the
//! interactive intake): one validated [`Answers`] value, with nothing defaulted.

use crate::diagnostic::{Diagnostic, Diagnostics, SourceText};
use crate::questionnaire::{Question, QuestionKind, Questionnaire};
use crate::suggestion::{closest, one_of};
use std::borrow::Cow;
use std::ops::Range;

/// The answer to one question, in the compact form the engine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    /// A one-of answer: the option's index.
    Choice(u8),
    /// A several-of answer: one bit per chosen option (bit i = option i).
    Choices(u64),
    /// A whole number.
    Number(i64),
    /// Yes or no.
    YesNo(bool),
}

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

/// Numbers are stored as words with the sign bit flipped, so that unsigned comparison of
/// words orders them as signed numbers.
pub const NUMBER_BIAS: u64 = 1 << 63;

impl Answer {
    /// The answer as one word: option bits (a yes/no is bit 1 for yes, bit 0 for no) or
    /// the number, biased by [`NUMBER_BIAS`].
    #[inline]
    pub fn word(self) -> u64 {
        match self {
            Answer::Choice(i) => 1 << i,
            Answer::Choices(bits) => bits,
            Answer::Number(n) => n as u64 ^ NUMBER_BIAS,
            Answer::YesNo(b) => 1 << u8::from(b),
        }
    }
}

impl Answers {
    /// Answers from values in questionnaire order, checked against the questionnaire.
    pub fn new(questionnaire: &Questionnaire, id: Option<String>, values: Vec<Answer>) -> Result<Answers, String> {
        if values.len() != questionnaire.questions.len() {
            return Err(format!("expected {} answers, got {}", questionnaire.questions.len(), values.len()));
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

    /// An answer file (TOML) that `assess --answers` accepts and that gives the same result.
    pub fn to_toml(&self, questionnaire: &Questionnaire) -> String {
        let mut text = String::new();
        if let Some(id) = &self.id {
            text.push_str(&format!("id = {}\n", toml_string(id)));
        }
        for (question, value) in questionnaire.questions.iter().zip(&self.values) {
            text.push_str(&format!("{} = {}\n", question.id, render_toml(question, *value)));
        }
        text
    }

    /// The answer in words, as the questionnaire names it (`lower_back, leg`, `5`, `yes`).
    pub fn describe(questionnaire: &Questionnaire, index: usize, value: Answer) -> String {
        let question = &questionnaire.questions[index];
        match value {
            Answer::Choice(i) => question.options.get(usize::from(i)).map_or("?".into(), |o| o.id.clone()),
            Answer::Choices(bits) => {
                let ids: Vec<&str> = chosen(question, bits).map(|o| o.id.as_str()).collect();
                if ids.is_empty() {
                    "none".to_owned()
                } else {
                    ids.join(", ")
                }
            }
            Answer::Number(n) => n.to_string(),
            Answer::YesNo(true) => "yes".to_owned(),
            Answer::YesNo(false) => "no".to_owned(),
        }
    }
}

fn chosen(question: &Question, bits: u64) -> impl Iterator<Item = &crate::questionnaire::AnswerOption> {
    question.options.iter().enumerate().filter(move |(i, _)| bits & (1 << i) != 0).map(|(_, o)| o)
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

fn render_toml(question: &Question, value: Answer) -> String {
    match value {
        Answer::Choice(i) => toml_string(&question.options[usize::from(i)].id),
        Answer::Choices(bits) => {
            let items: Vec<String> = chosen(question, bits).map(|o| toml_string(&o.id)).collect();
            format!("[{}]", items.join(", "))
        }
        Answer::Number(n) => n.to_string(),
        Answer::YesNo(b) => b.to_string(),
    }
}

fn check_fits(question: &Question, value: Answer) -> Result<(), String> {
    let fits = match (question.kind, value) {
        (QuestionKind::OneOf, Answer::Choice(i)) => usize::from(i) < question.options.len(),
        (QuestionKind::SeveralOf { min_selected }, Answer::Choices(bits)) => {
            bits & !question.all_options_mask() == 0 && bits.count_ones() as usize >= min_selected
        }
        (QuestionKind::Number { min, max }, Answer::Number(n)) => (min..=max).contains(&n),
        (QuestionKind::YesNo, Answer::YesNo(_)) => true,
        _ => false,
    };
    if fits {
        Ok(())
    } else {
        Err(format!("answer to \"{}\" does not fit: expected {}", question.id, question.expectation()))
    }
}

/// One item of a list: the text (or the name of its type when it is not a string) and its
/// span when known.
pub type ListItem<'a> = (Result<Cow<'a, str>, &'static str>, Option<Range<usize>>);

/// A value as read from a file or record, before it is checked against its question.
#[derive(Debug, Clone)]
pub enum RawValue<'a> {
    /// A string.
    Text(Cow<'a, str>),
    /// An integer.
    Integer(i64),
    /// A boolean.
    Bool(bool),
    /// A list; each item with its span (if known), or the name of its type if not a string.
    List(Vec<ListItem<'a>>),
    /// Anything else (float, table, date, null): its type's name.
    Other(&'static str),
}

/// A problem with one answer, before it is placed in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerProblem {
    /// The key (question id) concerned.
    pub key: String,
    /// Where, when known.
    pub span: Option<Range<usize>>,
    /// Stable code.
    pub code: &'static str,
    /// What is wrong and what was expected.
    pub message: String,
    /// The closest valid id.
    pub suggestion: Option<String>,
}

impl AnswerProblem {
    fn new(key: &str, span: Option<Range<usize>>, code: &'static str, message: String) -> Self {
        Self { key: key.to_owned(), span, code, message, suggestion: None }
    }

    /// As a diagnostic in a file; `fallback_line` is used when the problem has no span.
    pub fn into_diagnostic(self, source: SourceText<'_>) -> Diagnostic {
        let mut diagnostic = match self.span {
            Some(span) => source.error(span, self.code, self.message),
            None => Diagnostic::whole_file(source.name, self.code, self.message),
        };
        diagnostic.suggestion = self.suggestion;
        diagnostic
    }
}

/// Collects answers key by key, validating each against its question.
pub struct AnswerSheet<'q> {
    questionnaire: &'q Questionnaire,
    id: Option<String>,
    values: Vec<Option<Answer>>,
    problems: Vec<AnswerProblem>,
}

impl<'q> AnswerSheet<'q> {
    /// An empty sheet for this questionnaire.
    pub fn new(questionnaire: &'q Questionnaire) -> Self {
        Self { questionnaire, id: None, values: vec![None; questionnaire.questions.len()], problems: Vec::new() }
    }

    /// Records one key's value; a problem is kept and reported by [`Self::finish`].
    pub fn set(
        &mut self,
        key: &str,
        key_span: Option<Range<usize>>,
        value: RawValue<'_>,
        value_span: Option<Range<usize>>,
    ) {
        if let Err(problem) = self.try_set(key, key_span, value, value_span) {
            self.problems.push(problem);
        }
    }

    fn try_set(
        &mut self,
        key: &str,
        key_span: Option<Range<usize>>,
        value: RawValue<'_>,
        value_span: Option<Range<usize>>,
    ) -> Result<(), AnswerProblem> {
        if key == "id" {
            return match value {
                RawValue::Text(text) => {
                    self.id = Some(text.into_owned());
                    Ok(())
                }
                other => Err(AnswerProblem::new(
                    key,
                    value_span,
                    "wrong-type",
                    format!("`id` must be a string (a booking reference), not {}", type_name(&other)),
                )),
            };
        }
        let Some(index) = self.questionnaire.index_of(key) else {
            let mut problem = AnswerProblem::new(
                key,
                key_span,
                "unknown-question",
                format!("unknown question \"{key}\"; expected id or one of {}", one_of(self.questionnaire.ids())),
            );
            problem.suggestion = closest(key, self.questionnaire.ids()).map(str::to_owned);
            return Err(problem);
        };
        if self.values[index].is_some() {
            return Err(AnswerProblem::new(key, key_span, "duplicate-answer", format!("\"{key}\" is answered twice")));
        }
        let question = &self.questionnaire.questions[index];
        self.values[index] = Some(convert(question, value, value_span)?);
        Ok(())
    }

    /// Records a problem found by the reader (a syntax error, a value of no known type).
    pub fn problem(&mut self, problem: AnswerProblem) {
        self.problems.push(problem);
    }

    /// The answers, or every problem: bad values, then each unanswered question.
    pub fn finish(mut self) -> Result<Answers, Vec<AnswerProblem>> {
        for (question, value) in self.questionnaire.questions.iter().zip(&self.values) {
            if value.is_none() && !self.problems.iter().any(|p| p.key == question.id) {
                self.problems.push(AnswerProblem::new(
                    &question.id,
                    None,
                    "missing-answer",
                    format!("no answer to \"{}\"; expected {}", question.id, question.expectation()),
                ));
            }
        }
        if !self.problems.is_empty() {
            // Report in file order; problems without a place (missing answers) last.
            self.problems.sort_by_key(|p| p.span.as_ref().map_or(usize::MAX, |s| s.start));
            return Err(self.problems);
        }
        let values = self.values.into_iter().flatten().collect();
        Ok(Answers::from_values(self.id, values))
    }
}

fn type_name(value: &RawValue<'_>) -> &'static str {
    match value {
        RawValue::Text(_) => "a string",
        RawValue::Integer(_) => "a number",
        RawValue::Bool(_) => "true/false",
        RawValue::List(_) => "a list",
        RawValue::Other(name) => name,
    }
}

fn convert(question: &Question, value: RawValue<'_>, span: Option<Range<usize>>) -> Result<Answer, AnswerProblem> {
    let key = question.id.as_str();
    let wrong_type = |value: &RawValue<'_>| {
        AnswerProblem::new(
            key,
            span.clone(),
            "wrong-type",
            format!("\"{key}\" must be {}, not {}", question.expectation(), type_name(value)),
        )
    };
    match (question.kind, value) {
        (QuestionKind::OneOf, RawValue::Text(text)) => {
            option_index(question, &text, span.clone()).map(|i| Answer::Choice(i as u8))
        }
        (QuestionKind::SeveralOf { min_selected }, RawValue::List(items)) => {
            let mut bits = 0u64;
            for (item, item_span) in items {
                let item_span = item_span.or_else(|| span.clone());
                let text = item.map_err(|type_name| {
                    AnswerProblem::new(
                        key,
                        item_span.clone(),
                        "wrong-type",
                        format!("items of \"{key}\" must be option ids (strings), not {type_name}"),
                    )
                })?;
                let index = option_index(question, &text, item_span.clone())?;
                if bits & (1 << index) != 0 {
                    return Err(AnswerProblem::new(
                        key,
                        item_span,
                        "duplicate-option",
                        format!("\"{text}\" is listed twice in \"{key}\""),
                    ));
                }
                bits |= 1 << index;
            }
            if (bits.count_ones() as usize) < min_selected {
                return Err(AnswerProblem::new(
                    key,
                    span,
                    "too-few",
                    format!("\"{key}\" needs at least {min_selected} of {}", one_of(question.option_ids())),
                ));
            }
            Ok(Answer::Choices(bits))
        }
        (QuestionKind::Number { min, max }, RawValue::Integer(n)) => {
            if (min..=max).contains(&n) {
                Ok(Answer::Number(n))
            } else {
                Err(AnswerProblem::new(
                    key,
                    span,
                    "out-of-range",
                    format!("{n} is out of range for \"{key}\"; expected a whole number from {min} to {max}"),
                ))
            }
        }
        (QuestionKind::YesNo, RawValue::Bool(b)) => Ok(Answer::YesNo(b)),
        (_, other) => Err(wrong_type(&other)),
    }
}

fn option_index(question: &Question, text: &str, span: Option<Range<usize>>) -> Result<usize, AnswerProblem> {
    question.option_index(text).ok_or_else(|| {
        let mut problem = AnswerProblem::new(
            &question.id,
            span,
            "unknown-option",
            format!(
                "unknown option \"{text}\" for question \"{}\"; expected one of {}",
                question.id,
                one_of(question.option_ids())
            ),
        );
        problem.suggestion = closest(text, question.option_ids()).map(str::to_owned);
        problem
    })
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

/// Parses a TOML answer file.
pub fn parse_toml(questionnaire: &Questionnaire, source: SourceText<'_>) -> Result<Answers, Diagnostics> {
    use toml::de::{DeTable, DeValue};
    let table = DeTable::parse(source.text).map_err(|e| source.toml_error(&e))?;
    let mut sheet = AnswerSheet::new(questionnaire);
    for (key, value) in table.get_ref() {
        let span = value.span();
        let raw = match value.get_ref() {
            DeValue::String(s) => RawValue::Text(s.clone()),
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => RawValue::Integer(n),
                Err(_) => RawValue::Other("a number too large"),
            },
            DeValue::Boolean(b) => RawValue::Bool(*b),
            DeValue::Array(items) => RawValue::List(
                items
                    .iter()
                    .map(|item| match item.get_ref() {
                        DeValue::String(s) => (Ok(s.clone()), Some(item.span())),
                        other => (Err(de_type_name(other)), Some(item.span())),
                    })
                    .collect(),
            ),
            other => RawValue::Other(de_type_name(other)),
        };
        sheet.set(key.get_ref(), Some(key.span()), raw, Some(span));
    }
    sheet.finish().map_err(|problems| problems_to_diagnostics(problems, source))
}

fn de_type_name(value: &toml::de::DeValue<'_>) -> &'static str {
    use toml::de::DeValue;
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "a number",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// Parses a JSON answer file (one object).
pub fn parse_json(questionnaire: &Questionnaire, source: SourceText<'_>) -> Result<Answers, Diagnostics> {
    let value: serde_json::Value = serde_json::from_str(source.text).map_err(|e| json_syntax_error(&e, source))?;
    let serde_json::Value::Object(object) = value else {
        return Err(Diagnostic::whole_file(source.name, "not-an-object", "expected a JSON object of answers").into());
    };
    let mut sheet = AnswerSheet::new(questionnaire);
    for (key, value) in &object {
        // serde_json keeps no positions: find the key's text, which is exact for the flat
        // objects answer files are.
        let span = json_key_span(source.text, key);
        sheet.set(key, span.clone(), json_raw_value(value), span);
    }
    sheet.finish().map_err(|problems| problems_to_diagnostics(problems, source))
}

/// The answer sheet's view of a JSON value.
pub fn json_raw_value(value: &serde_json::Value) -> RawValue<'_> {
    use serde_json::Value;
    match value {
        Value::String(s) => RawValue::Text(Cow::Borrowed(s)),
        Value::Number(n) => n.as_i64().map_or(RawValue::Other("a decimal number"), RawValue::Integer),
        Value::Bool(b) => RawValue::Bool(*b),
        Value::Array(items) => RawValue::List(
            items
                .iter()
                .map(|item| match item {
                    Value::String(s) => (Ok(Cow::Borrowed(s.as_str())), None),
                    other => (Err(json_type_name(other)), None),
                })
                .collect(),
        ),
        other => RawValue::Other(json_type_name(other)),
    }
}

fn json_type_name(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn json_key_span(text: &str, key: &str) -> Option<Range<usize>> {
    let quoted = serde_json::to_string(key).ok()?;
    text.find(&quoted).map(|start| start..start + quoted.len())
}

fn json_syntax_error(error: &serde_json::Error, source: SourceText<'_>) -> Diagnostic {
    let message = format!("not valid JSON: {error}");
    let line = error.line();
    if line == 0 {
        return Diagnostic::whole_file(source.name, "json", message);
    }
    let offset: usize = source.text.split_inclusive('\n').take(line - 1).map(str::len).sum::<usize>()
        + error.column().saturating_sub(1);
    let mut diagnostic = source.error(offset..offset, "json", message);
    diagnostic.message = format!("not valid JSON: {}", strip_position(&error.to_string()));
    diagnostic
}

fn strip_position(message: &str) -> &str {
    message.find(" at line ").map_or(message, |i| &message[..i])
}
