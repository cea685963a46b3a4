//! The interactive intake in a real pseudo-terminal: the built binary is driven as a person
//! would drive it (arrow keys as j, space to tick, enter, Esc, typed numbers, Ctrl-C), and
//! the screen is read. Every wait is for expected text, with a generous timeout.

use assert_cmd::Command as AssertCommand;
use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Session};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_massage-triage");
const DOWN: &str = "j";
const ENTER: &str = "\r";
const SPACE: &str = " ";
const ESC: &str = "\x1b";
const CTRL_C: &str = "\x03";
const SHOW_CURSOR: &str = "\x1b[?25h";

/// A person at the keyboard: sends keys, counts them, waits for the screen.
struct Desk {
    session: OsSession,
    keystrokes: usize,
    screen: String,
}

impl Desk {
    fn start(command: Command) -> Desk {
        // Wide and tall enough that no label wraps and every list fits (the screen then
        // reads as it would for a person), from the program's very start: it waits for the
        // size set from outside, so that its first list is never drawn for the pty's
        // default size (and paged).
        let mut session = Session::spawn(crate::common::once_sized(&command, 200, 60, "")).unwrap();
        session.set_expect_timeout(Some(Duration::from_secs(30)));
        session.get_process_mut().set_window_size(200, 60).unwrap();
        Desk { session, keystrokes: 0, screen: String::new() }
    }

    /// `massage-triage ARGS` in the pty.
    fn intake(args: &[&str]) -> Desk {
        Desk::start(command(BIN, args))
    }

    /// `massage-triage ARGS > out` in the pty: prompts on the terminal, the result in a file.
    fn intake_to_file(args: &[&str], out: &Path) -> Desk {
        let mut sh = command("sh", &["-c", "out=\"$1\"; shift; exec \"$@\" > \"$out\"", "sh"]);
        sh.arg(out).arg(BIN).args(args);
        Desk::start(sh)
    }

    /// Waits for text on the screen; returns what came before it.
    fn wait_for(&mut self, text: &str) -> String {
        let found = self.session.expect(text).unwrap_or_else(|e| {
            // What came after the last text found, to tell a list paged away from a stall.
            let after = self.session.check(expectrl::Regex("(?s).+"));
            let after = after.map(|c| String::from_utf8_lossy(c.as_bytes()).into_owned()).unwrap_or_default();
            panic!("waiting for {text:?}: {e}; screen so far:\n{}\nand after it: {after:?}", self.screen)
        });
        let before = String::from_utf8_lossy(found.before()).into_owned();
        self.screen.push_str(&before);
        self.screen.push_str(text);
        before
    }

    /// Presses one key.
    fn press(&mut self, key: &str) {
        self.keystrokes += 1;
        self.session.send(key).unwrap();
    }

    /// Presses a key several times.
    fn press_n(&mut self, key: &str, times: usize) {
        for _ in 0..times {
            self.press(key);
        }
    }

    /// Types text (one keystroke a character) and presses enter.
    fn type_line(&mut self, text: &str) {
        for c in text.chars() {
            self.press(&c.to_string());
        }
        self.press(ENTER);
    }

    /// Waits for the program to end; returns everything after the last wait and the code.
    fn finish(mut self) -> (String, i32) {
        let rest = self.session.expect(Eof).map(|c| String::from_utf8_lossy(c.as_bytes()).into_owned());
        let rest = rest.unwrap_or_default();
        let code = match self.session.get_process().wait().unwrap() {
            WaitStatus::Exited(_, code) => code,
            other => panic!("the intake did not exit normally: {other:?}"),
        };
        (rest, code)
    }

    // The questions of the built-in questionnaire, answered as at the desk.

    /// Red flags: none (the explicit "None of these", after the fourteen flags).
    fn no_red_flags(&mut self) {
        self.wait_for("Question 1 of 10");
        self.wait_for("None of these");
        self.press_n(DOWN, 14);
        self.press(SPACE);
        self.press(ENTER);
    }

    fn duration_chronic(&mut self) {
        self.wait_for("Question 2 of 10");
        self.wait_for("More than 12 weeks");
        // Nothing is chosen at first: the first key down lands on the first option.
        self.press_n(DOWN, 3);
        self.press(ENTER);
    }

