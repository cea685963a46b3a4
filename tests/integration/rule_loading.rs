//! The loader refuses every kind of broken rule set, naming the file, line and column, what
//! was expected and the closest valid id; and it reports every problem at once.

use assert_cmd::Command;
use massage_triage::diagnostic::{Diagnostic, SourceText};
use massage_triage::rules::{Origin, RuleSet, BUILT_IN_QUESTIONNAIRE, BUILT_IN_RULES};
use predicates::prelude::*;

/// The built-in text with one piece replaced (which must be there).
fn edit(original: &str, from: &str, to: &str) -> String {
    assert!(original.contains(from), "the edit target {from:?} is not in the file");
    original.replacen(from, to, 1)
}

/// The 1-based line where `needle` first appears.
fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

fn load(questionnaire: &str, rules: &str) -> Vec<Diagnostic> {
    match RuleSet::from_texts(
        SourceText::new("questionnaire.toml", questionnaire),
        SourceText::new("rules.toml", rules),
        Origin::BuiltIn,
    ) {
        Ok(_) => Vec::new(),
        Err(problems) => problems.0,
    }
}

/// Loads with an edit to rules.toml and checks the one problem it must cause.
fn rules_edit_is_refused(from: &str, to: &str, code: &str, fragment: &str) -> Diagnostic {
    let rules = edit(BUILT_IN_RULES, from, to);
    let problems = load(BUILT_IN_QUESTIONNAIRE, &rules);
    let found = problems.iter().find(|p| p.code == code).unwrap_or_else(|| panic!("no {code} in {problems:#?}"));
    assert_eq!(found.file, "rules.toml");
    assert!(found.message.contains(fragment), "{:?} lacks {fragment:?}", found.message);
    assert!(found.line > 0 && found.column > 0, "{found:?} has no place");
    found.clone()
}

fn questionnaire_edit_is_refused(from: &str, to: &str, code: &str, fragment: &str) -> Diagnostic {
    let questionnaire = edit(BUILT_IN_QUESTIONNAIRE, from, to);
    let problems = load(&questionnaire, BUILT_IN_RULES);
    let found = problems.iter().find(|p| p.code == code).unwrap_or_else(|| panic!("no {code} in {problems:#?}"));
    assert_eq!(found.file, "questionnaire.toml");
    assert!(found.message.contains(fragment), "{:?} lacks {fragment:?}", found.message);
    found.clone()
}

#[test]
fn the_built_in_rule_set_loads_without_a_problem() {
    assert_eq!(load(BUILT_IN_QUESTIONNAIRE, BUILT_IN_RULES), Vec::new());
}

#[test]
fn questions_options_and_rules_know_their_lines() {
    let rule_set = RuleSet::built_in().unwrap();
    let red_flags = &rule_set.questionnaire.questions[0];
    assert_eq!(red_flags.line, line_of(BUILT_IN_QUESTIONNAIRE, "id = \"red_flags\""));
    let saddle = &red_flags.options[1];
    assert_eq!(saddle.line, line_of(BUILT_IN_QUESTIONNAIRE, "id = \"saddle_numbness\""));
    let pressure = rule_set.questionnaire.questions.last().unwrap();
    assert_eq!(pressure.options[3].line, line_of(BUILT_IN_QUESTIONNAIRE, "id = \"unsure\""));
    let baseline = &rule_set.rules[rule_set.rule_index("baseline").unwrap()];
    assert_eq!(baseline.line, line_of(BUILT_IN_RULES, "id = \"baseline\""));
    assert_eq!(rule_set.rule_location(baseline), format!("rules/rules.toml:{}", baseline.line));
}

