//! `batch` end to end: the built binary on JSON Lines and CSV, good and bad records, line
//! ends, standard streams, output files written whole, one thread or many; version 2's
//! `version` column, conditional question, `none` cells, rule `tell` and warnings; and a
//! property over generated records: every safety statement holds, and every result is what
//! `assess` gives, in both input formats.

use crate::common::{answers_from_seeds, broken_among, csv_header, csv_row, json_line, rule_set, statements};
use assert_cmd::Command;
use massage_triage::answers::Answers;
use massage_triage::engine::evaluate;
use massage_triage::recommendation::Urgency;
use massage_triage::report::Outcome;
use proptest::prelude::*;
use serde_json::Value;

fn triage() -> Command {
    let mut command = Command::cargo_bin("massage-triage").unwrap();
    command.env_remove("NO_COLOR").env_remove("RAYON_NUM_THREADS");
    command
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/batch/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// What one run gave.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    /// Its problems, one per line (`common::problems`).
    problems: String,
}

impl Run {
    fn json_lines(&self) -> Vec<Value> {
        self.stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
    }

    fn csv_rows(&self) -> Vec<csv::StringRecord> {
        let mut reader = csv::Reader::from_reader(self.stdout.as_bytes());
        assert_eq!(reader.headers().unwrap(), CSV_COLUMNS.as_slice());
        reader.records().map(Result::unwrap).collect()
    }
}

const CSV_COLUMNS: [&str; 19] = [
    "id",
    "line",
    "recommendation",
    "urgency",
    "pressure",
    "session_minutes",
    "alternatives",
    "precautions",
    "reasons",
    "advice",
    "tell",
    "error",
    "warnings",
    "rule_set",
    "rule_set_version",
    "rule_set_sha256",
    "questionnaire_version",
    "tool_version",
    "overrides",
];

