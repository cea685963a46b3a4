//! Records out: one JSON Lines object or CSV row per record.
//!
//! What follows a record's `id`/`line` is the same object as `assess --format json`
//! ([`Outcome`]) prints, made of the fired rules' reasons, precautions and advice. Each
//! rule's parts are rendered once per run, escaped and ready; writing a record is then a
//! few copies, with no allocation and no serializer (measured: rendering through serde
//! per record took a sixth of the time; a cache of whole outcomes did not fit, as the
//! default rules give thousands of distinct outcomes).
//!
//! [`Outcome`]: crate::report::Outcome

use super::input::RecordError;
use super::RecordFormat;
use crate::answers::Answers;
use crate::engine::{Evaluation, FiredRules, UNDECIDED_REASON};
use crate::recommendation::Urgency;
use crate::rules::{Rule, RuleSet};
use crate::text::{csv_safe, json_terminal_safe};
use crate::wording::Text;
use std::collections::HashMap;

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
    "warnings",
    "rule_set",
    "rule_set_version",
    "rule_set_sha256",
    "questionnaire_version",
    "tool_version",
    "overrides",
];

/// The columns from `recommendation` to `tell`: empty in a refused record.
const CSV_OUTCOME_COLUMNS: usize = 9;

/// How list items are joined in a CSV cell: ids (alternatives, reasons) by `;`, sentences
/// (precautions, advice) by ` | `, since sentences may hold a `;`.
pub const CSV_ID_SEPARATOR: &str = ";";
/// See [`CSV_ID_SEPARATOR`].
pub const CSV_SENTENCE_SEPARATOR: &str = " | ";

/// A sentence of the rule set made safe ahead for both formats.
struct Sentence {
    /// As a JSON string, with its quotes.
    json: Box<[u8]>,
    /// As the inside of a quoted CSV cell, quoted by csv-core (its quotes doubled) and
    /// unable to start a spreadsheet formula or hold a control character ([`csv_safe`]):
    /// a cell of several is `"` + them joined by ` | ` + `"`.
    csv: Box<[u8]>,
    /// As a whole CSV cell of its own, quoted only when it must be (what to tell).
    cell: Box<[u8]>,
}

impl Sentence {
    fn new(text: &str) -> Self {
        let (csv, safe) = (CsvCells::new(), csv_safe(text));
        let mut cell = Vec::new();
        csv.safe_cell(&mut cell, &safe);
        Sentence { json: json_bytes(&text), csv: csv.quoted_inside(&safe).into(), cell: cell.into() }
    }
}

/// One rule's parts of a result, rendered ahead.
struct RuleText {
    /// The rule's id.
    id: Box<str>,
    /// Whether the rule refers (only referring rules are reasons for a referral).
    refers: bool,
    /// `{"rule":..,"because":..,"source":[..]}`.
    reason_json: Box<[u8]>,
    /// The precaution for the therapist.
    precaution: Option<Sentence>,
    /// The advice for the client.
    advice: Option<Sentence>,
    /// The urgency it refers with, and its own sentence to tell the person, if any.
    refer: Option<Urgency>,
    tell: Option<Sentence>,
}

/// The most outcomes a cache keeps: with the default rules a thousand cover about nine
/// records in ten (of some twelve thousand distinct outcomes in a million random records);
/// the rest are rendered from the fragments. About a megabyte per thread.
const MAX_CACHED_OUTCOMES: usize = 1024;

/// Whole outcomes rendered once and then copied, keyed by the rules that fired (which
/// decide the outcome). One per thread: a lookup and one copy instead of a dozen. Hashed
/// with foldhash, as the checker's tables are: the keys are the rule set's own bits, not
/// keys an outsider chooses to flood the table with.
#[derive(Default)]
pub struct OutcomeCache {
    outcomes: HashMap<FiredRules, Box<[u8]>, foldhash::fast::FixedState>,
}

