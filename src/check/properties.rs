//! The properties proven over the answer space, one function each.

use super::findings::{Category, Counterexample, Finding, Place};
use super::prove::{self, Cut, Example, Flow, Parts, Pin, Spec, Variant};
use super::space::{collect_rule_tests, reads_option};
use super::Uncoverable;
use crate::code::Code;
use crate::condition::{Condition, SetTest};
use crate::engine::{tally_of, Evaluation, FiredRules};
use crate::questionnaire::{QuestionKind, Statement, StatementSubject};
use crate::recommendation::{Pressure, Recommendation, Urgency};
use crate::rules::RuleSet;

/// Urgency in one order: no referral, then routine, urgent, emergency.
pub(super) fn urgency_rank(evaluation: &Evaluation) -> usize {
    match evaluation.recommendation {
        Recommendation::Physician => 1 + evaluation.urgency.map_or(0, Urgency::index),
        Recommendation::Massage(_) => 0,
    }
}

/// Pressure in one order: a referral (no pressure at all), then light, medium, firm.
fn pressure_rank(evaluation: &Evaluation) -> usize {
    match (evaluation.recommendation, evaluation.pressure) {
        (Recommendation::Physician, _) | (_, None) => 0,
        (Recommendation::Massage(_), Some(pressure)) => 1 + pressure.index(),
    }
}

/// The least and the most pressure (in [`pressure_rank`]'s order) an outcome of this kind
/// can have: a referral none, a massage that of each style that can win.
fn pressure_ranks(rule_set: &RuleSet, evaluation: &Evaluation) -> (usize, usize) {
    if evaluation.recommendation == Recommendation::Physician {
        return (0, 0);
    }
    let tally = tally_of(rule_set, evaluation.fired);
    let ranks = tally.offered().iter().map(|style| 1 + tally.pressure_with(rule_set, style).index());
    ranks.fold((usize::MAX, 0), |(least, most), rank| (least.min(rank), most.max(rank)))
}

/// Whether a counterexample's answers, with the option added, end less urgent or firmer.
fn escalates(example: &Counterexample) -> bool {
    example.before.as_ref().is_some_and(|(_, before)| {
        urgency_rank(&example.outcome) < urgency_rank(before) || pressure_rank(&example.outcome) > pressure_rank(before)
    })
}

/// Whether a condition can only go from false to true (never back) when option `option` of
/// `question` is added to the answer: every test of that option rises with it (or falls
/// with it under a `not`). `all` and `any` are monotone, so their parts decide.
fn rises_with(condition: &Condition, question: usize, option: usize) -> bool {
    condition.leaves().all(|leaf| match leaf.test {
        Condition::Contains { question: q, options, test } if *q == question && options & (1 << option) != 0 => {
            let rises = matches!(test, SetTest::ContainsAny | SetTest::ContainsAll);
            rises != leaf.negated
        }
        _ => true,
    })
}

/// The set of one rule.
fn just(rule: usize) -> FiredRules {
    let mut set = FiredRules::default();
    set.insert(rule);
    set
}

/// Everything but the fired rules: what a person is told.
fn same_decision(rule_set: &RuleSet, a: &Evaluation, b: &Evaluation) -> bool {
    (a.recommendation, a.urgency, a.pressure, a.session_minutes, a.alternatives, a.undecided)
        == (b.recommendation, b.urgency, b.pressure, b.session_minutes, b.alternatives, b.undecided)
        && a.tell(rule_set) == b.tell(rule_set)
}

/// The checker's state: the parts and what it has found so far.
///
/// Most properties depend on the kind of outcome only (a referral and its urgency, no style
/// fitting, the styles offered), and are searched over coarse variants ([`Spec::coarse`]),
/// which are few. The pressure after the winning style's maximum, and whether a rule
/// changes an outcome, need the exact tallies: the pressure searches bound it on the coarse
/// variants first and sweep exactly only when the bound cannot rule a break out; a rule is
/// shown to change an outcome by a sampled answer set or a coarse example where one does,
/// and searched for exactly only where neither settles it (see `shadowed`).
pub(crate) struct Checker<'p, 'r> {
    pub parts: &'p Parts<'r>,
    /// Each component's coarse variants with the same rules on both sides, computed once.
    pub plain: Vec<Vec<Variant>>,
    /// Each component's exact variants, computed when first needed.
    pub exact_plain: Vec<Option<Vec<Variant>>>,
    pub findings: Vec<Finding>,
    pub combinations: u64,
    /// The watch of the first safety statement (the constraints come before).
    pub first_statement: usize,
    /// Per component, its coarse outcomes with every statement followed (see
    /// [`Spec::statements`]).
    pub statement_variants: Vec<Vec<Variant>>,
    /// The same, exact, computed when first needed.
    pub exact_statement_variants: Vec<Option<Vec<Variant>>>,
    /// The rules a sampled answer set with no referral fires (see [`Parts::seen_firing`]).
    pub seen_firing: FiredRules,
}

/// A cut on the referrals reached so far (see [`Cut`]), owned.
type UrgencyCut = dyn Fn(Option<Urgency>, Option<Urgency>) -> bool;

/// What a search for an outcome a rule changes found.
struct Shadowing {
    search: Search,
    /// An outcome the rule changes was found.
    matters: bool,
    /// The first combination visited.
    first: Option<Vec<usize>>,
    /// "Not found" holds for the exact outcomes too.
    settled: bool,
}

/// Whether a search needs exact variants or coarse ones do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    Coarse,
    Exact,
}

/// A search over every component: `special` replaced by the given variants.
struct Search {
    levels: Vec<Vec<Variant>>,
    order: Vec<usize>,
    /// Its variants are coarse (see [`Spec::coarse`]).
    coarse: bool,
}