    fn severity(&mut self, typed: &str) {
        self.wait_for("Question 3 of 10");
        self.wait_for("0 to 10");
        self.type_line(typed);
    }

    fn not_worsening(&mut self) {
        self.wait_for("Question 4 of 10");
        self.wait_for("No");
        self.press_n(DOWN, 2);
        self.press(ENTER);
    }

    fn lower_back(&mut self) {
        self.wait_for("Question 5 of 10");
        self.wait_for("Lower back");
        self.press_n(DOWN, 3);
        self.press(SPACE);
        self.press(ENTER);
    }

    fn posture_stress(&mut self) {
        self.wait_for("Question 6 of 10");
        self.wait_for("previous question");
        self.press(DOWN);
        self.press(ENTER);
    }

    fn no_contraindications(&mut self) {
        self.wait_for("Question 7 of 10");
        self.wait_for("None of these");
        self.press_n(DOWN, 9);
        self.press(SPACE);
        self.press(ENTER);
    }

    /// Contraindications: pregnant (the fourth option).
    fn pregnant(&mut self) {
        self.wait_for("Question 7 of 10");
        self.wait_for("None of these");
        self.press_n(DOWN, 3);
        self.press(SPACE);
        self.press(ENTER);
    }

    /// The pregnancy question: none of its signs.
    fn no_pregnancy_signs(&mut self) {
        self.wait_for("Question 8 of 10");
        self.wait_for("None of these");
        self.press_n(DOWN, 4);
        self.press(SPACE);
        self.press(ENTER);
    }

    fn age(&mut self, typed: &str) {
        self.wait_for("Question 9 of 10");
        self.wait_for("12 to 110");
        self.type_line(typed);
    }

    fn medium_pressure(&mut self) {
        self.wait_for("Question 10 of 10");
        self.wait_for("Medium");
        self.press_n(DOWN, 2);
        self.press(ENTER);
    }

    /// The typical call from the location on: lower back, posture, no contraindications,
    /// 41, medium pressure.
    fn typical_from_location(&mut self) {
        self.lower_back();
        self.posture_stress();
        self.no_contraindications();
        self.age("41");
        self.medium_pressure();
    }

    /// Severe pain (9): a routine referral certain once nothing more urgent can follow.
    /// How it started still matters (shingles or a fall in the frail would be urgent).
    fn reach_a_routine_referral(&mut self) {
        self.no_red_flags();
        self.duration_chronic();
        self.severity("9");
        self.wait_for("Questions 4, 5 skipped");
        self.posture_stress();
        self.no_contraindications();
    }

    fn confirm(&mut self) {
        self.wait_for("Summary of the answers");
        self.press_confirm();
    }

    /// Confirms the summary already on the screen.
    fn press_confirm(&mut self) {
        self.wait_for("Confirm: show the result");
        self.press(ENTER);
    }

    /// A typical desk call: no red flags, chronic lower-back pain from desk work, 41, medium
    /// (not pregnant, so the pregnancy question is not asked).
    fn typical_intake(&mut self) {
        self.no_red_flags();
        self.duration_chronic();
        self.severity("5");
        self.not_worsening();
        self.typical_from_location();
        self.confirm();
    }
}

/// True when the text has an SGR sequence (colour, bold): `ESC [ digits ; ... m`.
fn has_colour(text: &str) -> bool {
    text.split("\x1b[").skip(1).any(|rest| {
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == ';'));
        end.is_some_and(|i| rest[i..].starts_with('m'))
    })
}

fn command(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args).env("TERM", "xterm").env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    command
}

#[test]
fn a_typical_desk_intake_ends_in_a_recommendation_and_counts_its_keystrokes() {
    let mut desk = Desk::intake(&["intake"]);
    desk.typical_intake();
    desk.wait_for("Recommendation: Swedish massage (swedish)");
    desk.wait_for("Pressure: medium at most");
    desk.wait_for("First session: 60 minutes");
    let keystrokes = desk.keystrokes;
    // NO_COLOR: no colour or bold anywhere on the screen.
    assert!(!has_colour(&desk.screen), "{}", desk.screen);
    // The pregnancy question is passed over, and says so.
    assert!(desk_screen_says_not_asked(&desk.screen, 8), "{}", desk.screen);
    let (rest, code) = desk.finish();
    assert_eq!(code, 0, "{rest}");
    // The desk result leaves out the rules' reasons (the therapist's mode has them).
    assert!(!rest.contains("Why:"), "{rest}");
    // The figure in the README: a typical desk intake is this many keystrokes.
    assert_eq!(keystrokes, 50);
}

