//! How the prompts look: dialoguer's plain layout, coloured by standard error's own colour
//! decision (never by `console`'s own guess), with the help line of the
//! highlighted option shown under it.

use dialoguer::theme::Theme;
use massage_triage::report::Paint;
use std::fmt;

/// The intake's theme for one prompt: the items' help lines, by label.
pub(crate) struct IntakeTheme {
    paint: Paint,
    helps: Vec<(String, String)>,
    /// The heading written above an item that starts a group, by label.
    headings: Vec<(String, String)>,
}

impl IntakeTheme {
    /// A theme whose items have these (label, help) pairs.
    pub(crate) fn new(paint: Paint, helps: Vec<(String, String)>) -> Self {
        IntakeTheme { paint, helps, headings: Vec::new() }
    }

    /// The same with these (label, heading) pairs: each heading is written on its own line
    /// above its item (dialoguer counts the lines it clears, so the list redraws cleanly).
    pub(crate) fn with_headings(mut self, headings: Vec<(String, String)>) -> Self {
        self.headings = headings;
        self
    }

    fn write_heading(&self, f: &mut dyn fmt::Write, label: &str) -> fmt::Result {
        match self.headings.iter().find(|(l, _)| l == label) {
            Some((_, heading)) => writeln!(f, "  {}", self.paint.strong(heading)),
            None => Ok(()),
        }
    }

    fn help_of(&self, label: &str) -> Option<&str> {
        self.helps.iter().find(|(l, _)| l == label).map(|(_, h)| h.as_str()).filter(|h| !h.is_empty())
    }

    /// The help under the highlighted item, indented past the cursor and the tick box.
    fn write_help(&self, f: &mut dyn fmt::Write, label: &str, active: bool, indent: &str) -> fmt::Result {
        match (active, self.help_of(label)) {
            (true, Some(help)) => write!(f, "\n{indent}{}", self.paint.faint(help)),
            _ => Ok(()),
        }
    }

    /// The last line of a prompt: the question itself, without "Question 3 of 9" above it.
    fn last_line(prompt: &str) -> &str {
        prompt.rsplit('\n').next().unwrap_or(prompt)
    }
}

impl Theme for IntakeTheme {
    fn format_prompt(&self, f: &mut dyn fmt::Write, prompt: &str) -> fmt::Result {
        write!(f, "{}", self.paint.strong(prompt))
    }

    fn format_error(&self, f: &mut dyn fmt::Write, err: &str) -> fmt::Result {
        write!(f, "{}", self.paint.warn(err))
    }

    fn format_input_prompt(&self, f: &mut dyn fmt::Write, prompt: &str, default: Option<&str>) -> fmt::Result {
        match default {
            Some(default) => write!(f, "{} [{default}]: ", self.paint.strong(prompt)),
            None => write!(f, "{}: ", self.paint.strong(prompt)),
        }
    }

    fn format_input_prompt_selection(&self, f: &mut dyn fmt::Write, prompt: &str, sel: &str) -> fmt::Result {
        write!(f, "{} {}", Self::last_line(prompt), self.paint.good(sel))
    }

    fn format_select_prompt_selection(&self, f: &mut dyn fmt::Write, prompt: &str, sel: &str) -> fmt::Result {
        write!(f, "{} {}", Self::last_line(prompt), self.paint.good(sel))
    }

    fn format_multi_select_prompt_selection(
        &self,
        f: &mut dyn fmt::Write,
        prompt: &str,
        selections: &[&str],
    ) -> fmt::Result {
        write!(f, "{} {}", Self::last_line(prompt), self.paint.good(&selections.join("; ")))
    }

    fn format_select_prompt_item(&self, f: &mut dyn fmt::Write, text: &str, active: bool) -> fmt::Result {
        self.write_heading(f, text)?;
        if active {
            write!(f, "> {}", self.paint.strong(text))?;
        } else {
            write!(f, "  {text}")?;
        }
        self.write_help(f, text, active, "    ")
    }

    fn format_multi_select_prompt_item(
        &self,
        f: &mut dyn fmt::Write,
        text: &str,
        checked: bool,
        active: bool,
    ) -> fmt::Result {
        self.write_heading(f, text)?;
        let cursor = if active { ">" } else { " " };
        let tick = if checked { "[x]" } else { "[ ]" };
        if active {
            write!(f, "{cursor} {tick} {}", self.paint.strong(text))?;
        } else {
            write!(f, "{cursor} {tick} {text}")?;
        }
        self.write_help(f, text, active, "        ")
    }
}