impl Search {
    /// The parts' search over these levels (see [`Parts::explore`]), coarse when they are.
    fn explore(
        &self,
        parts: &Parts<'_>,
        cut: &dyn Fn(Option<Urgency>, Option<Urgency>) -> bool,
        leaf: &mut dyn FnMut(&prove::Leaf<'_>) -> Flow,
    ) -> Result<u64, Uncoverable> {
        parts.explore(&self.levels, self.coarse, cut, leaf)
    }
}

impl<'p, 'r> Checker<'p, 'r> {
    /// The levels of a search; `without` leaves rules out of each part's "other" side
    /// (`None`: the same, from the variants computed once).
    fn search(
        &mut self,
        special: Option<(usize, Vec<Variant>)>,
        without: Option<FiredRules>,
        detail: Detail,
    ) -> Result<Search, Uncoverable> {
        let mut levels = Vec::new();
        let mut order = Vec::new();
        let special_component = special.as_ref().map(|(c, _)| *c);
        if let Some((component, variants)) = special {
            levels.push(variants);
            order.push(component);
        }
        for component in 0..self.parts.components.len() {
            if Some(component) != special_component {
                levels.push(match (without, detail) {
                    (Some(without), _) => self.parts.plain_variants(component, without, detail == Detail::Coarse)?,
                    (None, Detail::Coarse) => self.plain[component].clone(),
                    (None, Detail::Exact) => self.exact_plain(component)?.to_vec(),
                });
                order.push(component);
            }
        }
        Ok(Search { levels, order, coarse: detail == Detail::Coarse })
    }

    /// A component's exact variants, swept the first time they are asked for.
    fn exact_plain(&mut self, component: usize) -> Result<&[Variant], Uncoverable> {
        if self.exact_plain[component].is_none() {
            let variants = prove::merged(self.exact_statement_variants(component)?);
            self.exact_plain[component] = Some(variants);
        }
        Ok(self.exact_plain[component].as_deref().unwrap_or_default())
    }

    /// A component's exact variants with every statement followed, swept the first time.
    fn exact_statement_variants(&mut self, component: usize) -> Result<&[Variant], Uncoverable> {
        if self.exact_statement_variants[component].is_none() {
            let spec = Spec { statements: true, ..Spec::default() };
            self.exact_statement_variants[component] = Some(self.parts.variants(component, &spec)?);
        }
        Ok(self.exact_statement_variants[component].as_deref().unwrap_or_default())
    }

    fn examples(&self, search: &Search, picks: &[usize]) -> Vec<(usize, Example)> {
        search
            .order
            .iter()
            .zip(picks)
            .enumerate()
            .map(|(level, (c, p))| (*c, search.levels[level][*p].example.clone()))
            .collect()
    }

    /// The counterexample of a leaf, checked against the engine itself.
    fn counterexample(&self, search: &Search, picks: &[usize], with_before: bool) -> Option<Counterexample> {
        let examples = self.examples(search, picks);
        let rule_set = self.parts.rule_set;
        if with_before {
            let before = self.parts.answers(&examples, false).ok()?;
            let after = self.parts.answers(&examples, true).ok()?;
            let outcome = crate::engine::evaluate(rule_set, &after);
            let before_outcome = crate::engine::evaluate(rule_set, &before);
            Some(Counterexample { answers: after, outcome, before: Some((before, before_outcome)) })
        } else {
            let answers = self.parts.answers(&examples, false).ok()?;
            let outcome = crate::engine::evaluate(rule_set, &answers);
            Some(Counterexample { answers, outcome, before: None })
        }
    }

    fn option_place(&self, question: usize, option: usize) -> Place {
        Place {
            file: self.parts.rule_set.questionnaire_file.to_string(),
            line: self.parts.rule_set.questionnaire.questions[question].options[option].line,
        }
    }

    fn rule_place(&self, rule: usize) -> Place {
        Place { file: self.parts.rule_set.rules_file.to_string(), line: self.parts.rule_set.rules[rule].line }
    }

    fn readers(&self, question: usize, option: usize) -> Vec<usize> {
        let rules = &self.parts.rule_set.rules;
        (0..rules.len()).filter(|r| reads_option(&rules[*r].when, question, option)).collect()
    }

    /// The statement's component, restricted to where its condition holds, with every rule
    /// left out (to find quickly whether the condition can hold at all).
    fn requiring(
        &self,
        statement: usize,
        cut: Option<Cut<'_>>,
        alone: bool,
    ) -> Result<(usize, Vec<Variant>), Uncoverable> {
        let member = self.parts.watch_member(self.first_statement + statement);
        let component = self.parts.component_of_member[member];
        let only = alone.then(FiredRules::default);
        let spec = Spec { require: Some((member, true)), only, cut, ..Spec::default() };
        Ok((component, self.parts.variants(component, &spec)?))
    }

    /// Where a statement is written, and how findings name it.
    fn statement_place(&self, statement: &Statement<'_>) -> (Place, String, String) {
        let rule_set = self.parts.rule_set;
        let questionnaire = &rule_set.questionnaire;
        let at = Place { file: rule_set.questionnaire_file.to_string(), line: statement.line };
        let subject = questionnaire.statement_name(statement.subject);
        let what = match statement.subject {
            StatementSubject::Mark { question, option } => {
                let (q, o) = self.names(question, option);
                format!("answer \"{o}\" to \"{q}\"")
            }
            StatementSubject::Invariant(index) => {
                let invariant = &questionnaire.invariants[index];
                format!("invariant \"{}\" ({})", invariant.id, invariant.when.describe(questionnaire))
            }
        };
        (at, subject, what)
    }

