//! The built-in rule set against its own worked cases (rules/cases.toml), which include the
//! shared clinical sample (shared/cases-v2): every case passes and every rule is exercised
//! by one; and the questionnaire is the contract's version 2.

use massage_triage::cases::parse_cases;
use massage_triage::diagnostic::SourceText;
use massage_triage::rules::{RuleSet, BUILT_IN_CASES};
use std::collections::BTreeSet;

fn built_in() -> RuleSet {
    RuleSet::built_in().unwrap_or_else(|e| panic!("the built-in rule set must load:\n{e}"))
}

#[test]
fn built_in_rule_set_loads_cleanly() {
    let rule_set = built_in();
    assert_eq!(rule_set.questionnaire.version, 2);
    assert_eq!(rule_set.questionnaire.questions.len(), 10);
    assert!(rule_set.rules.len() >= 50);
}

#[test]
fn questionnaire_follows_the_contract_order_and_ids() {
    let rule_set = built_in();
    let ids: Vec<&str> = rule_set.questionnaire.ids().collect();
    assert_eq!(
        ids,
        [
            "red_flags",
            "duration",
            "severity",
            "worsening",
            "location",
            "onset",
            "contraindications",
            "pregnancy_signs",
            "age",
            "pressure"
        ]
    );
    let question = |q: &str| &rule_set.questionnaire.questions[rule_set.questionnaire.index_of(q).unwrap()];
    let options = |q: &str| -> Vec<&str> { question(q).option_ids().collect() };
    // The options each version added, as the contract marks them ("(2)").
    let added =
        |q: &str| -> Vec<&str> { question(q).options.iter().filter(|o| o.since == 2).map(|o| o.id.as_str()).collect() };
    // Asked most urgent first: the 911 groups, then the 24-hour group.
    assert_eq!(
        options("red_flags"),
        [
            "bladder_bowel",
            "saddle_numbness",
            "leg_weakness",
            "chest_abdomen",
            "breathless_sweaty",
            "sudden_severe",
            "head_neuro",
            "major_trauma",
            "arm_hand_neuro",
            "fever",
            "infection_risk",
            "cancer_history",
            "weight_loss",
            "night_pain"
        ]
    );
    assert_eq!(added("red_flags"), ["breathless_sweaty", "head_neuro", "arm_hand_neuro", "infection_risk"]);
    assert_eq!(options("duration"), ["acute", "subacute", "chronic"]);
    assert_eq!(options("location"), ["neck", "upper_back", "mid_back", "lower_back", "hip_buttock", "leg"]);
    assert_eq!(
        options("onset"),
        ["posture_stress", "sports", "repetitive_work", "fall", "post_surgery", "nerve", "unknown"]
    );
    assert_eq!(added("onset"), ["fall"]);
    assert_eq!(
        options("contraindications"),
        [
            "recent_surgery",
            "blood_thinners",
            "bleeding_risk",
            "pregnancy",
            "skin_condition",
            "blood_clot",
            "recent_clot",
            "acute_injury",
            "osteoporosis"
        ]
    );
    assert_eq!(added("contraindications"), ["bleeding_risk", "recent_clot"]);
    assert_eq!(options("pregnancy_signs"), ["contractions", "bleeding_fluid", "constant_backache", "high_risk"]);
    let signs = question("pregnancy_signs");
    assert_eq!(signs.since, 2);
    assert_eq!(
        signs.ask_when.as_ref().map(|c| c.describe(&rule_set.questionnaire)).as_deref(),
        Some("contraindications includes pregnancy")
    );
    assert_eq!(options("pressure"), ["light", "medium", "firm", "unsure"]);
    for q in ["duration", "severity", "worsening", "location", "age", "pressure"] {
        assert_eq!(added(q), Vec::<&str>::new(), "{q}");
        assert_eq!(question(q).since, 1, "{q}");
    }
}

