//! The proof: the answer space split into independent parts, each part's reachable
//! outcomes enumerated once, then every property checked over their combinations with
//! pruning.
//!
//! Why this is exact: the engine's outcome is a pure function of which rules fire
//! ([`decide`]), and it folds the fired rules' effects with order-free operations (most
//! urgent referral, sum of weights, union of forbidden styles, lowest pressure cap,
//! shortest session). Rules that read questions joined by no rule fire independently, so
//! the questions fall into components (joined when one rule reads several), each
//! component's classes are enumerated once, and classes with the same folded effects are
//! merged (one representative kept for counterexamples). Combinations of the parts are
//! then enumerated depth first; a branch is cut as soon as a referral settles the property
//! for every completion.

use super::space::{advance, AnswerSpace};
use crate::answers::{Answer, Answers};
use crate::engine::{decide, Evaluation, FiredRules};
use crate::recommendation::{Pressure, StyleSet, Urgency};
use crate::rules::RuleSet;
use std::collections::HashMap;

/// The most classes one component may have before the checker gives up.
pub const MAX_COMPONENT_CLASSES: u128 = 4_000_000;

/// Questions joined by rules that read several of them, and the rules reading them.
#[derive(Debug, Clone)]
pub(crate) struct Component {
    pub questions: Vec<usize>,
    pub rules: Vec<usize>,
    /// Every class: its class index per question (in `questions` order) and the rules fired.
    pub classes: Vec<(Vec<usize>, FiredRules)>,
}

/// An example inside a component: its classes, and options pinned in one question.
#[derive(Debug, Clone)]
pub(crate) struct Example {
    pub classes: Vec<usize>,
    pub pin: Option<Pin>,
}

/// Options an example must (`include`) and must not (`exclude`) hold in a question;
/// `add` is added to the answer on the "other" side (escalation: the option added).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pin {
    pub question: usize,
    pub include: u64,
    pub exclude: u64,
    pub add: u64,
}

/// One reachable outcome of a component: the rules fired, and an "other" fired set
/// compared with it (the answers with an option added, without a rule, ...).
#[derive(Debug, Clone)]
pub(crate) struct Variant {
    pub fired: FiredRules,
    pub other: FiredRules,
    pub refer: Option<Urgency>,
    pub other_refer: Option<Urgency>,
    pub example: Example,
    /// Answer classes and answer sets merged into it.
    pub classes: u128,
    pub answers: u128,
}

/// The folded effects of a set of fired rules: what [`decide`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Tally {
    refer: Option<Urgency>,
    scores: [i32; 4],
    forbid: StyleSet,
    cap: Option<Pressure>,
    minutes: Option<u16>,
}

fn tally(rule_set: &RuleSet, fired: &FiredRules, rules: &[usize]) -> Tally {
    let mut tally = Tally { refer: None, scores: [0; 4], forbid: StyleSet::EMPTY, cap: None, minutes: None };
    for &index in rules.iter().filter(|i| fired.contains(**i)) {
        let effect = &rule_set.rules[index].effect;
        tally.refer = tally.refer.max(effect.refer);
        for (score, weight) in tally.scores.iter_mut().zip(effect.favour) {
            *score += weight;
        }
        tally.forbid = tally.forbid.union(effect.forbid);
        tally.cap = match (tally.cap, effect.max_pressure) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        tally.minutes = match (tally.minutes, effect.session_minutes) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    tally
}

/// The parts of a rule set's answer space, ready for the search.
pub(crate) struct Parts<'r> {
    pub rule_set: &'r RuleSet,
    pub space: AnswerSpace,
    pub components: Vec<Component>,
    /// Component of each question.
    pub component_of: Vec<usize>,
}