    /// Proves every demand of one safety statement over the whole answer space.
    pub(super) fn statement(&mut self, statement: &Statement<'_>, index: usize) -> Result<(), Uncoverable> {
        let member = self.parts.watch_member(self.first_statement + index);
        let component = self.parts.component_of_member[member];
        // A plain outcome whose example meets the condition shows it can apply; only
        // without one is the condition searched for on its own.
        // (Only an invariant can be vacuous: a mark applies whenever its option is chosen.)
        // The statements sweep kept which statements held on any answer set.
        let is_invariant = matches!(statement.subject, StatementSubject::Invariant(_));
        let held = self.plain[component].iter().any(|v| v.ever_held.contains(index.min(crate::rules::MAX_RULES - 1)));
        let witnessed = !is_invariant || (index < crate::rules::MAX_RULES && held);
        if !witnessed && self.requiring(index, None, true)?.1.is_empty() {
            if let StatementSubject::Invariant(_) = statement.subject {
                let (at, subject, what) = self.statement_place(statement);
                self.push(Finding {
                    code: Code::VacuousInvariant,
                    category: Category::Warning,
                    at,
                    subject,
                    affected: None,
                    message: format!("{what} never applies: no answer set meets its condition"),
                    rules: Vec::new(),
                    example: None,
                });
            }
            return Ok(());
        }
        // The outcomes where the statement holds and the component's effects do not settle
        // it; none: it is proven.
        let variants: Vec<Variant> =
            self.statement_variants[component].iter().filter(|v| v.statements.contains(&index)).cloned().collect();
        if variants.is_empty() {
            return Ok(());
        }
        let search = self.search(Some((component, variants)), None, Detail::Coarse)?;
        if let Some(least) = statement.min_urgency {
            self.min_urgency(statement, &search, least)?;
        }
        if !statement.forbids.is_empty() {
            self.forbidden(statement, &search)?;
        }
        if let Some(limit) = statement.max_pressure {
            self.max_pressure(statement, (index, component), &search, limit)?;
        }
        Ok(())
    }

    /// The rules reading the statement's option (for a mark).
    fn statement_readers(&self, statement: &Statement<'_>) -> Vec<usize> {
        match statement.subject {
            StatementSubject::Mark { question, option } => self.readers(question, option),
            StatementSubject::Invariant(_) => Vec::new(),
        }
    }

    /// The first combination of the search whose outcome is `broken` (its picks), not
    /// descending where `cut` says every outcome below is safe; counts what was visited.
    fn first_broken(
        &mut self,
        search: &Search,
        cut: &dyn Fn(Option<Urgency>, Option<Urgency>) -> bool,
        broken: impl Fn(&Evaluation) -> bool,
    ) -> Result<Option<Vec<usize>>, Uncoverable> {
        let mut found = None;
        let parts = self.parts;
        self.combinations += search.explore(parts, cut, &mut |leaf| {
            if broken(&parts.decide(leaf.fired)) {
                found = Some(leaf.picks.to_vec());
                Flow::Stop
            } else {
                Flow::Continue
            }
        })?;
        Ok(found)
    }

    /// Where the statement applies, a physician referral at least `least` urgent.
    fn min_urgency(&mut self, statement: &Statement<'_>, search: &Search, least: Urgency) -> Result<(), Uncoverable> {
        let broken = |e: &Evaluation| e.recommendation != Recommendation::Physician || e.urgency < Some(least);
        let Some(picks) = self.first_broken(search, &|refer, _| refer >= Some(least), broken)? else { return Ok(()) };
        let example = self.counterexample(search, &picks, false);
        let got = example.as_ref().map_or_else(String::new, |e| super::findings::outcome_words(&e.outcome));
        let mut rules = self.statement_readers(statement);
        rules.extend(example.iter().flat_map(|e| e.outcome.reason_indices(self.parts.rule_set)));
        let (at, subject, what) = self.statement_place(statement);
        self.push(Finding {
            code: Code::MinUrgency,
            category: Category::Safety,
            at,
            subject,
            affected: None,
            message: format!(
                "{what} must always lead to a physician referral at least {least}, but it can lead to {got}"
            ),
            rules,
            example,
        });
        Ok(())
    }

    /// Where the statement applies, no style it forbids is recommended or offered.
    fn forbidden(&mut self, statement: &Statement<'_>, search: &Search) -> Result<(), Uncoverable> {
        let styles = statement.forbids;
        let offered = |e: &Evaluation| match e.recommendation {
            Recommendation::Massage(style) => {
                styles.contains(style) || e.alternatives.iter().any(|s| styles.contains(s))
            }
            Recommendation::Physician => false,
        };
        let Some(picks) = self.first_broken(search, &|refer, _| refer.is_some(), offered)? else { return Ok(()) };
        let example = self.counterexample(search, &picks, false);
        let names: Vec<&str> = styles.iter().map(|s| s.id()).collect();
        let mut rules = self.statement_readers(statement);
        if let Some(e) = &example {
            let rule_set = self.parts.rule_set;
            rules.extend(e.outcome.fired.iter().filter(|r| {
                let favour = rule_set.rules[*r].effect.favour;
                styles.iter().any(|s| favour[s.index()] > 0)
            }));
        }
        let (at, subject, what) = self.statement_place(statement);
        self.push(Finding {
            code: Code::ForbiddenStyle,
            category: Category::Safety,
            at,
            subject,
            affected: None,
            message: format!(
                "{what} forbids {}, but with it {} can be recommended or offered as an alternative",
                names.join(", "),
                names.join(", ")
            ),
            rules,
            example,
        });
        Ok(())
    }

