//! Issue 13, "Reliability": one regression test per defect found by the attack on the
//! release binary, named after it, through the binary end to end where the defect showed
//! there. The answer sets are questionnaire version 2's.

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
    /// Its problems, one per line (`common::problems`).
    problems: String,
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut command = triage();
    command.args(args);
    command.write_stdin(stdin.unwrap_or_default().to_vec());
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        problems: crate::common::problems(&String::from_utf8_lossy(&output.stderr)),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A valid JSON answer set, on one line, with a red flag that must end in an emergency.
const CAUDA_EQUINA: &str = r#"{"version": 2, "red_flags": ["bladder_bowel"], "id": "b-1", "duration": "acute", "severity": 3, "worsening": false, "location": ["lower_back"], "onset": "unknown", "contraindications": [], "age": 40, "pressure": "medium"}"#;

/// A valid answer set as a JSON Lines record, with `id` first.
const RECORD: &str = r#"{"id":"b-1","version":2,"red_flags":[],"duration":"chronic","severity":5,"worsening":false,"location":["lower_back"],"onset":"posture_stress","contraindications":[],"age":41,"pressure":"medium"}"#;

/// The CSV header and one good row.
const CSV_HEADER: &str =
    "id,version,red_flags,duration,severity,worsening,location,onset,contraindications,pregnancy_signs,age,pressure\n";
const CSV_ROW: &str = "r-1,2,none,chronic,5,false,lower_back,posture_stress,none,,41,medium\n";

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
    let first = twice.find("\"red_flags\"").unwrap() + 1;
    let expected = format!("twice.json:1:{second}: \"red_flags\" is given twice (first at line 1, column {first})");
    assert!(assess.problems.contains(&expected), "{}", assess.stderr);
    // The same text on standard input (JSON by content) and as a batch record.
    let stdin = run(&["assess", "--answers", "-"], Some(twice.as_bytes()));
    assert_eq!(stdin.code, 2, "{}", stdin.stdout);
    assert!(stdin.stderr.contains("\"red_flags\" is given twice"), "{}", stdin.stderr);
    let batch = run(&["batch"], Some(twice.as_bytes()));
    assert_eq!(batch.code, 2, "{}", batch.stdout);
    let record: serde_json::Value = serde_json::from_str(batch.stdout.trim()).unwrap();
    let error = record["error"].as_str().unwrap();
    assert!(error.contains(&format!("\"red_flags\" is given twice (columns {first} and {second})")), "{error}");
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
    assert!(assess.problems.contains(&format!("a.json:1:{onset}: unknown option \"posture\"")), "{}", assess.stderr);
    assert!(assess.problems.contains(&format!("a.json:1:{age}: 410 is out of range for \"age\"")), "{}", assess.stderr);
}

// 8. The error of a one-line JSON answer file quoted every answer in it (cancer, pregnancy,
// blood thinners), with no length limit.

