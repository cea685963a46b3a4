//! The fuzz targets of `massage_triage::fuzz` run by a small mutation fuzzer on stable Rust:
//! a fixed seed, the committed corpus (`fuzz/corpus/TARGET/`), byte and token mutations,
//! and inputs kept when they behave in a new way (a new signature). Bounded by a time and
//! an input budget, so that CI runs it briefly on every change; a long campaign is the same
//! test with larger budgets (see the README's "Reliability" section):
//!
//! ```sh
//! FUZZ_INPUTS=10000000 FUZZ_SECONDS=3600 cargo test --release --test integration fuzz:: -- --nocapture
//! ```
//!
//! Knobs: `FUZZ_INPUTS` (per target, default 10,000, or unbounded when `FUZZ_SECONDS` is set),
//! `FUZZ_SECONDS` (per target, default 60), `FUZZ_SEED` (default 13), `FUZZ_TARGET` (one target by name). An input that
//! panics, or takes more than a second, is a finding: it is written to
//! `target/fuzz-findings/` and the test fails naming it; `FUZZ_REPLAY=target/fuzz-findings`
//! runs the saved ones again instead (after a fix).
// The campaign's figures are its report: printed (seen with --nocapture).
#![allow(clippy::print_stdout)]

use massage_triage::fuzz::{Target, TARGETS};
use std::cell::Cell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Tokens the mutator inserts: the syntax of TOML, JSON and CSV, the ids of the built-in
/// questionnaire and rules, and numbers at the edges of what the tool reads.
const TOKENS: &[&str] = &[
    "\"",
    "'",
    "[",
    "]",
    "{",
    "}",
    "=",
    ":",
    ",",
    ";",
    ".",
    "#",
    "\n",
    "\r\n",
    "\\",
    "\\u0000",
    "\\u0061",
    "\"\"\"",
    "'''",
    "[[",
    "]]",
    "\"\"",
    " ",
    "\t",
    "true",
    "false",
    "null",
    "-0",
    "0",
    "1",
    "-1",
    "1.5",
    "1e308",
    "inf",
    "nan",
    "0x7f",
    "1979-05-27",
    "-9223372036854775808",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "-2147483648",
    "4294967296",
    "\u{feff}",
    "\u{202e}",
    "\u{1b}[2J",
    "é",
    "id",
    "red_flags",
    "bladder_bowel",
    "duration",
    "chronic",
    "severity",
    "worsening",
    "location",
    "lower_back",
    "onset",
    "contraindications",
    "pregnancy",
    "age",
    "pressure",
    "firm",
    "[[rule]]",
    "[[question]]",
    "[[question.option]]",
    "[[case]]",
    "[policy]",
    "when",
    "question",
    "is",
    "any_of",
    "contains_any",
    "contains_all",
    "between",
    "at_least",
    "at_most",
    "not",
    "all",
    "any",
    "always",
    "favour",
    "swedish",
    "deep_tissue",
    "refer",
    "emergency",
    "forbid",
    "max_pressure",
    "session_minutes",
    "min",
    "max",
    "kind",
    "several",
    "number",
    "yes_no",
    "option",
    "red_flag",
    "min_urgency",
    "forbids",
    "escalating",
    "answers",
    "expect",
    "recommendation",
    "fires",
    "a.b.c.d.e.f.g.h",
];

