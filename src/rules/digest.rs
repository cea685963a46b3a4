//! A rule set's digest: SHA-256 over its files' bytes, in a fixed order and framed by
//! their names and lengths, so that it names the rule set and nothing else (not the folder
//! it was read from, nor where one file ends and the next begins).

use sha2::{Digest as _, Sha256};
use std::fmt;

/// The digest of a rule set's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digest([u8; 32]);

impl Digest {
    /// The digest of a rule set's two files, by their texts (the build script computes the
    /// built-in set's with this same function).
    pub fn of_rule_set(questionnaire: &str, rules: &str) -> Self {
        Digest::of_files(&[("questionnaire.toml", questionnaire), ("rules.toml", rules)])
    }

    /// The digest of `(file name, text)` pairs, in the order given.
    pub fn of_files(files: &[(&str, &str)]) -> Self {
        let mut hasher = Sha256::new();
        for (name, text) in files {
            hasher.update((name.len() as u64).to_be_bytes());
            hasher.update(name.as_bytes());
            hasher.update((text.len() as u64).to_be_bytes());
            hasher.update(text.as_bytes());
        }
        Digest(hasher.finalize().into())
    }
}

impl Digest {
    /// A digest written in hexadecimal, read at compile time (the built-in rule set's, which
    /// the build script computes): a malformed one stops the build.
    pub const fn from_hex(hex: &str) -> Self {
        let hex = hex.as_bytes();
        assert!(hex.len() == 64, "a SHA-256 digest is 64 hexadecimal digits");
        let mut bytes = [0u8; 32];
        let mut i = 0;
        while i < 32 {
            bytes[i] = (nibble(hex[2 * i]) << 4) | nibble(hex[2 * i + 1]);
            i += 1;
        }
        Digest(bytes)
    }
}

const fn nibble(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => panic!("not a lower-case hexadecimal digit"),
    }
}

/// Lower-case hexadecimal, as `sha256sum` writes it.
impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_changes_with_any_byte_and_with_where_a_file_ends() {
        let base = Digest::of_files(&[("questionnaire.toml", "a = 1\n"), ("rules.toml", "b = 2\n")]);
        assert_eq!(base, Digest::of_files(&[("questionnaire.toml", "a = 1\n"), ("rules.toml", "b = 2\n")]));
        assert_ne!(base, Digest::of_files(&[("questionnaire.toml", "a = 1\n"), ("rules.toml", "b = 3\n")]));
        assert_ne!(base, Digest::of_files(&[("questionnaire.toml", "a = 1\nb"), ("rules.toml", " = 2\n")]));
        assert_eq!(base.to_string().len(), 64);
        assert_eq!(Digest::from_hex(&base.to_string()), base);
        // The build script's digest of the built-in set is the one of its embedded texts.
        let built_in = Digest::of_rule_set(crate::rules::BUILT_IN_QUESTIONNAIRE, crate::rules::BUILT_IN_RULES);
        assert_eq!(crate::rules::BUILT_IN_DIGEST, built_in);
        // SHA-256 of nothing framed: a fixed, known value guards the framing.
        assert_eq!(
            Digest::of_files(&[]).to_string(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
