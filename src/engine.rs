//! The engine: a pure function of (rule set, answers) to an evaluation, with an optional
//! trace. No I/O, no global state, and no allocation on the untraced path.

use crate::answers::Answers;
use crate::condition::Condition;
use crate::questionnaire::Unlikely;
use crate::recommendation::{Pressure, Recommendation, Style, StyleSet, Urgency};
use crate::rules::{Effect, Rule, RuleBits, RuleSet, MAX_RULES};

/// Which rules fired, as a fixed set of bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FiredRules(RuleBits);

impl std::hash::Hash for FiredRules {
    /// Word by word: foldhash takes two words a multiply, where the derived hash (a length,
    /// then the words as bytes) goes through its path for byte strings (measured in batch's
    /// cache of outcomes: that path cost 0.8% more instructions in a whole run).
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for word in self.0 {
            state.write_u64(word);
        }
    }
}

impl FiredRules {
    /// No rule.
    pub const EMPTY: FiredRules = FiredRules([0; MAX_RULES / 64]);

    /// Marks the rule at `index` as fired.
    #[inline]
    pub fn insert(&mut self, index: usize) {
        self.0[index / 64] |= 1 << (index % 64);
    }

    /// Marks the rule at `index` as not fired (the checker asks "what if it had not").
    #[inline]
    pub fn remove(&mut self, index: usize) {
        self.0[index / 64] &= !(1 << (index % 64));
    }

    /// The rules fired in either set (the checker combines independent parts of the answers).
    #[inline]
    pub fn union(self, other: FiredRules) -> FiredRules {
        let mut both = self;
        for (word, more) in both.0.iter_mut().zip(other.0) {
            *word |= more;
        }
        both
    }

    /// The rules in both sets (`rules diff`: the fired rules that are one set's own).
    #[inline]
    pub fn intersection(self, other: FiredRules) -> FiredRules {
        let mut both = self;
        for (word, more) in both.0.iter_mut().zip(other.0) {
            *word &= more;
        }
        both
    }

    /// True when the rule at `index` fired.
    #[inline]
    pub fn contains(&self, index: usize) -> bool {
        self.0[index / 64] & (1 << (index % 64)) != 0
    }

    /// Indices of the fired rules, in rule order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(word, bits)| {
            let mut rest = *bits;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    word * 64 + bit
                })
            })
        })
    }
}

impl FromIterator<usize> for FiredRules {
    /// The set of these rule indices (each below [`MAX_RULES`]); used to decide from rules
    /// known to fire before every question is answered (the intake's early end).
    fn from_iter<I: IntoIterator<Item = usize>>(indices: I) -> Self {
        let mut fired = FiredRules::default();
        for index in indices.into_iter().filter(|i| *i < MAX_RULES) {
            fired.insert(index);
        }
        fired
    }
}

/// Other suitable styles, best first (at most three).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Alternatives {
    styles: [Option<Style>; 3],
}

impl Alternatives {
    /// The styles, best first.
    pub fn iter(&self) -> impl Iterator<Item = Style> + '_ {
        self.styles.iter().flatten().copied()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.styles[0].is_none()
    }
}

/// The outcome of evaluating one answer set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Evaluation {
    /// A style, or a physician first.
    pub recommendation: Recommendation,
    /// With a physician referral: how soon.
    pub urgency: Option<Urgency>,
    /// The most pressure to use (none with a referral).
    pub pressure: Option<Pressure>,
    /// First-session length (none with a referral).
    pub session_minutes: Option<u16>,
    /// Other suitable styles, best first.
    pub alternatives: Alternatives,
    /// Which rules fired.
    pub fired: FiredRules,
    /// No rule recommended an allowed style: the engine refers rather than guess.
    pub undecided: bool,
}

/// See [`Evaluation::is_reason`].
#[inline]
fn is_reason(recommendation: Recommendation, refers: bool) -> bool {
    refers || recommendation != Recommendation::Physician
}

/// The id and sentence given as the reason when no rule settles a style.
pub const UNDECIDED_REASON: (&str, &str) = (
    "no_style_fits",
    "No rule recommends a massage style that is allowed for these answers; a physician or senior therapist should decide before booking.",
);

