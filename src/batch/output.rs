//! Records out: one JSON Lines object or CSV row per record.
//!
//! Everything after a record's `id`/`line` depends only on which rules fired, and a rule
//! set has few distinct outcomes, so each outcome is rendered once (through the same
//! [`json_report`] as `assess --format json`) and then copied: writing a record is a
//! lookup and a copy, whatever the number of records.

use super::input::RecordError;
use super::RecordFormat;
use crate::answers::Answers;
use crate::engine::{Evaluation, FiredRules};
use crate::report::{json_report, JsonReport};
use crate::rules::RuleSet;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The CSV output's columns, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "line",
    "recommendation",
    "urgency",
    "pressure",
    "session_minutes",
    "alternatives",
    "precautions",
    "reasons",
    "advice",
    "tell",
    "error",
];

/// How list items are joined in a CSV cell: ids (alternatives, reasons) by `;`, sentences
/// (precautions, advice) by ` | `, since sentences may hold a `;`.
pub const CSV_ID_SEPARATOR: &str = ";";
/// See [`CSV_ID_SEPARATOR`].
pub const CSV_SENTENCE_SEPARATOR: &str = " | ";

/// The most outcomes kept rendered; beyond it (a rule set with a huge number of distinct
/// outcomes) records are rendered one by one, so memory stays bounded.
const MAX_CACHED_OUTCOMES: usize = 4096;

/// Writes records in one format, remembering each outcome's rendering.
pub struct Renderer<'r> {
    rule_set: &'r RuleSet,
    format: RecordFormat,
    outcomes: HashMap<FiredRules, Box<[u8]>, BuildHasherDefault<WordHasher>>,
}

impl<'r> Renderer<'r> {
    /// A renderer for this rule set and format.
    pub fn new(rule_set: &'r RuleSet, format: RecordFormat) -> Self {
        Self { rule_set, format, outcomes: HashMap::default() }
    }

    /// What comes before the first record: the CSV header row, nothing for JSON Lines.
    pub fn header(format: RecordFormat) -> String {
        match format {
            RecordFormat::Jsonl => String::new(),
            RecordFormat::Csv => CSV_COLUMNS.join(",") + "\n",
        }
    }

    /// Appends an answered record.
    #[inline]
    pub fn answered(&mut self, out: &mut Vec<u8>, line: u64, answers: &Answers, evaluation: &Evaluation) {
        match self.format {
            RecordFormat::Jsonl => {
                out.push(b'{');
                match &answers.id {
                    Some(id) => {
                        out.extend_from_slice(b"\"id\":");
                        json_string(out, id);
                    }
                    None => {
                        out.extend_from_slice(b"\"line\":");
                        decimal(out, line);
                    }
                }
                out.push(b',');
            }
            RecordFormat::Csv => {
                csv_cell(out, answers.id.as_deref().unwrap_or(""));
                out.push(b',');
                decimal(out, line);
                out.push(b',');
            }
        }
        match self.outcomes.get(&evaluation.fired) {
            Some(rest) => out.extend_from_slice(rest),
            None => {
                let start = out.len();
                self.render_outcome(out, answers, evaluation);
                if self.outcomes.len() < MAX_CACHED_OUTCOMES {
                    self.outcomes.insert(evaluation.fired, out[start..].into());
                }
            }
        }
    }

    /// Appends a refused record: its `id` when known, its line and the error.
    pub fn refused(&mut self, out: &mut Vec<u8>, line: u64, error: &RecordError) {
        match self.format {
            RecordFormat::Jsonl => {
                out.push(b'{');
                if let Some(id) = &error.id {
                    out.extend_from_slice(b"\"id\":");
                    json_string(out, id);
                    out.push(b',');
                }
                out.extend_from_slice(b"\"line\":");
                decimal(out, line);
                out.extend_from_slice(b",\"error\":");
                json_string(out, &error.message);
                out.extend_from_slice(b"}\n");
            }
            RecordFormat::Csv => {
                csv_cell(out, error.id.as_deref().unwrap_or(""));
                out.push(b',');
                decimal(out, line);
                // Every outcome column empty, then the error.
                out.extend_from_slice(&[b','; CSV_COLUMNS.len() - 2]);
                csv_cell(out, &error.message);
                out.push(b'\n');
            }
        }
    }

    /// Everything after the record's `id`/`line`, through the end of the record.
    fn render_outcome(&self, out: &mut Vec<u8>, answers: &Answers, evaluation: &Evaluation) {
        let mut report = json_report(self.rule_set, answers, evaluation, None);
        report.id = None;
        match self.format {
            RecordFormat::Jsonl => {
                let text = serde_json::to_string(&report).unwrap_or_default();
                // Without the opening brace: the record's own `{"id":..,` comes first.
                out.extend_from_slice(text.strip_prefix('{').unwrap_or(&text).as_bytes());
                out.push(b'\n');
            }
            RecordFormat::Csv => csv_outcome(out, &report),
        }
    }
}

fn csv_outcome(out: &mut Vec<u8>, report: &JsonReport<'_>) {
    let alternatives: Vec<&str> = report.alternatives.iter().map(|s| s.id()).collect();
    let reasons: Vec<&str> = report.reasons.iter().map(|r| r.rule).collect();
    let minutes = report.session_minutes.map(|m| m.to_string()).unwrap_or_default();
    let cells = [
        report.recommendation.id(),
        report.urgency.map_or("", |u| u.id()),
        report.pressure.map_or("", |p| p.id()),
        &minutes,
        &alternatives.join(CSV_ID_SEPARATOR),
        &report.precautions.join(CSV_SENTENCE_SEPARATOR),
        &reasons.join(CSV_ID_SEPARATOR),
        &report.advice.join(CSV_SENTENCE_SEPARATOR),
        report.tell.unwrap_or(""),
    ];
    for cell in cells {
        csv_cell(out, cell);
        out.push(b',');
    }
    // The error column, empty.
    out.push(b'\n');
}

/// A CSV cell, quoted when it holds a comma, a quote or a line break.
fn csv_cell(out: &mut Vec<u8>, text: &str) {
    if !text.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    out.push(b'"');
    for part in text.split_inclusive('"') {
        out.extend_from_slice(part.as_bytes());
        if part.ends_with('"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// A JSON string with its quotes and escapes.
fn json_string(out: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, text);
    }
}

/// A number in decimal, without going through `fmt`.
fn decimal(out: &mut Vec<u8>, mut number: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

/// A fast hash for the fired-rule bit sets (fixed-size words, not attacker-chosen keys
/// that could flood the table: the keys come from the rule set's outcomes).
#[derive(Default)]
pub struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_only_when_needed() {
        let mut out = Vec::new();
        csv_cell(&mut out, "plain");
        out.push(b' ');
        csv_cell(&mut out, "a, \"b\"");
        assert_eq!(String::from_utf8_lossy(&out), "plain \"a, \"\"b\"\"\"");
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut out = Vec::new();
        json_string(&mut out, "plain");
        json_string(&mut out, "a\"b\n");
        assert_eq!(String::from_utf8_lossy(&out), "\"plain\"\"a\\\"b\\n\"");
    }

    #[test]
    fn decimals() {
        for number in [0, 7, 10, 1234567890, u64::MAX] {
            let mut out = Vec::new();
            decimal(&mut out, number);
            assert_eq!(String::from_utf8_lossy(&out), number.to_string());
        }
    }
}
