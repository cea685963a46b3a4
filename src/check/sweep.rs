//! The sweep of one component: its questions answered one after another, every reachable
//! partial outcome kept once.
//!
//! A partial outcome is, on each side, the folded effects of the rules decided so far (a
//! [`Tally`]), which followed conditions are decided, and what is needed to decide the rest:
//! nothing for a condition that is one test, an `all` or an `any` of tests (while it is
//! undecided, every test seen so far went the one way that leaves it open, and it is decided
//! when a test goes the other way or its last question is answered); a bit a clause for one
//! written as clauses; the values of its tests for any other. Two partial outcomes equal in
//! all of that cannot be told apart by any later answer, so they are kept once, with one
//! example, the counts, and the rules fired on any path into them.
//!
//! A rule whose effects the tally so far already holds (a referral keeps only its urgency
//! in a coarse sweep, a positive score stays positive) can no longer change the outcome:
//! it is marked decided (absorbed), so that partial outcomes that differed only in whether
//! it will fire merge. This is what keeps a few hundred joined rules to a few hundred partial
//! outcomes.
//!
//! Members (rules and watches) with the same condition share one followed condition.
//! Members that read one question only are folded in per class before the sweep, and the
//! classes of a question that do the same are swept once. Partial outcomes live in flat
//! arrays, found again through a hash table of indices: no allocation per partial outcome.

use super::prove::{truth_of, Example, Parts, Pin, Spec, Variant, MAX_STATES};
use super::Uncoverable;
use crate::condition::{Clauses, Condition, Truth};
use crate::engine::{FiredRules, Tally};
use hashbrown::HashTable;
use std::hash::{BuildHasher, Hasher};
use std::mem::size_of;

/// How a followed condition is decided as its questions are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One test, or an `all` of tests: false at the first false test, true after the last.
    All,
    /// An `any` of tests: true at the first true test, false after the last.
    Any,
    /// Clauses (see [`clauses`]): one bit a clause, set once one of its tests goes its way;
    /// false when a clause's last question passes with its bit unset, true when all are set.
    Clauses,
    /// Anything else: the values of its tests are kept and the condition evaluated on them.
    General,
}

fn shape(condition: &Condition, clauses: Option<&Clauses>) -> Shape {
    let test = |c: &Condition| c.test_question().is_some();
    match condition {
        Condition::All(parts) if parts.iter().all(test) => Shape::All,
        Condition::Any(parts) if parts.iter().all(test) => Shape::Any,
        c if test(c) => Shape::All,
        _ if clauses.is_some() => Shape::Clauses,
        _ => Shape::General,
    }
}

/// What deciding a followed condition does for one of the members that share it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A rule: its effect when the condition holds.
    Rule,
    /// The required member: the verdict is recorded (this side only).
    Required,
    /// A constraint: failing it drops the partial outcome.
    Constraint,
    /// A safety statement (its index): holding, it stays marked until the effects settle it.
    Statement(usize),
}

/// A followed condition and the members that share it.
#[derive(Debug, Clone)]
struct Slot {
    /// The first member with this condition (its tests and clauses stand for all).
    member: usize,
    /// Each member: its role and whether it is followed on each side.
    roles: Vec<(usize, Role, [bool; 2])>,
    shape: Shape,
    /// The position (in the sweep order) of the last question it reads.
    last: usize,
    /// Where its extra bits start in a side's seen bits: 2 a test (`General`), 1 a clause
    /// (`Clauses`).
    seen_at: usize,
    /// For `Clauses`: the position of the last question each clause reads.
    clause_last: Vec<usize>,
    tests: usize,
    /// Followed on this side, on the other side (by any of its members).
    active: [bool; 2],
    /// Some member is a statement: its "holds, not yet settled" bit is used.
    statement: bool,
    /// On each side, when every member followed there is a rule: their effects folded, to
    /// see when the side's tally absorbs them (see `Parts::absorb`).
    folded: [Option<Tally>; 2],
}

/// The values a transition gives one reader's tests on the question: for `All` whether
/// every one holds, for `Any` whether one does, for `Clauses` which clauses it satisfies,
/// for `General` each test's (2 = true, 1 = false).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Values {
    All(bool),
    Any(bool),
    Clauses(u64),
    General(Vec<(usize, u8)>),
}

/// Transitions of one question that do the same in a sweep: the first stands for all.
struct Group {
    this_class: usize,
    other_class: usize,
    pin: Option<Pin>,
    /// Folded effects of the one-question members, on each side.
    tallies: [Tally; 2],
    /// The one-question rules that fire on this side.
    fired: FiredRules,
    /// The one-question statements that hold on this side (by statement index).
    held: FiredRules,
    /// The required member's verdict, when it reads only this question.
    required: Option<bool>,
    /// Per reader of the question (see `Plan::readers`), on each side.
    values: [Vec<Values>; 2],
    /// One-question statements that hold unsettled with this class (their slots' bits).
    applies: Vec<u64>,
    classes: u128,
    answers: u128,
}

/// How one sweep lays out a side: decided bits, then "holds, not yet settled" bits
/// (statements only), then seen bits.
struct Plan {
    slots: Vec<Slot>,
    /// Per question position: the slots with several questions reading it.
    readers: Vec<Vec<usize>>,
    /// Per question position: the one-question slots of statements reading it.
    single_statements: Vec<Vec<usize>>,
    decided_words: usize,
    applies_words: usize,
    /// Words of one side.
    side_words: usize,
    two_sided: bool,
    /// Keep, per partial outcome, the rules fired on any path into it.
    track_fired: bool,
    /// On each side, the slots that can be absorbed (see `Parts::absorb`).
    absorbing: [Vec<usize>; 2],
    /// Those of them whose rules need not be followed with no referral ([`Spec::unfollowed`]).
    absorbing_unreferred: [Vec<usize>; 2],
}