#[test]
fn the_typical_desk_call_with_the_options_numbers_typed_is_44_keystrokes() {
    let mut desk = Desk::intake(&["intake"]);
    // "None of these" has no number: down to it, as with the arrow keys.
    desk.no_red_flags();
    desk.wait_for("Question 2 of 10");
    desk.wait_for("More than 12 weeks");
    desk.type_line("3");
    desk.severity("5");
    desk.wait_for("Question 4 of 10");
    desk.wait_for("No");
    desk.type_line("2");
    desk.wait_for("Question 5 of 10");
    desk.wait_for("Lower back");
    desk.press("4");
    desk.press(SPACE);
    desk.press(ENTER);
    desk.posture_stress();
    desk.no_contraindications();
    desk.age("41");
    desk.wait_for("Question 10 of 10");
    desk.wait_for("Medium");
    desk.type_line("2");
    desk.confirm();
    desk.wait_for("Recommendation: Swedish massage (swedish)");
    desk.wait_for("Pressure: medium at most");
    let keystrokes = desk.keystrokes;
    let (rest, code) = desk.finish();
    assert_eq!(code, 0, "{rest}");
    // The figure in the README, beside the 50 of the arrow keys.
    assert_eq!(keystrokes, 44);
}

#[test]
fn the_json_result_goes_to_standard_output_and_the_prompts_stay_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("result.json");
    let mut desk = Desk::intake_to_file(&["intake", "--format", "json", "--id", "booking-1042"], &out);
    desk.typical_intake();
    let (rest, code) = desk.finish();
    assert_eq!(code, 0, "{rest}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(json["recommendation"], "swedish");
    assert_eq!(json["pressure"], "medium");
    assert_eq!(json["session_minutes"], 60);
    assert_eq!(json["urgency"], serde_json::Value::Null);
    assert_eq!(json["id"], "booking-1042");
    assert!(!desk_screen_has_json(&rest));
}

fn desk_screen_says_not_asked(screen: &str, question: usize) -> bool {
    screen.contains(&format!("Question {question} not asked: the answers so far do not call for it."))
}

fn desk_screen_has_json(screen: &str) -> bool {
    screen.contains("\"recommendation\"")
}

#[test]
fn an_emergency_ends_the_intake_after_the_first_question() {
    let mut desk = Desk::intake(&["intake"]);
    desk.wait_for("Question 1 of 10");
    desk.wait_for("Possible cauda equina syndrome"); // the highlighted option's help
    desk.press(SPACE);
    desk.press(ENTER);
    desk.wait_for("!!! EMERGENCY: Call 911 or go to an emergency department now.");
    // The desk can say why, in the deciding rule's words.
    desk.wait_for("Why: Bladder or bowel trouble");
    desk.wait_for("Recommendation: physician (emergency)");
    let screen = desk.screen.clone();
    let (rest, code) = desk.finish();
    assert_eq!(code, 0);
    assert!(!screen.contains("Question 2 of 10") && !rest.contains("Question 2 of 10"));
    assert!(rest.contains("Not asked"), "{rest}");
}

#[test]
fn going_back_keeps_the_earlier_answer_and_lets_it_change() {
    let mut desk = Desk::intake(&["intake"]);
    desk.no_red_flags();
    desk.duration_chronic();
    desk.severity("5");
    desk.wait_for("Question 4 of 10");
    desk.wait_for("previous question");
    desk.press(ESC);
    // Back at severity, with 5 offered as the default.
    desk.wait_for("Question 3 of 10");
    desk.wait_for("[5]");
    desk.type_line("3");
    desk.not_worsening();
    desk.typical_from_location();
    desk.wait_for("Summary of the answers");
    desk.wait_for("Severity: 3");
    desk.press_confirm();
    desk.wait_for("Recommendation: Swedish massage");
    let (_, code) = desk.finish();
    assert_eq!(code, 0);
}

