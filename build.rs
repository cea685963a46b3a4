//! Computes the built-in rule set's digest at build time, with the library's own digest
//! function (the same file, included), so that a call does not hash the embedded files.

#[allow(dead_code, unreachable_pub)]
#[path = "src/rules/digest.rs"]
mod digest;

/// What the built-in set's compiled form depends on: the rule files, and the sources of
/// every type it holds (a changed type could read the old bytes wrongly).
const COMPILED_FROM: &[&str] = &[
    "rules/questionnaire.toml",
    "rules/rules.toml",
    "src/rules/mod.rs",
    "src/rules/compiled.rs",
    "src/rules/program.rs",
    "src/questionnaire/mod.rs",
    "src/condition/mod.rs",
    "src/recommendation.rs",
    "src/wording.rs",
];

fn main() {
    for path in COMPILED_FROM.iter().chain(&["src/rules/digest.rs"]) {
        println!("cargo::rerun-if-changed={path}");
    }
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let digest = digest::Digest::of_rule_set(&read("rules/questionnaire.toml"), &read("rules/rules.toml"));
    println!("cargo::rustc-env=MASSAGE_TRIAGE_BUILT_IN_SHA256={digest}");
    // Line ends as checked out: a Windows checkout's CRLF gives another key (and a fresh parse).
    let texts: Vec<(&str, String)> = COMPILED_FROM.iter().map(|path| (*path, read(path))).collect();
    let files: Vec<(&str, &str)> = texts.iter().map(|(path, text)| (*path, text.as_str())).collect();
    println!("cargo::rustc-env=MASSAGE_TRIAGE_COMPILED_KEY={}", digest::Digest::of_files(&files));
}
