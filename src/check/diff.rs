//! `rules diff`: the exact difference between two rule sets over the whole answer space of
//! their one questionnaire, with the class sweep of `rules check`.
//!
//! The two sets are merged into one: the old set's rules, then the new set's rules that are
//! not the same in the old one. A rule both sets have with the same id, condition and
//! decision (its words aside) fires on the same answers on both sides, so it is kept once.
//! The sweep is then two-sided: this side leaves out the new set's own rules (it is the old
//! set), the other side the old set's own rules (it is the new set), and every partial
//! outcome keeps both sides' folded effects apart. Each combination of the components'
//! outcomes is decided on each side by the engine with that side's own policy; the answers
//! whose decisions differ are gathered into regions by what changes into what, each counted
//! and shown by an answer set that the engine itself confirms.

use super::prove::{Example, Flow, Parts, Spec, Variant};
use super::Uncoverable;
use crate::answers::Answers;
use crate::engine::{decide, evaluate, Evaluation, FiredRules};
use crate::questionnaire::{Question, Questionnaire};
use crate::recommendation::{Pressure, Recommendation, Urgency};
use crate::replay::{changes, Change};
use crate::rules::{Effect, Rule, RuleSet, MAX_RULES};
use std::collections::HashMap;

/// The difference between two rule sets.
#[derive(Debug, Clone)]
pub struct RulesDiff {
    /// The regions whose outcome changes: a referral made less urgent first, then the
    /// largest first.
    pub regions: Vec<Region>,
    /// Answer classes and answer sets of the whole space.
    pub answer_classes: u128,
    /// See [`RulesDiff::answer_classes`].
    pub answer_sets: u128,
    /// Combinations of the components' outcomes searched.
    pub combinations: u64,
    /// The rules of each set that the other has the same (id, condition and decision).
    pub shared: usize,
}

impl RulesDiff {
    /// Answer classes whose outcome changes.
    pub fn changed_classes(&self) -> u128 {
        self.regions.iter().map(|r| r.answer_classes).fold(0, u128::saturating_add)
    }

    /// Answer sets whose outcome changes.
    pub fn changed_sets(&self) -> u128 {
        self.regions.iter().map(|r| r.answer_sets).fold(0, u128::saturating_add)
    }
}

/// Every answer whose outcome goes from one decision to the same other one.
#[derive(Debug, Clone)]
pub struct Region {
    /// What the old rule set gives for the example.
    pub old: Evaluation,
    /// What the new one gives.
    pub new: Evaluation,
    /// What differs (the same for every answer in the region).
    pub changes: Vec<Change>,
    /// Answer classes and answer sets in the region.
    pub answer_classes: u128,
    /// See [`Region::answer_classes`].
    pub answer_sets: u128,
    /// The rules, of either set, that are not the same in the other and fire in the
    /// region: what makes the difference.
    pub rules: Vec<RuleDifference>,
    /// A complete answer set in the region.
    pub example: Answers,
}

/// A rule one set has and the other has not, or has otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDifference {
    /// Its id.
    pub id: String,
    /// How it differs.
    pub kind: RuleChange,
    /// Its line in the old set's rules file, if it is there.
    pub old_line: Option<usize>,
    /// Its line in the new set's rules file, if it is there.
    pub new_line: Option<usize>,
}

/// How a rule differs between the sets (its name in words and JSON: `changed`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleChange {
    /// Both have it, with another condition or decision.
    Changed,
    /// Only the old set has it.
    Removed,
    /// Only the new set has it.
    Added,
}

impl RuleChange {
    /// The change in a word, as JSON writes it.
    pub fn name(self) -> &'static str {
        match self {
            RuleChange::Changed => "changed",
            RuleChange::Removed => "removed",
            RuleChange::Added => "added",
        }
    }
}

/// Why two rule sets cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// They ask different questions, so they have no one answer space.
    #[error("the two rule sets ask different questions, so they cannot be compared answer by answer: {0}")]
    OtherQuestions(String),
    /// Together they have more rules than one sweep follows.
    #[error("the two rule sets have {count} different rules between them (the old set's and the new set's own), more than the {max} one comparison follows")]
    TooManyRules {
        /// The merged rules.
        count: usize,
        /// [`MAX_RULES`].
        max: usize,
    },
    /// The space could not be covered (as in `rules check`).
    #[error("the comparison cannot cover the whole answer space: {0}")]
    Uncoverable(#[from] Uncoverable),
    /// The engine gave another outcome than the sweep for an example (a bug, reported
    /// rather than hidden).
    #[error("internal error: the engine does not confirm a difference the comparison found")]
    Unconfirmed,
}

