//! `rules check` and `rules diff` against brute force: on a questionnaire small enough to enumerate every
//! answer set (11,760), the checker's verdicts must be exactly those of the definitions. The
//! questionnaire has each shape the checker handles: a conditional question (answered
//! exactly when its condition holds, so only such answer sets are enumerated), marks and
//! invariants with every demand, a rule's own `tell` and a style's maximum pressure.

use massage_triage::answers::{Answer, Answers};
use massage_triage::check::diff::diff;
use massage_triage::check::{check, check_within, Budget, CheckReport};
use massage_triage::code::Code;
use massage_triage::diagnostic::SourceText;
use massage_triage::engine::{decide, evaluate, Evaluation, FiredRules};
use massage_triage::questionnaire::{QuestionKind, Questionnaire, StatementSubject};
use massage_triage::recommendation::{Pressure, Recommendation, Style, StyleSet, Urgency};
use massage_triage::rules::{Condition, Effect, Origin, Rule, RuleSet, SetTest, Truth};
use proptest::prelude::*;
use std::collections::BTreeSet;

const QUESTIONNAIRE: &str = include_str!("../fixtures/small/questionnaire.toml");
const RULES: &str = include_str!("../fixtures/small/rules.toml");

fn values(kind: QuestionKind, options: usize) -> Vec<Answer> {
    match kind {
        QuestionKind::OneOf => (0..options).map(|i| Answer::Choice(i as u8)).collect(),
        QuestionKind::SeveralOf { min_selected } => {
            (0..1u64 << options).filter(|b| b.count_ones() as usize >= min_selected).map(Answer::Choices).collect()
        }
        QuestionKind::Number { min, max } => (min..=max).map(Answer::Number).collect(),
        QuestionKind::YesNo => vec![Answer::YesNo(false), Answer::YesNo(true)],
    }
}

/// Every answer set a person can give: a conditional question answered in every way when
/// its condition holds on the answers before it, not asked otherwise.
fn every_answer_set(questionnaire: &Questionnaire) -> Vec<Answers> {
    let mut all: Vec<Vec<Option<Answer>>> = vec![Vec::new()];
    for question in &questionnaire.questions {
        let choices = values(question.kind, question.options.len());
        all = all
            .into_iter()
            .flat_map(|prefix| {
                let asked = question.ask_when.as_ref().is_none_or(|when| when.truth(&prefix) == Truth::Yes);
                let here = if asked { choices.clone() } else { vec![Answer::NotAsked] };
                here.into_iter().map(move |v| [prefix.clone(), vec![Some(v)]].concat())
            })
            .collect();
    }
    all.into_iter().map(|v| Answers::new(questionnaire, None, v.into_iter().flatten().collect()).unwrap()).collect()
}

/// `answers` with option `option` of `question` added, and every conditional question that
/// this makes asked answered in every way (one it makes not asked, not asked).
fn with_option_added(questionnaire: &Questionnaire, answers: &Answers, question: usize, option: usize) -> Vec<Answers> {
    let Answer::Choices(bits) = answers.get(question) else { return Vec::new() };
    let mut values = answers.values().to_vec();
    values[question] = Answer::Choices(bits | 1 << option);
    let mut all = Vec::new();
    complete_conditionals(questionnaire, &mut values, 0, &mut all);
    all
}

/// Every way of answering the conditional questions from `from` on that the other answers
/// call for (in questionnaire order, as each may depend on the ones before).
fn complete_conditionals(questionnaire: &Questionnaire, values: &mut Vec<Answer>, from: usize, all: &mut Vec<Answers>) {
    let Some(at) = (from..values.len()).find(|q| questionnaire.questions[*q].ask_when.is_some()) else {
        all.push(Answers::new(questionnaire, None, values.clone()).unwrap());
        return;
    };
    let question = &questionnaire.questions[at];
    let known: Vec<Option<Answer>> = values.iter().copied().map(Some).collect();
    let asked = question.ask_when.as_ref().is_some_and(|when| when.truth(&known[..at]) == Truth::Yes);
    let given = values[at];
    let choices = match (asked, given) {
        (false, _) => vec![Answer::NotAsked],
        (true, Answer::NotAsked) => self::values(question.kind, question.options.len()),
        (true, given) => vec![given],
    };
    for choice in choices {
        values[at] = choice;
        complete_conditionals(questionnaire, values, at + 1, all);
    }
    values[at] = given;
}

