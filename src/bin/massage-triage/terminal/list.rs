//! Our own list for the full prompts: one-of, yes/no and several-of questions and the
//! summary's menus. Each key redraws the list in place: the window is measured at every
//! redraw (a resize is followed), every row is wrapped at word boundaries to its width,
//! and exactly the terminal rows drawn last time are cleared. A list taller than the
//! window is shown a page at a time around the highlight, always under its question, so
//! nothing is left behind and the question never scrolls away.
//!
//! Keys: ↑/↓ (or k/j), Home/End; a number typed moves the highlight to that option (12 is
//! typed as 1 then 2: the digits so far name the option, no timer); Enter picks the
//! highlighted entry, or in a several-of list confirms the ticks; Space picks too, or
//! ticks in a several-of list, where a comma or Enter also ends a typed number by ticking
//! it; `?` shows the question's help; Esc goes back. Nothing ticks every entry at once.

use super::prompt::HINT_HELP;
use super::theme::Look;
use super::wrap::{after_prefix, screen_rows, Width};
use console::{Key, Term};
use std::io;

/// What an entry does when it is picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// An answer, numbered from 1: a number typed reaches it.
    Answer,
    /// A several-of tick without a number ("None of these").
    Unnumbered,
    /// Goes back (to the previous question, or to the summary), at once, as Esc does.
    Back,
    /// Shows the question's help, at once, as `?` does.
    Help,
}

/// One entry of a list.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    label: String,
    /// Shown under the entry while it is highlighted.
    help: String,
    /// The heading of the group the entry is in.
    group: Option<String>,
    role: Role,
}

impl Entry {
    /// A numbered answer.
    pub(super) fn answer(label: &str, help: &str, group: Option<&str>) -> Self {
        Entry { label: label.to_owned(), help: help.to_owned(), group: group.map(str::to_owned), role: Role::Answer }
    }

    /// An entry without help or group: an unnumbered tick, or an action.
    pub(super) fn other(label: &str, role: Role) -> Self {
        Entry { label: label.to_owned(), help: String::new(), group: None, role }
    }

    fn tickable(&self) -> bool {
        matches!(self.role, Role::Answer | Role::Unnumbered)
    }
}

/// How a list ended.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Chosen {
    /// This entry was picked (one-of).
    Entry(usize),
    /// These ticks were confirmed, one per entry (several-of).
    Ticks(Vec<bool>),
    /// Esc or a [`Role::Back`] entry.
    Back,
}

/// Checks a several-of list's ticks when they are confirmed: the problem to show, if any.
type Check<'a> = Box<dyn Fn(&[bool]) -> Option<String> + 'a>;

/// A list being answered: what it shows and where its highlight is.
pub(super) struct List<'a> {
    prompt: String,
    /// The question's help, shown by `?` and by a [`Role::Help`] entry.
    help: String,
    entries: Vec<Entry>,
    /// Several-of: the ticks, one per entry, and their check.
    ticks: Vec<bool>,
    check: Option<Check<'a>>,
    /// What Esc does, in words for the hint; `None`: there is nowhere to go back to.
    back: Option<&'a str>,
    /// Said when Esc is pressed and there is nowhere to go back to.
    no_back: &'a str,
    highlight: Option<usize>,
    /// The digits typed so far, naming an option.
    typed: String,
    /// The first entry on the page shown (lists taller than the window).
    top: usize,
    help_shown: bool,
    problem: Option<String>,
}

impl<'a> List<'a> {
    /// A one-of list under `prompt` (its lines), nothing highlighted.
    pub(super) fn one_of(prompt: String, entries: Vec<Entry>) -> Self {
        List {
            prompt,
            help: String::new(),
            entries,
            ticks: Vec::new(),
            check: None,
            back: None,
            no_back: "",
            highlight: None,
            typed: String::new(),
            top: 0,
            help_shown: false,
            problem: None,
        }
    }