/// A small, fast, seeded generator (SplitMix64): the same seed gives the same campaign.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// One to eight stacked mutations of `input`, some splicing in another pool entry.
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, pool: &[Vec<u8>]) {
    for _ in 0..1 + rng.below(8) {
        let len = input.len();
        let at = rng.below(len + 1);
        match rng.below(11) {
            0 if len > 0 => input[rng.below(len)] ^= 1 << rng.below(8),
            1 if len > 0 => input[rng.below(len)] = rng.next() as u8,
            2 => input.insert(at, rng.next() as u8),
            3 if len > 0 => {
                let end = (at + 1 + rng.below(16)).min(len);
                input.drain(at.min(end)..end);
            }
            4 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(64)).min(len);
                let piece = input[start..end].to_vec();
                input.splice(at..at, piece);
            }
            5 | 6 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                input.splice(at..at, token.iter().copied());
            }
            7 if len > 0 => {
                // A token in place of what is there.
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                let end = (at + rng.below(12)).min(len);
                input.splice(at.min(end)..end, token.iter().copied());
            }
            8 if !pool.is_empty() => {
                let other = &pool[rng.below(pool.len())];
                let start = rng.below(other.len());
                let end = (start + rng.below(256)).min(other.len());
                input.splice(at..at, other[start..end].iter().copied());
            }
            9 if len > 0 => input.truncate(rng.below(len)),
            _ => {
                // A whole line repeated (a key given twice, a record twice).
                let lines: Vec<usize> =
                    input.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect();
                if lines.len() >= 2 {
                    let i = rng.below(lines.len() - 1);
                    let line = input[lines[i] + 1..=lines[i + 1]].to_vec();
                    let to = lines[rng.below(lines.len())] + 1;
                    input.splice(to..to, line);
                }
            }
        }
        if input.len() > 64 * 1024 {
            input.truncate(64 * 1024);
        }
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn corpus(target: &Target) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target.name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    assert!(!seeds.is_empty(), "no seed in {}", dir.display());
    seeds
}

thread_local! {
    /// Set while a target runs: its panics are findings, recorded rather than printed.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

fn quiet_panics_while_fuzzing() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                default(info);
            }
        }));
    });
}

/// What one target's campaign did.
struct Campaign {
    inputs: u64,
    elapsed: Duration,
    signatures: usize,
    pool: usize,
    slowest: Duration,
    findings: Vec<String>,
}

fn run_one(target: &Target, input: &[u8]) -> Result<u64, String> {
    QUIET.with(|q| q.set(true));
    let result = std::panic::catch_unwind(|| (target.run)(input));
    QUIET.with(|q| q.set(false));
    result.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic".to_owned())
    })
}

fn record_finding(target: &Target, input: &[u8], what: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-findings");
    std::fs::create_dir_all(&dir).unwrap();
    let name = format!(
        "{}-{:016x}.bin",
        target.name,
        input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
    );
    std::fs::write(dir.join(&name), input).unwrap();
    format!(
        "{}: {what} (input in target/fuzz-findings/{name}: {:?})",
        target.name,
        String::from_utf8_lossy(&input[..input.len().min(200)])
    )
}

fn campaign(target: &Target, seconds: u64, max_inputs: u64, seed: u64, max_findings: usize) -> Campaign {
    quiet_panics_while_fuzzing();
    let mut rng = Rng(seed ^ target.name.bytes().fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(b)));
    let mut pool = corpus(target);
    let mut signatures = HashSet::new();
    let mut findings = Vec::new();
    let (start, budget) = (Instant::now(), Duration::from_secs(seconds));
    let (mut inputs, mut slowest) = (0u64, Duration::ZERO);
    // The seeds themselves first, then mutants of the pool.
    let mut queue: Vec<Vec<u8>> = pool.clone();
    while inputs < max_inputs && (inputs % 64 != 0 || start.elapsed() < budget) {
        let input = queue.pop().unwrap_or_else(|| {
            let mut input = pool[rng.below(pool.len())].clone();
            mutate(&mut rng, &mut input, &pool);
            input
        });
        let began = Instant::now();
        let outcome = run_one(target, &input);
        let took = began.elapsed();
        inputs += 1;
        slowest = slowest.max(took);
        // Slow is measured in release builds only: a debug build is ten times slower.
        if took > Duration::from_secs(1) && !cfg!(debug_assertions) {
            findings.push(record_finding(target, &input, &format!("took {took:?}")));
        }
        match outcome {
            Ok(signature) => {
                if signatures.insert(signature) && pool.len() < 4096 {
                    pool.push(input);
                }
            }
            Err(message) => findings.push(record_finding(target, &input, &message)),
        }
        if findings.len() >= max_findings {
            break;
        }
    }
    Campaign { inputs, elapsed: start.elapsed(), signatures: signatures.len(), pool: pool.len(), slowest, findings }
}