/// What a person is told, as far as a diff compares it.
type Decision = (Recommendation, Option<Urgency>, Option<Pressure>, Option<u16>);

fn decision(evaluation: &Evaluation) -> Decision {
    (evaluation.recommendation, evaluation.urgency, evaluation.pressure, evaluation.session_minutes)
}

/// The one answer space of two questionnaires, or the first question where they part.
fn same_questions(old: &Questionnaire, new: &Questionnaire) -> Result<(), DiffError> {
    let differ = |what: String| Err(DiffError::OtherQuestions(what));
    for (index, (a, b)) in old.questions.iter().zip(&new.questions).enumerate() {
        if a.id != b.id {
            return differ(format!(
                "question {} is \"{}\" in the old set and \"{}\" in the new one",
                index + 1,
                a.id,
                b.id
            ));
        }
        if let Some(part) = first_difference(a, b) {
            return differ(format!("question \"{}\" differs in its {part}", a.id));
        }
    }
    match old.questions.len().cmp(&new.questions.len()) {
        std::cmp::Ordering::Equal => Ok(()),
        _ => differ(format!(
            "the old set asks {} questions and the new one {}",
            old.questions.len(),
            new.questions.len()
        )),
    }
}

/// What of a question's answer space differs (wording and help may).
fn first_difference(a: &Question, b: &Question) -> Option<&'static str> {
    let option_ids = |q: &Question| q.options.iter().map(|o| o.id.clone()).collect::<Vec<_>>();
    if a.kind != b.kind {
        Some("kind or range")
    } else if option_ids(a) != option_ids(b) {
        Some("options (ids and their order)")
    } else if a.ask_when != b.ask_when {
        Some("condition for being asked (ask_when)")
    } else {
        None
    }
}

/// An effect without its words: what decides an outcome.
fn deciding(effect: &Effect) -> Effect {
    Effect { precaution: None, advice: None, tell: None, ..effect.clone() }
}

/// The two sets as one: the old rules, then the new set's own.
struct Merged {
    rules: Vec<Rule>,
    /// The old set's rules the new one has otherwise or not at all.
    old_only: FiredRules,
    /// The merged rules that are the new set's own.
    new_only: FiredRules,
    /// Each merged rule's index in the new set (`usize::MAX`: only in the old set).
    in_new: Vec<usize>,
}

impl Merged {
    fn new(old: &RuleSet, new: &RuleSet) -> Result<Merged, DiffError> {
        let new_by_id: HashMap<&str, usize> = new.rules.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
        let same =
            |rule: &Rule, other: &Rule| rule.when == other.when && deciding(&rule.effect) == deciding(&other.effect);
        let mut merged = Merged {
            rules: old.rules.clone(),
            old_only: FiredRules::default(),
            new_only: FiredRules::default(),
            in_new: vec![usize::MAX; old.rules.len()],
        };
        let mut shared_in_new = vec![false; new.rules.len()];
        for (index, rule) in old.rules.iter().enumerate() {
            match new_by_id.get(rule.id.as_str()) {
                Some(&n) if same(rule, &new.rules[n]) => {
                    merged.in_new[index] = n;
                    shared_in_new[n] = true;
                }
                _ => merged.old_only.insert(index),
            }
        }
        let own = new.rules.iter().enumerate().filter(|(n, _)| !shared_in_new[*n]);
        let count = old.rules.len() + own.clone().count();
        if count > MAX_RULES {
            return Err(DiffError::TooManyRules { count, max: MAX_RULES });
        }
        for (n, rule) in own {
            merged.new_only.insert(merged.rules.len());
            merged.in_new.push(n);
            merged.rules.push(rule.clone());
        }
        Ok(merged)
    }

    /// The new set's fired rules from the merged ones fired on its side.
    fn new_side(&self, fired: FiredRules) -> FiredRules {
        let mut on_new = FiredRules::default();
        fired.iter().for_each(|m| on_new.insert(self.in_new[m]));
        on_new
    }

    fn shared(&self) -> usize {
        self.in_new.len() - self.old_only.iter().count() - self.new_only.iter().count()
    }
}

/// What the search gathers for one region before its example is built.
struct Gathered {
    classes: u128,
    answers: u128,
    picks: Vec<usize>,
    old_rules: FiredRules,
    new_rules: FiredRules,
}