#[test]
fn the_previous_question_choice_goes_back_too() {
    let mut desk = Desk::intake(&["intake"]);
    desk.no_red_flags();
    desk.wait_for("Question 2 of 10");
    desk.wait_for("previous question");
    desk.press_n(DOWN, 4); // onto the first duration, then past the three
    desk.press(ENTER);
    desk.wait_for("Question 1 of 10");
    desk.press(CTRL_C);
    let (_, code) = desk.finish();
    assert_eq!(code, 130);
}

#[test]
fn the_summary_can_change_an_answer_and_returns_to_the_summary() {
    let mut desk = Desk::intake(&["intake", "--mode", "therapist"]);
    desk.no_red_flags();
    desk.duration_chronic();
    desk.severity("5");
    desk.not_worsening();
    desk.typical_from_location();
    desk.wait_for("Summary of the answers");
    desk.wait_for("Change an answer");
    desk.press(DOWN);
    desk.press(ENTER);
    desk.wait_for("Which answer?");
    desk.wait_for("Age: 41");
    desk.press_n(DOWN, 8);
    desk.press(ENTER);
    desk.wait_for("Question 9 of 10");
    desk.wait_for("[41]");
    desk.type_line("80");
    desk.wait_for("Summary of the answers");
    desk.wait_for("Age: 80");
    desk.press_confirm();
    desk.wait_for("Recommendation: Swedish massage");
    desk.wait_for("First session: 45 minutes");
    // The therapist sees the reasons with their sources.
    desk.wait_for("Why:");
    desk.wait_for("older_client");
    let (_, code) = desk.finish();
    assert_eq!(code, 0);
}

#[test]
fn an_invalid_number_is_explained_and_asked_again() {
    let mut desk = Desk::intake(&["intake"]);
    desk.no_red_flags();
    desk.duration_chronic();
    desk.wait_for("Question 3 of 10");
    desk.wait_for("0 to 10");
    desk.type_line("?");
    desk.wait_for("A whole number: 0 is no pain, 10 is the worst pain imaginable.");
    desk.type_line("lots");
    desk.wait_for("\"lots\" is not a whole number: type a number from 0 to 10.");
    desk.type_line("11");
    desk.wait_for("11 is out of range: type a whole number from 0 to 10.");
    desk.type_line("4");
    desk.wait_for("Question 4 of 10");
    desk.press(CTRL_C);
    let (_, code) = desk.finish();
    assert_eq!(code, 130);
}

#[test]
fn ctrl_c_shows_the_cursor_writes_nothing_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("answers.toml");
    let mut desk = Desk::intake(&["intake", "--save", saved.to_str().unwrap()]);
    desk.no_red_flags();
    desk.wait_for("Question 2 of 10");
    desk.wait_for("More than 12 weeks");
    desk.press(CTRL_C);
    desk.wait_for(SHOW_CURSOR);
    let (_, code) = desk.finish();
    assert_eq!(code, 130);
    assert!(!saved.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written, not even a temporary file");
}

#[test]
fn saved_answers_replay_through_assess_to_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("answers.toml");
    let out = dir.path().join("result.json");
    let args = ["intake", "--format", "json", "--id", "booking-7", "--save", saved.to_str().unwrap()];
    let mut desk = Desk::intake_to_file(&args, &out);
    desk.typical_intake();
    desk.wait_for("Saved the answers to");
    let (_, code) = desk.finish();
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(text.contains("id = \"booking-7\""), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&saved).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let replay = AssertCommand::cargo_bin("massage-triage")
        .unwrap()
        .args(["assess", "--format", "json", "--answers", saved.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(replay.status.success(), "{}", String::from_utf8_lossy(&replay.stderr));
    let from_intake: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let from_assess: serde_json::Value = serde_json::from_slice(&replay.stdout).unwrap();
    assert_eq!(from_intake, from_assess);
}

#[test]
fn an_existing_save_file_is_refused_before_any_question() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("answers.toml");
    std::fs::write(&saved, "keep me").unwrap();
    let desk = Desk::intake(&["intake", "--save", saved.to_str().unwrap()]);
    let (rest, code) = desk.finish();
    assert_eq!(code, 2);
    assert!(rest.contains("already exists") && rest.contains("--force"), "{rest}");
    assert!(!rest.contains("Question 1 of 10"));
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), "keep me");
}

