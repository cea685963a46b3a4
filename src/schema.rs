//! JSON Schemas of the files people write (committed under `schemas/`): the three rule
//! files, derived with schemars from the raw serde types the loader itself reads, so that a
//! schema cannot drift from what loads; and answer files, whose keys are a questionnaire's
//! questions, built from the loaded questionnaire (no Rust type holds them).
//!
//! The JSON outputs too: the `assess` result (and `intake --format json`) derived from
//! [`crate::report::Outcome`], the type serialised; a batch line and the `rules check`
//! report, which are written by hand (no type holds them), as hand-written fragments.
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
    let mut result = serializing().into_root_schema_for::<crate::report::Outcome<'_>>().to_value();
    result["title"] = json!("massage-triage assess result (assess and intake --format json)");
    out.push(("assess-result.schema.json", pretty(&result)));
    out.push(("batch-line.schema.json", pretty(&batch_line())));
    out.push(("check-report.schema.json", pretty(&check_report())));
    out
}

/// The generator of output schemas: what serialising writes (a field skipped when empty
/// is not required).
fn serializing() -> schemars::SchemaGenerator {
    schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| s.contract = schemars::generate::Contract::Serialize)
        .into_generator()
}

/// The identity every JSON output carries, as the serialised type says it.
fn identity() -> Value {
    serializing().into_root_schema_for::<crate::rules::Identity<'_>>().to_value()
}

/// A batch JSON Lines line: an assess result with the record's `id` or `line`, or a refused
/// record (written by `batch/output.rs` from fragments, so this one is by hand).
fn batch_line() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "massage-triage batch line (JSON Lines output)",
        "$defs": identity_defs(),
        "oneOf": [
            {
                "description": "An answered record: the assess result, with `line` when the record has no id.",
                "allOf": [{ "$ref": "assess-result.schema.json" }],
                "properties": { "line": { "type": "integer", "minimum": 1 } },
                "not": { "required": ["error"] },
            },
            {
                "description": "A refused record.",
                "allOf": [{ "$ref": "#/$defs/Identity" }],
                "type": "object",
                "properties": {
                    "id": { "type": "string" },
                    "line": { "type": "integer", "minimum": 1 },
                    "error": { "type": "string", "description": "Every problem, joined by ` | `." },
                    "codes": { "type": "array", "items": { "type": "string" }, "description": "Each problem's code, in the order of `error`." },
                },
                "required": ["line", "error", "codes"],
            },
        ],
    })
}

/// The identity's definitions, for a hand-written schema's root `$defs`: `Identity` and
/// the types it names (its `#/$defs/...` references are to the root, so they move there).
fn identity_defs() -> Value {
    let mut identity = identity();
    let mut defs = identity.as_object_mut().and_then(|o| o.remove("$defs")).unwrap_or_else(|| json!({}));
    if let Some(object) = identity.as_object_mut() {
        object.remove("$schema");
        object.remove("title");
    }
    defs["Identity"] = identity;
    defs
}

/// `rules check --format json` (built by `report::check_json`, by hand).
fn check_report() -> Value {
    let count = json!({ "type": ["integer", "string"], "description": "A count; a string when JSON readers could not hold it exactly." });
    let text_or_null = json!({ "type": ["string", "null"] });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "massage-triage rules check report (rules check --format json)",
        "$defs": identity_defs(),
        "allOf": [{ "$ref": "#/$defs/Identity" }],
        "type": "object",
        "properties": {
            "safe": { "type": "boolean" },
            "passed": { "type": "boolean" },
            "answer_classes": count,
            "answer_sets": count,
            "combinations": { "type": "integer", "minimum": 0 },
            "findings": { "type": "array", "items": {
                "type": "object",
                "properties": {
                    "code": { "type": "string" },
                    "severity": { "type": "string", "enum": ["error", "warning"] },
                    "category": { "type": "string" },
                    "at": { "type": "string" },
                    "subject": text_or_null,
                    "message": { "type": "string" },
                    "rules": { "type": "array", "items": { "type": "object", "properties": {
                        "rule": { "type": "string" }, "at": { "type": "string" },
                    }, "required": ["rule", "at"] } },
                    "counterexample": text_or_null,
                    "outcome": text_or_null,
                    "before": text_or_null,
                    "before_outcome": text_or_null,
                },
                "required": ["code", "severity", "category", "at", "message", "rules"],
            } },
        },
        "required": ["safe", "passed", "answer_classes", "answer_sets", "combinations", "findings"],
    })
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
        let mut description = question.therapist.to_string();
        match &question.ask_when {
            // A conditional question is answered exactly when its condition holds, which a
            // schema cannot say in general: the loader checks it.
            Some(when) => description.push_str(&format!(" (answered only when {})", when.describe(questionnaire))),
            None => required.push(question.id.to_string()),
        }
        schema["description"] = json!(description);
        properties.insert(question.id.to_string(), schema);
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