    /// A several-of list with these ticks (one per entry), checked by `check` when confirmed;
    /// the first entry is highlighted (Space ticks it at once).
    pub(super) fn several_of(
        prompt: String,
        entries: Vec<Entry>,
        ticks: Vec<bool>,
        check: impl Fn(&[bool]) -> Option<String> + 'a,
    ) -> Self {
        let list = List { ticks, check: Some(Box::new(check)), ..List::one_of(prompt, entries) };
        list.highlighting(Some(0))
    }

    /// The same with this entry highlighted.
    pub(super) fn highlighting(mut self, highlight: Option<usize>) -> Self {
        self.highlight = highlight.filter(|h| *h < self.entries.len());
        self
    }

    /// The same with the question's help.
    pub(super) fn with_help(mut self, help: &str) -> Self {
        self.help = help.to_owned();
        self
    }

    /// Esc does `back` (words for the hint), or says `no_back` when it is `None`.
    pub(super) fn going_back(mut self, back: Option<&'a str>, no_back: &'a str) -> Self {
        self.back = back;
        self.no_back = no_back;
        self
    }

    fn several(&self) -> bool {
        self.check.is_some()
    }

    /// Shows the list on `term` until it ends: the list is then cleared, for the answer's
    /// line. A key read fails on Ctrl-C (`Interrupted`) or when the terminal is gone.
    pub(super) fn run(mut self, term: &Term, look: Look) -> io::Result<Chosen> {
        let mut drawn = Drawn::new(term);
        term.hide_cursor()?;
        let chosen = loop {
            let (rows, columns) = term.size();
            let frame = self.frame(look, usize::from(columns), usize::from(rows));
            drawn.show(&frame, usize::from(columns))?;
            if let Some(chosen) = self.press(&term.read_key()?) {
                break chosen;
            }
        };
        drawn.clear()?;
        term.show_cursor()?;
        term.flush()?;
        Ok(chosen)
    }

    /// What a key does; `Some` when the list ends.
    fn press(&mut self, key: &Key) -> Option<Chosen> {
        if let Key::Char(digit @ '0'..='9') = key {
            self.type_digit(*digit);
            return None;
        }
        // A number typed and not yet ticked: Enter ticks it rather than confirm the list.
        let pending = std::mem::take(&mut self.typed);
        match key {
            Key::ArrowUp | Key::Char('k') => self.move_to(self.highlight.map_or(0, |h| h.saturating_sub(1))),
            Key::ArrowDown | Key::Char('j') => self.move_to(self.highlight.map_or(0, |h| h + 1)),
            Key::Home => self.move_to(0),
            Key::End => self.move_to(self.entries.len().saturating_sub(1)),
            Key::Escape => return self.go_back(),
            Key::Char('?') => self.help_shown = true,
            Key::Char(' ') => return self.act(false),
            Key::Char(',') if self.several() => return self.act(false),
            Key::Enter if self.several() && !pending.is_empty() => return self.act(false),
            Key::Enter => return self.act(true),
            _ => {}
        }
        None
    }

    fn move_to(&mut self, index: usize) {
        self.highlight = Some(index.min(self.entries.len().saturating_sub(1)));
    }

    /// The digits typed so far name an option when they can (1 then 2 is 12 in a list of
    /// 14); otherwise the new digit starts a number of its own.
    fn type_digit(&mut self, digit: char) {
        let numbered: Vec<usize> = (0..self.entries.len()).filter(|i| self.entries[*i].role == Role::Answer).collect();
        let names = |typed: &str| typed.parse::<usize>().ok().filter(|n| (1..=numbered.len()).contains(n));
        let longer = format!("{}{digit}", self.typed);
        self.typed = match (names(&longer), names(&digit.to_string())) {
            (Some(_), _) => longer,
            (None, Some(_)) => digit.to_string(),
            (None, None) => String::new(),
        };
        if let Some(n) = names(&self.typed) {
            self.highlight = Some(numbered[n - 1]);
        }
    }

