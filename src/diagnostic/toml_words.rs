//! The TOML reader's errors in words a clinic lead can act on. The reader speaks of types
//! (`invalid type: string "50", expected i64`) and of the place where it gave up, which for
//! an unclosed quote is the end of the line; a person needs the value as they wrote it, what
//! to write instead, and the place where the slip is.

use std::ops::Range;

/// A TOML error's message and place, said plainly where a known slip explains it.
pub(super) fn plain(message: &str, text: &str, span: Option<Range<usize>>) -> (String, Option<Range<usize>>) {
    if let Some(typed) = type_mismatch(message) {
        return (typed, span);
    }
    let Some(span) = span else { return (message.to_owned(), None) };
    let line = line_around(text, span.start);
    if message == "duplicate key" {
        return (duplicate_key(text, line.clone()), Some(span));
    }
    if message.starts_with("invalid basic string") {
        if let Some(opening) = unclosed_quote(&text[line.clone()]) {
            let at = line.start + opening;
            return ("this text in quotes is not closed: end it with \" on the same line".to_owned(), Some(at..at + 1));
        }
    }
    if let Some(unknown) = unknown_key(message) {
        return match key_after_sub_table(message, text, span.start) {
            Some(hint) => (format!("{unknown}; {hint}"), Some(span)),
            None => (unknown, Some(span)),
        };
    }
    (message.to_owned(), Some(span))
}

/// ``unknown field `refr`, expected one of `id`, `because` `` as `unknown key "refr";
/// expected one of id, because`.
fn unknown_key(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, expected) = rest.split_once('`')?;
    let expected = expected.trim_start_matches(", ").replace('`', "");
    let expected = match expected.strip_prefix("expected one of ") {
        Some(keys) => format!("expected one of {keys}"),
        None => expected.replacen("expected ", "expected the key ", 1),
    };
    Some(format!("unknown key \"{key}\"; {expected}"))
}

/// `invalid type: FOUND, expected EXPECTED` in words, with the fix when it is plain.
fn type_mismatch(message: &str) -> Option<String> {
    let (found, expected) = message.strip_prefix("invalid type: ")?.split_once(", expected ")?;
    let expected = match expected {
        e if ["i64", "u64", "i32", "u32", "u16", "u8", "an integer"].iter().any(|t| e.contains(t)) => "a whole number",
        e if e.contains("a string") => "text in quotes",
        e if e.contains("a boolean") => "true or false",
        e if e.contains("a sequence") => "a list in [ ]",
        e if e.contains("map") || e.contains("struct") => "a table",
        other => other,
    };
    let (found_words, fix) = match found {
        text if text.starts_with("string ") => {
            let quoted = &text["string ".len()..];
            let unquoted = quoted.trim_matches('"');
            let fix = match expected {
                "a whole number" if unquoted.parse::<i64>().is_ok() => ": remove the quotes",
                "true or false" if matches!(unquoted, "true" | "false") => ": remove the quotes",
                "a list in [ ]" => ": write it in [ ], as a list of one",
                _ => "",
            };
            (format!("the text {quoted}"), fix)
        }
        number if number.starts_with("integer ") => {
            let fix = if expected == "text in quotes" { ": put it in quotes" } else { "" };
            (format!("the number {}", number["integer ".len()..].trim_matches('`')), fix)
        }
        decimal if decimal.starts_with("floating point ") => {
            (format!("the decimal number {}", decimal["floating point ".len()..].trim_matches('`')), "")
        }
        boolean if boolean.starts_with("boolean ") => (boolean["boolean ".len()..].trim_matches('`').to_owned(), ""),
        "sequence" => ("a list".to_owned(), ""),
        "map" => {
            let fix =
                if expected == "a list in [ ]" { ": for a list of tables, write [[name]] for each one" } else { "" };
            ("a table".to_owned(), fix)
        }
        other => (other.to_owned(), ""),
    };
    Some(format!("expected {expected}, found {found_words}{fix}"))
}

