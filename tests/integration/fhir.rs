//! `rules export --format fhir`: an HL7 FHIR R4 Questionnaire, checked against the
//! structure rules R4 publishes for the resource (required elements, cardinalities, value
//! sets and invariants que-1 to que-12 that apply to what we write), implemented here since
//! the official JSON schema is not vendored.

use massage_triage::questionnaire::QuestionKind;
use massage_triage::rules::RuleSet;
use serde_json::Value;

fn export(args: &[&str]) -> (i32, String, String) {
    crate::common::rules_command("export", args)
}

/// R4 value sets (hl7.org/fhir/R4/valueset-*).
const STATUS: &[&str] = &["draft", "active", "retired", "unknown"];
const ITEM_TYPE: &[&str] = &[
    "group",
    "display",
    "boolean",
    "decimal",
    "integer",
    "date",
    "dateTime",
    "time",
    "string",
    "text",
    "url",
    "choice",
    "open-choice",
    "attachment",
    "reference",
    "quantity",
];
const OPERATOR: &[&str] = &["exists", "=", "!=", ">", "<", ">=", "<="];
const BEHAVIOR: &[&str] = &["all", "any"];

/// Every problem with the resource's structure, as `path: what`.
fn problems(resource: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut need = |ok: bool, what: String| {
        if !ok {
            out.push(what);
        }
    };
    need(resource["resourceType"] == "Questionnaire", "resourceType".into());
    need(resource["status"].as_str().is_some_and(|s| STATUS.contains(&s)), "status".into());
    for key in ["url", "version", "name", "title"] {
        need(resource[key].as_str().is_some_and(|s| !s.is_empty()), format!("{key} is not a non-empty string"));
    }
    // que-0: name is computer-friendly.
    let name = resource["name"].as_str().unwrap_or_default();
    let friendly = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 255;
    need(friendly, format!("name {name:?} breaks que-0"));
    need(resource["url"].as_str().is_some_and(|u| u.starts_with("https://")), "url is not absolute".into());
    extensions(resource, "", &mut out);
    let mut link_ids = Vec::new();
    for (i, item) in resource["item"].as_array().into_iter().flatten().enumerate() {
        check_item(item, &format!("item[{i}]"), &mut link_ids, &mut out);
    }
    // que-2: linkIds are unique.
    let mut sorted = link_ids.clone();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != link_ids.len() {
        out.push("que-2: linkIds are not unique".into());
    }
    // enableWhen.question names an item.
    for item in resource["item"].as_array().into_iter().flatten() {
        for condition in item["enableWhen"].as_array().into_iter().flatten() {
            let question = condition["question"].as_str().unwrap_or_default();
            if !link_ids.iter().any(|l| l == question) {
                out.push(format!("enableWhen names no item: {question}"));
            }
        }
    }
    out
}

