//! `rules replay`: saved answer sets run under another rule set, to see before a change
//! which callers it would answer differently. Each answer set is read under both rule sets;
//! one the new questionnaire would have asked more of is not replayed with guesses.

use crate::answers::AnswerFormat;
use crate::code::Code;
use crate::diagnostic::{Diagnostics, SourceText};
use crate::engine::Evaluation;
use crate::intake::record::read_answers;
use crate::rules::RuleSet;

/// What changes in an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// A style, or a physician first.
    Recommendation,
    /// How soon a physician.
    Urgency,
    /// The most pressure.
    Pressure,
    /// The first session's length.
    SessionLength,
}

impl Change {
    /// Every kind, in the order a summary lists them.
    pub const ALL: [Change; 4] = [Change::Recommendation, Change::Urgency, Change::Pressure, Change::SessionLength];

    /// The kind in words.
    pub fn name(self) -> &'static str {
        match self {
            Change::Recommendation => "recommendation",
            Change::Urgency => "urgency",
            Change::Pressure => "pressure",
            Change::SessionLength => "session length",
        }
    }
}

/// One answer set replayed.
#[derive(Debug, Clone)]
pub enum Replayed {
    /// The same outcome under both.
    Same(Evaluation),
    /// Another outcome under the new rule set.
    Changed {
        /// Under the old rule set.
        old: Evaluation,
        /// Under the new one.
        new: Evaluation,
        /// What differs.
        changes: Vec<Change>,
    },
    /// Given under a questionnaire version that the new one asks more of: new answers are
    /// needed (nothing is read as "no").
    NeedsNewAnswers(Diagnostics),
    /// Not a valid answer set (under the old rule set, or the new one for another reason).
    Refused(Diagnostics),
}

/// Replays one answer file's text under `old` and `new`.
pub fn replay(old: &RuleSet, new: &RuleSet, source: SourceText<'_>, format: AnswerFormat) -> Replayed {
    // An intake's record replays too: its answers, or the outcome its partial answers settle.
    let read = |rule_set: &RuleSet| read_answers(rule_set, source, format);
    let (before, after) = match (read(old), read(new)) {
        (Ok(before), Ok(after)) => (before, after),
        (Err(problems), _) | (_, Err(problems)) => {
            return match problems.0.iter().any(|d| d.code == Code::OlderVersion) {
                true => Replayed::NeedsNewAnswers(problems),
                false => Replayed::Refused(problems),
            }
        }
    };
    let (old, new) = (before.evaluation(old), after.evaluation(new));
    match changes(&old, &new) {
        changes if changes.is_empty() => Replayed::Same(new),
        changes => Replayed::Changed { old, new, changes },
    }
}

/// What differs between two outcomes.
pub fn changes(old: &Evaluation, new: &Evaluation) -> Vec<Change> {
    let differs = [
        old.recommendation != new.recommendation,
        old.urgency != new.urgency,
        old.pressure != new.pressure,
        old.session_minutes != new.session_minutes,
    ];
    Change::ALL.into_iter().zip(differs).filter(|(_, d)| *d).map(|(c, _)| c).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DESK_WORKER: &str = include_str!("../tests/fixtures/answers/desk-worker.toml");

    #[test]
    fn a_set_with_itself_changes_nothing_and_a_lowered_urgency_is_seen() {
        let built_in = RuleSet::built_in().unwrap();
        let source = SourceText::new("a.toml", DESK_WORKER);
        assert!(matches!(replay(&built_in, &built_in, source, AnswerFormat::Toml), Replayed::Same(_)));
        // Severe pain referred urgent instead of routine.
        let mut rules = built_in.rules.clone();
        let severe = built_in.rule_index("severe_pain").unwrap();
        rules[severe].effect.refer = Some(crate::recommendation::Urgency::Urgent);
        let new = built_in.with_rules(rules);
        let text = DESK_WORKER.replace("severity = 5", "severity = 9");
        match replay(&built_in, &new, SourceText::new("a.toml", &text), AnswerFormat::Toml) {
            Replayed::Changed { changes, .. } => assert_eq!(changes, [Change::Urgency]),
            other => panic!("{other:?}"),
        }
    }
}