    /// Where the statement applies, a massage is never given at more than `limit`. The
    /// coarse search (`search`) rules a break out when no style that can win would be given
    /// more; where one could, and its example shows none, the exact variants decide.
    fn max_pressure(
        &mut self,
        statement: &Statement<'_>,
        (index, component): (usize, usize),
        search: &Search,
        limit: Pressure,
    ) -> Result<(), Uncoverable> {
        let rule_set = self.parts.rule_set;
        let may_exceed = |e: &Evaluation| pressure_ranks(rule_set, e).1 > 1 + limit.index();
        let Some(picks) = self.first_broken(search, &|refer, _| refer.is_some(), may_exceed)? else { return Ok(()) };
        let above = |e: &Evaluation| e.pressure.is_some_and(|p| p > limit);
        let mut example = self.counterexample(search, &picks, false);
        if !example.as_ref().is_some_and(|e| above(&e.outcome)) {
            let variants: Vec<Variant> = self
                .exact_statement_variants(component)?
                .iter()
                .filter(|v| v.statements.contains(&index))
                .cloned()
                .collect();
            let exact = self.search(Some((component, variants)), None, Detail::Exact)?;
            let Some(picks) = self.first_broken(&exact, &|refer, _| refer.is_some(), above)? else { return Ok(()) };
            example = self.counterexample(&exact, &picks, false);
        }
        let got = example.as_ref().map_or_else(String::new, |e| super::findings::outcome_words(&e.outcome));
        let mut rules = self.statement_readers(statement);
        if let Some(e) = &example {
            let rule_set = self.parts.rule_set;
            let capping = |r: &usize| rule_set.rules[*r].effect.max_pressure.is_some();
            rules.extend(e.outcome.fired.iter().filter(capping));
        }
        let (at, subject, what) = self.statement_place(statement);
        self.push(Finding {
            code: Code::MaxPressure,
            category: Category::Safety,
            at,
            subject,
            affected: None,
            message: format!("{what} allows at most {limit} pressure, but with it {got}"),
            rules,
            example,
        });
        Ok(())
    }

    /// Whether adding the option is shown harmless by how the rules read it, with no search.
    /// When every rule that reads the option can only start firing when it is added (it is
    /// tested only by `contains_any` or `contains_all`, never negated), the rules that fire
    /// after are those before and more, so the urgency cannot fall. The pressure cannot rise
    /// either when each rule that may start firing refers, caps the pressure at light, or
    /// changes neither weights nor forbidden styles (the style stays). A favour could still
    /// turn "no style fits" into a massage, so it is allowed only when no answer set leaves
    /// the style undecided. An option that decides whether a question is asked is searched.
    fn escalation_follows_from_the_rules(&self, question: usize, option: usize, never_undecided: bool) -> bool {
        let rule_set = self.parts.rule_set;
        let opens = rule_set.questionnaire.questions.iter().filter_map(|q| q.ask_when.as_ref());
        if opens.into_iter().any(|when| reads_option(when, question, option)) {
            return false;
        }
        rule_set.rules.iter().filter(|rule| reads_option(&rule.when, question, option)).all(|rule| {
            let effect = &rule.effect;
            let weighs = effect.favour.iter().any(|w| *w != 0);
            let keeps_style = !weighs && effect.forbid.is_empty();
            let light = effect.max_pressure == Some(Pressure::Light) && (!weighs || never_undecided);
            rises_with(&rule.when, question, option) && (effect.refer.is_some() || keeps_style || light)
        })
    }

    /// Whether some answer set leaves the style undecided (the engine's routine referral).
    pub(super) fn undecided_anywhere(&mut self) -> Result<bool, Uncoverable> {
        let parts = self.parts;
        let search = self.search(None, None, Detail::Coarse)?;
        let mut found = false;
        self.combinations += search.explore(parts, &|refer, _| refer.is_some(), &mut |leaf| {
            found = parts.decide(leaf.fired).undecided;
            if found {
                Flow::Stop
            } else {
                Flow::Continue
            }
        })?;
        Ok(found)
    }

    /// Adding an option of an escalating question never lowers the urgency nor raises the pressure.
    pub(super) fn escalation(
        &mut self,
        question: usize,
        option: usize,
        never_undecided: bool,
    ) -> Result<(), Uncoverable> {
        if self.escalation_follows_from_the_rules(question, option, never_undecided) {
            return Ok(());
        }
        // The coarse search bounds the pressure; a possible break its example does not show
        // is searched for exactly.
        let mut found = self.escalation_search(question, option, Detail::Coarse)?;
        if let Some((search, picks)) = &found {
            let shown = self.counterexample(search, picks, true);
            if !shown.as_ref().is_some_and(escalates) {
                found = self.escalation_search(question, option, Detail::Exact)?;
            }
        }
        let Some((search, picks)) = found else { return Ok(()) };
        let parts = self.parts;
        let example = self.counterexample(&search, &picks, true);
        let (q, o) = self.names(question, option);
        let mut involved = self.readers(question, option);
        let mut text = String::new();
        if let Some(e) = &example {
            let (_, before) = e.before.as_ref().map_or((None, None), |(a, b)| (Some(a), Some(b)));
            if let Some(before) = before {
                let changed: Vec<usize> = (0..parts.rule_set.rules.len())
                    .filter(|r| before.fired.contains(*r) != e.outcome.fired.contains(*r))
                    .collect();
                involved.extend(changed);
                text = format!(
                    ": {} becomes {}",
                    super::findings::outcome_words(before),
                    super::findings::outcome_words(&e.outcome)
                );
            }
        }
        self.push(Finding {
            code: Code::Escalation,
            category: Category::Safety,
            at: self.option_place(question, option),
            subject: format!("{q}.{o}"),
            affected: None,
            message: format!(
                "adding \"{o}\" to \"{q}\" (an escalating question) can lower the urgency or raise the pressure{text}"
            ),
            rules: involved,
            example,
        });
        Ok(())
    }