impl Plan {
    /// Words of one partial outcome's bits: each side's, then one of flags.
    fn stride(&self) -> usize {
        self.side_words * self.sides() + 1
    }

    fn sides(&self) -> usize {
        if self.two_sided {
            2
        } else {
            1
        }
    }
}

/// A partial outcome's link to the one it came from, for its example.
#[derive(Debug, Clone, Copy)]
struct Link {
    parent: u32,
    this_class: u32,
    other_class: u32,
    pin: Option<Pin>,
}

/// One layer of partial outcomes (after a question).
#[derive(Default)]
struct Layer {
    tallies: Vec<[Tally; 2]>,
    bits: Vec<u64>,
    links: Vec<Link>,
    counts: Vec<(u128, u128)>,
    /// With `Plan::track_fired`: the rules fired on any path into each.
    fired: Vec<FiredRules>,
    /// With `Plan::track_fired`: the statements that held on any path into each.
    held: Vec<FiredRules>,
}

impl Layer {
    fn len(&self) -> usize {
        self.tallies.len()
    }

    /// Empty, its buffers kept.
    fn clear(&mut self) {
        self.tallies.clear();
        self.bits.clear();
        self.links.clear();
        self.counts.clear();
        self.fired.clear();
        self.held.clear();
    }
}

const REQUIRED_FALSE: u64 = 1;
const REQUIRED_TRUE: u64 = 2;

/// The hasher of the sweep's tables (the keys are the checker's own values).
type Hashing = foldhash::fast::FixedState;

fn hash_state(hashing: &Hashing, tallies: &[Tally; 2], bits: &[u64]) -> u64 {
    let mut hasher = hashing.build_hasher();
    for word in tallies[0].words().into_iter().chain(tallies[1].words()).chain(bits.iter().copied()) {
        hasher.write_u64(word);
    }
    hasher.finish()
}

/// The hash of a group's key: its tallies, required verdict and packed values.
fn hash_group(hashing: &Hashing, tallies: &[Tally; 2], required: Option<bool>, sig: &[u64]) -> u64 {
    let mut hasher = hashing.build_hasher();
    let required = required.map_or(0, |r| 1 + u64::from(r));
    for word in tallies[0].words().into_iter().chain(tallies[1].words()).chain([required]).chain(sig.iter().copied()) {
        hasher.write_u64(word);
    }
    hasher.finish()
}

/// What a transition did on this side, beside the bits: the rules that fired, the
/// statements that held.
struct Step {
    fired: FiredRules,
    held: FiredRules,
    dead: bool,
}

impl Step {
    const NONE: Step = Step { fired: FiredRules::EMPTY, held: FiredRules::EMPTY, dead: false };

    fn add(&mut self, other: Step) {
        self.fired = self.fired.union(other.fired);
        self.held = self.held.union(other.held);
        self.dead |= other.dead;
    }
}

/// Records that statement `index` held (statements past what a bit set holds go untracked:
/// their vacuity is then searched for).
fn hold(held: &mut FiredRules, index: usize) {
    if index < crate::rules::MAX_RULES {
        held.insert(index);
    }
}

