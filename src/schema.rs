//! JSON Schemas of the files people write (committed under `schemas/`): the three rule
//! files, derived with schemars from the raw serde types the loader itself reads, so that a
//! schema cannot drift from what loads; and answer files, whose keys are a questionnaire's
//! questions, built from the loaded questionnaire (no Rust type holds them).
//!
//! A schema says the shape an editor can check as one types; the loader still says
//! everything else (a rule naming an unknown question, an empty range...).

use crate::questionnaire::{QuestionKind, Questionnaire};
use serde_json::{json, Map, Value};

/// Every schema, as `(file name under schemas/, pretty JSON text ending in a newline)`,
/// answer files' from `questionnaire`.
pub fn schemas(questionnaire: &Questionnaire) -> Vec<(&'static str, String)> {
    let derived = [
        ("questionnaire.schema.json", "questionnaire.toml", crate::questionnaire::file_schema()),
        ("rules.schema.json", "rules.toml", crate::rules::file_schema()),
        ("cases.schema.json", "cases.toml", crate::cases::schema()),
    ];
    let mut out: Vec<(&'static str, String)> = derived
        .into_iter()
        .map(|(name, file, schema)| {
            let mut schema = schema.to_value();
            schema["title"] = json!(format!("massage-triage {file}"));
            (name, pretty(&schema))
        })
        .collect();
    out.push(("answers.schema.json", pretty(&answers(questionnaire))));
    out
}

/// The generator of the derived schemas: JSON Schema 2020-12. (An optional key's schema
/// also allows null, schemars' reading of `Option`; TOML has no null, so it never occurs.)
pub(crate) fn generator() -> schemars::SchemaGenerator {
    schemars::generate::SchemaSettings::draft2020_12().into_generator()
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// An answer file (TOML or JSON) of `questionnaire`: every question a key, of its kind.
pub fn answers(questionnaire: &Questionnaire) -> Value {
    let mut properties = Map::new();
    properties.insert(
        "version".to_owned(),
        json!({ "description": "The questionnaire version the answers were given under (absent: 1).",
                "type": "integer", "minimum": 1, "maximum": questionnaire.version }),
    );
    properties.insert(
        "id".to_owned(),
        json!({ "description": "A reference such as a booking number, echoed in the output; never a name.", "type": "string" }),
    );
    let mut required = Vec::new();
    for question in &questionnaire.questions {
        let ids: Vec<&str> = question.option_ids().collect();
        let mut schema = match question.kind {
            QuestionKind::OneOf => json!({ "type": "string", "enum": ids }),
            QuestionKind::SeveralOf { min_selected } => json!({
                "type": "array", "items": { "type": "string", "enum": ids },
                "uniqueItems": true, "minItems": min_selected,
            }),
            QuestionKind::Number { min, max } => json!({ "type": "integer", "minimum": min, "maximum": max }),
            QuestionKind::YesNo => json!({ "type": "boolean" }),
        };
        let mut description = question.therapist.clone();
        match &question.ask_when {
            // A conditional question is answered exactly when its condition holds, which a
            // schema cannot say in general: the loader checks it.
            Some(when) => description.push_str(&format!(" (answered only when {})", when.describe(questionnaire))),
            None => required.push(question.id.clone()),
        }
        schema["description"] = json!(description);
        properties.insert(question.id.clone(), schema);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("massage-triage answer file (questionnaire version {})", questionnaire.version),
        "description": "One answer set: every question answered explicitly (an empty list says none of these).",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}