/// Writes records in one format. Built once per run; shared by every thread.
pub struct Renderer {
    format: RecordFormat,
    rules: Vec<RuleText>,
    undecided_reason_json: Box<[u8]>,
    /// What to tell the person for each urgency.
    tell: Vec<Sentence>,
    /// Each unlikely combination as a JSON object.
    warnings_json: Vec<Box<[u8]>>,
    /// `"schema_version":…,"rule_set":{…},…`: which rules made every line, rendered once.
    identity_json: Box<[u8]>,
    /// Each unlikely combination's id, for the CSV cell.
    warning_ids: Vec<Box<str>>,
    /// `,name,version,sha256,questionnaire version,tool version,overrides`: the identity's
    /// CSV cells, rendered once.
    identity_csv: Box<[u8]>,
    csv: CsvCells,
}

impl Renderer {
    /// A renderer for this rule set and format.
    pub fn new(rule_set: &RuleSet, format: RecordFormat) -> Self {
        let both = |text: &Option<Text>| text.as_deref().map(Sentence::new);
        let rules = rule_set
            .rules
            .iter()
            .map(|rule: &Rule| RuleText {
                id: rule.id.as_str().into(),
                refers: rule.effect.refer.is_some(),
                reason_json: reason_json(&rule.id, &rule.because, &rule.source),
                precaution: both(&rule.effect.precaution),
                advice: both(&rule.effect.advice),
                refer: rule.effect.refer,
                tell: rule.effect.tell.as_deref().map(Sentence::new),
            })
            .collect();
        let tell = Urgency::ALL.iter().map(|u| Sentence::new(rule_set.policy.tell(*u))).collect();
        let warnings_json =
            rule_set.questionnaire.unlikely.iter().map(|u| json_bytes(&crate::report::Warning::of(u))).collect();
        Self {
            format,
            rules,
            undecided_reason_json: reason_json(UNDECIDED_REASON.0, UNDECIDED_REASON.1, &[]),
            tell,
            warnings_json,
            identity_json: identity_fields(rule_set),
            warning_ids: rule_set.questionnaire.unlikely.iter().map(|u| u.id.as_str().into()).collect(),
            identity_csv: identity_cells(rule_set),
            csv: CsvCells::new(),
        }
    }

    /// What comes before the first record: the CSV header row, nothing for JSON Lines.
    pub fn header(format: RecordFormat) -> Vec<u8> {
        let mut out = Vec::new();
        if format == RecordFormat::Csv {
            CsvCells::new().row(&mut out, CSV_COLUMNS.iter().copied());
            out.push(b'\n');
        }
        out
    }