impl Evaluation {
    /// Whether a fired rule is one of the reasons: the one rule of which rules decided an
    /// outcome. For a referral, the rules that refer; for a massage, every fired rule (each
    /// shaped the style, the pressure or the precautions).
    #[inline]
    pub fn is_reason(&self, refers: bool) -> bool {
        is_reason(self.recommendation, refers)
    }

    /// The indices of the rules that decided, in rule order (see [`Evaluation::is_reason`]).
    pub fn reason_indices<'r>(&self, rule_set: &'r RuleSet) -> impl Iterator<Item = usize> + 'r {
        let (fired, recommendation) = (self.fired, self.recommendation);
        (0..rule_set.rules.len())
            .filter(move |i| fired.contains(*i) && is_reason(recommendation, rule_set.rules[*i].effect.refer.is_some()))
    }

    /// The rules that decided, in rule order.
    pub fn reasons<'r>(&self, rule_set: &'r RuleSet) -> impl Iterator<Item = &'r Rule> + 'r {
        self.reason_indices(rule_set).map(|i| &rule_set.rules[i])
    }

    /// The rule that decides a referral: the first fired rule, in file order, that refers at
    /// the outcome's urgency. Its `tell` (if it has one) is what the person is told, and its
    /// sentence is the reason the desk reads out. `None` without a referral, or when the
    /// referral is the engine's own (no rule settles a style).
    pub fn deciding_rule<'r>(&self, rule_set: &'r RuleSet) -> Option<&'r Rule> {
        let urgency = self.urgency?;
        self.fired.iter().map(|i| &rule_set.rules[i]).find(|rule| rule.effect.refer == Some(urgency))
    }

    /// With a referral, what to tell the person: the deciding rule's own `tell`, else the
    /// policy's sentence for the urgency.
    pub fn tell<'r>(&self, rule_set: &'r RuleSet) -> Option<&'r str> {
        let urgency = self.urgency?;
        let own = self.deciding_rule(rule_set).and_then(|rule| rule.effect.tell.as_deref());
        Some(own.unwrap_or_else(|| rule_set.policy.tell(urgency)))
    }

    /// Sentences for the therapist, in rule order.
    pub fn precautions<'r>(&self, rule_set: &'r RuleSet) -> impl Iterator<Item = &'r str> + 'r {
        self.reasons(rule_set).filter_map(|rule| rule.effect.precaution.as_deref())
    }

    /// Self-care sentences for the client, in rule order.
    pub fn advice<'r>(&self, rule_set: &'r RuleSet) -> impl Iterator<Item = &'r str> + 'r {
        self.reasons(rule_set).filter_map(|rule| rule.effect.advice.as_deref())
    }
}

/// One rule's part in an evaluation.
#[derive(Debug, Clone)]
pub struct RuleTrace<'r> {
    /// The rule.
    pub rule: &'r Rule,
    /// Whether its condition held.
    pub fired: bool,
    /// For a rule that did not fire, the part of its condition that failed.
    pub failed: Option<&'r Condition>,
}

/// What the fired rules add up to, before the style is chosen (also the state the safety
/// checker merges on: two fired sets with equal tallies get the same decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Tally {
    pub(crate) urgency: Option<Urgency>,
    scores: [i32; 4],
    forbidden: StyleSet,
    pressure: Pressure,
    session_minutes: Option<u16>,
}

/// The answers' unlikely combinations (confirmed, never refused): warnings that never
/// change the outcome.
pub fn warnings<'r>(rule_set: &'r RuleSet, answers: &Answers) -> impl Iterator<Item = &'r Unlikely> + 'r {
    let holding: Vec<bool> = rule_set.questionnaire.unlikely.iter().map(|u| u.when.holds(answers)).collect();
    rule_set.questionnaire.unlikely.iter().zip(holding).filter(|(_, holds)| *holds).map(|(u, _)| u)
}

