//! Records in: the input cut into chunks of whole records (so chunks can be evaluated in
//! parallel), and each record of a chunk read into [`Answers`] through the same
//! [`AnswerSheet`] validation as answer files, so the messages are the same.

use super::flat_json::read_flat_object;
use super::RecordFormat;
use crate::answers::json_reader::{id_before_error, read_object, Event, JsonError};
use crate::answers::{AnswerProblem, AnswerSheet, Answers, RawValue};
use crate::code::Code;
use crate::diagnostic::{count_newlines, Diagnostic};
use crate::questionnaire::{QuestionKind, Questionnaire};
use crate::suggestion::{closest, one_of, push_did_you_mean};
use crate::text::shown;
use std::borrow::Cow;
use std::io::{self, Read};

/// How many bytes of input a chunk holds at most (about a thousand records of the usual
/// size): large enough that handing a chunk to another thread costs little, small enough
/// that the chunks in flight stay a few megabytes whatever the input's size.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// About how many records a chunk holds. A result can be far larger than its record (`{}`
/// gets a paragraph listing every missing answer), so chunks are cut by record count too,
/// from the lines seen so far: memory stays bounded whatever the records look like.
pub const CHUNK_RECORDS: usize = 1024;

/// The smallest chunk, so that tiny records still come in useful batches.
const MIN_CHUNK_BYTES: usize = 4 * 1024;

/// The longest record accepted (as for an answer file). A longer "line" means the input is
/// not records at all; refusing it keeps memory bounded.
pub const MAX_RECORD_BYTES: usize = crate::diagnostic::MAX_FILE_BYTES as usize;

/// A run of whole records cut from the input.
#[derive(Debug, Default)]
pub struct Chunk {
    /// The records' bytes, ending at a record boundary.
    pub data: Vec<u8>,
    /// The input line the chunk starts on (1-based).
    pub first_line: u64,
    /// How many input bytes the chunk covers (for progress).
    pub input_bytes: u64,
}

/// Cuts the input into chunks that end at a record boundary.
pub struct ChunkReader<'r> {
    reader: &'r mut dyn Read,
    format: RecordFormat,
    carry: Vec<u8>,
    end_of_input: bool,
    next_line: u64,
    /// Bytes to read for the next chunk: [`CHUNK_RECORDS`] lines of the size seen so far.
    target: usize,
}

impl<'r> ChunkReader<'r> {
    /// Reads `reader` as records of `format`.
    pub fn new(reader: &'r mut dyn Read, format: RecordFormat) -> Self {
        Self { reader, format, carry: Vec::new(), end_of_input: false, next_line: 1, target: MIN_CHUNK_BYTES * 4 }
    }

    /// The next chunk, read into `buffer` (reused to spare an allocation); `None` at the end.
    pub fn next_chunk(&mut self, mut buffer: Vec<u8>) -> Result<Option<Chunk>, ChunkError> {
        buffer.clear();
        buffer.append(&mut self.carry);
        let mut target = self.target.max(buffer.len() + self.target / 2);
        // Only the input's first chunk can start with a byte-order mark, which readers skip.
        let at_start = self.next_line == 1;
        let boundary = loop {
            self.fill(&mut buffer, target)?;
            if self.end_of_input {
                break buffer.len();
            }
            let end =
                if at_start { first_record_end(&buffer, self.format) } else { last_record_end(&buffer, self.format) };
            if let Some(end) = end {
                break end;
            }
            if buffer.len() >= MAX_RECORD_BYTES {
                return Err(ChunkError::TooLong { line: self.next_line });
            }
            target *= 2;
        };
        if buffer.is_empty() {
            return Ok(None);
        }
        // A chunk only grows past its size for a long record: is it too long?
        if boundary > CHUNK_BYTES {
            if let Some(index) = lines(&buffer[..boundary]).position(|line| line.len() > MAX_RECORD_BYTES) {
                return Err(ChunkError::TooLong { line: self.next_line + index as u64 });
            }
        }
        self.carry.extend_from_slice(&buffer[boundary..]);
        buffer.truncate(boundary);
        let first_line = self.next_line;
        let lines = count_newlines(&buffer) as u64;
        self.next_line += lines;
        if let Some(line_bytes) = buffer.len().checked_div(usize::try_from(lines).unwrap_or(usize::MAX)) {
            self.target = (line_bytes.max(1) * CHUNK_RECORDS).clamp(MIN_CHUNK_BYTES, CHUNK_BYTES);
        }
        let input_bytes = buffer.len() as u64;
        Ok(Some(Chunk { data: buffer, first_line, input_bytes }))
    }

