//! Engine benchmarks: load the built-in rule set (compiled, and from TOML), evaluate one answer set, and
//! evaluate with the trace. Run with `cargo bench --bench engine`.
#![allow(clippy::unwrap_used, missing_docs)]

use divan::{black_box, Bencher};
use massage_triage::answers::parse_toml;
use massage_triage::diagnostic::SourceText;
use massage_triage::engine::{evaluate, evaluate_traced};
use massage_triage::rules::RuleSet;

fn main() {
    divan::main();
}

/// Answer sets spanning the outcomes: a desk worker, an athlete, a manual worker on blood
/// thinners, an emergency.
const ANSWERS: &[&str] = &[
    "version = 2\nred_flags = []\nduration = \"chronic\"\nseverity = 5\nworsening = false\nlocation = [\"lower_back\"]\nonset = \"posture_stress\"\ncontraindications = []\nage = 41\npressure = \"medium\"\n",
    "version = 2\nred_flags = []\nduration = \"subacute\"\nseverity = 4\nworsening = false\nlocation = [\"lower_back\", \"leg\"]\nonset = \"sports\"\ncontraindications = [\"acute_injury\"]\nage = 28\npressure = \"firm\"\n",
    "version = 2\nred_flags = []\nduration = \"chronic\"\nseverity = 6\nworsening = false\nlocation = [\"upper_back\", \"lower_back\"]\nonset = \"repetitive_work\"\ncontraindications = [\"blood_thinners\"]\nage = 77\npressure = \"firm\"\n",
    "version = 2\nred_flags = [\"saddle_numbness\"]\nduration = \"acute\"\nseverity = 3\nworsening = false\nlocation = [\"lower_back\"]\nonset = \"unknown\"\ncontraindications = []\nage = 52\npressure = \"medium\"\n",
];

/// The built-in rule set as a call gets it: from its compiled form.
#[divan::bench]
fn load_built_in() -> RuleSet {
    RuleSet::built_in().unwrap()
}

/// The same rules parsed and validated from TOML, as a clinic's folder is (one comment
/// added, so that the bytes are not the built-in set's and its compiled form is not used).
#[divan::bench]
fn load_and_validate_toml(bencher: Bencher) {
    use massage_triage::rules::{Origin, BUILT_IN_QUESTIONNAIRE, BUILT_IN_RULES};
    let rules = format!("{BUILT_IN_RULES}\n# a clinic's copy\n");
    bencher.bench_local(|| {
        RuleSet::from_texts(
            SourceText::new("questionnaire.toml", black_box(BUILT_IN_QUESTIONNAIRE)),
            SourceText::new("rules.toml", black_box(&rules)),
            Origin::Folder("bench".into()),
        )
        .unwrap()
    });
}

#[divan::bench(args = [0, 1, 2, 3])]
fn evaluate_one(bencher: Bencher, which: usize) {
    let rule_set = RuleSet::built_in().unwrap();
    let answers = parse_toml(&rule_set.questionnaire, SourceText::new("bench", ANSWERS[which])).unwrap();
    bencher.bench_local(|| evaluate(black_box(&rule_set), black_box(&answers)));
}

#[divan::bench(args = [0, 1, 2, 3])]
fn evaluate_with_trace(bencher: Bencher, which: usize) {
    let rule_set = RuleSet::built_in().unwrap();
    let answers = parse_toml(&rule_set.questionnaire, SourceText::new("bench", ANSWERS[which])).unwrap();
    bencher.bench_local(|| evaluate_traced(black_box(&rule_set), black_box(&answers)));
}

#[divan::bench]
fn parse_toml_only() -> (toml::Table, toml::Table) {
    (
        toml::from_str(massage_triage::rules::BUILT_IN_QUESTIONNAIRE).unwrap(),
        toml::from_str(massage_triage::rules::BUILT_IN_RULES).unwrap(),
    )
}

#[divan::bench]
fn line_lookups() -> usize {
    let source = SourceText::new("x", massage_triage::rules::BUILT_IN_RULES);
    (0..150).map(|i| source.line_of(i * 100)).sum()
}

#[divan::bench]
fn parse_detable_only() -> usize {
    let a = toml::de::DeTable::parse(massage_triage::rules::BUILT_IN_QUESTIONNAIRE).unwrap();
    let b = toml::de::DeTable::parse(massage_triage::rules::BUILT_IN_RULES).unwrap();
    a.get_ref().len() + b.get_ref().len()
}
