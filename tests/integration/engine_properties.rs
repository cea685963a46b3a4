//! Safety properties of the built-in rule set (questionnaire version 2), checked over
//! generated answer sets (proptest, `common::any_answers`: the conditional question
//! `pregnancy_signs` answered exactly when pregnant) and exhaustively where the space is small
//! enough: every safety statement of `questionnaire.toml` (marks on options and invariants),
//! escalation, the clinical reference's pressure limits read independently of the marks, the
//! style maximum, `tell`, and the compiled program against the condition tree.

use crate::common::{
    any_answers, broken_among, broken_statements, choose, every_answer, is_chosen, option, question, rule_set,
    statements,
};
use massage_triage::answers::{parse_toml, Answer, Answers};
use massage_triage::diagnostic::SourceText;
use massage_triage::engine::{evaluate, evaluate_traced, Evaluation};
use massage_triage::questionnaire::StatementSubject;
use massage_triage::recommendation::{Pressure, Recommendation, Style, Urgency};
use massage_triage::rules::RuleSet;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::sync::OnceLock;

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

fn assert_statements_hold(answers: &Answers) {
    let evaluation = evaluate(rule_set(), answers);
    let broken = broken_among(rule_set(), statements(), answers, &evaluation);
    assert!(broken.is_empty(), "{broken:#?}\nfor {}", answers.to_toml(&rule_set().questionnaire));
}

/// The tolerance the client gave, as a pressure (`unsure` counts as light).
fn tolerance(answers: &Answers) -> Pressure {
    let questionnaire = &rule_set().questionnaire;
    let q = question("pressure");
    match Answers::describe(questionnaire, q, answers.get(q)).as_str() {
        "firm" => Pressure::Firm,
        "medium" => Pressure::Medium,
        _ => Pressure::Light,
    }
}

