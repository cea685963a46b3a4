//! What the answers given so far already decide, read from the rules themselves: which
//! rules are certain to fire or not, whether a physician referral is settled, and which
//! questions can no longer change the outcome (so the intake does not ask them).
//!
//! Each rule's condition is evaluated in three values (Kleene logic): a test on a question
//! not yet answered is unknown; `all` is false as soon as one part is false, `any` true as
//! soon as one part is true. A truth found this way holds for every way the remaining
//! questions could be answered.

use crate::answer::Answer;
use crate::condition::Truth;
use crate::engine::{decide, Evaluation, FiredRules};
use crate::recommendation::Urgency;
use crate::rules::{Effect, Rule, RuleSet};

/// Answers given so far, in questionnaire order; `None` for a question not (or no longer)
/// answered.
pub type PartialAnswers = [Option<Answer>];

/// The most urgent referral certain to happen whatever the remaining answers are.
pub fn certain_referral(rule_set: &RuleSet, answers: &PartialAnswers) -> Option<Urgency> {
    rule_set
        .rules
        .iter()
        .filter(|rule| rule.effect.refer.is_some() && rule.when.truth(answers) == Truth::Yes)
        .filter_map(|rule| rule.effect.refer)
        .max()
}

/// The physician referral that no remaining answer can change, if there is one: some
/// referring rule is certain to fire, and no rule referring more urgently can still fire.
/// The engine lets the most urgent referral win over everything else, so the
/// recommendation and its urgency are then decided.
pub fn settled_referral(rule_set: &RuleSet, answers: &PartialAnswers) -> Option<Urgency> {
    let mut certain: Option<Urgency> = None;
    let mut possible: Option<Urgency> = None;
    for rule in &rule_set.rules {
        let Some(urgency) = rule.effect.refer else { continue };
        match rule.when.truth(answers) {
            Truth::Yes => certain = certain.max(Some(urgency)),
            Truth::Unknown => possible = possible.max(Some(urgency)),
            Truth::No => {}
        }
    }
    let urgency = certain?;
    (possible <= Some(urgency)).then_some(urgency)
}

/// Whether a rule, still undecided, could change the outcome once decided.
fn could_change_outcome(rule: &Rule, certain: Option<Urgency>) -> bool {
    match certain {
        // A referral is certain: the recommendation is a physician whatever else fires,
        // and only a more urgent referral would change it.
        Some(urgency) => rule.effect.refer > Some(urgency),
        // A rule with no effect changes nothing, whether it fires or not.
        None => rule.effect != Effect::default(),
    }
}

/// Whether the answer to question `question` can still change the outcome, given the
/// other answers (its own, if any, is set aside): some rule that reads it is undecided and
/// could change the outcome. Once a referral is certain, only a rule referring more
/// urgently could. A question that no rule reads at all is kept while no referral is
/// certain: the clinic asks it to record it, and an answer file needs it.
pub fn matters(rule_set: &RuleSet, answers: &PartialAnswers, question: usize) -> bool {
    // A conditional question whose condition fails is never asked.
    if let Some(when) = &rule_set.questionnaire.questions[question].ask_when {
        if when.truth(answers) == Truth::No {
            return false;
        }
    }
    let mut others = answers.to_vec();
    if let Some(slot) = others.get_mut(question) {
        *slot = None;
    }
    let certain = certain_referral(rule_set, &others);
    let mut read_at_all = false;
    let mut read = Vec::new();
    for rule in &rule_set.rules {
        read.clear();
        rule.when.questions(&mut read);
        if !read.contains(&question) {
            continue;
        }
        read_at_all = true;
        if rule.when.truth(&others) == Truth::Unknown && could_change_outcome(rule, certain) {
            return true;
        }
    }
    !read_at_all && certain.is_none()
}

