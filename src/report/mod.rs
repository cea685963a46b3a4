//! Rendering an evaluation for people (human) and for scripts (JSON). The engine's result
//! is turned into words here and nowhere else.

mod human;
mod json;
mod rules;

pub use human::{render_human, render_human_for, render_trace, warnings_in_words, Audience};
pub use json::{json_report, json_report_for, JsonReport, JsonTraceStep, JsonWarning};
pub use rules::{
    check_json, render_case_failure, render_check_human, render_what_would_change, what_would_change_json,
    JsonAnswerChange, JsonCounterfactual,
};

use colored::{ColoredString, Colorize};

/// Whether to colour a stream; decided once per stream by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    /// Colour on.
    pub enabled: bool,
}

impl Paint {
    /// Colour on or off.
    pub fn new(enabled: bool) -> Self {
        // `colored` would otherwise make its own decision from standard output alone.
        colored::control::set_override(true);
        Paint { enabled }
    }

    fn apply(&self, text: &str, style: fn(ColoredString) -> ColoredString) -> String {
        if self.enabled {
            style(text.normal()).to_string()
        } else {
            text.to_owned()
        }
    }

    /// An emergency: red, bold.
    pub fn alarm(&self, text: &str) -> String {
        self.apply(text, |t| t.red().bold())
    }

    /// A warning: yellow, bold.
    pub fn warn(&self, text: &str) -> String {
        self.apply(text, |t| t.yellow().bold())
    }

    /// Something good: green.
    pub fn good(&self, text: &str) -> String {
        self.apply(text, |t| t.green())
    }

    /// Emphasis: bold.
    pub fn strong(&self, text: &str) -> String {
        self.apply(text, |t| t.bold())
    }

    /// Secondary text: dimmed.
    pub fn faint(&self, text: &str) -> String {
        self.apply(text, |t| t.dimmed())
    }
}
