//! The proof: the answer space split into independent parts, each part's reachable
//! outcomes computed once, then every property checked over their combinations with
//! pruning.
//!
//! Why this is exact: the engine's outcome is a pure function of which rules fire
//! ([`decide`]), and it folds the fired rules' effects with order-free operations (most
//! urgent referral, sum of weights, union of forbidden styles, lowest pressure cap,
//! shortest session), so two fired sets with the same folded effects (`Tally`) get the
//! same decision. Rules that read questions joined by no rule fire independently, so the
//! questions fall into components (joined when one rule reads several).
//!
//! Within a component the classes are swept question by question. After each question a
//! partial outcome is: the folded effects of the rules already settled, and for each
//! unsettled rule the values of the tests it has seen. Two partial outcomes equal in both
//! cannot be told apart by any later answer, so they are merged (keeping one example and
//! the counts). Rules that read one question only are folded in per class before the
//! sweep, so a question's classes collapse to the few distinct effects they have.
//!
//! The components' outcomes are then combined depth first; a branch is cut as soon as a
//! referral settles the property for every completion. Each leaf is decided by the
//! engine's own [`decide`] on a representative fired set.

use super::space::AnswerSpace;
use crate::answers::{Answer, Answers};
use crate::engine::{decide, Evaluation, FiredRules, Tally};
use crate::recommendation::Urgency;
use crate::rules::{Condition, RuleSet};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast, non-cryptographic hasher for the sweep's merge tables (the keys are the
/// checker's own small values, never input from a person; SipHash dominated the profile).
#[derive(Default, Clone, Copy)]
struct FastHasher(u64);

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u8(&mut self, value: u8) {
        self.write_u64(u64::from(value));
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Questions joined by rules that read several of them, and the rules reading them.
#[derive(Debug, Clone)]
pub(crate) struct Component {
    pub questions: Vec<usize>,
    pub rules: Vec<usize>,
}

/// An example inside a component: its classes, and options pinned in one question.
#[derive(Debug, Clone)]
pub(crate) struct Example {
    pub classes: Vec<usize>,
    pub pin: Option<Pin>,
}

/// Options an example must (`include`) and must not (`exclude`) hold in a question;
/// `add` is added to the answer on the "other" side (escalation: the option added).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// One question and its class pairs (this side, other side) with the pin on the example.
pub(crate) type PinnedPairs = (usize, Vec<(usize, usize, Pin)>);

/// What to compute for a component: which classes, and what the "other" side is.
#[derive(Debug, Clone, Default)]
pub(crate) struct Spec {
    /// One question's class pairs (this side, other side) with the pin on the example,
    /// instead of every class the same on both sides.
    pub pinned: Option<PinnedPairs>,
    /// Rules left out on the other side.
    pub without: FiredRules,
    /// A rule that must (`true`) or must not (`false`) fire on this side.
    pub require: Option<(usize, bool)>,
    /// Only this rule is evaluated (the others are left out on both sides).
    pub only: Option<usize>,
}

/// The most partial outcomes kept at once while sweeping a component.
pub const MAX_STATES: usize = 2_000_000;

/// The parts of a rule set's answer space, ready for the search.
pub(crate) struct Parts<'r> {
    pub rule_set: &'r RuleSet,
    pub space: AnswerSpace,
    pub components: Vec<Component>,
    /// Component of each question.
    pub component_of: Vec<usize>,
    /// Per question and class, an answer set holding that class (to test conditions).
    samples: Vec<Vec<Answers>>,
    /// Per rule, its tests on questions in condition order.
    atoms: Vec<Vec<(usize, &'r Condition)>>,
    /// Per rule: it reads one question only and is not settled before any answer, so its
    /// effect can be folded in per class of that question.
    single: Vec<bool>,
}

/// One side of a partial outcome: what the decided rules add up to, and what the
/// undecided rules have seen so far.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Side {
    tally: Tally,
    /// Per component rule (bit i = the component's rule i): decided.
    decided: Vec<u64>,
    /// Per component rule, per test, one after the other: its value once its question is
    /// answered (0 unknown, 1 false, 2 true).
    seen: Vec<u8>,
    /// The required rule's verdict.
    required: Option<bool>,
}

#[derive(Debug, Clone)]
struct Partial {
    this: Side,
    other: Side,
    fired: FiredRules,
    other_fired: FiredRules,
    classes: Vec<usize>,
    pin: Option<Pin>,
    class_count: u128,
    answers: u128,
}