impl Parts<'_> {
    /// The slots, their layout and the readers of each question, for one spec.
    fn plan(&self, component: usize, spec: &Spec<'_>, order: &[usize]) -> Plan {
        let require = spec.require.map(|(r, _)| r);
        let (this_out, other_out) = self.left_out(component, spec);
        let two_sided = spec.pinned.is_some()
            || spec.without != FiredRules::default()
            || spec.this_without != FiredRules::default();
        let position = |q: usize| order.iter().position(|o| *o == q).unwrap_or(0);
        let mut slots: Vec<Slot> = Vec::new();
        let mut seen_bits = 0;
        for &member in &self.components[component].members {
            let statement = self.statement_of(member).filter(|_| spec.statements);
            let active = [
                statement.is_some() || !self.inactive(member, this_out, require),
                two_sided && !self.inactive(member, other_out, None),
            ];
            if !(active[0] || active[1]) || (self.single[member] && statement.is_none()) {
                continue;
            }
            let role = match statement {
                Some(index) => Role::Statement(index),
                None if Some(member) == require => Role::Required,
                None if self.is_constraint(member) => Role::Constraint,
                None => Role::Rule,
            };
            let when = self.when(member);
            // A followed condition equal to this one takes it as one more member.
            if let Some(slot) =
                slots.iter_mut().find(|s| self.single[s.member] == self.single[member] && *self.when(s.member) == *when)
            {
                slot.roles.push((member, role, active));
                slot.active = [slot.active[0] || active[0], slot.active[1] || active[1]];
                slot.statement |= statement.is_some();
                slot.folded = fold(slot.folded, self.effect(member), role, active);
                continue;
            }
            let tests = self.atoms[member].len();
            let shape = shape(when, self.clauses[member].as_ref());
            let last = self.atoms[member].iter().map(|(q, _)| position(*q)).max().unwrap_or(0);
            let seen_at = seen_bits;
            let mut clause_last = Vec::new();
            match (shape, &self.clauses[member]) {
                (Shape::General, _) => seen_bits += 2 * tests,
                (Shape::Clauses, Some(clauses)) => {
                    let atoms = &self.atoms[member];
                    let clause_position = |c: &Vec<(usize, bool)>| c.iter().map(|(t, _)| position(atoms[*t].0)).max();
                    clause_last = clauses.iter().map(|c| clause_position(c).unwrap_or(0)).collect();
                    seen_bits += clauses.len();
                }
                _ => {}
            }
            slots.push(Slot {
                member,
                roles: vec![(member, role, active)],
                shape,
                last,
                seen_at,
                clause_last,
                tests,
                active,
                statement: statement.is_some(),
                folded: fold([Some(Tally::NONE); 2], self.effect(member), role, active),
            });
        }
        let reads = |s: &Slot, q: usize| self.atoms[s.member].iter().any(|(t, _)| *t == q);
        let readers = order
            .iter()
            .map(|q| (0..slots.len()).filter(|s| !self.single[slots[*s].member] && reads(&slots[*s], *q)).collect())
            .collect();
        let single_statements = order
            .iter()
            .map(|q| (0..slots.len()).filter(|s| self.single[slots[*s].member] && reads(&slots[*s], *q)).collect())
            .collect();
        let decided_words = slots.len().div_ceil(64);
        let applies_words = if spec.statements { decided_words } else { 0 };
        let side_words = decided_words + applies_words + seen_bits.div_ceil(64);
        let track_fired = spec.statements;
        // An exact tally changes with every weight, so a rule that weighs a style is never
        // absorbed there.
        let absorbing = [0, 1].map(|side| {
            let can = |folded: &Tally| spec.coarse || !folded.weighs();
            let absorbs = |s: &usize| slots[*s].active[side] && slots[*s].folded[side].as_ref().is_some_and(can);
            (0..slots.len()).filter(absorbs).collect::<Vec<usize>>()
        });
        let seen = |s: &&usize| {
            let rules = slots[**s].roles.iter().filter(|(_, role, _)| *role == Role::Rule);
            rules.map(|(member, _, _)| *member).all(|m| spec.unfollowed.contains(m))
        };
        let absorbing_unreferred = [0, 1].map(|side| absorbing[side].iter().filter(seen).copied().collect());
        Plan {
            slots,
            readers,
            single_statements,
            decided_words,
            applies_words,
            side_words,
            two_sided,
            track_fired,
            absorbing,
            absorbing_unreferred,
        }
    }

    /// The rules left out of each side.
    fn left_out(&self, component: usize, spec: &Spec<'_>) -> (FiredRules, FiredRules) {
        let mut left_out = FiredRules::default();
        if let Some(only) = spec.only {
            self.components[component].rules.iter().filter(|r| !only.contains(**r)).for_each(|r| left_out.insert(*r));
        }
        (left_out.union(spec.this_without), left_out.union(spec.without))
    }

    /// A question's transitions grouped by what they do: the folded effects of the members
    /// that read only this question, the required verdict, the statements that then hold
    /// unsettled, and what the other readers see. Each class is reduced to packed words,
    /// looked up without allocating.
    fn groups(&self, component: usize, spec: &Spec<'_>, plan: &Plan, position: usize, question: usize) -> Vec<Group> {
        let require = spec.require.map(|(r, _)| r);
        let (this_out, other_out) = self.left_out(component, spec);
        let sides = plan.sides();
        let members = &self.components[component].members;
        let reads_here = |m: &usize| self.single[*m] && self.atoms[*m].first().is_some_and(|(q, _)| *q == question);
        // The one-question members (statements aside) followed on some side.
        let singles: Vec<usize> = members
            .iter()
            .copied()
            .filter(reads_here)
            .filter(|m| !(spec.statements && self.statement_of(*m).is_some()))
            .filter(|m| !self.inactive(*m, this_out, require) || (sides == 2 && !self.inactive(*m, other_out, None)))
            .collect();
        let single_statements = &plan.single_statements[position];
        // Where each reader's values go in a side's packed words: (bit, its tests here).
        let readers = &plan.readers[position];
        let mut layout = Vec::with_capacity(readers.len());
        let mut width = 0;
        for &s in readers {
            let slot = &plan.slots[s];
            let tests: Vec<usize> = self.atoms[slot.member]
                .iter()
                .enumerate()
                .filter(|(_, (q, _))| *q == question)
                .map(|(i, _)| i)
                .collect();
            let bits = match slot.shape {
                Shape::General => 2 * tests.len(),
                Shape::Clauses => self.clauses[slot.member].as_ref().map_or(0, Vec::len),
                Shape::All | Shape::Any => 1,
            };
            layout.push((width, tests));
            width += bits;
        }
        let side_sig = width.div_ceil(64);
        let sig_words = plan.applies_words + sides * side_sig;
        let transitions = self.transitions(question, spec);
        if singles.is_empty() && single_statements.is_empty() && readers.is_empty() {
            // Nothing followed reads the question: every class does the same.
            let answers = transitions
                .iter()
                .map(|t| self.space.questions[question].classes[t.0].answers)
                .fold(0, u128::saturating_add);
            return transitions
                .first()
                .map(|&(this_class, other_class, pin)| Group {
                    this_class,
                    other_class,
                    pin,
                    tallies: [Tally::NONE; 2],
                    fired: FiredRules::default(),
                    required: None,
                    values: [Vec::new(), Vec::new()],
                    applies: vec![0; plan.applies_words],
                    held: FiredRules::default(),
                    classes: transitions.len() as u128,
                    answers,
                })
                .into_iter()
                .collect();
        }
        let hashing = Hashing::default();
        let mut table: HashTable<u32> = HashTable::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut sigs: Vec<u64> = Vec::new();
        let mut sig = vec![0u64; sig_words];
        let (watches_here, rules_here): (Vec<usize>, Vec<usize>) = singles.iter().partition(|m| self.is_watch(**m));
        // A side that follows every rule reading this question alone takes their folded
        // effects (when the rules fired need not be kept).
        let whole = [(this_out, require), (other_out, None)].map(|(out, require)| {
            let followed = |r: &usize| !out.contains(*r) && Some(*r) != require;
            !plan.track_fired && self.single_rules[question].iter().all(followed)
        });
        for (this_class, other_class, pin) in transitions {
            let classes = [this_class, other_class];
            let mut tallies = [Tally::NONE; 2];
            let mut fired = FiredRules::default();
            let mut required = None;
            let mut dead = false;
            for &member in &watches_here {
                for (side, out) in [(0, this_out), (1, other_out)].into_iter().take(sides) {
                    let require = if side == 0 { require } else { None };
                    if self.inactive(member, out, require) {
                        continue;
                    }
                    let holds = self.single_values[member][classes[side]];
                    if Some(member) == require {
                        required = Some(holds);
                    } else if self.is_constraint(member) {
                        dead |= !holds;
                    }
                }
            }
            for (side, out) in [(0, this_out), (1, other_out)].into_iter().take(sides) {
                if whole[side] {
                    tallies[side] = self.single_tallies[question][classes[side]];
                    continue;
                }
                let require = if side == 0 { require } else { None };
                for &member in rules_here.iter().filter(|m| !out.contains(**m)) {
                    let holds = self.single_values[member][classes[side]];
                    if Some(member) == require {
                        required = Some(holds);
                    } else if holds {
                        tallies[side].add(self.effect(member));
                        if side == 0 {
                            fired.insert(member);
                        }
                    }
                }
            }
            if dead {
                continue;
            }
            self.project(spec, &mut tallies);
            sig.fill(0);
            let mut held = FiredRules::default();
            for &s in single_statements {
                let slot = &plan.slots[s];
                if !self.single_values[slot.member][this_class] {
                    continue;
                }
                for (_, role, _) in &slot.roles {
                    if let Role::Statement(index) = role {
                        hold(&mut held, *index);
                    }
                }
                // Settled by this question's own effects: settled whatever comes with it.
                let unsettled = slot.roles.iter().any(|(_, role, _)| match role {
                    Role::Statement(index) => !self.demands[*index].settled_by(&tallies[0]),
                    _ => false,
                });
                if unsettled {
                    set_bit(&mut sig, s, true);
                }
            }
            for side in 0..sides {
                let base = (plan.applies_words + side * side_sig) * 64;
                for (&s, (bit, tests)) in readers.iter().zip(&layout) {
                    let slot = &plan.slots[s];
                    let values = &self.test_values[slot.member];
                    let at = base + bit;
                    let mut held = tests.iter().map(|t| values[*t][classes[side]]);
                    match slot.shape {
                        Shape::All => set_bit(&mut sig, at, held.all(|h| h)),
                        Shape::Any => set_bit(&mut sig, at, held.any(|h| h)),
                        Shape::Clauses => {
                            let clauses = self.clauses[slot.member].as_deref().unwrap_or_default();
                            let atoms = &self.atoms[slot.member];
                            for (k, clause) in clauses.iter().enumerate() {
                                let goes = |(t, negated): &(usize, bool)| {
                                    atoms[*t].0 == question && values[*t][classes[side]] != *negated
                                };
                                set_bit(&mut sig, at + k, clause.iter().any(goes));
                            }
                        }
                        Shape::General => {
                            for (k, h) in held.enumerate() {
                                set_two_bits(&mut sig, at + 2 * k, 1 + u8::from(h));
                            }
                        }
                    }
                }
            }
            let answers = self.space.questions[question].classes[this_class].answers;
            let hash = hash_group(&hashing, &tallies, required, &sig);
            let found = table.find(hash, |&g| {
                let g = g as usize;
                groups[g].tallies == tallies
                    && groups[g].required == required
                    && sigs[g * sig_words..(g + 1) * sig_words] == sig[..]
            });
            if let Some(&g) = found {
                let group = &mut groups[g as usize];
                group.classes += 1;
                group.answers = group.answers.saturating_add(answers);
                // The classes of a group fire different one-question rules to the same effect.
                group.fired = group.fired.union(fired);
                group.held = group.held.union(held);
                continue;
            }
            let values = [0, 1].map(|side| {
                if side >= sides {
                    return Vec::new();
                }
                let base = (plan.applies_words + side * side_sig) * 64;
                readers
                    .iter()
                    .zip(&layout)
                    .map(|(&s, (bit, tests))| match plan.slots[s].shape {
                        Shape::All => Values::All(get_bit(&sig, base + bit)),
                        Shape::Any => Values::Any(get_bit(&sig, base + bit)),
                        Shape::Clauses => {
                            let count = self.clauses[plan.slots[s].member].as_ref().map_or(0, Vec::len);
                            Values::Clauses(
                                (0..count).fold(0, |m, k| m | u64::from(get_bit(&sig, base + bit + k)) << k),
                            )
                        }
                        Shape::General => Values::General(
                            tests.iter().enumerate().map(|(k, t)| (*t, two_bits(&sig, base + bit + 2 * k))).collect(),
                        ),
                    })
                    .collect()
            });
            let at = groups.len() as u32;
            table.insert_unique(hash, at, |&g| {
                let g = g as usize;
                hash_group(&hashing, &groups[g].tallies, groups[g].required, &sigs[g * sig_words..(g + 1) * sig_words])
            });
            sigs.extend_from_slice(&sig);
            groups.push(Group {
                this_class,
                other_class,
                pin,
                tallies,
                fired,
                held,
                required,
                values,
                applies: sig[..plan.applies_words].to_vec(),
                classes: 1,
                answers,
            });
        }
        groups
    }

    /// A component's reachable outcomes under a spec, swept question by question and
    /// merged whenever two partial outcomes can no longer be told apart.
    pub(crate) fn variants(&self, component: usize, spec: &Spec<'_>) -> Result<Vec<Variant>, Uncoverable> {
        let order = &self.components[component].questions;
        let plan = self.plan(component, spec, order);
        let stride = plan.stride();
        let hashing = Hashing::default();
        // Two layers, the one swept from and the one swept into, their buffers reused (a new
        // allocation each layer cost as much in page faults as the sweep itself); only the
        // links are kept for every layer, for the examples.
        let mut previous = self.start(spec, &plan);
        let mut links = vec![std::mem::take(&mut previous.links)];
        let mut next = Layer::default();
        let mut table: HashTable<u32> = HashTable::new();
        let mut scratch = vec![0u64; stride];
        // What a partial outcome holds, for the memory budget (links are kept for every layer).
        let fired_size = if plan.track_fired { 2 * size_of::<FiredRules>() } else { 0 };
        let per_state =
            size_of::<[Tally; 2]>() + 8 * stride + size_of::<Link>() + size_of::<(u128, u128)>() + fired_size + 8;
        let mut kept_links = 0usize;
        for (position, &question) in order.iter().enumerate() {
            let groups = self.groups(component, spec, &plan, position, question);
            next.clear();
            table.clear();
            for state in 0..previous.len() {
                // The work is the transitions, merged or not (see `Allowance::step`).
                let held = || (previous.len() + next.len()) * per_state + kept_links * size_of::<Link>();
                if let Some(limit) = self.allowance.step(groups.len() as u64, held) {
                    return Err(Uncoverable::OverBudget { limit, entangled: self.entangled(component) });
                }
                let (count, weight) = previous.counts[state];
                for group in &groups {
                    scratch.copy_from_slice(&previous.bits[state * stride..(state + 1) * stride]);
                    let mut tallies = previous.tallies[state];
                    if let Some(required) = group.required {
                        scratch[stride - 1] = if required { REQUIRED_TRUE } else { REQUIRED_FALSE };
                    }
                    for (word, bits) in group.applies.iter().enumerate() {
                        scratch[plan.decided_words + word] |= bits;
                    }
                    let mut this = Step { fired: group.fired, held: group.held, dead: false };
                    for (side, tally) in tallies.iter_mut().enumerate().take(plan.sides()) {
                        tally.merge(&group.tallies[side]);
                        let step = self.apply(&plan, position, side, &group.values[side], tally, &mut scratch);
                        if side == 0 {
                            this.add(step);
                        } else {
                            this.dead |= step.dead;
                        }
                    }
                    let (fired, held, dead) = (this.fired, this.held, this.dead);
                    if !plan.two_sided {
                        tallies[1] = tallies[0];
                    }
                    self.project(spec, &mut tallies);
                    let before = &previous.tallies[state];
                    for (side, tally) in tallies.iter().enumerate().take(plan.sides()) {
                        if *tally != before[side] {
                            self.absorb(spec, &plan, side, tally, &mut scratch);
                        }
                    }
                    if dead || !self.keep(spec, &tallies, &scratch) {
                        continue; // answers no person can give, or that cannot matter
                    }
                    let (classes, answers) = (count * group.classes, weight.saturating_mul(group.answers));
                    let hash = hash_state(&hashing, &tallies, &scratch);
                    let found = table.find(hash, |&i| {
                        let i = i as usize;
                        next.tallies[i] == tallies && next.bits[i * stride..(i + 1) * stride] == scratch[..]
                    });
                    if let Some(&at) = found {
                        let at = at as usize;
                        let counts = &mut next.counts[at];
                        counts.0 += classes;
                        counts.1 = counts.1.saturating_add(answers);
                        if plan.track_fired {
                            next.fired[at] = next.fired[at].union(previous.fired[state]).union(fired);
                            next.held[at] = next.held[at].union(previous.held[state]).union(held);
                        }
                        continue;
                    }
                    let at = next.len() as u32;
                    table.insert_unique(hash, at, |&i| {
                        let i = i as usize;
                        hash_state(&hashing, &next.tallies[i], &next.bits[i * stride..(i + 1) * stride])
                    });
                    next.tallies.push(tallies);
                    next.bits.extend_from_slice(&scratch);
                    next.links.push(Link {
                        parent: state as u32,
                        this_class: group.this_class as u32,
                        other_class: group.other_class as u32,
                        pin: group.pin,
                    });
                    next.counts.push((classes, answers));
                    if plan.track_fired {
                        next.fired.push(previous.fired[state].union(fired));
                        next.held.push(previous.held[state].union(held));
                    }
                    if next.len() > MAX_STATES {
                        let question = self.rule_set.questionnaire.questions[question].id.to_string();
                        let entangled = self.entangled(component);
                        return Err(Uncoverable::TooManyOutcomes { question, max: MAX_STATES, entangled });
                    }
                }
            }
            kept_links += next.links.len();
            links.push(std::mem::take(&mut next.links));
            std::mem::swap(&mut previous, &mut next);
        }
        Ok(self.finish(component, spec, &plan, &previous, &links))
    }

    /// The start: nothing answered; what is not followed on a side counts as decided there,
    /// and conditions settled before any answer are decided.
    fn start(&self, spec: &Spec<'_>, plan: &Plan) -> Layer {
        let stride = plan.stride();
        let mut bits = vec![0u64; stride];
        let mut tallies = [Tally::NONE; 2];
        // This side's step, and the other side's (only whether it is dead counts there).
        let mut steps = [Step::NONE, Step::NONE];
        for side in 0..plan.sides() {
            for (s, slot) in plan.slots.iter().enumerate() {
                if !slot.active[side] {
                    bits[side * plan.side_words + s / 64] |= 1 << (s % 64);
                    continue;
                }
                let unknown = vec![0u8; slot.tests];
                if let Some(holds) = truth_of(self.when(slot.member), &unknown).known() {
                    self.record(plan, (s, side, holds), &mut tallies[side], &mut bits, &mut steps[side]);
                }
            }
        }
        let [this, other] = steps;
        let dead = this.dead || other.dead;
        if plan.applies_words > 0 {
            self.settle_statements(plan, &tallies[0], &mut bits);
        }
        if !plan.two_sided {
            tallies[1] = tallies[0];
        }
        self.project(spec, &mut tallies);
        for (side, tally) in tallies.iter().enumerate().take(plan.sides()) {
            self.absorb(spec, plan, side, tally, &mut bits);
        }
        let mut start = Layer::default();
        if !dead && self.keep(spec, &tallies, &bits) {
            start.tallies.push(tallies);
            start.bits.extend_from_slice(&bits);
            start.links.push(Link { parent: 0, this_class: 0, other_class: 0, pin: None });
            start.counts.push((1, 1));
            if plan.track_fired {
                start.fired.push(this.fired);
                start.held.push(this.held);
            }
        }
        start
    }

    /// Whether a partial outcome is worth keeping: the required member not decided the
    /// other way, and the spec's cut not reached.
    fn keep(&self, spec: &Spec<'_>, tallies: &[Tally; 2], bits: &[u64]) -> bool {
        let flags = bits[bits.len() - 1];
        let wrong = match spec.require {
            Some((_, true)) => flags == REQUIRED_FALSE,
            Some((_, false)) => flags == REQUIRED_TRUE,
            None => false,
        };
        let cut = spec.cut.is_some_and(|cut| cut(tallies[0].urgency, tallies[1].urgency));
        !(wrong || cut)
    }

    /// One side's readers of the question at `position`, given the transition's values.
    fn apply(
        &self,
        plan: &Plan,
        position: usize,
        side: usize,
        values: &[Values],
        tally: &mut Tally,
        bits: &mut [u64],
    ) -> Step {
        let base = side * plan.side_words;
        let mut step = Step::NONE;
        for (reader, &s) in plan.readers[position].iter().enumerate() {
            if bits[base + s / 64] & (1 << (s % 64)) != 0 {
                continue; // decided, or not followed on this side
            }
            let slot = &plan.slots[s];
            let at = (base + plan.decided_words + plan.applies_words) * 64 + slot.seen_at;
            let verdict = match &values[reader] {
                Values::All(held) => (!held || slot.last == position).then_some(*held),
                Values::Any(held) => (*held || slot.last == position).then_some(*held),
                Values::Clauses(going) => clauses_verdict(slot, position, *going, bits, at),
                Values::General(seen) => self.general_verdict(slot, seen, bits, at),
            };
            if let Some(holds) = verdict {
                self.record(plan, (s, side, holds), tally, bits, &mut step);
            }
        }
        if plan.applies_words > 0 && side == 0 {
            self.settle_statements(plan, tally, bits);
        }
        step
    }

    /// Marks decided, on a side, every slot still open there whose rules can no longer
    /// change the side's tally: their folded effects added to it leave it as it is (in a
    /// coarse sweep, a referral absorbs every rule that refers no higher, and a style's
    /// positive score more weight for it; in any sweep, a cap no lower, styles already
    /// forbidden). It stays absorbed, since effects only add up, so whether such a rule will
    /// fire no longer tells partial outcomes apart, and they merge. Called whenever a side's
    /// tally changes: every partial outcome has all it absorbs marked.
    ///
    /// An absorbed rule is no longer seen to fire. So where the rules fired are kept (the
    /// statements sweep), only a referral absorbs, but for the rules not followed
    /// ([`Spec::unfollowed`], already seen to fire with none): the rules fired are then
    /// exact for every outcome with no referral, but for those, the ones the checker reads
    /// that way.
    fn absorb(&self, spec: &Spec<'_>, plan: &Plan, side: usize, tally: &Tally, bits: &mut [u64]) {
        let base = side * plan.side_words;
        let absorbing = match plan.track_fired && tally.urgency.is_none() {
            true => &plan.absorbing_unreferred[side],
            false => &plan.absorbing[side],
        };
        for &s in absorbing {
            let slot = &plan.slots[s];
            if bits[base + s / 64] & (1 << (s % 64)) != 0 {
                continue;
            }
            let Some(folded) = &slot.folded[side] else { continue };
            let mut after = *tally;
            after.merge(folded);
            if self.projected(spec.coarse, after) != *tally {
                continue;
            }
            bits[base + s / 64] |= 1 << (s % 64);
            let at = (base + plan.decided_words + plan.applies_words) * 64 + slot.seen_at;
            let seen = match slot.shape {
                Shape::General => 2 * slot.tests,
                Shape::Clauses => slot.clause_last.len(),
                Shape::All | Shape::Any => 0,
            };
            (at..at + seen).for_each(|bit| clear_bit(bits, bit));
        }
    }

    /// Records the seen values of a `General` slot and evaluates it on them.
    fn general_verdict(&self, slot: &Slot, seen: &[(usize, u8)], bits: &mut [u64], at: usize) -> Option<bool> {
        for (test, value) in seen {
            set_two_bits(bits, at + 2 * test, *value);
        }
        // On the stack for the usual few tests: this runs once a transition.
        let mut buffer = [0u8; 32];
        let mut long = Vec::new();
        let values: &mut [u8] = if slot.tests <= buffer.len() {
            &mut buffer[..slot.tests]
        } else {
            long.resize(slot.tests, 0);
            &mut long
        };
        for (t, value) in values.iter_mut().enumerate() {
            *value = two_bits(bits, at + 2 * t);
        }
        let verdict = truth_of(self.when(slot.member), values).known();
        if verdict.is_some() {
            (0..slot.tests).for_each(|t| set_two_bits(bits, at + 2 * t, 0));
        }
        verdict
    }

    /// Clears the "holds, not yet settled" bit of every slot whose statements the effects
    /// now settle (they stay settled: urgency only rises, forbidden styles and caps only add
    /// up).
    fn settle_statements(&self, plan: &Plan, tally: &Tally, bits: &mut [u64]) {
        for word in 0..plan.applies_words {
            let mut rest = bits[plan.decided_words + word];
            while rest != 0 {
                let s = word * 64 + rest.trailing_zeros() as usize;
                rest &= rest - 1;
                let settled = plan.slots[s].roles.iter().all(|(_, role, _)| match role {
                    Role::Statement(index) => self.demands[*index].settled_by(tally),
                    _ => true,
                });
                if settled {
                    bits[plan.decided_words + s / 64] &= !(1 << (s % 64));
                }
            }
        }
    }

    /// Records a slot's verdict on a side, for each member sharing it: a rule's effect, the
    /// required verdict, a failed constraint, a statement that holds.
    /// The slot, the side and the verdict come together; `step` gathers what it did.
    fn record(
        &self,
        plan: &Plan,
        (s, side, holds): (usize, usize, bool),
        tally: &mut Tally,
        bits: &mut [u64],
        step: &mut Step,
    ) {
        let slot = &plan.slots[s];
        bits[side * plan.side_words + s / 64] |= 1 << (s % 64);
        for &(member, role, active) in &slot.roles {
            if !active[side] {
                continue;
            }
            match role {
                Role::Statement(index) if holds && side == 0 => {
                    bits[plan.decided_words + s / 64] |= 1 << (s % 64);
                    hold(&mut step.held, index);
                }
                Role::Statement(_) => {}
                Role::Required if side == 0 => {
                    let flags = bits.len() - 1;
                    bits[flags] = if holds { REQUIRED_TRUE } else { REQUIRED_FALSE };
                }
                Role::Constraint => step.dead |= !holds,
                Role::Rule | Role::Required if holds => {
                    tally.add(self.effect(member));
                    step.fired.insert(member);
                }
                Role::Rule | Role::Required => {}
            }
        }
    }

    /// Final outcomes: the required member settled, equal outcomes merged, each with an
    /// example and the rules it fires on each side.
    fn finish(
        &self,
        component: usize,
        spec: &Spec<'_>,
        plan: &Plan,
        last: &Layer,
        links: &[Vec<Link>],
    ) -> Vec<Variant> {
        let stride = plan.stride();
        let (this_out, other_out) = self.left_out(component, spec);
        let mut variants: Vec<Variant> = Vec::new();
        let mut seen: std::collections::HashMap<([Tally; 2], Vec<u64>), usize, Hashing> =
            std::collections::HashMap::default();
        for state in 0..last.len() {
            let flags = last.bits[(state + 1) * stride - 1];
            let applies = last.bits[state * stride + plan.decided_words..][..plan.applies_words].to_vec();
            let mut tallies = last.tallies[state];
            if let Some((member, wanted)) = spec.require {
                if flags != if wanted { REQUIRED_TRUE } else { REQUIRED_FALSE } {
                    continue;
                }
                if wanted && !self.is_watch(member) {
                    tallies[0].add(self.effect(member));
                    if !plan.two_sided {
                        tallies[1] = tallies[0];
                    }
                    self.project(spec, &mut tallies);
                }
            }
            let (classes, answers) = last.counts[state];
            let ever_fired = last.fired.get(state).copied().unwrap_or_default();
            let ever_held = last.held.get(state).copied().unwrap_or_default();
            let statements = applies_statements(plan, &applies);
            let key = (tallies, applies);
            if let Some(&at) = seen.get(&key) {
                let variant: &mut Variant = &mut variants[at];
                variant.classes += classes;
                variant.answers = variant.answers.saturating_add(answers);
                variant.ever_fired = variant.ever_fired.union(ever_fired);
                variant.ever_held = variant.ever_held.union(ever_held);
                continue;
            }
            seen.insert(key, variants.len());
            let example = self.example(links, state);
            let fired = self.fired_on(component, &example, false, this_out);
            let other = if plan.two_sided { self.fired_on(component, &example, true, other_out) } else { fired };
            variants.push(Variant {
                fired,
                other,
                refer: tallies[0].urgency,
                other_refer: tallies[1].urgency,
                example,
                classes,
                answers,
                statements,
                tallies,
                ever_fired,
                ever_held,
            });
        }
        variants
    }

    /// The example of a final partial outcome: its classes on each side, from its links.
    fn example(&self, links: &[Vec<Link>], state: usize) -> Example {
        let depth = links.len() - 1;
        let mut classes = vec![0; depth];
        let mut other_classes = vec![0; depth];
        let mut pin = None;
        let mut at = state;
        for layer in (1..=depth).rev() {
            let link = links[layer][at];
            classes[layer - 1] = link.this_class as usize;
            other_classes[layer - 1] = link.other_class as usize;
            pin = pin.or(link.pin);
            at = link.parent as usize;
        }
        Example { classes, other_classes, pin }
    }

    /// The component's rules that fire on one side of an example (those left out aside),
    /// from the classes alone: every answer in a class passes the same tests.
    fn fired_on(&self, component: usize, example: &Example, other: bool, left_out: FiredRules) -> FiredRules {
        let questions = &self.components[component].questions;
        let classes = if other { &example.other_classes } else { &example.classes };
        let mut class_of = vec![0; self.rule_set.questionnaire.questions.len()];
        for (q, class) in questions.iter().zip(classes) {
            class_of[*q] = *class;
        }
        let mut fired = FiredRules::default();
        let mut values = Vec::new();
        for &rule in &self.components[component].rules {
            if left_out.contains(rule) {
                continue;
            }
            let held = |(t, (q, _)): (usize, &(usize, &Condition))| self.test_values[rule][t][class_of[*q]];
            let tests = self.atoms[rule].iter().enumerate();
            let holds = match shape(self.when(rule), self.clauses[rule].as_ref()) {
                Shape::All => tests.into_iter().all(held),
                Shape::Any => tests.into_iter().any(held),
                Shape::Clauses | Shape::General => {
                    values.clear();
                    values.extend(tests.map(|t| 1 + u8::from(held(t))));
                    truth_of(self.when(rule), &values) == Truth::Yes
                }
            };
            if holds {
                fired.insert(rule);
            }
        }
        fired
    }
}

