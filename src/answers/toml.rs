//! TOML answer files.

use super::{problems_to_diagnostics, AnswerSheet, Answers, RawValue, ValueKind};
use crate::diagnostic::{Diagnostics, SourceText};
use crate::questionnaire::Questionnaire;

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
                Err(_) => RawValue::Other(ValueKind::TooLargeInteger),
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

fn de_type_name(value: &toml::de::DeValue<'_>) -> ValueKind {
    use toml::de::DeValue;
    match value {
        DeValue::String(_) => ValueKind::Text,
        DeValue::Integer(_) => ValueKind::Integer,
        DeValue::Float(_) => ValueKind::Decimal,
        DeValue::Boolean(_) => ValueKind::Bool,
        DeValue::Datetime(_) => ValueKind::Date,
        DeValue::Array(_) => ValueKind::List,
        DeValue::Table(_) => ValueKind::Table,
    }
}