#[test]
fn an_unknown_key_in_a_rule() {
    let found = rules_edit_is_refused(
        "id = \"cauda_equina\"\n",
        "id = \"cauda_equina\"\nrefr = \"emergency\"\n",
        "toml",
        "unknown key \"refr\"",
    );
    assert!(found.message.contains("refer"), "the expected keys are listed: {}", found.message);
    assert_eq!(
        found.line,
        line_of(
            &edit(BUILT_IN_RULES, "id = \"cauda_equina\"\n", "id = \"cauda_equina\"\nrefr = \"emergency\"\n"),
            "refr ="
        )
    );
}

#[test]
fn an_unknown_key_in_a_condition() {
    rules_edit_is_refused(
        "contains_any = [\"leg_weakness\"]",
        "contains = [\"leg_weakness\"]",
        "toml",
        "unknown key \"contains\"",
    );
}

#[test]
fn a_duplicate_rule_id() {
    let rules = edit(BUILT_IN_RULES, "id = \"nerve_compression\"", "id = \"cauda_equina\"");
    let found =
        rules_edit_is_refused("id = \"nerve_compression\"", "id = \"cauda_equina\"", "duplicate-rule", "defined twice");
    assert_eq!(found.line, line_of(&rules, "id = \"cauda_equina\"\nbecause = \"New weakness"));
}

#[test]
fn a_rule_naming_an_unknown_question() {
    let found = rules_edit_is_refused(
        "when = { question = \"worsening\", is = true }",
        "when = { question = \"worsenin\", is = true }",
        "unknown-question",
        "unknown question \"worsenin\"",
    );
    assert_eq!(found.suggestion.as_deref(), Some("worsening"));
    let rules = edit(
        BUILT_IN_RULES,
        "when = { question = \"worsening\", is = true }",
        "when = { question = \"worsenin\", is = true }",
    );
    assert_eq!(found.line, line_of(&rules, "worsenin\""));
    assert_eq!(found.column, rules.lines().nth(found.line - 1).unwrap().find("\"worsenin").unwrap() + 1);
}

#[test]
fn a_rule_naming_an_unknown_option() {
    let found = rules_edit_is_refused(
        "contains_any = [\"bladder_bowel\", \"saddle_numbness\"]",
        "contains_any = [\"bladder_bowel\", \"sadle_numbness\"]",
        "unknown-option",
        "unknown option \"sadle_numbness\" for question \"red_flags\"",
    );
    assert_eq!(found.suggestion.as_deref(), Some("saddle_numbness"));
    let found = rules_edit_is_refused(
        "{ question = \"onset\", is = \"nerve\" }",
        "{ question = \"onset\", is = \"nerv\" }",
        "unknown-option",
        "expected one of posture_stress, sports",
    );
    assert_eq!(found.suggestion.as_deref(), Some("nerve"));
}

#[test]
fn a_number_compared_with_a_string() {
    rules_edit_is_refused(
        "{ question = \"severity\", at_least = 8 }\nrefer = \"routine\"",
        "{ question = \"severity\", is = \"severe\" }\nrefer = \"routine\"",
        "wrong-type",
        "\"severity\" is a number question; expected a whole number, not string",
    );
    rules_edit_is_refused(
        "{ question = \"severity\", at_least = 8 }\nrefer = \"routine\"",
        "{ question = \"severity\", at_least = \"8\" }\nrefer = \"routine\"",
        "toml",
        "expected a whole number, found the text \"8\": remove the quotes",
    );
    rules_edit_is_refused(
        "{ question = \"duration\", is = \"chronic\" },\n  { question = \"pressure\"",
        "{ question = \"duration\", at_least = 3 },\n  { question = \"pressure\"",
        "wrong-test",
        "`at_least` does not apply to \"duration\"",
    );
}

#[test]
fn an_empty_or_inverted_range() {
    rules_edit_is_refused(
        "{ question = \"severity\", at_least = 7 }",
        "{ question = \"severity\", between = [9, 7] }",
        "empty-range",
        "is empty",
    );
    rules_edit_is_refused(
        "{ question = \"age\", at_least = 85 }",
        "{ question = \"age\", at_least = 200 }",
        "out-of-range",
        "can never hold",
    );
    questionnaire_edit_is_refused("min = 12\nmax = 110", "min = 110\nmax = 12", "empty-range", "is empty");
}