/// Compares two rule sets over every answer set of their questionnaire.
pub fn diff(old: &RuleSet, new: &RuleSet, budget: super::Budget) -> Result<RulesDiff, DiffError> {
    same_questions(&old.questionnaire, &new.questionnaire)?;
    let merged = Merged::new(old, new)?;
    let rule_set = old.with_rules(merged.rules.clone());
    let watches = super::constraint_watches(&rule_set);
    let parts = Parts::new(&rule_set, &watches, budget)?;
    let spec = Spec { this_without: merged.new_only, without: merged.old_only, ..Spec::default() };
    let levels = (0..parts.components.len()).map(|c| parts.variants(c, &spec)).collect::<Result<Vec<_>, _>>()?;
    let total = |of: fn(&Variant) -> u128| {
        levels.iter().map(|l| l.iter().map(of).fold(0, u128::saturating_add)).fold(1, u128::saturating_mul)
    };
    let (answer_classes, answer_sets) = (total(|v| v.classes), total(|v| v.answers));
    let mut order: Vec<(Decision, Decision)> = Vec::new();
    let mut gathered: HashMap<(Decision, Decision), Gathered> = HashMap::new();
    // Both sides already sending the person to an emergency department: nothing can differ.
    let both_emergency = |a: Option<Urgency>, b: Option<Urgency>| a == Some(Urgency::Emergency) && a == b;
    let combinations = parts.explore(&levels, false, &both_emergency, &mut |leaf| {
        let before = decision(&decide(old, leaf.fired));
        let after = decision(&decide(new, merged.new_side(leaf.other)));
        if before != after {
            let entry = gathered.entry((before, after)).or_insert_with(|| {
                order.push((before, after));
                Gathered {
                    classes: 0,
                    answers: 0,
                    picks: leaf.picks.to_vec(),
                    old_rules: FiredRules::default(),
                    new_rules: FiredRules::default(),
                }
            });
            entry.classes = entry.classes.saturating_add(leaf.classes);
            entry.answers = entry.answers.saturating_add(leaf.answers);
            entry.old_rules = entry.old_rules.union(leaf.fired.intersection(merged.old_only));
            entry.new_rules = entry.new_rules.union(leaf.other.intersection(merged.new_only));
        }
        Flow::Continue
    })?;
    let mut regions = Vec::with_capacity(order.len());
    for key in order {
        let Some(found) = gathered.remove(&key) else { continue };
        regions.push(region(old, new, &merged, &parts, &levels, key, found)?);
    }
    regions.sort_by_key(|r| (!less_urgent(&r.old, &r.new), std::cmp::Reverse(r.answer_sets)));
    Ok(RulesDiff { regions, answer_classes, answer_sets, combinations, shared: merged.shared() })
}

/// A referral that the new set makes less urgent (or drops): the change to read first.
pub fn less_urgent(old: &Evaluation, new: &Evaluation) -> bool {
    super::properties::urgency_rank(new) < super::properties::urgency_rank(old)
}

/// A region with its example, confirmed by the engine on both sets.
fn region(
    old: &RuleSet,
    new: &RuleSet,
    merged: &Merged,
    parts: &Parts<'_>,
    levels: &[Vec<Variant>],
    key: (Decision, Decision),
    found: Gathered,
) -> Result<Region, DiffError> {
    let examples: Vec<(usize, Example)> =
        found.picks.iter().enumerate().map(|(c, p)| (c, levels[c][*p].example.clone())).collect();
    let example = parts.answers(&examples, false)?;
    let (before, after) = (evaluate(old, &example), evaluate(new, &example));
    if (decision(&before), decision(&after)) != key {
        return Err(DiffError::Unconfirmed);
    }
    let mut rules: Vec<RuleDifference> = Vec::new();
    for index in found.old_rules.iter() {
        let id = &old.rules[index].id;
        let in_new = new.rule_index(id);
        rules.push(RuleDifference {
            id: id.to_string(),
            kind: if in_new.is_some() { RuleChange::Changed } else { RuleChange::Removed },
            old_line: Some(old.rules[index].line),
            new_line: in_new.map(|n| new.rules[n].line),
        });
    }
    for index in found.new_rules.iter() {
        let rule = &new.rules[merged.in_new[index]];
        if rules.iter().any(|r| r.id == rule.id) {
            continue;
        }
        let in_old = old.rule_index(&rule.id);
        rules.push(RuleDifference {
            id: rule.id.to_string(),
            kind: if in_old.is_some() { RuleChange::Changed } else { RuleChange::Added },
            old_line: in_old.map(|o| old.rules[o].line),
            new_line: Some(rule.line),
        });
    }
    Ok(Region {
        changes: changes(&before, &after),
        old: before,
        new: after,
        answer_classes: found.classes,
        answer_sets: found.answers,
        rules,
        example,
    })
}
