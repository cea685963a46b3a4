//! `assess` end to end: the built binary, answer files and standard input, output formats,
//! errors with their places, exit codes.

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
        let stderr = crate::common::problems(&String::from_utf8(output.get_output().stderr.clone()).unwrap());
        assert!(output.get_output().stdout.is_empty(), "{file}: nothing on standard output");
        for fragment in *fragments {
            assert!(stderr.contains(fragment), "{file}: expected {fragment:?} in:\n{stderr}");
        }
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
        // Each file has the one problem it is named after (its version is right).
        assert_eq!(stderr.matches("error[").count(), 1, "{file}: {stderr}");
        assert!(!stderr.contains("version"), "{file}: {stderr}");
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = "version = 2\nred_flags = []\nduration = \"chronc\"\nseverity = 12\nworsening = false\nlocation = [\"back\"]\nonset = \"unknown\"\ncontraindications = []\nage = 41\npressure = \"medium\"\n";
    let output = triage().args(["assess", "--answers", "-"]).write_stdin(text).assert().code(2);
    let stderr = crate::common::problems(&String::from_utf8(output.get_output().stderr.clone()).unwrap());
    assert!(stderr.contains("-:3:12: unknown option \"chronc\""), "{stderr}");
    assert!(stderr.contains("-:4:12: 12 is out of range"), "{stderr}");
    assert!(stderr.contains("-:6:13: unknown option \"back\""), "{stderr}");
    assert_eq!(stderr.matches("error[").count(), 3, "{stderr}");
}

#[test]
fn a_missing_answer_file_is_bad_input() {
    triage().args(["assess", "--answers", "/nonexistent/answers.toml"]).assert().code(2).stderr(
        predicate::str::contains("error[unreadable]: cannot read the file")
            .and(predicate::str::contains("--> /nonexistent/answers.toml")),
    );
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

// ---------------------------------------------------------------- questionnaire version 2

/// `assess --answers FILE`'s exit code and standard error.
fn refused(args: &[&str], stdin: Option<&str>) -> (i32, String) {
    let mut command = triage();
    command.arg("assess").args(args);
    if let Some(text) = stdin {
        command.write_stdin(text);
    }
    let output = command.output().unwrap();
    assert!(output.stdout.is_empty(), "nothing on standard output for a refused file");
    (output.status.code().unwrap(), crate::common::problems(&String::from_utf8(output.stderr).unwrap()))
}

/// What version 2 asks that version 1 did not, in the words of the refusal: every option
/// of a several-of question added by version 2 (the contract's list).
const NOT_ASKED_IN_VERSION_1: &str = "red_flags: breathless_sweaty (version 2), head_neuro (version 2), arm_hand_neuro (version 2), infection_risk (version 2); contraindications: bleeding_risk (version 2), recent_clot (version 2)";

#[test]
fn a_version_1_answer_file_is_refused_naming_every_option_version_2_added() {
    // The expected list is also read from the questionnaire, so that an option added later
    // without being named in the refusal fails here.
    let rule_set = massage_triage::rules::RuleSet::built_in().unwrap();
    for question in &rule_set.questionnaire.questions {
        for option in question.options.iter().filter(|o| o.since == 2) {
            let several = matches!(question.kind, massage_triage::questionnaire::QuestionKind::SeveralOf { .. });
            let named = format!("{} (version 2)", option.id);
            assert_eq!(
                NOT_ASKED_IN_VERSION_1.contains(&named),
                several && question.since == 1,
                "{}.{}",
                question.id,
                option.id
            );
        }
    }
    let file = fixture("version-1.toml");
    let (code, stderr) = refused(&["--answers", &file], None);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error[older-version]: {file}: these answers were given under questionnaire version 1, and version 2 asks more, which they were never asked (nothing is read as \"no\"): {NOT_ASKED_IN_VERSION_1}; ask these and give version = 2\n"
        )
    );
    // The same with the version given, in JSON, and on standard input.
    let text = std::fs::read_to_string(&file).unwrap();
    for (input, format) in [(format!("version = 1\n{text}"), "toml"), (json_of_toml(&text), "json")] {
        let (code, stderr) = refused(&["--answers", "-"], Some(&input));
        assert_eq!(code, 2, "{format}");
        assert!(stderr.contains(&format!("version 2 asks more, which they were never asked (nothing is read as \"no\"): {NOT_ASKED_IN_VERSION_1}; ask these")), "{format}: {stderr}");
    }
}