#[test]
fn an_error_excerpt_shows_only_the_answer_at_fault_and_is_capped() {
    let text = CAUDA_EQUINA
        .replacen(
            "\"contraindications\": []",
            "\"contraindications\": [\"pregnancy\", \"blood_thinners\"], \"pregnancy_signs\": []",
            1,
        )
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

// 4, 5, 6. Signals: SIGTERM or SIGHUP during the intake left the terminal raw, echo off,
// the cursor hidden; `batch --output FILE` ignored Ctrl-C while its input pipe was idle;
// temporary files (health data) were left behind after SIGTERM, SIGHUP, kill -9, and
// Ctrl-C with standard input a terminal.

#[cfg(unix)]
mod signals {
    use super::*;
    use rustix::process::{kill_process, Pid, Signal};
    use std::process::{Child, Stdio};
    use std::time::{Duration, Instant};

    const GENEROUS: Duration = Duration::from_secs(60);

    /// Waits until `done` holds, checking every few milliseconds, for at most a minute.
    fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + GENEROUS;
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn temporary_files(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(".massage-triage"))
            .collect()
    }

    /// `batch --output DIR/results.jsonl` reading a pipe that this test keeps open and idle
    /// once a few records are in; returns when the run's temporary file is there.
    fn batch_on_an_idle_pipe(dir: &Path) -> (Child, std::process::ChildStdin) {
        let before = temporary_files(dir);
        let out = dir.join("results.jsonl");
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("massage-triage"))
            .args(["batch", "--force", "--output", out.to_str().unwrap()])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        use std::io::Write;
        writeln!(stdin, "{RECORD}\n{RECORD}").unwrap();
        // A file of its own: one left by an earlier run may be there already.
        wait_until("the temporary file", || temporary_files(dir).iter().any(|f| !before.contains(f)));
        (child, stdin)
    }

    fn wait_for_exit(child: Child) -> std::process::Output {
        let mut child = child;
        wait_until("the run to end", || child.try_wait().unwrap().is_some());
        child.wait_with_output().unwrap()
    }

    #[test]
    fn batch_ends_on_sigint_sigterm_and_sighup_while_its_input_pipe_is_idle() {
        for (signal, code, name) in
            [(Signal::INT, 130, "SIGINT"), (Signal::TERM, 143, "SIGTERM"), (Signal::HUP, 129, "SIGHUP")]
        {
            let dir = tempfile::tempdir().unwrap();
            let out = write(dir.path(), "results.jsonl", "the good results of yesterday\n");
            let (child, stdin) = batch_on_an_idle_pipe(dir.path());
            kill_process(Pid::from_child(&child), signal).unwrap();
            // The producer never closes the pipe: `stdin` is held open until the end.
            let output = wait_for_exit(child);
            drop(stdin);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(code), "{name}: {stderr}");
            assert!(stderr.contains(&format!("interrupted by {name}")), "{stderr}");
            assert!(stderr.contains("results.jsonl was left as it was"), "{stderr}");
            assert_eq!(std::fs::read_to_string(&out).unwrap(), "the good results of yesterday\n");
            assert_eq!(temporary_files(dir.path()), Vec::<String>::new(), "{name} left a temporary file");
        }
    }

    #[test]
    fn after_kill_9_the_next_batch_run_removes_the_stale_temporary_file_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let (child, stdin) = batch_on_an_idle_pipe(dir.path());
        kill_process(Pid::from_child(&child), Signal::KILL).unwrap();
        let output = wait_for_exit(child);
        drop(stdin);
        assert_eq!(output.status.code(), None, "killed by the signal");
        let stale = temporary_files(dir.path());
        assert_eq!(stale.len(), 1, "kill -9 leaves its file: nothing can run");
        // The next run removes it, and says so; it does not touch the file of a run that
        // is still going.
        let (running, running_stdin) = batch_on_an_idle_pipe(dir.path());
        let in_use = temporary_files(dir.path());
        assert!(!in_use.contains(&stale[0]), "{in_use:?}");
        let out = dir.path().join("results.jsonl");
        let next =
            run(&["batch", "--force", "--output", out.to_str().unwrap()], Some(format!("{RECORD}\n").as_bytes()));
        assert_eq!(next.code, 0, "{}", next.stderr);
        assert!(!next.stderr.contains("removed"), "{}", next.stderr);
        assert_eq!(temporary_files(dir.path()), in_use);
        kill_process(Pid::from_child(&running), Signal::TERM).unwrap();
        let output = wait_for_exit(running);
        drop(running_stdin);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(143));
        assert!(stderr.contains("removed 1 unfinished temporary file(s)"), "{stderr}");
        assert!(stderr.contains(&stale[0]), "{stderr}");
        assert_eq!(temporary_files(dir.path()), Vec::<String>::new());
    }

    use expectrl::{Eof, Expect, Session};

    /// The terminal's settings as the test's end of the pseudo-terminal sees them.
    fn cooked_with_echo(session: &expectrl::session::OsSession) -> bool {
        use rustix::termios::LocalModes;
        let master = session.get_process().get_raw_handle().unwrap();
        let modes = rustix::termios::tcgetattr(&master).unwrap().local_modes;
        modes.contains(LocalModes::ICANON | LocalModes::ECHO)
    }

    /// `massage-triage ARGS` in a pseudo-terminal whose settings are a person's usual ones
    /// (the pty crate turns echo off; `stty sane` turns it back on before the program starts),
    /// and whose size is set before the program starts, so that its first list is drawn for it.
    fn spawn(args: &[&str]) -> expectrl::session::OsSession {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("massage-triage"));
        command.args(args).env_remove("NO_COLOR");
        let mut session = Session::spawn(crate::common::once_sized(&command, 200, 60, "sane")).unwrap();
        session.set_expect_timeout(Some(GENEROUS));
        session.get_process_mut().set_window_size(200, 60).unwrap();
        session
    }

    fn exit_code(session: &expectrl::session::OsSession) -> i32 {
        match session.get_process().wait().unwrap() {
            expectrl::process::unix::WaitStatus::Exited(_, code) => code,
            other => panic!("did not exit normally: {other:?}"),
        }
    }

    #[test]
    fn sigterm_or_sighup_during_the_intake_restores_the_terminal() {
        for (signal, code) in [(Signal::TERM, 143), (Signal::HUP, 129), (Signal::INT, 130)] {
            let dir = tempfile::tempdir().unwrap();
            let saved = dir.path().join("answers.toml");
            let mut session = spawn(&["intake", "--save", saved.to_str().unwrap()]);
            session.expect("Question 1 of 10").unwrap();
            session.expect("None of these").unwrap();
            // The list is drawn, then waits for a key with the terminal raw, no echo.
            wait_until("the prompt to read a key", || !cooked_with_echo(&session));
            let pid = Pid::from_raw(session.get_process().pid().as_raw()).unwrap();
            kill_process(pid, signal).unwrap();
            session.expect("\x1b[?25h").unwrap();
            session.expect("interrupted by").unwrap();
            session.expect("nothing was saved").unwrap();
            session.expect(Eof).unwrap();
            assert_eq!(exit_code(&session), code);
            assert!(cooked_with_echo(&session), "{signal:?} left the terminal raw or without echo");
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing saved");
        }
    }

    #[test]
    fn sigterm_or_sighup_during_the_intake_writes_the_record_of_the_call_so_far() {
        for (signal, code, name) in [(Signal::TERM, 143, "SIGTERM"), (Signal::HUP, 129, "SIGHUP")] {
            let dir = tempfile::tempdir().unwrap();
            let mut session = spawn(&["intake", "--id", "b-3", "--record", dir.path().to_str().unwrap()]);
            session.expect("Question 1 of 10").unwrap();
            session.expect("None of these").unwrap();
            wait_until("the prompt to read a key", || !cooked_with_echo(&session));
            let pid = Pid::from_raw(session.get_process().pid().as_raw()).unwrap();
            kill_process(pid, signal).unwrap();
            session.expect(format!("interrupted by {name}: the record was written to").as_str()).unwrap();
            session.expect(Eof).unwrap();
            assert_eq!(exit_code(&session), code);
            assert!(cooked_with_echo(&session), "{signal:?} left the terminal raw or without echo");
            let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
            assert_eq!(files.len(), 1, "the record and no temporary file: {files:?}");
            let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
            assert_eq!((&record["status"], &record["id"]), (&"interrupted".into(), &"b-3".into()));
            assert_eq!(record["answers"], serde_json::json!({}));
            assert_eq!(record["not_asked"]["red_flags"], "interrupted");
        }
    }

    // 9. `intake --save DIR --force` asked all nine questions before failing.
    #[test]
    fn intake_save_to_a_folder_is_refused_before_any_question_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let mut session = spawn(&["intake", "--save", dir.path().to_str().unwrap(), "--force"]);
        let before = session.expect(Eof).unwrap();
        let screen = String::from_utf8_lossy(before.as_bytes()).into_owned();
        assert_eq!(exit_code(&session), 2, "{screen}");
        assert!(screen.contains("it is a folder"), "{screen}");
        assert!(!screen.contains("Question 1 of 9"), "{screen}");
    }

    #[test]
    fn ctrl_c_with_records_typed_at_a_terminal_removes_the_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = write(dir.path(), "results.jsonl", "kept\n");
        let mut session = spawn(&["batch", "--force", "--output", &out]);
        session.send_line(RECORD).unwrap();
        wait_until("the temporary file", || !temporary_files(dir.path()).is_empty());
        // The terminal is cooked: Ctrl-C is SIGINT from the terminal itself.
        session.send("\x03").unwrap();
        session.expect("interrupted by SIGINT").unwrap();
        session.expect(Eof).unwrap();
        assert_eq!(exit_code(&session), 130);
        assert_eq!(temporary_files(dir.path()), Vec::<String>::new());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "kept\n");
    }
}

