//! `rules test`: worked cases, field-by-field failures with the trace, rule coverage.

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use std::path::Path;

fn triage() -> Command {
    let mut command = Command::cargo_bin("massage-triage").unwrap();
    command.env("CI", "true");
    command
}

/// The built-in rules with the given cases file.
fn with_cases(cases: &str) -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for file in ["questionnaire.toml", "rules.toml"] {
        std::fs::copy(root.join("rules").join(file), dir.path().join(file)).unwrap();
    }
    std::fs::copy(root.join("tests/fixtures/cases").join(cases), dir.path().join("cases.toml")).unwrap();
    dir
}

#[test]
fn passing_cases_exit_0_and_report_coverage() {
    let dir = with_cases("passing.toml");
    triage()
        .args(["rules", "test", "--rules"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(contains("ok   desk worker with chronic pain"))
        .stdout(contains("coverage: "))
        .stdout(contains("no case fires: nerve_compression ("))
        .stdout(contains("ok   labour signs send to the maternity unit"))
        .stdout(contains("ok   pregnant at 56 is confirmed, not refused"))
        .stdout(contains("rules test ok: 4 passed, 0 failed"));
}

#[test]
fn a_failing_case_shows_expected_against_actual_and_the_trace() {
    let dir = with_cases("failing.toml");
    let failing = |explain: bool| {
        let mut command = triage();
        command.args(["rules", "test", "--rules"]).arg(dir.path());
        if explain {
            command.arg("--explain");
        }
        command
            .assert()
            .code(3)
            .stdout(contains("FAIL desk worker wrongly expected to get deep tissue"))
            .stdout(contains("cases.toml:9"))
            .stdout(contains("recommendation: expected deep_tissue, got swedish"))
            .stdout(contains("rules test FAILED: 1 passed, 1 failed"));
        command
    };
    // What differs leads; the trace only when asked for.
    failing(false).assert().stdout(contains("Rules considered").not());
    failing(true)
        .assert()
        .stdout(contains("Rules considered, in order:"))
        .stdout(contains("+ posture_and_stress fired"));
}

#[test]
fn coverage_below_the_minimum_fails() {
    let dir = with_cases("passing.toml");
    triage()
        .args(["rules", "test", "--min-coverage", "90", "--rules"])
        .arg(dir.path())
        .assert()
        .code(3)
        .stdout(contains("below --min-coverage 90"));
    triage().args(["rules", "test", "--min-coverage", "5", "--rules"]).arg(dir.path()).assert().code(0);
    triage().args(["rules", "test", "--min-coverage", "150"]).assert().code(2);
}

#[test]
fn cases_that_do_not_load_exit_2() {
    let dir = with_cases("passing.toml");
    let cases = dir.path().join("cases.toml");
    let text = std::fs::read_to_string(&cases).unwrap().replace("\"cauda_equina\"", "\"cauda_equnia\"");
    std::fs::write(&cases, text).unwrap();
    triage()
        .args(["rules", "test", "--rules"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("unknown rule \"cauda_equnia\""))
        .stderr(contains("did you mean \"cauda_equina\""));
    std::fs::remove_file(&cases).unwrap();
    triage().args(["rules", "test", "--rules"]).arg(dir.path()).assert().code(2).stderr(contains("cases.toml"));
}

#[test]
fn the_built_in_cases_pass() {
    triage().args(["rules", "test"]).assert().code(0).stdout(contains("rules test ok"));
}

#[test]
fn a_case_is_checked_for_its_warnings_and_for_the_pregnancy_question() {
    let dir = with_cases("passing.toml");
    let cases = dir.path().join("cases.toml");
    let text = std::fs::read_to_string(&cases).unwrap();
    // Expecting no warning where the answers rarely go together fails the case.
    let unwarned = text.replace("warnings = [\"pregnant_at_56_or_over\"]", "warnings = []");
    std::fs::write(&cases, &unwarned).unwrap();
    triage()
        .args(["rules", "test", "--rules"])
        .arg(dir.path())
        .assert()
        .code(3)
        .stdout(contains("FAIL pregnant at 56 is confirmed, not refused"))
        .stdout(contains("warnings: expected none, got pregnant_at_56_or_over"));
    // A pregnant case without the pregnancy question does not load, and says why.
    let unasked = text.replace("pregnancy_signs = [], age = 56", "age = 56");
    std::fs::write(&cases, &unasked).unwrap();
    triage().args(["rules", "test", "--rules"]).arg(dir.path()).assert().code(2).stderr(contains(
        "case \"pregnant at 56 is confirmed, not refused\": no answer to \"pregnancy_signs\", which is asked because contraindications includes pregnancy",
    ));
    // So does a case of version 1.
    let old = text.replacen("answers = { version = 2, ", "answers = { ", 1);
    std::fs::write(&cases, &old).unwrap();
    triage()
        .args(["rules", "test", "--rules"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("given under questionnaire version 1, and version 2 asks more"));
}
