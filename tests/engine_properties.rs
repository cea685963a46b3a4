//! Safety properties of the built-in rule set, checked over generated answer sets
//! (proptest) and exhaustively where the space is small enough.
#![allow(clippy::unwrap_used)]

use massage_triage::answers::{parse_toml, Answer, Answers};
use massage_triage::diagnostic::SourceText;
use massage_triage::engine::{evaluate, evaluate_traced, Evaluation};
use massage_triage::questionnaire::{QuestionKind, Questionnaire};
use massage_triage::recommendation::{Pressure, Recommendation, Style, Urgency};
use massage_triage::rules::RuleSet;
use proptest::prelude::*;
use std::sync::OnceLock;

fn rule_set() -> &'static RuleSet {
    static RULE_SET: OnceLock<RuleSet> = OnceLock::new();
    RULE_SET.get_or_init(|| RuleSet::built_in().unwrap())
}

/// A valid answer for each question, made from one random number per question.
fn answers_from_seeds(questionnaire: &Questionnaire, seeds: &[u64]) -> Answers {
    let values = questionnaire
        .questions
        .iter()
        .zip(seeds)
        .map(|(question, seed)| match question.kind {
            QuestionKind::OneOf => Answer::Choice((seed % question.options.len() as u64) as u8),
            QuestionKind::SeveralOf { min_selected } => {
                let mut bits = seed & question.all_options_mask();
                if (bits.count_ones() as usize) < min_selected {
                    bits |= 1 << (seed % question.options.len() as u64);
                }
                Answer::Choices(bits)
            }
            QuestionKind::Number { min, max } => Answer::Number(min + (seed % (max - min + 1) as u64) as i64),
            QuestionKind::YesNo => Answer::YesNo(seed % 2 == 1),
        })
        .collect();
    Answers::new(questionnaire, None, values).unwrap()
}

fn any_answers() -> impl Strategy<Value = Answers> {
    let count = rule_set().questionnaire.questions.len();
    prop::collection::vec(any::<u64>(), count).prop_map(|seeds| answers_from_seeds(&rule_set().questionnaire, &seeds))
}

/// Options as (question index, option index), for those with a property.
fn marked_options(keep: impl Fn(&massage_triage::questionnaire::AnswerOption) -> bool) -> Vec<(usize, usize)> {
    let mut marked = Vec::new();
    for (q, question) in rule_set().questionnaire.questions.iter().enumerate() {
        for (o, option) in question.options.iter().enumerate() {
            if keep(option) {
                marked.push((q, o));
            }
        }
    }
    marked
}

/// The answers with one option chosen (added to a several-of answer, set on a one-of).
fn choose(answers: &Answers, question: usize, option: usize) -> Answers {
    let value = match answers.get(question) {
        Answer::Choices(bits) => Answer::Choices(bits | 1 << option),
        _ => Answer::Choice(option as u8),
    };
    answers.with(question, value)
}

/// Pressure as a level where a referral (no massage at all) is the lowest.
fn pressure_level(evaluation: &Evaluation) -> Option<Pressure> {
    evaluation.pressure
}