fn urgency_rank(e: &Evaluation) -> usize {
    match e.recommendation {
        Recommendation::Physician => 1 + e.urgency.map_or(0, Urgency::index),
        Recommendation::Massage(_) => 0,
    }
}

fn pressure_rank(e: &Evaluation) -> usize {
    match (e.recommendation, e.pressure) {
        (Recommendation::Massage(_), Some(p)) => 1 + p.index(),
        _ => 0,
    }
}

fn same(rule_set: &RuleSet, a: &Evaluation, b: &Evaluation) -> bool {
    (a.recommendation, a.urgency, a.pressure, a.session_minutes, a.alternatives, a.undecided)
        == (b.recommendation, b.urgency, b.pressure, b.session_minutes, b.alternatives, b.undecided)
        && a.tell(rule_set) == b.tell(rule_set)
}

fn offers(e: &Evaluation, styles: StyleSet) -> bool {
    match e.recommendation {
        Recommendation::Massage(s) => styles.contains(s) || e.alternatives.iter().any(|x| styles.contains(x)),
        Recommendation::Physician => false,
    }
}

/// The verdicts straight from the definitions, over every answer set.
fn brute_force(rule_set: &RuleSet) -> (BTreeSet<(Code, String)>, Option<u128>, Option<u128>) {
    let questionnaire = &rule_set.questionnaire;
    // Every random rule set shares the small questionnaire: its answer sets are made once.
    static ALL: std::sync::OnceLock<Vec<Answers>> = std::sync::OnceLock::new();
    let all = ALL.get_or_init(|| every_answer_set(questionnaire));
    let evaluations: Vec<Evaluation> = all.iter().map(|a| evaluate(rule_set, a)).collect();
    let mut verdicts = BTreeSet::new();
    for statement in questionnaire.statements() {
        let subject = questionnaire.statement_name(statement.subject);
        let applies: Vec<&Evaluation> =
            all.iter().zip(&evaluations).filter(|(a, _)| statement.when.holds(a)).map(|(_, e)| e).collect();
        if let Some(least) = statement.min_urgency {
            if applies.iter().any(|e| !(e.recommendation == Recommendation::Physician && e.urgency >= Some(least))) {
                verdicts.insert((Code::MinUrgency, subject.clone()));
            }
        }
        if applies.iter().any(|e| offers(e, statement.forbids)) {
            verdicts.insert((Code::ForbiddenStyle, subject.clone()));
        }
        if let Some(limit) = statement.max_pressure {
            if applies.iter().any(|e| e.pressure.is_some_and(|p| p > limit)) {
                verdicts.insert((Code::MaxPressure, subject.clone()));
            }
        }
        if applies.is_empty() && matches!(statement.subject, StatementSubject::Invariant(_)) {
            verdicts.insert((Code::VacuousInvariant, subject.clone()));
        }
    }
    for (q, question) in questionnaire.questions.iter().enumerate() {
        if !question.escalating {
            continue;
        }
        for (o, option) in question.options.iter().enumerate() {
            let fails = all.iter().zip(&evaluations).any(|(a, before)| {
                let Answer::Choices(bits) = a.get(q) else { return false };
                bits & (1 << o) == 0
                    && with_option_added(questionnaire, a, q, o).iter().any(|after| {
                        let after = evaluate(rule_set, after);
                        urgency_rank(&after) < urgency_rank(before) || pressure_rank(&after) > pressure_rank(before)
                    })
            });
            if fails {
                verdicts.insert((Code::Escalation, format!("{}.{}", question.id, option.id)));
            }
        }
    }
    let gap: u128 = evaluations.iter().filter(|e| e.undecided).count() as u128;
    let catch_all: Vec<usize> =
        (0..rule_set.rules.len()).filter(|r| evaluations.iter().all(|e| e.fired.contains(*r))).collect();
    let only = evaluations
        .iter()
        .filter(|e| {
            let mut without = e.fired;
            catch_all.iter().for_each(|r| without.remove(*r));
            !catch_all.is_empty()
                && !e.undecided
                && e.recommendation != Recommendation::Physician
                && decide(rule_set, without).undecided
        })
        .count() as u128;
    for (r, rule) in rule_set.rules.iter().enumerate() {
        let firing: Vec<&Evaluation> = evaluations.iter().filter(|e| e.fired.contains(r)).collect();
        if firing.is_empty() {
            verdicts.insert((Code::DeadRule, rule.id.to_string()));
            continue;
        }
        let speaks = rule.effect.precaution.is_some() || rule.effect.advice.is_some();
        let matters = firing.iter().any(|e| match rule.effect.refer {
            // A referring rule is a reason wherever nothing more urgent fires with it.
            Some(urgency) => e.urgency == Some(urgency),
            None => {
                let mut without = e.fired;
                without.remove(r);
                (speaks && e.recommendation != Recommendation::Physician)
                    || !same(rule_set, e, &decide(rule_set, without))
            }
        });
        if !matters {
            verdicts.insert((Code::ShadowedRule, rule.id.to_string()));
        }
    }
    if gap > 0 {
        verdicts.insert((Code::Gap, String::new()));
    }
    if only > 0 {
        let ids: Vec<&str> = catch_all.iter().map(|r| rule_set.rules[*r].id.as_str()).collect();
        verdicts.insert((Code::CatchAllOnly, ids.join(",")));
    }
    ((verdicts), (gap > 0).then_some(gap), (only > 0).then_some(only))
}