    /// Appends an answered record.
    #[inline]
    pub fn answered(
        &self,
        out: &mut Vec<u8>,
        line: u64,
        answers: &Answers,
        evaluation: &Evaluation,
        warnings: &[usize],
        cache: &mut OutcomeCache,
    ) {
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
                // The warnings depend on the answers, not on the rules fired: outside the cache.
                out.extend_from_slice(b",\"warnings\":[");
                json_list(out, warnings.iter().map(|w| &self.warnings_json[*w][..]));
                out.extend_from_slice(b"],");
                out.extend_from_slice(&self.identity_json);
            }
            RecordFormat::Csv => {
                self.csv.cell(out, answers.id.as_deref().unwrap_or(""));
                out.push(b',');
                decimal(out, line);
            }
        }
        match cache.outcomes.get(&evaluation.fired) {
            Some(outcome) => out.extend_from_slice(outcome),
            None => {
                let start = out.len();
                match self.format {
                    RecordFormat::Jsonl => self.json_outcome(out, evaluation),
                    RecordFormat::Csv => self.csv_outcome(out, evaluation),
                }
                if cache.outcomes.len() < MAX_CACHED_OUTCOMES {
                    cache.outcomes.insert(evaluation.fired, out[start..].into());
                }
            }
        }
        if self.format == RecordFormat::Csv {
            // The error cell is empty; the warnings cell holds their ids.
            out.extend_from_slice(b",,");
            self.csv.ids(out, warnings.iter().map(|w| &*self.warning_ids[*w]));
            out.extend_from_slice(&self.identity_csv);
            out.push(b'\n');
        }
    }

    /// Appends a refused record: its `id` when known, its line and the error.
    pub fn refused(&self, out: &mut Vec<u8>, line: u64, error: &RecordError) {
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
                out.push(b',');
                out.extend_from_slice(&self.identity_json);
                out.extend_from_slice(b",\"error\":");
                json_string(out, &error.message);
                out.extend_from_slice(b",\"codes\":[");
                for (index, code) in error.codes.iter().enumerate() {
                    if index > 0 {
                        out.push(b',');
                    }
                    json_string(out, code.name());
                }
                out.extend_from_slice(b"]}\n");
            }
            RecordFormat::Csv => {
                self.csv.cell(out, error.id.as_deref().unwrap_or(""));
                out.push(b',');
                decimal(out, line);
                // Every outcome column empty, then the error, then no warnings.
                out.extend_from_slice(&[b','; CSV_OUTCOME_COLUMNS + 1]);
                self.csv.cell(out, &error.message);
                out.push(b',');
                out.extend_from_slice(&self.identity_csv);
                out.push(b'\n');
            }
        }
    }

    /// The rules that decided, as [`Evaluation::reasons`] chooses them, gathered once for
    /// the three fields that list them.
    #[inline]
    fn reasons(&self, evaluation: &Evaluation) -> Reasons {
        let mut reasons = Reasons { few: [0; MAX_FEW_REASONS], count: 0, many: Vec::new() };
        // Only the fired rules, in rule order (a few of the rule set).
        for index in evaluation.fired.iter() {
            if self.rules.get(index).is_some_and(|rule| evaluation.is_reason(rule.refers)) {
                reasons.push(index as u16);
            }
        }
        reasons
    }

    /// The rules of `reasons`.
    fn each<'a>(&'a self, reasons: &'a Reasons) -> impl Iterator<Item = &'a RuleText> + 'a {
        reasons.indices().iter().map(|i| &self.rules[usize::from(*i)])
    }

    /// `,"recommendation":..` through the closing brace and newline.
    fn json_outcome(&self, out: &mut Vec<u8>, evaluation: &Evaluation) {
        let reasons = self.reasons(evaluation);
        out.extend_from_slice(b",\"recommendation\":\"");
        out.extend_from_slice(evaluation.recommendation.id().as_bytes());
        out.extend_from_slice(b"\",\"urgency\":");
        json_id_or_null(out, evaluation.urgency.map(|u| u.id()));
        out.extend_from_slice(b",\"pressure\":");
        json_id_or_null(out, evaluation.pressure.map(|p| p.id()));
        out.extend_from_slice(b",\"session_minutes\":");
        match evaluation.session_minutes {
            Some(minutes) => decimal(out, u64::from(minutes)),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"alternatives\":[");
        for (index, style) in evaluation.alternatives.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(style.id().as_bytes());
            out.push(b'"');
        }
        out.extend_from_slice(b"],\"precautions\":[");
        json_list(out, self.each(&reasons).filter_map(|r| r.precaution.as_ref().map(|p| &p.json[..])));
        out.extend_from_slice(b"],\"reasons\":[");
        let undecided = evaluation.undecided.then_some(&self.undecided_reason_json[..]);
        json_list(out, self.each(&reasons).map(|r| &r.reason_json[..]).chain(undecided));
        out.extend_from_slice(b"],\"advice\":[");
        json_list(out, self.each(&reasons).filter_map(|r| r.advice.as_ref().map(|a| &a.json[..])));
        out.push(b']');
        if let Some(tell) = self.tell_of(evaluation) {
            out.extend_from_slice(b",\"tell\":");
            out.extend_from_slice(&tell.json);
        }
        out.extend_from_slice(b"}\n");
    }

    /// What to tell the person, as [`Evaluation::tell`] chooses it: the deciding rule's own
    /// sentence (the first fired rule at the outcome's urgency), else the urgency's.
    fn tell_of(&self, evaluation: &Evaluation) -> Option<&Sentence> {
        let urgency = evaluation.urgency?;
        let deciding = evaluation.fired.iter().filter_map(|i| self.rules.get(i)).find(|r| r.refer == Some(urgency));
        Some(deciding.and_then(|r| r.tell.as_ref()).unwrap_or(&self.tell[urgency.index()]))
    }

    /// `,recommendation,...,tell`: each cell after its comma. Its cells are ids and the
    /// rule set's sentences, made safe once per run.
    fn csv_outcome(&self, out: &mut Vec<u8>, evaluation: &Evaluation) {
        let reasons = self.reasons(evaluation);
        let csv = &self.csv;
        let ids = [
            Some(evaluation.recommendation.id()),
            evaluation.urgency.map(|u| u.id()),
            evaluation.pressure.map(|p| p.id()),
        ];
        for id in ids {
            out.push(b',');
            csv.ids(out, id.into_iter());
        }
        out.push(b',');
        if let Some(minutes) = evaluation.session_minutes {
            decimal(out, u64::from(minutes));
        }
        out.push(b',');
        csv.ids(out, evaluation.alternatives.iter().map(|s| s.id()));
        out.push(b',');
        csv.sentences(out, self.each(&reasons).filter_map(|r| r.precaution.as_ref()).map(|p| &p.csv[..]));
        out.push(b',');
        let undecided = evaluation.undecided.then_some(UNDECIDED_REASON.0);
        csv.ids(out, self.each(&reasons).map(|r| &*r.id).chain(undecided));
        out.push(b',');
        csv.sentences(out, self.each(&reasons).filter_map(|r| r.advice.as_ref()).map(|a| &a.csv[..]));
        out.push(b',');
        if let Some(tell) = self.tell_of(evaluation) {
            out.extend_from_slice(&tell.cell);
        }
    }
}

