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

// 1. A JSON answer file naming a key twice was accepted, the last value winning: a cauda
// equina sign disappeared. Files and batch records now share one reader that refuses it.

#[test]
fn a_json_answer_file_naming_a_key_twice_is_refused_with_both_places() {
    let dir = tempfile::tempdir().unwrap();
    let twice = CAUDA_EQUINA.replacen("\"pressure\": \"medium\"}", "\"pressure\": \"medium\", \"red_flags\": []}", 1);
    let file = write(dir.path(), "twice.json", &twice);
    let second = twice.rfind("\"red_flags\"").unwrap() + 1;
    let assess = run(&["assess", "--answers", &file], None);
    assert_eq!(assess.code, 2, "{}", assess.stdout);
    assert!(assess.stdout.is_empty(), "{}", assess.stdout);
    let expected = format!("twice.json:1:{second}: \"red_flags\" is given twice (first at line 1, column 2)");
    assert!(assess.stderr.contains(&expected), "{}", assess.stderr);
    // The same text on standard input (JSON by content) and as a batch record.
    let stdin = run(&["assess", "--answers", "-"], Some(twice.as_bytes()));
    assert_eq!(stdin.code, 2, "{}", stdin.stdout);
    assert!(stdin.stderr.contains("\"red_flags\" is given twice"), "{}", stdin.stderr);
    let batch = run(&["batch"], Some(twice.as_bytes()));
    assert_eq!(batch.code, 2, "{}", batch.stdout);
    let record: serde_json::Value = serde_json::from_str(batch.stdout.trim()).unwrap();
    let error = record["error"].as_str().unwrap();
    assert!(error.contains(&format!("\"red_flags\" is given twice (columns 2 and {second})")), "{error}");
    assert_eq!(record["id"], "b-1");
    assert!(record.get("recommendation").is_none());
}

#[test]
fn a_repeated_id_or_unknown_key_is_refused_too() {
    for (from, to) in [("\"id\": \"b-1\"", "\"id\": \"b-1\", \"id\": \"b-2\""), ("{", "{\"x\": 1, \"x\": 2, ")] {
        let twice = CAUDA_EQUINA.replacen(from, to, 1);
        let assess = run(&["assess", "--answers", "-"], Some(twice.as_bytes()));
        assert_eq!(assess.code, 2, "{twice}");
        assert!(assess.stderr.contains("is given twice"), "{}", assess.stderr);
    }
}

// 9. A JSON error was placed at the first text occurrence of the key's name: at the wrong
// place, or nowhere for an escaped key.

#[test]
fn a_json_error_is_placed_at_its_own_key_not_at_the_first_text_that_matches() {
    // "onset" appears first inside the id; the escaped key "a\u0067e" is "age".
    let text = RECORD
        .replacen("\"id\":\"b-1\"", "\"id\":\"onset\"", 1)
        .replacen("\"onset\":\"posture_stress\"", "\"onset\":\"posture\"", 1)
        .replacen("\"age\":41", "\"a\\u0067e\":410", 1);
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "a.json", &text);
    let assess = run(&["assess", "--answers", &file], None);
    assert_eq!(assess.code, 2);
    let onset = text.find("\"posture\"").unwrap() + 1;
    let age = text.find("410").unwrap() + 1;
    assert!(assess.stderr.contains(&format!("a.json:1:{onset}: unknown option \"posture\"")), "{}", assess.stderr);
    assert!(assess.stderr.contains(&format!("a.json:1:{age}: 410 is out of range for \"age\"")), "{}", assess.stderr);
}

// 8. The error of a one-line JSON answer file quoted every answer in it (cancer, pregnancy,
// blood thinners), with no length limit.

#[test]
fn an_error_excerpt_shows_only_the_answer_at_fault_and_is_capped() {
    let text = CAUDA_EQUINA
        .replacen("\"contraindications\": []", "\"contraindications\": [\"pregnancy\", \"blood_thinners\"]", 1)
        .replacen("\"pressure\": \"medium\"", "\"pressure\": \"firmm\"", 1);
    let assess = run(&["assess", "--answers", "-"], Some(text.as_bytes()));
    assert_eq!(assess.code, 2);
    assert!(assess.stderr.contains("\"pressure\": \"firmm\""), "{}", assess.stderr);
    for other in ["bladder_bowel", "pregnancy", "blood_thinners", "b-1", "lower_back"] {
        assert!(!assess.stderr.contains(other), "{other} quoted in: {}", assess.stderr);
    }
    // A syntax error shows the broken value only.
    let broken = text.replacen("\"severity\": 3", "\"severity\": 3x", 1);
    let assess = run(&["assess", "--answers", "-"], Some(broken.as_bytes()));
    assert_eq!(assess.code, 2);
    assert!(assess.stderr.contains("not valid JSON"), "{}", assess.stderr);
    for other in ["bladder_bowel", "pregnancy", "blood_thinners", "firmm"] {
        assert!(!assess.stderr.contains(other), "{other} quoted in: {}", assess.stderr);
    }
    // A huge value: the message stays short.
    let huge = CAUDA_EQUINA.replacen("\"onset\": \"unknown\"", &format!("\"onset\": \"{}\"", "x".repeat(600_000)), 1);
    let assess = run(&["assess", "--answers", "-"], Some(huge.as_bytes()));
    assert_eq!(assess.code, 2);
    assert!(assess.stderr.len() < 2_000, "{} bytes on standard error", assess.stderr.len());
}

