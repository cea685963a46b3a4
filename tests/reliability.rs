//! Issue 13, "Reliability": one regression test per defect found by the attack on the
//! release binary, named after it, through the binary end to end where the defect showed
//! there. The answer sets are today's questionnaire's (version 1).
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;
use massage_triage::diagnostic::SourceText;
use massage_triage::rules::{Origin, RuleSet, BUILT_IN_QUESTIONNAIRE, BUILT_IN_RULES};
use std::path::Path;

fn triage() -> Command {
    let mut command = Command::cargo_bin("massage-triage").unwrap();
    command.env_remove("NO_COLOR").env_remove("RAYON_NUM_THREADS");
    command
}

/// What one run of the binary gave.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut command = triage();
    command.args(args);
    command.write_stdin(stdin.unwrap_or_default().to_vec());
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A valid JSON answer set, on one line, with a red flag that must end in an emergency.
const CAUDA_EQUINA: &str = r#"{"red_flags": ["bladder_bowel"], "id": "b-1", "duration": "acute", "severity": 3, "worsening": false, "location": ["lower_back"], "onset": "unknown", "contraindications": [], "age": 40, "pressure": "medium"}"#;

/// A valid answer set as a JSON Lines record, with `id` first.
const RECORD: &str = r#"{"id":"b-1","red_flags":[],"duration":"chronic","severity":5,"worsening":false,"location":["lower_back"],"onset":"posture_stress","contraindications":[],"age":41,"pressure":"medium"}"#;

/// The CSV header and one good row.
const CSV_HEADER: &str = "id,red_flags,duration,severity,worsening,location,onset,contraindications,age,pressure\n";
const CSV_ROW: &str = "r-1,,chronic,5,false,lower_back,posture_stress,,41,medium\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

// 3. A weight of i64::MIN passed validation (its negation overflows) and became 0.

#[test]
fn a_weight_of_i64_min_is_refused_not_read_as_zero() {
    for weight in ["-9223372036854775808", "9223372036854775807", "-2147483648", "4294967296", "-101", "101"] {
        let rules =
            BUILT_IN_RULES.replacen("favour = { swedish = 2 }", &format!("favour = {{ swedish = {weight} }}"), 1);
        assert_ne!(rules, BUILT_IN_RULES);
        let problems = RuleSet::from_texts(
            SourceText::new("questionnaire.toml", BUILT_IN_QUESTIONNAIRE),
            SourceText::new("rules.toml", &rules),
            Origin::BuiltIn,
        )
        .err()
        .unwrap_or_else(|| panic!("weight {weight} was accepted"));
        let problem = problems.0.iter().find(|p| p.code == "bad-weight").unwrap();
        assert!(problem.message.contains(&format!("weight {weight} is out of range")), "{problem}");
        assert!(problem.line > 0 && problem.column > 0);
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "questionnaire.toml", BUILT_IN_QUESTIONNAIRE);
    let rules = BUILT_IN_RULES.replacen("favour = { swedish = 2 }", "favour = { swedish = -9223372036854775808 }", 1);
    write(dir.path(), "rules.toml", &rules);
    let check = run(&["rules", "check", "--rules", dir.path().to_str().unwrap()], None);
    assert_eq!(check.code, 2, "{}", check.stderr);
    assert!(check.stderr.contains("weight -9223372036854775808 is out of range"), "{}", check.stderr);
}
