//! Batch: many answer sets in (JSON Lines or CSV), one result per record out, in input
//! order, streaming.
//!
//! The input is cut into chunks of whole records ([`input::ChunkReader`]); each chunk is
//! read, evaluated and rendered on the rayon pool while the calling thread reads the next
//! chunks and writes finished ones in order. At most a few chunks are in flight, so memory
//! does not grow with the input; with one thread the same code runs, just not in parallel.

mod flat_json;
pub mod input;
pub mod output;
pub mod summary;

use crate::answers::Answers;
use crate::code::Code;
use crate::diagnostic::{count_newlines, Diagnostic};
use crate::engine::evaluate;
use crate::rules::RuleSet;
use input::{Chunk, ChunkError, ChunkReader, CsvHeader, RecordReader};
use output::{OutcomeCache, Renderer};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
pub use summary::Summary;

/// A record format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// One JSON object a line.
    Jsonl,
    /// A header row, then one record a row.
    Csv,
}

impl crate::choice::Choice for RecordFormat {
    const ALL: &'static [Self] = &[RecordFormat::Jsonl, RecordFormat::Csv];

    fn name(self) -> &'static str {
        match self {
            RecordFormat::Jsonl => "jsonl",
            RecordFormat::Csv => "csv",
        }
    }

    fn help(self) -> &'static str {
        match self {
            RecordFormat::Jsonl => "JSON Lines: one JSON object a line",
            RecordFormat::Csv => "CSV: a header row, then one record a row",
        }
    }
}

impl RecordFormat {
    /// The format a file name's extension says (`.jsonl`, `.ndjson`, `.json`, `.csv`).
    pub fn from_path(path: &std::path::Path) -> Option<RecordFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "jsonl" | "ndjson" | "json" => Some(RecordFormat::Jsonl),
            "csv" => Some(RecordFormat::Csv),
            _ => None,
        }
    }

    /// The format the start of an input shows: JSON Lines when its first record opens an
    /// object, CSV when its first line is a header naming a column this questionnaire reads
    /// (`id`, `version` or a question id); `None` when it shows neither.
    pub fn recognise(start: &[u8], questionnaire: &crate::questionnaire::Questionnaire) -> Option<RecordFormat> {
        let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
        let first = start.iter().position(|b| !b.is_ascii_whitespace()).map(|i| &start[i..])?;
        if first.starts_with(b"{") {
            return Some(RecordFormat::Jsonl);
        }
        let line = first.split(|b| *b == b'\n').next().unwrap_or_default();
        let known = |cell: &[u8]| {
            let cell = std::str::from_utf8(cell).unwrap_or_default().trim().trim_matches('"');
            cell == "id" || cell == "version" || questionnaire.index_of(cell).is_some()
        };
        line.split(|b| *b == b',').any(known).then_some(RecordFormat::Csv)
    }
}

/// What a batch run reads and writes.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// The input's name for messages (`-` for standard input).
    pub input_name: String,
    /// How records are read.
    pub input_format: RecordFormat,
    /// How results are written.
    pub output_format: RecordFormat,
    /// When set (by a Ctrl-C handler), the run stops before its next chunk.
    pub stop: Option<&'static AtomicBool>,
}

/// How far a run has got, reported after each chunk is written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Input bytes whose records have been written.
    pub input_bytes: u64,
    /// Records written.
    pub records: u64,
}

/// Why a run stopped before the end of its input.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The CSV header is not usable (unknown, duplicate or missing columns): every record
    /// would fail, so none is read.
    #[error("the CSV header is not usable")]
    Header(Vec<Diagnostic>),
    /// The input cannot be read, or is not records at all.
    #[error(transparent)]
    Read(#[from] ChunkError),
    /// The output cannot be written.
    #[error("cannot write the output: {0}")]
    Write(#[source] io::Error),
    /// Stopped on request (Ctrl-C) before the end of the input.
    #[error("interrupted")]
    Interrupted,
    /// A chunk of records could not be evaluated (a bug: the engine does not fail).
    #[error("internal error while evaluating the records of chunk {0}")]
    Internal(u64),
}

/// A chunk handed to the pool.
struct Job {
    sequence: u64,
    chunk: Chunk,
    output: Vec<u8>,
}

/// A chunk's results, handed back.
struct Done {
    sequence: u64,
    output: Vec<u8>,
    input: Vec<u8>,
    input_bytes: u64,
    summary: Summary,
}

/// Reads every record of `input`, writes one result per record to `output` in input order
/// and returns the counts. Bad records are results (with an `error`), not failures.
pub fn run_batch(
    rule_set: &RuleSet,
    input: &mut dyn Read,
    output: &mut dyn Write,
    options: &BatchOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, BatchError> {
    let mut reader = ChunkReader::new(input, options.input_format);
    let mut first = reader.next_chunk(Vec::new())?;
    let header = match (&mut first, options.input_format) {
        (Some(chunk), RecordFormat::Csv) => read_csv_header(rule_set, chunk, &options.input_name)?,
        _ => None,
    };
    output.write_all(&Renderer::header(options.output_format)).map_err(BatchError::Write)?;
    let mut pipeline = Pipeline {
        rule_set,
        header: header.as_ref(),
        renderer: Renderer::new(rule_set, options.output_format),
        caches: Mutex::new(Vec::new()),
        max_in_flight: rayon::current_num_threads() * 2 + 1,
        stop: options.stop,
    };
    let summary = pipeline.run(first, &mut reader, output, progress)?;
    output.flush().map_err(BatchError::Write)?;
    Ok(summary)
}

/// Reads the header row off the first chunk.
fn read_csv_header(rule_set: &RuleSet, chunk: &mut Chunk, name: &str) -> Result<Option<CsvHeader>, BatchError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&chunk.data[..]);
    let mut fields = csv::ByteRecord::new();
    match reader.read_byte_record(&mut fields) {
        Ok(true) => {}
        // Only blank lines: no header, no records.
        Ok(false) => return Ok(None),
        Err(error) => return Err(BatchError::Read(ChunkError::Io(io::Error::other(error)))),
    }
    let line = chunk.first_line + fields.position().map_or(1, |p| p.line()) - 1;
    let header = CsvHeader::parse(&rule_set.questionnaire, &fields, name, line).map_err(BatchError::Header)?;
    let end = usize::try_from(reader.position().byte()).unwrap_or(chunk.data.len()).min(chunk.data.len());
    chunk.first_line += count_newlines(&chunk.data[..end]) as u64;
    chunk.data.drain(..end);
    Ok(Some(header))
}