    /// Reads until `buffer` holds `target` bytes or the input ends.
    fn fill(&mut self, buffer: &mut Vec<u8>, target: usize) -> io::Result<()> {
        let wanted = target.saturating_sub(buffer.len());
        if wanted == 0 || self.end_of_input {
            return Ok(());
        }
        buffer.reserve(wanted);
        // `read_to_end` reads into the spare capacity as it is: no zeroing of every chunk
        // first (as `resize` did). Short of `wanted`, the input has ended.
        let read = (&mut *self.reader).take(wanted as u64).read_to_end(buffer)?;
        if read < wanted {
            self.end_of_input = true;
        }
        Ok(())
    }
}

/// Why the input could not be cut into records.
#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    /// Reading failed.
    #[error("cannot read the input: {0}")]
    Io(#[from] io::Error),
    /// A record longer than [`MAX_RECORD_BYTES`].
    #[error("line {line}: a record longer than {} MiB; expected one record a line", MAX_RECORD_BYTES / (1024 * 1024))]
    TooLong {
        /// Where the record starts.
        line: u64,
    },
}

/// The end (just past the newline) of the last whole record in `bytes`, if any.
/// [`last_record_end`] of the input's very start, where a UTF-8 byte-order mark is no part
/// of the first record (the csv reader skips it: read as a field's text, it hid a quote
/// that opens the field, `\u{feff}"a""\nb"`).
pub(crate) fn first_record_end(bytes: &[u8], format: RecordFormat) -> Option<usize> {
    let skip = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    last_record_end(&bytes[skip..], format).map(|end| end + skip)
}

pub(crate) fn last_record_end(bytes: &[u8], format: RecordFormat) -> Option<usize> {
    match format {
        RecordFormat::Jsonl => memchr::memrchr(b'\n', bytes).map(|end| end + 1),
        RecordFormat::Csv => last_csv_record_end(bytes),
    }
}

/// Where a CSV reader is within a record, as the csv crate's reader sees it: a quote opens
/// a quoted field only at the start of a field; anywhere else it is a plain character
/// (`lower"_back`), and after a quoted field's closing quote the field goes on unquoted.
/// (Counting every quote, as was done before, cut records where the reader did not: one
/// stray quote stopped a run, two let chunks grow without bound.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvState {
    /// At the start of a field (or of a record).
    FieldStart,
    /// In an unquoted field.
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// Just after a quote in a quoted field: the field's end, or the first of `""`.
    QuoteInQuoted,
}

/// The end (just past the newline) of the last newline in `bytes` that ends a CSV record,
/// read from a record's start. Fields are skipped many bytes at a time.
fn last_csv_record_end(bytes: &[u8]) -> Option<usize> {
    // Before the first quote no field is quoted, so every newline ends a record: read from
    // the last of those, and with no quote at all (the usual file) take the last newline.
    let Some(first_quote) = memchr::memchr(b'"', bytes) else {
        return memchr::memrchr(b'\n', bytes).map(|end| end + 1);
    };
    let last = memchr::memrchr(b'\n', &bytes[..first_quote]).map(|end| end + 1);
    let (mut state, mut at, mut last) = (CsvState::FieldStart, last.unwrap_or(0), last);
    while at < bytes.len() {
        let byte = bytes[at];
        state = match state {
            CsvState::Quoted => match memchr::memchr(b'"', &bytes[at..]) {
                Some(quote) => {
                    at += quote + 1;
                    CsvState::QuoteInQuoted
                }
                None => return last,
            },
            CsvState::FieldStart | CsvState::QuoteInQuoted if byte == b'"' => {
                at += 1;
                CsvState::Quoted
            }
            CsvState::FieldStart | CsvState::Unquoted | CsvState::QuoteInQuoted => match byte {
                b',' | b'\r' => {
                    at += 1;
                    CsvState::FieldStart
                }
                b'\n' => {
                    at += 1;
                    last = Some(at);
                    CsvState::FieldStart
                }
                _ => {
                    // The rest of an unquoted field is plain text up to a separator.
                    at += memchr::memchr3(b',', b'\n', b'\r', &bytes[at..]).unwrap_or(bytes.len() - at);
                    CsvState::Unquoted
                }
            },
        };
    }
    last
}

/// A chunk's bytes for the CSV reader, whose first read is one byte long. The csv crate
/// strips a UTF-8 BOM from the start of what it reads, and only a file's start has one: a
/// record at a chunk's start would lose a U+FEFF that the same record keeps in the middle
/// of a chunk (the fuzzer found it). Three bytes are needed to see a BOM; one is not enough.
pub(crate) struct NoBomStrip<'a> {
    data: &'a [u8],
    first: bool,
}

impl<'a> NoBomStrip<'a> {
    /// Reads `data` as it is.
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data, first: true }
    }
}

impl Read for NoBomStrip<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let wanted = if self.first { 1 } else { buffer.len() };
        let n = wanted.min(buffer.len()).min(self.data.len());
        buffer[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.first &= n == 0;
        Ok(n)
    }
}

