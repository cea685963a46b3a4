//! The properties proven over the answer space, one function each.

use super::findings::{code, Category, Counterexample, Finding, Place};
use super::prove::{explore, Example, Flow, Parts, Pin, Spec, Variant};
use super::space::{collect_tests, reads_option};
use crate::engine::{Evaluation, FiredRules};
use crate::questionnaire::QuestionKind;
use crate::recommendation::{Recommendation, StyleSet, Urgency};

/// Urgency in one order: no referral, then routine, urgent, emergency.
fn urgency_rank(evaluation: &Evaluation) -> usize {
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

/// Everything but the fired rules: what a person is told.
fn same_decision(a: &Evaluation, b: &Evaluation) -> bool {
    (a.recommendation, a.urgency, a.pressure, a.session_minutes, a.alternatives, a.undecided)
        == (b.recommendation, b.urgency, b.pressure, b.session_minutes, b.alternatives, b.undecided)
}

/// The checker's state: the parts and what it has found so far.
pub(crate) struct Checker<'p, 'r> {
    pub parts: &'p Parts<'r>,
    /// Each component's variants with the same rules on both sides, computed once.
    pub plain: Vec<Vec<Variant>>,
    pub findings: Vec<Finding>,
    pub combinations: u64,
}

/// A search over every component: `special` replaced by the given variants.
struct Search {
    levels: Vec<Vec<Variant>>,
    order: Vec<usize>,
}

impl<'p, 'r> Checker<'p, 'r> {
    /// The levels of a search; `other` maps each part's fired rules to the "other" side
    /// (`None`: the same, from the variants computed once).
    fn search(&self, special: Option<(usize, Vec<Variant>)>, without: Option<FiredRules>) -> Result<Search, String> {
        let mut levels = Vec::new();
        let mut order = Vec::new();
        let special_component = special.as_ref().map(|(c, _)| *c);
        if let Some((component, variants)) = special {
            levels.push(variants);
            order.push(component);
        }
        for component in 0..self.parts.components.len() {
            if Some(component) != special_component {
                levels.push(match without {
                    Some(without) => self.parts.plain_variants(component, without)?,
                    None => self.plain[component].clone(),
                });
                order.push(component);
            }
        }
        Ok(Search { levels, order })
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
            file: self.parts.rule_set.questionnaire_file.clone(),
            line: self.parts.rule_set.questionnaire.questions[question].options[option].line,
        }
    }

    fn rule_place(&self, rule: usize) -> Place {
        Place { file: self.parts.rule_set.rules_file.clone(), line: self.parts.rule_set.rules[rule].line }
    }

    /// The fired rules that made an outcome: the referring ones for a referral, those
    /// favouring the recommended style for a massage.
    fn deciding(&self, outcome: &Evaluation) -> Vec<usize> {
        let rules = &self.parts.rule_set.rules;
        outcome
            .fired
            .iter()
            .filter(|r| match outcome.recommendation {
                Recommendation::Physician => rules[*r].effect.refer.is_some(),
                Recommendation::Massage(style) => rules[*r].effect.favour[style.index()] > 0,
            })
            .collect()
    }

    fn readers(&self, question: usize, option: usize) -> Vec<usize> {
        let rules = &self.parts.rule_set.rules;
        (0..rules.len()).filter(|r| reads_option(&rules[*r].when, question, option)).collect()
    }

    /// Variants of the option's component restricted to classes that can hold it.
    fn holding(&self, question: usize, option: usize) -> Result<(usize, Vec<Variant>), String> {
        let component = self.parts.component_of[question];
        let pin = Pin { question, include: 1 << option, exclude: 0, add: 0 };
        let pairs = (0..self.parts.space.questions[question].classes.len())
            .filter(|c| self.parts.space.can_include(question, *c, option))
            .map(|c| (c, c, pin))
            .collect();
        let spec = Spec { pinned: Some((question, pairs)), ..Spec::default() };
        Ok((component, self.parts.variants(component, &spec)?))
    }

    /// Every option with `min_urgency` ends in a referral at least that urgent.
    pub fn min_urgency(&mut self, question: usize, option: usize, least: Urgency) -> Result<(), String> {
        let search = self.search(Some(self.holding(question, option)?), None)?;
        let mut found = None;
        let parts = self.parts;
        self.combinations += explore(&search.levels, &|refer, _| refer >= Some(least), &mut |leaf| {
            let evaluation = parts.decide(leaf.fired);
            if evaluation.recommendation == Recommendation::Physician && evaluation.urgency >= Some(least) {
                Flow::Continue
            } else {
                found = Some(leaf.picks.to_vec());
                Flow::Stop
            }
        });
        let Some(picks) = found else { return Ok(()) };
        let example = self.counterexample(&search, &picks, false);
        let (q, o) = self.names(question, option);
        let got = example.as_ref().map_or_else(String::new, |e| super::findings::outcome_words(&e.outcome));
        let mut rules = self.readers(question, option);
        rules.extend(example.iter().flat_map(|e| self.deciding(&e.outcome)));
        self.push(Finding {
            code: code::MIN_URGENCY,
            category: Category::Safety,
            at: self.option_place(question, option),
            subject: format!("{q}.{o}"),
            affected: None,
            message: format!(
                "answer \"{o}\" to \"{q}\" must always lead to a physician referral at least {least}, but it can lead to {got}"
            ),
            rules,
            example,
        });
        Ok(())
    }

    /// No style an option forbids is recommended, or offered as an alternative, with it.
    pub fn forbidden(&mut self, question: usize, option: usize, styles: StyleSet) -> Result<(), String> {
        let search = self.search(Some(self.holding(question, option)?), None)?;
        let mut found = None;
        let parts = self.parts;
        self.combinations += explore(&search.levels, &|refer, _| refer.is_some(), &mut |leaf| {
            let evaluation = parts.decide(leaf.fired);
            let offered = match evaluation.recommendation {
                Recommendation::Massage(style) => {
                    styles.contains(style) || evaluation.alternatives.iter().any(|s| styles.contains(s))
                }
                Recommendation::Physician => false,
            };
            if offered {
                found = Some(leaf.picks.to_vec());
                Flow::Stop
            } else {
                Flow::Continue
            }
        });
        let Some(picks) = found else { return Ok(()) };
        let example = self.counterexample(&search, &picks, false);
        let (q, o) = self.names(question, option);
        let names: Vec<&str> = styles.iter().map(|s| s.id()).collect();
        let mut rules = self.readers(question, option);
        if let Some(e) = &example {
            let rule_set = self.parts.rule_set;
            rules.extend(e.outcome.fired.iter().filter(|r| {
                let favour = rule_set.rules[*r].effect.favour;
                styles.iter().any(|s| favour[s.index()] > 0)
            }));
        }
        self.push(Finding {
            code: code::FORBIDDEN_STYLE,
            category: Category::Safety,
            at: self.option_place(question, option),
            subject: format!("{q}.{o}"),
            affected: None,
            message: format!(
                "answer \"{o}\" to \"{q}\" forbids {}, but with it {} can be recommended or offered as an alternative",
                names.join(", "),
                names.join(", ")
            ),
            rules,
            example,
        });
        Ok(())
    }

    /// Adding an option of an escalating question never lowers the urgency nor raises the pressure.
    pub fn escalation(&mut self, question: usize, option: usize) -> Result<(), String> {
        let parts = self.parts;
        let component = parts.component_of[question];
        let pairs = (0..parts.space.questions[question].classes.len())
            .filter_map(|before| {
                let (after, holds) = parts.space.after_adding(question, before, option)?;
                Some((before, after, Pin { question, include: holds, exclude: 1 << option, add: 1 << option }))
            })
            .collect();
        let spec = Spec { pinned: Some((question, pairs)), ..Spec::default() };
        let mut variants = parts.variants(component, &spec)?;
        // A referral at least as urgent after adding it, whatever else is answered.
        variants.retain(|v| !(v.other_refer.is_some() && v.other_refer >= v.refer));
        let search = self.search(Some((component, variants)), None)?;
        let mut found = None;
        self.combinations += explore(&search.levels, &|refer, after| refer.is_some() && after >= refer, &mut |leaf| {
            let before = parts.decide(leaf.fired);
            let after = parts.decide(leaf.other);
            if urgency_rank(&after) < urgency_rank(&before) || pressure_rank(&after) > pressure_rank(&before) {
                found = Some(leaf.picks.to_vec());
                Flow::Stop
            } else {
                Flow::Continue
            }
        });
        let Some(picks) = found else { return Ok(()) };
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
            code: code::ESCALATION,
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

    /// Answers no rule decides (error), or only an always-true catch-all decides (warning).
    pub fn gaps(&mut self) -> Result<(), String> {
        let parts = self.parts;
        let mut catch_all = Vec::new();
        let mut without = FiredRules::default();
        for (component, part) in parts.components.iter().enumerate() {
            for &rule in &part.rules {
                let spec = Spec { require: Some((rule, false)), only: Some(rule), ..Spec::default() };
                if parts.variants(component, &spec)?.is_empty() {
                    catch_all.push(rule);
                    without.insert(rule);
                }
            }
        }
        catch_all.sort_unstable();
        let search = self.search(None, Some(without))?;
        let (mut gap, mut only) = ((0u128, 0u128, None), (0u128, 0u128, None));
        self.combinations += explore(&search.levels, &|refer, _| refer.is_some(), &mut |leaf| {
            let evaluation = parts.decide(leaf.fired);
            let tally = if evaluation.undecided {
                Some(&mut gap)
            } else if !catch_all.is_empty() && parts.decide(leaf.other).undecided {
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
        });
        let file = Place { file: parts.rule_set.rules_file.clone(), line: 0 };
        if let (classes, answers, Some(picks)) = gap {
            let example = self.counterexample(&search, &picks, false);
            self.push(Finding {
                code: code::GAP,
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
                code: code::CATCH_ALL_ONLY,
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
    pub fn dead_and_shadowed(&mut self) -> Result<(), String> {
        let parts = self.parts;
        for (component, part) in parts.components.iter().enumerate() {
            for &rule in &part.rules {
                let spec = &parts.rule_set.rules[rule];
                let fires = Spec { require: Some((rule, true)), only: Some(rule), ..Spec::default() };
                if parts.variants(component, &fires)?.is_empty() {
                    self.push(Finding {
                        code: code::DEAD_RULE,
                        category: Category::Warning,
                        at: self.rule_place(rule),
                        subject: spec.id.clone(),
                        affected: None,
                        message: format!(
                            "rule \"{}\" can never fire: no answer set meets {}",
                            spec.id,
                            spec.when.describe(&parts.rule_set.questionnaire)
                        ),
                        rules: vec![rule],
                        example: None,
                    });
                } else {
                    let mut without = FiredRules::default();
                    without.insert(rule);
                    let firing = Spec { without, require: Some((rule, true)), ..Spec::default() };
                    let variants = parts.variants(component, &firing)?;
                    self.shadowed(component, rule, variants)?;
                }
            }
        }
        Ok(())
    }

    /// Whether a rule ever changes an outcome; `variants`: its component where it fires,
    /// with it (this side) and without it (other side).
    fn shadowed(&mut self, component: usize, rule: usize, variants: Vec<Variant>) -> Result<(), String> {
        let parts = self.parts;
        let effect = &parts.rule_set.rules[rule].effect;
        let speaks = effect.precaution.is_some() || effect.advice.is_some();
        if speaks && effect.refer.is_some() {
            return Ok(()); // whenever it fires it is a reason given, with its sentence
        }
        let search = self.search(Some((component, variants)), None)?;
        let mut matters = false;
        let mut first = None;
        self.combinations += explore(&search.levels, &|with, without| with.is_some() && with == without, &mut |leaf| {
            first.get_or_insert_with(|| leaf.picks.to_vec());
            let with = parts.decide(leaf.fired);
            let without = parts.decide(leaf.other);
            if !same_decision(&with, &without) || (speaks && with.recommendation != Recommendation::Physician) {
                matters = true;
                Flow::Stop
            } else {
                Flow::Continue
            }
        });
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
        let id = &parts.rule_set.rules[rule].id;
        self.push(Finding {
            code: code::SHADOWED_RULE,
            category: Category::Warning,
            at: self.rule_place(rule),
            subject: id.clone(),
            affected: None,
            message: format!(
                "rule \"{id}\" never changes any outcome: wherever it fires, the result is the same without it"
            ),
            rules: vec![rule],
            example,
        });
        Ok(())
    }

    /// Questions and options no rule reads.
    pub fn unused(&mut self) {
        let rule_set = self.parts.rule_set;
        let tests = collect_tests(rule_set);
        for (index, (question, tests)) in rule_set.questionnaire.questions.iter().zip(&tests).enumerate() {
            if !tests.read {
                self.push(Finding {
                    code: code::UNUSED_QUESTION,
                    category: Category::Warning,
                    at: Place { file: rule_set.questionnaire_file.clone(), line: question.line },
                    subject: question.id.clone(),
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
                        code: code::UNUSED_OPTION,
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
        (q.id.clone(), q.options[option].id.clone())
    }

    fn push(&mut self, mut finding: Finding) {
        finding.rules.sort_unstable();
        finding.rules.dedup();
        self.findings.push(finding);
    }
}
