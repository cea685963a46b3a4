//! `rules export --format fhir`: the questionnaire as an HL7 FHIR R4 `Questionnaire`
//! resource (JSON), so that a clinic's record system can show it and store the answers as a
//! `QuestionnaireResponse` that names it by `url|version`.
//!
//! What FHIR has no element for (the safety marks, the therapist's wording, the option
//! groups, the rule set's digest) is carried in extensions of our own, each under
//! [`EXTENSION_BASE`]; the README lists them.

use crate::choice::Choice;
use crate::condition::{Condition, SetTest};
use crate::questionnaire::{AnswerOption, Question, QuestionKind, Questionnaire};
use crate::rules::RuleSet;
use serde_json::{json, Map, Value};

/// The base of every URL this export defines: the Questionnaire's canonical URL, the code
/// systems of the options and the extensions. Stable: a stored QuestionnaireResponse
/// refers to it.
pub const BASE_URL: &str = "https://massage-triage.example/fhir";

/// Where our extensions are defined: `{EXTENSION_BASE}/min-urgency` and so on.
pub const EXTENSION_BASE: &str = "https://massage-triage.example/fhir/StructureDefinition";

/// FHIR's own extensions used here (R4 core).
const MIN_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/minValue";
const MAX_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/maxValue";
const ITEM_CONTROL: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl";

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportFormat {
    /// An HL7 FHIR R4 Questionnaire resource (JSON).
    #[default]
    Fhir,
}

impl Choice for ExportFormat {
    const ALL: &'static [Self] = &[ExportFormat::Fhir];

    fn name(self) -> &'static str {
        "fhir"
    }

    fn help(self) -> &'static str {
        "An HL7 FHIR R4 Questionnaire resource (JSON)"
    }
}

/// The rule set's questionnaire as a FHIR R4 Questionnaire.
pub fn questionnaire(rule_set: &RuleSet) -> Value {
    let identity = rule_set.identity();
    let name = identity.rule_set.name.unwrap_or("massage-triage");
    let digest = identity.rule_set.sha256.clone();
    let mut resource = json!({
        "resourceType": "Questionnaire",
        "url": canonical_url(rule_set),
        "version": version(rule_set),
        "name": computable_name(name),
        "title": format!("{name}: back and neck pain triage"),
        "status": "active",
        "subjectType": ["Patient"],
        "extension": [
            extension("questionnaire-version", json!({ "valueInteger": identity.questionnaire_version })),
            extension("tool-version", json!({ "valueString": identity.tool_version })),
        ],
        "item": rule_set.questionnaire.questions.iter().map(|q| item(&rule_set.questionnaire, q)).collect::<Vec<_>>(),
    });
    if let Some(effective) = identity.rule_set.effective {
        resource["date"] = json!(effective);
    }
    if let Some(sha256) = digest {
        resource["identifier"] = json!([{ "system": format!("{BASE_URL}/rule-set-sha256"), "value": sha256 }]);
    }
    resource
}

/// `{BASE_URL}/Questionnaire/{the rule set's name, as a URL segment}`.
pub fn canonical_url(rule_set: &RuleSet) -> String {
    url_of(rule_set.meta.name.as_deref())
}

fn url_of(name: Option<&str>) -> String {
    let name = name.unwrap_or("massage-triage");
    let segment: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let segment = segment.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
    format!("{BASE_URL}/Questionnaire/{}", if segment.is_empty() { "massage-triage" } else { &segment })
}

/// The resource's version: `[meta] version` when the rule set has one, else the start of
/// its digest, so that `url|version` names one rule set's questions either way.
pub fn version(rule_set: &RuleSet) -> String {
    version_of(rule_set.meta.version.as_deref(), rule_set.digest.map(|d| d.to_string()).as_deref())
}

fn version_of(version: Option<&str>, sha256: Option<&str>) -> String {
    match (version, sha256) {
        (Some(version), _) => version.to_owned(),
        (None, Some(sha256)) => format!("sha256-{}", &sha256[..12.min(sha256.len())]),
        (None, None) => "unversioned".to_owned(),
    }
}

/// FHIR's `name` is for machines: a capital letter, then letters, digits and `_`.
fn computable_name(name: &str) -> String {
    let words = name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty());
    let mut out: String = words
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars).collect::<String>()
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_uppercase()) {
        out.insert(0, 'Q');
    }
    out.truncate(255);
    out
}

fn extension(name: &str, value: Value) -> Value {
    let mut object = Map::new();
    object.insert("url".to_owned(), json!(format!("{EXTENSION_BASE}/{name}")));
    if let Value::Object(value) = value {
        object.extend(value);
    }
    Value::Object(object)
}

