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
//!
//! Besides the rules, the sweep follows *watches*: conditions with no effect. A conditional
//! question's constraint (it is answered exactly when its `ask_when` holds) is followed in
//! every sweep, and a partial outcome that breaks it on either side is dropped, so only
//! answer sets a person can give are counted and shown. A safety statement's condition is
//! followed when a property requires it to hold.

use super::budget::{Allowance, Budget};
use super::space::{AnswerSpace, ClassValue};
use super::Uncoverable;
use crate::answer::Answer;
use crate::answers::Answers;
use crate::condition::{Condition, Truth};
use crate::engine::{decide, Evaluation, FiredRules, Tally};
use crate::recommendation::{Pressure, StyleSet, Urgency};
use crate::rules::{Effect, RuleSet};
use std::collections::HashMap;

/// Questions joined by rules (or watches) that read several of them, and what reads them.
#[derive(Debug, Clone)]
pub(crate) struct Component {
    pub questions: Vec<usize>,
    /// The rules reading these questions.
    pub rules: Vec<usize>,
    /// The rules, then the watches: what a sweep of the component follows.
    pub members: Vec<usize>,
}

/// A condition the sweep follows that is not a rule.
#[derive(Debug, Clone)]
pub(crate) struct Watch {
    pub when: Condition,
    /// Followed in every sweep, which keeps only answer sets where it holds.
    pub constraint: bool,
}

/// A watch has no effect of its own.
static NO_EFFECT: Effect = Effect {
    refer: None,
    favour: [0; 4],
    forbid: StyleSet::EMPTY,
    max_pressure: None,
    session_minutes: None,
    precaution: None,
    advice: None,
    tell: None,
};

/// An example inside a component: its classes (on each side: a conditional question may be
/// asked on one side only), and options pinned in one question.
#[derive(Debug, Clone)]
pub(crate) struct Example {
    pub classes: Vec<usize>,
    pub other_classes: Vec<usize>,
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
    /// With [`Spec::statements`]: the statements whose condition holds here and that the
    /// component's effects do not settle by themselves.
    pub statements: Vec<usize>,
    /// What the fired rules add up to on each side.
    pub tallies: [crate::engine::Tally; 2],
    /// With [`Spec::statements`]: the rules fired on any answer set merged into it (not
    /// only the example's). Exact for an outcome with no referral; with one, a rule the
    /// referral absorbed before it fired is missing (see the sweep's `absorb`).
    pub ever_fired: FiredRules,
    /// With [`Spec::statements`]: the statements (by index) whose condition held on any
    /// answer set merged into it.
    pub ever_held: FiredRules,
}

/// The variants with the statements' distinctions dropped: equal outcomes merged (the
/// first one's example kept). A sweep with [`Spec::statements`] gives the plain variants
/// this way too, with no second sweep.
pub(crate) fn merged(variants: &[Variant]) -> Vec<Variant> {
    let mut merged: Vec<Variant> = Vec::new();
    let mut at: HashMap<[crate::engine::Tally; 2], usize, foldhash::fast::FixedState> = HashMap::default();
    for variant in variants {
        match at.get(&variant.tallies) {
            Some(&i) => {
                merged[i].classes += variant.classes;
                merged[i].answers = merged[i].answers.saturating_add(variant.answers);
                merged[i].ever_fired = merged[i].ever_fired.union(variant.ever_fired);
                merged[i].ever_held = merged[i].ever_held.union(variant.ever_held);
            }
            None => {
                at.insert(variant.tallies, merged.len());
                merged.push(Variant { statements: Vec::new(), ..variant.clone() });
            }
        }
    }
    merged
}

/// One question and its class pairs (this side, other side) with the pin on the example.
pub(crate) type PinnedPairs<'p> = (usize, &'p [(usize, usize, Pin)]);

/// Says that no outcome reached from a partial one with these referrals (this side, the
/// other side) can matter to a property; it must stay true as referrals are added.
pub(crate) type Cut<'c> = &'c dyn Fn(Option<Urgency>, Option<Urgency>) -> bool;

