//! "What would change it": the smallest changes to the answers (one answer where possible)
//! that would change the recommendation or the urgency. Only single answers are tried
//! first (each other option, each option toggled, each number moved to the nearest value
//! in another of the ranges the rules use, yes/no flipped); pairs only when no single
//! change does it, within a fixed budget of evaluations.

use crate::answers::{Answer, Answers};
use crate::check::space::number_intervals;
use crate::engine::{evaluate, Evaluation};
use crate::questionnaire::QuestionKind;
use crate::recommendation::Recommendation;
use crate::rules::RuleSet;

/// The most evaluations spent looking for a change (the engine does one in well under a
/// microsecond, so this stays far below a millisecond).
pub const BUDGET: usize = 400;

/// How many changes are reported.
pub const SHOWN: usize = 4;

/// One answer changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerChange {
    /// The question's index.
    pub question: usize,
    /// The answer given.
    pub from: Answer,
    /// The answer that would change the outcome.
    pub to: Answer,
}

/// A change to the answers and what it would give.
#[derive(Debug, Clone)]
pub struct Counterfactual {
    /// The answers changed (one, or two when no single change does it).
    pub changes: Vec<AnswerChange>,
    /// What the engine would give.
    pub evaluation: Evaluation,
}

/// The smallest changes that change the recommendation or the urgency, best first.
pub fn what_would_change(rule_set: &RuleSet, answers: &Answers, current: &Evaluation) -> Vec<Counterfactual> {
    let singles = single_changes(rule_set, answers);
    let differs = |e: &Evaluation| (e.recommendation, e.urgency) != (current.recommendation, current.urgency);
    let mut spent = 0;
    let mut found = Vec::new();
    for change in &singles {
        spent += 1;
        let evaluation = evaluate(rule_set, &answers.with(change.question, change.to));
        if differs(&evaluation) {
            found.push(Counterfactual { changes: vec![change.clone()], evaluation });
        }
    }
    if found.is_empty() {
        'pairs: for (i, first) in singles.iter().enumerate() {
            for second in &singles[i + 1..] {
                let Some(changed) = apply_both(rule_set, answers, first, second) else { continue };
                if spent >= BUDGET {
                    break 'pairs;
                }
                spent += 1;
                let evaluation = evaluate(rule_set, &changed);
                if differs(&evaluation) {
                    found.push(Counterfactual { changes: vec![first.clone(), second.clone()], evaluation });
                }
            }
        }
    }
    // Ordinary answers before red flags and contraindications (adding one of those is an
    // obvious way to a referral, and not one to suggest), then in questionnaire order.
    // For a massage, another style is more telling than a referral.
    let massage = current.recommendation != Recommendation::Physician;
    found.sort_by_key(|c| {
        let escalating = c.changes.iter().any(|ch| rule_set.questionnaire.questions[ch.question].escalating);
        (escalating, massage && c.evaluation.recommendation == Recommendation::Physician)
    });
    let mut shown: Vec<Counterfactual> = Vec::new();
    for candidate in found {
        if shown.len() == SHOWN {
            break;
        }
        let same_outcome = shown.iter().any(|s| {
            s.changes.len() == 1
                && candidate.changes.len() == 1
                && s.changes[0].question == candidate.changes[0].question
                && (s.evaluation.recommendation, s.evaluation.urgency)
                    == (candidate.evaluation.recommendation, candidate.evaluation.urgency)
        });
        if !same_outcome {
            shown.push(candidate);
        }
    }
    shown
}

/// Both changes applied, when they touch different questions or toggle different options
/// of the same one, and the result is still a valid answer set.
fn apply_both(rule_set: &RuleSet, answers: &Answers, first: &AnswerChange, second: &AnswerChange) -> Option<Answers> {
    let questionnaire = &rule_set.questionnaire;
    if first.question != second.question {
        return Some(answers.with(first.question, first.to).with(second.question, second.to));
    }
    let (Answer::Choices(from), Answer::Choices(a), Answer::Choices(b)) = (first.from, first.to, second.to) else {
        return None;
    };
    let both = from ^ (from ^ a) ^ (from ^ b);
    let mut values = answers.values().to_vec();
    values[first.question] = Answer::Choices(both);
    Answers::new(questionnaire, answers.id.clone(), values).ok()
}

/// Every single-answer change worth trying, removals of chosen options first.
fn single_changes(rule_set: &RuleSet, answers: &Answers) -> Vec<AnswerChange> {
    let questionnaire = &rule_set.questionnaire;
    let mut changes = Vec::new();
    for (index, question) in questionnaire.questions.iter().enumerate() {
        let from = answers.get(index);
        let mut push = |to: Answer| {
            let mut values = answers.values().to_vec();
            values[index] = to;
            if to != from && Answers::new(questionnaire, None, values).is_ok() {
                changes.push(AnswerChange { question: index, from, to });
            }
        };
        match (question.kind, from) {
            (QuestionKind::OneOf, _) => (0..question.options.len()).for_each(|o| push(Answer::Choice(o as u8))),
            (QuestionKind::SeveralOf { .. }, Answer::Choices(bits)) => {
                let chosen = (0..question.options.len()).filter(|o| bits & (1 << o) != 0);
                let unchosen = (0..question.options.len()).filter(|o| bits & (1 << o) == 0);
                chosen.chain(unchosen).for_each(|o| push(Answer::Choices(bits ^ (1 << o))));
            }
            (QuestionKind::Number { .. }, Answer::Number(n)) => {
                let mut nearest: Vec<i64> = number_intervals(rule_set, index)
                    .into_iter()
                    .filter(|(lo, hi)| !(*lo <= n && n <= *hi))
                    .map(|(lo, hi)| if lo > n { lo } else { hi })
                    .collect();
                // `abs_diff`: a questionnaire may allow the whole i64 range, where `v - n` overflows.
                nearest.sort_by_key(|v| v.abs_diff(n));
                nearest.into_iter().for_each(|v| push(Answer::Number(v)));
            }
            (QuestionKind::YesNo, Answer::YesNo(b)) => push(Answer::YesNo(!b)),
            _ => {}
        }
    }
    changes
}
