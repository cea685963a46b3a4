//! The full intake's own lists in narrow and short windows, read through a terminal
//! emulator (vt100) the size of the pseudo-terminal, as a person sees the screen after each
//! key: nothing left behind by a redraw, no word split, the question always in view; and
//! the keys of the lists and the number field (`a`, typed numbers, `?`, Esc, the way back).
//! Every wait is for expected text, with a generous timeout.

use crate::common::{once_sized, question, rule_set};
use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Regex, Session};
use std::collections::HashSet;
use std::num::NonZeroU16;
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_massage-triage");
const DOWN: &str = "j";
const UP: &str = "k";
const ENTER: &str = "\r";
const SPACE: &str = " ";
const ESC: &str = "\x1b";

/// The words the intake writes of its own around the questionnaire's texts.
const OWN_WORDS: &str = "Question of ↑/↓ or a number moves, Space ticks, Enter confirms picks · ? help Esc previous \
                         question ↑ ↓ more above below [ ] [x] > None of these ← ? what this question means";

/// The intake in a pseudo-terminal of a given size, and what a person sees of it.
struct Window {
    session: OsSession,
    parser: vt100::Parser,
}

impl Window {
    /// `massage-triage ARGS` in a window `columns` × `rows` from the program's very start:
    /// it waits for the size set from outside, so that it never measures the window before.
    fn open(columns: u16, rows: u16, args: &[&str]) -> Window {
        let mut command = Command::new(BIN);
        command.args(args).env("TERM", "xterm").env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
        command.env_remove("MASSAGE_TRIAGE_PLAIN");
        let mut session = Session::spawn(once_sized(&command, columns, rows, "")).unwrap();
        session.set_expect_timeout(Some(Duration::from_secs(30)));
        session.get_process_mut().set_window_size(columns, rows).unwrap();
        let size = |n| NonZeroU16::new(n).unwrap();
        Window { session, parser: vt100::Parser::new(size(rows), size(columns), 0) }
    }

    fn press(&mut self, key: &str) {
        self.session.send(key).unwrap();
    }

    /// Resizes the window (the emulated screen with it, as a terminal that does not
    /// re-wrap its rows).
    fn resize(&mut self, columns: u16, rows: u16) {
        self.session.get_process_mut().set_window_size(columns, rows).unwrap();
        self.parser.set_size(NonZeroU16::new(rows).unwrap(), NonZeroU16::new(columns).unwrap());
    }

    /// Waits for `pattern` (a regular expression) in what the program writes next, and
    /// shows everything up to it on the emulated screen.
    fn until(&mut self, pattern: &str) {
        let found = self.session.expect(Regex(pattern)).unwrap_or_else(|e| {
            panic!("waiting for {pattern:?}: {e}; screen:\n{}", self.rows().join("\n"));
        });
        self.parser.process(found.as_bytes());
    }

    /// Waits for this text, as [`Window::until`].
    fn wait_for(&mut self, text: &str) {
        self.until(&escaped(text));
    }

    /// The screen's rows, as shown.
    fn rows(&self) -> Vec<String> {
        let screen = self.parser.screen();
        let (_, columns) = screen.size();
        screen.rows(0, columns.get()).map(|row| row.trim_end().to_owned()).collect()
    }

    /// Rows that the terminal had to wrap itself (a row wider than the window, cut
    /// anywhere, even inside a word).
    fn wrapped_by_the_terminal(&self) -> Vec<String> {
        let screen = self.parser.screen();
        let rows = self.rows();
        (0..rows.len()).filter(|r| screen.row_wrapped(*r as u16)).map(|r| rows[r].clone()).collect()
    }

    /// Waits for the end: the exit code.
    fn finish(mut self) -> i32 {
        let _ = self.session.expect(Eof);
        match self.session.get_process().wait().unwrap() {
            WaitStatus::Exited(_, code) => code,
            other => panic!("the intake did not exit normally: {other:?}"),
        }
    }
}