/// A slot's folded effects on each side with one more member: kept while every member
/// followed on the side is a rule.
fn fold(
    folded: [Option<Tally>; 2],
    effect: &crate::rules::Effect,
    role: Role,
    active: [bool; 2],
) -> [Option<Tally>; 2] {
    [0, 1].map(|side| match (folded[side], role) {
        (_, _) if !active[side] => folded[side],
        (Some(mut tally), Role::Rule) => {
            tally.add(effect);
            Some(tally)
        }
        _ => None,
    })
}

/// A `Clauses` slot's verdict once the question's values are in: its clause bits (from
/// `at`) updated, false when a clause ends unsatisfied, true when all are satisfied.
fn clauses_verdict(slot: &Slot, position: usize, going: u64, bits: &mut [u64], at: usize) -> Option<bool> {
    let count = slot.clause_last.len();
    let mut satisfied = 0u64;
    for k in 0..count {
        if going & (1 << k) != 0 {
            set_bit(bits, at + k, true);
        }
        satisfied |= u64::from(get_bit(bits, at + k)) << k;
    }
    let all = if count == 64 { u64::MAX } else { (1u64 << count) - 1 };
    let failed = slot.clause_last.iter().enumerate().any(|(k, l)| *l == position && satisfied & (1 << k) == 0);
    let verdict = if failed { Some(false) } else { (satisfied == all).then_some(true) };
    if verdict.is_some() {
        (0..count).for_each(|k| clear_bit(bits, at + k));
    }
    verdict
}