/// What to compute for a component: which classes, and what the "other" side is.
#[derive(Clone, Copy, Default)]
pub(crate) struct Spec<'c> {
    /// One question's class pairs (this side, other side) with the pin on the example,
    /// instead of every class the same on both sides.
    pub pinned: Option<PinnedPairs<'c>>,
    /// Rules left out on the other side.
    pub without: FiredRules,
    /// Rules left out on this side (`rules diff`: the new set's own rules).
    pub this_without: FiredRules,
    /// A rule or watch whose condition must (`true`) or must not (`false`) hold on this side.
    pub require: Option<(usize, bool)>,
    /// Only these rules are evaluated (the others are left out on both sides).
    pub only: Option<FiredRules>,
    /// Partial outcomes the property cannot care about, dropped as soon as they are reached
    /// (referrals only grow as the sweep goes on, so they stay irrelevant).
    pub cut: Option<Cut<'c>>,
    /// Follow every safety statement at once, keeping apart the outcomes where one holds
    /// and is not yet settled by the effects (one sweep for all of them).
    pub statements: bool,
    /// Keep only the coarse form of the tallies ([`Tally::coarse`]): far fewer partial
    /// outcomes, exact for every property that depends on the kind of outcome only (the
    /// referral and its urgency, no style fitting, the styles recommended or offered), and
    /// a bound for the pressure; a variant's example then stands for outcomes of its kind,
    /// not for the same outcome.
    pub coarse: bool,
    /// With [`Spec::statements`], the rules whose firing need not be kept where there is no
    /// referral, so that they are absorbed there too (see the sweep's `absorb`): those a
    /// sampled answer set shows firing with none, or every rule when nothing will read
    /// which rules fired (a safety-only check).
    pub unfollowed: FiredRules,
}

/// The most partial outcomes kept at once while sweeping a component.
pub const MAX_STATES: usize = 2_000_000;

/// The parts of a rule set's answer space, ready for the search.
pub(crate) struct Parts<'r> {
    pub rule_set: &'r RuleSet,
    /// The watches; watch `w` is member `rules.len() + w`.
    pub watches: &'r [Watch],
    pub space: AnswerSpace,
    pub components: Vec<Component>,
    /// Component of each question.
    pub component_of: Vec<usize>,
    /// Component of each member (rule or watch).
    pub component_of_member: Vec<usize>,
    /// Per member, its tests on questions in condition order.
    pub(super) atoms: Vec<Vec<(usize, &'r Condition)>>,
    /// Per member: it reads one question only and is not settled before any answer, so its
    /// effect can be folded in per class of that question.
    pub(super) single: Vec<bool>,
    /// Per member, its condition as clauses when that stays small (see [`super::sweep`]).
    pub(super) clauses: Vec<Option<crate::condition::Clauses>>,
    /// Per member and test, whether it holds for each class of the test's question.
    pub(super) test_values: Vec<Vec<Vec<bool>>>,
    /// Per member reading one question, whether it holds for each class of that question.
    pub(super) single_values: Vec<Vec<bool>>,
    /// Per question, the rules that read it alone (see `single`).
    pub(super) single_rules: Vec<Vec<usize>>,
    /// Per question and class, the effects of those rules that hold there, folded: what a
    /// sweep that follows all of them adds with the class (most sweeps do).
    pub(super) single_tallies: Vec<Vec<Tally>>,
    /// The watch of the first safety statement (the constraints come before).
    pub(super) first_statement: usize,
    /// What each safety statement demands.
    pub(super) demands: Vec<Demands>,
    /// The budget being spent.
    pub(super) allowance: Allowance,
    /// Per style, whether no rule gives it a negative weight (its score is then kept only as
    /// positive or not in a coarse sweep).
    pub(super) clamp: [bool; 4],
}

/// What a safety statement demands.
#[derive(Debug, Clone, Copy)]
pub(super) struct Demands {
    pub min_urgency: Option<Urgency>,
    pub forbids: StyleSet,
    pub max_pressure: Option<Pressure>,
}

impl Demands {
    pub(super) fn settled_by(&self, tally: &Tally) -> bool {
        tally.settles(self.min_urgency, self.forbids, self.max_pressure)
    }
}

/// A condition's truth from its tests' values by position, in the order
/// [`Condition::tests`] lists them: 0 not known yet, 1 fails, 2 holds.
pub(crate) fn truth_of(condition: &Condition, seen: &[u8]) -> Truth {
    condition.value_by_position(|position| match seen.get(position) {
        Some(1) => Truth::No,
        Some(2) => Truth::Yes,
        _ => Truth::Unknown,
    })
}

