//! A number typed at a question, on the row after its wording, read a key at a time as the
//! lists read theirs, so that Esc goes back and `?` shows the help at once (a line editor
//! would hand over nothing before Enter). The field is redrawn in place like a list:
//! measured, wrapped and cleared row for row.

use super::list::{fit, Drawn};
use super::prompt::{check_number, TYPE_BACK};
use super::theme::Look;
use super::wrap::Width;
use console::{Key, Term};
use std::io;

/// The most characters kept as typed: more than any number asked, and few enough that the
/// row they end never has to be wrapped by the terminal.
const LONGEST: usize = 6;

/// How a number field ended.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Typed {
    Number(i64),
    /// Esc, or `<` then Enter.
    Back,
}

/// A number question being answered.
pub(super) struct Field<'a> {
    /// The question: its last line is the one typed after.
    prompt: String,
    help: &'a str,
    min: i64,
    max: i64,
    /// What Enter alone keeps.
    default: Option<i64>,
    can_go_back: bool,
    /// Said when Esc is pressed on the first question.
    no_back: &'a str,
    typed: String,
    help_shown: bool,
    problem: Option<String>,
}

impl<'a> Field<'a> {
    /// A field for a whole number from `min` to `max` under `prompt`.
    pub(super) fn new(prompt: String, help: &'a str, min: i64, max: i64) -> Self {
        Field {
            prompt,
            help,
            min,
            max,
            default: None,
            can_go_back: false,
            no_back: "",
            typed: String::new(),
            help_shown: false,
            problem: None,
        }
    }

    /// The same with `default` kept by Enter alone, and Esc going back when it can.
    pub(super) fn keeping(mut self, default: Option<i64>, can_go_back: bool, no_back: &'a str) -> Self {
        self.default = default;
        self.can_go_back = can_go_back;
        self.no_back = no_back;
        self
    }

    /// Reads keys until a number in range is entered, or Esc; the field is then cleared.
    pub(super) fn run(mut self, term: &Term, look: Look) -> io::Result<Typed> {
        let mut drawn = Drawn::new(term);
        let typed = loop {
            let (rows, columns) = term.size();
            drawn.show(&self.frame(look, usize::from(columns), usize::from(rows)), usize::from(columns))?;
            if let Some(typed) = self.press(&term.read_key()?) {
                break typed;
            }
        };
        drawn.clear()?;
        Ok(typed)
    }

    fn press(&mut self, key: &Key) -> Option<Typed> {
        match key {
            Key::Escape if self.can_go_back => return Some(Typed::Back),
            Key::Escape => self.problem = Some(self.no_back.to_owned()),
            Key::Char('?') => self.help_shown = true,
            Key::Enter => return self.enter(),
            Key::Backspace => {
                self.typed.pop();
            }
            Key::Char(c) if !c.is_control() && self.typed.chars().count() < LONGEST => self.typed.push(*c),
            _ => {}
        }
        None
    }

    fn enter(&mut self) -> Option<Typed> {
        let typed = std::mem::take(&mut self.typed);
        let checked = match (typed.trim(), self.default) {
            ("", Some(default)) => return Some(Typed::Number(default)),
            (TYPE_BACK, _) if self.can_go_back => return Some(Typed::Back),
            (TYPE_BACK, _) => Err(self.no_back.to_owned()),
            (typed, _) => check_number(typed, self.min, self.max),
        };
        match checked {
            Ok(n) => Some(Typed::Number(n)),
            Err(problem) => {
                self.problem = Some(problem);
                None
            }
        }
    }

    /// The question, the help and problem when there are, and the row typed on: its last
    /// line of wording wrapped to leave room for the default and the typed text.
    fn frame(&self, look: Look, columns: usize, rows: usize) -> Vec<String> {
        let width = Width::Fixed(columns);
        let (last, above) = self.prompt.rsplit_once('\n').map_or((self.prompt.as_str(), ""), |(a, l)| (l, a));
        let mut frame: Vec<String> = above.lines().flat_map(|l| width.wrap(l)).map(|r| look.question(&r)).collect();
        if self.help_shown && !self.help.is_empty() {
            frame.extend(width.wrap(&format!("  {}", self.help)).iter().map(|r| look.aside(r)));
        }
        if let Some(problem) = &self.problem {
            frame.extend(width.wrap(problem).iter().map(|r| look.problem(r)));
        }
        let kept = self.default.map(|d| format!(" [{d}]")).unwrap_or_default();
        let mut wording = width.wrap_leaving(last, kept.len() + ": ".len() + LONGEST);
        let typed_on = wording.pop().unwrap_or_default();
        frame.extend(wording.iter().map(|r| look.question(r)));
        frame.push(format!("{}{kept}: {}", look.question(&typed_on), self.typed));
        // The row typed on is kept whatever the height: it is where the cursor is.
        let typed_row = frame.pop().unwrap_or_default();
        let mut frame = fit(frame, columns, rows.saturating_sub(1));
        frame.push(typed_row);
        frame
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use massage_triage::report::Paint;

    const PLAIN: Look = Look::new(Paint { enabled: false });

    fn press_all(field: &mut Field<'_>, keys: &[Key]) -> Option<Typed> {
        keys.iter().find_map(|key| field.press(key))
    }

    #[test]
    fn esc_goes_back_and_a_wrong_number_is_explained_and_cleared() {
        let prompt = "Question 3 of 10\nHow bad is it? (0 to 10)".to_owned();
        let mut field = Field::new(prompt, "0 is none", 0, 10).keeping(Some(5), true, "first");
        assert_eq!(press_all(&mut field, &[Key::Char('1'), Key::Char('1'), Key::Enter]), None);
        assert_eq!(field.problem.as_deref(), Some("11 is out of range: type a whole number from 0 to 10."));
        assert_eq!(field.typed, "");
        field.press(&Key::Char('?'));
        let frame = field.frame(PLAIN, 80, 24);
        assert_eq!(frame.last().unwrap(), "How bad is it? (0 to 10) [5]: ");
        assert!(frame.contains(&"  0 is none".to_owned()), "{frame:#?}");
        assert_eq!(field.press(&Key::Enter), Some(Typed::Number(5)));
        assert_eq!(field.press(&Key::Escape), Some(Typed::Back));
    }

    #[test]
    fn on_the_first_question_esc_says_there_is_no_previous_one() {
        let mut field = Field::new("Age?".to_owned(), "", 12, 110).keeping(None, false, "first");
        assert_eq!(field.press(&Key::Escape), None);
        assert_eq!(field.problem.as_deref(), Some("first"));
        assert_eq!(press_all(&mut field, &[Key::Char('4'), Key::Char('1'), Key::Enter]), Some(Typed::Number(41)));
    }
}
