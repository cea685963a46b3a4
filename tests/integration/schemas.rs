//! The committed JSON Schemas (`schemas/`) are the ones the code generates now, and the
//! built-in rule files name theirs for editors (taplo's `#:schema` line) and still load.
//! After a deliberate change: `MASSAGE_TRIAGE_UPDATE_SCHEMAS=1 cargo test --test integration
//! schemas::` writes them, and the diff is reviewed in the commit.

use massage_triage::rules::{RuleSet, BUILT_IN_CASES, BUILT_IN_QUESTIONNAIRE, BUILT_IN_RULES};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas");

#[test]
fn the_committed_schemas_are_the_generated_ones() {
    let rule_set = RuleSet::built_in().unwrap();
    let update = std::env::var_os("MASSAGE_TRIAGE_UPDATE_SCHEMAS").is_some_and(|v| v == "1");
    for (name, text) in massage_triage::schema::schemas(&rule_set.questionnaire) {
        let path = format!("{DIR}/{name}");
        if update {
            std::fs::create_dir_all(DIR).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{path} is not the generated schema; regenerate with MASSAGE_TRIAGE_UPDATE_SCHEMAS=1"
        );
        let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(schema["$schema"].as_str().unwrap().starts_with("https://json-schema.org/"), "{name}");
    }
}

#[test]
fn the_built_in_rule_files_name_their_schema_on_their_first_line() {
    for (text, schema) in
        [(BUILT_IN_QUESTIONNAIRE, "questionnaire"), (BUILT_IN_RULES, "rules"), (BUILT_IN_CASES, "cases")]
    {
        let first = text.lines().next().unwrap();
        assert_eq!(first, format!("#:schema ./../schemas/{schema}.schema.json"));
        assert!(std::path::Path::new(&format!("{DIR}/{schema}.schema.json")).exists());
    }
    // The line is a comment: the set loads, and its digest covers it as every byte.
    let rule_set = RuleSet::built_in().unwrap();
    assert_eq!(rule_set.digest, Some(massage_triage::rules::BUILT_IN_DIGEST));
    let without = massage_triage::rules::Digest::of_rule_set(
        BUILT_IN_QUESTIONNAIRE.split_once('\n').unwrap().1,
        BUILT_IN_RULES.split_once('\n').unwrap().1,
    );
    assert_ne!(without, massage_triage::rules::BUILT_IN_DIGEST);
}

#[test]
fn the_answer_schema_names_every_question_and_requires_the_unconditional_ones() {
    let rule_set = RuleSet::built_in().unwrap();
    let schema = massage_triage::schema::answers(&rule_set.questionnaire);
    for question in &rule_set.questionnaire.questions {
        assert!(schema["properties"][question.id.as_str()].is_object(), "{}", question.id);
        let required = schema["required"].as_array().unwrap().iter().any(|r| r == question.id.as_str());
        assert_eq!(required, question.ask_when.is_none(), "{}", question.id);
    }
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["properties"]["severity"]["maximum"], 10);
}
