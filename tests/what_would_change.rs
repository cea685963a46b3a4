//! "What would change it": the smallest change to the answers that changes the
//! recommendation or the urgency, in the human output and the JSON with --explain.
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;
use massage_triage::answers::{Answer, Answers};
use massage_triage::counterfactual::what_would_change;
use massage_triage::engine::evaluate;
use massage_triage::rules::RuleSet;
use predicates::str::contains;
use proptest::prelude::*;
use serde_json::Value;

const MANUAL_WORKER: &str = "red_flags = []\nduration = \"subacute\"\nseverity = 4\nworsening = false\nlocation = [\"lower_back\"]\nonset = \"repetitive_work\"\ncontraindications = []\nage = 35\npressure = \"light\"\n";

fn triage() -> Command {
    let mut command = Command::cargo_bin("massage-triage").unwrap();
    command.env("CI", "true");
    command
}

#[test]
fn the_human_explanation_says_what_would_change_it() {
    triage()
        .args(["assess", "--explain", "--answers", "-"])
        .write_stdin(MANUAL_WORKER)
        .assert()
        .code(0)
        .stdout(contains("What would change it:"))
        .stdout(contains("with pressure = medium (instead of light) this would be Deep tissue massage"));
}

#[test]
fn the_json_explanation_has_what_would_change() {
    let output = triage()
        .args(["assess", "--explain", "--format", "json", "--answers", "-"])
        .write_stdin(MANUAL_WORKER)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let changes = json["what_would_change"].as_array().unwrap();
    let pressure = changes.iter().find(|c| c["changes"][0]["question"] == "pressure").unwrap();
    assert_eq!(pressure["changes"][0]["from"], "light");
    assert_eq!(pressure["recommendation"], "deep_tissue");
    assert!(pressure["urgency"].is_null());
    // The contract's fields are all still there.
    for field in
        ["recommendation", "urgency", "pressure", "session_minutes", "alternatives", "precautions", "reasons", "advice"]
    {
        assert!(json.get(field).is_some(), "{field}");
    }
}

#[test]
fn without_explain_nothing_is_computed_or_shown() {
    let output =
        triage().args(["assess", "--format", "json", "--answers", "-"]).write_stdin(MANUAL_WORKER).output().unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(json.get("what_would_change").is_none());
}

fn answers() -> impl Strategy<Value = Vec<Answer>> {
    (
        0u64..1024,
        0u8..3,
        0i64..=10,
        any::<bool>(),
        1u64..64,
        0u8..6,
        prop_oneof![Just(0u64), 0u64..128],
        12i64..=110,
        0u8..4,
    )
        .prop_map(|(f, d, s, w, l, o, c, a, p)| {
            vec![
                Answer::Choices(f & if f % 3 == 0 { 1023 } else { 0 }),
                Answer::Choice(d),
                Answer::Number(s),
                Answer::YesNo(w),
                Answer::Choices(l),
                Answer::Choice(o),
                Answer::Choices(c),
                Answer::Number(a),
                Answer::Choice(p),
            ]
        })
}

proptest! {
    /// Every change offered does change the recommendation or the urgency.
    #[test]
    fn every_change_offered_changes_the_outcome(values in answers()) {
        let rule_set = RuleSet::built_in().unwrap();
        let answers = Answers::new(&rule_set.questionnaire, None, values).unwrap();
        let now = evaluate(&rule_set, &answers);
        for counterfactual in what_would_change(&rule_set, &answers, &now) {
            let mut changed = answers.clone();
            for change in &counterfactual.changes {
                prop_assert_eq!(answers.get(change.question), change.from);
                // Two toggles of one several-of answer combine.
                let to = match (changed.get(change.question), change.from, change.to) {
                    (Answer::Choices(now), Answer::Choices(from), Answer::Choices(to)) => Answer::Choices(now ^ from ^ to),
                    _ => change.to,
                };
                changed = changed.with(change.question, to);
            }
            let then = evaluate(&rule_set, &changed);
            prop_assert_eq!(then, counterfactual.evaluation);
            prop_assert!((then.recommendation, then.urgency) != (now.recommendation, now.urgency));
        }
    }
}
