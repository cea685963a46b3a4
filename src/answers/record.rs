//! An intake's record read back as answers. A record is a JSON object with a `"record"`
//! key (its format's version); its `answers` object is read as a JSON answer file's keys
//! are, with `version` and `id` from the record's top level, and everything else in it
//! (status, outcome, identity...) is the record's account of the call, not answers: it is
//! ignored here. Its answers may leave questions unanswered (the call ended early).

use super::json::{json_error, placed, read_entries, repeated};
use super::json_reader::{read_object, Event};
use super::{AnswerProblem, AnswerSheet, GivenAnswers, RawValue, ValueKind};
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceText};
use crate::questionnaire::Questionnaire;
use std::ops::Range;

/// The record format this tool writes and reads (`"record": 1`).
pub const RECORD_FORMAT: i64 = 1;

/// Whether `text` is a JSON object with a top-level `"record"` key: how a record is told
/// from an answer file (whose keys are question ids, `id` and `version`).
pub fn is_record(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut found = false;
    let _ = read_object(text, |event| {
        if let Event::Entry { key, .. } = event {
            found |= key == "record";
        }
    });
    found
}

/// Parses a record's answers, each problem placed in the file as in any answer file.
pub fn parse_record(questionnaire: &Questionnaire, source: SourceText<'_>) -> Result<GivenAnswers, Diagnostics> {
    let source = SourceText::new(source.name, source.text.strip_prefix('\u{feff}').unwrap_or(source.text));
    let mut sheet = AnswerSheet::new(questionnaire);
    let mut entries: Vec<Range<usize>> = Vec::new();
    let mut answers_at: Option<Range<usize>> = None;
    read_object(source.text, |event| match event {
        Event::Entry { key, key_span, value, value_span } => match key.as_ref() {
            "version" | "id" => {
                entries.push(key_span.start..value_span.end);
                sheet.set(&key, Some(key_span), value, Some(value_span));
            }
            "record" => {
                entries.push(key_span.start..value_span.end);
                if !matches!(value, RawValue::Integer(RECORD_FORMAT)) {
                    sheet.problem(problem(
                        "record",
                        value_span,
                        format!("this tool reads record format {RECORD_FORMAT}; `record` must be {RECORD_FORMAT}"),
                    ));
                }
            }
            "answers" if value.kind() == ValueKind::Object => answers_at = Some(value_span),
            "answers" => sheet.problem(problem(
                "answers",
                value_span,
                format!("a record's `answers` must be an object of answers, not {}", value.kind().name()),
            )),
            _ => {}
        },
        Event::Repeated { key, first, again } => {
            entries.push(again.clone());
            sheet.problem(repeated(&key, &first, again, source));
        }
    })
    .map_err(|error| json_error(error, source))?;
    let Some(at) = answers_at else {
        let message = "this record has no `answers` object (the answers the call gave)";
        return Err(Diagnostic::whole_file(source.name, Code::BadRecord, message).into());
    };
    // The answers object read in place: the rest of the text blanked out (lines kept), so
    // that every key's, value's and list item's place is its place in the file.
    let answers_only = blank_outside(source.text, &at);
    read_entries(&answers_only, source, &mut sheet, &mut entries)?;
    sheet.finish_partial().map_err(|problems| placed(problems, &entries, source))
}

fn problem(key: &str, span: Range<usize>, message: String) -> AnswerProblem {
    AnswerProblem { key: key.to_owned(), span: Some(span), code: Code::BadRecord, message, suggestion: None }
}

/// `text` with every byte outside `keep` a space, line ends kept: the same length and
/// lines, so places in it are places in `text` (`keep` is a whole JSON value, so it starts
/// and ends on character boundaries, and what is blanked becomes ASCII).
fn blank_outside(text: &str, keep: &Range<usize>) -> String {
    let bytes: Vec<u8> =
        text.bytes().enumerate().map(|(i, b)| if keep.contains(&i) || b == b'\n' { b } else { b' ' }).collect();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn questionnaire() -> Questionnaire {
        let text = include_str!("../../rules/questionnaire.toml");
        Questionnaire::parse(SourceText::new("rules/questionnaire.toml", text)).unwrap()
    }

    const STOPPED: &str = r#"{
  "record": 1,
  "status": "stopped",
  "version": 2,
  "id": "booking-7",
  "answers": {
    "red_flags": ["saddle_numbness"]
  },
  "outcome": {"recommendation": "physician"}
}"#;

    #[test]
    fn a_record_is_told_by_its_record_key() {
        assert!(is_record(STOPPED));
        assert!(!is_record(r#"{"red_flags": [], "id": "x"}"#));
        assert!(!is_record("red_flags = []"));
    }

    #[test]
    fn a_record_gives_its_answers_its_id_and_nothing_else() {
        let questionnaire = questionnaire();
        let given = parse_record(&questionnaire, SourceText::new("r.json", STOPPED)).unwrap();
        assert_eq!(given.id.as_deref(), Some("booking-7"));
        assert!(given.values[0].is_some());
        assert!(given.values[1..].iter().all(Option::is_none));
    }

    #[test]
    fn an_unknown_key_in_the_answers_is_refused_at_its_line() {
        let questionnaire = questionnaire();
        let text = STOPPED.replace(r#""red_flags": ["saddle_numbness"]"#, "\"red_flags\": [],\n    \"sevrity\": 5");
        let problems = parse_record(&questionnaire, SourceText::new("r.json", &text)).unwrap_err();
        let problem = &problems.0[0];
        assert_eq!(problem.code, Code::UnknownQuestion);
        assert_eq!((problem.line, problem.column), (8, 5));
    }

    #[test]
    fn a_record_without_answers_or_of_another_format_is_refused() {
        let questionnaire = questionnaire();
        let problems = parse_record(&questionnaire, SourceText::new("r.json", r#"{"record": 1}"#)).unwrap_err();
        assert_eq!(problems.0[0].code, Code::BadRecord);
        let text = STOPPED.replace(r#""record": 1"#, r#""record": 7"#);
        let problems = parse_record(&questionnaire, SourceText::new("r.json", &text)).unwrap_err();
        assert_eq!((problems.0[0].code, problems.0[0].line), (Code::BadRecord, 2));
    }
}