/// The shared state of a run: what each chunk is evaluated with.
struct Pipeline<'a> {
    rule_set: &'a RuleSet,
    header: Option<&'a CsvHeader>,
    renderer: Renderer,
    /// Rendered outcomes, one cache per chunk being processed, reused from chunk to chunk.
    caches: Mutex<Vec<OutcomeCache>>,
    max_in_flight: usize,
    stop: Option<&'static AtomicBool>,
}

impl Pipeline<'_> {
    /// Keeps up to `max_in_flight` chunks on the pool; writes results as they come, in order.
    fn run(
        &mut self,
        first: Option<Chunk>,
        reader: &mut ChunkReader<'_>,
        output: &mut dyn Write,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Summary, BatchError> {
        let this = &*self;
        let (done_sender, done_receiver) = mpsc::channel::<Result<Done, u64>>();
        // The calling thread keeps the (non-Send) streams; only chunks go to the pool.
        rayon::in_place_scope(|scope| -> Result<Summary, BatchError> {
            let mut writer = OrderedWriter {
                output,
                progress,
                waiting: BTreeMap::new(),
                written: 0,
                summary: Summary::default(),
                done: Progress::default(),
                spare_outputs: Vec::new(),
            };
            let mut spare_inputs: Vec<Vec<u8>> = Vec::new();
            let mut next = first;
            let mut sequence = 0;
            while let Some(chunk) = next {
                if this.stop.is_some_and(|stop| stop.load(Ordering::Relaxed)) {
                    return Err(BatchError::Interrupted);
                }
                let sender = done_sender.clone();
                let job = Job { sequence, chunk, output: writer.spare_outputs.pop().unwrap_or_default() };
                scope.spawn(move |_| {
                    let sequence = job.sequence;
                    // A panic would otherwise leave the writer waiting for this chunk forever.
                    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| this.process(job)));
                    // The receiver lives until every job is done; a failed send cannot happen.
                    let _ = sender.send(done.map_err(|_| sequence));
                });
                sequence += 1;
                while sequence - writer.written >= this.max_in_flight as u64 {
                    writer.receive(&done_receiver, &mut spare_inputs)?;
                }
                // Write what is already done, so results do not wait for the window to fill.
                while let Ok(done) = done_receiver.try_recv() {
                    writer.write_in_order(done, &mut spare_inputs)?;
                }
                next = reader.next_chunk(spare_inputs.pop().unwrap_or_default())?;
            }
            while writer.written < sequence {
                writer.receive(&done_receiver, &mut spare_inputs)?;
            }
            Ok(writer.summary)
        })
    }

    /// The unlikely combinations the answers make (their indices), into a reused buffer.
    fn warnings(&self, answers: &crate::answers::Answers, into: &mut Vec<usize>) {
        into.clear();
        let unlikely = self.rule_set.questionnaire.unlikely.iter().enumerate();
        into.extend(unlikely.filter(|(_, u)| u.when.holds(answers)).map(|(i, _)| i));
    }

    /// Reads, evaluates and renders one chunk's records (on a pool thread).
    fn process(&self, job: Job) -> Done {
        let Job { sequence, chunk, mut output } = job;
        output.clear();
        let mut summary = Summary::default();
        let caches = || self.caches.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut cache = caches().pop().unwrap_or_default();
        let mut sink = Sink { output: &mut output, summary: &mut summary, cache: &mut cache, warnings: Vec::new() };
        match self.header {
            Some(header) => self.process_csv(header, &chunk, &mut sink),
            None => self.process_jsonl(&chunk, &mut sink),
        }
        caches().push(cache);
        Done { sequence, output, input_bytes: chunk.input_bytes, input: chunk.data, summary }
    }

    /// Evaluates and writes one record's result, counted in the summary; gives back the
    /// answers, whose buffers the next record reuses.
    fn write(&self, sink: &mut Sink<'_>, line: u64, record: Result<Answers, input::RecordError>) -> Option<Answers> {
        match record {
            Ok(answers) => {
                let evaluation = evaluate(self.rule_set, &answers);
                sink.summary.answered(&evaluation);
                self.warnings(&answers, &mut sink.warnings);
                sink.summary.warned(!sink.warnings.is_empty());
                self.renderer.answered(sink.output, line, &answers, &evaluation, &sink.warnings, sink.cache);
                Some(answers)
            }
            Err(error) => {
                sink.summary.refused();
                self.renderer.refused(sink.output, line, &error);
                None
            }
        }
    }

    fn process_jsonl(&self, chunk: &Chunk, sink: &mut Sink<'_>) {
        let mut records = RecordReader::new(&self.rule_set.questionnaire);
        // The last record's answers, whose buffers the next one reuses.
        let mut spare = None;
        for (index, line) in input::lines(&chunk.data).enumerate() {
            let number = chunk.first_line + index as u64;
            let line = if number == 1 { line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line) } else { line };
            let line = line.trim_ascii();
            if line.is_empty() {
                continue;
            }
            let record = records.json(line, number, spare.take());
            spare = self.write(sink, number, record);
        }
    }

    fn process_csv(&self, header: &CsvHeader, chunk: &Chunk, sink: &mut Sink<'_>) {
        let mut records = RecordReader::new(&self.rule_set.questionnaire);
        let mut spare = None;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input::NoBomStrip::new(&chunk.data));
        let mut fields = csv::ByteRecord::new();
        // Lines are counted here from byte offsets: the same count as for JSON Lines, whatever
        // the line ends (the csv reader counts CRLF differently).
        let (mut counted_to, mut line) = (0, chunk.first_line);
        loop {
            let result = reader.read_byte_record(&mut fields);
            let failed = result.is_err();
            let start = fields.position().map_or(counted_to, |p| usize::try_from(p.byte()).unwrap_or(counted_to));
            let mut start = start.clamp(counted_to, chunk.data.len());
            // After a CRLF the reader places the next record at the LF.
            while chunk.data.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
                start += 1;
            }
            line += count_newlines(&chunk.data[counted_to..start]) as u64;
            counted_to = start;
            let record = match result {
                Ok(false) => break,
                Ok(true) => records.csv(header, &fields, line, spare.take()),
                // Reading from memory with flexible rows, the csv reader has nothing to fail
                // on; should it, the record is refused and reading stops for this chunk.
                Err(error) => Err(input::RecordError::new(None, Code::Csv, format!("line {line}: {error}"))),
            };
            spare = self.write(sink, line, record);
            if failed {
                break;
            }
        }
    }
}

