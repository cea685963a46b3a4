//! Computes the built-in rule set's digest at build time, with the library's own digest
//! function (the same file, included), so that a call does not hash the embedded files.

#[allow(dead_code, unreachable_pub)]
#[path = "src/rules/digest.rs"]
mod digest;

fn main() {
    for path in ["rules/questionnaire.toml", "rules/rules.toml", "src/rules/digest.rs"] {
        println!("cargo::rerun-if-changed={path}");
    }
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let digest = digest::Digest::of_rule_set(&read("rules/questionnaire.toml"), &read("rules/rules.toml"));
    println!("cargo::rustc-env=MASSAGE_TRIAGE_BUILT_IN_SHA256={digest}");
}
