//! The built-in rule set compiled ahead: loading it from its TOML was 85 % of a cold
//! `assess` (5.4 of 6.3 million instructions, most of them the `toml` crate's parse). The
//! loaded rule set is kept in `built_in.postcard` (a generated file, written by a test from
//! `rules/`), and read back in a fraction of that.
//!
//! The file names the key it was made for: a digest of the rule files and of the sources
//! of every type it holds, computed by the build script. When either has changed since the
//! file was written, the key differs, the file is ignored and the TOML is parsed as before
//! (correct, only slower) until the test writes it anew: a stale compiled form is never read.

use super::{Digest, RuleSet, BUILT_IN_DIGEST};

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

impl RuleSet {
    /// The compiled form of a rule set loaded from files, for a cache to keep and give back
    /// to [`RuleSet::load_dir_kept`]: this build's [`KEY`], the files' digest, the rule set.
    /// `None` for one no file holds, and for one that declares exceptions to the safety
    /// floor (their lines are not kept, so it is read from its files every time).
    pub fn compiled_form(&self) -> Option<Vec<u8>> {
        if !self.questionnaire.floor_exceptions.is_empty() {
            return None;
        }
        let digest = self.digest?.to_string();
        postcard::to_allocvec(&(KEY, digest, self)).ok()
    }
}

/// A kept compiled form read back; `None` unless this build made it from files with this
/// digest (a form for other files, or from another build, is never read), or when it does
/// not read.
pub(super) fn read_kept(bytes: &'static [u8], digest: Digest) -> Option<RuleSet> {
    let (key, rest): (&str, &[u8]) = postcard::take_from_bytes(bytes).ok()?;
    let (made_from, rest): (&str, &[u8]) = postcard::take_from_bytes(rest).ok()?;
    if key != KEY || made_from != digest.to_string() {
        return None;
    }
    let mut rule_set: RuleSet = postcard::from_bytes(rest).ok()?;
    rule_set.digest = Some(digest);
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
    /// A kept compiled form reads back as the rule set its files give, and only for them.
    #[test]
    fn a_kept_compiled_form_is_the_rule_set_of_its_files_and_of_no_others() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let other = RuleSet::load_dir(&fixtures.join("entangled")).unwrap();
        // One with an exception to the safety floor keeps none (its lines are not kept).
        assert!(RuleSet::load_dir(&fixtures.join("small")).unwrap().compiled_form().is_none());
        for dir in ["entangled", "many-options"].map(|d| fixtures.join(d)) {
            let parsed = RuleSet::load_dir(&dir).unwrap();
            let form = parsed.compiled_form().unwrap();
            // Leaked as the binary's cache leaks what it reads: the rule set borrows from it.
            let leaked: &'static [u8] = form.clone().leak();
            let (kept, from_form) = RuleSet::load_dir_kept(&dir, |_| Some(leaked)).unwrap();
            assert!(from_form, "{}", dir.display());
            assert_eq!(format!("{kept:?}"), format!("{parsed:?}"));
            // Another set's form, a stale build's, or a damaged one: the files are parsed.
            let mut stale = form.clone();
            stale[1] ^= 1;
            for wrong in [other.compiled_form().unwrap(), stale, form[..form.len() / 2].to_vec()] {
                if parsed.digest == other.digest && wrong == other.compiled_form().unwrap() {
                    continue;
                }
                let (read, from_form) = RuleSet::load_dir_kept(&dir, |_| Some(wrong.leak())).unwrap();
                assert!(!from_form, "{}", dir.display());
                assert_eq!(format!("{read:?}"), format!("{parsed:?}"));
            }
        }
    }

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