/// The TOML answer file as a JSON object (flat keys, strings, numbers, booleans, lists).
fn json_of_toml(text: &str) -> String {
    let table: toml::Table = text.parse().unwrap();
    serde_json::to_string(&table).unwrap()
}

#[test]
fn a_pregnant_version_1_answer_file_is_refused_naming_the_pregnancy_question_once() {
    let file = fixture("version-1-pregnant.toml");
    let (code, stderr) = refused(&["--answers", &file], None);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error[older-version]: {file}: these answers were given under questionnaire version 1, and version 2 asks more, which they were never asked (nothing is read as \"no\"): {NOT_ASKED_IN_VERSION_1}; the question pregnancy_signs (added in version 2); ask these and give version = 2\n"
        ),
        "one problem, naming the question once"
    );
}

#[test]
fn a_newer_or_impossible_version_is_refused() {
    let file = fixture("version-3.toml");
    let (code, stderr) = refused(&["--answers", &file], None);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!(
            "error[bad-version]: {file}:1:11: version 3 is newer than this questionnaire (version 2); use a rule set of that version\n"
        )),
        "{stderr}"
    );
    let desk_worker = std::fs::read_to_string(fixture("desk-worker.toml")).unwrap();
    for (version, message) in [
        ("0", "-:1:11: version 0 is not a questionnaire version; expected 1 to 2"),
        ("-1", "-:1:11: version -1 is not a questionnaire version; expected 1 to 2"),
        (
            "\"2\"",
            "`version` must be a whole number (the questionnaire version the answers were given under), not a string",
        ),
        ("2.0", "`version` must be a whole number"),
    ] {
        let text = desk_worker.replacen("version = 2", &format!("version = {version}"), 1);
        let (code, stderr) = refused(&["--answers", "-"], Some(&text));
        assert_eq!(code, 2, "version = {version}");
        assert!(stderr.contains(message), "version = {version}: {stderr}");
    }
    let twice = std::fs::read_to_string(fixture("desk-worker.json")).unwrap().replacen("{", "{\"version\": 2,", 1);
    let (code, stderr) = refused(&["--answers", "-"], Some(&twice));
    assert_eq!(code, 2);
    assert!(stderr.contains("\"version\" is given twice"), "{stderr}");
}

