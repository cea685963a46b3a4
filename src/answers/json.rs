//! JSON answer files, read by [`super::json_reader`] with each key's place.

use super::{AnswerProblem, AnswerSheet, Answers, RawValue, ValueKind};
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceText};
use crate::questionnaire::Questionnaire;
use crate::text::shown;
use std::borrow::Cow;
use std::ops::Range;

/// Parses a JSON answer file (one object). A key given twice is refused, naming both
/// places; every problem points at the real place of its key or value.
pub fn parse_json(questionnaire: &Questionnaire, source: SourceText<'_>) -> Result<Answers, Diagnostics> {
    // A byte-order mark (as some Windows editors save UTF-8) is no part of the JSON; places
    // are counted after it, as an editor shows them. TOML answer files and JSON Lines
    // records accept one too.
    let source = SourceText::new(source.name, source.text.strip_prefix('\u{feff}').unwrap_or(source.text));
    let mut sheet = AnswerSheet::new(questionnaire);
    // Each entry's text: an error's excerpt shows its own entry and nothing of the others.
    let mut entries: Vec<Range<usize>> = Vec::new();
    read_entries(source.text, source, &mut sheet, &mut entries)?;
    sheet.finish().map_err(|problems| placed(problems, &entries, source))
}

/// Reads the object in `text` into the sheet, each entry's span kept for the excerpts; a
/// key given twice is a problem naming both places. `text` is `source`'s text, or that text
/// with all but one object blanked out (a record's answers), so places stay the file's.
pub(super) fn read_entries(
    text: &str,
    source: SourceText<'_>,
    sheet: &mut AnswerSheet<'_>,
    entries: &mut Vec<Range<usize>>,
) -> Result<(), Diagnostics> {
    use crate::answers::json_reader::{read_object, Event};
    read_object(text, |event| match event {
        Event::Entry { key, key_span, value, value_span } => {
            entries.push(key_span.start..value_span.end);
            sheet.set(&key, Some(key_span), value, Some(value_span));
        }
        Event::Repeated { key, first, again } => {
            entries.push(again.clone());
            sheet.problem(repeated(&key, &first, again, source));
        }
    })
    .map_err(|error| json_error(error, source))
}

/// A key given a second time (first at `first`).
pub(super) fn repeated(key: &str, first: &Range<usize>, again: Range<usize>, source: SourceText<'_>) -> AnswerProblem {
    let (line, column) = source.line_column(first.start);
    AnswerProblem {
        message: format!(
            "\"{}\" is given twice (first at line {line}, column {column}); each key may be given once",
            shown(key)
        ),
        key: key.to_owned(),
        span: Some(again),
        code: Code::RepeatedKey,
        suggestion: None,
    }
}

/// The sheet's problems placed in the file, each excerpt within its own entry (`entries`).
pub(super) fn placed(problems: Vec<AnswerProblem>, entries: &[Range<usize>], source: SourceText<'_>) -> Diagnostics {
    let within = |span: &Range<usize>| entries.iter().find(|e| e.contains(&span.start)).cloned();
    Diagnostics(
        problems
            .into_iter()
            .map(|problem| match problem.span.as_ref().and_then(within) {
                Some(entry) => {
                    let span = problem.span.clone().unwrap_or(entry.clone());
                    let mut diagnostic = source.error_within(span, entry, problem.code, problem.message);
                    diagnostic.suggestion = problem.suggestion;
                    diagnostic
                }
                None => problem.into_diagnostic(source),
            })
            .collect(),
    )
}

/// The answer sheet's view of a JSON value.
pub fn json_raw_value(value: &serde_json::Value) -> RawValue<'_> {
    use serde_json::Value;
    match value {
        Value::String(s) => RawValue::Text(Cow::Borrowed(s)),
        Value::Number(n) => n.as_i64().map_or(RawValue::Other(ValueKind::Decimal), RawValue::Integer),
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

fn json_type_name(value: &serde_json::Value) -> ValueKind {
    use serde_json::Value;
    match value {
        Value::Null => ValueKind::Null,
        Value::Bool(_) => ValueKind::Bool,
        Value::Number(_) => ValueKind::Integer,
        Value::String(_) => ValueKind::Text,
        Value::Array(_) => ValueKind::List,
        Value::Object(_) => ValueKind::Object,
    }
}

pub(super) fn json_error(error: crate::answers::json_reader::JsonError, source: SourceText<'_>) -> Diagnostics {
    use crate::answers::json_reader::JsonError;
    let (message, line, column) = match error {
        JsonError::NotAnObject(what) => {
            let message = format!("expected a JSON object of answers, not {what}");
            return Diagnostic::whole_file(source.name, Code::NotAnObject, message).into();
        }
        JsonError::Syntax { message, line, column } => (format!("not valid JSON: {message}"), line, column),
    };
    if line == 0 {
        return Diagnostic::whole_file(source.name, Code::Json, message).into();
    }
    let line_start: usize = source.text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    let line_text = source.text[line_start..].split('\n').next().unwrap_or("");
    // serde_json counts columns in bytes; the place is the character at that byte.
    let offset = line_start + column.saturating_sub(1).min(line_text.len());
    source.error_within(offset..offset, json_syntax_bounds(source.text, offset), Code::Json, message).into()
}

/// The text shown under a JSON syntax error: from the last `{`, `[` or `,` before it to the
/// next `,`, `]` or `}`, so that the excerpt of a one-line file shows the broken value and
/// no other answer.
fn json_syntax_bounds(text: &str, offset: usize) -> Range<usize> {
    let offset = offset.min(text.len());
    let start = text.as_bytes()[..offset].iter().rposition(|b| matches!(b, b'{' | b'[' | b',')).map_or(0, |i| i + 1);
    let end = text.as_bytes()[offset..]
        .iter()
        .position(|b| matches!(b, b',' | b']' | b'}'))
        .map_or(text.len(), |i| offset + i + 1);
    start..end
}