    /// The first combination where adding the option may lower the urgency or raise the
    /// pressure: exactly, or (coarse) where the pressure ranks' bounds allow it.
    fn escalation_search(
        &mut self,
        question: usize,
        option: usize,
        detail: Detail,
    ) -> Result<Option<(Search, Vec<usize>)>, Uncoverable> {
        let parts = self.parts;
        let component = parts.component_of[question];
        let pairs: Vec<(usize, usize, Pin)> = (0..parts.space.questions[question].classes.len())
            .filter_map(|before| {
                let (after, holds) = parts.space.after_adding(question, before, option)?;
                Some((before, after, Pin { question, include: holds, exclude: 1 << option, add: 1 << option }))
            })
            .collect();
        // With an emergency after adding it, nothing can be lower or firmer than before.
        let cut = |_: Option<Urgency>, after: Option<Urgency>| after == Some(Urgency::Emergency);
        let coarse = detail == Detail::Coarse;
        let spec = Spec { pinned: Some((question, &pairs)), cut: Some(&cut), coarse, ..Spec::default() };
        let mut variants = parts.variants(component, &spec)?;
        // A referral at least as urgent after adding it, whatever else is answered.
        variants.retain(|v| !(v.other_refer.is_some() && v.other_refer >= v.refer));
        let search = self.search(Some((component, variants)), None, detail)?;
        let rule_set = parts.rule_set;
        let mut found = None;
        self.combinations += search.explore(parts, &|refer, after| refer.is_some() && after >= refer, &mut |leaf| {
            let before = parts.decide(leaf.fired);
            let after = parts.decide(leaf.other);
            let firmer = match detail {
                Detail::Exact => pressure_rank(&after) > pressure_rank(&before),
                Detail::Coarse => pressure_ranks(rule_set, &after).1 > pressure_ranks(rule_set, &before).0,
            };
            if urgency_rank(&after) < urgency_rank(&before) || firmer {
                found = Some(leaf.picks.to_vec());
                Flow::Stop
            } else {
                Flow::Continue
            }
        })?;
        Ok(found.map(|picks| (search, picks)))
    }

    /// Answers no rule decides (error), or only an always-true catch-all decides (warning).
    pub(super) fn gaps(&mut self) -> Result<(), Uncoverable> {
        let parts = self.parts;
        let mut catch_all = Vec::new();
        let mut without = FiredRules::default();
        for (component, part) in parts.components.iter().enumerate() {
            for &rule in &part.rules {
                // A plain outcome without the rule shows it is no catch-all.
                if self.plain[component].iter().any(|v| !v.fired.contains(rule)) {
                    continue;
                }
                let spec = Spec { require: Some((rule, false)), only: Some(just(rule)), ..Spec::default() };
                if parts.variants(component, &spec)?.is_empty() {
                    catch_all.push(rule);
                    without.insert(rule);
                }
            }
        }
        catch_all.sort_unstable();
        // Without the catch-alls: the other side is swept without them (a coarse variant
        // stands for scores that are only alike in being positive, so taking their weights
        // off its example would not be exact).
        let search = self.search(None, (!catch_all.is_empty()).then_some(without), Detail::Coarse)?;
        let (mut gap, mut only) = ((0u128, 0u128, None), (0u128, 0u128, None));
        self.combinations += search.explore(parts, &|refer, _| refer.is_some(), &mut |leaf| {
            let evaluation = parts.decide(leaf.fired);
            let mut others = leaf.other;
            catch_all.iter().for_each(|r| others.remove(*r));
            let tally = if evaluation.undecided {
                Some(&mut gap)
            } else if !catch_all.is_empty() && parts.decide(others).undecided {
                Some(&mut only)
            } else {
                None
            };
            if let Some((classes, answers, first)) = tally {
                *classes = classes.saturating_add(leaf.classes);
                *answers = answers.saturating_add(leaf.answers);
                first.get_or_insert_with(|| leaf.picks.to_vec());
            }
            Flow::Continue
        })?;
        let file = Place { file: parts.rule_set.rules_file.to_string(), line: 0 };
        if let (classes, answers, Some(picks)) = gap {
            let example = self.counterexample(&search, &picks, false);
            self.push(Finding {
                code: Code::Gap,
                category: Category::Gap,
                at: file.clone(),
                subject: String::new(),
                affected: Some(answers),
                message: format!(
                    "no rule settles a style for {} answer classes ({} answer sets); the engine falls back to a routine referral (no_style_fits)",
                    crate::text::count(classes),
                    crate::text::count(answers)
                ),
                rules: example.iter().flat_map(|e| e.outcome.fired.iter()).collect(),
                example,
            });
        }
        if let (classes, answers, Some(picks)) = only {
            let example = self.counterexample(&search, &picks, false);
            let ids: Vec<&str> = catch_all.iter().map(|r| parts.rule_set.rules[*r].id.as_str()).collect();
            self.push(Finding {
                code: Code::CatchAllOnly,
                category: Category::Warning,
                at: catch_all.first().map_or(file, |r| self.rule_place(*r)),
                subject: ids.join(","),
                affected: Some(answers),
                message: format!(
                    "only the catch-all rule(s) {} decide the style for {} answer classes ({} answer sets)",
                    ids.join(", "),
                    crate::text::count(classes),
                    crate::text::count(answers)
                ),
                rules: catch_all.clone(),
                example,
            });
        }
        Ok(())
    }

