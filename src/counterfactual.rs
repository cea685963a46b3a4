//! "What would change it": the smallest changes to the answers (one answer where possible)
//! that would change the recommendation or the urgency. Only single answers are tried
//! first (each other option, each option toggled, each number moved to the nearest value
//! in another of the ranges the rules use, yes/no flipped); pairs only when no single
//! change does it, within a fixed budget of evaluations.
//!
//! Nothing shown may teach how to get a booking past a referral: a change that takes the
//! answers out of a safety statement that holds for them (taking back a red flag, a
//! contraindication or a pregnancy sign, a lower age or severity...) is never proposed.
//! A conditional question follows the answer it depends on: not asked once its condition
//! fails; a change that would newly ask it is not proposed (its answer is unknown).

use crate::answer::Answer;
use crate::answers::Answers;
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
    let guarded = Guard::new(rule_set, answers);
    let singles = single_changes(rule_set, answers);
    let differs = |e: &Evaluation| (e.recommendation, e.urgency) != (current.recommendation, current.urgency);
    let mut spent = 0;
    let mut found = Vec::new();
    for change in &singles {
        let Some(changed) = guarded.allow(changed_answers(rule_set, answers, &[change])) else { continue };
        spent += 1;
        let evaluation = evaluate(rule_set, &changed);
        if differs(&evaluation) {
            found.push(Counterfactual { changes: vec![change.clone()], evaluation });
        }
    }
    if found.is_empty() {
        'pairs: for (i, first) in singles.iter().enumerate() {
            for second in &singles[i + 1..] {
                let Some(changed) = guarded.allow(apply_both(rule_set, answers, first, second)) else { continue };
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

/// The safety statements that hold for the answers given: a change must keep each.
struct Guard<'r> {
    holding: Vec<crate::questionnaire::Statement<'r>>,
}

impl<'r> Guard<'r> {
    fn new(rule_set: &'r RuleSet, answers: &Answers) -> Self {
        let holding = rule_set.questionnaire.statements().into_iter().filter(|s| s.when.holds(answers)).collect();
        Guard { holding }
    }

    /// The changed answers, unless they leave a statement that held.
    fn allow(&self, changed: Option<Answers>) -> Option<Answers> {
        changed.filter(|changed| self.holding.iter().all(|s| s.when.holds(changed)))
    }
}

/// The answers with the changes made, conditional questions following them: not asked
/// where their condition now fails; `None` when one would newly be asked, or the result is
/// not a valid answer set.
fn changed_answers(rule_set: &RuleSet, answers: &Answers, changes: &[&AnswerChange]) -> Option<Answers> {
    let questionnaire = &rule_set.questionnaire;
    let mut values = answers.values().to_vec();
    for change in changes {
        values[change.question] = change.to;
    }
    for (index, question) in questionnaire.questions.iter().enumerate() {
        let Some(when) = &question.ask_when else { continue };
        let partial: Vec<Option<Answer>> = values.iter().copied().map(Some).collect();
        match (when.truth(&partial), values[index]) {
            (crate::condition::Truth::No, _) => values[index] = Answer::NotAsked,
            (_, Answer::NotAsked) => return None,
            _ => {}
        }
    }
    Answers::new(questionnaire, answers.id.clone(), values).ok()
}

/// Both changes applied, when they touch different questions or toggle different options
/// of the same one, and the result is still a valid answer set.
fn apply_both(rule_set: &RuleSet, answers: &Answers, first: &AnswerChange, second: &AnswerChange) -> Option<Answers> {
    if first.question != second.question {
        return changed_answers(rule_set, answers, &[first, second]);
    }
    let (Answer::Choices(from), Answer::Choices(a), Answer::Choices(b)) = (first.from, first.to, second.to) else {
        return None;
    };
    let both = AnswerChange {
        question: first.question,
        from: first.from,
        to: Answer::Choices(from ^ (from ^ a) ^ (from ^ b)),
    };
    changed_answers(rule_set, answers, &[&both])
}

/// Every single-answer change worth trying, removals of chosen options first.
fn single_changes(rule_set: &RuleSet, answers: &Answers) -> Vec<AnswerChange> {
    let questionnaire = &rule_set.questionnaire;
    let mut changes = Vec::new();
    for (index, question) in questionnaire.questions.iter().enumerate() {
        let from = answers.get(index);
        let mut push = |to: Answer| {
            let change = AnswerChange { question: index, from, to };
            if to != from && changed_answers(rule_set, answers, &[&change]).is_some() {
                changes.push(change);
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