// 9. Smaller defects.

#[test]
fn a_folder_given_as_batch_input_is_bad_input_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let batch = run(&["batch", "--input", dir.path().to_str().unwrap()], None);
    assert_eq!(batch.code, 2, "{}", batch.stderr);
    assert!(batch.stderr.contains("is a folder; expected a file of records"), "{}", batch.stderr);
    let assess = run(&["assess", "--answers", dir.path().to_str().unwrap()], None);
    assert_eq!(assess.code, 2, "{}", assess.stderr);
}

#[test]
fn a_two_thousand_part_dotted_toml_key_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("id = \"b-1\"\n\n{}a = 1\n", "a.".repeat(1999));
    let file = write(dir.path(), "deep.toml", &text);
    let assess = run(&["assess", "--answers", &file], None);
    assert_eq!(assess.code, 2);
    assert!(assess.problems.contains("deep.toml:3:1: recursion limit: nested too deeply"), "{}", assess.stderr);
    assert!(assess.stderr.len() < 1_000, "{}", assess.stderr);
}

#[cfg(unix)]
#[test]
fn a_closed_output_pipe_ends_batch_quietly_with_0() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::Stdio;
    let records: String = (0..200_000).map(|_| format!("{RECORD}\n")).collect();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("massage-triage"))
        .arg("batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        // The run stops reading once its output is closed: a failed write here is expected.
        let _ = stdin.write_all(records.as_bytes());
    });
    // `| head -1`: read one line, then close the pipe.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.contains("\"recommendation\""), "{first}");
    let output = child.wait_with_output().unwrap();
    let _ = feeder.join();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("Broken pipe") && !stderr.contains("error"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_full_disk_error_names_the_output_not_the_temporary_file() {
    // A file size limit stands in for a full disk: writing past it fails (EFBIG) as a
    // full disk fails (ENOSPC), at the temporary file. SIGXFSZ is ignored so that the
    // write fails instead of killing the process.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.jsonl");
    let records: String = (0..5_000).map(|_| format!("{RECORD}\n")).collect();
    let input = write(dir.path(), "in.jsonl", &records);
    let script = "trap '' XFSZ; ulimit -f 64; exec \"$0\" batch --input \"$1\" --output \"$2\"";
    let output = std::process::Command::new("sh")
        .args(["-c", script])
        .arg(assert_cmd::cargo::cargo_bin("massage-triage"))
        .args([&input, out.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("cannot write the output: {}", out.display())), "{stderr}");
    assert!(!stderr.contains(".massage-triage-batch-"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["in.jsonl"], "no output and no temporary file");
}

#[test]
fn a_saturated_count_is_not_printed_as_if_exact() {
    // Three number questions no rule reads, each with the whole i64 range: about 6 × 10^57
    // answer sets, more than a u128 holds.
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
    let mut questionnaire = std::fs::read_to_string(fixtures.join("questionnaire.toml")).unwrap();
    for id in ["wide_a", "wide_b", "wide_c"] {
        questionnaire.push_str(&format!(
            "\n[[question]]\nid = \"{id}\"\nkind = \"number\"\ndesk = \"?\"\ntherapist = \"?\"\nhelp = \"?\"\nmin = -9223372036854775808\nmax = 9223372036854775807\n"
        ));
    }
    write(dir.path(), "questionnaire.toml", &questionnaire);
    std::fs::copy(fixtures.join("rules.toml"), dir.path().join("rules.toml")).unwrap();
    let check = run(&["rules", "check", "--rules", dir.path().to_str().unwrap()], None);
    assert!(!check.stdout.contains("(340282366920938463463374607431768211455 answer sets)"), "{}", check.stdout);
    assert!(
        check.stdout.contains("(more than 340282366920938463463374607431768211454 answer sets)"),
        "{}",
        check.stdout
    );
    let json = run(&["rules", "check", "--format", "json", "--rules", dir.path().to_str().unwrap()], None);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["answer_sets"], "more than 340282366920938463463374607431768211454");
}

// Found by the fuzz campaign: the csv crate strips a UTF-8 BOM at the start of what it
// reads, and each chunk of a batch was read as if it were a file's start.

#[test]
fn a_bom_at_the_start_of_a_chunk_is_kept_as_in_the_middle_of_one() {
    let mut input = CSV_HEADER.to_owned();
    for row in 0..3 {
        input.push_str(&CSV_ROW.replacen("r-1", &format!("\u{feff}r-{row}"), 1));
    }
    let batch = run(&["batch", "--input-format", "csv"], Some(input.as_bytes()));
    assert_eq!(batch.code, 0, "{}", batch.stderr);
    let ids: Vec<String> = batch
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["\u{feff}r-0", "\u{feff}r-1", "\u{feff}r-2"]);
}
