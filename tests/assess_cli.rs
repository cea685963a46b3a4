//! `assess` end to end: the built binary, answer files and standard input, output formats,
//! errors with their places, exit codes.
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn triage() -> Command {
    let mut command = Command::cargo_bin("massage-triage").unwrap();
    command.env_remove("NO_COLOR");
    command
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/answers/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn assess_json(args: &[&str], stdin: Option<&str>) -> Value {
    let mut command = triage();
    command.args(["assess", "--format", "json"]).args(args);
    if let Some(text) = stdin {
        command.write_stdin(text);
    }
    let output = command.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&output).unwrap()
}

#[test]
fn json_output_has_the_contract_fields_and_types() {
    let json = assess_json(&["--answers", &fixture("desk-worker.toml")], None);
    assert_eq!(json["id"], "booking-1042");
    assert_eq!(json["recommendation"], "swedish");
    assert!(json["urgency"].is_null());
    assert_eq!(json["pressure"], "medium");
    assert_eq!(json["session_minutes"], 60);
    assert!(json["alternatives"].is_array());
    assert!(json["precautions"].is_array());
    assert!(json["advice"].as_array().unwrap().iter().all(Value::is_string));
    let reasons = json["reasons"].as_array().unwrap();
    assert!(!reasons.is_empty());
    for reason in reasons {
        assert!(reason["rule"].is_string() && reason["because"].is_string());
    }
    assert!(json.get("trace").is_none(), "the trace is only given with --explain");
}

#[test]
fn an_emergency_in_json() {
    let json = assess_json(&["--answers", &fixture("emergency.toml")], None);
    assert_eq!(json["recommendation"], "physician");
    assert_eq!(json["urgency"], "emergency");
    assert!(json["pressure"].is_null());
    assert!(json["session_minutes"].is_null());
    assert_eq!(json["alternatives"], Value::Array(vec![]));
    assert_eq!(json["reasons"][0]["rule"], "cauda_equina");
    assert!(json["tell"].as_str().unwrap().contains("911"));
}

#[test]
fn json_and_toml_files_give_the_same_result() {
    let toml = assess_json(&["--answers", &fixture("desk-worker.toml")], None);
    let json = assess_json(&["--answers", &fixture("desk-worker.json")], None);
    assert_eq!(toml, json);
}

#[test]
fn standard_input_takes_toml_or_json_by_content() {
    let toml_text = std::fs::read_to_string(fixture("desk-worker.toml")).unwrap();
    let json_text = std::fs::read_to_string(fixture("desk-worker.json")).unwrap();
    let from_file = assess_json(&["--answers", &fixture("desk-worker.toml")], None);
    assert_eq!(assess_json(&["--answers", "-"], Some(&toml_text)), from_file);
    assert_eq!(assess_json(&["--answers", "-"], Some(&json_text)), from_file);
}

#[test]
fn human_output_puts_the_recommendation_first() {
    let output = triage().args(["assess", "--answers", &fixture("desk-worker.toml")]).assert().success();
    let text = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with("Recommendation: Swedish massage"), "{text}");
    assert!(text.contains("Reference: booking-1042"));
    assert!(text.contains("Pressure: medium at most"));
    assert!(text.contains("First session: 60 minutes"));
    assert!(text.contains("posture_and_stress"));
    assert!(!text.contains('\u{1b}'), "no colour when standard output is not a terminal");
}

#[test]
fn an_emergency_comes_first_and_in_red() {
    let output =
        triage().args(["--color", "always", "assess", "--answers", &fixture("emergency.toml")]).assert().success();
    let text = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    let banner = text.lines().next().unwrap();
    assert!(banner.contains("EMERGENCY") && banner.contains("911"), "{text}");
    assert!(banner.contains("\u{1b}[") && banner.contains("31"), "the emergency banner is red: {banner:?}");
}

#[test]
fn no_color_is_respected_even_with_color_always() {
    triage()
        .env("NO_COLOR", "1")
        .args(["--color", "always", "assess", "--answers", &fixture("emergency.toml")])
        .assert()
        .success()
        .stdout(predicate::str::contains("EMERGENCY"))
        .stdout(predicate::str::contains("\u{1b}").not());
}

#[test]
fn explain_shows_every_rule_and_what_failed() {
    let output = triage().args(["assess", "--explain", "--answers", &fixture("desk-worker.toml")]).assert().success();
    let text = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    assert!(text.contains("Rules considered, in order:"));
    assert!(text.contains("+ posture_and_stress fired"));
    assert!(text.contains("- severe_pain did not fire: needs severity is at least 8, but severity = 5"), "{text}");
    assert!(text.contains("rules/rules.toml:"));
    let json = assess_json(&["--explain", "--answers", &fixture("desk-worker.toml")], None);
    let trace = json["trace"].as_array().unwrap();
    assert!(trace.len() >= 30);
    let severe = trace.iter().find(|s| s["rule"] == "severe_pain").unwrap();
    assert_eq!(severe["fired"], false);
    assert!(severe["failed"].as_str().unwrap().contains("severity = 5"));
}