/// Drops the answers that can no longer change the outcome (after an earlier answer was
/// changed), in questionnaire order; returns the questions whose answers were dropped.
pub fn drop_skipped(rule_set: &RuleSet, answers: &mut [Option<Answer>]) -> Vec<usize> {
    let mut dropped = Vec::new();
    for question in 0..answers.len() {
        if answers[question].is_some() && !matters(rule_set, answers, question) {
            answers[question] = None;
            dropped.push(question);
        }
    }
    dropped
}

/// Whether a question can be put now: a conditional one only once its condition is known
/// to hold (the questions it depends on come before it).
pub fn askable(rule_set: &RuleSet, answers: &PartialAnswers, question: usize) -> bool {
    let ask_when = rule_set.questionnaire.questions[question].ask_when.as_ref();
    ask_when.is_none_or(|when| when.truth(answers) == Truth::Yes)
}

/// Brings the conditional questions in line with the answers they depend on: not asked
/// where the condition fails, to be asked (no answer) where a "not asked" no longer fits.
pub fn sync_conditionals(rule_set: &RuleSet, answers: &mut [Option<Answer>]) {
    for (index, question) in rule_set.questionnaire.questions.iter().enumerate() {
        let Some(when) = &question.ask_when else { continue };
        match when.truth(answers) {
            Truth::No => answers[index] = Some(Answer::NotAsked),
            _ if answers[index] == Some(Answer::NotAsked) => answers[index] = None,
            _ => {}
        }
    }
}

/// The rules certain to fire on these answers.
pub fn certain_rules(rule_set: &RuleSet, answers: &PartialAnswers) -> FiredRules {
    rule_set
        .rules
        .iter()
        .enumerate()
        .filter(|(_, rule)| rule.when.truth(answers) == Truth::Yes)
        .map(|(i, _)| i)
        .collect()
}