impl<'r> Parts<'r> {
    /// Splits the space and enumerates each component's classes.
    pub fn new(rule_set: &'r RuleSet) -> Result<Parts<'r>, String> {
        let space = AnswerSpace::new(rule_set)?;
        let question_count = rule_set.questionnaire.questions.len();
        let mut root: Vec<usize> = (0..question_count).collect();
        fn find(root: &mut [usize], mut q: usize) -> usize {
            while root[q] != q {
                root[q] = root[root[q]];
                q = root[q];
            }
            q
        }
        let mut read_by: Vec<Vec<usize>> = Vec::new();
        for rule in &rule_set.rules {
            let mut questions = Vec::new();
            rule.when.questions(&mut questions);
            questions.sort_unstable();
            questions.dedup();
            for pair in questions.windows(2) {
                let (a, b) = (find(&mut root, pair[0]), find(&mut root, pair[1]));
                root[a] = b;
            }
            read_by.push(questions);
        }
        let mut components: Vec<Component> = Vec::new();
        let mut component_of = vec![0; question_count];
        let mut of_root: HashMap<usize, usize> = HashMap::new();
        for (q, slot) in component_of.iter_mut().enumerate() {
            let r = find(&mut root, q);
            let index = *of_root.entry(r).or_insert_with(|| {
                components.push(Component { questions: Vec::new(), rules: Vec::new(), classes: Vec::new() });
                components.len() - 1
            });
            components[index].questions.push(q);
            *slot = index;
        }
        let mut constant = Vec::new();
        for (index, questions) in read_by.iter().enumerate() {
            match questions.first() {
                Some(q) => components[component_of[*q]].rules.push(index),
                None => constant.push(index),
            }
        }
        if !constant.is_empty() {
            components.push(Component { questions: Vec::new(), rules: constant, classes: Vec::new() });
        }
        let mut parts = Parts { rule_set, space, components, component_of };
        for index in 0..parts.components.len() {
            parts.components[index].classes = parts.enumerate(index)?;
        }
        Ok(parts)
    }

    /// Every class of a component with the rules it fires.
    fn enumerate(&self, component: usize) -> Result<Vec<(Vec<usize>, FiredRules)>, String> {
        let part = &self.components[component];
        let radix: Vec<usize> = part.questions.iter().map(|q| self.space.questions[*q].classes.len()).collect();
        let total = radix.iter().map(|r| *r as u128).product::<u128>();
        if total > MAX_COMPONENT_CLASSES {
            let ids: Vec<&str> =
                part.questions.iter().map(|q| self.rule_set.questionnaire.questions[*q].id.as_str()).collect();
            return Err(format!(
                "the rules join questions {} into {total} answer classes, more than the {MAX_COMPONENT_CLASSES} the check covers",
                ids.join(", ")
            ));
        }
        let mut classes = Vec::with_capacity(total as usize);
        let mut odometer = vec![0usize; radix.len()];
        loop {
            let answers = self.answers(&[(component, Example { classes: odometer.clone(), pin: None })], false)?;
            let mut fired = FiredRules::default();
            for &rule in &part.rules {
                if self.rule_set.rules[rule].when.holds(&answers) {
                    fired.insert(rule);
                }
            }
            classes.push((odometer.clone(), fired));
            if !advance(&mut odometer, &radix) {
                break;
            }
        }
        Ok(classes)
    }

    /// A complete answer set: the examples' classes where given, the first class elsewhere.
    /// `other` builds the "other" side of a pinned example (the option added).
    pub fn answers(&self, examples: &[(usize, Example)], other: bool) -> Result<Answers, String> {
        let questionnaire = &self.rule_set.questionnaire;
        let mut values: Vec<Option<Answer>> = vec![None; questionnaire.questions.len()];
        for (component, example) in examples {
            for (q, class) in self.components[*component].questions.iter().zip(&example.classes) {
                let pin = example.pin.filter(|p| p.question == *q);
                let (include, exclude) = pin.map_or((0, 0), |p| (p.include, p.exclude));
                let mut value = self.space.answer(*q, *class, include, exclude);
                if let (Some(pin), true, Some(Answer::Choices(bits))) = (pin, other, value) {
                    value = Some(Answer::Choices(bits | pin.add));
                }
                values[*q] = value;
            }
        }
        let values: Option<Vec<Answer>> =
            values.into_iter().enumerate().map(|(q, v)| v.or_else(|| self.space.answer(q, 0, 0, 0))).collect();
        let values = values.ok_or("no answer fits a class")?;
        Answers::new(questionnaire, None, values)
    }

    /// Merges classes of a component into variants. `select` returns, for a class, the
    /// fired and "other" fired sets and the example, or `None` to leave the class out.
    pub fn variants(
        &self,
        component: usize,
        mut select: impl FnMut(usize, &[usize], FiredRules) -> Option<(FiredRules, FiredRules, Example)>,
    ) -> Vec<Variant> {
        let part = &self.components[component];
        let mut variants: Vec<Variant> = Vec::new();
        let mut seen: HashMap<(Tally, Tally), usize> = HashMap::new();
        for (index, (classes, fired)) in part.classes.iter().enumerate() {
            let Some((fired, other, example)) = select(index, classes, *fired) else { continue };
            let key = (tally(self.rule_set, &fired, &part.rules), tally(self.rule_set, &other, &part.rules));
            let weight = self.weight(component, classes);
            match seen.get(&key) {
                Some(&at) => {
                    variants[at].classes += 1;
                    variants[at].answers = variants[at].answers.saturating_add(weight);
                }
                None => {
                    seen.insert(key, variants.len());
                    variants.push(Variant {
                        fired,
                        other,
                        refer: key.0.refer,
                        other_refer: key.1.refer,
                        example,
                        classes: 1,
                        answers: weight,
                    });
                }
            }
        }
        variants
    }

    /// Variants of a component where the "other" side is `other(fired)`.
    pub fn plain_variants(&self, component: usize, other: impl Fn(FiredRules) -> FiredRules) -> Vec<Variant> {
        self.variants(component, |_, classes, fired| {
            Some((fired, other(fired), Example { classes: classes.to_vec(), pin: None }))
        })
    }

    fn weight(&self, component: usize, classes: &[usize]) -> u128 {
        self.components[component]
            .questions
            .iter()
            .zip(classes)
            .map(|(q, c)| self.space.questions[*q].classes[*c].answers)
            .fold(1, u128::saturating_mul)
    }

    /// The index of a component class from its per-question classes.
    pub fn class_index(&self, component: usize, classes: &[usize]) -> usize {
        let part = &self.components[component];
        let mut index = 0;
        for (q, c) in part.questions.iter().zip(classes).rev() {
            index = index * self.space.questions[*q].classes.len() + c;
        }
        index
    }

    /// The engine's decision for a fired set.
    pub fn decide(&self, fired: FiredRules) -> Evaluation {
        decide(self.rule_set, fired)
    }
}

/// One combination reached by the search.
pub(crate) struct Leaf<'a> {
    pub fired: FiredRules,
    pub other: FiredRules,
    /// The variant chosen at each level.
    pub picks: &'a [usize],
    pub classes: u128,
    pub answers: u128,
}

