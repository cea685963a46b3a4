//! The words a rule set holds (ids, questions, labels, reasons, sentences, file names).
//!
//! Loaded from files, each is a string of its own. Read back from a compiled form (the
//! built-in set's, or one the verdict cache kept), each is a slice of that form's bytes,
//! checked as UTF-8 but not copied: allocating and copying about six hundred strings was
//! more than half the time of reading the built-in set, and a tenth of a cold `assess`.

use std::borrow::{Borrow, Cow};
use std::fmt;

/// One of a rule set's words: owned, or borrowed from a compiled form that lives as long
/// as the program.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Cow<'static, str>);

impl Text {
    /// The words.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(Cow::Owned(text))
    }
}

impl From<&'static str> for Text {
    fn from(text: &'static str) -> Text {
        Text(Cow::Borrowed(text))
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

/// Shown as the string it is, quoted, as a `String` was.
impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

/// Written as a string: the compiled form's bytes are the same as for a `String`.
impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Read only from bytes that live as long as the program (the compiled forms), and
/// borrowed from them: every type holding a `Text` reads with `'de: 'static`.
impl serde::Deserialize<'static> for Text {
    fn deserialize<D: serde::Deserializer<'static>>(deserializer: D) -> Result<Text, D::Error> {
        <&'static str>::deserialize(deserializer).map(Text::from)
    }
}

/// Described as a string, inline, as a `String` is.
impl schemars::JsonSchema for Text {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        String::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_text_read_from_a_compiled_form_borrows_it_and_writes_as_a_string_does() {
        static BYTES: &[u8] = b"\x05words";
        let text: Text = postcard::from_bytes(BYTES).unwrap();
        assert!(matches!(text.0, Cow::Borrowed(words) if words.as_ptr() == BYTES[1..].as_ptr()));
        assert_eq!(postcard::to_allocvec(&text).unwrap(), postcard::to_allocvec(&String::from("words")).unwrap());
        assert_eq!(format!("{text:?} {text}"), "\"words\" words");
        // Not UTF-8: refused, not read.
        static BAD: &[u8] = b"\x02\xff\xfe";
        assert!(postcard::from_bytes::<Text>(BAD).is_err());
    }
}