    fn go_back(&mut self) -> Option<Chosen> {
        if self.back.is_some() {
            return Some(Chosen::Back);
        }
        self.problem = Some(self.no_back.to_owned());
        None
    }

    /// Enter (`confirm`) or Space on the highlighted entry; nothing when none is.
    fn act(&mut self, confirm: bool) -> Option<Chosen> {
        let index = self.highlight?;
        match self.entries[index].role {
            Role::Back => Some(Chosen::Back),
            Role::Help => {
                self.help_shown = true;
                None
            }
            _ => match &self.check {
                None => Some(Chosen::Entry(index)),
                Some(_) if !confirm => {
                    self.ticks[index] = !self.ticks[index];
                    self.problem = None;
                    None
                }
                Some(check) => {
                    self.problem = check(&self.ticks);
                    self.problem.is_none().then(|| Chosen::Ticks(self.ticks.clone()))
                }
            },
        }
    }

    /// The ways to answer, in one faint line under the question.
    fn hint(&self) -> String {
        let mut hints = vec![if self.several() {
            "↑/↓ or a number moves, Space ticks, Enter confirms"
        } else {
            "↑/↓ or a number moves, Enter picks"
        }
        .to_owned()];
        if !self.help.is_empty() {
            hints.push(HINT_HELP.to_owned());
        }
        if let Some(back) = self.back {
            hints.push(format!("Esc {back}"));
        }
        hints.join(" · ")
    }

    /// Every row to show in a window `columns` wide and `rows` high: the question, the help
    /// and problem when there are, the hint, then the page of entries that holds the
    /// highlight. Never more than the window holds (what is cut is the list's end).
    fn frame(&mut self, look: Look, columns: usize, rows: usize) -> Vec<String> {
        let width = Width::Fixed(columns);
        let mut frame: Vec<String> =
            self.prompt.lines().flat_map(|l| width.wrap(l)).map(|r| look.question(&r)).collect();
        if self.help_shown && !self.help.is_empty() {
            frame.extend(width.wrap(&format!("  {}", self.help)).iter().map(|r| look.aside(r)));
        }
        if let Some(problem) = &self.problem {
            frame.extend(width.wrap(problem).iter().map(|r| look.problem(r)));
        }
        frame.extend(width.wrap(&self.hint()).iter().map(|r| look.aside(r)));
        let room = rows.saturating_sub(frame.len());
        frame.extend(self.page(look, columns, room));
        fit(frame, columns, rows)
    }

    /// The entries that fit in `room` rows, the highlighted one among them, with a line
    /// saying how many more there are above and below when not all fit.
    fn page(&mut self, look: Look, columns: usize, room: usize) -> Vec<String> {
        let bodies: Vec<Vec<String>> = (0..self.entries.len()).map(|i| self.body(look, i, columns)).collect();
        let headings: Vec<Vec<String>> = self.entries.iter().map(|e| heading_rows(look, e, columns)).collect();
        // A group's heading is shown above its first entry, and above the first entry of a
        // page that starts inside the group.
        let starts_group = |i: usize| i == 0 || self.entries[i].group != self.entries[i - 1].group;
        let block = |i: usize, top: usize| {
            let heading = if starts_group(i) || i == top { &headings[i][..] } else { &[] };
            heading.iter().chain(&bodies[i]).cloned().collect::<Vec<String>>()
        };
        let height = |top: usize, bottom: usize| (top..=bottom).map(|i| block(i, top).len()).sum::<usize>();
        let last = self.entries.len().saturating_sub(1);
        if self.entries.is_empty() || height(0, last) <= room {
            self.top = 0;
            return (0..self.entries.len()).flat_map(|i| block(i, 0)).collect();
        }
        // Two rows for "more above" and "more below".
        let highlight = self.highlight.unwrap_or(0);
        let (top, bottom) = bounds(self.top, highlight, last, room.saturating_sub(2), height);
        self.top = top;
        let mut rows = Vec::new();
        if top > 0 {
            rows.push(look.aside(&format!("  ↑ {top} more above")));
        }
        rows.extend((top..=bottom).flat_map(|i| block(i, top)));
        if bottom < last {
            rows.push(look.aside(&format!("  ↓ {} more below", last - bottom)));
        }
        rows
    }

