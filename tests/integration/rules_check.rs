//! `rules check` end to end: the built-in set is clean; planted unsafe edits in copies of
//! `rules/` are caught (exit 3) with counterexamples the engine confirms, and `assess`
//! refuses those rule sets (exit 2, pointing to `rules check`).

use assert_cmd::Command;
use massage_triage::answers::{parse_answers, Answer, AnswerFormat};
use massage_triage::check::{check, Category};
use massage_triage::code::Code;
use massage_triage::diagnostic::SourceText;
use massage_triage::engine::evaluate;
use massage_triage::recommendation::{Recommendation, Style};
use massage_triage::rules::{Condition, RuleSet, SetTest};
use serde_json::Value;
use std::path::Path;

fn triage() -> Command {
    let mut command = Command::cargo_bin("massage-triage").unwrap();
    command.env_remove("NO_COLOR").env("CI", "true");
    command
}

fn rules_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

/// A copy of `rules/` with `rules.toml` edited.
fn edited(edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["questionnaire.toml", "rules.toml", "cases.toml"] {
        std::fs::copy(rules_dir().join(file), dir.path().join(file)).unwrap();
    }
    let rules = std::fs::read_to_string(dir.path().join("rules.toml")).unwrap();
    let changed = edit(rules.clone());
    assert_ne!(changed, rules, "the edit changed nothing");
    std::fs::write(dir.path().join("rules.toml"), changed).unwrap();
    dir
}

/// The rules file without the `[[rule]]` block whose id is given.
fn without_rule(text: &str, id: &str) -> String {
    let mut blocks: Vec<&str> = text.split("[[rule]]").collect();
    let before = blocks.len();
    blocks.retain(|b| !b.trim_start().starts_with(&format!("id = \"{id}\"")));
    assert_eq!(blocks.len() + 1, before, "rule {id} not found");
    blocks.join("[[rule]]")
}

fn check_json(dir: &Path) -> (i32, Value) {
    let output = triage().args(["rules", "check", "--format", "json", "--rules"]).arg(dir).output().unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    (output.status.code().unwrap(), json)
}