/// Evaluates the rule set on one answer set: one pass over the rules, adding up the
/// effects of those that fire as it goes.
#[inline]
pub fn evaluate(rule_set: &RuleSet, answers: &Answers) -> Evaluation {
    let fired = FiredRules(rule_set.program.fired(&rule_set.rules, answers));
    let mut tally = Tally::new();
    for index in fired.iter() {
        if let Some(effect) = rule_set.program.effect(index) {
            tally.add(effect);
        }
    }
    conclude(rule_set, fired, &tally)
}

/// Evaluates and records every rule's part: fired or not, and what failed. Which rules
/// fired is what [`evaluate`] decided (the trace explains that decision, it does not make
/// one of its own); the failing part is looked up only for the rules that did not fire.
pub fn evaluate_traced<'r>(rule_set: &'r RuleSet, answers: &Answers) -> (Evaluation, Vec<RuleTrace<'r>>) {
    let evaluation = evaluate(rule_set, answers);
    let trace = rule_set
        .rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            let fired = evaluation.fired.contains(index);
            RuleTrace { rule, fired, failed: if fired { None } else { rule.when.failing_part(answers) } }
        })
        .collect();
    (evaluation, trace)
}

/// Combines the effects of the given fired rules by the documented policy (the outcome
/// depends on nothing else).
pub fn decide(rule_set: &RuleSet, fired: FiredRules) -> Evaluation {
    conclude(rule_set, fired, &tally_of(rule_set, fired))
}

/// What a fired set adds up to.
pub(crate) fn tally_of(rule_set: &RuleSet, fired: FiredRules) -> Tally {
    let mut tally = Tally::new();
    for index in fired.iter() {
        if let Some(rule) = rule_set.rules.get(index) {
            tally.add(&rule.effect);
        }
    }
    tally
}

fn conclude(rule_set: &RuleSet, fired: FiredRules, tally: &Tally) -> Evaluation {
    let referral = |urgency, undecided| Evaluation {
        recommendation: Recommendation::Physician,
        urgency: Some(urgency),
        pressure: None,
        session_minutes: None,
        alternatives: Alternatives::default(),
        fired,
        undecided,
    };
    if let Some(urgency) = tally.urgency {
        return referral(urgency, false);
    }
    let ranked = rank_styles(tally, &rule_set.policy.tie_break);
    let Some(best) = ranked[0] else {
        return referral(Urgency::Routine, true);
    };
    // The lowest of the tolerance and every cap (the tally) and the style's own maximum.
    let pressure = tally.pressure_with(rule_set, best);
    Evaluation {
        recommendation: Recommendation::Massage(best),
        urgency: None,
        pressure: Some(pressure),
        session_minutes: Some(tally.session_minutes.unwrap_or(rule_set.policy.session_minutes)),
        alternatives: Alternatives { styles: [ranked[1], ranked[2], ranked[3]] },
        fired,
        undecided: false,
    }
}

impl Tally {
    /// No rule fired yet.
    pub(crate) const NONE: Tally = Tally {
        urgency: None,
        scores: [0; 4],
        forbidden: StyleSet::EMPTY,
        pressure: Pressure::Firm,
        session_minutes: None,
    };

    fn new() -> Self {
        Tally::NONE
    }

    /// The tally in three words, for hashing partial outcomes quickly.
    pub(crate) fn words(&self) -> [u64; 3] {
        let [a, b, c, d] = self.scores.map(|s| u64::from(s as u32));
        let session = self.session_minutes.map_or(0, |m| u64::from(m) + 1);
        let urgency = self.urgency.map_or(0, |u| u.index() as u64 + 1);
        let small =
            urgency | (self.pressure.index() as u64) << 2 | u64::from(self.forbidden.bits()) << 4 | session << 8;
        [a | b << 32, c | d << 32, small]
    }