fn check_item(item: &Value, at: &str, link_ids: &mut Vec<String>, out: &mut Vec<String>) {
    let Some(link_id) = item["linkId"].as_str() else {
        out.push(format!("{at}: no linkId"));
        return;
    };
    link_ids.push(link_id.to_owned());
    let kind = item["type"].as_str().unwrap_or_default();
    if !ITEM_TYPE.contains(&kind) {
        out.push(format!("{at}: type {kind:?}"));
    }
    for key in ["required", "repeats"] {
        if !item[key].is_null() && !item[key].is_boolean() {
            out.push(format!("{at}: {key} is not a boolean"));
        }
    }
    // que-6: display items are neither required nor repeated; que-9: nor read as answers.
    if kind == "display" && (item.get("required").is_some() || item.get("repeats").is_some()) {
        out.push(format!("{at}: que-6"));
    }
    // que-5: only choice items have answerOption.
    if item.get("answerOption").is_some() && !matches!(kind, "choice" | "open-choice") {
        out.push(format!("{at}: que-5"));
    }
    for (o, option) in item["answerOption"].as_array().into_iter().flatten().enumerate() {
        let coding = &option["valueCoding"];
        if !coding["code"].is_string() || !coding["display"].is_string() {
            out.push(format!("{at}.answerOption[{o}]: valueCoding without code or display"));
        }
        extensions(option, &format!("{at}.answerOption[{o}]"), out);
    }
    let conditions = item["enableWhen"].as_array().map_or(0, Vec::len);
    for (c, condition) in item["enableWhen"].as_array().into_iter().flatten().enumerate() {
        let operator = condition["operator"].as_str().unwrap_or_default();
        if !OPERATOR.contains(&operator) {
            out.push(format!("{at}.enableWhen[{c}]: operator {operator:?}"));
        }
        let answers: Vec<&String> =
            condition.as_object().into_iter().flatten().map(|(k, _)| k).filter(|k| k.starts_with("answer")).collect();
        if answers.len() != 1 {
            out.push(format!("{at}.enableWhen[{c}]: answer[x] must be exactly one"));
        }
        // que-7: exists takes a boolean.
        if operator == "exists" && !condition["answerBoolean"].is_boolean() {
            out.push(format!("{at}.enableWhen[{c}]: que-7"));
        }
    }
    // que-12: more than one enableWhen needs enableBehavior.
    let behavior = item["enableBehavior"].as_str();
    if conditions > 1 && behavior.is_none() {
        out.push(format!("{at}: que-12"));
    }
    if behavior.is_some_and(|b| !BEHAVIOR.contains(&b)) {
        out.push(format!("{at}: enableBehavior {behavior:?}"));
    }
    extensions(item, at, out);
    for (i, child) in item["item"].as_array().into_iter().flatten().enumerate() {
        check_item(child, &format!("{at}.item[{i}]"), link_ids, out);
    }
}

/// Every extension has an absolute url and exactly one value[x].
fn extensions(element: &Value, at: &str, out: &mut Vec<String>) {
    for (e, extension) in element["extension"].as_array().into_iter().flatten().enumerate() {
        let url = extension["url"].as_str().unwrap_or_default();
        let values = extension.as_object().into_iter().flatten().filter(|(k, _)| k.starts_with("value")).count();
        if !(url.starts_with("http://") || url.starts_with("https://")) || values != 1 {
            out.push(format!("{at}.extension[{e}]: url {url:?}, {values} value[x]"));
        }
    }
}

fn extension<'a>(element: &'a Value, name: &str) -> Vec<&'a Value> {
    let url = format!("{}/{name}", massage_triage::fhir::EXTENSION_BASE);
    let all = element["extension"].as_array().into_iter().flatten();
    all.filter(|e| e["url"] == url.as_str()).collect()
}

