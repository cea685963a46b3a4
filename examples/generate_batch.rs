//! Seeded test input for `massage-triage batch`: random but valid answer sets drawn from
//! the built-in questionnaire, optionally with a fraction of bad records of every kind.
//!
//! ```text
//! cargo run --release --example generate_batch -- --count 1000000 --seed 7 --format jsonl > in.jsonl
//! cargo run --release --example generate_batch -- --count 1000 --seed 7 --format csv --bad 0.1 > in.csv
//! ```
//!
//! The same seed gives the same records. Red flags and contraindications are drawn rarely
//! (as at a clinic's desk), so most records go through the style rules, not a referral.
//! Every record carries the questionnaire's `version`, and a conditional question exactly
//! when its condition holds (in CSV its cell is then empty).

use massage_triage::answers::Answer;
use massage_triage::questionnaire::{Question, QuestionKind};
use massage_triage::rules::{RuleSet, Truth};
use std::io::{BufWriter, Write};
use std::process::ExitCode;

/// xorshift64*: small, fast, and enough for test data.
struct Random(u64);

impl Random {
    fn new(seed: u64) -> Self {
        // Spread small seeds; the state must not be zero.
        Random(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..bound`.
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64) < p * (1u64 << 53) as f64
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Jsonl,
    Csv,
}

struct Options {
    count: u64,
    seed: u64,
    format: Format,
    bad: f64,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options { count: 1000, seed: 1, format: Format::Jsonl, bad: 0.0 };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--count" => options.count = value()?.parse().map_err(|e| format!("--count: {e}"))?,
            "--seed" => options.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--bad" => options.bad = value()?.parse().map_err(|e| format!("--bad: {e}"))?,
            "--format" => {
                options.format = match value()?.as_str() {
                    "jsonl" => Format::Jsonl,
                    "csv" => Format::Csv,
                    other => return Err(format!("--format: expected jsonl or csv, not {other}")),
                }
            }
            other => {
                return Err(format!(
                    "unknown argument {other}; usage: generate_batch [--count N] [--seed S] [--format jsonl|csv] [--bad FRACTION]"
                ))
            }
        }
    }
    Ok(options)
}

/// One answer, as the ids or numbers a record holds.
enum Value {
    Text(String),
    List(Vec<String>),
    Number(i64),
    Bool(bool),
}

/// The engine's view of an answer, to decide whether a conditional question is asked.
fn engine_answer(question: &Question, value: &Value) -> Answer {
    let index = |id: &str| question.option_index(id).unwrap_or(0);
    match value {
        Value::Text(id) => Answer::Choice(index(id) as u8),
        Value::List(ids) => Answer::Choices(ids.iter().map(|id| 1u64 << index(id)).sum()),
        Value::Number(n) => Answer::Number(*n),
        Value::Bool(b) => Answer::YesNo(*b),
    }
}

fn random_answer(question: &Question, random: &mut Random) -> Value {
    match question.kind {
        QuestionKind::OneOf => {
            Value::Text(question.options[random.below(question.options.len() as u64) as usize].id.to_string())
        }
        QuestionKind::SeveralOf { min_selected } => {
            let mut chosen: Vec<String> = question
                .options
                .iter()
                .filter(|option| {
                    // Red flags and contraindications are rare; where the pain is, common.
                    let p = if option.red_flag || option.min_urgency.is_some() {
                        0.015
                    } else if min_selected > 0 {
                        0.3
                    } else {
                        0.04
                    };
                    random.chance(p)
                })
                .map(|option| option.id.to_string())
                .collect();
            while chosen.len() < min_selected {
                let option = &question.options[random.below(question.options.len() as u64) as usize];
                if !chosen.iter().any(|id| *id == option.id) {
                    chosen.push(option.id.to_string());
                }
            }
            Value::List(chosen)
        }
        QuestionKind::Number { min, max } => Value::Number(min + random.below((max - min + 1) as u64) as i64),
        QuestionKind::YesNo => Value::Bool(random.chance(0.2)),
    }
}

/// Ways a record can be bad.
const BAD_KINDS: u64 = 7;

/// Spoils a valid record's answers in one of [`BAD_KINDS`] ways; returns a whole line when
/// the spoiling is not about one answer (broken JSON, not an object).
fn spoil(answers: &mut Vec<(String, Value)>, random: &mut Random, format: Format) -> Option<String> {
    let index = random.below(answers.len() as u64) as usize;
    match random.below(BAD_KINDS) {
        0 => {
            return Some(if format == Format::Jsonl {
                "{\"red_flags\": [\"fever\"".into()
            } else {
                "\"unclosed".into()
            })
        }
        1 => {
            return Some(if format == Format::Jsonl {
                "[\"not\", \"an object\"]".into()
            } else {
                "too,many,fields,,,,,,,,,,,,,".into()
            })
        }
        2 => answers[index].1 = Value::Text("no_such_option".into()),
        3 => answers[index].1 = Value::Number(1000),
        4 => answers[index].1 = Value::Bool(true),
        5 => {
            // A missing answer.
            answers.remove(index);
        }
        _ => answers.push(("no_such_question".into(), Value::Number(1))),
    }
    None
}

fn json_line(id: &str, version: u32, answers: &[(String, Value)], out: &mut String) {
    out.push_str(&format!("{{\"id\":\"{id}\",\"version\":{version}"));
    for (key, value) in answers {
        out.push_str(&format!(",\"{key}\":"));
        match value {
            Value::Text(text) => out.push_str(&format!("\"{text}\"")),
            Value::List(items) => {
                let items: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
                out.push_str(&format!("[{}]", items.join(",")));
            }
            Value::Number(n) => out.push_str(&n.to_string()),
            Value::Bool(b) => out.push_str(&b.to_string()),
        }
    }
    out.push('}');
}

fn csv_line(id: &str, version: u32, columns: &[&str], answers: &[(String, Value)], out: &mut String) {
    out.push_str(&format!("{id},{version}"));
    for column in columns {
        out.push(',');
        match answers.iter().find(|(key, _)| key == column).map(|(_, v)| v) {
            None => {}
            Some(Value::Text(text)) => out.push_str(text),
            // An empty cell is no answer: "none of these" is written out.
            Some(Value::List(items)) if items.is_empty() => out.push_str("none"),
            Some(Value::List(items)) => out.push_str(&items.join(";")),
            Some(Value::Number(n)) => out.push_str(&n.to_string()),
            Some(Value::Bool(b)) => out.push_str(&b.to_string()),
        }
    }
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "generate_batch: {message}");
            return ExitCode::from(2);
        }
    };
    let rule_set = match RuleSet::built_in() {
        Ok(rule_set) => rule_set,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "generate_batch: {error}");
            return ExitCode::FAILURE;
        }
    };
    let questions = &rule_set.questionnaire.questions;
    let columns: Vec<&str> = questions.iter().map(|q| q.id.as_str()).collect();
    let mut random = Random::new(options.seed);
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut line = String::new();
    if options.format == Format::Csv {
        line.push_str("id,version,");
        line.push_str(&columns.join(","));
        line.push('\n');
    }
    let version = rule_set.questionnaire.version;
    for number in 0..options.count {
        let id = format!("r{number}");
        let mut answers: Vec<(String, Value)> = Vec::with_capacity(questions.len());
        let mut given: Vec<Option<Answer>> = vec![None; questions.len()];
        for (index, question) in questions.iter().enumerate() {
            let asked = question.ask_when.as_ref().is_none_or(|when| when.truth(&given) == Truth::Yes);
            if !asked {
                given[index] = Some(Answer::NotAsked);
                continue;
            }
            let value = random_answer(question, &mut random);
            given[index] = Some(engine_answer(question, &value));
            answers.push((question.id.to_string(), value));
        }
        let whole = if options.bad > 0.0 && random.chance(options.bad) {
            spoil(&mut answers, &mut random, options.format)
        } else {
            None
        };
        match (whole, options.format) {
            (Some(text), _) => line.push_str(&text),
            (None, Format::Jsonl) => json_line(&id, version, &answers, &mut line),
            (None, Format::Csv) => csv_line(&id, version, &columns, &answers, &mut line),
        }
        line.push('\n');
        if line.len() > 1 << 16 {
            if out.write_all(line.as_bytes()).is_err() {
                return ExitCode::FAILURE;
            }
            line.clear();
        }
    }
    if out.write_all(line.as_bytes()).and_then(|()| out.flush()).is_err() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
