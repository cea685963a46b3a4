//! How the full prompts look: the question in bold, the highlighted entry marked with `>`
//! and in bold, ticks as `[x]`, a group's heading in bold above its first option, the
//! highlighted option's help faint under it, hints faint and problems in the warning
//! colour; all through standard error's own colour decision ([`Paint`]), so nothing is
//! coloured when colour is off.

use massage_triage::report::Paint;

/// The look of one prompt's rows; each method paints one row already fitted to the width.
#[derive(Debug, Clone, Copy)]
pub(super) struct Look {
    paint: Paint,
}

impl Look {
    /// Rows painted with standard error's colour decision.
    pub(super) const fn new(paint: Paint) -> Self {
        Look { paint }
    }

    /// A row of the question ("Question 3 of 9" and its wording).
    pub(super) fn question(&self, row: &str) -> String {
        self.paint.strong(row)
    }

    /// A group's heading above its first option.
    pub(super) fn heading(&self, row: &str) -> String {
        self.paint.strong(row)
    }

    /// The text of the highlighted entry (its marker and number are not painted).
    pub(super) fn highlighted(&self, row: &str) -> String {
        self.paint.strong(row)
    }

    /// Help, hints and "more above/below": read when wanted, not in the way.
    pub(super) fn aside(&self, row: &str) -> String {
        self.paint.faint(row)
    }

    /// Why an answer was refused.
    pub(super) fn problem(&self, row: &str) -> String {
        self.paint.warn(row)
    }

    /// The marker before an entry: the highlighted one is pointed at.
    pub(super) fn marker(highlighted: bool) -> &'static str {
        if highlighted {
            "> "
        } else {
            "  "
        }
    }

    /// The tick box of a several-of entry.
    pub(super) fn tick(ticked: bool) -> &'static str {
        if ticked {
            "[x] "
        } else {
            "[ ] "
        }
    }
}