#[test]
fn every_worked_case_gives_the_expected_outcome() {
    let rule_set = built_in();
    let cases = parse_cases(&rule_set, SourceText::new("rules/cases.toml", BUILT_IN_CASES))
        .unwrap_or_else(|e| panic!("cases.toml must load:\n{e}"));
    assert!(cases.len() >= 29 + 25 + 42, "the 29 shared cases, 25 or more for version 2 and the first version's own");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let (_, wrong) = case.check(&rule_set);
            (!wrong.is_empty()).then(|| {
                let fields: Vec<String> =
                    wrong.iter().map(|m| format!("{}: expected {}, got {}", m.field, m.expected, m.actual)).collect();
                format!("cases.toml:{} {}: {}", case.line, case.name, fields.join("; "))
            })
        })
        .collect();
    assert!(failures.is_empty(), "failing cases:\n{}", failures.join("\n"));
}

/// The shared clinical sample of version 2 (shared/cases-v2, one case a file, each named
/// after its file), which replaced the version-1 sample.
const SHARED: [&str; 29] = [
    "arm-weakness-neck",
    "athlete-sports-subacute",
    "bladder-bowel-mild-pain",
    "bleeding-risk-firm",
    "blood-thinners-firm",
    "breathless-upper-back",
    "cancer-history",
    "desk-worker-chronic-lower-back",
    "desk-worker-firm",
    "fever",
    "first-massage-unsure",
    "fresh-injury-firm",
    "infection-risk-new-pain",
    "manual-worker-knots",
    "neck-dizziness-after-manipulation",
    "neck-only-firm",
    "older-fall-osteoporosis",
    "post-surgery-cleared",
    "pregnancy-firm",
    "pregnant-contractions",
    "pregnant-high-risk",
    "recent-surgery",
    "saddle-numbness",
    "sciatica-no-red-flags",
    "severe-worsening",
    "sudden-tearing-pain",
    "suspected-clot",
    "teen-chronic-back",
    "two-red-flags",
];

#[test]
fn the_shared_clinical_sample_is_part_of_the_cases() {
    let rule_set = built_in();
    let cases = parse_cases(&rule_set, SourceText::new("rules/cases.toml", BUILT_IN_CASES)).unwrap();
    for shared in SHARED {
        let case = cases.iter().find(|c| c.name == shared);
        let case = case.unwrap_or_else(|| panic!("shared case {shared} missing from cases.toml"));
        // Where the shared folder sits beside the clone (as .ci/run expects), the answers
        // are the same as its file's.
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../shared/cases-v2/{shared}.toml"));
        if let Ok(text) = std::fs::read_to_string(&file) {
            let table: toml::Table = text.parse().unwrap();
            let answers = toml::to_string(&table["answers"]).unwrap();
            let answers =
                massage_triage::answers::parse_toml(&rule_set.questionnaire, SourceText::new(shared, &answers))
                    .unwrap_or_else(|e| panic!("{shared}: {e}"));
            assert_eq!(answers.values(), case.answers.values(), "{shared}: the answers differ from the shared file's");
        }
    }
}

#[test]
fn every_rule_fires_in_some_case_and_is_silent_in_another() {
    let rule_set = built_in();
    let cases = parse_cases(&rule_set, SourceText::new("rules/cases.toml", BUILT_IN_CASES)).unwrap();
    let mut fired = BTreeSet::new();
    let mut silent = BTreeSet::new();
    for case in &cases {
        let (evaluation, _) = case.check(&rule_set);
        for (index, rule) in rule_set.rules.iter().enumerate() {
            if evaluation.fired.contains(index) {
                fired.insert(rule.id.as_str());
            } else {
                silent.insert(rule.id.as_str());
            }
        }
    }
    let never_fired: Vec<&str> =
        rule_set.rules.iter().map(|r| r.id.as_str()).filter(|id| !fired.contains(id)).collect();
    assert!(never_fired.is_empty(), "rules no case exercises: {never_fired:?}");
    let always_fired: Vec<&str> = rule_set
        .rules
        .iter()
        .filter(|r| r.when != massage_triage::rules::Condition::Always)
        .map(|r| r.id.as_str())
        .filter(|id| !silent.contains(id))
        .collect();
    assert!(always_fired.is_empty(), "conditional rules that fire in every case: {always_fired:?}");
}