#[test]
fn a_referral_without_an_urgency() {
    let found = rules_edit_is_refused(
        "contains_any = [\"leg_weakness\"] }\nrefer = \"emergency\"",
        "contains_any = [\"leg_weakness\"] }\nrefer = \"\"",
        "unknown-value",
        "unknown urgency \"\"; expected one of routine, urgent, emergency",
    );
    assert!(found.line > 0);
    rules_edit_is_refused(
        "contains_any = [\"leg_weakness\"] }\nrefer = \"emergency\"",
        "contains_any = [\"leg_weakness\"] }\nrefer = \"emergancy\"",
        "unknown-value",
        "unknown urgency",
    );
}

#[test]
fn a_rule_with_no_effect() {
    rules_edit_is_refused(
        "when = { question = \"location\", contains_any = [\"neck\"] }\nprecaution = \"Neck: gentle pressure only on the neck; no deep work on the front or sides of the neck, no forceful stretching or manipulation.\"",
        "when = { question = \"location\", contains_any = [\"neck\"] }",
        "no-effect",
        "has no effect",
    );
}

#[test]
fn duplicate_question_and_option_ids() {
    questionnaire_edit_is_refused("id = \"age\"", "id = \"severity\"", "duplicate-question", "defined twice");
    questionnaire_edit_is_refused(
        "id = \"saddle_numbness\"",
        "id = \"bladder_bowel\"",
        "duplicate-option",
        "appears twice",
    );
}

#[test]
fn an_unknown_question_kind_and_safety_mark() {
    let found =
        questionnaire_edit_is_refused("kind = \"yes_no\"", "kind = \"yesno\"", "unknown-kind", "unknown question kind");
    assert_eq!(found.suggestion.as_deref(), Some("yes_no"));
    let found = questionnaire_edit_is_refused(
        "min_urgency = \"routine\"",
        "min_urgency = \"routin\"",
        "unknown-value",
        "unknown urgency",
    );
    assert_eq!(found.suggestion.as_deref(), Some("routine"));
    questionnaire_edit_is_refused(
        "forbids = [\"deep_tissue\"]",
        "forbids = [\"deep\"]",
        "unknown-value",
        "unknown style",
    );
}

#[test]
fn no_questions_or_no_rules() {
    let problems = load("", BUILT_IN_RULES);
    assert!(problems.iter().any(|p| p.code == "no-questions"), "{problems:?}");
    let policy_only = &BUILT_IN_RULES[..BUILT_IN_RULES.find("[[rule]]").unwrap()];
    let problems = load(BUILT_IN_QUESTIONNAIRE, policy_only);
    assert!(problems.iter().any(|p| p.code == "no-rules"), "{problems:?}");
}

#[test]
fn every_problem_is_collected_before_failing() {
    let rules = edit(BUILT_IN_RULES, "contains_any = [\"night_pain\"]", "contains_any = [\"nite_pain\"]");
    let rules = edit(&rules, "{ question = \"age\", at_least = 75 }", "{ question = \"agee\", at_least = 75 }");
    let rules = edit(&rules, "max_pressure = \"medium\"", "max_pressure = \"meduim\"");
    let problems = load(BUILT_IN_QUESTIONNAIRE, &rules);
    let codes: Vec<&str> = problems.iter().map(|p| p.code.name()).collect();
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(
        codes.contains(&"unknown-option") && codes.contains(&"unknown-question") && codes.contains(&"unknown-value")
    );
    let pressure = problems.iter().find(|p| p.message.contains("meduim")).unwrap();
    assert_eq!(pressure.suggestion.as_deref(), Some("medium"));
}