/// A key or a table given twice. `[rule]` where the file lists rules as `[[rule]]` is the
/// usual slip: one pair of brackets opens one table.
fn duplicate_key(text: &str, line: Range<usize>) -> String {
    let written = text[line].trim();
    let single = written.strip_prefix('[').and_then(|t| t.strip_suffix(']')).filter(|t| !t.starts_with('['));
    match single {
        Some(name) if text.contains(&format!("[[{}]]", name.trim())) => {
            let name = name.trim();
            format!("[{name}] opens a single table, but {name} is a list of tables in this file: write [[{name}]] for each one")
        }
        Some(name) => format!("the table [{}] is given twice; each table may be given once", name.trim()),
        None => match written.split_once('=') {
            Some((key, _)) => format!("\"{}\" is given twice in this table; each key may be given once", key.trim()),
            None => "a key is given twice in this table; each key may be given once".to_owned(),
        },
    }
}

/// Where the quoted text that runs to the end of `line` opens.
fn unclosed_quote(line: &str) -> Option<usize> {
    let (mut open, mut escaped) = (None, false);
    for (at, c) in line.char_indices() {
        match (open, c) {
            (None, '#') => break,
            (None, '"') => open = Some(at),
            (Some(_), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(_), '"') if !escaped => open = None,
            _ => {}
        }
        escaped = false;
    }
    open
}

/// An unknown key in a sub-table (`[rule.when]`): keys after a header belong to it until the
/// next one, so a rule's own key written below its `[rule.when]` is read as the condition's.
fn key_after_sub_table(message: &str, text: &str, at: usize) -> Option<String> {
    let key = message.strip_prefix("unknown field `")?.split('`').next()?;
    let header = text[..at].lines().rev().map(str::trim).find(|l| l.starts_with('['))?;
    let table = header.trim_matches(|c| c == '[' || c == ']');
    let (parent, _) = table.rsplit_once('.')?;
    Some(format!(
        "keys after the [{table}] header belong to it, up to the next header: if \"{key}\" is a key of the {parent} itself, move it above [{table}]"
    ))
}

/// The byte range of the line around `at`, without its newline.
fn line_around(text: &str, at: usize) -> Range<usize> {
    let at = crate::text::floor_char_boundary(text, at);
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_mismatches_say_what_was_written_and_the_fix() {
        let said = |m: &str| type_mismatch(m).unwrap_or_default();
        assert_eq!(
            said("invalid type: string \"50\", expected i64"),
            "expected a whole number, found the text \"50\": remove the quotes"
        );
        assert_eq!(
            said("invalid type: string \"lots\", expected i64"),
            "expected a whole number, found the text \"lots\""
        );
        assert_eq!(
            said("invalid type: integer `3`, expected a string"),
            "expected text in quotes, found the number 3: put it in quotes"
        );
        assert_eq!(
            said("invalid type: string \"true\", expected a boolean"),
            "expected true or false, found the text \"true\": remove the quotes"
        );
        assert_eq!(
            said("invalid type: map, expected a sequence"),
            "expected a list in [ ], found a table: for a list of tables, write [[name]] for each one"
        );
        assert_eq!(type_mismatch("duplicate key"), None);
        assert_eq!(
            unknown_key("unknown field `refr`, expected one of `id`, `because`").as_deref(),
            Some("unknown key \"refr\"; expected one of id, because")
        );
    }

    #[test]
    fn an_unclosed_quote_is_found_where_it_opens() {
        assert_eq!(unclosed_quote("because = \"no end"), Some(10));
        assert_eq!(unclosed_quote("a = \"closed\" # \"comment"), None);
        assert_eq!(unclosed_quote("a = \"esc\\\"aped"), Some(4));
        assert_eq!(unclosed_quote("a = [\"x\", \"y]"), Some(10));
    }

    #[test]
    fn a_single_table_where_the_file_lists_tables_says_to_double_the_brackets() {
        let text = "[[rule]]\nid = \"a\"\n\n[rule]\nid = \"b\"\n";
        let at = text.find("[rule]\n").unwrap_or_default();
        assert!(duplicate_key(text, line_around(text, at)).contains("write [[rule]] for each one"));
        let text = "id = \"a\"\nid = \"b\"\n";
        assert_eq!(
            duplicate_key(text, line_around(text, 10)),
            "\"id\" is given twice in this table; each key may be given once"
        );
    }
}