/// A record that gave no answers: where it is, its reference if it had one, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// The record's `id`, when it could be read.
    pub id: Option<String>,
    /// `line N: what is wrong` (every problem, joined by ` | `).
    pub message: String,
    /// Each problem's code, in the message's order.
    pub codes: Vec<Code>,
}

impl RecordError {
    /// A record refused for one problem.
    pub fn new(id: Option<String>, code: Code, message: String) -> Self {
        RecordError { id, message, codes: vec![code] }
    }

    /// A record refused for these problems (its answers).
    fn of_problems(id: Option<String>, line: u64, problems: &[AnswerProblem]) -> Self {
        RecordError { id, message: describe_problems(line, problems), codes: problems.iter().map(|p| p.code).collect() }
    }
}

/// `line N: problem (did you mean "x"?) | problem ...`.
fn describe_problems(line: u64, problems: &[AnswerProblem]) -> String {
    let mut message = format!("line {line}: ");
    for (index, problem) in problems.iter().enumerate() {
        if index > 0 {
            message.push_str(" | ");
        }
        message.push_str(&problem.message);
        push_did_you_mean(&mut message, problem.suggestion.as_deref());
    }
    message
}

fn problem(key: &str, code: crate::code::Code, message: String) -> AnswerProblem {
    AnswerProblem { key: key.to_owned(), span: None, code, message, suggestion: None }
}

/// Reads one JSON Lines record (`line` without its newline) into answers.
pub fn json_record(questionnaire: &Questionnaire, line: &[u8], number: u64) -> Result<Answers, RecordError> {
    RecordReader::new(questionnaire).json(line, number, None)
}

/// Reads a record with the full reader alone (serde_json underneath): what the quick
/// reader leaves to it, errors included (the tests and the fuzzer compare the two).
pub(crate) fn json_record_by_serde(
    questionnaire: &Questionnaire,
    text: &str,
    number: u64,
) -> Result<Answers, RecordError> {
    json_by_serde(&mut AnswerSheet::new(questionnaire), text, number, None)
}

/// Reads records one after another with one answer sheet, so that its buffers and lookup
/// tables are made once, not once a record.
pub struct RecordReader<'q> {
    questionnaire: &'q Questionnaire,
    sheet: AnswerSheet<'q>,
}

impl<'q> RecordReader<'q> {
    /// A reader for this questionnaire's records.
    pub fn new(questionnaire: &'q Questionnaire) -> Self {
        Self { questionnaire, sheet: AnswerSheet::new(questionnaire) }
    }

    /// Reads one JSON Lines record (`line` without its newline) into answers; `spare`
    /// (answers no longer needed) lends its buffers.
    pub fn json(&mut self, line: &[u8], number: u64, spare: Option<Answers>) -> Result<Answers, RecordError> {
        // One check of the whole line is cheaper than serde_json checking each string.
        let text = std::str::from_utf8(line).map_err(|error| {
            let message = format!("line {number}, byte {}: not UTF-8 text", error.valid_up_to() + 1);
            RecordError::new(None, Code::NotUtf8, message)
        })?;
        let mut id = None;
        if read_flat_object(text, &mut self.sheet, &mut id).is_some() {
            return finish(&mut self.sheet, id, number, spare);
        }
        // The quick reader gave up part way: start again from an empty sheet.
        self.sheet.reset();
        json_by_serde(&mut self.sheet, text, number, spare)
    }

    /// Reads one CSV record into answers (see [`csv_record`]).
    pub fn csv(
        &mut self,
        header: &CsvHeader,
        fields: &csv::ByteRecord,
        number: u64,
        spare: Option<Answers>,
    ) -> Result<Answers, RecordError> {
        csv_into(&mut self.sheet, self.questionnaire, header, fields, number, spare)
    }
}