    /// An entry's rows: marker, tick box and number before its label, wrapped under the
    /// label, and its help under it while it is highlighted.
    fn body(&self, look: Look, index: usize, columns: usize) -> Vec<String> {
        let entry = &self.entries[index];
        let highlighted = self.highlight == Some(index);
        let mut prefix = Look::marker(highlighted).to_owned();
        if self.several() {
            prefix.push_str(if entry.tickable() { Look::tick(self.ticks[index]) } else { "    " });
        }
        let numbered = self.entries.iter().filter(|e| e.role == Role::Answer).count();
        let digits = numbered.to_string().len();
        if numbered > 0 {
            let number = self.entries[..=index].iter().filter(|e| e.role == Role::Answer).count();
            prefix.push_str(&match entry.role {
                Role::Answer => format!("{number:>digits$}. "),
                _ => " ".repeat(digits + 2),
            });
        }
        let paint = |text: &str| if highlighted { look.highlighted(text) } else { text.to_owned() };
        let mut rows: Vec<String> =
            after_prefix(&prefix, &entry.label, columns).into_iter().map(|(p, text)| p + &paint(&text)).collect();
        if highlighted && !entry.help.is_empty() {
            let indent = " ".repeat(prefix.len());
            rows.extend(
                after_prefix(&indent, &entry.help, columns).into_iter().map(|(p, text)| p + &look.aside(&text)),
            );
        }
        rows
    }
}

/// The first and last entry of a page of `room` rows that holds `highlight`, the page
/// starting where the one shown before did (`top`) when it can, so that the list scrolls
/// an entry at a time rather than jumps; `height` is the rows from one entry to another.
fn bounds(
    top: usize,
    highlight: usize,
    last: usize,
    room: usize,
    height: impl Fn(usize, usize) -> usize,
) -> (usize, usize) {
    let mut top = top.min(highlight);
    while top < highlight && height(top, highlight) > room {
        top += 1;
    }
    let mut bottom = highlight;
    while bottom < last && height(top, bottom + 1) <= room {
        bottom += 1;
    }
    while top > 0 && height(top - 1, bottom) <= room {
        top -= 1;
    }
    (top, bottom)
}

/// The heading rows above an entry that starts its group.
fn heading_rows(look: Look, entry: &Entry, columns: usize) -> Vec<String> {
    let Some(group) = &entry.group else { return Vec::new() };
    after_prefix("  ", group, columns).into_iter().map(|(p, text)| p + &look.heading(&text)).collect()
}

/// The rows that fit in the window's height, counted as the terminal shows them.
pub(super) fn fit(frame: Vec<String>, columns: usize, rows: usize) -> Vec<String> {
    let mut used = 0;
    frame
        .into_iter()
        .take_while(|row| {
            used += screen_rows(row, columns);
            used <= rows.max(1)
        })
        .collect()
}

/// What was drawn last on the terminal, to be replaced by the next drawing: the cursor
/// stays at the end of the last row drawn, so a frame can use every row of the window.
pub(super) struct Drawn<'t> {
    term: &'t Term,
    /// The terminal rows between the first row drawn and the cursor.
    below_first: usize,
}

impl<'t> Drawn<'t> {
    /// Nothing drawn yet: the next drawing starts where the cursor is.
    pub(super) fn new(term: &'t Term) -> Self {
        Drawn { term, below_first: 0 }
    }

    /// Replaces what was drawn with `frame`, whose rows were fitted to `columns`.
    pub(super) fn show(&mut self, frame: &[String], columns: usize) -> io::Result<()> {
        self.erase()?;
        self.term.write_str(&frame.join("\n"))?;
        self.term.flush()?;
        self.below_first = frame.iter().map(|row| screen_rows(row, columns)).sum::<usize>().saturating_sub(1);
        Ok(())
    }

