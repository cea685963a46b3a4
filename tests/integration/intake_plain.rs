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
        Typist { session, screen: String::new() }
    }

    /// Waits for text, then types a line.
    fn at(&mut self, text: &str, typed: &str) {
        self.wait_for(text);
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