/// The identity's fields as `assess --format json` writes them, without the braces, to go
/// inside each line's object.
fn identity_fields(rule_set: &RuleSet) -> Box<[u8]> {
    let object = json_bytes(&rule_set.identity());
    object.get(1..object.len().saturating_sub(1)).unwrap_or_default().into()
}

/// The identity as CSV cells, each after a comma: the rule set's name, version and digest,
/// the questionnaire's and the tool's versions, and the overridden floor statements
/// (`;`-separated, their reasons in the JSON outputs).
fn identity_cells(rule_set: &RuleSet) -> Box<[u8]> {
    let identity = rule_set.identity();
    let csv = CsvCells::new();
    let mut out = Vec::new();
    let numbers = [identity.questionnaire_version.to_string()];
    let cells = [
        identity.rule_set.name.unwrap_or(""),
        identity.rule_set.version.unwrap_or(""),
        identity.rule_set.sha256.as_deref().unwrap_or(""),
        &numbers[0],
        identity.tool_version,
    ];
    let overrides: Vec<&str> = identity.overrides.iter().map(|o| o.statement.as_str()).collect();
    for cell in cells.into_iter().chain([overrides.join(CSV_ID_SEPARATOR).as_str()]) {
        out.push(b',');
        csv.cell(&mut out, cell);
    }
    out.into()
}

/// A reason as `assess --format json` writes it (the batch tests compare the two).
#[derive(serde::Serialize)]
struct Reason<'a> {
    rule: &'a str,
    because: &'a str,
    source: &'a [Text],
}

/// Rule indices kept on the stack: no allocation unless a result has more reasons than any
/// realistic rule set gives.
const MAX_FEW_REASONS: usize = 48;

struct Reasons {
    few: [u16; MAX_FEW_REASONS],
    count: usize,
    many: Vec<u16>,
}