    /// Rules that can never fire, and rules that never change any outcome.
    pub(super) fn dead_and_shadowed(&mut self) -> Result<(), Uncoverable> {
        let parts = self.parts;
        let mut unshown = Vec::new();
        for (component, part) in parts.components.iter().enumerate() {
            // The plain sweep kept the rules fired on every answer set, merged or not (but a
            // referral absorbs rules, so one not seen is searched for on its own).
            let ever = self.plain[component].iter().fold(FiredRules::default(), |all, v| all.union(v.ever_fired));
            for &rule in &part.rules {
                let spec = &parts.rule_set.rules[rule];
                let fires = ever.contains(rule) || self.seen_firing.contains(rule);
                if !fires && !self.can_fire(component, rule)? {
                    self.push(Finding {
                        code: Code::DeadRule,
                        category: Category::Warning,
                        at: self.rule_place(rule),
                        subject: spec.id.to_string(),
                        affected: None,
                        message: format!(
                            "rule \"{}\" can never fire: no answer set meets {}",
                            spec.id,
                            spec.when.describe(&parts.rule_set.questionnaire)
                        ),
                        rules: vec![rule],
                        example: None,
                    });
                    continue;
                }
                if self.matters_without_search(component, rule) {
                    continue;
                }
                if spec.effect.refer.is_none() && !self.fires_without_referral(component, rule) {
                    let example = self.example_where_it_fires(component, rule);
                    self.push_shadowed(rule, example);
                } else {
                    unshown.push((component, rule));
                }
            }
        }
        let shown = self.shown_by_samples(&unshown);
        for (component, rule) in unshown.into_iter().filter(|(_, rule)| !shown.contains(*rule)) {
            self.shadowed(component, rule)?;
        }
        Ok(())
    }

    /// The rules among `rules` that a sampled answer set shows to change an outcome, drawn
    /// for all of them at once.
    fn shown_by_samples(&self, rules: &[(usize, usize)]) -> FiredRules {
        let mut shown = FiredRules::default();
        let mut wanted = FiredRules::default();
        rules.iter().for_each(|(_, rule)| wanted.insert(*rule));
        self.show(None, wanted, &mut shown);
        shown
    }

    /// Adds to `shown` the rules of `wanted` that sampled answer sets show to change an
    /// outcome (see [`Parts::sample`] for `focus`).
    fn show(&self, focus: Option<usize>, wanted: FiredRules, shown: &mut FiredRules) {
        if wanted == FiredRules::default() {
            return;
        }
        // (About a millisecond each thousand samples for a rule set of a few hundred rules.)
        let samples = self.parts.allowance.samples() / if focus.is_some() { 2 } else { 1 };
        self.parts.sample(focus, samples, &mut |fired| {
            let with = self.parts.decide(fired);
            for rule in fired.iter().filter(|r| wanted.contains(*r)) {
                if shown.contains(rule) {
                    continue;
                }
                let mut without = fired;
                without.remove(rule);
                if self.matters_given(rule, &with, without) {
                    shown.insert(rule);
                }
            }
            shown.intersection(wanted) != wanted
        });
    }

    /// Whether a rule that fires in `fired` changes that outcome, as `shadowed` defines it:
    /// a referring rule is a reason where the outcome is a referral at its urgency (the
    /// rules referring more urgently are enough of `fired` to say); another changes what a
    /// person is told (`without` fires the same answers without it), or speaks (a
    /// precaution, advice) where a massage is given.
    fn matters_on(&self, rule: usize, fired: FiredRules, without: FiredRules) -> bool {
        self.matters_given(rule, &self.parts.decide(fired), without)
    }

    /// [`Self::matters_on`] with the outcome of `fired` already decided.
    fn matters_given(&self, rule: usize, with: &Evaluation, without: FiredRules) -> bool {
        let parts = self.parts;
        let rule_set = parts.rule_set;
        let effect = &rule_set.rules[rule].effect;
        if let Some(urgency) = effect.refer {
            return with.urgency == Some(urgency);
        }
        if with.urgency.is_some() && !with.undecided {
            // A rule's referral (not a gap's): the others refer as urgently without it, and
            // it has no say there.
            return false;
        }
        let speaks = effect.speaks();
        let decides = effect.decides();
        (decides && !same_decision(rule_set, with, &parts.decide(without)))
            || (speaks && with.recommendation != Recommendation::Physician)
    }

    /// Whether the plain outcomes show that a rule that can fire matters (see `shadowed`),
    /// with no search: a referring rule where it fires at its own urgency with the other
    /// components allowing that, a rule that only speaks where it fires with a massage,
    /// another where a plain example shows the difference.
    fn matters_without_search(&self, component: usize, rule: usize) -> bool {
        let parts = self.parts;
        let effect = &parts.rule_set.rules[rule].effect;
        let decides = effect.decides();
        // (Where it refers, fewer than every rule fired may be kept: enough to show it.)
        let fires = |v: &&Variant| v.ever_fired.contains(rule);
        match effect.refer {
            Some(Urgency::Emergency) => true,
            Some(urgency) => {
                let others_allow = (0..self.plain.len())
                    .filter(|c| *c != component)
                    .all(|c| self.plain[c].iter().any(|v| v.refer <= Some(urgency)));
                others_allow && self.plain[component].iter().filter(fires).any(|v| v.refer == Some(urgency))
            }
            // A rule with no effect at all (built in code; the loader refuses one) never matters.
            // One that only speaks matters where it fires with a massage: exact from the plain
            // outcomes when every other component has one outcome (the decision depends on
            // the tallies, equal on every answer set merged into an outcome).
            None if !decides => {
                let speaks = effect.speaks();
                let others = (0..self.plain.len()).filter(|c| *c != component);
                let single = others.clone().all(|c| self.plain[c].len() == 1);
                let rest = others.fold(FiredRules::default(), |all, c| all.union(self.plain[c][0].fired));
                speaks
                    && single
                    && self.plain[component]
                        .iter()
                        .filter(fires)
                        .any(|v| parts.decide(v.fired.union(rest)).recommendation != Recommendation::Physician)
            }
            None => self.matters_in_plain(component, rule),
        }
    }