/// The outcome of partial answers that settle it: the engine's decision over the rules
/// certain to fire (every other rule is either certain not to fire or cannot change it).
pub fn settled_evaluation(rule_set: &RuleSet, answers: &PartialAnswers) -> Evaluation {
    decide(rule_set, certain_rules(rule_set, answers))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::answers::Answers;
    use crate::engine::evaluate;
    use crate::questionnaire::{Question, QuestionKind};
    use crate::recommendation::Recommendation;
    use proptest::prelude::*;

    fn rule_set() -> RuleSet {
        RuleSet::built_in().unwrap()
    }

    fn index(rule_set: &RuleSet, id: &str) -> usize {
        rule_set.questionnaire.index_of(id).unwrap()
    }

    fn choices(rule_set: &RuleSet, question: &str, ids: &[&str]) -> Answer {
        let question = &rule_set.questionnaire.questions[index(rule_set, question)];
        Answer::Choices(ids.iter().map(|id| 1u64 << question.option_index(id).unwrap()).sum())
    }

    fn empty(rule_set: &RuleSet) -> Vec<Option<Answer>> {
        vec![None; rule_set.questionnaire.questions.len()]
    }

    /// A valid answer to a question, from any number.
    fn answer_from(question: &Question, seed: u64) -> Answer {
        match question.kind {
            QuestionKind::OneOf => Answer::Choice((seed % question.options.len() as u64) as u8),
            QuestionKind::SeveralOf { min_selected } => {
                // Sparse sets: red flags are rare, and dense ones would hide the other rules.
                let mut bits = seed & (seed >> 7) & (seed >> 13) & question.all_options_mask();
                let mut next = 0;
                while (bits.count_ones() as usize) < min_selected {
                    bits |= 1 << next;
                    next += 1;
                }
                Answer::Choices(bits)
            }
            QuestionKind::Number { min, max } => Answer::Number(min + (seed % (max - min + 1) as u64) as i64),
            QuestionKind::YesNo => Answer::YesNo(seed % 2 == 0),
        }
    }

    fn complete(rule_set: &RuleSet, seeds: &[u64]) -> Answers {
        let values =
            rule_set.questionnaire.questions.iter().zip(seeds).map(|(q, seed)| answer_from(q, *seed)).collect();
        consistent(rule_set, values)
    }

    /// Answers made consistent with the conditional questions: not asked where the
    /// condition fails, answered (none of these, if need be) where it holds.
    fn consistent(rule_set: &RuleSet, mut values: Vec<Answer>) -> Answers {
        for (index, question) in rule_set.questionnaire.questions.iter().enumerate() {
            let Some(when) = &question.ask_when else { continue };
            let known: Vec<Option<Answer>> = values.iter().copied().map(Some).collect();
            values[index] = match (when.truth(&known), values[index]) {
                (Truth::No, _) => Answer::NotAsked,
                (_, Answer::NotAsked) => Answer::Choices(0),
                (_, value) => value,
            };
        }
        Answers::new(&rule_set.questionnaire, None, values).unwrap()
    }

    /// Answers completed from `mixed` and made consistent, with the partial answers they
    /// extend: a conditional answer the completion contradicts is left unknown in both.
    fn completed(
        rule_set: &RuleSet,
        mixed: Vec<Answer>,
        mut partial: Vec<Option<Answer>>,
    ) -> (Answers, Vec<Option<Answer>>) {
        let answers = consistent(rule_set, mixed);
        for (given, value) in partial.iter_mut().zip(answers.values()) {
            if given.is_some_and(|g| g != *value) {
                *given = None;
            }
        }
        (answers, partial)
    }

    fn seeds() -> impl Strategy<Value = (Vec<u64>, Vec<u64>, Vec<bool>)> {
        let n = rule_set().questionnaire.questions.len();
        (
            prop::collection::vec(any::<u64>(), n),
            prop::collection::vec(any::<u64>(), n),
            prop::collection::vec(any::<bool>(), n),
        )
    }

    #[test]
    fn an_emergency_red_flag_settles_at_once() {
        let rule_set = rule_set();
        let mut answers = empty(&rule_set);
        answers[index(&rule_set, "red_flags")] = Some(choices(&rule_set, "red_flags", &["bladder_bowel"]));
        assert_eq!(settled_referral(&rule_set, &answers), Some(Urgency::Emergency));
        for question in 1..answers.len() {
            assert!(!matters(&rule_set, &answers, question), "question {question} would still be asked");
        }
    }

    #[test]
    fn an_urgent_red_flag_waits_only_for_what_could_make_it_an_emergency() {
        let rule_set = rule_set();
        let mut answers = empty(&rule_set);
        answers[0] = Some(choices(&rule_set, "red_flags", &["fever"]));
        // A suspected clot, labour signs, or new severe worsening pain at 60+ would be an
        // emergency: those questions are still asked, the others are not.
        assert_eq!(settled_referral(&rule_set, &answers), None);
        for (question, asked) in [("duration", true), ("location", false), ("onset", false), ("pressure", false)] {
            assert_eq!(matters(&rule_set, &answers, index(&rule_set, question)), asked, "{question}");
        }
        answers[index(&rule_set, "contraindications")] = Some(choices(&rule_set, "contraindications", &[]));
        answers[index(&rule_set, "duration")] = Some(Answer::Choice(2));
        sync_conditionals(&rule_set, &mut answers);
        assert_eq!(settled_referral(&rule_set, &answers), Some(Urgency::Urgent));
    }

    #[test]
    fn a_routine_referral_waits_until_nothing_more_urgent_can_fire() {
        let rule_set = rule_set();
        let mut answers = empty(&rule_set);
        answers[0] = Some(choices(&rule_set, "red_flags", &[]));
        answers[index(&rule_set, "severity")] = Some(Answer::Number(9));
        // A clot (contraindications), new severe pain at 60+ (duration, age; with worsening,
        // an emergency), shingles or a frail fall (onset) could still make it more urgent.
        assert_eq!(settled_referral(&rule_set, &answers), None);
        // But a referral is certain: only what could make it more urgent is still asked.
        for (question, asked) in [
            ("worsening", true),
            ("location", false),
            ("onset", true),
            ("contraindications", true),
            ("age", true),
            ("pressure", false),
        ] {
            assert_eq!(matters(&rule_set, &answers, index(&rule_set, question)), asked, "{question}");
        }
        answers[index(&rule_set, "duration")] = Some(Answer::Choice(2));
        answers[index(&rule_set, "onset")] = Some(Answer::Choice(0));
        answers[index(&rule_set, "contraindications")] = Some(choices(&rule_set, "contraindications", &[]));
        sync_conditionals(&rule_set, &mut answers);
        assert_eq!(settled_referral(&rule_set, &answers), Some(Urgency::Routine));
        assert!(!matters(&rule_set, &answers, index(&rule_set, "age")));
        assert!(!matters(&rule_set, &answers, index(&rule_set, "pressure")));
    }

    #[test]
    fn no_red_flags_settle_nothing_and_every_question_is_asked() {
        let rule_set = rule_set();
        let mut answers = empty(&rule_set);
        answers[0] = Some(choices(&rule_set, "red_flags", &[]));
        assert_eq!(settled_referral(&rule_set, &answers), None);
        let pregnancy = index(&rule_set, "pregnancy_signs");
        for question in (0..answers.len()).filter(|q| *q != pregnancy) {
            assert!(matters(&rule_set, &answers, question), "question {question} would be skipped");
        }
        // The pregnancy question waits for the contraindications, and comes with a pregnancy.
        assert!(!askable(&rule_set, &answers, pregnancy));
        answers[index(&rule_set, "contraindications")] = Some(choices(&rule_set, "contraindications", &["pregnancy"]));
        assert!(askable(&rule_set, &answers, pregnancy) && matters(&rule_set, &answers, pregnancy));
        answers[index(&rule_set, "contraindications")] = Some(choices(&rule_set, "contraindications", &[]));
        assert!(!askable(&rule_set, &answers, pregnancy) && !matters(&rule_set, &answers, pregnancy));
    }

    #[test]
    fn changing_an_early_answer_to_an_emergency_drops_the_later_answers() {
        let rule_set = rule_set();
        let count = rule_set.questionnaire.questions.len();
        let mut answers: Vec<Option<Answer>> =
            complete(&rule_set, &vec![0; count]).values().iter().copied().map(Some).collect();
        answers[0] = Some(choices(&rule_set, "red_flags", &["major_trauma"]));
        let dropped = drop_skipped(&rule_set, &mut answers);
        assert_eq!(dropped, (1..count).collect::<Vec<_>>());
        assert!(answers[0].is_some());
    }

    #[test]
    fn the_settled_evaluation_names_only_the_rules_certain_to_fire() {
        let rule_set = rule_set();
        let mut answers = empty(&rule_set);
        answers[0] = Some(choices(&rule_set, "red_flags", &["saddle_numbness", "fever"]));
        let evaluation = settled_evaluation(&rule_set, &answers);
        assert_eq!(evaluation.recommendation, Recommendation::Physician);
        assert_eq!(evaluation.urgency, Some(Urgency::Emergency));
        let reasons: Vec<&str> = evaluation.reasons(&rule_set).map(|r| r.id.as_str()).collect();
        assert_eq!(reasons, ["cauda_equina", "spinal_infection"]);
    }

    proptest! {
        /// With every question answered, three-valued truth is the engine's truth.
        #[test]
        fn truth_on_complete_answers_is_the_engines((values, _, _) in seeds()) {
            let rule_set = rule_set();
            let answers = complete(&rule_set, &values);
            let partial: Vec<Option<Answer>> = answers.values().iter().copied().map(Some).collect();
            for rule in &rule_set.rules {
                let expected = if rule.when.holds(&answers) { Truth::Yes } else { Truth::No };
                prop_assert_eq!(rule.when.truth(&partial), expected, "rule {}", rule.id);
            }
        }

        /// A truth found on partial answers holds for any way of answering the rest.
        #[test]
        fn a_known_truth_holds_for_every_completion((given, rest, asked) in seeds()) {
            let rule_set = rule_set();
            let full = complete(&rule_set, &given);
            let partial: Vec<Option<Answer>> =
                full.values().iter().zip(&asked).map(|(a, asked)| asked.then_some(*a)).collect();
            let completion = complete(&rule_set, &rest);
            let mixed: Vec<Answer> =
                partial.iter().zip(completion.values()).map(|(p, c)| p.unwrap_or(*c)).collect();
            let (mixed, partial) = completed(&rule_set, mixed, partial);
            for rule in &rule_set.rules {
                match rule.when.truth(&partial) {
                    Truth::Yes => prop_assert!(rule.when.holds(&mixed), "rule {}", rule.id),
                    Truth::No => prop_assert!(!rule.when.holds(&mixed), "rule {}", rule.id),
                    Truth::Unknown => {}
                }
            }
        }

        /// A settled referral is the engine's answer for every completion, and the
        /// settled evaluation gives the same recommendation and urgency.
        #[test]
        fn a_settled_referral_holds_for_every_completion((given, rest, asked) in seeds()) {
            let rule_set = rule_set();
            let full = complete(&rule_set, &given);
            let partial: Vec<Option<Answer>> =
                full.values().iter().zip(&asked).map(|(a, asked)| asked.then_some(*a)).collect();
            if let Some(urgency) = settled_referral(&rule_set, &partial) {
                let completion = complete(&rule_set, &rest);
                let mixed: Vec<Answer> =
                    partial.iter().zip(completion.values()).map(|(p, c)| p.unwrap_or(*c)).collect();
                let (mixed, partial) = completed(&rule_set, mixed, partial.clone());
                if settled_referral(&rule_set, &partial) != Some(urgency) {
                    return Ok(()); // the completion changed a given answer (a conditional one)
                }
                let evaluation = evaluate(&rule_set, &mixed);
                prop_assert_eq!(evaluation.recommendation, Recommendation::Physician);
                prop_assert_eq!(evaluation.urgency, Some(urgency));
                let settled = settled_evaluation(&rule_set, &partial);
                prop_assert_eq!(settled.urgency, Some(urgency));
            }
        }

        /// A question that does not matter cannot change the decision, whatever it is
        /// answered, and the rest of the answers.
        #[test]
        fn a_skipped_question_cannot_change_the_decision((given, rest, asked) in seeds()) {
            let rule_set = rule_set();
            let full = complete(&rule_set, &given);
            let other = complete(&rule_set, &rest);
            let partial: Vec<Option<Answer>> =
                full.values().iter().zip(&asked).map(|(a, asked)| asked.then_some(*a)).collect();
            for question in 0..partial.len() {
                if matters(&rule_set, &partial, question) {
                    continue;
                }
                // Fill the unknowns one way, then change only this question.
                let filled: Vec<Answer> =
                    partial.iter().zip(full.values()).map(|(p, f)| p.unwrap_or(*f)).collect();
                let one = Answers::new(&rule_set.questionnaire, None, filled.clone()).unwrap();
                let mut changed = filled.clone();
                changed[question] = other.get(question);
                // Only to another answer a person can give (a conditional one stays consistent).
                let Ok(two) = Answers::new(&rule_set.questionnaire, None, changed) else { continue };
                let (a, b) = (evaluate(&rule_set, &one), evaluate(&rule_set, &two));
                let decision = |e: &Evaluation| (e.recommendation, e.urgency, e.pressure, e.session_minutes);
                prop_assert_eq!(decision(&a), decision(&b), "question {}", question);
            }
        }
    }
}
