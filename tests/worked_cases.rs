//! The built-in rule set against its own worked cases (rules/cases.toml), which include the
//! shared clinical sample: every case passes and every rule is exercised by one.
#![allow(clippy::unwrap_used)]

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
    assert_eq!(rule_set.questionnaire.questions.len(), 9);
    assert!(rule_set.rules.len() >= 30);
}

#[test]
fn questionnaire_follows_the_contract_order_and_ids() {
    let rule_set = built_in();
    let ids: Vec<&str> = rule_set.questionnaire.ids().collect();
    assert_eq!(
        ids,
        ["red_flags", "duration", "severity", "worsening", "location", "onset", "contraindications", "age", "pressure"]
    );
    let options = |q: &str| -> Vec<&str> {
        let question = &rule_set.questionnaire.questions[rule_set.questionnaire.index_of(q).unwrap()];
        question.option_ids().collect()
    };
    assert_eq!(
        options("red_flags"),
        [
            "bladder_bowel",
            "saddle_numbness",
            "leg_weakness",
            "chest_abdomen",
            "sudden_severe",
            "major_trauma",
            "fever",
            "cancer_history",
            "weight_loss",
            "night_pain"
        ]
    );
    assert_eq!(options("duration"), ["acute", "subacute", "chronic"]);
    assert_eq!(options("location"), ["neck", "upper_back", "mid_back", "lower_back", "hip_buttock", "leg"]);
    assert_eq!(options("onset"), ["posture_stress", "sports", "repetitive_work", "post_surgery", "nerve", "unknown"]);
    assert_eq!(
        options("contraindications"),
        [
            "recent_surgery",
            "blood_thinners",
            "pregnancy",
            "skin_condition",
            "blood_clot",
            "acute_injury",
            "osteoporosis"
        ]
    );
    assert_eq!(options("pressure"), ["light", "medium", "firm", "unsure"]);
}

#[test]
fn every_worked_case_gives_the_expected_outcome() {
    let rule_set = built_in();
    let cases = parse_cases(&rule_set, SourceText::new("rules/cases.toml", BUILT_IN_CASES))
        .unwrap_or_else(|e| panic!("cases.toml must load:\n{e}"));
    assert!(cases.len() >= 47, "the 17 shared cases and at least 30 of our own");
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

#[test]
fn the_shared_clinical_sample_is_part_of_the_cases() {
    let rule_set = built_in();
    let cases = parse_cases(&rule_set, SourceText::new("rules/cases.toml", BUILT_IN_CASES)).unwrap();
    let names: BTreeSet<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    for shared in [
        "athlete-sports-subacute",
        "bladder-bowel-mild-pain",
        "blood-thinners-firm",
        "cancer-history",
        "desk-worker-chronic-lower-back",
        "fever",
        "first-massage-unsure",
        "manual-worker-knots",
        "post-surgery-cleared",
        "pregnancy-firm",
        "recent-surgery",
        "saddle-numbness",
        "sciatica-no-red-flags",
        "severe-worsening",
        "sudden-tearing-pain",
        "suspected-clot",
        "two-red-flags",
    ] {
        assert!(names.contains(shared), "shared case {shared} missing from cases.toml");
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