fn batch(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut command = triage();
    command.arg("batch").args(args);
    if let Some(input) = stdin {
        command.write_stdin(input.to_vec());
    }
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        problems: crate::common::problems(&String::from_utf8_lossy(&output.stderr)),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// `assess --format json` on one JSON answer set.
fn assess(record: &str) -> Value {
    let output = triage().args(["assess", "--format", "json", "--answers", "-"]).write_stdin(record).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

#[test]
fn json_lines_give_what_assess_gives_record_by_record() {
    let input = std::fs::read_to_string(fixture("good.jsonl")).unwrap();
    let run = batch(&["--input", &fixture("good.jsonl")], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let results = run.json_lines();
    let records: Vec<&str> = input.lines().collect();
    assert_eq!(results.len(), records.len());
    for (number, (record, result)) in records.iter().zip(&results).enumerate() {
        let mut expected = assess(record);
        if expected.get("id").is_none() {
            // Without an id, batch names the record by its line.
            let object = expected.as_object_mut().unwrap();
            let mut with_line = serde_json::Map::new();
            with_line.insert("line".into(), Value::from(number + 1));
            with_line.extend(object.clone());
            expected = Value::Object(with_line);
        }
        assert_eq!(result, &expected, "line {}", number + 1);
        // The same order of fields as assess, on one line.
        let text = run.stdout.lines().nth(number).unwrap();
        let fields = [
            "recommendation",
            "urgency",
            "pressure",
            "session_minutes",
            "alternatives",
            "precautions",
            "reasons",
            "advice",
        ];
        let places: Vec<usize> = fields.iter().map(|f| text.find(&format!("\"{f}\":")).unwrap()).collect();
        assert!(places.windows(2).all(|w| w[0] < w[1]), "{text}");
    }
    assert_eq!(results[1]["line"], 2);
    assert_eq!(results[3]["id"], "booking-4, \"quoted\"");
    assert!(run.stderr.contains("5 records read: 5 answered, 0 refused"), "{}", run.stderr);
    assert!(run.stderr.contains("physician 2"), "{}", run.stderr);
    assert!(run.stderr.contains("emergency 1, urgent 1, routine 0"), "{}", run.stderr);
}

#[test]
fn csv_in_gives_the_same_results_as_json_lines_in() {
    let from_json = batch(&["--input", &fixture("good.jsonl")], None).json_lines();
    let run = batch(&["--input", &fixture("good.csv")], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let from_csv = run.json_lines();
    assert_eq!(from_csv.len(), from_json.len());
    for (csv_result, json_result) in from_csv.iter().zip(&from_json) {
        let mut csv_result = csv_result.clone();
        let mut json_result = json_result.clone();
        // CSV rows sit one line lower (the header is line 1).
        if let Some(line) = csv_result.as_object_mut().unwrap().remove("line") {
            assert_eq!(
                line.as_u64().unwrap(),
                json_result.as_object_mut().unwrap().remove("line").unwrap().as_u64().unwrap() + 1
            );
        }
        assert_eq!(csv_result, json_result);
    }
}

#[test]
fn csv_out_has_the_columns_and_the_same_results() {
    let json = batch(&["--input", &fixture("good.jsonl")], None).json_lines();
    for input in ["good.jsonl", "good.csv"] {
        let run = batch(&["--input", &fixture(input), "--output-format", "csv"], None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let rows = run.csv_rows();
        assert_eq!(rows.len(), json.len());
        for (row, result) in rows.iter().zip(&json) {
            assert_eq!(&row[0], result["id"].as_str().unwrap_or(""));
            assert_eq!(&row[2], result["recommendation"]);
            assert_eq!(&row[3], result["urgency"].as_str().unwrap_or(""));
            assert_eq!(&row[4], result["pressure"].as_str().unwrap_or(""));
            assert_eq!(&row[5], result["session_minutes"].as_u64().map_or(String::new(), |m| m.to_string()));
            assert_eq!(&row[6], strings(&result["alternatives"]).join(";"));
            assert_eq!(&row[7], strings(&result["precautions"]).join(" | "));
            let reasons: Vec<&str> =
                result["reasons"].as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap()).collect();
            assert_eq!(&row[8], reasons.join(";"));
            assert_eq!(&row[9], strings(&result["advice"]).join(" | "));
            assert_eq!(&row[10], result["tell"].as_str().unwrap_or(""));
            assert_eq!(&row[11], "");
            let warnings: Vec<&str> =
                result["warnings"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap()).collect();
            assert_eq!(&row[12], warnings.join(";"));
            // The identity, the same as in the JSON Lines.
            assert_eq!(&row[13], result["rule_set"]["name"].as_str().unwrap());
            assert_eq!(&row[14], result["rule_set"]["version"].as_str().unwrap());
            assert_eq!(&row[15], result["rule_set"]["sha256"].as_str().unwrap());
            assert_eq!(&row[16], result["questionnaire_version"].to_string());
            assert_eq!(&row[17], result["tool_version"].as_str().unwrap());
            assert_eq!(&row[18], "");
        }
        let first_line = if input.ends_with("csv") { "2" } else { "1" };
        assert_eq!(&rows[0][1], first_line);
    }
}

/// The `error` of each result, or `None` for an answered record.
fn errors(results: &[Value]) -> Vec<Option<String>> {
    results.iter().map(|r| r.get("error").map(|e| e.as_str().unwrap().to_owned())).collect()
}

#[test]
fn bad_json_lines_are_refused_in_place_and_the_rest_are_answered() {
    let run = batch(&["--input", &fixture("mixed.jsonl")], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let results = run.json_lines();
    // Ten lines, one blank: nine records, in order.
    let ids: Vec<Value> = results.iter().map(|r| r.get("id").cloned().unwrap_or(r["line"].clone())).collect();
    let expected_ids =
        ["ok-1", "broken", "unknown-key", "unknown-option", "missing", "out-of-range", "", "wrong-type", "ok-2"];
    assert_eq!(ids.len(), expected_ids.len());
    for (id, expected) in ids.iter().zip(expected_ids) {
        if expected.is_empty() {
            assert_eq!(id, 8);
        } else {
            assert_eq!(id, expected);
        }
    }
    let errors = errors(&results);
    assert_eq!(errors[0], None);
    assert_eq!(results[0]["recommendation"], "swedish");
    let expect = |index: usize, parts: &[&str]| {
        let error = errors[index].as_deref().unwrap_or_else(|| panic!("record {index} was not refused"));
        for part in parts {
            assert!(error.contains(part), "record {index}: {error:?} lacks {part:?}");
        }
        assert!(results[index].get("recommendation").is_none());
    };
    expect(1, &["line 2, column", "not valid JSON"]);
    expect(2, &["line 3: ", "unknown question \"allergies\""]);
    expect(3, &["line 4: ", "unknown option \"firmm\" for question \"pressure\"", "(did you mean \"firm\"?)"]);
    expect(4, &["line 6: ", "no answer to \"age\"", "from 12 to 110"]);
    expect(5, &["line 7: ", "11 is out of range for \"severity\""]);
    expect(6, &["line 8: ", "expected a JSON object of answers, not a list"]);
    expect(7, &["line 9: ", "\"red_flags\" must be", "not a string", "\"worsening\" must be true or false"]);
    assert_eq!(results[4]["line"], 6);
    // Each refused record names its problems' codes, in the order its error gives them.
    let codes: Vec<Value> = results[1..8].iter().map(|r| r["codes"].clone()).collect();
    let expected_codes = serde_json::json!([
        ["json"],
        ["unknown-question"],
        ["unknown-option"],
        ["missing-answer"],
        ["out-of-range"],
        ["not-an-object"],
        ["wrong-type", "wrong-type"]
    ]);
    assert_eq!(Value::Array(codes), expected_codes);
    assert!(results[0].get("codes").is_none());
    assert_eq!(errors[8], None);
    assert_eq!(results[8]["recommendation"], "physician");
    assert_eq!(results[8]["urgency"], "emergency");
    assert!(run.stderr.contains("9 records read: 2 answered, 7 refused"), "{}", run.stderr);
}

#[test]
fn bad_csv_rows_are_refused_in_place_and_the_rest_are_answered() {
    let run = batch(&["--input", &fixture("mixed.csv")], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let results = run.json_lines();
    let ids: Vec<&str> = results.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["ok-1", "unknown-option", "missing", "out-of-range", "wrong-type", "too-many", "unknown-item", "ok-2"]
    );
    let errors = errors(&results);
    let expect = |index: usize, parts: &[&str]| {
        let error = errors[index].as_deref().unwrap_or_else(|| panic!("row {index} was not refused"));
        for part in parts {
            assert!(error.contains(part), "row {index}: {error:?} lacks {part:?}");
        }
    };
    assert_eq!(errors[0], None);
    expect(1, &["line 3: ", "unknown option \"firmm\"", "did you mean \"firm\""]);
    expect(2, &["line 4: ", "no answer to \"age\""]);
    expect(3, &["line 6: ", "11 is out of range for \"severity\""]);
    expect(
        4,
        &[
            "line 7: ",
            "\"severity\" must be a whole number from 0 to 10, not \"five\"",
            "\"worsening\" must be true or false",
        ],
    );
    expect(5, &["line 8: ", "13 fields but the header has 12 columns"]);
    expect(6, &["line 9: ", "unknown option \"fevr\" for question \"red_flags\"", "did you mean \"fever\""]);
    assert_eq!(errors[7], None);
    assert_eq!(results[7]["urgency"], "emergency");
    assert!(run.stderr.contains("8 records read: 2 answered, 6 refused"), "{}", run.stderr);

    // The same as CSV: every row accounted for, the error in its column.
    let run = batch(&["--input", &fixture("mixed.csv"), "--output-format", "csv"], None);
    let rows = run.csv_rows();
    assert_eq!(rows.len(), 8);
    assert!(rows[1][11].starts_with("line 3: unknown option"));
    assert_eq!(&rows[1][2], "");
    assert_eq!(&rows[0][11], "");
}

#[test]
fn a_csv_header_that_cannot_be_read_stops_before_any_record() {
    let input = "id,version,red_flags,duration,severty,worsening,location,onset,contraindications,pregnancy_signs,age,pressure\n,2,none,acute,1,false,neck,sports,none,,30,light\n";
    let run = batch(&["--input-format", "csv"], Some(input.as_bytes()));
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(run.problems.contains("-:1: unknown column \"severty\""), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean \"severity\""), "{}", run.stderr);
    assert!(run.stderr.contains("no column \"severity\""), "{}", run.stderr);
}

#[test]
fn empty_input_gives_no_records_and_success() {
    for input in ["", "\n\n"] {
        let run = batch(&[], Some(input.as_bytes()));
        assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
        assert!(run.stderr.contains("0 records read: 0 answered, 0 refused"), "{}", run.stderr);
        let run = batch(&["--input-format", "csv", "--output-format", "csv"], Some(input.as_bytes()));
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, format!("{}\n", CSV_COLUMNS.join(",")));
    }
}

#[test]
fn the_last_record_needs_no_final_newline_and_crlf_line_ends_work() {
    for name in ["good.jsonl", "good.csv"] {
        let format = if name.ends_with("csv") { "csv" } else { "jsonl" };
        let text = std::fs::read_to_string(fixture(name)).unwrap();
        let expected = batch(&["--input-format", format], Some(text.as_bytes())).stdout;
        let without_final_newline = text.trim_end();
        let crlf = text.replace('\n', "\r\n");
        let crlf_without_final = crlf.trim_end();
        for input in [without_final_newline, &crlf, crlf_without_final] {
            let run = batch(&["--input-format", format], Some(input.as_bytes()));
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert_eq!(run.stdout, expected, "{format} {input:?}");
        }
    }
}

#[test]
fn standard_input_and_output_by_dash_or_by_default() {
    let input = std::fs::read(fixture("good.jsonl")).unwrap();
    let by_file = batch(&["--input", &fixture("good.jsonl")], None).stdout;
    assert_eq!(batch(&[], Some(&input)).stdout, by_file);
    assert_eq!(batch(&["--input", "-", "--output", "-"], Some(&input)).stdout, by_file);
    // Standard input's format, when not told, is what its start shows: a CSV header here.
    let csv = std::fs::read(fixture("good.csv")).unwrap();
    let csv_by_file = batch(&["--input", &fixture("good.csv")], None);
    assert_eq!(batch(&["--input", "-"], Some(&csv)).stdout, csv_by_file.stdout);
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn output_to_a_file_is_written_whole_and_private() {
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("results.csv");
    let run = batch(&["--input", &fixture("good.jsonl"), "--output", out.to_str().unwrap()], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let written = std::fs::read_to_string(&out).unwrap();
    // The format follows the output's extension.
    assert_eq!(written, batch(&["--input", &fixture("good.jsonl"), "--output-format", "csv"], None).stdout);
    #[cfg(unix)]
    assert_eq!(mode(&out), 0o600);
    // Bad records still give a whole file (and exit 2); replacing the first takes --force.
    let run = batch(&["--input", &fixture("mixed.jsonl"), "--output", out.to_str().unwrap(), "--force"], None);
    assert_eq!(run.code, 2);
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 1 + 9);
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1, "no temporary file left behind");
}

#[test]
fn a_failed_run_leaves_the_previous_output_in_place() {
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("results.jsonl");
    std::fs::write(&out, "the good results of yesterday\n").unwrap();
    let bad_header = folder.path().join("bad.csv");
    std::fs::write(&bad_header, "id,nonsense\nx,1\n").unwrap();
    let missing = folder.path().join("missing.jsonl");
    for input in [&bad_header, &missing] {
        let run = batch(&["--input", input.to_str().unwrap(), "--output", out.to_str().unwrap(), "--force"], None);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "the good results of yesterday\n");
    }
    let names: Vec<_> = std::fs::read_dir(folder.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "no temporary file left behind: {names:?}");
    // An output folder that does not exist is refused before the input is read, as for
    // every file the tool writes.
    let nowhere = folder.path().join("no/such/folder/out.jsonl");
    let run = batch(&["--input", &fixture("good.jsonl"), "--output", nowhere.to_str().unwrap()], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
}

/// The result `assess` gives for these answers, named as batch names it (its id, else
/// its line).
fn expected_result(answers: &Answers, line: usize) -> Value {
    let rule_set = rule_set();
    let mut expected =
        serde_json::to_value(Outcome::of_answers(rule_set, answers, &evaluate(rule_set, answers), None)).unwrap();
    if answers.id.is_none() {
        let object = expected.as_object_mut().unwrap();
        let mut with_line = serde_json::Map::new();
        with_line.insert("line".into(), Value::from(line));
        with_line.extend(std::mem::take(object));
        expected = Value::Object(with_line);
    }
    expected
}

fn record_strategy() -> impl Strategy<Value = Answers> {
    let count = rule_set().questionnaire.questions.len();
    (prop::option::of("[a-z0-9-]{1,12}"), prop::collection::vec(any::<u64>(), count))
        .prop_map(move |(id, seeds)| answers_from_seeds(rule_set(), id, &seeds))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Generated version-2 records (the pregnancy question exactly when pregnant), as JSON
    /// Lines and as CSV (`none` for an empty list, an empty cell for a question not asked):
    /// every one is answered, every safety statement that holds for it holds for its result
    /// (a red flag's referral at least as urgent as marked, no forbidden style, no pressure
    /// above a limit), and every result is what `assess` gives for it.
    #[test]
    fn every_record_meets_every_safety_statement(records in prop::collection::vec(record_strategy(), 1..80)) {
        let rule_set = rule_set();
        let questionnaire = &rule_set.questionnaire;
        let jsonl: String = records.iter().map(|a| json_line(questionnaire, a) + "\n").collect();
        let csv: String = std::iter::once(csv_header(questionnaire))
            .chain(records.iter().map(|a| csv_row(questionnaire, a)))
            .map(|line| line + "\n")
            .collect();
        for (input, format, first_line) in [(jsonl, "jsonl", 1), (csv, "csv", 2)] {
            let run = batch(&["--input-format", format], Some(input.as_bytes()));
            prop_assert_eq!(run.code, 0, "{}", run.stderr);
            let results = run.json_lines();
            prop_assert_eq!(results.len(), records.len());
            for (index, (answers, result)) in records.iter().zip(&results).enumerate() {
                let line = index + first_line;
                let evaluation = evaluate(rule_set, answers);
                let broken = broken_among(rule_set, statements(), answers, &evaluation);
                prop_assert!(broken.is_empty(), "{} line {}: {:?}", format, line, broken);
                if let Some(floor) = statements().iter().filter(|s| s.when.holds(answers)).filter_map(|s| s.min_urgency).max() {
                    prop_assert_eq!(&result["recommendation"], "physician", "{} line {}", format, line);
                    let given = Urgency::from_id(result["urgency"].as_str().unwrap()).unwrap();
                    prop_assert!(given >= floor, "{} line {}: {:?} < {:?}", format, line, given, floor);
                }
                prop_assert_eq!(result, &expected_result(answers, line), "{} line {}", format, line);
            }
        }
    }
}

/// Deterministic records, a tenth of them broken, enough for many chunks.
fn many_records(count: usize) -> String {
    let questionnaire = &rule_set().questionnaire;
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut text = String::new();
    for number in 0..count {
        let seeds: Vec<u64> = (0..questionnaire.questions.len()).map(|_| next()).collect();
        let answers = answers_from_seeds(rule_set(), Some(format!("r{number}")), &seeds);
        let line = json_line(questionnaire, &answers);
        if next() % 10 == 0 {
            text.push_str(&line[..line.len() / 2]);
        } else {
            text.push_str(&line);
        }
        text.push('\n');
    }
    text
}

#[test]
fn one_thread_or_many_give_the_same_output_in_input_order() {
    // About 2 MB: several chunks, so order across chunks is exercised.
    let input = many_records(10_000);
    let many = batch(&[], Some(input.as_bytes()));
    assert_eq!(many.code, 2);
    let one = {
        let output = triage().arg("batch").env("RAYON_NUM_THREADS", "1").write_stdin(input.clone()).output().unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    assert_eq!(one, many.stdout);
    let results = many.json_lines();
    assert_eq!(results.len(), 10_000);
    for (number, result) in results.iter().enumerate() {
        match result.get("id") {
            Some(id) => assert_eq!(id, &format!("r{number}")),
            // A half record may have lost its id; its line says where it was.
            None => assert_eq!(result["line"], number + 1),
        }
    }
    let refused = results.iter().filter(|r| r.get("error").is_some()).count();
    assert!(many.stderr.contains(&format!("10000 records read: {} answered, {refused} refused", 10_000 - refused)));
}

#[cfg(unix)]
#[test]
fn output_to_a_device_is_written_in_place_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let run = batch(&["--input", &fixture("good.jsonl"), "--output", "/dev/null"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
}

#[cfg(unix)]
#[test]
fn ctrl_c_leaves_the_previous_output_in_place_and_exits_130() {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("results.jsonl");
    std::fs::write(&out, "the good results of yesterday\n").unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("massage-triage"))
        .args(["batch", "--force", "--output", out.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(many_records(100).as_bytes()).unwrap();
    // The run has started once its temporary file is there.
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_dir(folder.path()).unwrap().count() < 2 {
        assert!(Instant::now() < deadline, "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    // The run ends at once, whatever the input does: a later write may find the pipe closed.
    let _ = stdin.write_all(many_records(10).as_bytes());
    drop(stdin);
    let output = loop {
        if child.try_wait().unwrap().is_some() {
            break child.wait_with_output().unwrap();
        }
        assert!(Instant::now() < deadline, "batch did not stop");
        std::thread::sleep(Duration::from_millis(10));
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "the good results of yesterday\n");
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1, "no temporary file left behind");
}

#[test]
fn a_record_longer_than_a_mebibyte_stops_the_run() {
    let good = std::fs::read_to_string(fixture("good.jsonl")).unwrap();
    let first = good.lines().next().unwrap();
    let input = format!("{first}\n{{\"id\":\"{}\"}}\n", "x".repeat(1 << 20));
    let run = batch(&[], Some(input.as_bytes()));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.problems.contains("-:2: a record longer than 1 MiB"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn a_progress_bar_is_drawn_on_a_terminal_for_a_large_input_only() {
    use expectrl::Expect;
    use std::time::Duration;
    let folder = tempfile::tempdir().unwrap();
    let big = folder.path().join("big.jsonl");
    let mut text = String::new();
    while text.len() < 33 * 1024 * 1024 {
        text.push_str(&many_records(20_000));
    }
    std::fs::write(&big, text).unwrap();
    let small = fixture("good.jsonl");
    let out = folder.path().join("out.jsonl");
    let session = |input: &str| {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("massage-triage"));
        command.args(["batch", "--force", "--input", input, "--output", out.to_str().unwrap()]).env_remove("NO_COLOR");
        let mut session = expectrl::Session::spawn(command).unwrap();
        session.set_expect_timeout(Some(Duration::from_secs(180)));
        session
    };
    let mut large = session(big.to_str().unwrap());
    // The bar's message, then the summary once it is cleared.
    large.expect(" records (").unwrap();
    large.expect("records read").unwrap();
    let mut short = session(&small);
    let shown = short.expect("records read").unwrap();
    assert!(!String::from_utf8_lossy(shown.before()).contains(" records ("));
}

// ---------------------------------------------------------------- questionnaire version 2

const V1_LACKS: &str = "red_flags: breathless_sweaty (version 2), head_neuro (version 2), arm_hand_neuro (version 2), infection_risk (version 2); contraindications: bleeding_risk (version 2), recent_clot (version 2)";

/// The built-in CSV header.
const HEADER: &str =
    "id,version,red_flags,duration,severity,worsening,location,onset,contraindications,pregnancy_signs,age,pressure";

/// A good CSV row, with cells replaced by (column, cell).
fn csv_with(id: &str, changes: &[(&str, &str)]) -> String {
    let columns: Vec<&str> = HEADER.split(',').collect();
    let mut cells: Vec<String> =
        [id, "2", "none", "chronic", "5", "false", "lower_back", "posture_stress", "none", "", "41", "medium"]
            .map(str::to_owned)
            .to_vec();
    for (column, cell) in changes {
        let at = columns.iter().position(|c| c == column).unwrap_or_else(|| panic!("no column {column}"));
        cells[at] = (*cell).to_owned();
    }
    cells.join(",")
}

/// A good JSON Lines record (the desk worker), with keys set (`null` removes a key).
fn jsonl_with(id: &str, changes: &[(&str, Value)]) -> String {
    let mut record: serde_json::Map<String, Value> = serde_json::from_str(
        r#"{"version":2,"red_flags":[],"duration":"chronic","severity":5,"worsening":false,"location":["lower_back"],"onset":"posture_stress","contraindications":[],"age":41,"pressure":"medium"}"#,
    )
    .unwrap();
    record.insert("id".into(), Value::from(id));
    for (key, value) in changes {
        match value {
            Value::Null => record.remove(*key),
            value => record.insert((*key).to_owned(), value.clone()),
        };
    }
    Value::Object(record).to_string()
}

#[test]
fn a_csv_header_without_version_is_refused_naming_what_version_1_lacks() {
    let good = std::fs::read_to_string(fixture("good.csv")).unwrap();
    // The same file without its version column.
    let without: String = good
        .lines()
        .map(|line| {
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
            let record = reader.records().next().unwrap().unwrap();
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(record.iter().enumerate().filter(|(i, _)| *i != 1).map(|(_, f)| f)).unwrap();
            String::from_utf8(writer.into_inner().unwrap()).unwrap()
        })
        .collect();
    let run = batch(&["--input-format", "csv"], Some(without.as_bytes()));
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "", "no record is read");
    assert!(
        run.problems.starts_with(&format!("error[missing-column]: -:1: the header has no column \"version\", so every record would be read as questionnaire version 1, and version 2 asks more (nothing is read as \"no\"): {V1_LACKS}; the question pregnancy_signs (added in version 2); add a version column\n")),
        "{}",
        run.stderr
    );
    // Under a version-1 rule set, a header without version (and without the version-2
    // question) is fine: every record is of version 1, which asks all there is. (An empty
    // several-of cell is no answer there too: `none` says none of these.)
    let v1 = format!("{}/tests/fixtures/v1", env!("CARGO_MANIFEST_DIR"));
    let old = "id,red_flags,duration,severity,worsening,location,onset,contraindications,age,pressure\nold-1,none,chronic,5,false,lower_back,posture_stress,none,41,medium\n";
    let run = batch(&["--rules", &v1, "--input-format", "csv"], Some(old.as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json_lines()[0]["recommendation"], "swedish");
}

#[test]
fn a_version_1_record_is_refused_in_place_naming_what_it_was_not_asked() {
    let message = format!("these answers were given under questionnaire version 1, and version 2 asks more, which they were never asked (nothing is read as \"no\"): {V1_LACKS}; ask these and give version = 2");
    let jsonl = [
        jsonl_with("v2", &[]),
        jsonl_with("no-version", &[("version", Value::Null)]),
        jsonl_with("v1", &[("version", Value::from(1))]),
        jsonl_with("v3", &[("version", Value::from(3))]),
    ]
    .join("\n");
    let run = batch(&[], Some(jsonl.as_bytes()));
    assert_eq!(run.code, 2);
    let results = run.json_lines();
    assert_eq!(results[0]["recommendation"], "swedish");
    assert_eq!(results[1]["error"], format!("line 2: {message}"));
    assert_eq!(results[2]["error"], format!("line 3: {message}"));
    assert!(results[3]["error"].as_str().unwrap().contains("version 3 is newer than this questionnaire (version 2)"));
    // CSV: an empty version cell is version 1.
    let csv = [HEADER.to_owned(), csv_with("v2", &[]), csv_with("empty-version", &[("version", "")])].join("\n");
    let run = batch(&["--input-format", "csv"], Some(csv.as_bytes()));
    assert_eq!(run.code, 2);
    let results = run.json_lines();
    assert_eq!(results[0]["recommendation"], "swedish");
    assert_eq!(results[1]["error"], format!("line 3: {message}"));
}

#[test]
fn the_pregnancy_question_is_in_a_record_exactly_when_pregnant() {
    let missing = "no answer to \"pregnancy_signs\", which is asked because contraindications includes pregnancy; expected a list (empty for none) of contractions, bleeding_fluid, constant_backache, high_risk";
    let not_asked = "\"pregnancy_signs\" is answered, but it is asked only when contraindications includes pregnancy, and these answers do not meet that; remove it";
    let pregnant = Value::from(vec!["pregnancy"]);
    let jsonl = [
        jsonl_with(
            "asked",
            &[("contraindications", pregnant.clone()), ("pregnancy_signs", Value::from(Vec::<&str>::new()))],
        ),
        jsonl_with("asked-unanswered", &[("contraindications", pregnant.clone())]),
        jsonl_with("not-asked-answered", &[("pregnancy_signs", Value::from(Vec::<&str>::new()))]),
        jsonl_with("not-asked", &[]),
    ]
    .join("\n");
    let csv = [
        HEADER.to_owned(),
        csv_with("asked", &[("contraindications", "pregnancy"), ("pregnancy_signs", "none")]),
        csv_with("asked-unanswered", &[("contraindications", "pregnancy"), ("pregnancy_signs", "")]),
        csv_with("not-asked-answered", &[("pregnancy_signs", "none")]),
        csv_with("not-asked", &[("pregnancy_signs", "")]),
    ]
    .join("\n");
    for (input, format, first) in [(jsonl, "jsonl", 1), (csv, "csv", 2)] {
        let run = batch(&["--input-format", format], Some(input.as_bytes()));
        assert_eq!(run.code, 2, "{format}");
        let results = run.json_lines();
        assert_eq!(
            (results[0]["recommendation"].as_str(), results[0]["pressure"].as_str()),
            (Some("swedish"), Some("medium")),
            "{format}"
        );
        // In CSV, "none of these" is the word `none` (an empty cell is no answer).
        let missing = match format {
            "csv" => missing.replace("(empty for none)", "(`none` for none of these)"),
            _ => missing.to_owned(),
        };
        assert_eq!(results[1]["error"], format!("line {}: {missing}", first + 1), "{format}");
        assert_eq!(results[2]["error"], format!("line {}: {not_asked}", first + 2), "{format}");
        assert_eq!(results[3]["recommendation"], "swedish", "{format}");
        assert!(run.stderr.contains("4 records read: 2 answered, 2 refused"), "{format}: {}", run.stderr);
    }
    // The column is there even when no record is pregnant: a header without it is refused.
    let header = HEADER.replace(",pregnancy_signs", "");
    let run = batch(&["--input-format", "csv"], Some(format!("{header}\n").as_bytes()));
    assert_eq!(run.code, 2);
    assert!(
        run.problems.contains("-:1: the header has no column \"pregnancy_signs\"; every question needs one"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_empty_csv_cell_is_a_missing_answer_for_every_kind_and_none_says_none_of_these() {
    let columns: Vec<&str> = HEADER.split(',').skip(2).filter(|c| *c != "pregnancy_signs").collect();
    let mut rows =
        vec![HEADER.to_owned(), csv_with("all-none", &[("red_flags", "None"), ("contraindications", "NONE")])];
    rows.extend(columns.iter().map(|column| csv_with(column, &[(column, "")])));
    rows.push(csv_with("none-and-more", &[("red_flags", "none;fever")]));
    let run = batch(&["--input-format", "csv"], Some(rows.join("\n").as_bytes()));
    assert_eq!(run.code, 2);
    let results = run.json_lines();
    assert_eq!(results[0]["recommendation"], "swedish", "`none`, in any case, is the empty list");
    for (index, column) in columns.iter().enumerate() {
        let error = results[index + 1]["error"].as_str().unwrap_or_else(|| panic!("{column} was not refused"));
        assert!(error.starts_with(&format!("line {}: no answer to \"{column}\"; expected ", index + 3)), "{error}");
        assert!(!error.contains("pregnancy_signs"), "a question depending on a missing one is not reported: {error}");
    }
    let last = results.last().unwrap()["error"].as_str().unwrap();
    assert!(last.contains("unknown option \"none\" for question \"red_flags\""), "{last}");
}

const MATERNITY: &str = "Call the maternity unit or go to the hospital now. Do not book a massage.";

#[test]
fn labour_signs_tell_the_maternity_unit_in_json_lines_and_csv() {
    let labour = [("contraindications", "pregnancy"), ("pregnancy_signs", "contractions")];
    let csv = [
        HEADER.to_owned(),
        csv_with("labour", &labour),
        csv_with("labour-and-saddle", &[labour[0], labour[1], ("red_flags", "saddle_numbness")]),
    ]
    .join("\n");
    let jsonl = batch(&["--input-format", "csv"], Some(csv.as_bytes()));
    assert_eq!(jsonl.code, 0, "{}", jsonl.stderr);
    let results = jsonl.json_lines();
    assert_eq!(results[0]["urgency"], "emergency");
    assert_eq!(results[0]["tell"], MATERNITY);
    assert_eq!(results[1]["tell"], "Call 911 or go to an emergency department now. Do not book a massage.");
    let rows = batch(&["--input-format", "csv", "--output-format", "csv"], Some(csv.as_bytes())).csv_rows();
    assert_eq!(&rows[0][10], MATERNITY);
    assert_eq!(&rows[0][8], "labour_signs");
    assert_eq!(&rows[1][8], "cauda_equina;labour_signs");
    assert!(rows[1][10].contains("911"));
}

#[test]
fn warnings_are_a_field_a_column_and_a_summary_line_and_never_change_the_outcome() {
    let pregnant = [("contraindications", "pregnancy"), ("pregnancy_signs", "none")];
    let csv = [
        HEADER.to_owned(),
        csv_with("at-56", &[pregnant[0], pregnant[1], ("age", "56")]),
        csv_with("at-55", &[pregnant[0], pregnant[1], ("age", "55")]),
        csv_with("no-pain-worse", &[("severity", "0"), ("worsening", "true")]),
    ]
    .join("\n");
    let run = batch(&["--input-format", "csv"], Some(csv.as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let results = run.json_lines();
    let ids = |r: &Value| -> Vec<String> {
        r["warnings"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(ids(&results[0]), ["pregnant_at_56_or_over"]);
    assert_eq!(
        results[0]["warnings"][0]["message"],
        "Pregnant at 56 or over is rare: check the age and the pregnancy answer."
    );
    assert!(ids(&results[1]).is_empty());
    assert_eq!(ids(&results[2]), ["no_pain_but_worsening"]);
    // The warnings come right after the id or line.
    let first = run.stdout.lines().next().unwrap();
    assert!(first.starts_with("{\"id\":\"at-56\",\"warnings\":[{\"id\":\"pregnant_at_56_or_over\","), "{first}");
    // The outcome is the same as for the likely answers the rules read alike (55).
    let outcome = |r: &Value| {
        let mut r = r.clone();
        let object = r.as_object_mut().unwrap();
        object.remove("id");
        object.remove("warnings");
        r
    };
    assert_eq!(outcome(&results[0]), outcome(&results[1]));
    assert!(
        run.stderr.contains("\nwarning: 2 record(s) have answers that rarely go together (see their warnings); the results do not change"),
        "{}",
        run.stderr
    );
    // CSV: the ids in the last column, the rest of the row as without the warning.
    let rows = batch(&["--input-format", "csv", "--output-format", "csv"], Some(csv.as_bytes())).csv_rows();
    assert_eq!(&rows[0][12], "pregnant_at_56_or_over");
    assert_eq!(&rows[1][12], "");
    assert_eq!(&rows[2][12], "no_pain_but_worsening");
    assert_eq!(
        rows[0].iter().skip(2).take(10).collect::<Vec<_>>(),
        rows[1].iter().skip(2).take(10).collect::<Vec<_>>()
    );
    // No warning at all: no summary line about them.
    let run = batch(&["--input", &fixture("good.jsonl")], None);
    assert!(!run.stderr.contains("rarely go together"), "{}", run.stderr);
    assert!(run.json_lines().iter().all(|r| r["warnings"] == serde_json::json!([])));
}

#[test]
fn csv_on_standard_input_is_recognised_by_its_header() {
    let record = csv_with("r-1", &[]);
    let run = batch(&[], Some(format!("{HEADER}\n{record}\n").as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json_lines()[0]["id"], "r-1");
    // With a byte-order mark, as spreadsheets save it.
    let run = batch(&[], Some(format!("\u{feff}{HEADER}\n{record}\n").as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Neither JSON nor a header this questionnaire knows: read as JSON Lines, and the error
    // says how to pass CSV.
    let run = batch(&[], Some(b"a;b;c\n"));
    assert_eq!(run.code, 2);
    let error = run.json_lines()[0]["error"].as_str().unwrap().to_owned();
    assert!(error.ends_with("(for CSV, pass --input-format csv)"), "{error}");
}