/// Where one chunk's results go.
struct Sink<'o> {
    output: &'o mut Vec<u8>,
    summary: &'o mut Summary,
    cache: &'o mut OutcomeCache,
    /// The unlikely combinations of the record at hand (reused from record to record).
    warnings: Vec<usize>,
}

/// Writes chunk results in sequence, whatever order they finish in.
struct OrderedWriter<'w, 'p> {
    output: &'w mut dyn Write,
    progress: &'p mut dyn FnMut(Progress),
    /// Results that finished before an earlier chunk's.
    waiting: BTreeMap<u64, Done>,
    /// How many chunks have been written.
    written: u64,
    summary: Summary,
    done: Progress,
    spare_outputs: Vec<Vec<u8>>,
}

impl OrderedWriter<'_, '_> {
    /// Waits for one result, then writes every result that is next in sequence.
    fn receive(
        &mut self,
        results: &mpsc::Receiver<Result<Done, u64>>,
        spare_inputs: &mut Vec<Vec<u8>>,
    ) -> Result<(), BatchError> {
        // Every sender gone without this chunk's result: only a bug can do that.
        let done = results.recv().unwrap_or(Err(self.written));
        self.write_in_order(done, spare_inputs)
    }

    /// Files one result and writes every result that is next in sequence.
    fn write_in_order(&mut self, done: Result<Done, u64>, spare_inputs: &mut Vec<Vec<u8>>) -> Result<(), BatchError> {
        let done = done.map_err(BatchError::Internal)?;
        self.waiting.insert(done.sequence, done);
        while let Some(mut done) = self.waiting.remove(&self.written) {
            self.output.write_all(&done.output).map_err(BatchError::Write)?;
            self.written += 1;
            self.summary.merge(&done.summary);
            self.done.input_bytes += done.input_bytes;
            self.done.records += done.summary.read;
            (self.progress)(self.done);
            done.output.clear();
            self.spare_outputs.push(done.output);
            spare_inputs.push(done.input);
        }
        Ok(())
    }
}
