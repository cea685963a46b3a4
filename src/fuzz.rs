//! Fuzz targets: every parser of the tool fed arbitrary bytes, each with the checks that
//! must hold whatever the bytes (no panic, bounded messages, and where there is a second
//! way to read the same input, the same result both ways). A target returns a signature of
//! what the input did (accepted, which problem), which the stable-Rust fuzzer in
//! `tests/integration/fuzz.rs` uses to keep inputs that behave in new ways; cargo-fuzz calls the same
//! functions from `fuzz/fuzz_targets/`.
//!
//! A check that fails panics: both fuzzers treat a panic as a finding.

use crate::answers::{parse_answers, parse_json, parse_toml, AnswerFormat, Answers};
use crate::batch::input::{json_record, json_record_by_serde, last_record_end, CsvHeader, NoBomStrip, RecordReader};
use crate::batch::{run_batch, BatchOptions, RecordFormat};
use crate::diagnostic::{read_limited, Diagnostics, SourceText};
use crate::rules::{Origin, RuleSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

/// A fuzz target: its name (also its corpus folder, `fuzz/corpus/NAME`) and its function.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The name, as cargo-fuzz and the corpus folder know it.
    pub name: &'static str,
    /// Runs one input; panics on a failed check; returns the input's signature.
    pub run: fn(&[u8]) -> u64,
}

/// Every target.
pub const TARGETS: &[Target] = &[
    Target { name: "answer_toml", run: answer_toml },
    Target { name: "answer_json", run: answer_json },
    Target { name: "answer_stdin", run: answer_stdin },
    Target { name: "jsonl_record", run: jsonl_record },
    Target { name: "csv_batch", run: csv_batch },
    Target { name: "rule_set", run: rule_set },
    Target { name: "cases", run: cases },
];

fn built_in() -> &'static RuleSet {
    static RULE_SET: OnceLock<RuleSet> = OnceLock::new();
    RULE_SET.get_or_init(|| RuleSet::built_in().unwrap_or_else(|e| panic!("the built-in rule set loads: {e}")))
}

fn signature(parts: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}

/// Messages are bounded and safe to print, whatever the input.
fn check_diagnostics(diagnostics: &Diagnostics) -> u64 {
    for diagnostic in &diagnostics.0 {
        let shown = diagnostic.to_string();
        for line in shown.lines() {
            assert!(line.chars().count() <= crate::text::MAX_MESSAGE_CHARS + 3, "a message line too long: {line}");
            assert!(!line.chars().any(|c| c.is_control() && c != '\t'), "a control character shown: {line:?}");
        }
        if let Some(excerpt) = &diagnostic.excerpt {
            assert!(excerpt.chars().count() <= crate::text::MAX_EXCERPT_CHARS * 8 + 2, "excerpt too long");
        }
    }
    signature(diagnostics.0.iter().map(|d| (d.code, d.line > 0)).collect::<Vec<_>>())
}

/// Accepted answers are a complete, valid set, and the answer file written from them is
/// read back to the same answers.
fn check_answers(answers: &Answers) -> u64 {
    let questionnaire = &built_in().questionnaire;
    let again = Answers::new(questionnaire, answers.id.clone(), answers.values().to_vec());
    assert_eq!(again.as_ref(), Ok(answers), "accepted answers do not fit the questionnaire");
    let text = answers.to_toml(questionnaire);
    let reread = parse_toml(questionnaire, SourceText::new("saved", &text));
    assert_eq!(reread.as_ref().ok(), Some(answers), "the saved answers do not read back: {text}");
    signature(answers.words())
}

fn answers_result(result: Result<Answers, Diagnostics>) -> u64 {
    match result {
        Ok(answers) => check_answers(&answers),
        Err(diagnostics) => check_diagnostics(&diagnostics).wrapping_add(1),
    }
}

/// Reads bytes as an answer file would be read (size and UTF-8 checked).
fn text_of(data: &[u8]) -> Result<String, Diagnostics> {
    read_limited(data, "fuzz")
}

/// An answer file in TOML.
pub fn answer_toml(data: &[u8]) -> u64 {
    match text_of(data) {
        Ok(text) => answers_result(parse_toml(&built_in().questionnaire, SourceText::new("fuzz.toml", &text))),
        Err(diagnostics) => check_diagnostics(&diagnostics),
    }
}

/// An answer file in JSON.
pub fn answer_json(data: &[u8]) -> u64 {
    match text_of(data) {
        Ok(text) => answers_result(parse_json(&built_in().questionnaire, SourceText::new("fuzz.json", &text))),
        Err(diagnostics) => check_diagnostics(&diagnostics),
    }
}

/// Standard input: TOML or JSON told apart by content. What either reader accepts is
/// detected as its format.
pub fn answer_stdin(data: &[u8]) -> u64 {
    let Ok(text) = text_of(data) else { return 0 };
    let questionnaire = &built_in().questionnaire;
    let source = SourceText::new("-", &text);
    let format = AnswerFormat::detect(&text);
    if parse_json(questionnaire, source).is_ok() {
        assert_eq!(format, AnswerFormat::Json, "JSON answers detected as TOML");
    }
    if parse_toml(questionnaire, source).is_ok() {
        assert_eq!(format, AnswerFormat::Toml, "TOML answers detected as JSON");
    }
    answers_result(parse_answers(questionnaire, source, format)) ^ u64::from(format == AnswerFormat::Json)
}