/// Reads a record with the reader of JSON answer files ([`read_object`]: serde_json
/// underneath, repeated keys refused) into an empty sheet, which it leaves empty.
fn json_by_serde(
    sheet: &mut AnswerSheet<'_>,
    text: &str,
    number: u64,
    spare: Option<Answers>,
) -> Result<Answers, RecordError> {
    let mut id = None;
    let read = read_object(text, |event| match event {
        Event::Entry { key, value, .. } => {
            if let ("id", RawValue::Text(text)) = (key.as_ref(), &value) {
                // Kept to echo on an error record too.
                id = Some(text.clone());
            }
            sheet.set(&key, None, without_places(value), None);
        }
        Event::Repeated { key, first, again } => {
            let column = |offset: usize| text[..offset].chars().count() + 1;
            let message = format!(
                "\"{}\" is given twice (columns {} and {}); each key may be given once",
                shown(&key),
                column(first.start),
                column(again.start)
            );
            sheet.problem(problem(&key, Code::RepeatedKey, message));
        }
    });
    match read {
        Err(JsonError::Syntax { message, column, .. }) => {
            sheet.reset();
            let column = match column {
                0 => String::new(),
                column => format!(", column {column}"),
            };
            let mut message = format!("line {number}{column}: not valid JSON: {message}");
            if !text.trim_start().starts_with('{') {
                // A record that does not even open an object is most likely another format.
                message.push_str("; a JSON Lines record is one JSON object a line (for CSV, pass --input-format csv)");
            }
            Err(RecordError::new(id_before_error(text), Code::Json, message))
        }
        Err(JsonError::NotAnObject(what)) => {
            sheet.reset();
            let message = format!("line {number}: expected a JSON object of answers, not {what}");
            Err(RecordError::new(None, Code::NotAnObject, message))
        }
        Ok(()) => finish(sheet, id, number, spare),
    }
}

/// A value with its list items' places dropped: a record's problems are listed in the
/// order the quick reader finds them, which knows no places (the fuzzer found the two
/// readers listing them in different orders, the sheet sorting placed problems first).
fn without_places(value: RawValue<'_>) -> RawValue<'_> {
    match value {
        RawValue::List(items) => RawValue::List(items.into_iter().map(|(item, _)| (item, None)).collect()),
        other => other,
    }
}

fn finish(
    sheet: &mut AnswerSheet<'_>,
    id: Option<Cow<'_, str>>,
    number: u64,
    spare: Option<Answers>,
) -> Result<Answers, RecordError> {
    sheet.take(spare).map_err(|problems| RecordError::of_problems(id.map(Cow::into_owned), number, &problems))
}

/// What a CSV column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The record's reference.
    Id,
    /// The questionnaire version the record's answers were given under.
    Version,
    /// The answer to the question at this index.
    Question(usize),
}

/// A CSV header: what each column holds.
#[derive(Debug, Clone)]
pub struct CsvHeader {
    /// The columns, in file order.
    pub columns: Vec<Column>,
}

impl CsvHeader {
    /// Reads the header row: each column a question id or `id`; every question present once.
    pub fn parse(
        questionnaire: &Questionnaire,
        fields: &csv::ByteRecord,
        file: &str,
        line: u64,
    ) -> Result<Self, Vec<Diagnostic>> {
        let at_line = |code, message: String| {
            let mut diagnostic = Diagnostic::whole_file(file, code, message);
            diagnostic.line = usize::try_from(line).unwrap_or(usize::MAX);
            diagnostic
        };
        let mut columns = Vec::with_capacity(fields.len());
        let mut problems = Vec::new();
        for (index, field) in fields.iter().enumerate() {
            let field = if index == 0 { field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field) } else { field };
            let name = String::from_utf8_lossy(field);
            let name = name.trim();
            let column = match name {
                "id" => Some(Column::Id),
                "version" => Some(Column::Version),
                _ => questionnaire.index_of(name).map(Column::Question),
            };
            match column {
                Some(column) if columns.contains(&column) => {
                    problems
                        .push(at_line(Code::DuplicateColumn, format!("column \"{name}\" appears twice in the header")));
                }
                Some(column) => columns.push(column),
                None => {
                    let ids = ["id", "version"].into_iter().chain(questionnaire.ids());
                    problems.push(
                        at_line(
                            Code::UnknownColumn,
                            format!(
                                "unknown column \"{}\" in the header; expected id, version or one of {}",
                                shown(name),
                                one_of(questionnaire.ids())
                            ),
                        )
                        .suggest(closest(name, ids)),
                    );
                }
            }
        }
        // Without a version column every record is of version 1: say so once, here.
        let unknown = vec![None; questionnaire.questions.len()];
        let missing = questionnaire.not_asked_before(1, &unknown);
        if !columns.contains(&Column::Version) && !missing.is_empty() {
            let list: Vec<String> = missing.iter().map(|m| m.describe()).collect();
            problems.push(at_line(
                Code::MissingColumn,
                format!(
                    "the header has no column \"version\", so every record would be read as questionnaire version 1, and version {} asks more (nothing is read as \"no\"): {}; add a version column",
                    questionnaire.version,
                    list.join("; ")
                ),
            ));
        }
        for (index, question) in questionnaire.questions.iter().enumerate() {
            if !columns.contains(&Column::Question(index)) {
                problems.push(at_line(
                    Code::MissingColumn,
                    format!("the header has no column \"{}\"; every question needs one", question.id),
                ));
            }
        }
        if problems.is_empty() {
            Ok(CsvHeader { columns })
        } else {
            Err(problems)
        }
    }
}

