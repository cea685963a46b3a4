//! Every diagnostic code: the stable name a message and a JSON report carry
//! (`error[unknown-option]: …`), and what it means. Defined here once; the README's list
//! and scripts read the same names.

use std::fmt;

macro_rules! codes {
    ($($variant:ident $name:literal $description:literal,)*) => {
        /// A problem's kind, stable across versions.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(#[doc = $description] $variant,)*
        }

        impl Code {
            /// Every code, in the order they are documented.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code's name, as messages and JSON show it.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// What the code means.
            pub const fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $description,)*
                }
            }
        }
    };
}

codes! {
    // Files
    Unreadable "unreadable" "The file (or standard input) could not be read, or is a folder.",
    TooLarge "too-large" "The file is larger than the tool reads; it is probably the wrong file.",
    TooLong "too-long" "A batch record is longer than the largest record the tool reads.",
    NotUtf8 "not-utf8" "The file is not UTF-8 text.",
    Toml "toml" "The file is not valid TOML.",
    Json "json" "The file or record is not valid JSON.",
    Csv "csv" "A batch record is not valid CSV.",
    TooManyFields "too-many-fields" "A CSV record has more fields than its header has columns.",
    NotAnObject "not-an-object" "A JSON answer file or record is not an object of answers.",
    RepeatedKey "repeated-key" "A key is given twice in one table or object.",
    // Answers
    UnknownQuestion "unknown-question" "A key names no question of the questionnaire.",
    UnknownOption "unknown-option" "An answer names no option of its question.",
    WrongType "wrong-type" "A value is of the wrong kind (text for a number, a list for one option...).",
    OutOfRange "out-of-range" "A number lies outside its question's range.",
    TooFew "too-few" "A several-of answer lists fewer options than its question needs.",
    DuplicateOption "duplicate-option" "An option is listed twice in one answer.",
    DuplicateAnswer "duplicate-answer" "A question is answered twice.",
    MissingAnswer "missing-answer" "A question the answers must give is not answered.",
    NotAsked "not-asked" "A conditional question is answered although its condition does not hold.",
    BadVersion "bad-version" "`version` is not a questionnaire version this tool knows.",
    OlderVersion "older-version" "The answers were given under an older questionnaire that asked less.",
    BadRecord "bad-record" "An intake's record has no `answers` object, or a `record` format this tool does not read.",
    UnsettledRecord "unsettled-record" "An intake's record leaves questions unanswered that its outcome depends on.",
    // Batch CSV header
    DuplicateColumn "duplicate-column" "A CSV header names a column twice.",
    UnknownColumn "unknown-column" "A CSV header names a column that is no question.",
    MissingColumn "missing-column" "A CSV header lacks a question's column.",
    // Questionnaire
    NoQuestions "no-questions" "The questionnaire has no questions.",
    DuplicateQuestion "duplicate-question" "Two questions have the same id.",
    DuplicateId "duplicate-id" "Two options, marks or invariants have the same id.",
    BadId "bad-id" "An id is not lower-case letters, digits and `_`.",
    ReservedId "reserved-id" "A question id is a key answer files reserve (`id`, `version`).",
    UnknownKind "unknown-kind" "A question's kind is not one of the known kinds.",
    MisplacedKey "misplaced-key" "A key does not apply to this kind of question.",
    MissingRange "missing-range" "A number question lacks `min` or `max`.",
    NoOptions "no-options" "A choice question has no options.",
    TooManyOptions "too-many-options" "A question has more options than the engine holds.",
    ScatteredGroup "scattered-group" "The options of one group are not listed together.",
    NoDemand "no-demand" "A mark or invariant demands nothing.",
    BadAskWhen "bad-ask-when" "A conditional question's `ask_when` reads itself or a later question.",
    // Rules
    BadFloorException "bad-floor-exception" "A `[[floor_exception]]` has no statement or no because.",
    NoRules "no-rules" "The rule set has no rules.",
    TooManyRules "too-many-rules" "The rule set has more rules than the engine holds.",
    DuplicateRule "duplicate-rule" "Two rules have the same id.",
    MissingPolicy "missing-policy" "The rule set has no `[policy]` table.",
    BadMeta "bad-meta" "A `[meta]` value is empty, too long, or not a date where one is expected.",
    BadTieBreak "bad-tie-break" "`tie_break` does not list every style exactly once.",
    BadSessionLength "bad-session-length" "A session length is not one the contract allows.",
    BadWeight "bad-weight" "A style weight is out of range.",
    NoEffect "no-effect" "A rule does nothing when it fires.",
    EmptyBecause "empty-because" "A rule's `because` is empty.",
    NoSource "no-source" "A rule's `source` is empty.",
    EmptyTell "empty-tell" "A referring rule's `tell` is empty.",
    TellWithoutRefer "tell-without-refer" "A rule has `tell` but does not refer.",
    UnknownValue "unknown-value" "A value names no style, pressure, urgency or outcome.",
    // Conditions
    AmbiguousCondition "ambiguous-condition" "A condition mixes a test with all / any / not / always.",
    BadCondition "bad-condition" "A condition cannot be read as written.",
    EmptyCondition "empty-condition" "An `all` or `any` has no parts.",
    EmptyRange "empty-range" "A number range is empty.",
    WrongTest "wrong-test" "A test does not fit its question's kind.",
    // Worked cases
    UnknownRule "unknown-rule" "A case names no rule of the rule set.",
    UnknownWarning "unknown-warning" "A case names no warning of the questionnaire.",
    // Checking a rule set
    UnsafeRuleSet "unsafe-rule-set" "The rule set is not proven safe, so it answers no one.",
    MinUrgency "min-urgency" "An answer with `min_urgency` can end in less than that referral.",
    Escalation "escalation" "Adding a red flag lowers the urgency or raises the pressure.",
    ForbiddenStyle "forbidden-style" "A style an answer forbids can be recommended with it.",
    MaxPressure "max-pressure" "A massage can be given at more pressure than a statement allows.",
    VacuousInvariant "vacuous-invariant" "An invariant's condition is met by no answer set.",
    NotProven "not-proven" "The answer space could not be covered completely.",
    Gap "gap" "Answers that no rule decides.",
    CatchAllOnly "catch-all-only" "Answers that only an always-true catch-all rule decides.",
    DeadRule "dead-rule" "A rule that can never fire.",
    ShadowedRule "shadowed-rule" "A rule that never changes any outcome.",
    UnusedQuestion "unused-question" "A question no rule reads.",
    UnusedOption "unused-option" "An option no rule reads.",
    FloorWeakened "floor-weakened" "A built-in safety statement is removed or weakened without a declared exception.",
    UnusedFloorException "unused-floor-exception" "A declared exception to the safety floor names no statement that is weakened.",
    OtherQuestions "other-questions" "Two rule sets to compare ask different questions, so they have no one answer space.",
    // The command line
    BadUsage "bad-usage" "The command line asks for something the tool does not do (exit 2).",
    Failure "failure" "Something unexpected failed: a file could not be written, an internal error (exit 1).",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// Compares by name, for scripts and tests that hold the name.
impl PartialEq<&str> for Code {
    fn eq(&self, name: &&str) -> bool {
        self.name() == *name
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn codes_are_unique_lower_case_and_described() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        for code in Code::ALL {
            let name = code.name();
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{name}");
            assert!(code.description().ends_with('.'), "{name}: {}", code.description());
        }
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "a code name is used twice");
    }

    #[test]
    fn the_readme_lists_every_code_with_its_meaning_in_order() {
        let readme = include_str!("../README.md");
        let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `")).collect();
        let mut at = 0;
        for code in Code::ALL {
            let row = format!("| `{}` |", code.name());
            let found = rows[at..]
                .iter()
                .position(|r| r.starts_with(&row) && r.ends_with(&format!(" {} |", code.description())));
            let found = found.unwrap_or_else(|| {
                panic!("README: no row for {} after row {at}, as src/code.rs describes it", code.name())
            });
            at += found + 1;
        }
    }
}