fn checker_verdicts(report: &CheckReport) -> (BTreeSet<(Code, String)>, Option<u128>, Option<u128>) {
    let mut verdicts = BTreeSet::new();
    let (mut gap, mut only) = (None, None);
    for finding in &report.findings {
        if finding.code == Code::UnusedOption || finding.code == Code::UnusedQuestion {
            continue;
        }
        if finding.code == Code::Gap {
            gap = finding.affected;
        }
        if finding.code == Code::CatchAllOnly {
            only = finding.affected;
        }
        verdicts.insert((finding.code, finding.subject.clone()));
    }
    (verdicts, gap, only)
}

/// Every counterexample shows what its finding says, by the engine itself.
fn counterexamples_hold(rule_set: &RuleSet, report: &CheckReport) {
    for finding in &report.findings {
        let Some(example) = &finding.example else { continue };
        let again = evaluate(rule_set, &example.answers);
        assert_eq!(again, example.outcome, "{}", finding.message);
        match finding.code {
            Code::MinUrgency => assert!(again.urgency.is_none() || again.recommendation == Recommendation::Physician),
            Code::MaxPressure => assert!(again.pressure.is_some()),
            Code::Gap => assert!(again.undecided),
            Code::Escalation => {
                let (_, before) = example.before.as_ref().unwrap();
                assert!(urgency_rank(&again) < urgency_rank(before) || pressure_rank(&again) > pressure_rank(before));
            }
            _ => {}
        }
    }
}

fn small_rule_set() -> RuleSet {
    RuleSet::from_texts(
        SourceText::new("questionnaire.toml", QUESTIONNAIRE),
        SourceText::new("rules.toml", RULES),
        Origin::BuiltIn,
    )
    .unwrap()
}

#[test]
fn the_planted_problems_are_found_exactly_as_brute_force_finds_them() {
    let rule_set = small_rule_set();
    let report = check(&rule_set);
    let expected = brute_force(&rule_set);
    assert_eq!(checker_verdicts(&report), expected);
    counterexamples_hold(&rule_set, &report);
    // The fixture plants one of each problem; make sure the comparison is not vacuous.
    let codes: BTreeSet<Code> = report.findings.iter().map(|f| f.code).collect();
    for code in [
        Code::MinUrgency,
        Code::ForbiddenStyle,
        Code::MaxPressure,
        Code::Escalation,
        Code::Gap,
        Code::DeadRule,
        Code::ShadowedRule,
        Code::VacuousInvariant,
    ] {
        assert!(codes.contains(&code), "{code} not planted");
    }
}

/// `r` changes the recommended style only at a high level (where swedish totals 2, not 5),
/// and the coarse outcome that stands for all levels has a low one as its example: only the
/// exact search shows that `r` matters. With no samples drawn, nothing else could.
#[test]
fn a_rule_that_matters_only_where_the_coarse_example_does_not_show_it_is_not_shadowed() {
    let favour = |swedish: i32, sports: i32| Effect { favour: [swedish, 0, sports, 0], ..Effect::default() };
    let rules = [
        ("a", Condition::Number { question: 3, min: 0, max: 6 }, favour(2, 1)),
        ("b", Condition::Number { question: 3, min: 0, max: 2 }, favour(3, 0)),
        ("r", Condition::YesNo { question: 4, value: true }, favour(0, 2)),
    ];
    let rule_set = with_rules(rules.map(|(id, when, effect)| (id.to_owned(), when, effect)));
    let report = check_within(&rule_set, Budget { samples: 0, ..Budget::DEFAULT });
    assert_eq!(checker_verdicts(&report), brute_force(&rule_set));
    let shadowed = |id: &str| report.findings.iter().any(|f| f.code == Code::ShadowedRule && f.subject == id);
    assert!(!shadowed("r"), "{:#?}", report.findings);
}