    /// Erases what was drawn, the cursor back at the start of its first row.
    pub(super) fn clear(&mut self) -> io::Result<()> {
        self.erase()?;
        self.term.flush()
    }

    fn erase(&mut self) -> io::Result<()> {
        self.term.move_cursor_up(std::mem::take(&mut self.below_first))?;
        self.term.clear_to_end_of_screen()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use massage_triage::report::Paint;

    const PLAIN: Look = Look::new(Paint { enabled: false });

    fn flags() -> List<'static> {
        let mut entries: Vec<Entry> = (1..=14)
            .map(|i| {
                Entry::answer(&format!("flag number {i}"), "its help", Some(if i < 8 { "First" } else { "Second" }))
            })
            .collect();
        entries.push(Entry::other("None of these", Role::Unnumbered));
        entries.push(Entry::other("← previous question", Role::Back));
        let ticks = vec![false; entries.len()];
        List::several_of("Question 1 of 10\nAny of these?".to_owned(), entries, ticks, |_| None)
            .going_back(Some("previous question"), "")
    }

    fn type_keys(list: &mut List<'_>, keys: &str) -> Option<Chosen> {
        keys.chars().find_map(|c| list.press(&if c == '\n' { Key::Enter } else { Key::Char(c) }))
    }

    #[test]
    fn numbers_typed_move_the_highlight_and_space_comma_or_enter_tick_them() {
        let mut list = flags();
        assert_eq!(type_keys(&mut list, "1 12,3\n"), None);
        assert_eq!(list.highlight, Some(2));
        let ticked: Vec<usize> = (0..list.ticks.len()).filter(|i| list.ticks[*i]).collect();
        assert_eq!(ticked, [0, 2, 11]);
        // 1 then 9 is not an option: 9 starts again.
        type_keys(&mut list, "19");
        assert_eq!(list.highlight, Some(8));
        assert_eq!(type_keys(&mut list, "\n"), None, "a pending number is ticked, not confirmed");
        assert!(matches!(type_keys(&mut list, "\n"), Some(Chosen::Ticks(_))));
    }

    #[test]
    fn a_ticks_nothing_and_the_way_back_acts_at_once() {
        let mut list = flags();
        type_keys(&mut list, "a");
        assert!(list.ticks.iter().all(|t| !t));
        list.press(&Key::End);
        assert_eq!(list.press(&Key::Char(' ')), Some(Chosen::Back));
        assert!(list.ticks.iter().all(|t| !t));
    }

    #[test]
    fn enter_on_nothing_highlighted_picks_nothing() {
        let entries = vec![Entry::answer("Yes", "", None), Entry::answer("No", "", None)];
        let mut list = List::one_of("Worse?".to_owned(), entries);
        assert_eq!(list.press(&Key::Enter), None);
        assert_eq!(type_keys(&mut list, "2\n"), Some(Chosen::Entry(1)));
    }

    #[test]
    fn a_page_keeps_the_question_and_the_highlight_in_view_and_fits_the_window() {
        let mut list = flags();
        for presses in 0..20 {
            let frame = list.frame(PLAIN, 40, 12);
            assert!(frame.len() <= 12 && frame.iter().all(|r| r.chars().count() <= 40), "{frame:#?}");
            assert_eq!(frame[0], "Question 1 of 10", "{frame:#?}");
            assert!(frame.iter().any(|r| r.starts_with("> ")), "{presses}: {frame:#?}");
            let mut seen = std::collections::HashSet::new();
            assert!(frame.iter().filter(|r| !r.trim().is_empty()).all(|r| seen.insert(r)), "{frame:#?}");
            list.press(&Key::ArrowDown);
        }
        // Scrolled into the second group: its heading stays above the page.
        let frame = list.frame(PLAIN, 40, 12);
        assert!(frame.iter().any(|r| r == "  Second"), "{frame:#?}");
    }
}
