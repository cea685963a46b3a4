//! Whole messages, as a person sees them on standard error, pinned as snapshots in
//! `tests/integration/snapshots/`: a change to a message's words or drawing shows up as a
//! diff to review (`cargo insta review`, or `INSTA_UPDATE=always` to accept). Files are
//! named relative to the folder the command runs in, so the snapshots hold no machine's
//! paths.

use assert_cmd::Command;
use std::path::Path;

const ANSWERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/answers");

/// Runs the binary in `dir` without colour and returns its standard error, checking the
/// exit code.
fn stderr_of(dir: &Path, args: &[&str], stdin: &str, code: i32) -> String {
    let output = Command::cargo_bin("massage-triage")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .write_stdin(stdin)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    stderr
}

fn assess_refuses(file: &str) -> String {
    stderr_of(Path::new(ANSWERS), &["assess", "--answers", file], "", 2)
}

#[test]
fn an_unknown_option_with_its_suggestion() {
    insta::assert_snapshot!(assess_refuses("unknown-option.toml"));
}

#[test]
fn an_unknown_question_with_its_suggestion() {
    insta::assert_snapshot!(assess_refuses("unknown-key.toml"));
}

#[test]
fn a_toml_syntax_error() {
    insta::assert_snapshot!(assess_refuses("syntax-error.toml"));
}

#[test]
fn a_file_that_is_not_utf8() {
    insta::assert_snapshot!(assess_refuses("not-utf8.toml"));
}

#[test]
fn a_version_1_answer_file() {
    insta::assert_snapshot!(assess_refuses("version-1.toml"));
}

#[test]
fn a_conditional_question_left_unanswered() {
    insta::assert_snapshot!(assess_refuses("pregnant-missing-signs.toml"));
}

#[test]
fn problems_in_one_line_of_json_show_only_their_own_entries() {
    let text = r#"{"version": 2, "red_flags": [], "duration": "acut", "severity": 3, "worsening": false, "location": ["neck"], "onset": "sports", "contraindications": [], "age": 4000, "pressure": "medium"}"#;
    insta::assert_snapshot!(stderr_of(Path::new(ANSWERS), &["assess", "--answers", "-"], text, 2));
}

#[test]
fn the_caret_stands_under_the_value_after_a_tab() {
    let text = std::fs::read_to_string(Path::new(ANSWERS).join("desk-worker.toml"))
        .unwrap()
        .replace("pressure = \"medium\"", "pressure =\t\"medum\"");
    insta::assert_snapshot!(stderr_of(Path::new(ANSWERS), &["assess", "--answers", "-"], &text, 2));
}

#[test]
fn a_csv_header_with_a_misspelt_column() {
    let header = "id,version,red_flags,duration,severty,worsening,location,onset,contraindications,pregnancy_signs,age,pressure\n";
    let stderr = stderr_of(Path::new(ANSWERS), &["batch", "--input-format", "csv"], header, 2);
    insta::assert_snapshot!(stderr);
}

/// A copy of the built-in rule set with its rules file edited, in a folder of its own.
fn edited_rules(edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    crate::common::rules_copy(edit)
}

#[test]
fn a_misspelt_key_in_a_rule() {
    let dir = edited_rules(|rules| {
        let at = rules.find("id = \"cauda_equina\"").unwrap();
        format!("{}{}", &rules[..at], rules[at..].replacen("\nrefer = ", "\nrefr = ", 1))
    });
    insta::assert_snapshot!(stderr_of(dir.path(), &["rules", "check", "--rules", "."], "", 2));
}

#[test]
fn a_rules_check_finding_with_its_counterexample() {
    // Without its referral, cauda equina's red flags can end in a massage.
    let dir = edited_rules(|rules| {
        let start = rules.find("[[rule]]\nid = \"cauda_equina\"").unwrap();
        let end = start + 1 + rules[start + 1..].find("[[rule]]").unwrap();
        format!("{}{}", &rules[..start], &rules[end..])
    });
    let output = Command::cargo_bin("massage-triage")
        .unwrap()
        .current_dir(dir.path())
        .args(["rules", "check", "--rules", "."])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

// ---------------------------------------------------------------- slips in a rules file

/// `rules check` on the built-in rules with `edit` applied: the whole message.
fn rules_slip(edit: impl FnOnce(String) -> String) -> String {
    let dir = edited_rules(edit);
    stderr_of(dir.path(), &["rules", "check", "--rules", "."], "", 2)
}

/// The built-in rules with a rule of this TOML text added at the end.
fn with_rule(rule: &'static str) -> impl FnOnce(String) -> String {
    move |rules| format!("{rules}\n{rule}")
}

#[test]
fn slip_a_single_bracket_rule_table() {
    insta::assert_snapshot!(rules_slip(|rules| {
        let at = rules.find("[[rule]]\nid = \"nerve_compression\"").unwrap();
        format!("{}[rule]{}", &rules[..at], &rules[at + "[[rule]]".len()..])
    }));
}

#[test]
fn slip_a_number_in_quotes() {
    insta::assert_snapshot!(rules_slip(with_rule(
        "[[rule]]\nid = \"slip\"\nbecause = \"A slip.\"\nsource = [\"seed\"]\nwhen = { question = \"severity\", at_least = \"50\" }\nrefer = \"routine\"\n"
    )));
}

#[test]
fn slip_a_quote_left_open() {
    insta::assert_snapshot!(rules_slip(with_rule(
        "[[rule]]\nid = \"slip\"\nbecause = \"A slip.\nsource = [\"seed\"]\nwhen = { question = \"severity\", at_least = 9 }\nrefer = \"routine\"\n"
    )));
}

#[test]
fn slip_a_rule_key_after_its_condition_table() {
    insta::assert_snapshot!(rules_slip(with_rule(
        "[[rule]]\nid = \"slip\"\nbecause = \"A slip.\"\nsource = [\"seed\"]\n[rule.when]\nquestion = \"severity\"\nat_least = 9\nrefer = \"routine\"\n"
    )));
}

#[test]
fn slip_a_rule_id_given_twice() {
    insta::assert_snapshot!(rules_slip(with_rule(
        "[[rule]]\nid = \"cauda_equina\"\nbecause = \"Again.\"\nsource = [\"seed\"]\nwhen = { question = \"severity\", at_least = 9 }\nrefer = \"routine\"\n"
    )));
}

#[test]
fn slip_an_option_named_by_its_label() {
    insta::assert_snapshot!(rules_slip(with_rule(
        "[[rule]]\nid = \"slip\"\nbecause = \"A slip.\"\nsource = [\"seed\"]\nwhen = { question = \"onset\", is = \"not sure\" }\nrefer = \"routine\"\n"
    )));
}

#[test]
fn slip_a_tab_before_the_mistake() {
    insta::assert_snapshot!(rules_slip(with_rule(
        "[[rule]]\nid = \"slip\"\nbecause = \"A slip.\"\nsource = [\"seed\"]\nwhen = {\tquestion = \"onset\",\tis = \"sportz\" }\nrefer = \"routine\"\n"
    )));
}

#[test]
fn an_interrupted_record_that_settles_nothing() {
    insta::assert_snapshot!(assess_refuses("record-interrupted.json"));
}

#[test]
fn an_unknown_question_in_a_record() {
    insta::assert_snapshot!(assess_refuses("record-unknown-key.json"));
}

#[test]
fn an_existing_output_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("results.jsonl"), "yesterday's results\n").unwrap();
    let args = ["batch", "--input", "records.jsonl", "--output", "results.jsonl"];
    insta::assert_snapshot!(stderr_of(dir.path(), &args, "", 2));
}