    /// Whether a plain outcome of the rule's component, with the first outcome of every other
    /// component, shows the rule matters (as `shadowed` defines it): a quick witness.
    fn matters_in_plain(&self, component: usize, rule: usize) -> bool {
        let parts = self.parts;
        let effect = &parts.rule_set.rules[rule].effect;
        let speaks = effect.speaks();
        let others = (0..self.plain.len())
            .filter(|c| *c != component)
            .try_fold(FiredRules::default(), |all, c| self.plain[c].first().map(|v| all.union(v.fired)));
        let Some(others) = others else { return false };
        self.plain[component].iter().filter(|v| v.fired.contains(rule)).any(|v| {
            let fired = v.fired.union(others);
            let with = parts.decide(fired);
            match effect.refer {
                Some(urgency) => with.urgency == Some(urgency),
                None => {
                    let mut without = fired;
                    without.remove(rule);
                    (speaks && with.recommendation != Recommendation::Physician)
                        || !same_decision(parts.rule_set, &with, &parts.decide(without))
                }
            }
        })
    }

    /// Whether a rule that can fire ever changes an outcome. A referring rule is a reason
    /// (and the first one's `tell` is said) wherever nothing more urgent fires: an emergency
    /// one always, another where the rules referring more urgently allow it (only those are
    /// swept with it). A rule with no effect on the decision (a precaution or advice only)
    /// matters wherever it fires with a massage. Any other is compared with and without it.
    ///
    /// The coarse sweep comes first: where the rule never fires without a more urgent
    /// referral it finds nothing, as the exact one would (referrals are kept exactly), and
    /// its examples are real answer sets, so one where the rule matters shows it. Only
    /// otherwise are the exact outcomes compared.
    fn shadowed(&mut self, component: usize, rule: usize) -> Result<(), Uncoverable> {
        let parts = self.parts;
        if parts.rule_set.rules[rule].effect.refer == Some(Urgency::Emergency) {
            return Ok(());
        }
        let coarse = self.shadowed_search(component, rule, Detail::Coarse)?;
        let undecided = !coarse.matters && !coarse.settled && !coarse.search.levels[0].is_empty();
        if undecided {
            // Answer sets drawn where the rule fires, before the exact sweep.
            let mut shown = FiredRules::default();
            self.show(Some(rule), just(rule), &mut shown);
            if shown.contains(rule) {
                return Ok(());
            }
        }
        let Shadowing { search, matters, first, .. } =
            if undecided { self.shadowed_search(component, rule, Detail::Exact)? } else { coarse };
        if matters {
            return Ok(());
        }
        let example = match first {
            Some(picks) => self.counterexample(&search, &picks, false),
            None => {
                // Every combination was settled by a referral; show one where the rule fires.
                let picks = vec![0; search.levels.len()];
                search
                    .levels
                    .iter()
                    .all(|l| !l.is_empty())
                    .then(|| self.counterexample(&search, &picks, false))
                    .flatten()
            }
        };
        self.push_shadowed(rule, example);
        Ok(())
    }

    fn push_shadowed(&mut self, rule: usize, example: Option<Counterexample>) {
        let id = &self.parts.rule_set.rules[rule].id;
        self.push(Finding {
            code: Code::ShadowedRule,
            category: Category::Warning,
            at: self.rule_place(rule),
            subject: id.to_string(),
            affected: None,
            message: format!(
                "rule \"{id}\" never changes any outcome: wherever it fires, the result is the same without it"
            ),
            rules: vec![rule],
            example,
        });
    }

    /// Whether a rule fires on some answer set a person can give: an outcome's example shows
    /// it, or a sweep of the rule alone finds one.
    fn can_fire(&self, component: usize, rule: usize) -> Result<bool, Uncoverable> {
        if self.plain[component].iter().any(|v| v.fired.contains(rule)) {
            return Ok(true);
        }
        let spec = Spec { require: Some((rule, true)), only: Some(just(rule)), ..Spec::default() };
        Ok(!self.parts.variants(component, &spec)?.is_empty())
    }

    /// Whether a rule fires on some answer set with no referral: in a coarse outcome of its
    /// component with none (referrals are kept exactly there, and the rules fired on every
    /// answer set merged into one), with every other component allowing none. A rule that
    /// refers nothing changes nothing where it never does.
    fn fires_without_referral(&self, component: usize, rule: usize) -> bool {
        if self.seen_firing.contains(rule) {
            return true; // a sampled answer set shows it
        }
        let unreferred = |c: usize| self.plain[c].iter().any(|v| v.refer.is_none());
        (0..self.plain.len()).filter(|c| *c != component).all(unreferred)
            && self.plain[component].iter().any(|v| v.refer.is_none() && v.ever_fired.contains(rule))
    }

    /// An answer set where the rule fires, if an outcome's example shows one.
    fn example_where_it_fires(&self, component: usize, rule: usize) -> Option<Counterexample> {
        let firing = self.plain[component].iter().find(|v| v.fired.contains(rule))?;
        let mut examples = vec![(component, firing.example.clone())];
        for other in (0..self.plain.len()).filter(|c| *c != component) {
            examples.push((other, self.plain[other].first()?.example.clone()));
        }
        let answers = self.parts.answers(&examples, false).ok()?;
        let outcome = crate::engine::evaluate(self.parts.rule_set, &answers);
        Some(Counterexample { answers, outcome, before: None })
    }

