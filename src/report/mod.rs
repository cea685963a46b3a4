//! Rendering an evaluation for people (human) and for scripts (JSON). The engine's result
//! is turned into words here and nowhere else: [`Outcome`] chooses what a result shows,
//! once; the human words and the JSON object both read it.

mod diff;
mod human;
mod outcome;
mod problems;
mod rules;

pub use diff::{decision_json, decision_words, diff_json, render_diff_human};
pub use human::{
    failure_in_words, identity_in_words, overrides_in_words, referral_banner, render_human, render_trace, Audience,
};
pub use outcome::{Outcome, Reason, TraceStep, Warning};
pub use problems::render_diagnostics;
pub use rules::{
    check_json, render_case_failure, render_check_human, what_would_change_json, JsonAnswerChange, JsonCounterfactual,
};

use crate::choice::Choice;
use anstyle::{AnsiColor, Style};

/// The output format of one recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Words for people.
    #[default]
    Human,
    /// The contract's JSON object.
    Json,
}

impl Choice for Format {
    const ALL: &'static [Self] = &[Format::Human, Format::Json];

    fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
        }
    }

    fn help(self) -> &'static str {
        match self {
            Format::Human => "Words for people",
            Format::Json => "The contract's JSON object",
        }
    }
}

/// Whether to colour a stream; decided once per stream by the caller (the library never
/// looks at the environment or the terminal itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    /// Colour on.
    pub enabled: bool,
}

impl Paint {
    /// Colour on or off.
    pub fn new(enabled: bool) -> Self {
        Paint { enabled }
    }

    fn apply(&self, text: &str, style: Style) -> String {
        if self.enabled {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    /// An emergency: red, bold.
    pub fn alarm(&self, text: &str) -> String {
        self.apply(text, Style::new().bold().fg_color(Some(AnsiColor::Red.into())))
    }

    /// A warning: yellow, bold.
    pub fn warn(&self, text: &str) -> String {
        self.apply(text, Style::new().bold().fg_color(Some(AnsiColor::Yellow.into())))
    }

    /// Something good: green.
    pub fn good(&self, text: &str) -> String {
        self.apply(text, Style::new().fg_color(Some(AnsiColor::Green.into())))
    }

    /// Emphasis: bold.
    pub fn strong(&self, text: &str) -> String {
        self.apply(text, Style::new().bold())
    }

    /// Secondary text: dimmed.
    pub fn faint(&self, text: &str) -> String {
        self.apply(text, Style::new().dimmed())
    }
}