fn item(questionnaire: &Questionnaire, question: &Question) -> Value {
    let mut item = json!({ "linkId": question.id, "text": question.desk });
    let mut extensions = vec![extension("therapist-text", json!({ "valueString": question.therapist }))];
    match question.kind {
        QuestionKind::OneOf => {
            item["type"] = json!("choice");
            item["required"] = json!(true);
        }
        QuestionKind::SeveralOf { min_selected } => {
            item["type"] = json!("choice");
            item["repeats"] = json!(true);
            // An empty list says "none of these": only a question that needs a tick is
            // required.
            item["required"] = json!(min_selected > 0);
        }
        QuestionKind::Number { min, max } => {
            item["type"] = json!("integer");
            item["required"] = json!(true);
            extensions.push(json!({ "url": MIN_VALUE, "valueInteger": min }));
            extensions.push(json!({ "url": MAX_VALUE, "valueInteger": max }));
        }
        QuestionKind::YesNo => {
            item["type"] = json!("boolean");
            item["required"] = json!(true);
        }
    }
    if question.escalating {
        extensions.push(extension("escalating", json!({ "valueBoolean": true })));
    }
    if let Some(when) = &question.ask_when {
        extensions.push(extension("ask-when", json!({ "valueString": when.describe(questionnaire) })));
        if let Some((conditions, behavior)) = enable_when(questionnaire, when) {
            item["enableWhen"] = Value::Array(conditions);
            if let Some(behavior) = behavior {
                item["enableBehavior"] = json!(behavior);
            }
        }
    }
    item["extension"] = Value::Array(extensions);
    if !question.options.is_empty() {
        let system = format!("{BASE_URL}/CodeSystem/{}", question.id);
        let options: Vec<Value> = question.options.iter().map(|o| answer_option(&system, o)).collect();
        item["answerOption"] = Value::Array(options);
    }
    if !question.help.is_empty() {
        item["item"] = json!([help_item(question)]);
    }
    item
}

/// The help as FHIR shows help: a display item under the question, marked `help`.
fn help_item(question: &Question) -> Value {
    json!({
        "linkId": format!("{}.help", question.id),
        "type": "display",
        "text": question.help,
        "extension": [{
            "url": ITEM_CONTROL,
            "valueCodeableConcept": { "coding": [{ "system": "http://hl7.org/fhir/questionnaire-item-control", "code": "help" }] },
        }],
    })
}

fn answer_option(system: &str, option: &AnswerOption) -> Value {
    let mut extensions = Vec::new();
    if option.red_flag {
        extensions.push(extension("red-flag", json!({ "valueBoolean": true })));
    }
    if let Some(urgency) = option.min_urgency {
        extensions.push(extension("min-urgency", json!({ "valueCode": urgency.id() })));
    }
    for style in option.forbids.iter() {
        extensions.push(extension("forbids", json!({ "valueCode": style.id() })));
    }
    if let Some(pressure) = option.max_pressure {
        extensions.push(extension("max-pressure", json!({ "valueCode": pressure.id() })));
    }
    if let Some(group) = &option.group {
        extensions.push(extension("option-group", json!({ "valueString": group })));
    }
    if !option.help.is_empty() {
        extensions.push(extension("option-help", json!({ "valueString": option.help })));
    }
    let mut value = json!({ "valueCoding": { "system": system, "code": option.id, "display": option.label } });
    if !extensions.is_empty() {
        value["extension"] = Value::Array(extensions);
    }
    value
}

/// A condition as `enableWhen` with its `enableBehavior` (none for a single test), where
/// FHIR can say it: tests on options, yes/no, number bounds, and one `all` or `any` of
/// them. `None` otherwise (a `not`, nested logic, `contains_none`, `asked`): the
/// `ask-when` extension still says it in words.
fn enable_when(questionnaire: &Questionnaire, when: &Condition) -> Option<(Vec<Value>, Option<&'static str>)> {
    match when {
        Condition::All(parts) | Condition::Any(parts) => {
            let behavior = if matches!(when, Condition::All(_)) { "all" } else { "any" };
            let mut conditions = Vec::new();
            for part in parts {
                let (tests, inner) = enable_when(questionnaire, part)?;
                // One level of logic only: an inner behaviour other than ours cannot be said.
                if inner.is_some_and(|inner| inner != behavior) {
                    return None;
                }
                conditions.extend(tests);
            }
            Some((conditions, Some(behavior)))
        }
        test => leaf(questionnaire, test),
    }
}