// ---------------------------------------------------------------- random rule sets

fn leaf() -> impl Strategy<Value = Condition> {
    let set_test = |test: usize| [SetTest::ContainsAny, SetTest::ContainsAll, SetTest::ContainsNone][test];
    prop_oneof![
        (1u64..8, 0usize..3).prop_map(move |(options, test)| Condition::Contains {
            question: 0,
            options,
            test: set_test(test),
        }),
        (1u64..4, 0usize..3).prop_map(move |(options, test)| Condition::Contains {
            question: 1,
            options,
            test: set_test(test),
        }),
        Just(Condition::Asked { question: 1 }),
        (1u64..8).prop_map(|options| Condition::Choice { question: 2, options }),
        (0i64..7, 0i64..7).prop_map(|(a, b)| Condition::Number { question: 3, min: a.min(b), max: a.max(b) }),
        any::<bool>().prop_map(|value| Condition::YesNo { question: 4, value }),
        (1u64..8, 0usize..3).prop_map(move |(options, test)| Condition::Contains {
            question: 5,
            options,
            test: set_test(test),
        }),
        Just(Condition::Always),
    ]
}

fn condition() -> impl Strategy<Value = Condition> {
    leaf().prop_recursive(2, 6, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..3).prop_map(Condition::All),
            prop::collection::vec(inner.clone(), 1..3).prop_map(Condition::Any),
            inner.prop_map(|c| Condition::Not(Box::new(c))),
        ]
    })
}