/// One JSON Lines record: the quick reader (with its fallback) and the full reader alone
/// give the same result, answers or error; messages stay one short line.
pub fn jsonl_record(data: &[u8]) -> u64 {
    let questionnaire = &built_in().questionnaire;
    let quick = json_record(questionnaire, data, 3);
    if let Ok(text) = std::str::from_utf8(data) {
        let full = json_record_by_serde(questionnaire, text, 3);
        assert_eq!(quick, full, "the quick reader and the full reader differ on {text:?}");
    }
    match quick {
        Ok(answers) => check_answers(&answers),
        Err(error) => {
            assert!(!error.message.contains('\n'), "a record error over two lines");
            signature(error.message.split(':').nth(1).map(str::len))
        }
    }
}

/// A CSV input, through the chunker and the whole batch: the chunker cuts only where the CSV
/// reader ends a record, and every record read gives exactly one output row.
pub fn csv_batch(data: &[u8]) -> u64 {
    if let Some(end) = last_record_end(data, RecordFormat::Csv) {
        fn records(bytes: impl std::io::Read) -> Vec<Vec<Vec<u8>>> {
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
            reader.byte_records().map_while(Result::ok).map(|r| r.iter().map(<[u8]>::to_vec).collect()).collect()
        }
        // As a batch reads them: the second part is a chunk, not a file (no BOM stripped).
        let mut parts = records(&data[..end]);
        parts.extend(records(NoBomStrip::new(&data[end..])));
        assert_eq!(parts, records(data), "a chunk cut inside a record at byte {end}");
    }
    // The records as a batch reads them (what the pool threads do with each chunk); the
    // whole pipeline, threads and all, for one input in 256, as it costs far more.
    let questionnaire = &built_in().questionnaire;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(data);
    let mut fields = csv::ByteRecord::new();
    let mut outcome = (0u64, 0u64, false);
    if let Ok(true) = reader.read_byte_record(&mut fields) {
        if let Ok(header) = CsvHeader::parse(questionnaire, &fields, "fuzz.csv", 1) {
            outcome.2 = true;
            let mut records = RecordReader::new(questionnaire);
            while let Ok(true) = reader.read_byte_record(&mut fields) {
                match records.csv(&header, &fields, 2, None) {
                    Ok(answers) => {
                        let again = Answers::new(questionnaire, answers.id.clone(), answers.values().to_vec());
                        assert_eq!(again.as_ref(), Ok(&answers), "accepted answers do not fit the questionnaire");
                        outcome.0 += 1;
                    }
                    Err(error) => {
                        assert!(!error.message.contains('\n'), "a record error over two lines: {:?}", error.message);
                        outcome.1 += 1;
                    }
                }
            }
        }
    }
    if signature(data) % 256 == 0 {
        whole_batch(data);
    }
    signature((outcome.0.min(4), outcome.1.min(4), outcome.2))
}

/// The whole batch over a CSV input: every record read gives exactly one output row.
fn whole_batch(data: &[u8]) {
    let options = BatchOptions {
        input_name: "fuzz.csv".to_owned(),
        input_format: RecordFormat::Csv,
        output_format: RecordFormat::Csv,
        stop: None,
    };
    let mut output = Vec::new();
    if let Ok(summary) = run_batch(built_in(), &mut &data[..], &mut output, &options, &mut |_| {}) {
        let mut reader = csv::ReaderBuilder::new().from_reader(&output[..]);
        let rows = reader.byte_records().map(|r| r.map(|_| ())).collect::<Result<Vec<()>, _>>();
        let rows = rows.unwrap_or_else(|e| panic!("the CSV output does not read back: {e}"));
        assert_eq!(rows.len() as u64, summary.read, "one output row per record read");
    }
}

/// The small rule set of the tests, the partner of a fuzzed file.
const SMALL_QUESTIONNAIRE: &str = include_str!("../tests/fixtures/small/questionnaire.toml");
const SMALL_RULES: &str = include_str!("../tests/fixtures/small/rules.toml");

/// A rule set: the first byte says which file the rest is (even: rules.toml, odd:
/// questionnaire.toml), the other file being the tests' small one. A rule set that loads
/// is evaluated and checked, which reads every number in it.
pub fn rule_set(data: &[u8]) -> u64 {
    let Some((which, rest)) = data.split_first() else { return 0 };
    let Ok(text) = text_of(rest) else { return 1 };
    let (questionnaire, rules) =
        if which % 2 == 0 { (SMALL_QUESTIONNAIRE, text.as_str()) } else { (text.as_str(), SMALL_RULES) };
    let loaded = RuleSet::from_texts(
        SourceText::new("questionnaire.toml", questionnaire),
        SourceText::new("rules.toml", rules),
        Origin::BuiltIn,
    );
    match loaded {
        Ok(rule_set) => {
            let report = crate::check::check(&rule_set);
            signature((rule_set.rules.len(), report.findings.len()))
        }
        Err(diagnostics) => check_diagnostics(&diagnostics),
    }
}

/// A cases file for the built-in rule set; a case that loads is run.
pub fn cases(data: &[u8]) -> u64 {
    let Ok(text) = text_of(data) else { return 0 };
    match crate::cases::parse_cases(built_in(), SourceText::new("cases.toml", &text)) {
        Ok(cases) => {
            let failing = cases.iter().filter(|case| !case.check(built_in()).1.is_empty()).count();
            signature((cases.len().min(8), failing.min(8)))
        }
        Err(diagnostics) => check_diagnostics(&diagnostics),
    }
}