#[test]
fn with_force_an_existing_save_file_and_record_file_are_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("answers.toml");
    let recorded = dir.path().join("call.json");
    for path in [&saved, &recorded] {
        std::fs::write(path, "yesterday's\n").unwrap();
    }
    let (save, record) = (saved.to_str().unwrap(), recorded.to_str().unwrap());
    let mut desk = Desk::intake(&["intake", "--save", save, "--record", record, "--force"]);
    desk.typical_intake();
    desk.wait_for("Saved the answers to");
    let (_, code) = desk.finish();
    assert_eq!(code, 0);
    assert!(std::fs::read_to_string(&saved).unwrap().contains("severity = 5"));
    read_record(&recorded, "completed");
    let mut names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["answers.toml", "call.json"], "no temporary file left");
}

#[test]
fn an_emergency_with_save_says_nothing_was_saved() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("answers.toml");
    let mut desk = Desk::intake(&["intake", "--save", saved.to_str().unwrap()]);
    desk.wait_for("Question 1 of 10");
    desk.wait_for("Possible cauda equina syndrome");
    desk.press(SPACE);
    desk.press(ENTER);
    desk.wait_for("EMERGENCY");
    desk.wait_for("not saved");
    let (_, code) = desk.finish();
    assert_eq!(code, 0);
    assert!(!saved.exists());
}

#[test]
fn without_a_terminal_intake_exits_2_with_a_hint() {
    AssertCommand::cargo_bin("massage-triage")
        .unwrap()
        .arg("intake")
        .write_stdin("")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("assess --answers"));
}

#[test]
fn without_a_terminal_no_subcommand_exits_2_with_a_one_line_hint() {
    let assert = AssertCommand::cargo_bin("massage-triage").unwrap().write_stdin("").assert().code(2).stdout("");
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("assess --answers"));
}

#[test]
fn no_subcommand_on_a_terminal_starts_the_intake() {
    let mut desk = Desk::intake(&[]);
    desk.wait_for("Question 1 of 10");
    desk.press(CTRL_C);
    let (_, code) = desk.finish();
    assert_eq!(code, 130);
}

#[test]
fn prompts_are_coloured_on_a_terminal_unless_no_color_is_set() {
    let mut command = command(BIN, &["intake"]);
    command.env_remove("NO_COLOR");
    let mut desk = Desk::start(command);
    desk.wait_for("Question 1 of 10");
    desk.wait_for("None of these");
    assert!(has_colour(&desk.screen), "{}", desk.screen);
    desk.press(CTRL_C);
    let (_, code) = desk.finish();
    assert_eq!(code, 130);
}

#[test]
fn a_certain_referral_skips_what_cannot_change_it_and_ends_when_settled() {
    let mut desk = Desk::intake(&["intake"]);
    desk.reach_a_routine_referral();
    // Not an emergency: the answers and the reason come first, to confirm or change.
    desk.wait_for("Summary of the answers");
    desk.wait_for("These answers call for a physician (routine): Severe pain");
    desk.press_confirm();
    desk.wait_for("! PHYSICIAN FIRST: See a physician before booking a massage");
    desk.wait_for("Why: Severe pain");
    desk.wait_for("Recommendation: physician (routine)");
    let (rest, code) = desk.finish();
    assert_eq!(code, 0);
    assert!(
        rest.contains("Not asked (the answers given settle the referral): worsening, location, age, pressure"),
        "{rest}"
    );
}

#[test]
fn the_pregnancy_question_comes_right_after_the_contraindications_only_when_pregnant() {
    let mut desk = Desk::intake(&["intake", "--format", "json"]);
    desk.no_red_flags();
    desk.duration_chronic();
    desk.severity("4");
    desk.not_worsening();
    desk.lower_back();
    desk.posture_stress();
    desk.pregnant();
    // Asked next, its signs under their headings.
    desk.no_pregnancy_signs();
    assert!(desk.screen.contains("Call the maternity unit now"), "{}", desk.screen);
    desk.age("31");
    desk.medium_pressure();
    desk.wait_for("Summary of the answers");
    desk.wait_for("Pregnancy signs: none of these");
    desk.press_confirm();
    let (rest, code) = desk.finish();
    assert_eq!(code, 0, "{rest}");
    assert!(!desk_screen_says_not_asked(&rest, 8), "{rest}");
    assert!(rest.contains("\"recommendation\": \"swedish\""), "{rest}");
}

