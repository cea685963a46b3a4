//! The safety floor: a folder's rule set keeps every built-in safety statement, or says
//! which it weakens and why; every result made with such a set says so.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const EMERGENCY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/emergency.toml");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let output = Command::cargo_bin("massage-triage")
        .unwrap()
        .args(args)
        .env("MASSAGE_TRIAGE_CACHE_DIR", "")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    Run { code: output.status.code().unwrap(), stdout: text(output.stdout), stderr: text(output.stderr) }
}

/// A copy of the built-in rules with both files edited.
fn copy(rules: impl FnOnce(String) -> String, questionnaire: impl FnOnce(String) -> String) -> tempfile::TempDir {
    crate::common::built_in_copy(rules, questionnaire)
}

/// `text` with `from` replaced by `to` in the first place after `after`.
fn after(text: &str, after: &str, from: &str, to: &str) -> String {
    let at = text.find(after).unwrap();
    let found = at + text[at..].find(from).unwrap();
    format!("{}{to}{}", &text[..found], &text[found + from.len()..])
}

/// The three-line edit: cauda equina referred routine, and the two marks that
/// would have caught it deleted.
fn three_line_edit(declared: &str) -> tempfile::TempDir {
    copy(
        |r| after(&r, "id = \"cauda_equina\"", "refer = \"emergency\"", "refer = \"routine\""),
        |q| {
            let q = after(&q, "id = \"bladder_bowel\"", "min_urgency = \"emergency\"\n", "");
            let q = after(&q, "id = \"saddle_numbness\"", "min_urgency = \"emergency\"\n", "");
            format!("{q}{declared}")
        },
    )
}

fn check_json(dir: &Path) -> (i32, Value) {
    let run = run(&["rules", "check", "--format", "json", "--rules", dir.to_str().unwrap()]);
    (run.code, serde_json::from_str(&run.stdout).unwrap())
}