/// Reads one CSV record into answers. Cells: one-of = the option id; several-of = option
/// ids joined by `;`, or `none` for "none of these"; yes/no = `true`/`false` or `yes`/`no`
/// (any case); numbers = whole numbers; `version` = the questionnaire version. An empty cell
/// is no answer, for every kind of question: missing data is never read as "none".
pub fn csv_record(
    questionnaire: &Questionnaire,
    header: &CsvHeader,
    fields: &csv::ByteRecord,
    number: u64,
) -> Result<Answers, RecordError> {
    RecordReader::new(questionnaire).csv(header, fields, number, None)
}

/// [`csv_record`] with an empty sheet, which it leaves empty.
fn csv_into(
    sheet: &mut AnswerSheet<'_>,
    questionnaire: &Questionnaire,
    header: &CsvHeader,
    fields: &csv::ByteRecord,
    number: u64,
    spare: Option<Answers>,
) -> Result<Answers, RecordError> {
    let mut id = None;
    // An empty cell is no answer: the messages say how to write "none of these".
    sheet.write_none_as(crate::questionnaire::NoneWritten::Word(NONE_OF_THESE));
    if fields.len() > header.columns.len() {
        let message =
            format!("line {number}: {} fields but the header has {} columns", fields.len(), header.columns.len());
        let id = header.columns.iter().zip(fields.iter()).find(|(column, _)| **column == Column::Id);
        let id = id.and_then(|(_, field)| std::str::from_utf8(field).ok()).map(|id| id.trim().to_owned());
        return Err(RecordError::new(id.filter(|id| !id.is_empty()), Code::TooManyFields, message));
    }
    for (column, field) in header.columns.iter().zip(fields.iter()) {
        let Ok(cell) = std::str::from_utf8(field) else {
            let key = match column {
                Column::Id => "id",
                Column::Version => "version",
                Column::Question(index) => questionnaire.questions[*index].id.as_str(),
            };
            sheet.problem(problem(key, Code::NotUtf8, format!("the \"{key}\" cell is not UTF-8 text")));
            continue;
        };
        let cell = trim(cell);
        match column {
            Column::Id => {
                if !cell.is_empty() {
                    id = Some(cell);
                    sheet.set("id", None, RawValue::Text(Cow::Borrowed(cell)), None);
                }
            }
            Column::Version => csv_version(sheet, cell),
            Column::Question(index) => csv_cell(sheet, questionnaire, *index, cell),
        }
    }
    sheet.take(spare).map_err(|problems| RecordError::of_problems(id.map(str::to_owned), number, &problems))
}

/// The `version` cell: a whole number; empty, the version is not given (version 1).
fn csv_version(sheet: &mut AnswerSheet<'_>, cell: &str) {
    if cell.is_empty() {
        return;
    }
    match cell.parse::<i64>() {
        Ok(version) => sheet.set("version", None, RawValue::Integer(version), None),
        Err(_) => sheet.problem(problem(
            "version",
            Code::WrongType,
            format!("`version` must be a whole number (the questionnaire version), not \"{cell}\""),
        )),
    }
}

/// The word a several-of cell holds for "none of these" (an empty cell is no answer).
pub const NONE_OF_THESE: &str = "none";

fn csv_cell(sheet: &mut AnswerSheet<'_>, questionnaire: &Questionnaire, index: usize, cell: &str) {
    let question = &questionnaire.questions[index];
    let key = question.id.as_str();
    let raw = match question.kind {
        // Left unanswered: the sheet reports the missing answer (or, for a conditional
        // question whose condition fails, records it as not asked).
        _ if cell.is_empty() => return,
        QuestionKind::SeveralOf { .. } if cell.eq_ignore_ascii_case(NONE_OF_THESE) => RawValue::List(Vec::new()),
        QuestionKind::SeveralOf { .. } => RawValue::List(
            cell.split(';')
                .map(trim)
                .filter(|item| !item.is_empty())
                .map(|item| (Ok(Cow::Borrowed(item)), None))
                .collect(),
        ),
        QuestionKind::OneOf => RawValue::Text(Cow::Borrowed(cell)),
        QuestionKind::Number { .. } => match cell.parse::<i64>() {
            Ok(number) => RawValue::Integer(number),
            Err(_) => {
                let message = format!("\"{key}\" must be {}, not \"{}\"", question.expectation(), shown(cell));
                return sheet.problem(problem(key, Code::WrongType, message));
            }
        },
        QuestionKind::YesNo => match yes_no(cell) {
            Some(value) => RawValue::Bool(value),
            None => {
                let message = format!("\"{key}\" must be true or false (or yes or no), not \"{}\"", shown(cell));
                return sheet.problem(problem(key, Code::WrongType, message));
            }
        },
    };
    sheet.set(key, None, raw, None);
}