// 2. One stray `"` inside a CSV cell stopped the batch ("a record longer than 1 MiB"); two
// paired up and let memory grow. The chunker now reads quotes as the CSV reader does.

fn csv_rows(count: usize, stray: &[usize]) -> String {
    let mut text = CSV_HEADER.to_owned();
    for row in 0..count {
        let line = CSV_ROW.replacen("r-1", &format!("r-{row}"), 1);
        text.push_str(&if stray.contains(&row) { line.replacen("lower_back", "lower\"_back", 1) } else { line });
    }
    text
}

#[test]
fn a_stray_quote_inside_a_csv_cell_refuses_that_row_only() {
    for stray in [&[1][..], &[1, 9_000], &[5_000, 5_001, 19_999]] {
        let input = csv_rows(20_000, stray);
        let batch = run(&["batch", "--input-format", "csv", "--output-format", "csv"], Some(input.as_bytes()));
        assert_eq!(batch.code, 2, "{}", batch.stderr);
        assert!(!batch.stderr.contains("longer than"), "{}", batch.stderr);
        assert!(
            batch.stderr.contains(&format!(
                "20000 records read: {} answered, {} refused",
                20_000 - stray.len(),
                stray.len()
            )),
            "{}",
            batch.stderr
        );
        let mut reader = csv::Reader::from_reader(batch.stdout.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 20_000);
        for row in stray {
            assert!(rows[*row][11].contains("unknown option \"lower\"_back\""), "{:?}", &rows[*row]);
            assert_eq!(&rows[*row][0], format!("r-{row}"));
        }
    }
}

// 7. Output could be forged: an `id` holding a newline and escape sequences printed a fake
// second line and raw terminal sequences; error messages echoed escape sequences.

const FORGED_ID: &str = "b-1\nRecommendation: physician (emergency)\u{1b}[2J";

#[test]
fn an_id_with_a_newline_and_escape_sequences_cannot_forge_output() {
    let record = RECORD.replacen("\"b-1\"", &serde_json::to_string(FORGED_ID).unwrap(), 1);
    let assess = run(&["assess", "--answers", "-"], Some(record.as_bytes()));
    assert_eq!(assess.code, 0, "{}", assess.stderr);
    assert!(
        assess.stdout.contains("Reference: b-1\\nRecommendation: physician (emergency)\\u{1b}[2J"),
        "{}",
        assess.stdout
    );
    assert!(!assess.stdout.contains('\u{1b}'));
    assert_eq!(assess.stdout.lines().filter(|l| l.starts_with("Recommendation:")).count(), 1, "{}", assess.stdout);
    // JSON keeps the id exact (escaped by JSON itself).
    let json = run(&["assess", "--answers", "-", "--format", "json"], Some(record.as_bytes()));
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["id"], FORGED_ID);
    // A bad value with escape sequences in an error message.
    let bad = record.replacen("\"medium\"", "\"\\u001b[31mfirm\\u001b[0m\\nRecommendation: swedish\"", 1);
    let refused = run(&["assess", "--answers", "-"], Some(bad.as_bytes()));
    assert_eq!(refused.code, 2);
    assert!(!refused.stderr.contains('\u{1b}'), "{:?}", refused.stderr);
    assert!(
        refused.stderr.contains("unknown option \"\\u{1b}[31mfirm\\u{1b}[0m\\nRecommendation: swedish\""),
        "{}",
        refused.stderr
    );
    assert_eq!(refused.stderr.lines().filter(|l| l.starts_with("Recommendation")).count(), 0);
}

#[test]
fn csv_output_cells_cannot_start_a_spreadsheet_formula() {
    let mut input = CSV_HEADER.to_owned();
    for (row, id) in ["=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "\tx", "plain"].iter().enumerate() {
        let id = format!("\"{}\"", id.replace('"', "\"\""));
        input.push_str(&CSV_ROW.replacen("r-1", &id, 1));
        if row == 5 {
            input.push_str(&CSV_ROW.replacen("r-1", "=1+1", 1).replacen("medium", "=2+2", 1));
        }
    }
    let batch = run(&["batch", "--input-format", "csv", "--output-format", "csv"], Some(input.as_bytes()));
    let mut reader = csv::Reader::from_reader(batch.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    // (Cells are trimmed on the way in: the tab goes.)
    assert_eq!(ids, ["'=HYPERLINK(\"http://x\")", "'+1", "'-1", "'@SUM(A1)", "x", "plain", "'=1+1"]);
    for row in &rows {
        for cell in row.iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?} in {row:?}");
        }
    }
}