fn v1_rules() -> String {
    format!("{}/tests/fixtures/v1", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn an_unversioned_answer_file_keeps_working_under_a_version_1_rule_set() {
    let rules = v1_rules();
    triage().args(["rules", "check", "--rules", &rules]).assert().code(0);
    let unversioned = assess_json(&["--rules", &rules, "--answers", &fixture("version-1.toml")], None);
    assert_eq!(unversioned["recommendation"], "swedish");
    assert_eq!(unversioned["pressure"], "medium");
    assert_eq!(unversioned["id"], "booking-1042");
    let text = std::fs::read_to_string(fixture("version-1.toml")).unwrap();
    let explicit = assess_json(&["--rules", &rules, "--answers", "-"], Some(&format!("version = 1\n{text}")));
    assert_eq!(explicit, unversioned);
    // A version-1 pregnant client is answered too: version 1 never asked about the pregnancy.
    let pregnant = assess_json(&["--rules", &rules, "--answers", &fixture("version-1-pregnant.toml")], None);
    assert_eq!(pregnant["recommendation"], "swedish");
    // Answers of version 2 are newer than this rule set.
    let (code, stderr) = refused(&["--rules", &rules, "--answers", &fixture("desk-worker.toml")], None);
    assert_eq!(code, 2);
    assert!(stderr.contains("version 2 is newer than this questionnaire (version 1)"), "{stderr}");
}

#[test]
fn the_pregnancy_question_is_answered_exactly_when_pregnant() {
    // Asked and answered: a massage at medium pressure at most, whatever the tolerance.
    let json = assess_json(&["--answers", &fixture("pregnant.toml")], None);
    assert_eq!(json["recommendation"], "swedish");
    assert_eq!(json["pressure"], "medium");
    // Asked and not answered: the question and the condition that asks it are named.
    let missing = "no answer to \"pregnancy_signs\", which is asked because contraindications includes pregnancy; expected a list (empty for none) of contractions, bleeding_fluid, constant_backache, high_risk";
    for file in ["pregnant-missing-signs.toml", "pregnant-missing-signs.json"] {
        let path = fixture(file);
        let (code, stderr) = refused(&["--answers", &path], None);
        assert_eq!(code, 2, "{file}");
        assert_eq!(stderr, format!("error[missing-answer]: {path}: {missing}\n"), "{file}");
    }
    // Answered when not asked: refused at its place, with the condition.
    let not_asked = "\"pregnancy_signs\" is answered, but it is asked only when contraindications includes pregnancy, and these answers do not meet that; remove it";
    for (file, place) in [("signs-not-pregnant.toml", "9:1"), ("signs-not-pregnant.json", "10:3")] {
        let path = fixture(file);
        let (code, stderr) = refused(&["--answers", &path], None);
        assert_eq!(code, 2, "{file}");
        assert!(stderr.starts_with(&format!("error[not-asked]: {path}:{place}: {not_asked}\n")), "{file}: {stderr}");
        assert_eq!(stderr.matches("error[").count(), 1, "{file}: {stderr}");
    }
    // An empty list is how "none of these" is said; a high-risk pregnancy needs clearance.
    let text = std::fs::read_to_string(fixture("pregnant.toml")).unwrap();
    let high_risk = text.replace("pregnancy_signs = []", "pregnancy_signs = [\"high_risk\"]");
    let json = assess_json(&["--answers", "-"], Some(&high_risk));
    assert_eq!((json["recommendation"].as_str(), json["urgency"].as_str()), (Some("physician"), Some("routine")));
    assert_eq!(json["reasons"][0]["rule"], "high_risk_pregnancy");
}

const MATERNITY: &str = "Call the maternity unit or go to the hospital now. Do not book a massage.";

#[test]
fn labour_signs_tell_the_maternity_unit_in_json_and_in_words() {
    let labour = std::fs::read_to_string(fixture("labour.toml")).unwrap();
    for (sign, rule) in [
        ("constant_backache", "labour_signs"),
        ("contractions", "labour_signs"),
        ("bleeding_fluid", "pregnancy_bleeding"),
    ] {
        let text = labour.replace("[\"constant_backache\"]", &format!("[\"{sign}\"]"));
        let json = assess_json(&["--answers", "-"], Some(&text));
        assert_eq!(json["recommendation"], "physician", "{sign}");
        assert_eq!(json["urgency"], "emergency", "{sign}");
        assert_eq!(json["tell"], MATERNITY, "{sign}");
        assert_eq!(json["reasons"][0]["rule"], rule, "{sign}");
        let output = triage().args(["assess", "--answers", "-"]).write_stdin(text).assert().success();
        let words = String::from_utf8(output.get_output().stdout.clone()).unwrap();
        let mut lines = words.lines();
        assert_eq!(
            lines.next(),
            Some("!!! EMERGENCY: CALL THE MATERNITY UNIT OR GO TO THE HOSPITAL NOW !!!"),
            "{words}"
        );
        assert_eq!(lines.next(), Some("Recommendation: physician (emergency)"));
        assert_eq!(lines.next().unwrap(), format!("Tell the person: {MATERNITY}"));
        assert!(!words.contains("911"), "a maternity unit, not 911: {words}");
    }
}

#[test]
fn an_earlier_911_rule_that_also_fires_decides_what_to_tell() {
    let json = assess_json(&["--answers", &fixture("labour-and-saddle-numbness.toml")], None);
    assert_eq!(json["urgency"], "emergency");
    assert_eq!(json["tell"], "Call 911 or go to an emergency department now. Do not book a massage.");
    let reasons: Vec<&str> = json["reasons"].as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["cauda_equina", "labour_signs"]);
    let output = triage().args(["assess", "--answers", &fixture("labour-and-saddle-numbness.toml")]).assert().success();
    let words = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    assert!(words.starts_with("!!! EMERGENCY: CALL 911 OR GO TO AN EMERGENCY DEPARTMENT NOW !!!\n"), "{words}");
    assert!(!words.contains("maternity"), "{words}");
}

/// The desk reads the deciding rule's sentence: the first rule, in file order, that refers
/// at the outcome's urgency.
#[test]
fn the_desk_is_shown_the_deciding_rules_reason_beside_what_to_tell() {
    use massage_triage::answers::parse_answers;
    use massage_triage::diagnostic::SourceText;
    use massage_triage::engine::evaluate;
    use massage_triage::report::{render_human, Audience, Outcome, Paint};
    let rule_set = massage_triage::rules::RuleSet::built_in().unwrap();
    let desk = |file: &str| {
        let text = std::fs::read_to_string(fixture(file)).unwrap();
        let answers = parse_answers(
            &rule_set.questionnaire,
            SourceText::new(file, &text),
            massage_triage::answers::AnswerFormat::Toml,
        )
        .unwrap();
        let evaluation = evaluate(&rule_set, &answers);
        render_human(&Outcome::of(&rule_set, answers.id.as_deref(), &evaluation), Audience::Desk, Paint::new(false))
    };
    let because = |id: &str| rule_set.rules[rule_set.rule_index(id).unwrap()].because.to_string();
    let labour = desk("labour.toml");
    assert!(labour.contains(&format!("Tell the person: {MATERNITY}\n")), "{labour}");
    assert!(labour.contains(&format!("\nWhy: {}\n", because("labour_signs"))), "{labour}");
    let both = desk("labour-and-saddle-numbness.toml");
    assert!(both.contains(&format!("\nWhy: {}\n", because("cauda_equina"))), "{both}");
    assert!(!both.contains(&because("labour_signs")), "one reason at the desk: {both}");
    // Two urgent rules: the first in the file decides.
    let text = std::fs::read_to_string(fixture("desk-worker.toml"))
        .unwrap()
        .replace("red_flags = []", "red_flags = [\"night_pain\", \"cancer_history\"]");
    let answers = parse_answers(
        &rule_set.questionnaire,
        SourceText::new("-", &text),
        massage_triage::answers::AnswerFormat::Toml,
    )
    .unwrap();
    let words =
        render_human(&Outcome::of(&rule_set, None, &evaluate(&rule_set, &answers)), Audience::Desk, Paint::new(false));
    assert!(words.contains(&format!("\nWhy: {}\n", because("cancer_history"))), "{words}");
}

#[test]
fn swedish_massage_is_given_at_medium_pressure_at_most_even_to_a_client_who_likes_firm() {
    let json = assess_json(&["--answers", &fixture("firm-swedish.toml")], None);
    assert_eq!(json["recommendation"], "swedish");
    assert_eq!(json["pressure"], "medium");
    let reasons: Vec<&str> = json["reasons"].as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap()).collect();
    assert!(!reasons.contains(&"prefers_medium"), "no rule caps the pressure here: {reasons:?}");
    triage()
        .args(["assess", "--answers", &fixture("firm-swedish.toml")])
        .assert()
        .success()
        .stdout(predicate::str::contains("Pressure: medium at most\n"));
    // It is the style's maximum in [policy.max_pressure] that caps it: without it, firm.
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    std::fs::copy(root.join("questionnaire.toml"), dir.path().join("questionnaire.toml")).unwrap();
    let rules = std::fs::read_to_string(root.join("rules.toml")).unwrap();
    let without = "[policy.max_pressure]\nmyofascial = \"medium\"\n";
    let edited = rules.replace("[policy.max_pressure]\nswedish = \"medium\"\nmyofascial = \"medium\"\n", without);
    assert!(edited.contains(without));
    std::fs::write(dir.path().join("rules.toml"), edited).unwrap();
    let uncapped =
        assess_json(&["--rules", dir.path().to_str().unwrap(), "--answers", &fixture("firm-swedish.toml")], None);
    assert_eq!((uncapped["recommendation"].as_str(), uncapped["pressure"].as_str()), (Some("swedish"), Some("firm")));
}