fn floor_findings(json: &Value) -> Vec<(String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "floor-weakened")
        .map(|f| (f["subject"].as_str().unwrap_or_default().to_owned(), f["message"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn the_three_line_edit_is_refused_everywhere() {
    let dir = three_line_edit("");
    let (code, json) = check_json(dir.path());
    assert_eq!(code, 3);
    let found = floor_findings(&json);
    let names: Vec<&str> = found.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(names, ["red_flags.bladder_bowel", "red_flags.saddle_numbness"], "{json:#}");
    assert!(
        found[0].1.contains("min_urgency = \"emergency\") is weakened here: min_urgency is none"),
        "{}",
        found[0].1
    );
    let rules = dir.path().to_str().unwrap();
    let assess = run(&["assess", "--rules", rules, "--answers", EMERGENCY]);
    assert_eq!(assess.code, 2, "{}", assess.stdout);
    assert!(assess.stderr.contains("[floor-weakened]; this rule set is refused"), "{}", assess.stderr);
    // An empty input of our own, not /dev/null: the same test on Windows.
    let none = dir.path().join("none.jsonl");
    std::fs::write(&none, "").unwrap();
    let batch = run(&["batch", "--rules", rules, "--input", none.to_str().unwrap()]);
    assert_eq!(batch.code, 2);
    assert!(batch.stderr.contains("this rule set is refused"), "{}", batch.stderr);
}

#[test]
fn a_declared_exception_is_accepted_and_shown_in_every_output() {
    let declared = "\n[[floor_exception]]\nstatement = \"red_flags.bladder_bowel\"\nbecause = \"Our physician sees these callers at once.\"\n\n[[floor_exception]]\nstatement = \"red_flags.saddle_numbness\"\nbecause = \"Our physician sees these callers at once.\"\n";
    let dir = three_line_edit(declared);
    let rules = dir.path().to_str().unwrap();
    let (code, json) = check_json(dir.path());
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["overrides"][0]["statement"], "red_flags.bladder_bowel");
    let assess = run(&["assess", "--rules", rules, "--answers", EMERGENCY]);
    assert_eq!(assess.code, 0, "{}", assess.stderr);
    let line = "Overrides the built-in safety floor: red_flags.saddle_numbness (because: Our physician sees these callers at once.)";
    assert!(assess.stdout.contains(line), "{}", assess.stdout);
    assert!(assess
        .stderr
        .contains("warning: this rule set overrides the built-in safety floor: red_flags.bladder_bowel"));
    let json = run(&["assess", "--rules", rules, "--answers", EMERGENCY, "--format", "json"]);
    let json: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["overrides"].as_array().unwrap().len(), 2);
    assert_eq!(json["overrides"][1]["because"], "Our physician sees these callers at once.");
    // Batch says so on every line, in both formats.
    let emergency = std::fs::read_to_string(EMERGENCY).unwrap();
    let dir_answers = tempfile::tempdir().unwrap();
    let jsonl = dir_answers.path().join("in.jsonl");
    let answers: toml::Table = toml::from_str(&emergency).unwrap();
    std::fs::write(&jsonl, format!("{}\n", serde_json::to_string(&answers).unwrap())).unwrap();
    let input = jsonl.to_str().unwrap();
    let lines = run(&["batch", "--rules", rules, "--input", input]);
    let line: Value = serde_json::from_str(lines.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(line["overrides"].as_array().unwrap().len(), 2, "{}", lines.stderr);
    let csv = run(&["batch", "--rules", rules, "--input", input, "--output-format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    let at = reader.headers().unwrap().iter().position(|h| h == "overrides").unwrap();
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[at], "red_flags.bladder_bowel;red_flags.saddle_numbness");
    // The built-in set overrides nothing.
    let plain = run(&["assess", "--answers", EMERGENCY, "--format", "json"]);
    assert_eq!(serde_json::from_str::<Value>(&plain.stdout).unwrap()["overrides"], serde_json::json!([]));
}

#[test]
fn each_kind_of_weakening_is_caught() {
    let q_edits: [(&str, &str, &str, &str, &str); 5] = [
        (
            "red_flags.saddle_numbness",
            "id = \"saddle_numbness\"",
            "min_urgency = \"emergency\"",
            "min_urgency = \"urgent\"",
            "min_urgency is urgent",
        ),
        (
            "contraindications.blood_thinners",
            "id = \"blood_thinners\"",
            "forbids = [\"deep_tissue\"]\n",
            "",
            "deep_tissue no longer forbidden",
        ),
        (
            "contraindications.blood_thinners",
            "id = \"blood_thinners\"",
            "max_pressure = \"light\"",
            "max_pressure = \"medium\"",
            "max_pressure is medium",
        ),
        (
            "contraindications.escalating",
            "id = \"contraindications\"",
            "escalating = true\n",
            "",
            "it is not marked escalating",
        ),
        (
            "fever_with_infection_risk",
            "id = \"fever_with_infection_risk\"",
            "contains_all = [\"fever\", \"infection_risk\"]",
            "contains_all = [\"fever\", \"infection_risk\", \"cancer_history\"]",
            "its condition is",
        ),
    ];
    for (statement, anchor, from, to, said) in q_edits {
        let dir = copy(|r| r, |q| after(&q, anchor, from, to));
        let (code, json) = check_json(dir.path());
        assert_eq!(code, 3, "{statement}");
        let found = floor_findings(&json);
        assert!(found.iter().any(|(s, m)| s == statement && m.contains(said)), "{statement}: {found:?}");
    }
    // An invariant taken out.
    let dir = copy(
        |r| r,
        |q| {
            let start = q.find("[[invariant]]\nid = \"fever_with_infection_risk\"").unwrap();
            let end = start + 1 + q[start + 1..].find("[[invariant]]").unwrap();
            format!("{}{}", &q[..start], &q[end..])
        },
    );
    let (_, json) = check_json(dir.path());
    assert!(floor_findings(&json)
        .iter()
        .any(|(s, m)| s == "fever_with_infection_risk" && m.contains("the invariant is gone")));
}

#[test]
fn an_exception_that_excuses_nothing_is_a_warning() {
    let dir =
        copy(|r| r, |q| format!("{q}\n[[floor_exception]]\nstatement = \"red_flags.fever\"\nbecause = \"Nothing.\"\n"));
    let (code, json) = check_json(dir.path());
    assert_eq!(code, 0);
    let warning = json["findings"].as_array().unwrap().iter().find(|f| f["code"] == "unused-floor-exception");
    assert!(warning.is_some_and(|w| w["subject"] == "red_flags.fever"), "{json:#}");
    let dir = copy(|r| r, |q| format!("{q}\n[[floor_exception]]\nstatement = \"red_flags.fever\"\nbecause = \" \"\n"));
    let check = run(&["rules", "check", "--rules", dir.path().to_str().unwrap()]);
    assert_eq!(check.code, 2);
    assert!(
        check.stderr.contains("error[bad-floor-exception]: an exception to the safety floor needs a because"),
        "{}",
        check.stderr
    );
}