/// `str::trim`, with a quick answer for the usual cell that starts and ends with a visible
/// ASCII character (nothing to trim: `str::trim` was a twentieth of a CSV run).
fn trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    let visible = |byte: Option<&u8>| byte.is_some_and(u8::is_ascii_graphic);
    if visible(bytes.first()) && visible(bytes.last()) {
        text
    } else {
        text.trim()
    }
}

fn yes_no(cell: &str) -> Option<bool> {
    ["true", "yes"]
        .iter()
        .any(|word| cell.eq_ignore_ascii_case(word))
        .then_some(true)
        .or_else(|| ["false", "no"].iter().any(|word| cell.eq_ignore_ascii_case(word)).then_some(false))
}

/// The lines of a chunk (the last one without its newline, possibly empty).
pub fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let text = rest?;
        // memchr searches many bytes at a time (SIMD); lines are read once per record.
        match memchr::memchr(b'\n', text) {
            Some(end) => {
                rest = Some(&text[end + 1..]);
                Some(&text[..end])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_at_every_newline() {
        for text in
            ["", "a", "a\n", "\n\n", "0123456789abcdef\nxy\n\nlonger line of text here\nend", "1234567\n12345678\n"]
        {
            let expected: Vec<&[u8]> = text.as_bytes().split(|b| *b == b'\n').collect();
            assert_eq!(lines(text.as_bytes()).collect::<Vec<_>>(), expected, "{text:?}");
        }
    }

    use crate::rules::RuleSet;
    use proptest::prelude::*;

    const VALID: &str = r#"{"id":"b-1","red_flags":[],"duration":"chronic","severity":5,"worsening":false,"location":["lower_back","leg"],"onset":"posture_stress","contraindications":[],"age":41,"pressure":"medium"}"#;

    /// The quick reader (with its fallback) and serde_json alone agree on a line.
    fn same_as_serde(rule_set: &RuleSet, line: &str) -> Result<(), String> {
        let quick = json_record(&rule_set.questionnaire, line.as_bytes(), 7);
        let serde = json_record_by_serde(&rule_set.questionnaire, line, 7);
        if quick == serde {
            Ok(())
        } else {
            Err(format!("{line:?}: quick {quick:?} != serde {serde:?}"))
        }
    }

    #[test]
    fn the_quick_json_reader_agrees_with_serde_json() {
        let rule_set = RuleSet::built_in().unwrap();
        let edits: &[(&str, &str)] = &[
            ("", ""),
            (":5,", ": 5 ,"),
            (":5,", ":05,"),
            (":5,", ":-0,"),
            (":5,", ":5.0,"),
            (":5,", ":5e0,"),
            (":5,", ":-5,"),
            (":5,", ":9223372036854775807,"),
            (":5,", ":9223372036854775808,"),
            (":5,", ":-9223372036854775808,"),
            (":5,", ":99999999999999999999999,"),
            (":5,", ":null,"),
            (":5,", ":\"5\","),
            (":5,", ":[5],"),
            (":5,", ":{},"),
            (":5,", ":-,"),
            (":false,", ":true,"),
            (":false,", ":truex,"),
            (":false,", ":False,"),
            ("\"chronic\"", "\"chr\\u006fnic\""),
            ("\"chronic\"", "\"chronic\\\""),
            ("\"chronic\"", "\"chrönic\""),
            ("\"chronic\"", "\"chron\tic\""),
            ("[\"lower_back\",\"leg\"]", "[ \"lower_back\" , \"leg\" ]"),
            ("[\"lower_back\",\"leg\"]", "[\"lower_back\",]"),
            ("[\"lower_back\",\"leg\"]", "[\"lower_back\" \"leg\"]"),
            ("[\"lower_back\",\"leg\"]", "[\"leg\",\"leg\"]"),
            ("[\"lower_back\",\"leg\"]", "[[\"leg\"]]"),
            ("[\"lower_back\",\"leg\"]", "[1,\"leg\"]"),
            ("[\"lower_back\",\"leg\"]", "[]"),
            ("\"id\":\"b-1\"", "\"id\":1"),
            ("\"id\":\"b-1\"", "\"age\":41"),
            ("\"id\":\"b-1\"", "\"id\":\"b-1\",\"extra\":1"),
            ("\"id\":\"b-1\"", "\"\":1"),
            ("\"id\":\"b-1\"", "\"id\":\"b-1\",\"id\":\"b-2\""),
            ("\"id\":\"b-1\"", "\"id\":\"b-1\",\"red_flags\":[\"fever\"]"),
            ("\"id\":\"b-1\"", "\"id\":\"b-1\",\"red_fl\\u0061gs\":[\"fever\"]"),
            ("\"id\":\"b-1\"", "\"id\":\"b-1\",\"extra\":1,\"extra\":2"),
            ("\"pressure\":\"medium\"}", "\"pressure\":\"medium\",}"),
            ("\"pressure\":\"medium\"}", "\"pressure\":\"medium\"} x"),
            ("\"pressure\":\"medium\"}", "\"pressure\":\"medium\"}}"),
            ("\"pressure\":\"medium\"}", "\"pressure\":\"medium\""),
            ("\"pressure\":\"medium\"}", "\"pressure\":\"medium\"}\t\r "),
        ];
        for (from, to) in edits {
            same_as_serde(&rule_set, &VALID.replacen(from, to, 1)).unwrap();
        }
        for line in ["{}", "{ }", "[]", "\"text\"", "5", "null", "{\"a\"}", "{\"a\":}", "{,}", "{\"a\":1", "", " "] {
            same_as_serde(&rule_set, line).unwrap();
        }
    }

    #[test]
    fn a_reused_reader_reads_each_record_as_a_fresh_one() {
        let rule_set = RuleSet::built_in().unwrap();
        let questionnaire = &rule_set.questionnaire;
        let lines = [
            VALID.to_owned(),
            VALID.replacen("\"age\":41", "\"age\":410", 1),
            VALID.replacen("\"chronic\"", "\"chr\\u006fnic\"", 1),
            VALID.replacen("\"id\":\"b-1\",", "", 1),
            "{\"red_flags\": [\"fever\"".to_owned(),
            VALID.replacen("\"id\":\"b-1\"", "\"id\":\"a much longer booking reference\"", 1),
            VALID.replacen("[\"lower_back\",\"leg\"]", "[\"leg\",\"leg\"]", 1),
            "{}".to_owned(),
            VALID.replacen("\"id\":\"b-1\"", "\"id\":\"b-2\"", 1),
        ];
        let mut reader = RecordReader::new(questionnaire);
        let mut spare = None;
        for (number, line) in lines.iter().enumerate() {
            let reused = reader.json(line.as_bytes(), number as u64, spare.take());
            assert_eq!(reused, json_record(questionnaire, line.as_bytes(), number as u64), "{line}");
            spare = reused.ok();
        }
    }

    proptest! {
        /// Any edit of a valid record (a byte replaced, inserted or removed) is read the
        /// same by the quick reader and by serde_json.
        #[test]
        fn edited_records_are_read_as_serde_json_reads_them(
            at in 0..VALID.len(),
            byte in prop::sample::select(b" \t\r\n{}[]:,\"\\-+.e0159atfnlux\xc3\xa9\x01".to_vec()),
            how in 0..3u8,
        ) {
            let rule_set = RuleSet::built_in().unwrap();
            let mut bytes = VALID.as_bytes().to_vec();
            match how {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ => { bytes.remove(at); }
            }
            if let Ok(line) = String::from_utf8(bytes) {
                prop_assert!(same_as_serde(&rule_set, &line).is_ok(), "{}", same_as_serde(&rule_set, &line).unwrap_err());
            }
        }
    }

    proptest! {
        /// A record with one of its entries given again anywhere is refused, by both
        /// readers in the same words, naming the key (whatever the value given again).
        #[test]
        fn a_repeated_key_is_refused_by_both_readers_alike(
            entry in 0..11usize,
            at in 0..11usize,
            value in prop::sample::select(vec!["[]", "[\"fever\"]", "1", "\"x\"", "null"]),
        ) {
            let rule_set = RuleSet::built_in().unwrap();
            let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(VALID).unwrap();
            let mut entries: Vec<String> = object.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let key = object.keys().nth(entry % object.len()).unwrap().clone();
            entries.insert(at.min(entries.len()), format!("\"{key}\":{value}"));
            let line = format!("{{{}}}", entries.join(","));
            prop_assert!(same_as_serde(&rule_set, &line).is_ok(), "{}", same_as_serde(&rule_set, &line).unwrap_err());
            let error = json_record(&rule_set.questionnaire, line.as_bytes(), 7).unwrap_err();
            prop_assert!(error.message.contains(&format!("\"{key}\" is given twice")), "{}", error.message);
        }
    }

    /// A reader that gives a few bytes at a time, and is sometimes interrupted.
    struct Trickle<'a> {
        data: &'a [u8],
        calls: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls % 5 == 0 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = (self.calls % 7 + 1).min(buffer.len()).min(self.data.len());
            buffer[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn chunks_hold_every_byte_in_order_from_a_slow_reader() {
        let mut text = Vec::new();
        for number in 0..3000 {
            text.extend_from_slice(format!("{{\"id\":\"r{number}\"}}\n").as_bytes());
        }
        text.extend_from_slice(b"{\"last\":\"no newline\"}");
        let mut trickle = Trickle { data: &text, calls: 0 };
        let mut reader = ChunkReader::new(&mut trickle, RecordFormat::Jsonl);
        let (mut all, mut line, mut chunks) = (Vec::new(), 1, 0);
        while let Some(chunk) = reader.next_chunk(Vec::new()).unwrap() {
            assert_eq!(chunk.first_line, line);
            assert_eq!(chunk.input_bytes, chunk.data.len() as u64);
            line += count_newlines(&chunk.data) as u64;
            if all.len() + chunk.data.len() < text.len() {
                assert!(chunk.data.ends_with(b"\n"), "a chunk ends at a record boundary");
            }
            all.extend_from_slice(&chunk.data);
            chunks += 1;
        }
        assert_eq!(all, text);
        assert!(chunks > 1, "{chunks}");
    }

    #[test]
    fn cells_are_trimmed_as_str_trim_trims_them() {
        for text in ["", " ", "a", " a", "a ", "\ta b\n", "\u{a0}a", "a\u{2003}", "é", " é ", "a\u{85}", "\u{1}a"] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn csv_chunks_end_outside_quotes() {
        let text = b"a,b\n\"x\ny\",1\n\"open\n";
        assert_eq!(last_record_end(text, RecordFormat::Csv), Some(12));
        assert_eq!(last_record_end(text, RecordFormat::Jsonl), Some(text.len()));
        assert_eq!(last_record_end(b"\"a\nb", RecordFormat::Csv), None);
        // A quote inside an unquoted field is a character, as the csv reader reads it.
        assert_eq!(last_record_end(b"a,lower\"_back\nb,c\n", RecordFormat::Csv), Some(18));
        assert_eq!(last_record_end(b"\"a\"b\"\nc\n", RecordFormat::Csv), Some(8));
        // At the input's start a byte-order mark is skipped, as the csv reader skips it: the
        // quote after it opens a quoted field, whose `""` and newline are its text.
        assert_eq!(first_record_end(b"\xEF\xBB\xBF\"\"\"\na", RecordFormat::Csv), None);
        assert_eq!(first_record_end(b"\xEF\xBB\xBF\"\"\"\na\"\nb\n", RecordFormat::Csv), Some(12));
        assert_eq!(last_record_end(b"\xEF\xBB\xBF\"\"\"\na", RecordFormat::Csv), Some(7));
    }

    #[test]
    fn stray_quotes_far_apart_keep_csv_chunks_small() {
        // Counting quotes made the text between two stray quotes one "record": chunks grew
        // to hold it (memory rose from 11 to 79 MB on a 20,000-row file).
        let mut text = Vec::new();
        for row in 0..40_000 {
            let location = if row == 10 || row == 30_000 { "lower\"_back" } else { "lower_back" };
            text.extend_from_slice(
                format!("r-{row},,chronic,5,false,{location},posture_stress,,41,medium\n").as_bytes(),
            );
        }
        let mut input = &text[..];
        let mut reader = ChunkReader::new(&mut input, RecordFormat::Csv);
        let mut total = 0;
        while let Some(chunk) = reader.next_chunk(Vec::new()).unwrap() {
            assert!(chunk.data.len() <= CHUNK_BYTES * 2, "a chunk of {} bytes", chunk.data.len());
            total += chunk.data.len();
        }
        assert_eq!(total, text.len());
    }

    fn csv_records(bytes: impl Read) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
        reader.byte_records().map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect()).collect()
    }

    proptest! {
        /// Wherever the chunker cuts generated CSV (stray quotes, quoted fields, CR, LF), the
        /// csv reader reads the two parts as the records it reads in the whole.
        #[test]
        fn the_csv_chunker_cuts_where_the_csv_reader_ends_a_record(
            text in prop::collection::vec(prop::sample::select(b"ab,\"\n\r \xef\xbb\xbf".to_vec()), 0..80),
            length in 0..80usize,
        ) {
            // The text is an input's start: its first chunk.
            let prefix = &text[..length.min(text.len())];
            if let Some(end) = first_record_end(prefix, RecordFormat::Csv) {
                prop_assert_eq!(prefix[end - 1], b'\n');
                let mut parts = csv_records(&text[..end]);
                parts.extend(csv_records(NoBomStrip::new(&text[end..])));
                prop_assert_eq!(parts, csv_records(&text[..]));
            }
            if !prefix.contains(&b'"') {
                prop_assert_eq!(first_record_end(prefix, RecordFormat::Csv), memchr::memrchr(b'\n', prefix).map(|e| e + 1));
            }
            // Past the start, a chunk is read as it is (NoBomStrip).
            if let Some(end) = last_record_end(prefix, RecordFormat::Csv) {
                let mut parts = csv_records(NoBomStrip::new(&text[..end]));
                parts.extend(csv_records(NoBomStrip::new(&text[end..])));
                prop_assert_eq!(parts, csv_records(NoBomStrip::new(&text[..])));
            }
        }
    }
}