    /// Whether every outcome these effects can lead to meets the demands, whatever else
    /// fires: urgency only rises, forbidden styles and caps only add up, and a referral has
    /// no style or pressure.
    pub(crate) fn settles(
        &self,
        min_urgency: Option<Urgency>,
        forbids: StyleSet,
        max_pressure: Option<Pressure>,
    ) -> bool {
        let referral = self.urgency.is_some();
        min_urgency.is_none_or(|least| self.urgency >= Some(least))
            && (referral || self.forbidden.contains_all(forbids))
            && max_pressure.is_none_or(|limit| referral || self.pressure <= limit)
    }

    /// The tally as far as the kind of outcome goes, for the safety proof: the referral
    /// and its urgency, whether a style fits, which styles can be recommended or offered
    /// (the allowed ones with a positive score), the pressure cap and the session length. A
    /// referral keeps only its urgency (later rules can only make it more urgent, and it has
    /// no style); a style's score keeps only whether it is positive, when
    /// `clamp` says no rule ever gives it a negative weight (so a positive score stays
    /// positive whatever is added). Two tallies with equal coarse forms stay equal in that
    /// sense whatever is added to both, and give outcomes of the same kind; which style
    /// wins (and so the pressure after its maximum) can differ.
    pub(crate) fn coarse(&self, clamp: [bool; 4]) -> Tally {
        if self.urgency.is_some() {
            return Tally { urgency: self.urgency, ..Tally::NONE };
        }
        let mut scores = self.scores;
        for (score, clamped) in scores.iter_mut().zip(clamp) {
            if clamped {
                *score = (*score).min(1);
            }
        }
        Tally { scores, ..*self }
    }

    /// The allowed styles with a positive score: the recommended style and its
    /// alternatives, whichever order the scores put them in.
    pub(crate) fn offered(&self) -> StyleSet {
        Style::ALL.iter().copied().filter(|s| self.scores[s.index()] > 0 && !self.forbidden.contains(*s)).collect()
    }

    /// Whether some style has a score (a weight not cancelled out).
    pub(crate) fn weighs(&self) -> bool {
        self.scores.iter().any(|s| *s != 0)
    }

    /// The styles forbidden so far.
    pub(crate) fn forbidden(&self) -> StyleSet {
        self.forbidden
    }

    /// The pressure a massage is given at if `style` is recommended.
    pub(crate) fn pressure_with(&self, rule_set: &RuleSet, style: Style) -> Pressure {
        self.pressure.min(rule_set.policy.style_max_pressure[style.index()])
    }

    /// Both tallies together, as if every rule of both had fired.
    pub(crate) fn merge(&mut self, other: &Tally) {
        self.urgency = self.urgency.max(other.urgency);
        for (score, more) in self.scores.iter_mut().zip(other.scores) {
            *score += more;
        }
        self.forbidden = self.forbidden.union(other.forbidden);
        self.pressure = self.pressure.min(other.pressure);
        self.session_minutes = match (self.session_minutes, other.session_minutes) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    /// Adds one fired rule's effect: the most urgent referral, summed weights, every
    /// forbidden style, the lowest pressure cap, the shortest session.
    #[inline]
    pub(crate) fn add(&mut self, effect: &Effect) {
        self.urgency = self.urgency.max(effect.refer);
        for (score, weight) in self.scores.iter_mut().zip(effect.favour) {
            *score += weight;
        }
        self.forbidden = self.forbidden.union(effect.forbid);
        if let Some(cap) = effect.max_pressure {
            self.pressure = self.pressure.min(cap);
        }
        if let Some(minutes) = effect.session_minutes {
            self.session_minutes = Some(self.session_minutes.map_or(minutes, |m| m.min(minutes)));
        }
    }
}

/// Allowed styles with a positive score, best first; ties in tie-break order.
fn rank_styles(tally: &Tally, tie_break: &[Style; 4]) -> [Option<Style>; 4] {
    let mut ranked = [None; 4];
    let mut count = 0;
    let mut candidates = *tie_break;
    // A stable sort keeps the tie-break order among equal scores.
    candidates.sort_by_key(|style| std::cmp::Reverse(tally.scores[style.index()]));
    for style in candidates {
        if tally.scores[style.index()] > 0 && !tally.forbidden.contains(style) {
            ranked[count] = Some(style);
            count += 1;
        }
    }
    ranked
}