impl Reasons {
    #[inline]
    fn push(&mut self, index: u16) {
        if self.count < MAX_FEW_REASONS {
            self.few[self.count] = index;
        } else {
            if self.many.is_empty() {
                self.many.extend_from_slice(&self.few);
            }
            self.many.push(index);
        }
        self.count += 1;
    }

    fn indices(&self) -> &[u16] {
        if self.count <= MAX_FEW_REASONS {
            &self.few[..self.count]
        } else {
            &self.many
        }
    }
}

fn reason_json(rule: &str, because: &str, source: &[Text]) -> Box<[u8]> {
    json_bytes(&Reason { rule, because, source })
}

/// A value as JSON with the controls a terminal may obey and JSON writers leave raw (DEL,
/// C1, bidirectional) escaped ([`json_terminal_safe`]), as `assess --format json` writes
/// it: for the rule set's sentences as for text from the input.
fn json_bytes(value: &impl serde::Serialize) -> Box<[u8]> {
    let json = serde_json::to_string(value).unwrap_or_default();
    json_terminal_safe(&json).as_bytes().into()
}

fn json_id_or_null(out: &mut Vec<u8>, id: Option<&str>) {
    match id {
        Some(id) => {
            out.push(b'"');
            out.extend_from_slice(id.as_bytes());
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
}

/// Items already in JSON, separated by commas.
fn json_list<'a>(out: &mut Vec<u8>, items: impl Iterator<Item = &'a [u8]>) {
    for (index, item) in items.enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item);
    }
}

/// Writes CSV cells: quoted by csv-core (the writer inside the `csv` crate, which the batch
/// also reads with) when they hold a comma, a quote or a line break. csv-core rather than
/// `csv::Writer`: the records' outcomes are cached as finished bytes and copied between
/// cells, which a writer that keeps its own buffer and record state cannot take. Built
/// once (its table of special bytes), copied for each cell.
#[derive(Clone, Debug)]
struct CsvCells {
    /// Quotes a cell when it must be.
    necessary: csv_core::Writer,
    /// Always quotes: the rule set's sentences, quoted once and then joined in cells.
    always: csv_core::Writer,
}

impl CsvCells {
    fn new() -> Self {
        let always = csv_core::WriterBuilder::new().quote_style(csv_core::QuoteStyle::Always).build();
        CsvCells { necessary: csv_core::Writer::new(), always }
    }

    /// One cell of text from the input: it cannot start a spreadsheet formula nor hold a
    /// control character ([`csv_safe`]).
    fn cell(&self, out: &mut Vec<u8>, text: &str) {
        self.safe_cell(out, &csv_safe(text));
    }

    /// One cell of text already made safe: the rule set's sentences (made safe once per
    /// run) and ids. An empty cell is written as nothing (csv-core alone writes `""`).
    fn safe_cell(&self, out: &mut Vec<u8>, text: &str) {
        if !self.necessary.should_quote(text.as_bytes()) {
            // What csv-core would write, without copying its writer for it.
            return out.extend_from_slice(text.as_bytes());
        }
        let mut writer = self.necessary.clone();
        field(&mut writer, out, text);
        finish(&mut writer, out);
    }

    /// The inside of `text` as a quoted cell (its quotes doubled), without the cell's own
    /// quotes.
    fn quoted_inside(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        field(&mut self.always.clone(), &mut out, text);
        out.remove(0);
        out
    }

    /// Sentences (each [`Self::quoted_inside`], made once per run) in one quoted cell,
    /// separated by ` | `; empty when none.
    fn sentences<'a>(&self, out: &mut Vec<u8>, sentences: impl Iterator<Item = &'a [u8]>) {
        let mut any = false;
        for sentence in sentences {
            out.extend_from_slice(if any { CSV_SENTENCE_SEPARATOR.as_bytes() } else { b"\"" });
            out.extend_from_slice(sentence);
            any = true;
        }
        if any {
            out.push(b'"');
        }
    }

    /// Ids joined by `;` in one cell; empty when there are none. The loader takes only
    /// lower-case letters, digits and `_` in an id, so an id never needs quoting.
    fn ids<'a>(&self, out: &mut Vec<u8>, ids: impl Iterator<Item = &'a str>) {
        for (index, id) in ids.enumerate() {
            debug_assert!(!self.necessary.should_quote(id.as_bytes()), "{id}");
            if index > 0 {
                out.extend_from_slice(CSV_ID_SEPARATOR.as_bytes());
            }
            out.extend_from_slice(id.as_bytes());
        }
    }

    /// Cells separated by commas.
    fn row<'a>(&self, out: &mut Vec<u8>, cells: impl Iterator<Item = &'a str>) {
        for (index, cell) in cells.enumerate() {
            if index > 0 {
                out.push(b',');
            }
            self.cell(out, cell);
        }
    }
}

