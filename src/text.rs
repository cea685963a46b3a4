//! Text that came from an input (an answer file, a batch record, a flag), made safe to show.
//!
//! An `id` holding a newline and escape sequences once printed a forged second line
//! (`Recommendation: physician (emergency)`) and raw terminal sequences; error messages
//! echoed them too. Whatever is shown to a person has its control characters written as
//! visible escapes, and whatever goes into a CSV cell cannot start a spreadsheet formula.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether a character could move the cursor, change colours, end a line or reorder text
/// when printed: C0 and C1 controls, DEL, line and paragraph separators, and the
/// bidirectional overrides and isolates ("Trojan source").
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character that could forge output written as an escape (`\n`, `\t`,
/// `\u{1b}`); borrowed when there is none, as is usual.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// JSON text with the characters JSON writers leave raw but a terminal may obey (DEL, C1
/// controls, separators, bidirectional controls) written as `\uXXXX`: the same JSON value.
/// Such characters can only be inside strings, where the escape means the same.
pub fn json_terminal_safe(json: &str) -> Cow<'_, str> {
    // Below DEL, JSON writers escape controls inside strings; outside, they are whitespace.
    let raw = |c: char| u32::from(c) >= 0x7f && is_unsafe(c);
    if !json.chars().any(raw) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 12);
    for c in json.chars() {
        if raw(c) {
            // Every such character is in the Basic Multilingual Plane: one escape.
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a spreadsheet would read a cell starting with this character as a formula
/// (OWASP's list: `=`, `+`, `-`, `@`, tab and carriage return).
fn starts_formula(text: &str) -> bool {
    matches!(text.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
}

/// A CSV cell's text: control characters escaped, and a leading `'` when the text would
/// start a formula (`=HYPERLINK(...)` becomes `'=HYPERLINK(...)`, shown as text).
pub fn csv_safe(text: &str) -> Cow<'_, str> {
    match (starts_formula(text), escape_controls(text)) {
        (false, escaped) => escaped,
        (true, escaped) => Cow::Owned(format!("'{escaped}")),
    }
}

/// The most characters of an input's value quoted in a message.
pub const MAX_QUOTED_CHARS: usize = 40;

/// A value from the input as a message quotes it: control characters escaped, and cut to
/// [`MAX_QUOTED_CHARS`] characters with `…` (a 600 KB "option" is not echoed whole).
pub fn shown(value: &str) -> Cow<'_, str> {
    match value.char_indices().nth(MAX_QUOTED_CHARS) {
        None => escape_controls(value),
        Some((cut, _)) => Cow::Owned(format!("{}…", escape_controls(&value[..cut]))),
    }
}

/// The longest message shown; a longer one (from a rule file, say) is cut in the middle.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// `text` cut to [`MAX_MESSAGE_CHARS`] characters, keeping its start and its end.
pub fn capped(text: &str) -> Cow<'_, str> {
    let count = text.chars().count();
    if count <= MAX_MESSAGE_CHARS {
        return Cow::Borrowed(text);
    }
    let keep = MAX_MESSAGE_CHARS / 2;
    let head: String = text.chars().take(keep).collect();
    let tail: String = text.chars().skip(count - keep).collect();
    Cow::Owned(format!("{head} … {tail}"))
}

/// The excerpt of a line shown under a message: at most this many characters.
pub const MAX_EXCERPT_CHARS: usize = 120;

/// At most [`MAX_EXCERPT_CHARS`] characters of `text` around byte `at` (half before, half
/// after), with `…` where it was cut and control characters escaped (a tab shown as a
/// space, to keep the caret under its place). Returns the excerpt and how many characters
/// of it come before `at`, for the caret.
pub fn excerpt(text: &str, at: usize) -> (String, usize) {
    let at = floor_char_boundary(text, at);
    let half = MAX_EXCERPT_CHARS / 2;
    let before: Vec<char> = text[..at].chars().collect();
    let after: Vec<char> = text[at..].chars().collect();
    let (cut_before, cut_after) = (before.len() > half, after.len() > half);
    let before = &before[before.len().saturating_sub(half)..];
    let after = &after[..after.len().min(half)];
    let show = |chars: &[char]| -> String {
        let text: String = chars.iter().map(|c| if *c == '\t' { ' ' } else { *c }).collect();
        escape_controls(&text).into_owned()
    };
    let mut shown = String::new();
    if cut_before {
        shown.push('…');
    }
    shown.push_str(&show(before));
    let caret = shown.chars().count();
    shown.push_str(&show(after));
    if cut_after {
        shown.push('…');
    }
    (shown, caret)
}