#[test]
fn labour_signs_end_the_call_with_the_maternity_unit() {
    let mut desk = Desk::intake(&["intake"]);
    desk.no_red_flags();
    desk.duration_chronic();
    desk.severity("4");
    desk.not_worsening();
    desk.lower_back();
    desk.posture_stress();
    desk.pregnant();
    desk.wait_for("Question 8 of 10");
    desk.wait_for("Possible labour starting"); // the first sign, highlighted, with its help
    desk.press(SPACE);
    desk.press(ENTER);
    desk.wait_for("!!! EMERGENCY: Call the maternity unit or go to the hospital now.");
    desk.wait_for("Why: Cramps or tightening");
    let (_, code) = desk.finish();
    assert_eq!(code, 0);
}

#[test]
fn answers_that_rarely_go_together_are_asked_once_more() {
    let mut desk = Desk::intake(&["intake"]);
    desk.no_red_flags();
    desk.duration_chronic();
    desk.severity("4");
    desk.not_worsening();
    desk.lower_back();
    desk.posture_stress();
    desk.pregnant();
    desk.no_pregnancy_signs();
    desk.age("61");
    desk.wait_for("Please check: Pregnant at 56 or over is rare");
    desk.wait_for("Yes: they are right, keep them");
    // The first choice changes the answer: the age is asked again.
    desk.press(ENTER);
    desk.age("31");
    desk.medium_pressure();
    desk.confirm();
    desk.wait_for("Recommendation: Swedish massage");
    let (_, code) = desk.finish();
    assert_eq!(code, 0);
}

#[test]
fn enter_alone_chooses_nothing_at_a_question_first_shown() {
    let mut desk = Desk::intake(&["intake"]);
    desk.no_red_flags();
    desk.duration_chronic();
    desk.severity("5");
    desk.wait_for("Question 4 of 10");
    desk.wait_for("No");
    // An Enter before any choice is not "yes" (the first option): nothing is chosen.
    desk.press(ENTER);
    desk.press_n(DOWN, 2);
    desk.press(ENTER);
    desk.typical_from_location();
    desk.wait_for("Summary of the answers");
    desk.wait_for(" 4. Worsening");
    desk.press_confirm();
    desk.wait_for("Recommendation: Swedish massage");
    let screen = desk.screen.clone();
    let (_, code) = desk.finish();
    assert_eq!(code, 0);
    let line = screen.lines().find(|l| l.contains(" 4. Worsening")).unwrap_or_default().to_owned();
    assert!(line.ends_with(": no") || line.ends_with(": No"), "{line}");
}

#[test]
fn a_pending_referral_can_be_changed_from_its_summary() {
    let mut desk = Desk::intake(&["intake"]);
    desk.reach_a_routine_referral();
    desk.wait_for("These answers call for a physician (routine)");
    desk.wait_for("Change an answer");
    desk.press(DOWN);
    desk.press(ENTER);
    desk.wait_for("Which answer?");
    desk.press_n(DOWN, 2); // severity, the third
    desk.press(ENTER);
    desk.wait_for("Question 3 of 10");
    desk.wait_for("[9]");
    desk.type_line("5");
    // No longer settled: the walk goes on from there, the answers given kept (chosen).
    desk.not_worsening();
    desk.lower_back();
    desk.wait_for("Question 6 of 10");
    desk.press(ENTER);
    desk.wait_for("Question 7 of 10");
    desk.press(ENTER);
    desk.age("41");
    desk.medium_pressure();
    desk.wait_for("Summary of the answers");
    desk.press_confirm();
    desk.wait_for("Recommendation: Swedish massage");
    let (_, code) = desk.finish();
    assert_eq!(code, 0);
}

// Records: every call written down, however it ends, and replayed by `assess`.

