//! `rules diff`: two rule sets compared over every answer set, end to end. The regions
//! themselves are compared with brute force in `check_brute_force`.

use crate::common::{built_in_copy, rules_copy};
use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn run(args: &[&str]) -> (i32, String, String) {
    let output =
        Command::cargo_bin("massage-triage").unwrap().args(args).env("MASSAGE_TRIAGE_CACHE_DIR", "").output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (output.status.code().unwrap(), text(output.stdout), text(output.stderr))
}

fn diff_json(old: &str, new: &str, extra: &[&str]) -> (i32, Value) {
    let (code, stdout, stderr) = run(&[&["rules", "diff", old, new, "--format", "json"], extra].concat());
    (code, serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}")))
}

fn path(dir: &tempfile::TempDir) -> &str {
    dir.path().to_str().unwrap()
}

/// Severe pain referred urgently: a safe, stronger rule set than the built-in one.
fn severe_pain_urgent(rules: String) -> String {
    let at = rules.find("id = \"severe_pain\"").unwrap();
    let rest = rules[at..].replacen("refer = \"routine\"", "refer = \"urgent\"", 1);
    format!("{}{rest}", &rules[..at])
}

#[test]
fn the_built_in_set_diffed_with_a_copy_of_itself_changes_nothing() {
    let copy = rules_copy(|r| r);
    let (code, json) = diff_json("built-in", path(&copy), &["--fail-on-change"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["changed"], false);
    assert_eq!(json["regions"].as_array().unwrap().len(), 0);
    assert_eq!(json["changed_sets"], 0);
    assert!(json["answer_sets"].as_u64().unwrap() > 0);
    assert_eq!(json["old"]["rule_set"]["sha256"], json["new"]["rule_set"]["sha256"]);
}

#[test]
fn a_lowered_urgency_is_found_with_an_example_that_assess_confirms() {
    // From the stronger set (severe pain urgent) to the built-in one: the urgency is lowered.
    let old = rules_copy(severe_pain_urgent);
    let (code, json) = diff_json(path(&old), "built-in", &[]);
    assert_eq!(code, 0);
    let regions = json["regions"].as_array().unwrap();
    assert!(!regions.is_empty(), "{json:#}");
    for region in regions {
        assert_eq!(region["old"]["urgency"], "urgent", "{region:#}");
        assert_eq!(region["new"]["urgency"], "routine", "{region:#}");
        assert_eq!(region["changes"], serde_json::json!(["urgency"]));
        assert_eq!(region["less_urgent"], true);
        assert_eq!(region["rules"][0]["rule"], "severe_pain");
        assert_eq!(region["rules"][0]["change"], "changed");
        // The example is an answer file: the old set refers it urgently, the built-in routinely.
        let file = tempfile::NamedTempFile::with_suffix(".toml").unwrap();
        std::fs::write(file.path(), region["example"].as_str().unwrap()).unwrap();
        let answers = file.path().to_str().unwrap();
        let assess = |rules: &[&str]| {
            let (code, stdout, stderr) = run(&[&["assess", "--format", "json", "--answers", answers], rules].concat());
            assert_eq!(code, 0, "{stderr}");
            serde_json::from_str::<Value>(&stdout).unwrap()
        };
        assert_eq!(assess(&["--rules", path(&old)])["urgency"], "urgent");
        assert_eq!(assess(&[])["urgency"], "routine");
    }
    let sets: u64 = regions.iter().map(|r| r["answer_sets"].as_u64().unwrap()).sum();
    assert_eq!(json["changed_sets"].as_u64().unwrap(), sets);
}

#[test]
fn fail_on_change_exits_3_and_the_words_name_the_region_first() {
    let old = rules_copy(severe_pain_urgent);
    let (code, stdout, _) = run(&["rules", "diff", path(&old), "built-in", "--fail-on-change"]);
    assert_eq!(code, 3);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("Old rules: "), "{stdout}");
    assert!(lines[1].starts_with("New rules: massage-triage built-in"), "{stdout}");
    assert!(lines[3].starts_with("1. physician (urgent) -> physician (routine) [urgency] (less urgent): "), "{stdout}");
    assert!(lines[4].contains("severe_pain (changed; old "), "{stdout}");
    assert!(stdout.contains("       severity = "), "{stdout}");
    assert!(lines.last().unwrap().starts_with("rules diff: "), "{stdout}");
}

#[test]
fn rule_sets_that_ask_different_questions_are_refused() {
    let other = built_in_copy(
        |r| r,
        |q| q.replacen("id = \"neck\"", "id = \"neck_pain\"", 1).replace("\"neck\"", "\"neck_pain\""),
    );
    let rules = std::fs::read_to_string(other.path().join("rules.toml")).unwrap();
    std::fs::write(other.path().join("rules.toml"), rules.replace("\"neck\"", "\"neck_pain\"")).unwrap();
    let (code, stdout, stderr) = run(&["rules", "diff", "built-in", path(&other)]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("error[other-questions]"), "{stderr}");
    assert!(stderr.contains("question \"location\" differs in its options"), "{stderr}");
}

#[test]
fn a_folder_that_does_not_load_is_refused_with_its_place() {
    let broken = rules_copy(|r| r.replacen("[[rule]]", "[rule]", 1));
    let (code, _, stderr) = run(&["rules", "diff", "built-in", path(&broken)]);
    assert_eq!(code, 2);
    assert!(stderr.contains(&format!("{}", Path::new(path(&broken)).join("rules.toml").display())), "{stderr}");
}

#[test]
fn a_diff_past_its_budget_is_refused_with_what_entangles_the_space() {
    let old = rules_copy(severe_pain_urgent);
    let (code, _, stderr) = run(&["rules", "diff", path(&old), "built-in", "--memory-limit", "1"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("error[not-proven]"), "{stderr}");
    assert!(stderr.contains("stopped at its memory limit of 1 MiB"), "{stderr}");
}