fn leaf(questionnaire: &Questionnaire, test: &Condition) -> Option<(Vec<Value>, Option<&'static str>)> {
    let coded = |question: usize, bits: u64| -> Vec<Value> {
        let q = &questionnaire.questions[question];
        let system = format!("{BASE_URL}/CodeSystem/{}", q.id);
        q.options
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, o)| {
                json!({ "question": q.id, "operator": "=", "answerCoding": { "system": system, "code": o.id } })
            })
            .collect()
    };
    let several = |tests: Vec<Value>, behavior: &'static str| {
        let behavior = (tests.len() > 1).then_some(behavior);
        Some((tests, behavior))
    };
    match *test {
        Condition::Choice { question, options } => several(coded(question, options), "any"),
        Condition::Contains { question, options, test: SetTest::ContainsAny } => {
            several(coded(question, options), "any")
        }
        Condition::Contains { question, options, test: SetTest::ContainsAll } => {
            several(coded(question, options), "all")
        }
        Condition::YesNo { question, value } => {
            let id = &questionnaire.questions[question].id;
            Some((vec![json!({ "question": id, "operator": "=", "answerBoolean": value })], None))
        }
        Condition::Number { question, min, max } => {
            let q = &questionnaire.questions[question];
            let (lowest, highest) = match q.kind {
                QuestionKind::Number { min, max } => (min, max),
                _ => return None,
            };
            let mut tests = Vec::new();
            if min > lowest {
                tests.push(json!({ "question": q.id, "operator": ">=", "answerInteger": min }));
            }
            if max < highest {
                tests.push(json!({ "question": q.id, "operator": "<=", "answerInteger": max }));
            }
            if tests.is_empty() {
                tests.push(json!({ "question": q.id, "operator": "exists", "answerBoolean": true }));
            }
            several(tests, "all")
        }
        _ => None,
    }
}

/// Why a record cannot be written as a QuestionnaireResponse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// The record was made under another rule set (by name and version) than the one it is
    /// exported with: its response would name the wrong Questionnaire.
    #[error(
        "this record was made under {record}, and it is exported with {used}; pass that rule set's folder with --rules"
    )]
    OtherRuleSet {
        /// The Questionnaire the record answers (`url|version`).
        record: String,
        /// The one the rule set given exports.
        used: String,
    },
}

/// `url|version` of the Questionnaire a rule set exports, from its name, version and digest
/// as a record states them.
fn reference(name: Option<&str>, version: Option<&str>, sha256: Option<&str>) -> String {
    format!("{}|{}", url_of(name), version_of(version, sha256))
}

/// An intake's record (see [`crate::intake::record`]) as an HL7 FHIR R4
/// QuestionnaireResponse answering [`questionnaire`]'s export of the same rule set.
///
/// Where the two meet: `status` (`completed`; `stopped` for a call stopped on a referral and
/// for an interrupted one, since a record is never resumed, with our own status in an
/// extension), `authored`, `questionnaire` (`url|version`), the booking `id` as
/// `identifier`, and one item a question answered (`linkId` = our id; an option as a
/// `valueCoding` of the export's code system, a number as `valueInteger`, yes/no as
/// `valueBoolean`; "none of these" as an item with no answer and a `none-of-these`
/// extension, since FHIR has no empty answer). `answers` are the record's, already checked
/// against the questionnaire; `record` is its JSON object.
pub fn questionnaire_response(
    rule_set: &RuleSet,
    record: &Value,
    answers: &crate::answers::GivenAnswers,
) -> Result<Value, ResponseError> {
    let used = format!("{}|{}", canonical_url(rule_set), version(rule_set));
    let made = &record["rule_set"];
    let made = reference(made["name"].as_str(), made["version"].as_str(), made["sha256"].as_str());
    if made != used {
        return Err(ResponseError::OtherRuleSet { record: made, used });
    }
    let status = record["status"].as_str().unwrap_or("interrupted");
    let mut response = json!({
        "resourceType": "QuestionnaireResponse",
        "questionnaire": used,
        "status": if status == "completed" { "completed" } else { "stopped" },
        "extension": [extension("call-status", json!({ "valueCode": status }))],
        "item": response_items(&rule_set.questionnaire, &answers.values),
    });
    if let Some(authored) = record["authored"].as_str() {
        response["authored"] = json!(authored);
    }
    if let Some(id) = &answers.id {
        response["identifier"] = json!({ "system": format!("{BASE_URL}/booking"), "value": id });
    }
    Ok(response)
}

/// One item a question answered, in questionnaire order.
fn response_items(questionnaire: &Questionnaire, values: &[Option<crate::answers::Answer>]) -> Vec<Value> {
    use crate::answers::Shown;
    let mut items = Vec::new();
    for (question, value) in questionnaire.questions.iter().zip(values) {
        let Some(value) = value else { continue };
        let system = format!("{BASE_URL}/CodeSystem/{}", question.id);
        let coding =
            |o: &AnswerOption| json!({ "valueCoding": { "system": system, "code": o.id, "display": o.label } });
        let answers: Vec<Value> = match value.shown(question) {
            Shown::Option(option) => option.map(coding).into_iter().collect(),
            Shown::Options(options) => options.into_iter().map(coding).collect(),
            Shown::Number(n) => vec![json!({ "valueInteger": n })],
            Shown::YesNo(b) => vec![json!({ "valueBoolean": b })],
            Shown::NotAsked => continue,
        };
        let mut item = json!({ "linkId": question.id, "text": question.desk });
        if answers.is_empty() {
            item["extension"] = json!([extension("none-of-these", json!({ "valueBoolean": true }))]);
        } else {
            item["answer"] = Value::Array(answers);
        }
        items.push(item);
    }
    items
}