#[test]
fn the_export_is_an_r4_questionnaire_with_every_question_and_safety_mark() {
    let (code, json, stderr) = export(&["--format", "fhir"]);
    assert_eq!(code, 0, "{stderr}");
    let resource: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(problems(&resource), Vec::<String>::new());
    let rule_set = RuleSet::built_in().unwrap();
    // Named by the rule set's identity, so a QuestionnaireResponse can cite `url|version`.
    assert_eq!(resource["url"], "https://massage-triage.example/fhir/Questionnaire/massage-triage-built-in");
    assert_eq!(resource["version"], "2.0");
    assert_eq!(resource["name"], "MassageTriageBuiltIn");
    assert_eq!(resource["date"], "2026-12-01");
    assert_eq!(resource["identifier"][0]["value"], massage_triage::rules::BUILT_IN_DIGEST.to_string());
    let items = resource["item"].as_array().unwrap();
    assert_eq!(items.len(), rule_set.questionnaire.questions.len());
    for (item, question) in items.iter().zip(&rule_set.questionnaire.questions) {
        assert_eq!(item["linkId"], question.id.as_str());
        assert_eq!(item["text"], question.desk.as_str());
        let (kind, repeats) = match question.kind {
            QuestionKind::OneOf => ("choice", false),
            QuestionKind::SeveralOf { .. } => ("choice", true),
            QuestionKind::Number { .. } => ("integer", false),
            QuestionKind::YesNo => ("boolean", false),
        };
        assert_eq!(item["type"], kind, "{}", question.id);
        assert_eq!(item["repeats"].as_bool().unwrap_or(false), repeats, "{}", question.id);
        if let QuestionKind::Number { min, max } = question.kind {
            let bound = |url: &str| item["extension"].as_array().unwrap().iter().find(|e| e["url"] == url).cloned();
            assert_eq!(bound("http://hl7.org/fhir/StructureDefinition/minValue").unwrap()["valueInteger"], min);
            assert_eq!(bound("http://hl7.org/fhir/StructureDefinition/maxValue").unwrap()["valueInteger"], max);
        }
        let options = item["answerOption"].as_array().map_or(&[][..], Vec::as_slice);
        assert_eq!(options.len(), question.options.len());
        for (value, option) in options.iter().zip(&question.options) {
            assert_eq!(value["valueCoding"]["code"], option.id.as_str());
            assert_eq!(value["valueCoding"]["display"], option.label.as_str());
            let urgency = extension(value, "min-urgency").first().map(|e| e["valueCode"].clone());
            assert_eq!(urgency, option.min_urgency.map(|u| Value::from(u.id())), "{}", option.id);
            assert_eq!(extension(value, "forbids").len(), option.forbids.iter().count(), "{}", option.id);
            assert_eq!(extension(value, "red-flag").len(), usize::from(option.red_flag), "{}", option.id);
        }
    }
    // The conditional question, as enableWhen.
    let signs = items.iter().find(|i| i["linkId"] == "pregnancy_signs").unwrap();
    assert_eq!(
        signs["enableWhen"],
        serde_json::json!([{
            "question": "contraindications", "operator": "=",
            "answerCoding": { "system": "https://massage-triage.example/fhir/CodeSystem/contraindications", "code": "pregnancy" },
        }])
    );
    assert_eq!(extension(signs, "ask-when")[0]["valueString"], "contraindications includes pregnancy");
}

#[test]
fn two_tests_in_enable_when_name_their_behaviour() {
    // The pregnancy question asked on either of two answers: two enableWhen, "any".
    let either = crate::common::built_in_copy(
        |rules| rules,
        |q| q.replacen("contains_any = [\"pregnancy\"] }", "contains_any = [\"pregnancy\", \"blood_clot\"] }", 1),
    );
    // The library's export, without the safety gate the command adds: only the shape is
    // at stake here.
    let rule_set = RuleSet::load_dir(either.path()).unwrap();
    let resource = massage_triage::fhir::questionnaire(&rule_set);
    assert_eq!(problems(&resource), Vec::<String>::new());
    let signs = resource["item"].as_array().unwrap().iter().find(|i| i["linkId"] == "pregnancy_signs").unwrap();
    assert_eq!(signs["enableWhen"].as_array().unwrap().len(), 2);
    assert_eq!(signs["enableBehavior"], "any");
}

#[test]
fn the_checker_catches_what_r4_forbids() {
    let (_, json, _) = export(&[]);
    let mut resource: Value = serde_json::from_str(&json).unwrap();
    resource["status"] = "final".into();
    resource["item"][0]["type"] = "multiple".into();
    resource["item"][7]["enableWhen"][0]["operator"] = "contains".into();
    resource["item"][1]["linkId"] = "red_flags".into();
    let found = problems(&resource);
    for expected in ["status", "item[0]: type", "operator \"contains\"", "que-2"] {
        assert!(found.iter().any(|p| p.contains(expected)), "{expected} not caught: {found:?}");
    }
}

// ---------------------------------------------------------------- records as responses

const RECORDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/answers");

