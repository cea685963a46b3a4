//! A value as an adapter read it, before the sheet checks it against its question.

use std::borrow::Cow;
use std::ops::Range;

/// One item of a list: the text (or its kind when it is not a string) and its span when
/// known.
pub type ListItem<'a> = (Result<Cow<'a, str>, ValueKind>, Option<Range<usize>>);

/// What a value read from a file or record is, in the words of messages ("a list"). Every
/// reader (TOML, JSON files, JSON Lines, CSV, worked cases) names kinds through this one
/// type, so that a wrong type is reported in the same words whatever the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Text.
    Text,
    /// A whole number.
    Integer,
    /// A whole number beyond 64 bits.
    TooLargeInteger,
    /// A number with a fraction or an exponent.
    Decimal,
    /// true or false.
    Bool,
    /// A TOML date or time.
    Date,
    /// A list.
    List,
    /// A TOML table.
    Table,
    /// A JSON object.
    Object,
    /// JSON null.
    Null,
    /// A value that could not be read as any of these.
    Unreadable,
}

impl std::fmt::Display for ValueKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl ValueKind {
    /// The kind in a message: "expected …, not a list".
    pub fn name(self) -> &'static str {
        match self {
            ValueKind::Text => "a string",
            ValueKind::Integer => "a number",
            ValueKind::TooLargeInteger => "a number too large",
            ValueKind::Decimal => "a decimal number",
            ValueKind::Bool => "true/false",
            ValueKind::Date => "a date",
            ValueKind::List => "a list",
            ValueKind::Table => "a table",
            ValueKind::Object => "an object",
            ValueKind::Null => "null",
            ValueKind::Unreadable => "a value",
        }
    }
}

/// A value as read from a file or record, before it is checked against its question.
#[derive(Debug, Clone)]
pub enum RawValue<'a> {
    /// A string.
    Text(Cow<'a, str>),
    /// An integer.
    Integer(i64),
    /// A boolean.
    Bool(bool),
    /// A list; each item with its span (if known), or its kind if not a string.
    List(Vec<ListItem<'a>>),
    /// Anything else (float, table, date, null): its kind.
    Other(ValueKind),
}

impl RawValue<'_> {
    /// What the value is.
    pub fn kind(&self) -> ValueKind {
        match self {
            RawValue::Text(_) => ValueKind::Text,
            RawValue::Integer(_) => ValueKind::Integer,
            RawValue::Bool(_) => ValueKind::Bool,
            RawValue::List(_) => ValueKind::List,
            RawValue::Other(kind) => *kind,
        }
    }
}
