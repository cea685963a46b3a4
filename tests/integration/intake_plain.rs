//! The plain, accessible intake (`--plain`, `TERM=dumb`, `MASSAGE_TRIAGE_PLAIN`) in a real
//! pseudo-terminal: numbered options, typed answers, and not one escape sequence on the
//! screen. Every wait is for expected text, with a generous timeout.

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Session};
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_massage-triage");

/// A person typing answers, one line each.
struct Typist {
    session: OsSession,
    screen: String,
}

impl Typist {
    fn start(command: Command) -> Typist {
        let mut session = Session::spawn(command).unwrap();
        session.set_expect_timeout(Some(Duration::from_secs(30)));
        session.get_process_mut().set_window_size(80, 24).unwrap();
        // Typed answers echoed, as on a person's terminal (ptyprocess turns echo off).
        session.get_process_mut().set_echo(true, Some(Duration::from_secs(30))).unwrap();
        Typist { session, screen: String::new() }
    }

    /// [`Typist::start`] with the window `columns` wide from the program's very start: the
    /// program waits for the size set from outside, so that it never measures the width
    /// before the resize arrives.
    fn sized(command: &Command, columns: u16) -> Typist {
        let mut typist = Typist::start(crate::common::once_sized(command, columns, 24, ""));
        typist.session.get_process_mut().set_window_size(columns, 24).unwrap();
        typist
    }

    /// Waits for text, then for the prompt, then types a line.
    fn at(&mut self, text: &str, typed: &str) {
        self.wait_for(text);
        self.answer(typed);
    }

    /// Waits for the next prompt (the program is then reading: only a prompt's line ends
    /// in ": "), then types a line.
    fn answer(&mut self, typed: &str) {
        let found = self
            .session
            .expect(expectrl::Regex(": $"))
            .unwrap_or_else(|e| panic!("waiting for a prompt: {e}; screen so far:\n{}", self.screen));
        self.screen.push_str(&String::from_utf8_lossy(found.before()));
        self.screen.push_str(": ");
        self.session.send_line(typed).unwrap();
    }

    fn wait_for(&mut self, text: &str) {
        let found = self
            .session
            .expect(text)
            .unwrap_or_else(|e| panic!("waiting for {text:?}: {e}; screen so far:\n{}", self.screen));
        self.screen.push_str(&String::from_utf8_lossy(found.before()));
        self.screen.push_str(text);
    }

    /// Waits for the end; returns the whole screen and the exit code.
    fn finish(mut self) -> (String, i32) {
        let rest = self.session.expect(Eof).map(|c| String::from_utf8_lossy(c.as_bytes()).into_owned());
        self.screen.push_str(&rest.unwrap_or_default());
        let code = match self.session.get_process().wait().unwrap() {
            WaitStatus::Exited(_, code) => code,
            other => panic!("the intake did not exit normally: {other:?}"),
        };
        (self.screen, code)
    }

    /// The typical desk call, typed (chronic lower-back pain from desk work, 41, medium).
    fn typical_call(&mut self) {
        self.at("Question 1 of 10", "none");
        self.at("Question 2 of 10", "3");
        self.at("Question 3 of 10", "5");
        self.at("Question 4 of 10", "2");
        self.at("Question 5 of 10", "4");
        self.at("Question 6 of 10", "1");
        self.at("Question 7 of 10", "none");
        self.at("Question 9 of 10", "41");
        self.at("Question 10 of 10", "2");
        self.at("Are these answers right?", "1");
    }
}

/// `massage-triage ARGS` with this TERM and colour allowed: only the plain mode keeps it off.
fn intake(term: &str, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args).env("TERM", term).env("CLICOLOR_FORCE", "1").env_remove("NO_COLOR");
    command.env_remove("MASSAGE_TRIAGE_PLAIN");
    command
}

#[test]
fn a_dumb_terminal_gets_numbered_questions_and_not_one_escape_sequence() {
    let mut typist = Typist::start(intake("dumb", &["intake"]));
    typist.typical_call();
    typist.wait_for("Recommendation: Swedish massage (swedish)");
    let (screen, code) = typist.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("  3. New or worsening weakness"), "{screen}");
    assert!(screen.contains("Question 8 not asked"), "{screen}");
    // No colour, no cursor movement, no hidden cursor, no clearing: text only.
    assert!(!screen.contains('\x1b'), "{screen:?}");
}

#[test]
fn the_flag_and_the_variable_turn_it_on_on_any_terminal() {
    for (args, variable) in [(&["intake", "--plain"][..], None), (&["intake"][..], Some("1"))] {
        let mut command = intake("xterm-256color", args);
        if let Some(value) = variable {
            command.env("MASSAGE_TRIAGE_PLAIN", value);
        }
        let mut typist = Typist::start(command);
        typist.typical_call();
        typist.wait_for("Recommendation: Swedish massage (swedish)");
        let (screen, code) = typist.finish();
        assert_eq!(code, 0, "{screen}");
        assert!(!screen.contains('\x1b'), "{args:?}: {screen:?}");
    }
}

#[test]
fn bad_input_is_answered_in_one_line_and_ctrl_c_still_exits_130() {
    let mut typist = Typist::start(intake("dumb", &["intake"]));
    typist.at("Question 1 of 10", "fifteen");
    typist.at("\"fifteen\" is not an option's number.", "?");
    typist.at("Possible cauda equina syndrome", "none");
    typist.at("Question 2 of 10", "7");
    typist.wait_for("There is no option 7: type a number from 1 to 3.");
    typist.session.send("\x03").unwrap();
    typist.wait_for("interrupted");
    let (screen, code) = typist.finish();
    assert_eq!(code, 130, "{screen}");
    assert!(!screen.contains('\x1b'), "{screen:?}");
}

