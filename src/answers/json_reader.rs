//! A JSON object of answers (an answer file or a batch record) read key by key, with the
//! real place of every key, value and list item, and with a repeated key refused.
//!
//! serde_json checks the syntax and reads every value, as before; what it lacks is places
//! and repeats (`serde_json::Value` keeps the last of two equal keys, which once turned a
//! cauda equina sign into "no red flags"). Its `RawValue` keeps each value's text as a
//! slice of the input, so a value's place is the slice's offset; a key's place follows
//! from the structure (the first quote after the previous value), never from searching
//! for its name.

use crate::answers::{ListItem, RawValue, ValueKind};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue as JsonText;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

/// What the reader found, in the order of the text.
#[derive(Debug)]
pub enum Event<'a> {
    /// A key and its value, each with its byte range in the text.
    Entry {
        /// The key, unescaped.
        key: Cow<'a, str>,
        /// The key, quotes included.
        key_span: Range<usize>,
        /// The value as the answer sheet reads it (list items carry their own ranges).
        value: RawValue<'a>,
        /// The value's text.
        value_span: Range<usize>,
    },
    /// A key given a second (or later) time: its value is not read.
    Repeated {
        /// The key, unescaped.
        key: Cow<'a, str>,
        /// Where it was first given.
        first: Range<usize>,
        /// Where it is given again.
        again: Range<usize>,
    },
}

/// Why the text is not an object to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON: serde_json's message without its position, and the 1-based line and
    /// column it gives (0 when it gives none).
    Syntax {
        /// What is wrong.
        message: String,
        /// 1-based line, 0 when unknown.
        line: usize,
        /// 1-based column, 0 when unknown.
        column: usize,
    },
    /// JSON, but not an object: what it is ("a list").
    NotAnObject(ValueKind),
}

/// Reads the object in `text`, handing each key (or repeat) to `each` in order.
pub fn read_object<'a>(text: &'a str, mut each: impl FnMut(Event<'a>)) -> Result<(), JsonError> {
    let whole: &'a JsonText = serde_json::from_str(text).map_err(|e| syntax(&e))?;
    let body = whole.get();
    if !body.starts_with('{') {
        return Err(JsonError::NotAnObject(kind_of(body)));
    }
    let base = offset_in(text, body);
    // The body is valid JSON: reading it again as entries cannot fail.
    let entries = serde_json::from_str::<Entries<'a>>(body).map_err(|e| syntax(&e))?.0;
    let mut seen: HashMap<Cow<'a, str>, Range<usize>> = HashMap::with_capacity(entries.len());
    // Where the text after the previous value starts: a key's quote is the first one after it.
    let mut after = base + 1;
    for (key, value) in entries {
        let value_span = span_of(text, value.get());
        let key_start = after + text[after..].find('"').unwrap_or(0);
        let key_span = key_start..string_end(text, key_start);
        after = value_span.end;
        if let Some(first) = seen.get(&key) {
            each(Event::Repeated { key, first: first.clone(), again: key_span });
            continue;
        }
        seen.insert(key.clone(), key_span.clone());
        each(Event::Entry { key, key_span, value: raw_value(text, value), value_span });
    }
    Ok(())
}

/// The first string `id` of the object in `text`, read as far as the text is valid: a
/// record refused for its syntax is still echoed with its reference when it had one.
pub fn id_before_error(text: &str) -> Option<String> {
    let mut id = None;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let _ = deserializer.deserialize_map(IdVisitor { id: &mut id });
    id
}

struct IdVisitor<'s> {
    id: &'s mut Option<String>,
}

impl<'de> Visitor<'de> for IdVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of answers")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match map.next_value::<Scalar<'de>>()?.0 {
                RawValue::Text(text) if key == "id" && self.id.is_none() => *self.id = Some(text.into_owned()),
                _ => {}
            }
        }
        Ok(())
    }
}

fn syntax(error: &serde_json::Error) -> JsonError {
    let text = error.to_string();
    let message = text.find(" at line ").map_or(text.as_str(), |i| &text[..i]).to_owned();
    JsonError::Syntax { message, line: error.line(), column: error.column() }
}

/// What a JSON value is, by its first character.
fn kind_of(text: &str) -> ValueKind {
    match text.as_bytes().first() {
        Some(b'{') => ValueKind::Object,
        Some(b'[') => ValueKind::List,
        Some(b'"') => ValueKind::Text,
        Some(b't' | b'f') => ValueKind::Bool,
        Some(b'n') => ValueKind::Null,
        _ => ValueKind::Integer,
    }
}

/// The offset of `part`, a slice of `text`, in `text`.
fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize).min(text.len())
}

fn span_of(text: &str, part: &str) -> Range<usize> {
    let start = offset_in(text, part);
    start..(start + part.len()).min(text.len())
}

