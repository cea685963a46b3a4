//! The built-in rule set compiled ahead: loading it from its TOML was 85 % of a cold
//! `assess` (5.4 of 6.3 million instructions, most of them the `toml` crate's parse). The
//! loaded rule set is kept in `built_in.postcard` (a generated file, written by a test from
//! `rules/`), and read back in a fraction of that.
//!
//! The file names the key it was made for: a digest of the rule files and of the sources
//! of every type it holds, computed by the build script. When either has changed since the
//! file was written, the key differs, the file is ignored and the TOML is parsed as before
//! (correct, only slower) until the test writes it anew: a stale compiled form is never read.

use super::{RuleSet, BUILT_IN_DIGEST};

/// The key of the sources this build was made from (see the build script).
const KEY: &str = env!("MASSAGE_TRIAGE_COMPILED_KEY");

/// The compiled form: [`KEY`], then the rule set.
static COMPILED: &[u8] = include_bytes!("built_in.postcard");

/// The built-in rule set from its compiled form; `None` when that is stale or unreadable.
pub(super) fn read() -> Option<RuleSet> {
    let (key, rest): (&str, &[u8]) = postcard::take_from_bytes(COMPILED).ok()?;
    if key != KEY {
        return None;
    }
    let mut rule_set: RuleSet = postcard::from_bytes(rest).ok()?;
    // What is not stored: the digest is the build's.
    rule_set.digest = Some(BUILT_IN_DIGEST);
    Some(rule_set)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The compiled form of a rule set loaded from the built-in TOML.
    fn write(rule_set: &RuleSet) -> Result<Vec<u8>, postcard::Error> {
        postcard::to_allocvec(&(KEY, rule_set))
    }

    /// Compares with the TOML, and writes the compiled form when asked:
    /// `MASSAGE_TRIAGE_WRITE_COMPILED=1 cargo test --lib compiled`.
    #[test]
    fn the_compiled_built_in_set_is_current_and_equal_to_its_toml() {
        let from_toml = RuleSet::built_in_from_toml().unwrap();
        let bytes = write(&from_toml).unwrap();
        if std::env::var_os("MASSAGE_TRIAGE_WRITE_COMPILED").is_some() {
            std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/src/rules/built_in.postcard"), &bytes).unwrap();
            return;
        }
        assert!(
            bytes == COMPILED,
            "src/rules/built_in.postcard is stale (the rules or the types they are held in changed): run `MASSAGE_TRIAGE_WRITE_COMPILED=1 cargo test --lib compiled`, then `cargo test` again"
        );
        let compiled = read().unwrap();
        assert_eq!(format!("{compiled:?}"), format!("{from_toml:?}"));
        // And what `built_in` gives is the compiled form.
        assert_eq!(format!("{:?}", RuleSet::built_in().unwrap()), format!("{from_toml:?}"));
        // So is an unchanged copy of the files, named after the copy.
        let (questionnaire, rules) = (super::super::BUILT_IN_QUESTIONNAIRE, super::super::BUILT_IN_RULES);
        let origin = super::super::Origin::Folder("copy".into());
        let source = |name, text| crate::diagnostic::SourceText::new(name, text);
        let copy = RuleSet::from_texts(
            source("copy/questionnaire.toml", questionnaire),
            source("copy/rules.toml", rules),
            origin.clone(),
        )
        .unwrap();
        let parsed = RuleSet::from_digested_texts(
            source("copy/questionnaire.toml", questionnaire),
            source("copy/rules.toml", rules),
            origin,
            BUILT_IN_DIGEST,
        )
        .unwrap();
        assert_eq!(format!("{copy:?}"), format!("{parsed:?}"));
    }

    #[test]
    fn a_compiled_form_made_for_other_sources_is_not_read() {
        let from_toml = RuleSet::built_in_from_toml().unwrap();
        let other = postcard::to_allocvec(&("another key", &from_toml)).unwrap();
        let (key, _): (&str, &[u8]) = postcard::take_from_bytes(&other).unwrap();
        assert_ne!(key, KEY);
    }
}