    /// The search for an outcome the rule changes (see `shadowed`); a coarse one has settled
    /// it when every combination it visited did (see `coarse_settles`).
    fn shadowed_search(&mut self, component: usize, rule: usize, detail: Detail) -> Result<Shadowing, Uncoverable> {
        let parts = self.parts;
        let rule_set = parts.rule_set;
        let effect = &rule_set.rules[rule].effect;
        let coarse = detail == Detail::Coarse;
        let (spec, cut): (Spec<'_>, Box<UrgencyCut>) = match effect.refer {
            Some(urgency) => {
                let mut only = just(rule);
                let more_urgent = |r: &usize| rule_set.rules[*r].effect.refer > Some(urgency);
                parts.components[component].rules.iter().filter(|r| more_urgent(r)).for_each(|r| only.insert(*r));
                let spec = Spec { require: Some((rule, true)), only: Some(only), coarse, ..Spec::default() };
                (spec, Box::new(move |with: Option<Urgency>, _: Option<Urgency>| with > Some(urgency)))
            }
            None => {
                // Where a referral fires, it fires on both sides, and nothing else is said.
                let decides = effect.decides();
                let without = if decides { just(rule) } else { FiredRules::default() };
                let spec = Spec { without, require: Some((rule, true)), coarse, ..Spec::default() };
                (spec, Box::new(|with: Option<Urgency>, _: Option<Urgency>| with.is_some()))
            }
        };
        let variants = parts.variants(component, &Spec { cut: Some(&*cut), ..spec })?;
        let search = self.search(Some((component, variants)), None, detail)?;
        let (mut matters, mut first, mut settled) = (false, None, true);
        let this = &*self;
        let visited = search.explore(parts, &*cut, &mut |leaf| {
            first.get_or_insert_with(|| leaf.picks.to_vec());
            matters = this.matters_on(rule, leaf.fired, leaf.other);
            settled &= detail == Detail::Exact || this.coarse_settles(rule, leaf.fired, leaf.other);
            if matters {
                Flow::Stop
            } else {
                Flow::Continue
            }
        })?;
        self.combinations += visited;
        Ok(Shadowing { search, matters, first, settled })
    }

    /// Whether a coarse outcome's example (`fired`, and `without` the rule) says whether the
    /// rule changes the decision for every answer set the outcome stands for. They share
    /// the coarse tallies on both sides: the kind of outcome, the styles offered, the pressure
    /// cap and the session. So they do when both sides are referrals (or no style fits), and
    /// when the rule forbids nothing and weighs only styles forbidden there (the ranking is
    /// then the same with and without it) and the pressure is the same whichever offered
    /// style wins.
    fn coarse_settles(&self, rule: usize, fired: FiredRules, without: FiredRules) -> bool {
        let parts = self.parts;
        let rule_set = parts.rule_set;
        let (with_it, without_it) = (parts.decide(fired), parts.decide(without));
        let physician = |e: &Evaluation| e.recommendation == Recommendation::Physician;
        if physician(&with_it) && physician(&without_it) {
            return true;
        }
        let effect = &rule_set.rules[rule].effect;
        let (a, b) = (tally_of(rule_set, fired), tally_of(rule_set, without));
        let weighs = crate::recommendation::Style::ALL
            .iter()
            .any(|style| effect.favour[style.index()] != 0 && !a.forbidden().contains(*style));
        if weighs || !effect.forbid.is_empty() {
            return false;
        }
        a.offered().iter().all(|style| a.pressure_with(rule_set, style) == b.pressure_with(rule_set, style))
    }

    /// Questions and options no rule reads.
    pub(super) fn unused(&mut self) {
        let rule_set = self.parts.rule_set;
        let tests = collect_rule_tests(rule_set);
        for (index, (question, tests)) in rule_set.questionnaire.questions.iter().zip(&tests).enumerate() {
            if !tests.read {
                self.push(Finding {
                    code: Code::UnusedQuestion,
                    category: Category::Warning,
                    at: Place { file: rule_set.questionnaire_file.to_string(), line: question.line },
                    subject: question.id.to_string(),
                    affected: None,
                    message: format!("question \"{}\" is asked but no rule reads it", question.id),
                    rules: Vec::new(),
                    example: None,
                });
                continue;
            }
            if matches!(question.kind, QuestionKind::Number { .. } | QuestionKind::YesNo) {
                continue;
            }
            let read = tests.masks.iter().fold(0u64, |a, m| a | m);
            for (option_index, option) in question.options.iter().enumerate() {
                if read & (1 << option_index) == 0 {
                    self.push(Finding {
                        code: Code::UnusedOption,
                        category: Category::Warning,
                        at: self.option_place(index, option_index),
                        subject: format!("{}.{}", question.id, option.id),
                        affected: None,
                        message: format!(
                            "option \"{}\" of \"{}\" is offered but no rule reads it",
                            option.id, question.id
                        ),
                        rules: Vec::new(),
                        example: None,
                    });
                }
            }
        }
    }

    fn names(&self, question: usize, option: usize) -> (String, String) {
        let q = &self.parts.rule_set.questionnaire.questions[question];
        (q.id.to_string(), q.options[option].id.to_string())
    }

    fn push(&mut self, mut finding: Finding) {
        finding.rules.sort_unstable();
        finding.rules.dedup();
        self.findings.push(finding);
    }
}