/// The end (past the closing quote) of the JSON string whose opening quote is at `start`.
fn string_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    text.len()
}

/// The answer sheet's view of one value; list items keep their places.
fn raw_value<'a>(text: &'a str, value: &'a JsonText) -> RawValue<'a> {
    let body = value.get();
    if body.starts_with('[') {
        let items: Vec<&'a JsonText> = serde_json::from_str(body).unwrap_or_default();
        let items = items
            .into_iter()
            .map(|item| -> ListItem<'a> {
                let span = Some(span_of(text, item.get()));
                match scalar(item) {
                    RawValue::Text(text) => (Ok(text), span),
                    other => (Err(other.kind()), span),
                }
            })
            .collect();
        return RawValue::List(items);
    }
    scalar(value)
}

/// A value other than a list's items, as serde_json reads it.
fn scalar(value: &JsonText) -> RawValue<'_> {
    serde_json::from_str::<Scalar<'_>>(value.get()).map_or(RawValue::Other(ValueKind::Unreadable), |s| s.0)
}

/// An object's entries in order, repeats included, each value kept as text.
struct Entries<'a>(Vec<(Cow<'a, str>, &'a JsonText)>);

impl<'de> de::Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EntriesVisitor)
    }
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Entries<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of answers")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            entries.push((key, map.next_value::<&'de JsonText>()?));
        }
        Ok(Entries(entries))
    }
}

/// A key, borrowed from the text unless it had escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(text)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(text.to_owned())))
    }
}

/// One value as the answer sheet sees it (a list's items are read by [`raw_value`]).
struct Scalar<'a>(RawValue<'a>);

impl<'de> de::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an answer")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar(RawValue::Text(Cow::Borrowed(text))))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Scalar(RawValue::Text(Cow::Owned(text.to_owned()))))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(Scalar(RawValue::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(Scalar(RawValue::Integer(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Scalar(i64::try_from(value).map_or(RawValue::Other(ValueKind::TooLargeInteger), RawValue::Integer)))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Scalar(RawValue::Other(ValueKind::Decimal)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar(RawValue::Other(ValueKind::Null)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar(RawValue::Other(ValueKind::Object)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // A list inside a list's item: only its type matters.
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar(RawValue::List(Vec::new())))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn events(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        read_object(text, |event| {
            out.push(match event {
                Event::Entry { key, key_span, value_span, .. } => {
                    format!("{key} {} {}", &text[key_span], &text[value_span])
                }
                Event::Repeated { key, first, again } => format!("{key} again {first:?} {again:?}"),
            })
        })
        .unwrap();
        out
    }

    #[test]
    fn keys_and_values_are_found_where_they_are() {
        let text = " {\"a\" : 1, \"b\\u0061\":[\"x\", 2] ,\"c\":{\"a\":1},\n\"d\":\"a\"}";
        assert_eq!(events(text), ["a \"a\" 1", "ba \"b\\u0061\" [\"x\", 2]", "c \"c\" {\"a\":1}", "d \"d\" \"a\""]);
    }

    #[test]
    fn a_repeated_key_is_reported_with_both_places_and_not_read() {
        let text = r#"{"red_flags": ["bladder_bowel"], "id": "b-1", "red_flags": []}"#;
        assert_eq!(events(text)[2], "red_flags again 1..12 46..57");
        // Equal once unescaped: the same key.
        assert_eq!(events(r#"{"ab": 1, "a\u0062": 2}"#)[1], "ab again 1..5 10..19");
    }

    #[test]
    fn list_items_have_places() {
        let text = r#"{"k": [ "x" , 5, null, 1.5, "y\"" ]}"#;
        read_object(text, |event| {
            let Event::Entry { value: RawValue::List(items), .. } = event else { panic!("{event:?}") };
            let shown: Vec<String> =
                items.iter().map(|(item, span)| format!("{item:?} {}", &text[span.clone().unwrap()])).collect();
            assert_eq!(
                shown,
                ["Ok(\"x\") \"x\"", "Err(Integer) 5", "Err(Null) null", "Err(Decimal) 1.5", "Ok(\"y\\\"\") \"y\\\"\""]
            );
        })
        .unwrap();
    }

    #[test]
    fn what_is_not_an_object_says_what_it_is() {
        assert_eq!(read_object("[1]", |_| {}), Err(JsonError::NotAnObject(ValueKind::List)));
        assert_eq!(read_object(" 5 ", |_| {}), Err(JsonError::NotAnObject(ValueKind::Integer)));
        let Err(JsonError::Syntax { line: 1, column: 6, .. }) = read_object("{\"a\":}", |_| {}) else { panic!() };
    }
}