fn fuzz(name: &str) {
    if std::env::var("FUZZ_TARGET").is_ok_and(|only| only != name) {
        return;
    }
    let target = TARGETS.iter().find(|t| t.name == name).unwrap();
    if let Some(dir) = std::env::var_os("FUZZ_REPLAY") {
        return replay(target, Path::new(&dir));
    }
    // By default a fixed number of inputs, so that `cargo test` does the same work on every
    // run and machine; a time budget (CI's step, a campaign) lifts the count unless it is set.
    let seconds = env_number("FUZZ_SECONDS");
    let max_inputs = env_number("FUZZ_INPUTS").unwrap_or(if seconds.is_some() { u64::MAX } else { 10_000 });
    let seconds = seconds.unwrap_or(60);
    let seed = env_number("FUZZ_SEED").unwrap_or(13);
    let done = campaign(target, seconds, max_inputs, seed, 20);
    println!(
        "fuzz {name}: {} inputs in {:.1} s ({:.0}/s), {} signatures, pool {}, slowest {:?}, {} finding(s)",
        done.inputs,
        done.elapsed.as_secs_f64(),
        done.inputs as f64 / done.elapsed.as_secs_f64().max(1e-9),
        done.signatures,
        done.pool,
        done.slowest,
        done.findings.len()
    );
    assert!(done.findings.is_empty(), "{} finding(s):\n{}", done.findings.len(), done.findings.join("\n"));
    assert!(done.inputs > 0);
}

/// Runs the findings saved for `target` in `dir` (`TARGET-*.bin`) again, as after a fix.
fn replay(target: &Target, dir: &Path) {
    quiet_panics_while_fuzzing();
    let prefix = format!("{}-", target.name);
    let mut failures = Vec::new();
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&prefix)) {
            count += 1;
            if let Err(message) = run_one(target, &std::fs::read(&path).unwrap()) {
                failures.push(format!("{}: {message}", path.display()));
            }
        }
    }
    println!("replay {}: {count} input(s), {} failing", target.name, failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fuzz_answer_toml() {
    fuzz("answer_toml");
}

#[test]
fn fuzz_answer_json() {
    fuzz("answer_json");
}

#[test]
fn fuzz_answer_stdin() {
    fuzz("answer_stdin");
}

#[test]
fn fuzz_jsonl_record() {
    fuzz("jsonl_record");
}

#[test]
fn fuzz_csv_batch() {
    fuzz("csv_batch");
}

#[test]
fn fuzz_rule_set() {
    fuzz("rule_set");
}

#[test]
fn fuzz_cases() {
    fuzz("cases");
}

#[test]
fn every_target_has_a_test_and_a_seed_corpus() {
    let source = include_str!("fuzz.rs");
    for target in TARGETS {
        assert!(source.contains(&format!("fuzz(\"{}\")", target.name)), "no test for {}", target.name);
        assert!(!corpus(target).is_empty());
        let cargo_fuzz =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets").join(format!("{}.rs", target.name));
        assert!(cargo_fuzz.exists(), "no cargo-fuzz target {}", cargo_fuzz.display());
    }
}

#[test]
fn the_fuzzer_finds_a_planted_panic() {
    fn planted(data: &[u8]) -> u64 {
        assert!(!data.windows(2).any(|w| w == b"}{"), "planted");
        data.len() as u64
    }
    let target = Target { name: "answer_json", run: planted };
    let done = campaign(&target, 30, 200_000, 1, 1);
    assert!(!done.findings.is_empty(), "the mutator never made \"}}{{\" in {} inputs", done.inputs);
    assert!(done.findings[0].contains("planted"));
}