/// Transitions of one question that do the same in a sweep.
struct ClassGroup {
    /// The first of them: this side's class, the other side's class, the pin.
    transition: (usize, usize, Option<Pin>),
    /// Folded effects and fired rules of the one-question rules, on each side.
    this: (Tally, Vec<usize>),
    other: (Tally, Vec<usize>),
    /// The required rule's verdict, when it reads only this question.
    required: Option<bool>,
    /// How many classes and answer sets the group stands for.
    classes: u128,
    answers: u128,
}

/// A condition's value from its tests' values (`None`: not known yet), in the same order
/// as [`atoms`] lists them.
fn eval3(condition: &Condition, seen: &[u8], next: &mut usize) -> Option<bool> {
    match condition {
        Condition::Always => Some(true),
        // Every part is walked, even once the value is known, to keep `next` in step.
        Condition::All(parts) => {
            let mut value = Some(true);
            for part in parts {
                value = match (value, eval3(part, seen, next)) {
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                };
            }
            value
        }
        Condition::Any(parts) => {
            let mut value = Some(false);
            for part in parts {
                value = match (value, eval3(part, seen, next)) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                };
            }
            value
        }
        Condition::Not(part) => eval3(part, seen, next).map(|b| !b),
        _ => {
            let value = match seen.get(*next) {
                Some(1) => Some(false),
                Some(2) => Some(true),
                _ => None,
            };
            *next += 1;
            value
        }
    }
}

/// A condition's tests, each with its question, in condition order.
fn atoms<'c>(condition: &'c Condition, into: &mut Vec<(usize, &'c Condition)>) {
    match condition {
        Condition::Always => {}
        Condition::All(parts) | Condition::Any(parts) => parts.iter().for_each(|p| atoms(p, into)),
        Condition::Not(part) => atoms(part, into),
        Condition::Choice { question, .. }
        | Condition::Contains { question, .. }
        | Condition::Number { question, .. }
        | Condition::YesNo { question, .. } => into.push((*question, condition)),
    }
}