/// The JSON without the fields that name the answer set or its warnings.
fn outcome(mut json: Value) -> Value {
    let object = json.as_object_mut().unwrap();
    object.remove("id");
    object.remove("warnings");
    json
}

#[test]
fn unlikely_answers_warn_in_json_and_on_standard_error_and_never_change_the_outcome() {
    let file = fixture("pregnant-at-56.toml");
    let json = assess_json(&["--answers", &file], None);
    assert_eq!(
        json["warnings"],
        serde_json::json!([{
            "id": "pregnant_at_56_or_over",
            "message": "Pregnant at 56 or over is rare: check the age and the pregnancy answer."
        }])
    );
    let output = triage().args(["assess", "--answers", &file]).assert().success();
    let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
    assert_eq!(
        stderr,
        format!("warning: {file}: Pregnant at 56 or over is rare: check the age and the pregnancy answer. [pregnant_at_56_or_over] (answers that rarely go together; the result does not change)\n")
    );
    let stdout = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("Answers to check (they rarely go together; the result is the same either way):\n  - Pregnant at 56 or over is rare"), "{stdout}");
    // JSON: the warning is data, standard error says it as well.
    triage()
        .args(["assess", "--format", "json", "--answers", &file])
        .assert()
        .success()
        .stderr(predicate::str::contains("[pregnant_at_56_or_over]"));
    // Every unlikely row, beside the nearest likely answers the rules read the same way:
    // the same outcome, with and without the warning.
    let base = std::fs::read_to_string(fixture("desk-worker.toml")).unwrap();
    let pregnant = std::fs::read_to_string(&file).unwrap();
    let rows = [
        ("pregnant_at_56_or_over", pregnant.clone(), pregnant.replace("age = 56", "age = 55")),
        (
            "no_pain_but_worsening",
            base.replace("severity = 5", "severity = 0").replace("worsening = false", "worsening = true"),
            base.replace("severity = 5", "severity = 1").replace("worsening = false", "worsening = true"),
        ),
        (
            "surgery_pain_longer_than_surgery",
            base.replace("\"posture_stress\"", "\"post_surgery\"")
                .replace("contraindications = []", "contraindications = [\"recent_surgery\"]"),
            base.replace("\"posture_stress\"", "\"post_surgery\"")
                .replace("contraindications = []", "contraindications = [\"recent_surgery\"]")
                .replace("\"chronic\"", "\"acute\""),
        ),
    ];
    for (id, unlikely, likely) in rows {
        let warned = assess_json(&["--answers", "-"], Some(&unlikely));
        let plain = assess_json(&["--answers", "-"], Some(&likely));
        let ids: Vec<&str> = warned["warnings"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [id]);
        assert_eq!(plain["warnings"], serde_json::json!([]), "{id}");
        assert_eq!(outcome(warned), outcome(plain), "{id}");
    }
    // No warning: an empty list, nothing on standard error.
    let output = triage().args(["assess", "--answers", &fixture("desk-worker.toml")]).assert().success();
    assert!(output.get_output().stderr.is_empty());
}