/// The problems of a QuestionnaireResponse against the Questionnaire it names: R4's
/// required elements and value sets, and every item and coded answer found in the
/// Questionnaire (the same linkId, an answerOption of that item, of its code system).
fn response_problems(response: &Value, questionnaire: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if response["resourceType"] != "QuestionnaireResponse" {
        out.push("resourceType".to_owned());
    }
    let statuses = ["in-progress", "completed", "amended", "entered-in-error", "stopped"];
    if !statuses.contains(&response["status"].as_str().unwrap_or_default()) {
        out.push(format!("status {}", response["status"]));
    }
    let reference =
        format!("{}|{}", questionnaire["url"].as_str().unwrap(), questionnaire["version"].as_str().unwrap());
    if response["questionnaire"] != Value::String(reference) {
        out.push(format!("questionnaire {}", response["questionnaire"]));
    }
    let items = questionnaire["item"].as_array().unwrap();
    for item in response["item"].as_array().unwrap() {
        let link = item["linkId"].as_str().unwrap_or_default();
        let Some(asked) = items.iter().find(|i| i["linkId"] == link) else {
            out.push(format!("no question {link}"));
            continue;
        };
        // qrs-1: an item has answers or items, not both; FHIR arrays are never empty.
        if item.get("answer").is_some_and(|a| a.as_array().is_none_or(Vec::is_empty)) {
            out.push(format!("{link}: empty answer array"));
        }
        for answer in item["answer"].as_array().into_iter().flatten() {
            match (&answer["valueCoding"], asked["type"].as_str()) {
                (Value::Object(coding), Some("choice")) => {
                    let offered = asked["answerOption"].as_array().unwrap().iter().any(|o| {
                        o["valueCoding"]["code"] == coding["code"] && o["valueCoding"]["system"] == coding["system"]
                    });
                    if !offered {
                        out.push(format!("{link}: {} is no option", coding["code"]));
                    }
                }
                (Value::Null, Some("integer")) if answer["valueInteger"].is_i64() => {}
                (Value::Null, Some("boolean")) if answer["valueBoolean"].is_boolean() => {}
                (_, kind) => out.push(format!("{link}: {answer} does not answer a {kind:?} item")),
            }
        }
    }
    out
}

fn response_of(record: &str) -> Value {
    let (code, stdout, stderr) = export(&["--record", record]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn records_become_responses_to_the_exported_questionnaire() {
    let (_, questionnaire, _) = export(&[]);
    let questionnaire: Value = serde_json::from_str(&questionnaire).unwrap();
    for (file, status, call_status, answered) in
        [("record-routine.json", "stopped", "stopped", 5), ("record-interrupted.json", "stopped", "interrupted", 1)]
    {
        let record = format!("{RECORDS}/{file}");
        let response = response_of(&record);
        assert_eq!(response_problems(&response, &questionnaire), Vec::<String>::new(), "{file}: {response:#}");
        assert_eq!(response["status"], status, "{file}");
        assert_eq!(response["extension"][0]["valueCode"], call_status, "{file}");
        assert_eq!(response["item"].as_array().unwrap().len(), answered, "{file}");
        let written: Value = serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
        assert_eq!(response["authored"], written["authored"], "{file}");
    }
    // The routine call: severity 9 as an integer, no red flag as "none of these".
    let response = response_of(&format!("{RECORDS}/record-routine.json"));
    let item = |id: &str| response["item"].as_array().unwrap().iter().find(|i| i["linkId"] == id).unwrap().clone();
    assert_eq!(item("severity")["answer"][0]["valueInteger"], 9);
    assert!(item("red_flags").get("answer").is_none());
    assert_eq!(item("red_flags")["extension"][0]["valueBoolean"], true);
    assert_eq!(response["identifier"]["value"], "booking-1042");
}

#[test]
fn a_completed_record_is_a_completed_response_and_another_rule_sets_is_refused() {
    let mut record: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{RECORDS}/record-routine.json")).unwrap()).unwrap();
    record["status"] = "completed".into();
    let desk_worker =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/desk-worker.toml")).unwrap();
    let mut answers: toml::Table = toml::from_str(&desk_worker).unwrap();
    answers.remove("version");
    answers.remove("id");
    record["answers"] = serde_json::to_value(answers).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("completed.json");
    std::fs::write(&path, record.to_string()).unwrap();
    let response = response_of(path.to_str().unwrap());
    assert_eq!(response["status"], "completed");
    assert_eq!(response["item"].as_array().unwrap().len(), 9, "{response:#}");
    // Made under another rule set (by name): its response would name the wrong Questionnaire.
    record["rule_set"]["name"] = "Northside clinic".into();
    std::fs::write(&path, record.to_string()).unwrap();
    let (code, stdout, stderr) = export(&["--record", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("error[bad-record]") && stderr.contains("northside-clinic|2.0"), "{stderr}");
}