/// The record at `path`, checked for what every record has: its format, status, fields,
/// and owner-only permissions.
fn read_record(path: &Path, status: &str) -> serde_json::Value {
    let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(record["record"], 1, "{record}");
    assert_eq!(record["status"], status, "{record}");
    assert_eq!(record["mode"], "desk");
    assert_eq!(record["version"], 2);
    let authored = record["authored"].as_str().unwrap();
    assert!(authored.len() == 20 && authored.ends_with('Z') && authored.as_bytes()[10] == b'T', "{authored}");
    for field in ["schema_version", "rule_set", "questionnaire_version", "tool_version", "answers", "not_asked"] {
        assert!(record.get(field).is_some(), "no {field} in {record}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    record
}

/// `assess --answers RECORD --format json`: its exit code, the JSON result, standard error.
fn assess_record(path: &Path) -> (i32, Option<serde_json::Value>, String) {
    let output = AssertCommand::cargo_bin("massage-triage")
        .unwrap()
        .args(["assess", "--format", "json", "--answers", path.to_str().unwrap()])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&output.stdout).ok();
    (output.status.code().unwrap_or(-1), json, String::from_utf8_lossy(&output.stderr).into_owned())
}

/// The record's outcome and the replayed one decide the same.
fn assert_same_decision(recorded: &serde_json::Value, replayed: &serde_json::Value) {
    for field in ["recommendation", "urgency", "pressure", "session_minutes", "reasons"] {
        assert_eq!(recorded[field], replayed[field], "{field}");
    }
}

/// The one file in a folder.
fn only_file(dir: &Path) -> std::path::PathBuf {
    let files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[test]
fn a_completed_intake_is_recorded_and_the_record_replays_to_its_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.json");
    let mut desk = Desk::intake(&["intake", "--id", "booking-1042", "--record", path.to_str().unwrap()]);
    desk.typical_intake();
    desk.wait_for("Recorded the call in");
    let (_, code) = desk.finish();
    assert_eq!(code, 0);
    let record = read_record(&path, "completed");
    assert_eq!(record["id"], "booking-1042");
    assert_eq!(record["answers"]["severity"], 5);
    assert_eq!(record["answers"]["red_flags"], serde_json::json!([]));
    assert_eq!(record["answers"]["worsening"], false);
    assert_eq!(record["answers"]["pressure"], "medium");
    assert_eq!(record["not_asked"], serde_json::json!({"pregnancy_signs": "not_called_for"}));
    assert_eq!(record["outcome"]["recommendation"], "swedish");
    let (code, replayed, stderr) = assess_record(&path);
    assert_eq!(code, 0, "{stderr}");
    let replayed = replayed.unwrap();
    assert_same_decision(&record["outcome"], &replayed);
    assert_eq!(replayed["id"], "booking-1042");
}

#[test]
fn an_emergency_is_recorded_as_stopped_in_a_new_file_of_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = Desk::intake(&["intake", "--id", "b-7", "--record", dir.path().to_str().unwrap()]);
    desk.wait_for("Question 1 of 10");
    desk.wait_for("Possible cauda equina syndrome");
    desk.press(SPACE);
    desk.press(ENTER);
    desk.wait_for("EMERGENCY");
    desk.wait_for("Recorded the call in");
    let (_, code) = desk.finish();
    assert_eq!(code, 0);
    let path = only_file(dir.path());
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with("Z-b-7.json") && name.len() == "20261201T183005Z-b-7.json".len(), "{name}");
    let record = read_record(&path, "stopped");
    assert_eq!(record["answers"], serde_json::json!({"red_flags": ["bladder_bowel"]}));
    assert_eq!(record["not_asked"]["duration"], "settled");
    assert_eq!(record["outcome"]["urgency"], "emergency");
    let (code, replayed, stderr) = assess_record(&path);
    assert_eq!(code, 0, "{stderr}");
    assert_same_decision(&record["outcome"], &replayed.unwrap());
}