#[test]
fn the_statements_cover_every_safety_row_of_the_reference() {
    // The generated tests below check whatever the questionnaire states; this pins that it
    // states what the clinical reference asks, so that deleting a statement fails here.
    let questionnaire = &rule_set().questionnaire;
    let statements = questionnaire.statements();
    let names: Vec<String> = statements.iter().map(|s| questionnaire.statement_name(s.subject)).collect();
    for expected in [
        "red_flags.breathless_sweaty",
        "red_flags.head_neuro",
        "red_flags.arm_hand_neuro",
        "red_flags.infection_risk",
        "contraindications.blood_clot",
        "contraindications.bleeding_risk",
        "contraindications.recent_clot",
        "pregnancy_signs.contractions",
        "pregnancy_signs.bleeding_fluid",
        "pregnancy_signs.constant_backache",
        "pregnancy_signs.high_risk",
        "fever_with_infection_risk",
        "fever_stiff_neck_headache",
        "infection_risk_new_pain",
        "older_new_severe_pain",
        "older_new_worsening_pain",
        "older_new_worsening_severe_pain",
        "new_unexplained_pain_after_50",
        "persistent_pain_under_18",
        "shingles_signs",
        "osteoporosis_new_pain",
        "fall_or_injury_when_frail",
        "older_client_pressure",
        "young_client_pressure",
        "neck_only_pressure",
    ] {
        assert!(names.iter().any(|n| n == expected), "no safety statement {expected}: {names:?}");
    }
    let urgency = |name: &str| statements[names.iter().position(|n| n == name).unwrap()].min_urgency;
    assert_eq!(urgency("contraindications.blood_clot"), Some(Urgency::Emergency));
    assert_eq!(urgency("pregnancy_signs.contractions"), Some(Urgency::Emergency));
    assert_eq!(urgency("red_flags.arm_hand_neuro"), Some(Urgency::Urgent));
    assert_eq!(urgency("infection_risk_new_pain"), Some(Urgency::Emergency));
    assert!(statements.iter().any(|s| matches!(s.subject, StatementSubject::Invariant(_)) && s.max_pressure.is_some()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Every safety statement whose condition holds on the answers is met: a referral at
    /// least as urgent as it demands, no forbidden style recommended or offered, no more
    /// pressure than its limit.
    #[test]
    fn every_safety_statement_holds(answers in any_answers()) {
        let evaluation = evaluate(rule_set(), &answers);
        let broken = broken_statements(rule_set(), &answers, &evaluation);
        prop_assert!(broken.is_empty(), "{:#?}", broken);
    }

    #[test]
    fn a_red_flag_always_means_a_physician_of_at_least_its_urgency(
        answers in any_answers(),
        pick in any::<prop::sample::Index>(),
        seed in any::<u64>(),
    ) {
        let red_flags = marked_options(|o| o.red_flag);
        let (q, o) = red_flags[pick.index(red_flags.len())];
        let answers = choose(rule_set(), &answers, q, o, seed);
        let floor = rule_set().questionnaire.questions[q].options[o].min_urgency.unwrap();
        let evaluation = evaluate(rule_set(), &answers);
        prop_assert_eq!(evaluation.recommendation, Recommendation::Physician);
        prop_assert!(evaluation.urgency >= Some(floor));
        prop_assert_eq!(evaluation.pressure, None);
        prop_assert_eq!(evaluation.session_minutes, None);
        prop_assert!(evaluation.tell(rule_set()).is_some());
    }

    #[test]
    fn a_suspected_clot_is_an_emergency(answers in any_answers(), seed in any::<u64>()) {
        let answers = choose(rule_set(), &answers, question("contraindications"), option("contraindications", "blood_clot"), seed);
        let evaluation = evaluate(rule_set(), &answers);
        prop_assert_eq!(evaluation.recommendation, Recommendation::Physician);
        prop_assert_eq!(evaluation.urgency, Some(Urgency::Emergency));
    }

    /// Labour signs send the person to the maternity unit, unless an emergency rule earlier
    /// in the file decides (its own sentence, or the policy's 911 sentence, is told then).
    #[test]
    fn labour_signs_tell_the_maternity_unit_unless_an_earlier_emergency_decides(
        answers in any_answers(),
        sign in prop::sample::select(vec!["contractions", "bleeding_fluid", "constant_backache"]),
        seed in any::<u64>(),
    ) {
        let rule_set = rule_set();
        let answers = choose(rule_set, &answers, question("pregnancy_signs"), option("pregnancy_signs", sign), seed);
        let evaluation = evaluate(rule_set, &answers);
        prop_assert_eq!(evaluation.urgency, Some(Urgency::Emergency));
        let deciding = evaluation.deciding_rule(rule_set).unwrap();
        let labour = rule_set.rule_index("labour_signs").unwrap();
        let earlier_emergency = evaluation
            .fired
            .iter()
            .any(|i| i < labour && rule_set.rules[i].effect.refer == Some(Urgency::Emergency));
        let tell = evaluation.tell(rule_set).unwrap();
        if earlier_emergency {
            prop_assert!(rule_set.rule_index(&deciding.id).unwrap() < labour);
            prop_assert_eq!(tell, deciding.effect.tell.as_deref().unwrap_or(rule_set.policy.tell(Urgency::Emergency)));
            prop_assert!(tell.contains("911"), "{}", tell);
        } else {
            prop_assert!(["labour_signs", "pregnancy_bleeding"].contains(&deciding.id.as_str()), "{}", deciding.id);
            prop_assert!(tell.contains("maternity unit"), "{}", tell);
        }
    }

    /// Adding any option of an escalating question (a red flag, a contraindication, a
    /// pregnancy sign; pregnancy with the question it opens answered in any way) never lowers
    /// the urgency nor raises the pressure; a referral is less pressure than any massage.
    #[test]
    fn adding_an_escalating_answer_never_lowers_urgency_nor_raises_pressure(
        answers in any_answers(),
        pick in any::<prop::sample::Index>(),
        seed in any::<u64>(),
    ) {
        let escalating: Vec<(usize, usize)> = marked_options(|_| true)
            .into_iter()
            .filter(|(q, _)| rule_set().questionnaire.questions[*q].escalating)
            .collect();
        let (q, o) = escalating[pick.index(escalating.len())];
        let after_answers = choose(rule_set(), &answers, q, o, seed);
        let before = evaluate(rule_set(), &answers);
        let after = evaluate(rule_set(), &after_answers);
        let referred = |e: &Evaluation| e.recommendation == Recommendation::Physician;
        prop_assert!(referred(&after) || !referred(&before), "a referral became a massage");
        prop_assert!(after.urgency >= before.urgency, "urgency fell from {:?} to {:?}", before.urgency, after.urgency);
        prop_assert!(after.pressure <= before.pressure || referred(&after), "pressure rose from {:?} to {:?}", before.pressure, after.pressure);
    }

    /// Deep tissue never where the clinical reference forbids it, read from the answers
    /// themselves (not from the marks, so that a mark removed from the questionnaire is
    /// noticed here): blood thinners, bleeding risk, osteoporosis, pregnancy, recent surgery,
    /// a fresh injury, light or unsure pressure, 75 or over, under 18, the neck only.
    #[test]
    fn deep_tissue_never_where_the_reference_forbids_it(answers in any_answers()) {
        let evaluation = evaluate(rule_set(), &answers);
        let offered = evaluation.recommendation == Recommendation::Massage(Style::DeepTissue)
            || evaluation.alternatives.iter().any(|s| s == Style::DeepTissue);
        if offered {
            let contraindications = answers.get(question("contraindications"));
            for forbidding in ["blood_thinners", "bleeding_risk", "osteoporosis", "pregnancy", "recent_surgery", "acute_injury"] {
                prop_assert!(!is_chosen(contraindications, option("contraindications", forbidding)), "{}", forbidding);
            }
            prop_assert!(tolerance(&answers) >= Pressure::Medium);
            let Answer::Number(age) = answers.get(question("age")) else { unreachable!() };
            prop_assert!((18..75).contains(&age), "age {}", age);
            let location = answers.get(question("location"));
            prop_assert!(location != Answer::Choices(1 << option("location", "neck")), "neck only");
        }
    }

    /// The pressure is the lowest of the tolerance, every cap and the style's own maximum:
    /// never above the tolerance; Swedish and myofascial release never above medium.
    #[test]
    fn pressure_is_never_above_the_tolerance_nor_the_style_maximum(answers in any_answers()) {
        let evaluation = evaluate(rule_set(), &answers);
        if let Some(pressure) = evaluation.pressure {
            prop_assert!(pressure <= tolerance(&answers));
            if let Recommendation::Massage(style) = evaluation.recommendation {
                prop_assert!(pressure <= rule_set().policy.style_max_pressure[style.index()]);
                if matches!(style, Style::Swedish | Style::Myofascial) {
                    prop_assert!(pressure <= Pressure::Medium, "{} at {}", style, pressure);
                }
            }
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
    fn a_massage_always_comes_with_pressure_and_session_length(answers in any_answers()) {
        let evaluation = evaluate(rule_set(), &answers);
        match evaluation.recommendation {
            Recommendation::Physician => prop_assert!(evaluation.urgency.is_some()),
            Recommendation::Massage(_) => {
                prop_assert!(evaluation.urgency.is_none());
                prop_assert!(evaluation.pressure.is_some());
                prop_assert!([30, 45, 60, 90].contains(&evaluation.session_minutes.unwrap()));
                prop_assert!(evaluation.tell(rule_set()).is_none());
            }
        }
    }

    /// An answer file written from answers (with `version = 2`, the conditional question
    /// only when asked) reads back as the same answers.
    #[test]
    fn saved_answers_read_back_identically(answers in any_answers(), id in proptest::option::of("[a-z0-9-]{1,12}")) {
        let mut answers = answers;
        answers.id = id;
        let text = answers.to_toml(&rule_set().questionnaire);
        prop_assert!(text.starts_with("version = 2\n"), "{}", text);
        let asked = answers.get(question("pregnancy_signs")) != Answer::NotAsked;
        prop_assert_eq!(text.contains("pregnancy_signs = "), asked);
        let back = parse_toml(&rule_set().questionnaire, SourceText::new("saved.toml", &text)).unwrap();
        prop_assert_eq!(back, answers);
    }
}

/// The generator itself: it must reach what the properties are about, or they prove little.
#[test]
fn the_generator_exercises_both_paths_and_the_conditional_question() {
    let rule_set = rule_set();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = any_answers();
    let (mut massages, mut referrals, mut pregnant, mut signs, mut no_signs) = (0, 0, 0, 0, 0);
    for _ in 0..2000 {
        let answers = strategy.new_tree(&mut runner).unwrap().current();
        let evaluation = evaluate(rule_set, &answers);
        match evaluation.recommendation {
            Recommendation::Physician => referrals += 1,
            Recommendation::Massage(_) => massages += 1,
        }
        match answers.get(question("pregnancy_signs")) {
            Answer::NotAsked => {
                assert!(!is_chosen(
                    answers.get(question("contraindications")),
                    option("contraindications", "pregnancy")
                ))
            }
            Answer::Choices(0) => {
                pregnant += 1;
                no_signs += 1;
            }
            Answer::Choices(_) => {
                pregnant += 1;
                signs += 1;
            }
            other => panic!("pregnancy_signs = {other:?}"),
        }
    }
    assert!(massages >= 300 && referrals >= 300, "massages {massages}, referrals {referrals}");
    assert!(pregnant >= 400 && signs >= 100 && no_signs >= 100, "pregnant {pregnant}: {signs} with signs");
}

/// The space to enumerate in the exhaustive tests below: a few otherwise mild answer sets
/// (`pressure`, `onset`, `age`, `duration`, `location` varied so that the style, pressure and
/// combination rows are all reached), as values with red flags, contraindications and
/// pregnancy signs left to fill in.
fn bases() -> Vec<Vec<Answer>> {
    let choice = |q: &str, o: &str| Answer::Choice(option(q, o) as u8);
    let mut bases = Vec::new();
    for (pressure, onset, age, duration, location) in [
        ("firm", "repetitive_work", 40, "chronic", vec!["lower_back"]),
        ("medium", "posture_stress", 30, "subacute", vec!["neck"]),
        ("unsure", "post_surgery", 80, "chronic", vec!["upper_back", "leg"]),
        ("light", "sports", 16, "acute", vec!["mid_back"]),
        ("firm", "fall", 66, "acute", vec!["hip_buttock"]),
        ("firm", "nerve", 52, "acute", vec!["neck"]),
        ("medium", "unknown", 58, "acute", vec!["lower_back", "leg"]),
    ] {
        let locations = location.iter().fold(0u64, |bits, o| bits | 1 << option("location", o));
        let mut values = vec![Answer::NotAsked; rule_set().questionnaire.questions.len()];
        values[question("red_flags")] = Answer::Choices(0);
        values[question("duration")] = choice("duration", duration);
        values[question("severity")] = Answer::Number(4);
        values[question("worsening")] = Answer::YesNo(false);
        values[question("location")] = Answer::Choices(locations);
        values[question("onset")] = choice("onset", onset);
        values[question("contraindications")] = Answer::Choices(0);
        values[question("age")] = Answer::Number(age);
        values[question("pressure")] = choice("pressure", pressure);
        bases.push(values);
    }
    bases
}

/// Every combination of contraindications, with every answer to the pregnancy question
/// when pregnant, over the bases; the same with each red flag, on the base where deep tissue
/// would otherwise win; and every combination of red flags, on three bases: every statement
/// holds.
#[test]
fn statements_hold_for_every_contraindication_pregnancy_sign_and_red_flag_combination() {
    let questionnaire = &rule_set().questionnaire;
    let (red_flags, contraindications, signs) =
        (question("red_flags"), question("contraindications"), question("pregnancy_signs"));
    let pregnancy = 1u64 << option("contraindications", "pregnancy");
    let flag_count = questionnaire.questions[red_flags].options.len();
    let every_sign = every_answer(&questionnaire.questions[signs]);
    // Every contraindication answer, with the pregnancy question answered in every way.
    let mut contra_and_signs = Vec::new();
    for contra in every_answer(&questionnaire.questions[contraindications]) {
        let Answer::Choices(bits) = contra else { unreachable!() };
        let sign_answers = if bits & pregnancy != 0 { every_sign.clone() } else { vec![Answer::NotAsked] };
        contra_and_signs.extend(sign_answers.into_iter().map(|sign| (contra, sign)));
    }
    assert_eq!(contra_and_signs.len(), 256 + 256 * 16);
    let bases: Vec<Answers> = bases().into_iter().map(|b| Answers::new(questionnaire, None, b).unwrap()).collect();
    let mut checked = 0usize;
    for (index, base) in bases.iter().enumerate() {
        // Base 0 (firm pressure, manual work, chronic) is where deep tissue wins alone.
        let flag_choices: Vec<u64> =
            if index == 0 { std::iter::once(0).chain((0..flag_count).map(|o| 1 << o)).collect() } else { vec![0] };
        for &(contra, sign) in &contra_and_signs {
            let answers = base.with(contraindications, contra).with(signs, sign);
            for &flags in &flag_choices {
                assert_statements_hold(&answers.with(red_flags, Answer::Choices(flags)));
                checked += 1;
            }
        }
        if index < 3 {
            for flags in every_answer(&questionnaire.questions[red_flags]) {
                assert_statements_hold(&base.with(red_flags, flags));
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 4352 * 15 + 6 * 4352 + 3 * 16384);
}

/// Every age, severity, duration, "getting worse", onset and pressure together (the numbers
/// and combinations the invariants read), with no red flag, for the lower back and the neck
/// alone with no contraindication, and the lower back with osteoporosis and a rash: every
/// statement holds.
#[test]
fn statements_hold_for_every_age_severity_duration_onset_and_pressure() {
    let questionnaire = &rule_set().questionnaire;
    let [duration, severity, worsening, onset, age, pressure, location, contraindications] =
        ["duration", "severity", "worsening", "onset", "age", "pressure", "location", "contraindications"]
            .map(question);
    let each = |q: usize| every_answer(&questionnaire.questions[q]);
    let neck_only = 1u64 << option("location", "neck");
    let back = 1u64 << option("location", "lower_back");
    let contra = |ids: &[&str]| ids.iter().fold(0u64, |bits, o| bits | 1 << option("contraindications", o));
    let base = Answers::new(questionnaire, None, bases().remove(0)).unwrap();
    let mut count = 0usize;
    let combinations =
        [(back, contra(&[])), (neck_only, contra(&[])), (back, contra(&["osteoporosis", "skin_condition"]))];
    for (places, contras) in combinations {
        let base = base.with(location, Answer::Choices(places)).with(contraindications, Answer::Choices(contras));
        for d in each(duration) {
            for s in each(severity) {
                for w in each(worsening) {
                    for o in each(onset) {
                        for p in each(pressure) {
                            let answers = base
                                .with(duration, d)
                                .with(severity, s)
                                .with(worsening, w)
                                .with(onset, o)
                                .with(pressure, p);
                            for a in each(age) {
                                assert_statements_hold(&answers.with(age, a));
                                count += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(count, 3 * 3 * 11 * 2 * 7 * 4 * 99);
}

/// The built-in rules plus rules whose conditions are not plain conjunctions (`any`, `not`,
/// nested) or read the conditional question (which may be not asked), which the compiled
/// program leaves to the condition tree.
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

[[rule]]
id = "tree_signs_none"
because = "test: false when not asked"
source = ["test"]
when = { question = "pregnancy_signs", contains_none = ["contractions", "high_risk"] }
advice = "tree three"

[[rule]]
id = "tree_not_signs"
because = "test: true when not asked"
source = ["test"]
when = { not = { question = "pregnancy_signs", contains_any = ["constant_backache"] } }
advice = "tree four"

[[rule]]
id = "tree_asked_and_young"
because = "test"
source = ["test"]
when = { all = [ { question = "pregnancy_signs", asked = true }, { question = "age", at_most = 30 } ] }
favour = { sports = 1 }
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

    /// The engine's compiled path fires exactly the rules whose condition holds on the tree,
    /// the built-in ones (conjunctions, compiled) and the extra ones (left to the tree).
    #[test]
    fn the_compiled_program_agrees_with_the_condition_tree(answers in any_answers()) {
        for rule_set in [rule_set(), rule_set_with_trees()] {
            let evaluation = evaluate(rule_set, &answers);
            for (index, rule) in rule_set.rules.iter().enumerate() {
                prop_assert_eq!(evaluation.fired.contains(index), rule.when.holds(&answers), "rule {}", rule.id);
            }
            prop_assert_eq!(evaluation, evaluate_traced(rule_set, &answers).0);
        }
    }
}

/// A test on a question not asked is false, whatever it tests (`contains_none` included);
/// only `not` and `asked = false` hold then.
#[test]
fn a_question_not_asked_passes_no_test() {
    let rule_set = rule_set_with_trees();
    let text = "version = 2\nred_flags = []\nduration = \"chronic\"\nseverity = 3\nworsening = false\nlocation = [\"lower_back\"]\nonset = \"posture_stress\"\ncontraindications = []\nage = 25\npressure = \"medium\"\n";
    let answers = parse_toml(&rule_set.questionnaire, SourceText::new("a.toml", text)).unwrap();
    assert_eq!(answers.get(question("pregnancy_signs")), Answer::NotAsked);
    let fired = |id: &str| evaluate(rule_set, &answers).fired.contains(rule_set.rule_index(id).unwrap());
    assert!(!fired("tree_signs_none"));
    assert!(fired("tree_not_signs"));
    assert!(!fired("tree_asked_and_young"));
    let pregnant = text.replace("contraindications = []", "contraindications = [\"pregnancy\"]\npregnancy_signs = []");
    let answers = parse_toml(&rule_set.questionnaire, SourceText::new("a.toml", &pregnant)).unwrap();
    let fired = |id: &str| evaluate(rule_set, &answers).fired.contains(rule_set.rule_index(id).unwrap());
    assert!(fired("tree_signs_none") && fired("tree_not_signs") && fired("tree_asked_and_young"));
}
