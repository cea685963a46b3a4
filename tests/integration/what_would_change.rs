//! "What would change it": the smallest change to the answers that changes the
//! recommendation or the urgency, in the human output and the JSON with --explain; and, over
//! generated version-2 answer sets, that it never proposes a change after which a safety
//! statement that held no longer holds (taking back a red flag, a contraindication, a
//! pregnancy sign, a lighter pressure, a lower age or severity...).

use crate::common::{any_answers, is_chosen, question, rule_set, statements};
use assert_cmd::Command;
use massage_triage::answers::{Answer, Answers};
use massage_triage::counterfactual::what_would_change;
use massage_triage::engine::evaluate;
use massage_triage::rules::Truth;
use predicates::str::contains;
use proptest::prelude::*;
use serde_json::Value;

const MANUAL_WORKER: &str = "version = 2\nred_flags = []\nduration = \"subacute\"\nseverity = 4\nworsening = false\nlocation = [\"lower_back\"]\nonset = \"repetitive_work\"\ncontraindications = []\nage = 35\npressure = \"light\"\n";

fn triage() -> Command {
    let mut command = Command::cargo_bin("massage-triage").unwrap();
    command.env("CI", "true");
    command
}

#[test]
fn the_human_explanation_says_what_would_change_it() {
    let output = triage()
        .args(["assess", "--explain", "--answers", "-"])
        .write_stdin(MANUAL_WORKER)
        .assert()
        .code(0)
        .stdout(contains("What would change it:"))
        .stdout(contains("with onset = sports (instead of repetitive_work) this would be Sports massage"));
    // A light pressure is a safety statement (light at most, never deep tissue): taking it
    // back for a deeper massage is never suggested.
    let text = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    assert!(!text.contains("with pressure ="), "{text}");
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
    let onset = changes.iter().find(|c| c["changes"][0]["to"] == "sports").unwrap();
    assert_eq!(onset["changes"][0]["question"], "onset");
    assert_eq!(onset["changes"][0]["from"], "repetitive_work");
    assert_eq!(onset["recommendation"], "sports");
    assert!(onset["urgency"].is_null());
    assert!(onset["in_words"].as_str().unwrap().starts_with("with onset = sports"));
    assert!(changes.iter().all(|c| c["changes"][0]["question"] != "pressure"), "{changes:#?}");
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

/// A referral for a high-risk pregnancy: nothing is taken back (not the pregnancy, not the
/// sign); what is shown only adds to the answers.
#[test]
fn a_referral_is_never_shown_the_way_past_it() {
    let text = MANUAL_WORKER
        .replace("contraindications = []", "contraindications = [\"pregnancy\"]\npregnancy_signs = [\"high_risk\"]");
    let output = triage()
        .args(["assess", "--explain", "--format", "json", "--answers", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!((json["recommendation"].as_str(), json["urgency"].as_str()), (Some("physician"), Some("routine")));
    for change in json["what_would_change"].as_array().unwrap() {
        assert_eq!(change["recommendation"], "physician", "{change}");
        for step in change["changes"].as_array().unwrap() {
            let from: Vec<&Value> = step["from"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
            let to: Vec<&Value> = step["to"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
            assert!(from.iter().all(|f| to.contains(f)), "an answer is taken back: {change}");
        }
    }
}

/// The answers after a counterfactual's changes, conditional questions following them (not
/// asked once their condition fails), as the engine would read them.
fn changed(answers: &Answers, changes: &[massage_triage::counterfactual::AnswerChange]) -> Vec<Answer> {
    let questionnaire = &rule_set().questionnaire;
    let mut values = answers.values().to_vec();
    for change in changes {
        // Two toggles of one several-of answer combine.
        values[change.question] = match (values[change.question], change.from, change.to) {
            (Answer::Choices(now), Answer::Choices(from), Answer::Choices(to)) => Answer::Choices(now ^ from ^ to),
            _ => change.to,
        };
    }
    for (index, question) in questionnaire.questions.iter().enumerate() {
        let Some(when) = &question.ask_when else { continue };
        let before: Vec<Option<Answer>> = values[..index].iter().copied().map(Some).collect();
        if when.truth(&before) == Truth::No {
            values[index] = Answer::NotAsked;
        }
    }
    values
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Every change offered is a valid version-2 answer set (the pregnancy question asked
    /// exactly when pregnant; never newly asked, since its answer would be a guess), does
    /// change the recommendation or the urgency, and keeps every safety statement that held:
    /// no red flag, marked contraindication or pregnancy sign is taken back.
    #[test]
    fn every_change_offered_changes_the_outcome_and_keeps_every_statement(answers in any_answers()) {
        let rule_set = rule_set();
        let questionnaire = &rule_set.questionnaire;
        let now = evaluate(rule_set, &answers);
        let holding: Vec<_> = statements().iter().filter(|s| s.when.holds(&answers)).collect();
        for counterfactual in what_would_change(rule_set, &answers, &now) {
            for change in &counterfactual.changes {
                prop_assert_eq!(answers.get(change.question), change.from);
            }
            let values = changed(&answers, &counterfactual.changes);
            let signs = question("pregnancy_signs");
            prop_assert!(answers.get(signs) != Answer::NotAsked || values[signs] == Answer::NotAsked, "newly asked");
            let then_answers = Answers::new(questionnaire, None, values);
            prop_assert!(then_answers.is_ok(), "{:?}", then_answers);
            let then_answers = then_answers.unwrap();
            let then = evaluate(rule_set, &then_answers);
            prop_assert_eq!(then, counterfactual.evaluation);
            prop_assert!((then.recommendation, then.urgency) != (now.recommendation, now.urgency));
            for statement in &holding {
                prop_assert!(
                    statement.when.holds(&then_answers),
                    "{} held and no longer holds after {:?}",
                    questionnaire.statement_name(statement.subject),
                    counterfactual.changes
                );
            }
            for q in ["red_flags", "contraindications", "pregnancy_signs"].map(question) {
                let q_spec = &questionnaire.questions[q];
                for (o, option) in q_spec.options.iter().enumerate().filter(|(_, o)| o.has_mark()) {
                    prop_assert!(
                        !is_chosen(answers.get(q), o) || is_chosen(then_answers.get(q), o),
                        "{}.{} taken back", q_spec.id, option.id
                    );
                }
            }
        }
    }
}