#[test]
fn an_emergency_typed_ends_the_call_at_once() {
    let mut typist = Typist::start(intake("dumb", &["intake"]));
    typist.at("Question 1 of 10", "3");
    typist.wait_for("!!! EMERGENCY: Call 911 or go to an emergency department now.");
    let (screen, code) = typist.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("Question 2 of 10"), "{screen}");
}

/// The screen a person sees once `bytes` are shown on a terminal `columns` wide (tall
/// enough that nothing scrolls away): its rows, and which ones the terminal had to wrap.
fn seen(bytes: &str, columns: u16) -> (Vec<String>, Vec<bool>) {
    let rows = std::num::NonZeroU16::new(2000).unwrap();
    let mut parser = vt100::Parser::new(rows, std::num::NonZeroU16::new(columns).unwrap(), 0);
    parser.process(bytes.as_bytes());
    let screen = parser.screen();
    let shown: Vec<String> = screen.rows(0, columns).collect();
    let wrapped = (0..shown.len()).map(|row| screen.row_wrapped(row as u16)).collect();
    (shown, wrapped)
}

/// A call with help, mistakes and a going back: every kind of line the plain mode writes.
fn call_at(columns: u16) -> String {
    let mut typist = Typist::sized(&intake("dumb", &["intake"]), columns);
    typist.at("Question 1 of 10", "?");
    typist.answer("1 99");
    typist.at("no option 99", "none");
    typist.at("Question 2 of 10", "3");
    typist.at("Question 3 of 10", "<");
    typist.at("Question 2 of 10", "");
    typist.at("Question 3 of 10", "5");
    for (question, typed) in [(4, "2"), (5, "4"), (6, "1"), (7, "none"), (9, "41"), (10, "2")] {
        typist.at(&format!("Question {question} of 10"), typed);
    }
    typist.at("Are these answers right?", "1");
    typist.wait_for("Recommendation: Swedish massage (swedish)");
    let (screen, code) = typist.finish();
    assert_eq!(code, 0, "{screen}");
    screen
}

#[test]
fn at_40_60_and_120_columns_every_line_fits_whole_words_and_nothing_is_repeated() {
    let mut words_wide: Option<Vec<String>> = None;
    for columns in [120, 60, 40] {
        let bytes = call_at(columns);
        // The intake's own lines: the result after them is the report's (its own layout).
        let intake = &bytes[..bytes.find("Recommendation:").unwrap()];
        let (rows, wrapped) = seen(intake, columns);
        // The terminal never had to wrap a line itself: it would cut a word anywhere.
        let cut: Vec<&String> = rows.iter().zip(&wrapped).filter(|(_, w)| **w).map(|(r, _)| r).collect();
        assert!(cut.is_empty(), "{columns} columns: the terminal wrapped {cut:#?}");
        // Each question is written once each time it is asked: no redraw left a copy.
        let asked: Vec<&str> =
            rows.iter().filter(|r| r.starts_with("Question ") && r.ends_with(" of 10")).map(String::as_str).collect();
        let expected: Vec<String> = [1, 2, 3, 2, 3, 4, 5, 6, 7, 9, 10].map(|q| format!("Question {q} of 10")).to_vec();
        assert_eq!(asked, expected, "{columns} columns");
        // The same words as at 120 columns: wrapping only moved them, never split one.
        let words: Vec<String> = rows.iter().flat_map(|r| r.split_whitespace().map(str::to_owned)).collect();
        match &words_wide {
            Some(wide) => assert_eq!(&words, wide, "{columns} columns"),
            None => words_wide = Some(words),
        }
    }
}

#[test]
fn a_resized_window_is_followed_from_the_next_line_on() {
    let mut typist = Typist::sized(&intake("dumb", &["intake"]), 120);
    typist.wait_for("Question 1 of 10");
    // Narrowed while the first answer is typed: everything after it is 40 columns wide.
    typist.session.get_process_mut().set_window_size(40, 24).unwrap();
    typist.answer("none");
    typist.at("Question 2 of 10", "3");
    typist.wait_for("Question 3 of 10");
    typist.session.send("\x03").unwrap();
    let (screen, code) = typist.finish();
    assert_eq!(code, 130, "{screen}");
    let after = &screen[screen.find("1/10").unwrap()..screen.find("interrupted by").unwrap()];
    let (rows, wrapped) = seen(after, 40);
    assert!(wrapped.iter().all(|w| !w), "{rows:#?}");
    assert!(rows.iter().any(|r| r.starts_with("How long")), "{rows:#?}");
}

#[test]
fn a_plain_call_is_recorded_as_any_other() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("call.json");
    let mut typist = Typist::start(intake("dumb", &["intake", "--record", record.to_str().unwrap()]));
    typist.at("Question 1 of 10", "3");
    typist.wait_for("Recorded the call in");
    let (screen, code) = typist.finish();
    assert_eq!(code, 0, "{screen}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    assert_eq!(json["status"], "stopped");
    assert_eq!(json["outcome"]["urgency"], "emergency");
    assert_eq!(json["answers"]["red_flags"].as_array().unwrap().len(), 1);
}
