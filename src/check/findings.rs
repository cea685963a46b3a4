//! What `rules check` finds: each finding has a stable code, a place, the rules involved
//! and, where an answer set shows it, a counterexample that `assess` accepts.

use crate::answers::Answers;
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::engine::Evaluation;
use crate::recommendation::Recommendation;
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// A safety property fails: the rule set must not be used (exit 3; assess refuses it).
    Safety,
    /// Some answers are decided by no rule (exit 3).
    Gap,
    /// Worth a look, but nothing unsafe (exit 0).
    Warning,
}

impl Category {
    /// `error` or `warning`.
    pub fn severity(self) -> &'static str {
        match self {
            Category::Safety | Category::Gap => "error",
            Category::Warning => "warning",
        }
    }

    /// The category's id in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Category::Safety => "safety",
            Category::Gap => "gap",
            Category::Warning => "warning",
        }
    }
}

/// A place in a rule-set file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file as named to the user.
    pub file: String,
    /// 1-based line; 0 for the whole file.
    pub line: usize,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => write!(f, "{}", self.file),
            line => write!(f, "{}:{line}", self.file),
        }
    }
}

/// Answers that show a finding, with what the engine gives for them.
#[derive(Debug, Clone)]
pub struct Counterexample {
    /// A complete answer set.
    pub answers: Answers,
    /// What the engine gives for it.
    pub outcome: Evaluation,
    /// For an escalation: the answers before the option was added, and their outcome.
    pub before: Option<(Answers, Evaluation)>,
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Stable code (see [`code`]).
    pub code: crate::code::Code,
    /// How serious it is.
    pub category: Category,
    /// Where the problem is (the option's or the rule's line).
    pub at: Place,
    /// What it is about: `question.option`, a rule id or a question id (empty for gaps).
    pub subject: String,
    /// For gaps: how many complete answer sets are affected.
    pub affected: Option<u128>,
    /// What is wrong, in a sentence.
    pub message: String,
    /// The rules involved (indices into the rule set), in rule order.
    pub rules: Vec<usize>,
    /// Answers that show it, when there are any.
    pub example: Option<Counterexample>,
}

/// The result of `rules check`.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// Every finding: safety first, then gaps, then warnings.
    pub findings: Vec<Finding>,
    /// Answer classes the proof covers (every one of them).
    pub answer_classes: u128,
    /// Complete answer sets those classes stand for.
    pub answer_sets: u128,
    /// Combinations of the parts' outcomes visited by the search.
    pub combinations: u64,
}

impl CheckReport {
    /// True when a safety finding was made.
    pub fn unsafe_(&self) -> bool {
        self.findings.iter().any(|f| f.category == Category::Safety)
    }

    /// True when `rules check` must exit 3 (a safety finding or a gap).
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.category != Category::Warning)
    }

    /// How many findings of a category.
    pub fn count(&self, category: Category) -> usize {
        self.findings.iter().filter(|f| f.category == category).count()
    }

    /// The safety findings as diagnostics (for commands that refuse an unsafe rule set);
    /// `command` is the `rules check` command line that shows the counterexamples.
    pub fn safety_diagnostics(&self, command: &str) -> Diagnostics {
        Diagnostics(
            self.findings
                .iter()
                .filter(|f| f.category == Category::Safety)
                .map(|f| Diagnostic {
                    line: f.at.line,
                    ..Diagnostic::whole_file(
                        &f.at.file,
                        Code::UnsafeRuleSet,
                        format!(
                            "{} [{}]; this rule set is refused: run `{command}` for a counterexample",
                            f.message, f.code
                        ),
                    )
                })
                .collect(),
        )
    }
}

/// An outcome in a few words: `swedish (pressure medium, 60 minutes)`, `physician (urgent)`.
pub fn outcome_words(evaluation: &Evaluation) -> String {
    match evaluation.recommendation {
        Recommendation::Physician => {
            let urgency = evaluation.urgency.map_or("routine", |u| u.id());
            if evaluation.undecided {
                format!("physician ({urgency}, because no rule settles a style)")
            } else {
                format!("physician ({urgency})")
            }
        }
        Recommendation::Massage(style) => {
            let mut words = style.id().to_owned();
            if let Some(pressure) = evaluation.pressure {
                words.push_str(&format!(" (pressure {pressure}"));
                if let Some(minutes) = evaluation.session_minutes {
                    words.push_str(&format!(", {minutes} minutes"));
                }
                let alternatives: Vec<&str> = evaluation.alternatives.iter().map(|s| s.id()).collect();
                if !alternatives.is_empty() {
                    words.push_str(&format!(", alternatives {}", alternatives.join(", ")));
                }
                words.push(')');
            }
            words
        }
    }
}
