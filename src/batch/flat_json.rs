//! A quick reader for the usual shape of a JSON Lines answer record: one flat object of
//! plain strings, whole numbers, booleans, null and lists of plain strings.
//!
//! It only tokenizes: every key and value goes to the same [`AnswerSheet`] as answer files,
//! so what is accepted and every message are the same. Anything it is not sure of (an
//! escape, a decimal, a nested value, a repeated key, a syntax error) makes it give up, and the record is
//! read again by serde_json from the start (a unit test and a property test check that
//! both readers give the same result, answers or error, for edited records). Measured on a
//! million generated records: batch took 3.5 CPU-seconds with serde_json alone, about 2
//! with this reader in front, the same as CSV.

use crate::answers::{AnswerSheet, RawValue, ValueKind};
use std::borrow::Cow;

/// Feeds the object in `text` into `sheet` (and its `id` into `id`); `None` when the text
/// is not of the simple shape, in which case `sheet` holds part of the record and must be
/// reset ([`AnswerSheet::reset`]) before it is used again.
pub(super) fn read_flat_object<'a>(
    text: &'a str,
    sheet: &mut AnswerSheet<'_>,
    id: &mut Option<Cow<'a, str>>,
) -> Option<()> {
    let mut cursor = Cursor { text, at: 0 };
    let mut seen = SeenKeys::default();
    cursor.expect(b'{')?;
    if cursor.peek()? == b'}' {
        cursor.at += 1;
    } else {
        loop {
            cursor.peek()?;
            let key = cursor.string()?;
            seen.first_time(key)?;
            cursor.expect(b':')?;
            let value = cursor.value()?;
            if let ("id", RawValue::Text(text)) = (key, &value) {
                *id = Some(text.clone());
            }
            sheet.set(key, None, value, None);
            match cursor.peek()? {
                b',' => cursor.at += 1,
                b'}' => {
                    cursor.at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    cursor.skip_whitespace();
    (cursor.at == text.len()).then_some(())
}

/// The keys of a record read so far, as one bit each (by length and end bytes). A repeated
/// key sets a bit already set, and so does, rarely, a new key: either way the quick reader
/// gives up, and the full reader refuses the repeat, naming both places, in the same words
/// as for a file (or reads the record, when it was no repeat). No key is stored or
/// compared: the usual record's keys all differ in length or ends.
#[derive(Default)]
struct SeenKeys {
    bits: u64,
}

impl SeenKeys {
    /// `Some` when `key`'s bit was clear (and is now set).
    #[inline]
    fn first_time(&mut self, key: &str) -> Option<()> {
        let bytes = key.as_bytes();
        let (first, last) = (bytes.first().copied().unwrap_or(0), bytes.last().copied().unwrap_or(0));
        let bit = 1u64 << ((bytes.len() ^ usize::from(first) ^ (usize::from(last) << 2)) & 63);
        if self.bits & bit != 0 {
            return None;
        }
        self.bits |= bit;
        Some(())
    }
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes().get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte that is not whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes().get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// A string without escapes or control characters, borrowed from the line.
    fn string(&mut self) -> Option<&'a str> {
        let bytes = self.bytes();
        if bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        let start = self.at + 1;
        let length = string_end(bytes.get(start..)?)?;
        let end = start + length;
        if bytes[end] != b'"' {
            return None;
        }
        self.at = end + 1;
        // Both ends are ASCII quotes, so the slice falls on character boundaries.
        self.text.get(start..end)
    }

    /// A whole number that fits an `i64`, written as JSON allows (no leading zeros).
    fn integer(&mut self) -> Option<i64> {
        let bytes = self.bytes();
        let negative = bytes.get(self.at) == Some(&b'-');
        if negative {
            self.at += 1;
        }
        let start = self.at;
        let mut value: i64 = 0;
        while let Some(digit @ b'0'..=b'9') = bytes.get(self.at) {
            value = value.checked_mul(10)?.checked_add(i64::from(digit - b'0'))?;
            self.at += 1;
        }
        let digits = self.at - start;
        // serde_json reads `-0` as a decimal number: leave it to serde_json.
        if digits == 0 || (digits > 1 && bytes[start] == b'0') || (negative && value == 0) {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = bytes.get(self.at) {
            return None;
        }
        Some(if negative { -value } else { value })
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let found = self.bytes().get(self.at..self.at + word.len())? == word;
        found.then(|| self.at += word.len())
    }

    fn value(&mut self) -> Option<RawValue<'a>> {
        Some(match self.peek()? {
            b'"' => RawValue::Text(Cow::Borrowed(self.string()?)),
            b'-' | b'0'..=b'9' => RawValue::Integer(self.integer()?),
            b't' => self.literal(b"true").map(|()| RawValue::Bool(true))?,
            b'f' => self.literal(b"false").map(|()| RawValue::Bool(false))?,
            b'n' => self.literal(b"null").map(|()| RawValue::Other(ValueKind::Null))?,
            b'[' => {
                self.at += 1;
                // Empty lists are common (no red flags): `new` does not allocate for them.
                let mut items = Vec::new();
                if self.peek()? == b']' {
                    self.at += 1;
                } else {
                    loop {
                        self.peek()?;
                        items.push((Ok(Cow::Borrowed(self.string()?)), None));
                        match self.peek()? {
                            b',' => self.at += 1,
                            b']' => {
                                self.at += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                RawValue::List(items)
            }
            _ => return None,
        })
    }
}

/// The first quote, backslash or control character in `bytes`, eight bytes at a time (the
/// strings are most of a record's bytes, and byte by byte was most of this reader's time).
fn string_end(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let words = bytes.chunks_exact(8);
    let tail = words.remainder();
    for (index, word) in words.enumerate() {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let x = u64::from_le_bytes(eight);
        // The classic tests for a zero byte (after xor, a given byte) and for a byte below
        // 0x20: the lowest flagged byte is always a real one, so the first is exact.
        let zero = |y: u64| y.wrapping_sub(ONES) & !y & HIGHS;
        let found = zero(x ^ (ONES * u64::from(b'"')))
            | zero(x ^ (ONES * u64::from(b'\\')))
            | (x.wrapping_sub(ONES * 0x20) & !x & HIGHS);
        if found != 0 {
            return Some(index * 8 + (found.trailing_zeros() / 8) as usize);
        }
    }
    let special = |b: &u8| matches!(b, b'"' | b'\\') || *b < 0x20;
    tail.iter().position(special).map(|p| bytes.len() - tail.len() + p)
}

#[cfg(test)]
mod tests {
    use super::{string_end, SeenKeys};
    use proptest::prelude::*;

    /// A record of the built-in questionnaire is read by the quick reader: no two of its
    /// keys share a bit (a shared bit would send every record to serde_json, twice as slow).
    #[test]
    fn built_in_keys_have_a_bit_each() {
        let rule_set = crate::rules::RuleSet::built_in().expect("built-in rules");
        let mut seen = SeenKeys::default();
        for key in ["id", "version"].into_iter().chain(rule_set.questionnaire.ids()) {
            assert!(seen.first_time(key).is_some(), "{key} shares a bit with an earlier key");
        }
    }

    proptest! {
        /// Eight at a time finds the byte that one at a time finds, wherever it is.
        #[test]
        fn string_ends_are_found_as_byte_by_byte(
            mut bytes in prop::collection::vec(prop::sample::select(b"a_ \x20\x7f\x80\xa2\xdc\xff".to_vec()), 0..40),
            specials in prop::collection::vec((prop::sample::select(b"\"\\\x00\x1f\n".to_vec()), 0..40usize), 0..3),
        ) {
            for (special, at) in specials {
                bytes.insert(at.min(bytes.len()), special);
            }
            let expected = bytes.iter().position(|b| matches!(b, b'"' | b'\\') || *b < 0x20);
            prop_assert_eq!(string_end(&bytes), expected);
        }
    }
}