#[test]
fn a_routine_referral_is_recorded_as_stopped_and_replays_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.json");
    let mut desk = Desk::intake(&["intake", "--record", path.to_str().unwrap()]);
    desk.reach_a_routine_referral();
    desk.wait_for("These answers call for a physician (routine)");
    desk.press_confirm();
    desk.wait_for("Recommendation: physician (routine)");
    desk.wait_for("Recorded the call in");
    let (_, code) = desk.finish();
    assert_eq!(code, 0);
    let record = read_record(&path, "stopped");
    assert!(record.get("id").is_none());
    assert_eq!(record["answers"]["severity"], 9);
    for question in ["worsening", "location", "age", "pressure"] {
        assert_eq!(record["not_asked"][question], "settled", "{question}");
    }
    assert_eq!(record["outcome"]["urgency"], "routine");
    let (code, replayed, stderr) = assess_record(&path);
    assert_eq!(code, 0, "{stderr}");
    assert_same_decision(&record["outcome"], &replayed.unwrap());
    // The human replay names what was not asked, as the intake did.
    let human = AssertCommand::cargo_bin("massage-triage")
        .unwrap()
        .args(["assess", "--answers", path.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("worsening, location, age, pressure"), "{text}");
}

#[test]
fn ctrl_c_is_recorded_as_interrupted_and_the_record_is_refused_naming_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.json");
    let mut desk = Desk::intake(&["intake", "--record", path.to_str().unwrap()]);
    desk.no_red_flags();
    desk.duration_chronic();
    desk.wait_for("Question 3 of 10");
    desk.wait_for("0 to 10");
    desk.press(CTRL_C);
    // The number field reads keys, as the lists do: Ctrl-C is a key, which console turns
    // into SIGINT, whose handler writes the draft record.
    desk.wait_for("interrupted by SIGINT (Ctrl-C): the record was written to");
    let (_, code) = desk.finish();
    assert_eq!(code, 130);
    let record = read_record(&path, "interrupted");
    assert_eq!(record["answers"], serde_json::json!({"red_flags": [], "duration": "chronic"}));
    assert_eq!(record["not_asked"]["severity"], "interrupted");
    assert_eq!(record["outcome"], serde_json::Value::Null);
    let (code, replayed, stderr) = assess_record(&path);
    assert_eq!(code, 2, "{stderr}");
    assert!(replayed.is_none());
    assert!(stderr.contains("unsettled-record") && stderr.contains("severity, worsening, location"), "{stderr}");
    // Only the record: no temporary file behind.
    assert_eq!(only_file(dir.path()), path);
}

#[test]
fn two_calls_recorded_in_one_folder_get_two_files() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let mut desk = Desk::intake(&["intake", "--id", "same", "--record", dir.path().to_str().unwrap()]);
        desk.wait_for("Question 1 of 10");
        desk.wait_for("Possible cauda equina syndrome");
        desk.press(SPACE);
        desk.press(ENTER);
        desk.wait_for("Recorded the call in");
        let (_, code) = desk.finish();
        assert_eq!(code, 0);
    }
    let mut names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_ne!(names[0], names[1]);
}

#[test]
fn a_record_path_that_cannot_be_written_is_refused_before_any_question() {
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("call.json");
    std::fs::write(&existing, "keep me").unwrap();
    let cases = [
        (dir.path().join("call.toml"), "a record is a JSON file"),
        (dir.path().join("nowhere").join("call.json"), "does not exist"),
        (existing.clone(), "already exists"),
    ];
    for (path, says) in cases {
        let desk = Desk::intake(&["intake", "--record", path.to_str().unwrap()]);
        let (rest, code) = desk.finish();
        assert_eq!(code, 2, "{rest}");
        assert!(rest.contains(says), "{rest}");
        assert!(!rest.contains("Question 1 of 10"), "{rest}");
    }
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
}

#[test]
fn ctrl_c_at_a_choice_is_recorded_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.json");
    let mut desk = Desk::intake(&["intake", "--record", path.to_str().unwrap()]);
    desk.no_red_flags();
    desk.wait_for("Question 2 of 10");
    desk.wait_for("More than 12 weeks");
    // Raw mode: Ctrl-C arrives as a key, which console turns into SIGINT; either way the
    // record is written before the process ends.
    desk.press(CTRL_C);
    desk.wait_for("the record was written to");
    let (_, code) = desk.finish();
    assert_eq!(code, 130);
    let record = read_record(&path, "interrupted");
    assert_eq!(record["answers"], serde_json::json!({"red_flags": []}));
    assert_eq!(record["not_asked"]["duration"], "interrupted");
    assert_eq!(only_file(dir.path()), path);
}
