//! Every result says which rule set, questionnaire and tool made it.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const ANSWERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/answers/desk-worker.toml");

fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let output = Command::cargo_bin("massage-triage")
        .unwrap()
        .args(args)
        .env("MASSAGE_TRIAGE_CACHE_DIR", "")
        .write_stdin(stdin)
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (output.status.code().unwrap(), text(output.stdout), text(output.stderr))
}

/// A copy of the built-in rules with `edit` applied to rules.toml.
fn copy(edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    crate::common::rules_copy(edit)
}

fn identity(json: &Value) -> Value {
    let fields = ["schema_version", "rule_set", "questionnaire_version", "tool_version"];
    fields.iter().map(|f| (f.to_string(), json[f].clone())).collect::<serde_json::Map<_, _>>().into()
}

#[test]
fn assess_batch_and_the_words_name_the_same_rule_set() {
    let (code, json, _) = run(&["assess", "--format", "json", "--answers", ANSWERS], "");
    assert_eq!(code, 0);
    let assessed = identity(&serde_json::from_str(&json).unwrap());
    assert_eq!(assessed["schema_version"], 1);
    assert_eq!(assessed["rule_set"]["name"], "massage-triage built-in");
    assert_eq!(assessed["rule_set"]["sha256"], massage_triage::rules::BUILT_IN_DIGEST.to_string());
    assert_eq!(assessed["questionnaire_version"], 2);
    assert_eq!(assessed["tool_version"], env!("CARGO_PKG_VERSION"));
    // Every batch line, answered or refused, carries the same.
    let answers = std::fs::read_to_string(ANSWERS.replace(".toml", ".json")).unwrap().replace('\n', "");
    let (_, lines, _) = run(&["batch"], &format!("{answers}\n{{\"version\": 2}}\n"));
    let lines: Vec<Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1]["error"].is_string());
    for line in &lines {
        assert_eq!(identity(line), assessed);
    }
    // The words end with it.
    let (_, words, _) = run(&["assess", "--answers", ANSWERS], "");
    let last = words.lines().last().unwrap();
    let digest = massage_triage::rules::BUILT_IN_DIGEST.to_string();
    assert!(last.starts_with("Rules: massage-triage built-in "), "{last}");
    assert!(last.contains(&format!("sha256 {}", &digest[..12])), "{last}");
}

#[test]
fn a_rule_set_names_itself_and_its_digest_follows_every_byte() {
    let renamed = copy(|r| r.replacen("name = \"massage-triage built-in\"", "name = \"Riverside clinic\"", 1));
    let commented = copy(|r| format!("{r}\n# reviewed\n"));
    let sha = |dir: &Path| {
        let (code, json, stderr) = run(&["rules", "check", "--format", "json", "--rules", dir.to_str().unwrap()], "");
        assert_eq!(code, 0, "{stderr}");
        let json: Value = serde_json::from_str(&json).unwrap();
        (json["rule_set"]["name"].clone(), json["rule_set"]["sha256"].as_str().unwrap().to_owned())
    };
    let (name, renamed_sha) = sha(renamed.path());
    assert_eq!(name, "Riverside clinic");
    let (_, commented_sha) = sha(commented.path());
    assert_ne!(renamed_sha, commented_sha);
    assert_ne!(commented_sha, massage_triage::rules::BUILT_IN_DIGEST.to_string(), "a comment is a byte too");
    // Without [meta]: no name, still a digest.
    let unnamed = copy(|r| {
        let start = r.find("[meta]").unwrap();
        let end = start + r[start..].find("[policy]").unwrap();
        format!("{}{}", &r[..start], &r[end..])
    });
    let (name, _) = sha(unnamed.path());
    assert!(name.is_null());
}

#[test]
fn a_bad_meta_value_is_refused_at_its_place() {
    let dated = copy(|r| r.replacen("effective = \"2026-12-01\"", "effective = \"1 December\"", 1));
    let (code, _, stderr) = run(&["rules", "check", "--rules", dated.path().to_str().unwrap()], "");
    assert_eq!(code, 2);
    assert!(stderr.contains("error[bad-meta]: [meta] effective must be a date, written YYYY-MM-DD"), "{stderr}");
    let empty = copy(|r| r.replacen("version = \"2.0\"", "version = \" \"", 1));
    let (code, _, stderr) = run(&["rules", "check", "--rules", empty.path().to_str().unwrap()], "");
    assert_eq!(code, 2);
    assert!(stderr.contains("error[bad-meta]: [meta] version is empty"), "{stderr}");
}