/// Each bad answer file: exit 2, and a message naming the file, line, column and the fix.
#[test]
fn bad_answer_files_are_refused_with_their_place() {
    let cases: &[(&str, &[&str])] = &[
        (
            "unknown-option.toml",
            &[
                "unknown-option.toml:10:12: unknown option \"firmm\" for question \"pressure\"",
                "expected one of light, medium, firm, unsure",
                "did you mean \"firm\"?",
            ],
        ),
        ("unknown-key.toml", &["unknown-key.toml:11:1: unknown question \"preasure\"", "did you mean \"pressure\"?"]),
        ("missing-question.toml", &["no answer to \"contraindications\"", "expected a list (empty for none)"]),
        ("out-of-range.toml", &["out-of-range.toml:9:7: 7 is out of range for \"age\"", "from 12 to 110"]),
        ("wrong-type.toml", &["wrong-type.toml:4:12: \"severity\" must be a whole number from 0 to 10, not a string"]),
        (
            "bad-red-flag.toml",
            &["bad-red-flag.toml:2:14: unknown option \"sadle_numbness\"", "did you mean \"saddle_numbness\"?"],
        ),
        ("no-location.toml", &["no-location.toml:6:12: \"location\" needs at least 1"]),
        ("syntax-error.toml", &["syntax-error.toml:3:"]),
        (
            "unknown-option.json",
            &["unknown-option.json:8:12: unknown option \"posture_stres\"", "did you mean \"posture_stress\"?"],
        ),
        ("broken.json", &["broken.json:6:", "not valid JSON"]),
        ("not-utf8.toml", &["not-utf8.toml", "not UTF-8"]),
    ];
    for (file, fragments) in cases {
        let output = triage().args(["assess", "--answers", &fixture(file)]).assert().code(2);
        let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
        assert!(output.get_output().stdout.is_empty(), "{file}: nothing on standard output");
        for fragment in *fragments {
            assert!(stderr.contains(fragment), "{file}: expected {fragment:?} in:\n{stderr}");
        }
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
        // Each file has the one problem it is named after (its version is right).
        assert_eq!(stderr.matches("error: ").count(), 1, "{file}: {stderr}");
        assert!(!stderr.contains("version"), "{file}: {stderr}");
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = "version = 2\nred_flags = []\nduration = \"chronc\"\nseverity = 12\nworsening = false\nlocation = [\"back\"]\nonset = \"unknown\"\ncontraindications = []\nage = 41\npressure = \"medium\"\n";
    let output = triage().args(["assess", "--answers", "-"]).write_stdin(text).assert().code(2);
    let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("-:3:12: unknown option \"chronc\""), "{stderr}");
    assert!(stderr.contains("-:4:12: 12 is out of range"), "{stderr}");
    assert!(stderr.contains("-:6:13: unknown option \"back\""), "{stderr}");
    assert_eq!(stderr.matches("error: ").count(), 3, "{stderr}");
}

#[test]
fn a_missing_answer_file_is_bad_input() {
    triage()
        .args(["assess", "--answers", "/nonexistent/answers.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/answers.toml: cannot read the file"));
}

#[test]
fn an_oversized_answer_file_is_refused() {
    let big = format!("# {}\n", "x".repeat(1024 * 1024 + 10));
    triage()
        .args(["assess", "--answers", "-"])
        .write_stdin(big)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("larger than 1024 KiB"));
}

#[test]
fn bad_flags_exit_2() {
    triage().args(["assess"]).assert().code(2).stderr(predicate::str::contains("--answers"));
    triage().args(["assess", "--answers", "x", "--format", "yaml"]).assert().code(2);
    triage().args(["frobnicate"]).assert().code(2);
}

#[test]
fn help_and_version_exit_0() {
    triage().arg("--help").assert().success().stdout(predicate::str::contains("assess"));
    triage().arg("--version").assert().success();
}

#[test]
fn no_subcommand_without_a_terminal_exits_2_at_once_with_a_hint() {
    triage()
        .timeout(std::time::Duration::from_secs(30))
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("assess --answers"));
}

#[test]
fn a_failure_to_write_the_output_exits_1() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else { return }; // only on systems that have /dev/full
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_massage-triage"))
        .args(["assess", "--answers", &fixture("desk-worker.toml")])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("error"));
}

#[test]
fn rules_from_a_folder_are_used() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let from_folder = assess_json(&["--rules", dir.to_str().unwrap(), "--answers", &fixture("desk-worker.toml")], None);
    let built_in = assess_json(&["--answers", &fixture("desk-worker.toml")], None);
    assert_eq!(from_folder, built_in);
}

#[test]
fn the_example_personas_get_their_expected_outcome() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let expected = [
        ("desk-worker.toml", "swedish", None),
        ("athlete.toml", "sports", None),
        ("manual-worker.toml", "deep_tissue", None),
        ("after-surgery.toml", "myofascial", None),
        ("pregnancy.json", "swedish", None),
        ("blood-thinners.toml", "swedish", None),
        ("emergency.toml", "physician", Some("emergency")),
    ];
    for (file, recommendation, urgency) in expected {
        let path = examples.join(file);
        let json = assess_json(&["--answers", path.to_str().unwrap()], None);
        assert_eq!(json["recommendation"], recommendation, "{file}");
        assert_eq!(json["urgency"].as_str(), urgency, "{file}");
        assert!(json["id"].as_str().unwrap().starts_with("example-"));
    }
    let thinners = assess_json(&["--answers", examples.join("blood-thinners.toml").to_str().unwrap()], None);
    assert_eq!(thinners["pressure"], "light");
    let pregnancy = assess_json(&["--answers", examples.join("pregnancy.json").to_str().unwrap()], None);
    assert_eq!(pregnancy["pressure"], "medium");
}