/// Whether to go on searching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Stop,
}

/// Visits every combination of one variant per level, depth first. `cut(refer,
/// other_refer)` says that no leaf below can matter; it must stay true as referrals are
/// added (it is only given the most urgent referral so far on each side).
pub(crate) fn explore(
    levels: &[Vec<Variant>],
    cut: &dyn Fn(Option<Urgency>, Option<Urgency>) -> bool,
    leaf: &mut dyn FnMut(&Leaf<'_>) -> Flow,
) -> u64 {
    let mut picks = Vec::with_capacity(levels.len());
    let mut visited = 0;
    let start = Leaf { fired: FiredRules::default(), other: FiredRules::default(), picks: &[], classes: 1, answers: 1 };
    descend(levels, cut, leaf, &mut picks, (start.fired, start.other, None, None, 1, 1), &mut visited);
    visited
}

type State = (FiredRules, FiredRules, Option<Urgency>, Option<Urgency>, u128, u128);

fn descend(
    levels: &[Vec<Variant>],
    cut: &dyn Fn(Option<Urgency>, Option<Urgency>) -> bool,
    leaf: &mut dyn FnMut(&Leaf<'_>) -> Flow,
    picks: &mut Vec<usize>,
    state: State,
    visited: &mut u64,
) -> Flow {
    let (fired, other, refer, other_refer, classes, answers) = state;
    let depth = picks.len();
    if depth == levels.len() {
        *visited += 1;
        return leaf(&Leaf { fired, other, picks, classes, answers });
    }
    for (index, variant) in levels[depth].iter().enumerate() {
        let next_refer = refer.max(variant.refer);
        let next_other = other_refer.max(variant.other_refer);
        if cut(next_refer, next_other) {
            continue;
        }
        picks.push(index);
        let flow = descend(
            levels,
            cut,
            leaf,
            picks,
            (
                fired.union(variant.fired),
                other.union(variant.other),
                next_refer,
                next_other,
                classes.saturating_mul(variant.classes),
                answers.saturating_mul(variant.answers),
            ),
            visited,
        );
        picks.pop();
        if flow == Flow::Stop {
            return Flow::Stop;
        }
    }
    Flow::Continue
}