/// The statements of the slots whose "holds, not yet settled" bit is set.
fn applies_statements(plan: &Plan, applies: &[u64]) -> Vec<usize> {
    let set = |s: &usize| applies.get(s / 64).is_some_and(|word| word & (1 << (s % 64)) != 0);
    let statements = |s: usize| {
        plan.slots[s].roles.iter().filter_map(|(_, role, _)| match role {
            Role::Statement(index) => Some(*index),
            _ => None,
        })
    };
    (0..plan.slots.len()).filter(set).flat_map(statements).collect()
}

fn get_bit(bits: &[u64], at: usize) -> bool {
    bits[at / 64] & (1 << (at % 64)) != 0
}

fn set_bit(bits: &mut [u64], at: usize, value: bool) {
    if value {
        bits[at / 64] |= 1 << (at % 64);
    }
}

fn clear_bit(bits: &mut [u64], at: usize) {
    bits[at / 64] &= !(1 << (at % 64));
}

fn two_bits(bits: &[u64], at: usize) -> u8 {
    ((bits[at / 64] >> (at % 64)) & 3) as u8
}

fn set_two_bits(bits: &mut [u64], at: usize, value: u8) {
    let word = &mut bits[at / 64];
    *word = (*word & !(3 << (at % 64))) | (u64::from(value) << (at % 64));
}