/// Writes `text` as (more of) a cell through csv-core, which writes at most 2 + 2 × the
/// input's length (an opening quote, every byte a quote doubled).
fn field(writer: &mut csv_core::Writer, out: &mut Vec<u8>, text: &str) {
    let start = out.len();
    out.resize(start + 2 * text.len() + 2, 0);
    let (_, _, written) = writer.field(text.as_bytes(), &mut out[start..]);
    out.truncate(start + written);
}

/// Ends a cell (its closing quote, when it is quoted).
fn finish(writer: &mut csv_core::Writer, out: &mut Vec<u8>) {
    let mut close = [0; 2];
    let (_, written) = writer.finish(&mut close);
    out.extend_from_slice(&close[..written]);
}

/// A JSON string with its quotes and escapes; the controls a terminal may obey and JSON
/// writers leave raw (DEL, C1, bidirectional) are escaped too ([`json_terminal_safe`]).
fn json_string(out: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(&json_bytes(&text));
    }
}

/// A number in decimal, without going through `fmt`.
fn decimal(out: &mut Vec<u8>, number: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(number).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_only_when_needed() {
        let csv = CsvCells::new();
        let mut out = Vec::new();
        csv.row(&mut out, ["plain", "a, \"b\"", "", "line\nbreak", "=HYPERLINK(\"x\")"].into_iter());
        assert_eq!(String::from_utf8_lossy(&out), "plain,\"a, \"\"b\"\"\",,line\\nbreak,\"'=HYPERLINK(\"\"x\"\")\"");
        let mut out = Vec::new();
        let (one, three) = (csv.quoted_inside("One, \"two\"."), csv.quoted_inside("Three."));
        csv.sentences(&mut out, [&one[..], &three[..]].into_iter());
        csv.ids(&mut out, ["a", "b"].into_iter());
        assert_eq!(String::from_utf8_lossy(&out), "\"One, \"\"two\"\". | Three.\"a;b");
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut out = Vec::new();
        json_string(&mut out, "plain");
        json_string(&mut out, "a\"b\n");
        assert_eq!(String::from_utf8_lossy(&out), "\"plain\"\"a\\\"b\\n\"");
    }

    #[test]
    fn the_rule_sets_sentences_are_escaped_as_assess_escapes_them() {
        let mut rule_set = RuleSet::built_in().expect("built-in rules");
        let sentence = "Bladder \u{202e}or\u{85} bowel";
        rule_set.rules[0].because = sentence.into();
        rule_set.rules[0].effect.advice = Some(sentence.into());
        rule_set.questionnaire.unlikely[0].message = sentence.into();
        let renderer = Renderer::new(&rule_set, RecordFormat::Jsonl);
        let advice = &renderer.rules[0].advice.as_ref().expect("advice").json;
        for json in [&renderer.rules[0].reason_json, advice, &renderer.warnings_json[0]] {
            let text = std::str::from_utf8(json).expect("UTF-8");
            assert!(text.contains("\\u202e") && text.contains("\\u0085"), "{text}");
            assert!(!text.contains(['\u{202e}', '\u{85}']), "{text}");
            assert!(serde_json::from_str::<serde_json::Value>(text).expect("JSON").to_string().contains(sentence));
        }
    }
}