fn assert_safe_for_marks(answers: &Answers) {
    let evaluation = evaluate(rule_set(), answers);
    for (q, question) in rule_set().questionnaire.questions.iter().enumerate() {
        for (o, option) in question.options.iter().enumerate() {
            let chosen = match answers.get(q) {
                Answer::Choices(bits) => bits & (1 << o) != 0,
                Answer::Choice(i) => usize::from(i) == o,
                _ => false,
            };
            if !chosen {
                continue;
            }
            if let Some(floor) = option.min_urgency {
                assert_eq!(evaluation.recommendation, Recommendation::Physician, "{} must refer", option.id);
                assert!(evaluation.urgency >= Some(floor), "{} needs at least {floor}", option.id);
            }
            for style in option.forbids.iter() {
                assert_ne!(evaluation.recommendation, Recommendation::Massage(style), "{} forbids {style}", option.id);
                assert!(!evaluation.alternatives.iter().any(|s| s == style), "{} forbids {style}", option.id);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_red_flag_always_means_a_physician_of_at_least_its_urgency(answers in any_answers(), pick in any::<prop::sample::Index>()) {
        let red_flags = marked_options(|o| o.red_flag);
        let (q, o) = red_flags[pick.index(red_flags.len())];
        let answers = choose(&answers, q, o);
        let floor = rule_set().questionnaire.questions[q].options[o].min_urgency.unwrap();
        let evaluation = evaluate(rule_set(), &answers);
        prop_assert_eq!(evaluation.recommendation, Recommendation::Physician);
        prop_assert!(evaluation.urgency >= Some(floor));
        prop_assert_eq!(evaluation.pressure, None);
        prop_assert_eq!(evaluation.session_minutes, None);
    }

    #[test]
    fn a_suspected_clot_always_means_a_physician(answers in any_answers()) {
        let questionnaire = &rule_set().questionnaire;
        let q = questionnaire.index_of("contraindications").unwrap();
        let o = questionnaire.questions[q].option_index("blood_clot").unwrap();
        let evaluation = evaluate(rule_set(), &choose(&answers, q, o));
        prop_assert_eq!(evaluation.recommendation, Recommendation::Physician);
        prop_assert!(evaluation.urgency >= Some(Urgency::Urgent));
    }

    #[test]
    fn every_safety_mark_holds(answers in any_answers()) {
        assert_safe_for_marks(&answers);
    }

    #[test]
    fn adding_a_red_flag_or_contraindication_never_lowers_urgency_nor_raises_pressure(
        answers in any_answers(),
        pick in any::<prop::sample::Index>(),
    ) {
        let escalating: Vec<(usize, usize)> = marked_options(|_| true)
            .into_iter()
            .filter(|(q, _)| rule_set().questionnaire.questions[*q].escalating)
            .collect();
        let (q, o) = escalating[pick.index(escalating.len())];
        let before = evaluate(rule_set(), &answers);
        let after = evaluate(rule_set(), &choose(&answers, q, o));
        prop_assert!(after.urgency >= before.urgency, "urgency fell from {:?} to {:?}", before.urgency, after.urgency);
        prop_assert!(pressure_level(&after) <= pressure_level(&before), "pressure rose from {:?} to {:?}", before.pressure, after.pressure);
    }

    #[test]
    fn deep_tissue_never_with_a_forbidding_answer(answers in any_answers()) {
        let evaluation = evaluate(rule_set(), &answers);
        if evaluation.recommendation == Recommendation::Massage(Style::DeepTissue) {
            let questionnaire = &rule_set().questionnaire;
            let value = |id: &str| Answers::describe(questionnaire, questionnaire.index_of(id).unwrap(), answers.get(questionnaire.index_of(id).unwrap()));
            let contraindications = value("contraindications");
            for forbidding in ["blood_thinners", "osteoporosis", "pregnancy", "recent_surgery"] {
                prop_assert!(!contraindications.contains(forbidding));
            }
            prop_assert!(["medium", "firm"].contains(&value("pressure").as_str()));
        }
    }

    #[test]
    fn evaluation_is_deterministic_and_the_trace_agrees(answers in any_answers()) {
        let first = evaluate(rule_set(), &answers);
        let second = evaluate(rule_set(), &answers.clone());
        prop_assert_eq!(first, second);
        let (traced, trace) = evaluate_traced(rule_set(), &answers);
        prop_assert_eq!(first, traced);
        for (index, step) in trace.iter().enumerate() {
            prop_assert_eq!(step.fired, first.fired.contains(index));
            prop_assert_eq!(step.failed.is_none(), step.fired);
            if let Some(part) = step.failed {
                prop_assert!(!part.holds(&answers), "the reported failing part must fail");
            }
        }
    }

    #[test]
    fn pressure_is_never_above_the_tolerance(answers in any_answers()) {
        let questionnaire = &rule_set().questionnaire;
        let q = questionnaire.index_of("pressure").unwrap();
        let tolerance = match Answers::describe(questionnaire, q, answers.get(q)).as_str() {
            "firm" => Pressure::Firm,
            "medium" => Pressure::Medium,
            _ => Pressure::Light,
        };
        let evaluation = evaluate(rule_set(), &answers);
        if let Some(pressure) = evaluation.pressure {
            prop_assert!(pressure <= tolerance);
        }
    }

    #[test]
    fn a_massage_always_comes_with_pressure_and_session_length(answers in any_answers()) {
        let evaluation = evaluate(rule_set(), &answers);
        match evaluation.recommendation {
            Recommendation::Physician => prop_assert!(evaluation.urgency.is_some()),
            Recommendation::Massage(_) => {
                prop_assert!(evaluation.urgency.is_none());
                prop_assert!(evaluation.pressure.is_some());
                prop_assert!([30, 45, 60, 90].contains(&evaluation.session_minutes.unwrap()));
            }
        }
    }

    #[test]
    fn saved_answers_read_back_identically(answers in any_answers(), id in proptest::option::of("[a-z0-9-]{1,12}")) {
        let mut answers = answers;
        answers.id = id;
        let text = answers.to_toml(&rule_set().questionnaire);
        let back = parse_toml(&rule_set().questionnaire, SourceText::new("saved.toml", &text)).unwrap();
        prop_assert_eq!(back, answers);
    }
}

/// Every combination of red flags and contraindications, with a handful of otherwise mild
/// answer sets: the marks hold exhaustively over the two questions that carry them.
#[test]
fn safety_marks_hold_for_every_red_flag_and_contraindication_combination() {
    let questionnaire = &rule_set().questionnaire;
    let red_flags = questionnaire.index_of("red_flags").unwrap();
    let contraindications = questionnaire.index_of("contraindications").unwrap();
    let pressure = questionnaire.index_of("pressure").unwrap();
    let onset = questionnaire.index_of("onset").unwrap();
    let base = answers_from_seeds(questionnaire, &[0, 2, 4, 0, 8, 0, 0, 28, 2]);
    let flag_sets = 1u64 << questionnaire.questions[red_flags].options.len();
    let contraindication_sets = 1u64 << questionnaire.questions[contraindications].options.len();
    for (pressure_choice, onset_choice) in [(2u8, 2u8), (1, 0), (3, 4), (0, 1)] {
        let base = base.with(pressure, Answer::Choice(pressure_choice)).with(onset, Answer::Choice(onset_choice));
        for flags in 0..flag_sets {
            for contra in 0..contraindication_sets {
                let answers =
                    base.with(red_flags, Answer::Choices(flags)).with(contraindications, Answer::Choices(contra));
                assert_safe_for_marks(&answers);
            }
        }
    }
}

/// The built-in rules plus rules whose conditions are not plain conjunctions (`any`, `not`,
/// nested), which the compiled program leaves to the condition tree.
fn rule_set_with_trees() -> &'static RuleSet {
    static RULE_SET: OnceLock<RuleSet> = OnceLock::new();
    RULE_SET.get_or_init(|| {
        let extra = r#"
[[rule]]
id = "tree_any_not"
because = "test"
source = ["test"]
when = { any = [ { question = "age", at_least = 70 }, { not = { question = "onset", is = "sports" } } ] }
advice = "tree one"

[[rule]]
id = "tree_nested"
because = "test"
source = ["test"]
when = { all = [ { question = "worsening", is = false }, { any = [ { question = "location", contains_all = ["neck", "leg"] }, { question = "severity", between = [2, 3] } ] } ] }
favour = { myofascial = 5 }
"#;
        let rules = format!("{}{extra}", massage_triage::rules::BUILT_IN_RULES);
        RuleSet::from_texts(
            SourceText::new("questionnaire.toml", massage_triage::rules::BUILT_IN_QUESTIONNAIRE),
            SourceText::new("rules.toml", &rules),
            massage_triage::rules::Origin::BuiltIn,
        )
        .unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_compiled_program_agrees_with_the_condition_tree(answers in any_answers()) {
        let rule_set = rule_set_with_trees();
        let evaluation = evaluate(rule_set, &answers);
        for (index, rule) in rule_set.rules.iter().enumerate() {
            prop_assert_eq!(evaluation.fired.contains(index), rule.when.holds(&answers), "rule {}", rule.id);
        }
        prop_assert_eq!(evaluation, evaluate_traced(rule_set, &answers).0);
    }
}