/// `text` as a regular expression that matches it literally.
fn escaped(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// The red-flag list's entries as the desk sees them: the fourteen flags, "None of these",
/// and the help entry (the first question has no way back).
fn red_flag_entries() -> Vec<(Option<usize>, String)> {
    let flags = &rule_set().questionnaire.questions[question("red_flags")].options;
    let mut entries: Vec<(Option<usize>, String)> =
        flags.iter().enumerate().map(|(i, o)| (Some(i + 1), o.label.to_string())).collect();
    entries.push((None, "None of these".to_owned()));
    entries.push((None, "? what this question means".to_owned()));
    entries
}

/// The highlighted row of an entry as it is drawn: the marker, then (after its tick box)
/// its number and the first word of its label.
fn highlighted(number: Option<usize>, label: &str) -> String {
    let first_word = escaped(label.split_whitespace().next().unwrap_or_default());
    match number {
        Some(n) => format!(r"> [^\n]*?\b{n}\. {first_word}"),
        None => format!(r"> [^\n]*?{first_word}"),
    }
}

/// Every word the questionnaire's texts and the intake's own lines are made of: a word cut
/// by a line's end is not among them.
fn vocabulary() -> HashSet<String> {
    let mut texts: Vec<&str> = vec![OWN_WORDS];
    for q in &rule_set().questionnaire.questions {
        texts.extend([q.desk.as_str(), q.therapist.as_str(), q.help.as_str()]);
        for o in &q.options {
            texts.extend([o.label.as_str(), o.help.as_str()]);
            texts.extend(o.group.as_deref());
        }
    }
    texts.iter().flat_map(|t| t.split_whitespace()).map(str::to_owned).collect()
}

/// What a person must see at every moment of the red-flag list, checked on the screen.
fn check_screen(window: &Window, vocabulary: &HashSet<String>, when: &str) {
    let rows = window.rows();
    let shown = || rows.join("\n");
    let wrapped = window.wrapped_by_the_terminal();
    assert!(wrapped.is_empty(), "{when}: the terminal wrapped {wrapped:#?}\n{}", shown());
    let mut seen = HashSet::new();
    let repeated: Vec<&String> = rows.iter().filter(|r| !r.trim().is_empty() && !seen.insert(*r)).collect();
    assert!(repeated.is_empty(), "{when}: repeated rows {repeated:#?}\n{}", shown());
    let numbers = |w: &str| w.trim_end_matches('.').chars().all(|c| c.is_ascii_digit());
    let unknown: Vec<&str> =
        rows.iter().flat_map(|r| r.split_whitespace()).filter(|w| !numbers(w) && !vocabulary.contains(*w)).collect();
    assert!(unknown.is_empty(), "{when}: words split or unknown {unknown:?}\n{}", shown());
    assert!(rows.iter().any(|r| r == "Question 1 of 10"), "{when}: the question is out of sight\n{}", shown());
    assert!(rows.iter().any(|r| r.starts_with("Before anything else:")), "{when}: no wording\n{}", shown());
    assert!(rows.iter().any(|r| r.starts_with("> ")), "{when}: the highlight is out of sight\n{}", shown());
}

/// Down through the whole red-flag list and back up, the screen checked after every key;
/// then "None of these" is ticked and confirmed, and the next question's screen is checked
/// for anything the list left behind.
fn walk_the_red_flags(columns: u16, rows: u16) {
    let vocabulary = vocabulary();
    let entries = red_flag_entries();
    let mut window = Window::open(columns, rows, &["intake"]);
    window.wait_for("Question 1 of 10");
    let at = |i: usize| highlighted(entries[i].0, &entries[i].1);
    window.until(&at(0));
    check_screen(&window, &vocabulary, &format!("{columns}x{rows} first shown"));
    let path = (1..entries.len()).chain((0..entries.len() - 1).rev());
    for (presses, i) in path.enumerate() {
        let down = presses < entries.len() - 1;
        window.press(if down { DOWN } else { UP });
        window.until(&at(i));
        check_screen(&window, &vocabulary, &format!("{columns}x{rows}, key {}, entry {i}", presses + 1));
    }
    let none = entries.len() - 2;
    for _ in 0..none {
        window.press(DOWN);
    }
    window.until(&at(none));
    window.press(SPACE);
    window.until(r"> \[x\]");
    window.press(ENTER);
    window.wait_for("Question 2 of 10");
    window.wait_for("More than 12 weeks");
    let rows_now = window.rows();
    let flags: Vec<&str> = entries.iter().map(|(_, label)| label.as_str()).collect();
    let left: Vec<&String> = rows_now
        .iter()
        .filter(|r| r.contains("[ ]") || r.contains("[x]") || flags.iter().any(|f| r.contains(&f[..f.len().min(20)])))
        .collect();
    assert!(left.is_empty(), "{columns}x{rows}: the list left {left:#?}\n{}", rows_now.join("\n"));
    assert_eq!(rows_now.iter().filter(|r| r.starts_with("1/10 ")).count(), 1, "{}", rows_now.join("\n"));
    assert_eq!(rows_now.iter().filter(|r| r.starts_with("Question ")).count(), 1, "{}", rows_now.join("\n"));
    window.session.send("\x03").unwrap();
    assert_eq!(window.finish(), 130);
}

#[test]
fn at_40_columns_the_red_flags_redraw_cleanly_under_their_question() {
    walk_the_red_flags(40, 24);
}

#[test]
fn at_60_columns_the_red_flags_redraw_cleanly_under_their_question() {
    walk_the_red_flags(60, 24);
}

#[test]
fn at_120_columns_thirty_rows_the_red_flags_redraw_cleanly_under_their_question() {
    walk_the_red_flags(120, 30);
}

#[test]
fn in_a_short_window_the_red_flags_are_paged_under_their_question() {
    walk_the_red_flags(120, 20);
    walk_the_red_flags(40, 20);
}

#[test]
fn a_window_narrowed_while_a_list_waits_is_followed_at_the_next_key() {
    let vocabulary = vocabulary();
    let entries = red_flag_entries();
    let mut window = Window::open(120, 30, &["intake"]);
    window.wait_for("Question 1 of 10");
    // The whole first drawing, down to its last entry, is on the screen before the resize.
    window.wait_for("what this question means");
    window.resize(60, 30);
    window.press(DOWN);
    window.until(&highlighted(entries[1].0, &entries[1].1));
    check_screen(&window, &vocabulary, "narrowed from 120 to 60 columns");
    window.session.send("\x03").unwrap();
    assert_eq!(window.finish(), 130);
}

#[test]
fn a_ticks_nothing_in_a_several_of_list() {
    let mut window = Window::open(120, 30, &["intake"]);
    window.wait_for("Question 1 of 10");
    window.press("a");
    window.press(ENTER);
    // Had `a` ticked every entry, "None of these" would be refused as going with others.
    window.wait_for("Nothing ticked: tick every one that applies, or \"None of these\".");
    assert!(!window.rows().iter().any(|r| r.contains("[x]")), "{}", window.rows().join("\n"));
    window.session.send("\x03").unwrap();
    assert_eq!(window.finish(), 130);
}

/// Red flags: none, typed as keys (down to "None of these", tick, confirm).
fn no_red_flags(window: &mut Window) {
    window.wait_for("Question 1 of 10");
    let entries = red_flag_entries();
    window.until(&highlighted(entries[0].0, &entries[0].1));
    for _ in 0..entries.len() - 2 {
        window.press(DOWN);
    }
    window.until(&highlighted(None, "None of these"));
    window.press(SPACE);
    window.press(ENTER);
}

#[test]
fn enter_on_the_way_back_goes_back_at_once_in_a_several_of_list() {
    let mut window = Window::open(120, 30, &["intake"]);
    no_red_flags(&mut window);
    window.wait_for("Question 2 of 10");
    window.press("3");
    window.press(ENTER);
    window.wait_for("Question 3 of 10");
    window.wait_for("0 to 10");
    window.press("5");
    window.press(ENTER);
    window.wait_for("Question 4 of 10");
    window.wait_for("No");
    window.press("2");
    window.press(ENTER);
    window.wait_for("Question 5 of 10");
    let location = &rule_set().questionnaire.questions[question("location")];
    window.until(&highlighted(Some(1), &location.options[0].label));
    for _ in 0..location.options.len() {
        window.press(DOWN);
    }
    window.until(&highlighted(None, "← previous question"));
    window.press(ENTER);
    // Back at the worsening question, its answer chosen: no tick, no second key.
    window.wait_for("Question 4 of 10");
    window.until(r"> [^\n]*?\b2\. No");
    window.session.send("\x03").unwrap();
    assert_eq!(window.finish(), 130);
}

#[test]
fn question_mark_shows_the_help_and_esc_goes_back_at_a_list_and_at_a_number() {
    let mut window = Window::open(60, 24, &["intake"]);
    no_red_flags(&mut window);
    window.wait_for("Question 2 of 10");
    window.press("?");
    window.wait_for("Count from when this episode of pain began.");
    window.press(ESC);
    window.wait_for("Question 1 of 10");
    // The earlier answer is kept: Enter confirms it.
    window.until(r"> \[ \]");
    window.press(ENTER);
    window.wait_for("Question 2 of 10");
    // A number typed in a one-of list moves the highlight to that option; Enter picks it.
    window.press("3");
    window.until(r"> [^\n]*?\b3\. More");
    window.press(ENTER);
    window.wait_for("More than 12 weeks");
    window.wait_for("Question 3 of 10");
    window.wait_for("0 to 10");
    window.press("?");
    // Wrapped at 60 columns: its first words.
    window.wait_for("A whole number: 0 is no pain");
    window.press(ESC);
    window.wait_for("Question 2 of 10");
    let rows = window.rows();
    assert!(rows.iter().any(|r| r.starts_with("2/10 ")), "{}", rows.join("\n"));
    window.session.send("\x03").unwrap();
    assert_eq!(window.finish(), 130);
}

#[test]
fn numbers_typed_in_a_several_of_list_tick_their_options_one_and_two_digits() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("call.json");
    let mut window = Window::open(120, 30, &["intake", "--record", record.to_str().unwrap()]);
    window.wait_for("Question 1 of 10");
    // 1, Space ticks it; 1 then 2 is option 12, Enter ticks it; Enter again confirms.
    for key in ["1", SPACE, "1", "2", ENTER] {
        window.press(key);
    }
    window.until(r"> \[x\] 12\.");
    window.press(ENTER);
    window.wait_for("EMERGENCY");
    window.wait_for("Recorded the call in");
    assert_eq!(window.finish(), 0);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    let flags = &rule_set().questionnaire.questions[question("red_flags")].options;
    let ticked = serde_json::json!([flags[0].id, flags[11].id]);
    assert_eq!(json["answers"]["red_flags"], ticked);
}
