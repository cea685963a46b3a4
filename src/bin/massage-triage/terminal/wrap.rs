//! Text fitted to the terminal's width: wrapped at spaces, never inside a word, with a
//! hanging indent under a numbered item's text.

use console::Term;

/// The narrowest width wrapped to: below it a line is left to the terminal.
const NARROWEST: usize = 20;

/// How wide lines may be.
#[derive(Debug, Clone)]
pub(crate) enum Width {
    /// The terminal's width, measured at each line (a resized window is followed).
    Measured(Term),
    /// A fixed width (measured once for a whole frame of a full prompt, and in tests).
    Fixed(usize),
}

impl Width {
    /// The width now, when there is one to fit.
    fn columns(&self) -> Option<usize> {
        match self {
            Width::Measured(term) => term.size_checked().map(|(_, columns)| usize::from(columns)),
            Width::Fixed(columns) => Some(*columns),
        }
        .filter(|columns| *columns >= NARROWEST)
    }

    /// `text`'s lines, each wrapped to the width; a wrapped line goes on under the text of
    /// its first line ("  3. " or leading spaces), so a numbered item reads as one.
    pub(crate) fn wrap(&self, text: &str) -> Vec<String> {
        self.wrap_leaving(text, 0)
    }

    /// The same, with `room` columns left free at the end of each line (for an answer
    /// typed after a prompt).
    pub(crate) fn wrap_leaving(&self, text: &str, room: usize) -> Vec<String> {
        let Some(columns) = self.columns().map(|c| c.saturating_sub(room).max(NARROWEST)) else {
            return text.split('\n').map(str::to_owned).collect();
        };
        text.split('\n')
            .flat_map(|line| {
                let indent = " ".repeat(hanging_indent(line));
                let options = textwrap::Options::new(columns).subsequent_indent(&indent).break_words(false);
                let wrapped: Vec<String> = textwrap::wrap(line, options).into_iter().map(|l| l.into_owned()).collect();
                if wrapped.is_empty() {
                    vec![String::new()]
                } else {
                    wrapped
                }
            })
            .collect()
    }
}

/// `text` wrapped to `columns` after `prefix` (a marker, a tick box, a number), its other
/// rows under the text, never inside a word: each row as its prefix (or the indent in its
/// place) and its text, so that the text alone can be painted.
pub(crate) fn after_prefix(prefix: &str, text: &str, columns: usize) -> Vec<(String, String)> {
    let indent = " ".repeat(textwrap::core::display_width(prefix));
    let room = columns.saturating_sub(indent.len()).max(1);
    let options = textwrap::Options::new(room).break_words(false);
    let mut rows: Vec<(String, String)> =
        textwrap::wrap(text, options).into_iter().map(|row| (indent.clone(), row.into_owned())).collect();
    match rows.first_mut() {
        Some(first) => first.0 = prefix.to_owned(),
        None => rows.push((prefix.to_owned(), String::new())),
    }
    rows
}

/// The rows of the terminal that `row` takes at `columns` (one, unless it is wider: the
/// terminal then wraps it), styles not counted: what a redraw must clear.
pub(crate) fn screen_rows(row: &str, columns: usize) -> usize {
    textwrap::core::display_width(row).div_ceil(columns.max(1)).max(1)
}

/// Where a line's text starts: after its leading spaces and a "3." or "3/10" number.
fn hanging_indent(line: &str) -> usize {
    let text = line.trim_start();
    let spaces = line.len() - text.len();
    let number = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
    let rest = &text[number..];
    match rest.chars().next() {
        Some('.') if number > 0 && rest[1..].starts_with(' ') => {
            spaces + number + 1 + (rest[1..].len() - rest[1..].trim_start().len())
        }
        _ => spaces,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_numbered_item_wraps_under_its_text_and_no_word_is_broken() {
        let lines = Width::Fixed(24).wrap("  12. Numbness or tingling in both legs, getting worse");
        assert_eq!(lines, ["  12. Numbness or", "      tingling in both", "      legs, getting", "      worse"]);
        // A word longer than the width stays whole on its own line.
        let lines = Width::Fixed(20).wrap("a supercalifragilisticexpialidocious word");
        assert!(lines.contains(&"supercalifragilisticexpialidocious".to_owned()), "{lines:?}");
    }

    #[test]
    fn text_after_a_prefix_wraps_under_itself() {
        let rows = after_prefix("> [ ] 12. ", "Numbness or tingling in both legs", 24);
        let rows: Vec<String> = rows.into_iter().map(|(prefix, text)| prefix + &text).collect();
        assert_eq!(rows, ["> [ ] 12. Numbness or", "          tingling in", "          both legs"]);
        assert_eq!(screen_rows("\x1b[1mtwenty-four columns wide\x1b[0m", 24), 1);
        assert_eq!(screen_rows("twenty-five columns wide.", 24), 2);
        assert_eq!(screen_rows("", 24), 1);
    }

    #[test]
    fn blank_lines_stay_and_a_plain_line_hangs_under_its_spaces() {
        assert_eq!(Width::Fixed(40).wrap(""), [""]);
        assert_eq!(Width::Fixed(20).wrap("  one two three four five"), ["  one two three four", "  five"]);
    }
}