/// The largest character boundary of `text` at or before byte `at` (at most its length):
/// `str::floor_char_boundary`, not yet stable.
pub fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A count for people: exact, or "more than" the largest count kept when it saturated.
pub fn count(number: u128) -> String {
    if number == u128::MAX {
        format!("more than {}", u128::MAX - 1)
    } else {
        number.to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_forged_line_is_shown_as_one_line() {
        let id = "b-1\nRecommendation: physician (emergency)\u{1b}[2J\u{9b}31m\u{202e}";
        assert_eq!(escape_controls(id), "b-1\\nRecommendation: physician (emergency)\\u{1b}[2J\\u{9b}31m\\u{202e}");
        assert!(matches!(escape_controls("booking-1042 é"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_stays_the_same_value_with_terminal_controls_escaped() {
        let text = "a\u{7f}b\u{9b}c\u{202e}d\n";
        let json = serde_json::to_string(text).unwrap();
        let safe = json_terminal_safe(&json);
        assert_eq!(safe, "\"a\\u007fb\\u009bc\\u202ed\\n\"");
        assert_eq!(serde_json::from_str::<String>(&safe).unwrap(), text);
    }

    #[test]
    fn csv_cells_cannot_start_a_formula() {
        for (cell, safe) in [
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\\tx"),
            ("\rx", "'\\rx"),
            ("b-1", "b-1"),
            ("", ""),
        ] {
            assert_eq!(csv_safe(cell), safe);
        }
    }

    #[test]
    fn quoted_values_and_messages_are_capped() {
        assert_eq!(shown("firmm"), "firmm");
        assert_eq!(shown(&"x".repeat(600_000)), format!("{}…", "x".repeat(MAX_QUOTED_CHARS)));
        assert_eq!(shown("a\u{1b}b"), "a\\u{1b}b");
        assert_eq!(capped(&"y".repeat(5000)).chars().count(), MAX_MESSAGE_CHARS + 3);
    }

    #[test]
    fn a_saturated_count_is_not_shown_as_exact() {
        assert_eq!(count(12), "12");
        assert_eq!(count(u128::MAX), "more than 340282366920938463463374607431768211454");
    }

    #[test]
    fn excerpts_are_cut_around_the_place() {
        assert_eq!(excerpt("a = 1", 4), ("a = 1".to_owned(), 4));
        let long = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let (shown, caret) = excerpt(&long, 500);
        assert_eq!(shown.chars().count(), MAX_EXCERPT_CHARS + 2);
        assert_eq!(shown.chars().nth(caret), Some('X'));
    }

    proptest! {
        /// Escaped text has no unsafe character, and safe text is left as it is.
        #[test]
        fn escaped_text_is_safe(text in ".{0,40}") {
            let escaped = escape_controls(&text);
            prop_assert!(!escaped.chars().any(is_unsafe));
            if !text.chars().any(is_unsafe) {
                prop_assert_eq!(escaped, text.as_str());
            }
        }

        /// An excerpt is short, safe, and its caret is on the character at the place.
        #[test]
        fn excerpts_are_short_and_point_at_the_place(text in "[a-z \t\u{1b}é]{0,300}", at in 0..300usize) {
            let (shown, caret) = excerpt(&text, at);
            prop_assert!(shown.chars().count() <= MAX_EXCERPT_CHARS * 8 + 2);
            prop_assert!(!shown.chars().any(is_unsafe));
            prop_assert!(caret <= shown.chars().count());
        }
    }
}