fn rules_dir_with(questionnaire: &[u8], rules: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("questionnaire.toml"), questionnaire).unwrap();
    std::fs::write(dir.path().join("rules.toml"), rules).unwrap();
    dir
}

#[test]
fn a_rule_file_that_is_not_utf8_or_too_large_is_refused() {
    let mut latin1 = BUILT_IN_RULES.as_bytes().to_vec();
    latin1.extend_from_slice(b"# caf\xe9\n");
    let dir = rules_dir_with(BUILT_IN_QUESTIONNAIRE.as_bytes(), &latin1);
    let problems = RuleSet::load_dir(dir.path()).unwrap_err().0;
    assert_eq!(problems[0].code, "not-utf8");
    assert!(problems[0].file.ends_with("rules.toml") && problems[0].line > 1);

    let mut huge = BUILT_IN_RULES.as_bytes().to_vec();
    huge.extend(std::iter::repeat_n(b'#', 1024 * 1024));
    let dir = rules_dir_with(BUILT_IN_QUESTIONNAIRE.as_bytes(), &huge);
    assert_eq!(RuleSet::load_dir(dir.path()).unwrap_err().0[0].code, "too-large");
}

#[test]
fn the_binary_refuses_a_broken_rules_folder_with_exit_2() {
    let rules = edit(BUILT_IN_RULES, "contains_any = [\"night_pain\"]", "contains_any = [\"nite_pain\"]");
    let dir = rules_dir_with(BUILT_IN_QUESTIONNAIRE.as_bytes(), rules.as_bytes());
    let line = line_of(&rules, "nite_pain");
    let answers = format!("{}/tests/fixtures/answers/desk-worker.toml", env!("CARGO_MANIFEST_DIR"));
    Command::cargo_bin("massage-triage")
        .unwrap()
        .args(["assess", "--answers", &answers, "--rules", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(format!("rules.toml:{line}:")))
        .stderr(predicate::str::contains("did you mean \"night_pain\"?"));
}

#[test]
fn a_missing_rules_folder_is_bad_input() {
    let answers = format!("{}/tests/fixtures/answers/desk-worker.toml", env!("CARGO_MANIFEST_DIR"));
    Command::cargo_bin("massage-triage")
        .unwrap()
        .args(["assess", "--answers", &answers, "--rules", "/nonexistent-rules"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("error[unreadable]: cannot read the file")
                .and(predicate::str::contains("--> /nonexistent-rules/questionnaire.toml")),
        );
}

// ---------------------------------------------------------------- version 2 of the format

#[test]
fn a_tell_belongs_to_a_referring_rule_and_says_something() {
    rules_edit_is_refused(
        "contains_any = [\"blood_thinners\"] }\nmax_pressure = \"light\"",
        "contains_any = [\"blood_thinners\"] }\ntell = \"Call us.\"\nmax_pressure = \"light\"",
        "tell-without-refer",
        "`tell` is what to tell a person this rule refers; add `refer`, or remove `tell`",
    );
    rules_edit_is_refused(
        "refer = \"emergency\"\ntell = \"Call the maternity unit or go to the hospital now. Do not book a massage.\"",
        "refer = \"emergency\"\ntell = \" \"",
        "empty-tell",
        "`tell` is empty",
    );
}

#[test]
fn a_style_maximum_names_a_style_and_a_pressure() {
    let found = rules_edit_is_refused(
        "[policy.max_pressure]\nswedish = \"medium\"",
        "[policy.max_pressure]\nswedsh = \"medium\"",
        "unknown-value",
        "unknown style \"swedsh\" in [policy.max_pressure]",
    );
    assert_eq!(found.suggestion.as_deref(), Some("swedish"));
    rules_edit_is_refused(
        "[policy.max_pressure]\nswedish = \"medium\"",
        "[policy.max_pressure]\nswedish = \"meduim\"",
        "unknown-value",
        "unknown pressure \"meduim\"",
    );
}

#[test]
fn versions_and_since_are_checked() {
    questionnaire_edit_is_refused("\nversion = 2\n", "\nversion = 0\n", "bad-version", "version 0 is not valid");
    questionnaire_edit_is_refused(
        "id = \"breathless_sweaty\"\nsince = 2",
        "id = \"breathless_sweaty\"\nsince = 3",
        "bad-version",
        "since = 3 is not valid for this option; expected a version from 1 to the questionnaire's version 2",
    );
    // An option of a version-2 question is of version 2 at least.
    questionnaire_edit_is_refused(
        "id = \"contractions\"\n",
        "id = \"contractions\"\nsince = 1\n",
        "bad-version",
        "expected a version from 2",
    );
}

#[test]
fn a_conditional_question_depends_on_earlier_answers_only() {
    let found = questionnaire_edit_is_refused(
        "ask_when = { question = \"contraindications\", contains_any = [\"pregnancy\"] }",
        "ask_when = { question = \"age\", at_most = 55 }",
        "bad-ask-when",
        "`ask_when` of \"pregnancy_signs\" reads \"age\", which is not asked before it",
    );
    assert!(found.line > 0);
    let found = questionnaire_edit_is_refused(
        "ask_when = { question = \"contraindications\", contains_any = [\"pregnancy\"] }",
        "ask_when = { question = \"contraindications\", contains_any = [\"pregnant\"] }",
        "unknown-option",
        "unknown option \"pregnant\"",
    );
    assert_eq!(found.suggestion.as_deref(), Some("pregnancy"));
    // `asked` is a test on a conditional question only.
    rules_edit_is_refused(
        "when = { question = \"pregnancy_signs\", contains_any = [\"high_risk\"] }",
        "when = { question = \"age\", asked = true }",
        "wrong-test",
        "asked",
    );
}

#[test]
fn invariants_and_unlikely_answers_are_validated_like_rules() {
    questionnaire_edit_is_refused(
        "contains_all = [\"fever\", \"infection_risk\"] }\nmin_urgency = \"emergency\"\n",
        "contains_all = [\"fever\", \"infection_risk\"] }\n",
        "no-demand",
        "invariant \"fever_with_infection_risk\" demands nothing",
    );
    let found = questionnaire_edit_is_refused(
        "when = { question = \"age\", at_least = 75 }\nforbids",
        "when = { question = \"agee\", at_least = 75 }\nforbids",
        "unknown-question",
        "unknown question \"agee\"",
    );
    assert_eq!(found.suggestion.as_deref(), Some("age"));
    questionnaire_edit_is_refused(
        "id = \"young_client_pressure\"",
        "id = \"older_client_pressure\"",
        "duplicate-id",
        "invariant \"older_client_pressure\" is defined twice",
    );
    questionnaire_edit_is_refused(
        "id = \"no_pain_but_worsening\"",
        "id = \"pregnant_at_56_or_over\"",
        "duplicate-id",
        "unlikely answer \"pregnant_at_56_or_over\" is defined twice",
    );
    questionnaire_edit_is_refused(
        "{ question = \"severity\", is = 0 },",
        "{ question = \"severity\", is = 11 },",
        "out-of-range",
        "can never hold",
    );
}

#[test]
fn the_options_of_a_group_are_listed_together() {
    // Move the last red flag of the 911 "heart" group after the 24-hour group starts.
    let questionnaire = edit(
        BUILT_IN_QUESTIONNAIRE,
        "id = \"arm_hand_neuro\"\nsince = 2\ngroup = \"Nerves, infection or cancer (a doctor within 24 hours)\"",
        "id = \"arm_hand_neuro\"\nsince = 2\ngroup = \"Heart, chest and breathing (call 911)\"",
    );
    let problems = load(&questionnaire, BUILT_IN_RULES);
    assert!(
        problems.iter().any(|p| p.code == "scattered-group" && p.message.contains("Heart, chest and breathing")),
        "{problems:#?}"
    );
}