fn effect() -> impl Strategy<Value = Effect> {
    (
        prop::option::weighted(0.25, 0usize..3),
        prop::array::uniform4(prop_oneof![4 => Just(0i32), 3 => 1i32..4, 1 => -2i32..0]),
        prop::option::weighted(0.2, 0u8..16),
        prop::option::weighted(0.3, 0usize..3),
        prop::option::weighted(0.2, prop_oneof![Just(30u16), Just(45u16), Just(90u16)]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(refer, favour, forbid, cap, minutes, speaks, tells)| Effect {
            refer: refer.map(|u| Urgency::ALL[u]),
            favour,
            forbid: forbid.map_or(StyleSet::EMPTY, |bits| {
                Style::ALL.iter().copied().filter(|s| bits & (1 << s.index()) != 0).collect()
            }),
            max_pressure: cap.map(|p| Pressure::ALL[p]),
            session_minutes: minutes,
            precaution: speaks.then(|| "A precaution.".into()),
            advice: None,
            tell: (tells && refer.is_some()).then(|| "Told by this rule.".into()),
        })
}

/// The small rule set's questionnaire with these rules (id, condition, effect).
fn with_rules(rules: impl IntoIterator<Item = (String, Condition, Effect)>) -> RuleSet {
    let rule = |(i, (id, when, effect)): (usize, (String, Condition, Effect))| Rule {
        id: id.into(),
        because: "Because.".into(),
        source: vec!["test".into()],
        when,
        effect,
        line: i + 1,
    };
    small_rule_set().with_rules(rules.into_iter().enumerate().map(rule).collect())
}

fn random_rule_set() -> impl Strategy<Value = RuleSet> {
    prop::collection::vec((condition(), effect()), 1..7).prop_map(|rules| {
        with_rules(rules.into_iter().enumerate().map(|(i, (when, effect))| (format!("r{i}"), when, effect)))
    })
}

proptest! {
    // More cases than elsewhere: the coarse sweeps, their bounds on the pressure and the
    // sampled witnesses each take their own path only on some rule sets.
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn random_rule_sets_get_the_brute_force_verdicts(rule_set in random_rule_set()) {
        let expected = brute_force(&rule_set);
        let report = check(&rule_set);
        prop_assert_eq!(checker_verdicts(&report), expected.clone());
        counterexamples_hold(&rule_set, &report);
        // The safety-only proof (before answering with a `--rules` set) agrees with it.
        let safe = report.findings.iter().all(|f| f.category != massage_triage::check::Category::Safety);
        prop_assert_eq!(massage_triage::check::ensure_safe(&rule_set).is_ok(), safe);
        // With no samples, every shadowed rule goes through the coarse and exact searches.
        let unsampled = check_within(&rule_set, Budget { samples: 0, ..Budget::DEFAULT });
        prop_assert_eq!(checker_verdicts(&unsampled), expected);
        counterexamples_hold(&rule_set, &unsampled);
    }
}

#[test]
fn fired_rules_union_is_what_the_checker_combines() {
    let mut a = FiredRules::default();
    a.insert(1);
    let mut b = FiredRules::default();
    b.insert(70);
    let both = a.union(b);
    assert!(both.contains(1) && both.contains(70) && !both.contains(2));
}

// ---------------------------------------------------------------- rules diff

type Decision = (Recommendation, Option<Urgency>, Option<Pressure>, Option<u16>);

fn decision(e: &Evaluation) -> Decision {
    (e.recommendation, e.urgency, e.pressure, e.session_minutes)
}

/// The answer sets whose decision changes, by what it changes from and into, counted over
/// every answer set a person can give.
fn brute_force_diff(old: &RuleSet, new: &RuleSet) -> std::collections::BTreeMap<String, u128> {
    let all = every_answer_set(&old.questionnaire);
    let mut regions = std::collections::BTreeMap::new();
    for answers in &all {
        let (before, after) = (decision(&evaluate(old, answers)), decision(&evaluate(new, answers)));
        if before != after {
            *regions.entry(format!("{before:?} -> {after:?}")).or_insert(0) += 1;
        }
    }
    regions
}

/// The diff's regions in the same terms, each example checked by the engine on both sets.
fn diff_regions(old: &RuleSet, new: &RuleSet) -> std::collections::BTreeMap<String, u128> {
    let found = diff(old, new, Budget::DEFAULT).unwrap();
    let mut regions = std::collections::BTreeMap::new();
    for region in &found.regions {
        let (before, after) = (decision(&region.old), decision(&region.new));
        assert_eq!(decision(&evaluate(old, &region.example)), before);
        assert_eq!(decision(&evaluate(new, &region.example)), after);
        assert!(
            regions.insert(format!("{before:?} -> {after:?}"), region.answer_sets).is_none(),
            "one region a change"
        );
    }
    assert_eq!(found.answer_sets, every_answer_set(&old.questionnaire).len() as u128);
    regions
}

#[test]
fn a_rule_set_diffed_with_itself_changes_nothing() {
    let rule_set = small_rule_set();
    let found = diff(&rule_set, &rule_set, Budget::DEFAULT).unwrap();
    assert!(found.regions.is_empty());
    assert_eq!(found.shared, rule_set.rules.len());
}

#[test]
fn a_lowered_urgency_in_the_small_set_is_found_exactly() {
    let old = small_rule_set();
    let mut rules = old.rules.clone();
    let refers = rules.iter().position(|r| r.effect.refer > Some(Urgency::Routine)).unwrap();
    rules[refers].effect.refer = Some(Urgency::Routine);
    let new = old.with_rules(rules);
    let expected = brute_force_diff(&old, &new);
    assert!(!expected.is_empty(), "the planted change changes something");
    assert_eq!(diff_regions(&old, &new), expected);
}

/// A new rule set made from an old one: each rule kept, dropped or replaced by another's
/// rule of the same id; the other's extra rules added; perhaps another default session.
fn edited_pair() -> impl Strategy<Value = (RuleSet, RuleSet)> {
    (random_rule_set(), random_rule_set(), prop::collection::vec(0u8..3, 7), any::<bool>()).prop_map(
        |(old, other, edits, longer)| {
            let mut rules = Vec::new();
            for (index, rule) in old.rules.iter().enumerate() {
                match (edits[index], other.rules.get(index)) {
                    (0, _) => rules.push(rule.clone()),
                    (1, Some(replacement)) => rules.push(replacement.clone()),
                    _ => {}
                }
            }
            rules.extend(other.rules.iter().skip(old.rules.len()).cloned());
            let mut new = old.with_rules(rules);
            if longer {
                new.policy.session_minutes = 90;
            }
            (old, new)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_edits_get_the_brute_force_diff((old, new) in edited_pair()) {
        prop_assert_eq!(diff_regions(&old, &new), brute_force_diff(&old, &new));
    }
}