impl<'r> Parts<'r> {
    /// Splits the space into classes and the questions into components.
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
                components.push(Component { questions: Vec::new(), rules: Vec::new() });
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
            components.push(Component { questions: Vec::new(), rules: constant });
        }
        let atoms = rule_set
            .rules
            .iter()
            .map(|rule| {
                let mut list = Vec::new();
                atoms(&rule.when, &mut list);
                list
            })
            .collect();
        let single = rule_set
            .rules
            .iter()
            .zip(&atoms)
            .map(|(rule, tests): (_, &Vec<(usize, &Condition)>)| {
                let one_question = tests.first().is_some_and(|(q, _)| tests.iter().all(|(t, _)| t == q));
                let settled_early = eval3(&rule.when, &vec![0; tests.len()], &mut 0).is_some();
                one_question && !settled_early
            })
            .collect();
        let mut parts = Parts { rule_set, space, components, component_of, samples: Vec::new(), atoms, single };
        let mut samples = Vec::new();
        for q in 0..question_count {
            let classes = parts.space.questions[q].classes.len();
            let per_class: Result<Vec<Answers>, String> =
                (0..classes).map(|c| parts.answers(&[(parts.component_of[q], parts.single(q, c))], false)).collect();
            samples.push(per_class?);
        }
        parts.samples = samples;
        Ok(parts)
    }

    /// An example with one question's class set and the first class elsewhere.
    fn single(&self, question: usize, class: usize) -> Example {
        let part = &self.components[self.component_of[question]];
        Example { classes: part.questions.iter().map(|q| if *q == question { class } else { 0 }).collect(), pin: None }
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
        let values = values.ok_or_else(|| "no answer fits a class".to_owned())?;
        Answers::new(questionnaire, None, values)
    }

    /// A fresh side: nothing decided; rules in `left_out` count as decided and never fire.
    fn fresh_side(&self, component: usize, left_out: FiredRules) -> Side {
        let rules = &self.components[component].rules;
        let mut decided = vec![0u64; rules.len().div_ceil(64)];
        for (slot, rule) in rules.iter().enumerate() {
            if left_out.contains(*rule) {
                decided[slot / 64] |= 1 << (slot % 64);
            }
        }
        let tests = rules.iter().map(|r| self.atoms[*r].len()).sum();
        Side { tally: Tally::NONE, decided, seen: vec![0; tests], required: None }
    }

    /// Records the tests on `question` (answered in `class`) and decides what can be.
    /// Returns the rules that fired.
    fn step(
        &self,
        component: usize,
        side: &mut Side,
        question: Option<(usize, usize)>,
        require: Option<usize>,
    ) -> Vec<usize> {
        let mut fired = Vec::new();
        let mut offset = 0;
        for (slot, &rule) in self.components[component].rules.iter().enumerate() {
            let tests = &self.atoms[rule];
            let range = offset..offset + tests.len();
            offset += tests.len();
            if side.decided[slot / 64] & (1 << (slot % 64)) != 0 {
                continue;
            }
            if question.is_some_and(|(q, _)| !tests.iter().any(|(t, _)| *t == q)) {
                continue; // nothing new for this rule
            }
            if question.is_some() && self.single[rule] {
                continue; // folded in per class beforehand (see `class_effects`)
            }
            let seen = &mut side.seen[range];
            if let Some((question, class)) = question {
                let sample = &self.samples[question][class];
                for (value, (q, atom)) in seen.iter_mut().zip(tests) {
                    if *q == question {
                        *value = if atom.holds(sample) { 2 } else { 1 };
                    }
                }
            }
            let Some(holds) = eval3(&self.rule_set.rules[rule].when, seen, &mut 0) else { continue };
            side.decided[slot / 64] |= 1 << (slot % 64);
            seen.iter_mut().for_each(|s| *s = 0);
            if Some(rule) == require {
                side.required = Some(holds);
            } else if holds {
                side.tally.add(&self.rule_set.rules[rule].effect);
                fired.push(rule);
            }
        }
        fired
    }

    /// A component's reachable outcomes under a spec, swept question by question and
    /// merged whenever two partial outcomes can no longer be told apart.
    pub fn variants(&self, component: usize, spec: &Spec) -> Result<Vec<Variant>, String> {
        let part = &self.components[component];
        let require = spec.require.map(|(r, _)| r);
        let mut left_out = FiredRules::default();
        if let Some(only) = spec.only {
            part.rules.iter().filter(|r| **r != only).for_each(|r| left_out.insert(*r));
        }
        let mut start = Partial {
            this: self.fresh_side(component, left_out),
            other: self.fresh_side(component, left_out.union(spec.without)),
            fired: FiredRules::default(),
            other_fired: FiredRules::default(),
            classes: Vec::new(),
            pin: None,
            class_count: 1,
            answers: 1,
        };
        for rule in self.step(component, &mut start.this, None, require) {
            start.fired.insert(rule);
        }
        for rule in self.step(component, &mut start.other, None, None) {
            start.other_fired.insert(rule);
        }
        let mut states = vec![start];
        for &question in &part.questions {
            let classes = &self.space.questions[question].classes;
            let transitions: Vec<(usize, usize, Option<Pin>)> = match &spec.pinned {
                Some((pinned, pairs)) if *pinned == question => {
                    pairs.iter().map(|(a, b, p)| (*a, *b, Some(*p))).collect()
                }
                _ => (0..classes.len()).map(|c| (c, c, None)).collect(),
            };
            let other_left_out = left_out.union(spec.without);
            let groups = self.class_effects(component, question, &transitions, (left_out, other_left_out), require);
            let mut next: Vec<Partial> = Vec::new();
            let mut seen: FastMap<(Side, Side), usize> = FastMap::default();
            for state in &states {
                for group in &groups {
                    let (this_class, other_class, pin) = group.transition;
                    let mut this = state.this.clone();
                    let mut other = state.other.clone();
                    this.tally.merge(&group.this.0);
                    other.tally.merge(&group.other.0);
                    if group.required.is_some() {
                        this.required = group.required;
                    }
                    let mut fired_now = self.step(component, &mut this, Some((question, this_class)), require);
                    let mut other_now = self.step(component, &mut other, Some((question, other_class)), None);
                    fired_now.extend(&group.this.1);
                    other_now.extend(&group.other.1);
                    let (count, weight) = (group.classes, group.answers);
                    let key = (this, other);
                    if let Some(&at) = seen.get(&key) {
                        next[at].class_count += state.class_count * count;
                        next[at].answers = next[at].answers.saturating_add(state.answers.saturating_mul(weight));
                        continue;
                    }
                    let mut fired = state.fired;
                    fired_now.iter().for_each(|r| fired.insert(*r));
                    let mut other_fired = state.other_fired;
                    other_now.iter().for_each(|r| other_fired.insert(*r));
                    let mut example = state.classes.clone();
                    example.push(this_class);
                    seen.insert(key.clone(), next.len());
                    next.push(Partial {
                        this: key.0,
                        other: key.1,
                        fired,
                        other_fired,
                        classes: example,
                        pin: pin.or(state.pin),
                        class_count: state.class_count * count,
                        answers: state.answers.saturating_mul(weight),
                    });
                    if next.len() > MAX_STATES {
                        return Err(format!(
                            "the rules reading {} leave more than {MAX_STATES} outcomes to tell apart",
                            self.rule_set.questionnaire.questions[question].id
                        ));
                    }
                }
            }
            states = next;
        }
        Ok(self.finish(spec, states))
    }

    /// Groups a question's transitions by what they do: the folded effect of the rules
    /// that read only this question (on each side), the required rule's verdict if it is
    /// one of them, and the tests the other rules see. Transitions in a group are
    /// interchangeable in the sweep; the first stands for all.
    fn class_effects(
        &self,
        component: usize,
        question: usize,
        transitions: &[(usize, usize, Option<Pin>)],
        (this_out, other_out): (FiredRules, FiredRules),
        require: Option<usize>,
    ) -> Vec<ClassGroup> {
        let rules = &self.components[component].rules;
        let reads = |rule: usize| self.atoms[rule].iter().any(|(q, _)| *q == question);
        let mut groups: Vec<ClassGroup> = Vec::new();
        let mut index: FastMap<(Tally, Option<bool>, Tally, Vec<u8>), usize> = FastMap::default();
        for &(this_class, other_class, pin) in transitions {
            let (this_sample, other_sample) =
                (&self.samples[question][this_class], &self.samples[question][other_class]);
            let mut this = (Tally::NONE, Vec::new());
            let mut other = (Tally::NONE, Vec::new());
            let mut required = None;
            let mut tests = Vec::new();
            for &rule in rules.iter().filter(|r| reads(**r)) {
                if !self.single[rule] {
                    for (q, atom) in &self.atoms[rule] {
                        if *q == question {
                            tests.push(u8::from(atom.holds(this_sample)) + 2 * u8::from(atom.holds(other_sample)));
                        }
                    }
                    continue;
                }
                let when = &self.rule_set.rules[rule].when;
                if !this_out.contains(rule) {
                    let holds = when.holds(this_sample);
                    if Some(rule) == require {
                        required = Some(holds);
                    } else if holds {
                        this.0.add(&self.rule_set.rules[rule].effect);
                        this.1.push(rule);
                    }
                }
                if !other_out.contains(rule) && when.holds(other_sample) {
                    other.0.add(&self.rule_set.rules[rule].effect);
                    other.1.push(rule);
                }
            }
            let key = (this.0, required, other.0, tests);
            let answers = self.space.questions[question].classes[this_class].answers;
            match index.get(&key) {
                Some(&at) => {
                    groups[at].classes += 1;
                    groups[at].answers = groups[at].answers.saturating_add(answers);
                }
                None => {
                    index.insert(key, groups.len());
                    groups.push(ClassGroup {
                        transition: (this_class, other_class, pin),
                        this,
                        other,
                        required,
                        classes: 1,
                        answers,
                    });
                }
            }
        }
        groups
    }

    /// Final outcomes: the required rule settled, equal outcomes merged.
    fn finish(&self, spec: &Spec, states: Vec<Partial>) -> Vec<Variant> {
        let mut variants: Vec<Variant> = Vec::new();
        let mut seen: FastMap<(Tally, Tally), usize> = FastMap::default();
        for mut state in states {
            if let Some((rule, wanted)) = spec.require {
                if state.this.required != Some(wanted) {
                    continue;
                }
                if wanted {
                    state.this.tally.add(&self.rule_set.rules[rule].effect);
                    state.fired.insert(rule);
                }
            }
            let key = (state.this.tally, state.other.tally);
            if let Some(&at) = seen.get(&key) {
                variants[at].classes += state.class_count;
                variants[at].answers = variants[at].answers.saturating_add(state.answers);
                continue;
            }
            seen.insert(key, variants.len());
            variants.push(Variant {
                fired: state.fired,
                other: state.other_fired,
                refer: key.0.urgency,
                other_refer: key.1.urgency,
                example: Example { classes: state.classes, pin: state.pin },
                classes: state.class_count,
                answers: state.answers,
            });
        }
        variants
    }

    /// Variants of a component with `without` left out on the other side.
    pub fn plain_variants(&self, component: usize, without: FiredRules) -> Result<Vec<Variant>, String> {
        self.variants(component, &Spec { without, ..Spec::default() })
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