impl<'r> Parts<'r> {
    /// Splits the space into classes and the questions into components, joined by every
    /// rule and watch that reads several questions.
    pub(crate) fn new(rule_set: &'r RuleSet, watches: &'r [Watch], budget: Budget) -> Result<Parts<'r>, Uncoverable> {
        let allowance = Allowance::start(budget);
        let space = AnswerSpace::new(rule_set)?;
        let question_count = rule_set.questionnaire.questions.len();
        let conditions: Vec<&'r Condition> =
            rule_set.rules.iter().map(|r| &r.when).chain(watches.iter().map(|w| &w.when)).collect();
        let mut root: Vec<usize> = (0..question_count).collect();
        fn find(root: &mut [usize], mut q: usize) -> usize {
            while root[q] != q {
                root[q] = root[root[q]];
                q = root[q];
            }
            q
        }
        let mut read_by: Vec<Vec<usize>> = Vec::new();
        for condition in &conditions {
            let mut questions = Vec::new();
            condition.questions(&mut questions);
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
                components.push(Component { questions: Vec::new(), rules: Vec::new(), members: Vec::new() });
                components.len() - 1
            });
            components[index].questions.push(q);
            *slot = index;
        }
        let mut constant = Vec::new();
        let mut component_of_member = Vec::new();
        for (member, questions) in read_by.iter().enumerate() {
            let component = match questions.first() {
                Some(q) => component_of[*q],
                None => {
                    constant.push(member);
                    usize::MAX // the constant component, added below
                }
            };
            component_of_member.push(component);
            if let Some(part) = components.get_mut(component) {
                part.members.push(member);
            }
        }
        if !constant.is_empty() {
            let index = components.len();
            constant.iter().for_each(|m| component_of_member[*m] = index);
            components.push(Component { questions: Vec::new(), rules: Vec::new(), members: constant });
        }
        let rule_count = rule_set.rules.len();
        for part in &mut components {
            part.rules = part.members.iter().copied().filter(|m| *m < rule_count).collect();
            part.questions = sweep_order(&part.questions, &part.members, &read_by, &space);
        }
        let atoms: Vec<Vec<(usize, &'r Condition)>> = conditions
            .iter()
            .map(|c| c.tests().into_iter().filter_map(|t| Some((t.test_question()?, t))).collect())
            .collect();
        let single = conditions
            .iter()
            .zip(&atoms)
            .map(|(when, tests)| {
                let one_question = tests.first().is_some_and(|(q, _)| tests.iter().all(|(t, _)| t == q));
                let settled_early = truth_of(when, &vec![0; tests.len()]) != Truth::Unknown;
                one_question && !settled_early
            })
            .collect();
        let mut parts = Parts {
            rule_set,
            watches,
            space,
            components,
            component_of,
            component_of_member,
            atoms,
            single,
            clauses: conditions.iter().map(|c| c.clauses()).collect(),
            test_values: Vec::new(),
            single_values: Vec::new(),
            single_rules: Vec::new(),
            single_tallies: Vec::new(),
            first_statement: watches.iter().filter(|w| w.constraint).count(),
            demands: rule_set
                .questionnaire
                .statements()
                .iter()
                .map(|s| Demands { min_urgency: s.min_urgency, forbids: s.forbids, max_pressure: s.max_pressure })
                .collect(),
            allowance,
            clamp: [0, 1, 2, 3].map(|s| rule_set.rules.iter().all(|r| r.effect.favour[s] >= 0)),
        };
        // One answer a class: every answer in a class passes the same tests.
        let samples: Option<Vec<Vec<Answer>>> = (0..question_count)
            .map(|q| (0..parts.space.questions[q].classes.len()).map(|c| parts.space.answer(q, c, 0, 0)).collect())
            .collect();
        let samples = samples.ok_or(Uncoverable::NoAnswerFits)?;
        parts.test_values = parts
            .atoms
            .iter()
            .map(|tests| tests.iter().map(|(q, atom)| samples[*q].iter().map(|a| atom.test(*a)).collect()).collect())
            .collect();
        let mut partial = vec![None; question_count];
        parts.single_values = (0..conditions.len())
            .map(|m| match parts.atoms[m].first() {
                // One test: its values are the test's.
                Some(_) if parts.single[m] && conditions[m].test_question().is_some() => {
                    parts.test_values[m][0].clone()
                }
                Some(&(q, _)) if parts.single[m] => samples[q]
                    .iter()
                    .map(|a| {
                        partial[q] = Some(*a);
                        conditions[m].truth(&partial) == Truth::Yes
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        let mut single_rules = vec![Vec::new(); question_count];
        for rule in (0..rule_set.rules.len()).filter(|r| parts.single[*r]) {
            single_rules[parts.atoms[rule][0].0].push(rule);
        }
        parts.single_tallies = single_rules
            .iter()
            .enumerate()
            .map(|(q, rules)| {
                let fold = |class: usize| {
                    let mut tally = Tally::NONE;
                    let holding = rules.iter().filter(|r| parts.single_values[**r][class]);
                    holding.for_each(|r| tally.add(&rule_set.rules[*r].effect));
                    tally
                };
                (0..parts.space.questions[q].classes.len()).map(fold).collect()
            })
            .collect();
        parts.single_rules = single_rules;
        Ok(parts)
    }

    /// The condition of a member (a rule or a watch).
    pub(super) fn when(&self, member: usize) -> &'r Condition {
        match self.rule_set.rules.get(member) {
            Some(rule) => &rule.when,
            None => &self.watches[member - self.rule_set.rules.len()].when,
        }
    }

    /// The effect of a member; a watch has none.
    pub(super) fn effect(&self, member: usize) -> &'r Effect {
        self.rule_set.rules.get(member).map_or(&NO_EFFECT, |rule| &rule.effect)
    }

    pub(super) fn is_watch(&self, member: usize) -> bool {
        member >= self.rule_set.rules.len()
    }

    pub(super) fn is_constraint(&self, member: usize) -> bool {
        self.watches.get(member.wrapping_sub(self.rule_set.rules.len())).is_some_and(|w| w.constraint)
    }

    /// Whether a member is left out of a side: a rule in `left_out`, or a watch that is
    /// neither a constraint nor the one required.
    pub(super) fn inactive(&self, member: usize, left_out: FiredRules, require: Option<usize>) -> bool {
        if self.is_watch(member) {
            !self.is_constraint(member) && Some(member) != require
        } else {
            left_out.contains(member)
        }
    }

    /// The statement a member is, if it is one's watch.
    pub(super) fn statement_of(&self, member: usize) -> Option<usize> {
        let watch = member.checked_sub(self.rule_set.rules.len())?;
        watch.checked_sub(self.first_statement).filter(|_| !self.watches[watch].constraint)
    }

    /// The member index of watch `watch`.
    pub(crate) fn watch_member(&self, watch: usize) -> usize {
        self.rule_set.rules.len() + watch
    }

    /// A complete answer set: the examples' classes where given, the first class elsewhere.
    /// `other` builds the "other" side of a pinned example (the option added).
    pub(crate) fn answers(&self, examples: &[(usize, Example)], other: bool) -> Result<Answers, Uncoverable> {
        let questionnaire = &self.rule_set.questionnaire;
        let mut values: Vec<Option<Answer>> = vec![None; questionnaire.questions.len()];
        for (component, example) in examples {
            let classes = if other { &example.other_classes } else { &example.classes };
            for (i, q) in self.components[*component].questions.iter().enumerate() {
                let pin = example.pin.filter(|p| p.question == *q);
                let (include, exclude) = pin.map_or((0, 0), |p| (p.include, p.exclude));
                // The pinned question's other side is this side's answer with the option added.
                let class = if pin.is_some() { example.classes[i] } else { classes[i] };
                let mut value = self.space.answer(*q, class, include, exclude);
                if let (Some(pin), true, Some(Answer::Choices(bits))) = (pin, other, value) {
                    value = Some(Answer::Choices(bits | pin.add));
                }
                values[*q] = value;
            }
        }
        let values: Option<Vec<Answer>> =
            values.into_iter().enumerate().map(|(q, v)| v.or_else(|| self.space.answer(q, 0, 0, 0))).collect();
        let values = values.ok_or(Uncoverable::NoAnswerFits)?;
        Ok(Answers::new(questionnaire, None, values)?)
    }

    /// A question's transitions (this side's class, the other side's class, the pin): every
    /// class the same on both sides, or the spec's pairs for its pinned question. When a
    /// pinned question can change whether a conditional question is asked, that question may
    /// be asked on one side only: the pairs where one side is not asked are added (the
    /// constraints drop those that cannot happen).
    pub(super) fn transitions(&self, question: usize, spec: &Spec<'_>) -> Vec<(usize, usize, Option<Pin>)> {
        let classes = &self.space.questions[question].classes;
        if let Some((pinned, pairs)) = &spec.pinned {
            if *pinned == question {
                return pairs.iter().map(|(a, b, p)| (*a, *b, Some(*p))).collect();
            }
        }
        let mut transitions: Vec<(usize, usize, Option<Pin>)> = (0..classes.len()).map(|c| (c, c, None)).collect();
        let not_asked = classes.iter().position(|c| c.value == ClassValue::NotAsked);
        if let (Some(not_asked), true) = (not_asked, spec.pinned.is_some()) {
            for class in (0..classes.len()).filter(|c| *c != not_asked) {
                transitions.push((not_asked, class, None));
                transitions.push((class, not_asked, None));
            }
        }
        transitions
    }

    /// Variants of a component with `without` left out on the other side, coarse or not.
    pub(crate) fn plain_variants(
        &self,
        component: usize,
        without: FiredRules,
        coarse: bool,
    ) -> Result<Vec<Variant>, Uncoverable> {
        self.variants(component, &Spec { without, coarse, ..Spec::default() })
    }

    /// The tallies of a partial outcome as the spec keeps them.
    pub(super) fn project(&self, spec: &Spec<'_>, tallies: &mut [Tally; 2]) {
        *tallies = tallies.map(|t| self.projected(spec.coarse, t));
    }

    /// A tally as a sweep or search keeps it: its coarse form when `coarse`.
    pub(super) fn projected(&self, coarse: bool, tally: Tally) -> Tally {
        if coarse {
            tally.coarse(self.clamp)
        } else {
            tally
        }
    }

    /// The engine's decision for a fired set.
    pub(crate) fn decide(&self, fired: FiredRules) -> Evaluation {
        decide(self.rule_set, fired)
    }

    /// Visits every combination of one variant per level that can differ in outcome, and
    /// counts them. The levels are combined one after another, and combinations whose
    /// tallies add up to the same (on both sides; with `coarse`, the same coarse tallies)
    /// are merged, keeping the first one's picks and the sum of their counts: the outcome
    /// depends on the tallies only, so their leaves would be the same. `cut(refer,
    /// other_refer)` says that no leaf reached from a combination can matter; it must stay
    /// true as referrals are added. Past the budget, the walk stops and says how the
    /// combinations multiply.
    pub(crate) fn explore(
        &self,
        levels: &[Vec<Variant>],
        coarse: bool,
        cut: &dyn Fn(Option<Urgency>, Option<Urgency>) -> bool,
        leaf: &mut dyn FnMut(&Leaf<'_>) -> Flow,
    ) -> Result<u64, Uncoverable> {
        let start = Combination {
            tallies: [Tally::NONE; 2],
            fired: FiredRules::default(),
            other: FiredRules::default(),
            picks: Vec::new(),
            classes: 1,
            answers: 1,
        };
        let mut combinations = vec![start];
        for level in levels {
            combinations = self
                .combine(&combinations, level, coarse, cut)
                .map_err(|limit| Uncoverable::OverBudget { limit, entangled: self.multiplied(levels) })?;
        }
        let mut visited = 0;
        for c in &combinations {
            visited += 1;
            let found =
                Leaf { fired: c.fired, other: c.other, picks: &c.picks, classes: c.classes, answers: c.answers };
            if leaf(&found) == Flow::Stop {
                break;
            }
        }
        Ok(visited)
    }

    /// The combinations with one more level, merged on their tallies.
    fn combine(
        &self,
        combinations: &[Combination],
        level: &[Variant],
        coarse: bool,
        cut: &dyn Fn(Option<Urgency>, Option<Urgency>) -> bool,
    ) -> Result<Vec<Combination>, super::budget::Limit> {
        let mut next: Vec<Combination> = Vec::new();
        let mut at: HashMap<[Tally; 2], usize, foldhash::fast::FixedState> = HashMap::default();
        for combination in combinations {
            for (index, variant) in level.iter().enumerate() {
                let held = || next.len() * (size_of::<Combination>() + 8 * (combination.picks.len() + 1) + 64);
                if let Some(limit) = self.allowance.step(1, held) {
                    return Err(limit);
                }
                let mut tallies = combination.tallies;
                tallies[0].merge(&variant.tallies[0]);
                tallies[1].merge(&variant.tallies[1]);
                let tallies = tallies.map(|t| self.projected(coarse, t));
                if cut(tallies[0].urgency, tallies[1].urgency) {
                    continue;
                }
                let (classes, answers) = (
                    combination.classes.saturating_mul(variant.classes),
                    combination.answers.saturating_mul(variant.answers),
                );
                if let Some(&k) = at.get(&tallies) {
                    next[k].classes = next[k].classes.saturating_add(classes);
                    next[k].answers = next[k].answers.saturating_add(answers);
                    continue;
                }
                at.insert(tallies, next.len());
                let mut picks = combination.picks.clone();
                picks.push(index);
                next.push(Combination {
                    tallies,
                    fired: combination.fired.union(variant.fired),
                    other: combination.other.union(variant.other),
                    picks,
                    classes,
                    answers,
                });
            }
        }
        Ok(next)
    }

    /// How a search's combinations multiply, in words: the parts' outcome counts, the
    /// largest named by its questions.
    fn multiplied(&self, levels: &[Vec<Variant>]) -> String {
        let counts: Vec<String> = levels.iter().map(|l| l.len().to_string()).collect();
        let questionnaire = &self.rule_set.questionnaire;
        let largest = (0..self.components.len()).max_by_key(|c| levels.get(*c).map_or(0, Vec::len));
        let named = largest.map_or(String::new(), |c| {
            let ids: Vec<&str> =
                self.components[c].questions.iter().map(|q| questionnaire.questions[*q].id.as_str()).collect();
            format!("; the most outcomes come from the questions {}", ids.join(", "))
        });
        format!(
            "the answers fall into {} independent parts whose outcomes combine {} ways{named}",
            levels.len(),
            counts.join(" × ")
        )
    }

    /// What ties a component's questions together, in words: the rules and safety
    /// statements that read several of them, those reading the most first (a rule split
    /// into rules that read fewer questions makes the space smaller).
    pub(super) fn entangled(&self, component: usize) -> String {
        let questionnaire = &self.rule_set.questionnaire;
        let part = &self.components[component];
        let names = |questions: &[usize]| -> String {
            questions.iter().map(|q| questionnaire.questions[*q].id.as_str()).collect::<Vec<_>>().join(", ")
        };
        let mut joins: Vec<(usize, String)> = part
            .members
            .iter()
            .filter_map(|&member| {
                let read = self.when(member).questions_read();
                (read.len() > 1).then(|| (read.len(), format!("{} ({})", self.member_name(member), names(&read))))
            })
            .collect();
        joins.sort_by_key(|(read, _)| std::cmp::Reverse(*read));
        let total = joins.len();
        let shown: Vec<String> = joins.into_iter().take(6).map(|(_, words)| words).collect();
        let more = if total > shown.len() { format!(" and {} more", total - shown.len()) } else { String::new() };
        format!(
            "the questions {} are read together by {}{more}; a rule that reads fewer of them (or is split in two) makes the space smaller",
            names(&part.questions),
            shown.join(", ")
        )
    }

    /// A member in words: `rule "x" (rules.toml:12)`, a safety statement, a conditional
    /// question's condition.
    fn member_name(&self, member: usize) -> String {
        let rule_set = self.rule_set;
        if let Some(rule) = rule_set.rules.get(member) {
            return format!("rule \"{}\" ({})", rule.id, rule_set.rule_location(rule));
        }
        match self.statement_of(member) {
            Some(statement) => {
                let statements = rule_set.questionnaire.statements();
                let name = statements.get(statement).map(|s| rule_set.questionnaire.statement_name(s.subject));
                format!("safety statement \"{}\"", name.unwrap_or_default())
            }
            None => "the condition of a conditional question".to_owned(),
        }
    }
}

/// The order a component's questions are swept in: first the questions that the most
/// conditions spanning several questions read (those conditions are then decided early, and
/// the partial outcomes that differed only in them merge), the one with fewer classes on a
/// tie. Any order is exact; this one keeps the partial outcomes few (measured on the
/// built-in rules: about a third of the work of questionnaire order).
fn sweep_order(questions: &[usize], members: &[usize], read_by: &[Vec<usize>], space: &AnswerSpace) -> Vec<usize> {
    let weight = |q: usize| members.iter().filter(|m| read_by[**m].len() > 1 && read_by[**m].contains(&q)).count();
    let mut order = questions.to_vec();
    order.sort_by_key(|q| (std::cmp::Reverse(weight(*q)), space.questions[*q].classes.len(), *q));
    order
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

/// A combination of one variant of each level so far, standing for those merged into it.
struct Combination {
    tallies: [Tally; 2],
    fired: FiredRules,
    other: FiredRules,
    /// The variant chosen at each level (the first combination merged in).
    picks: Vec<usize>,
    classes: u128,
    answers: u128,
}
