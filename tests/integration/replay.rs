//! `rules replay`: saved answers under another rule set, each changed outcome listed.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
const ANSWERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/answers");

fn run(args: &[&str]) -> (i32, String, String) {
    let output =
        Command::cargo_bin("massage-triage").unwrap().args(args).env("MASSAGE_TRIAGE_CACHE_DIR", "").output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (output.status.code().unwrap(), text(output.stdout), text(output.stderr))
}

/// A copy of the built-in rules with rules.toml edited, and a folder of answer files.
fn setup(edit: impl FnOnce(String) -> String, answers: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("new")).unwrap();
    std::fs::create_dir_all(dir.path().join("answers")).unwrap();
    let rules = std::fs::read_to_string(Path::new(RULES).join("rules.toml")).unwrap();
    std::fs::write(dir.path().join("new/rules.toml"), edit(rules)).unwrap();
    std::fs::copy(Path::new(RULES).join("questionnaire.toml"), dir.path().join("new/questionnaire.toml")).unwrap();
    for name in answers {
        std::fs::copy(Path::new(ANSWERS).join(name), dir.path().join("answers").join(name)).unwrap();
    }
    dir
}

fn replay_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let new = dir.join("new");
    let answers = dir.join("answers");
    let args =
        [&["rules", "replay", "--format", "json", "--rules", new.to_str().unwrap(), answers.to_str().unwrap()], extra]
            .concat();
    let (code, stdout, _) = run(&args);
    (code, serde_json::from_str(&stdout).unwrap())
}

const FILES: &[&str] = &["desk-worker.toml", "emergency.toml", "desk-worker.json", "version-1.toml"];

#[test]
fn an_unchanged_copy_changes_no_outcome() {
    let dir = setup(|r| r, FILES);
    let (code, json) = replay_json(dir.path(), &["--fail-on-change"]);
    assert_eq!(code, 0, "{json:#}");
    let statuses: Vec<&str> = json["files"].as_array().unwrap().iter().map(|f| f["status"].as_str().unwrap()).collect();
    // In name order: desk-worker.json, desk-worker.toml, emergency.toml, version-1.toml.
    assert_eq!(statuses, ["same", "same", "same", "needs_new_answers"], "{json:#}");
}

#[test]
fn a_planted_change_lists_each_answer_set_it_changes() {
    // Severe pain from 4 instead of 8, and urgent instead of routine.
    let dir = setup(
        |r| {
            let at = r.find("id = \"severe_pain\"").unwrap();
            let rest = r[at..].replacen("at_least = 8", "at_least = 4", 1).replacen(
                "refer = \"routine\"",
                "refer = \"urgent\"",
                1,
            );
            format!("{}{rest}", &r[..at])
        },
        FILES,
    );
    let (code, json) = replay_json(dir.path(), &[]);
    assert_eq!(code, 0);
    let file = |name: &str| {
        json["files"].as_array().unwrap().iter().find(|f| f["file"].as_str().unwrap().ends_with(name)).unwrap().clone()
    };
    let desk = &file("desk-worker.toml");
    assert_eq!(desk["status"], "changed", "{json:#}");
    assert_eq!(desk["old"]["recommendation"], "swedish");
    assert_eq!(
        (desk["new"]["recommendation"].as_str(), desk["new"]["urgency"].as_str()),
        (Some("physician"), Some("urgent"))
    );
    assert_eq!(file("desk-worker.json")["status"], "changed");
    assert_eq!(file("emergency.toml")["status"], "same", "an emergency stays one");
    assert_eq!(replay_json(dir.path(), &["--fail-on-change"]).0, 3);
    // In words, with a summary.
    let new = dir.path().join("new");
    let (_, words, _) =
        run(&["rules", "replay", "--rules", new.to_str().unwrap(), dir.path().join("answers").to_str().unwrap()]);
    assert!(words.contains("desk-worker.toml: swedish (pressure medium, 60 minutes) -> physician (urgent)"), "{words}");
    assert!(words.contains("rules replay: 4 replayed: 1 the same, 2 changed (recommendation 2, urgency 2"), "{words}");
    assert!(words.contains("1 need new answers"), "{words}");
}

#[test]
fn a_broken_answer_file_is_bad_input() {
    let dir = setup(|r| r, &["desk-worker.toml", "unknown-option.toml"]);
    let new = dir.path().join("new");
    let (code, _, stderr) =
        run(&["rules", "replay", "--rules", new.to_str().unwrap(), dir.path().join("answers").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("error[unknown-option]"), "{stderr}");
}

#[test]
fn intake_records_replay_as_their_answers_or_are_refused_when_they_settle_nothing() {
    const RECORDS: &[&str] = &["record-interrupted.json", "record-routine.json", "record-version-1.json"];
    let dir = setup(|r| r, RECORDS);
    let (code, json) = replay_json(dir.path(), &[]);
    let statuses: Vec<&str> = json["files"].as_array().unwrap().iter().map(|f| f["status"].as_str().unwrap()).collect();
    // The interrupted record is refused (on standard error, exit 2), naming what it lacks.
    assert_eq!(statuses, ["same", "needs_new_answers"], "{json:#}");
    assert_eq!(code, 2);
    let new = dir.path().join("new");
    let (_, _, stderr) =
        run(&["rules", "replay", "--rules", new.to_str().unwrap(), dir.path().join("answers").to_str().unwrap()]);
    assert!(stderr.contains("unsettled-record") && stderr.contains("no answer to duration"), "{stderr}");
    // Severe pain urgent instead of routine: the stopped record's settled referral changes.
    let dir = setup(
        |r| {
            let at = r.find("id = \"severe_pain\"").unwrap();
            let rest = r[at..].replacen("refer = \"routine\"", "refer = \"urgent\"", 1);
            format!("{}{rest}", &r[..at])
        },
        RECORDS,
    );
    let (_, json) = replay_json(dir.path(), &[]);
    let routine = &json["files"][0];
    assert_eq!(routine["status"], "changed", "{json:#}");
}
