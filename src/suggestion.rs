//! "Did you mean": the closest valid id to a misspelt one.

/// The candidate closest to `word`, if one is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, candidate)| *score >= 0.8 || strsim::levenshtein(word, candidate) <= 2)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// Appends ` (did you mean "x"?)` to a message when there is a suggestion: the one form
/// every message with a suggestion ends with (a diagnostic's headline, a batch record's
/// error).
pub fn push_did_you_mean(message: &mut String, suggestion: Option<&str>) {
    if let Some(suggestion) = suggestion {
        message.push_str(" (did you mean \"");
        message.push_str(suggestion);
        message.push_str("\"?)");
    }
}

/// `a, b, c` for an "expected one of" message.
pub fn one_of<'a>(candidates: impl IntoIterator<Item = &'a str>) -> String {
    candidates.into_iter().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_typo() {
        assert_eq!(closest("firmm", ["light", "medium", "firm", "unsure"]), Some("firm"));
        assert_eq!(closest("sadle_numbness", ["bladder_bowel", "saddle_numbness"]), Some("saddle_numbness"));
    }

    #[test]
    fn the_suggestion_ends_the_message() {
        let mut message = "unknown option \"firmm\"".to_owned();
        push_did_you_mean(&mut message, None);
        assert_eq!(message, "unknown option \"firmm\"");
        push_did_you_mean(&mut message, Some("firm"));
        assert_eq!(message, "unknown option \"firmm\" (did you mean \"firm\"?)");
    }

    #[test]
    fn no_suggestion_for_nonsense() {
        assert_eq!(closest("zzzzzzzz", ["light", "medium", "firm"]), None);
    }
}