/// The findings with this code, as (subject, counterexample TOML).
fn findings(json: &Value, code: Code) -> Vec<(String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code.name())
        .map(|f| {
            let subject = f["message"].as_str().unwrap().to_owned();
            (subject, f["counterexample"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

/// The counterexample is an answer file that `assess` accepts and that the unsafe rule
/// set evaluates as the finding says; the first time for a folder, `assess --rules` refuses
/// that rule set (once: each refusal proves the whole rule set again).
fn confirm(dir: &Path, counterexample: &str) -> massage_triage::engine::Evaluation {
    confirm_with(dir, counterexample, true)
}

/// As [`confirm`]; `refusal`: also show, the first time for the folder, that `assess`
/// refuses the rule set.
fn confirm_with(dir: &Path, counterexample: &str, refusal: bool) -> massage_triage::engine::Evaluation {
    let file = dir.join("counterexample.toml");
    let first = refusal && !file.exists();
    std::fs::write(&file, counterexample).unwrap();
    triage().args(["assess", "--answers"]).arg(&file).assert().code(0);
    if first {
        triage()
            .args(["assess", "--rules"])
            .arg(dir)
            .arg("--answers")
            .arg(&file)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("rules check --rules"));
    }
    let rule_set = RuleSet::load_dir(dir).unwrap();
    let answers = parse_answers(
        &rule_set.questionnaire,
        SourceText::new("counterexample.toml", counterexample),
        AnswerFormat::Toml,
    )
    .unwrap();
    evaluate(&rule_set, &answers)
}

#[test]
fn the_built_in_rule_set_is_proven_safe_and_has_no_gaps() {
    let rule_set = RuleSet::built_in().unwrap();
    let report = check(&rule_set);
    let problems: Vec<&str> =
        report.findings.iter().filter(|f| f.category != Category::Warning).map(|f| f.message.as_str()).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(report.answer_classes > 1_000_000, "the proof covers every class");
    massage_triage::check::ensure_safe(&rule_set).unwrap();
}

#[test]
fn rules_check_on_the_built_in_set_exits_0() {
    triage()
        .args(["rules", "check"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("rules check ok: 0 safety finding(s), 0 gap(s)"));
}

/// Removing a rule that refers on red flags breaks every safety statement only it kept:
/// the mark of each of its options that no other red-flag rule refers as urgently, or the
/// invariant over a pair it alone made more urgent. Each finding's counterexample is an
/// answer file `assess` accepts, where the removed rule would have fired and the unsafe
/// rule set refers less urgently than the statement demands.
#[test]
fn removing_each_red_flag_referral_is_caught_with_a_confirmed_counterexample() {
    let rule_set = RuleSet::built_in().unwrap();
    let questionnaire = &rule_set.questionnaire;
    let red_flags = questionnaire.index_of("red_flags").unwrap();
    let referrals: Vec<(usize, u64, SetTest)> = rule_set
        .rules
        .iter()
        .enumerate()
        .filter_map(|(index, rule)| match (&rule.when, rule.effect.refer) {
            (Condition::Contains { question, options, test }, Some(_)) if *question == red_flags => {
                Some((index, *options, *test))
            }
            _ => None,
        })
        .collect();
    assert!(referrals.len() >= 14, "every red flag has its referral rule, and the pairs theirs");
    // A pair made more urgent by one rule alone: its invariant is what removing it breaks.
    let pair_invariants = [("infection_spreading", "fever_with_infection_risk")];
    // Each removal proves a whole rule set again (seconds in a debug build): on every core.
    let removal = |(index, options, test): (usize, u64, SetTest)| {
        let rule = &rule_set.rules[index];
        let urgency = rule.effect.refer;
        let dir = edited(|text| without_rule(&text, &rule.id));
        let (status, json) = check_json(dir.path());
        let found = findings(&json, Code::MinUrgency);
        let question = &questionnaire.questions[red_flags];
        // The options whose mark only this rule meets.
        let only_this: Vec<(usize, &str)> = question
            .options
            .iter()
            .enumerate()
            .filter(|(bit, option)| {
                test == SetTest::ContainsAny
                    && options & (1 << bit) != 0
                    && option.min_urgency == urgency
                    && !rule_set.rules.iter().enumerate().any(|(other, r)| {
                        other != index
                            && r.effect.refer >= urgency
                            && matches!(r.when, Condition::Contains { question, options, test: SetTest::ContainsAny }
                                if question == red_flags && options & (1 << bit) != 0)
                    })
            })
            .map(|(bit, option)| (bit, option.id.as_str()))
            .collect();
        for (_, option) in &only_this {
            assert!(
                found.iter().any(|(message, _)| message.contains(&format!("\"{option}\""))),
                "removing {}: no finding for {option}: {found:#?}",
                rule.id
            );
        }
        for (_, invariant) in pair_invariants.iter().filter(|(id, _)| *id == rule.id) {
            assert!(
                found.iter().any(|(message, _)| message.contains(&format!("invariant \"{invariant}\""))),
                "removing {}: no finding for {invariant}: {found:#?}",
                rule.id
            );
        }
        let expected = only_this.len() + pair_invariants.iter().filter(|(id, _)| *id == rule.id).count();
        assert_eq!(status == 3, expected > 0, "removing {}: {found:#?}", rule.id);
        for (message, counterexample) in &found {
            // The refusal of an unsafe rule set is shown once (for the first rule).
            let evaluation = confirm_with(dir.path(), counterexample, index == referrals[0].0);
            let answers =
                parse_answers(questionnaire, SourceText::new("c.toml", counterexample), AnswerFormat::Toml).unwrap();
            assert!(rule.when.holds(&answers), "removing {}: {message}: the removed rule would not fire", rule.id);
            assert!(
                evaluation.recommendation != Recommendation::Physician || evaluation.urgency < urgency,
                "removing {}: the counterexample does not show the problem: {message}",
                rule.id
            );
            assert!(matches!(answers.get(red_flags), Answer::Choices(b) if b & options != 0));
        }
    };
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunks: Vec<&[(usize, u64, SetTest)]> = referrals.chunks(referrals.len().div_ceil(workers)).collect();
    std::thread::scope(|scope| {
        for chunk in chunks {
            let removal = &removal;
            scope.spawn(move || chunk.iter().copied().for_each(removal));
        }
    });
}

#[test]
fn a_weakened_urgency_is_caught() {
    let dir = edited(|text| {
        text.replacen(
            "contains_any = [\"bladder_bowel\", \"saddle_numbness\"] }\nrefer = \"emergency\"",
            "contains_any = [\"bladder_bowel\", \"saddle_numbness\"] }\nrefer = \"urgent\"",
            1,
        )
    });
    let (status, json) = check_json(dir.path());
    assert_eq!(status, 3);
    let found = findings(&json, Code::MinUrgency);
    assert_eq!(found.len(), 2, "{found:#?}");
    for (message, counterexample) in &found {
        assert!(message.contains("at least emergency"), "{message}");
        let evaluation = confirm(dir.path(), counterexample);
        assert_eq!(evaluation.urgency, Some(massage_triage::recommendation::Urgency::Urgent));
    }
}

#[test]
fn deep_tissue_allowed_with_blood_thinners_is_caught() {
    let dir = edited(|text| {
        text.replacen(
            "contains_any = [\"blood_thinners\"] }\nmax_pressure = \"light\"\nforbid = [\"deep_tissue\"]\n",
            "contains_any = [\"blood_thinners\"] }\nmax_pressure = \"light\"\n",
            1,
        )
    });
    let (status, json) = check_json(dir.path());
    assert_eq!(status, 3);
    let found = findings(&json, Code::ForbiddenStyle);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].0.contains("blood_thinners"));
    let evaluation = confirm(dir.path(), &found[0].1);
    let offered = evaluation.recommendation == Recommendation::Massage(Style::DeepTissue)
        || evaluation.alternatives.iter().any(|s| s == Style::DeepTissue);
    assert!(offered);
}

#[test]
fn the_human_report_names_rules_and_shows_the_counterexample() {
    let dir = edited(|text| without_rule(&text, "spinal_infection"));
    triage()
        .args(["rules", "check", "--rules"])
        .arg(dir.path())
        .assert()
        .code(3)
        .stdout(predicates::str::contains("error[min-urgency]"))
        .stdout(predicates::str::contains("questionnaire.toml:"))
        .stdout(predicates::str::contains("counterexample (assess gives"))
        .stdout(predicates::str::contains("red_flags = [\"fever\"]"))
        .stdout(predicates::str::contains("rules check FAILED: 1 safety finding(s)"));
}

#[test]
fn gaps_dead_and_shadowed_rules_in_a_small_rule_set() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
    let (status, json) = check_json(&dir);
    assert_eq!(status, 3);
    for code in [Code::Gap, Code::DeadRule, Code::ShadowedRule, Code::Escalation, Code::UnusedOption] {
        assert!(!findings(&json, code).is_empty(), "{code}");
    }
    let dead =
        &json["findings"].as_array().unwrap().iter().find(|f| f["code"] == Code::DeadRule.name()).unwrap()["rules"];
    assert_eq!(dead[0]["rule"], "never");
    let rules = std::fs::read_to_string(dir.join("rules.toml")).unwrap();
    let line = rules[..rules.find("id = \"never\"").unwrap()].matches('\n').count() + 1;
    assert!(dead[0]["at"].as_str().unwrap().ends_with(&format!("rules.toml:{line}")), "{dead:#}");
}

#[test]
fn warnings_alone_exit_0_and_a_rule_set_that_does_not_load_exits_2() {
    // The built-in set has no warning at all (every option is read by some rule).
    triage()
        .args(["rules", "check"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("rules check ok: 0 safety finding(s), 0 gap(s), 0 warning(s)"));
    // A rule that can never fire is a warning: still exit 0.
    let dir = edited(|mut text| {
        text.push_str(
            "\n[[rule]]\nid = \"never_fires\"\nbecause = \"Cannot happen.\"\nsource = [\"seed\"]\nwhen = { all = [{ question = \"age\", at_least = 80 }, { question = \"age\", at_most = 20 }] }\nadvice = \"Never said.\"\n",
        );
        text
    });
    let (status, json) = check_json(dir.path());
    assert_eq!(status, 0, "{json:#}");
    assert_eq!(json["safe"], true);
    assert_eq!(findings(&json, Code::DeadRule).len(), 1);
    let dir = edited(|text| text.replacen("\nrefer = \"emergency\"", "\nrefer = \"emergency!\"", 1));
    triage()
        .args(["rules", "check", "--rules"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("rules.toml:"));
    triage().args(["rules", "check", "--rules", "/nonexistent/rules"]).assert().code(2);
}

#[test]
fn assess_still_accepts_a_safe_copy_of_the_rules() {
    let dir = edited(|text| text.replacen("favour = { swedish = 3 }", "favour = { swedish = 4 }", 1));
    let answers = dir.path().join("a.toml");
    std::fs::write(
        &answers,
        "version = 2\nred_flags = []\nduration = \"chronic\"\nseverity = 5\nworsening = false\nlocation = [\"lower_back\"]\nonset = \"posture_stress\"\ncontraindications = []\nage = 41\npressure = \"medium\"\n",
    )
    .unwrap();
    triage().args(["assess", "--rules"]).arg(dir.path()).arg("--answers").arg(&answers).assert().code(0);
}

#[test]
fn a_rule_joining_many_questions_is_still_checked_completely() {
    // One rule reading red flags, contraindications, age, severity and pressure joins them
    // (with the rules already joining duration, severity, age and pressure) into one part
    // of 15.7 million classes: the sweep must still cover it, not give up.
    let dir = edited(|mut text| {
        text.push_str(
            r#"
[[rule]]
id = "calm_young_client"
because = "No red flags, no contraindications, young, mild pain and firm pressure."
source = ["seed"]
when = { all = [
  { question = "red_flags", contains_none = ["bladder_bowel", "saddle_numbness", "leg_weakness", "chest_abdomen", "breathless_sweaty", "sudden_severe", "head_neuro", "major_trauma", "arm_hand_neuro", "fever", "infection_risk", "cancer_history", "weight_loss", "night_pain"] },
  { question = "contraindications", contains_none = ["recent_surgery", "blood_thinners", "bleeding_risk", "pregnancy", "skin_condition", "blood_clot", "recent_clot", "acute_injury", "osteoporosis"] },
  { question = "age", at_most = 30 },
  { question = "severity", at_most = 3 },
  { question = "pressure", is = "firm" },
] }
favour = { sports = 1 }
"#,
        );
        text
    });
    let (status, json) = check_json(dir.path());
    assert_eq!(status, 0, "{json:#}");
    assert!(findings(&json, Code::NotProven).is_empty());
    assert!(json["answer_classes"].as_u64().unwrap() > 1_000_000_000);
}

#[test]
fn a_check_past_its_budget_is_not_proven_and_names_what_entangles_the_space() {
    // 1 MiB is far below what the proof of this 202-rule set holds at once (between 8 and 16
    // MiB; about 30 MB resident in all).
    let entangled = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/entangled");
    let output = triage()
        .args(["rules", "check", "--memory-limit", "1", "--format", "json", "--rules"])
        .arg(&entangled)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["safe"], false);
    let finding = &json["findings"][0];
    assert_eq!(finding["code"], "not-proven");
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("stopped at its memory limit of 1 MiB (--memory-limit)"), "{message}");
    // The rules and statements that read several questions of the entangled part, by name.
    assert!(message.contains("are read together by rule \""), "{message}");
    assert!(message.contains("entangled/rules.toml:"), "{message}");
    // A time limit too short to finish is the same kind of finding.
    let output =
        triage().args(["rules", "check", "--time-limit", "0.000001", "--rules"]).arg(&entangled).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("stopped at its time limit of 0.000001 s (--time-limit)"), "{stdout}");
    // So is one that the check would pass without reading its clock if it counted only the
    // partial outcomes it makes (they merge nearly as fast as they are made in some sweeps):
    // the 166-rule set this test had before ran to the end, four times that limit.
    let output = triage().args(["rules", "check", "--time-limit", "0.05", "--rules"]).arg(&entangled).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("stopped at its time limit of 0.05 s (--time-limit)"), "{stdout}");
    // Within the default budget the built-in set is proven, and the larger one within a
    // larger budget (a test build is slower than a release).
    assert_eq!(triage().args(["rules", "check"]).output().unwrap().status.code(), Some(0));
    let output = triage().args(["rules", "check", "--time-limit", "120", "--rules"]).arg(&entangled).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn a_question_split_past_what_the_check_covers_is_not_proven_and_its_rules_are_named() {
    // 16 new contraindications with a cap each: 25 groups of options, 2^25 combinations.
    let many = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/many-options");
    let output = triage().args(["rules", "check", "--format", "json", "--rules"]).arg(&many).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = &json["findings"][0];
    assert_eq!(finding["code"], "not-proven");
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("options of question \"contraindications\" apart in 25 groups"), "{message}");
    assert!(message.contains("more than the 1048576 answer classes"), "{message}");
    // Every rule reading the question, built in and new, with its line; no other.
    let rules: Vec<&str> = finding["rules"].as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"suspected_clot") && rules.contains(&"syn_1") && rules.contains(&"syn_16"), "{rules:?}");
    assert!(!rules.contains(&"cauda_equina"), "{rules:?}");
    assert!(finding["rules"][0]["at"].as_str().unwrap().contains("many-options/rules.toml:"), "{finding:#}");
}

#[test]
fn budgets_that_are_no_budget_are_refused_as_usage() {
    for args in [["--time-limit", "0"], ["--time-limit", "soon"], ["--memory-limit", "0"]] {
        let output = triage().args(["rules", "check"]).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}
