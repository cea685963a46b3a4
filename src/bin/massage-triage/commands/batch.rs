//! `batch`: many answer sets in, one result per record out, a summary on standard error.

use super::{load_rule_set, CommandError, Context, Ended};
use crate::cleanup::BATCH_PREFIX;
use crate::cli::BatchArgs;
use crate::files::{self, folder_of, is_special, PersistError, WholeFile};
use massage_triage::batch::input::{ChunkError, MAX_RECORD_BYTES};
use massage_triage::batch::{run_batch, BatchError, BatchOptions, Progress, RecordFormat, Summary};
use massage_triage::code::Code;
use massage_triage::diagnostic::{Diagnostic, Diagnostics};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

/// Inputs smaller than this finish before a progress bar would be worth drawing.
const PROGRESS_MIN_BYTES: u64 = 32 * 1024 * 1024;

/// How much of an input of unknown format is read ahead to recognise it (a CSV header
/// line, or the `{` of a JSON record); later reads larger than this pass straight through.
const INPUT_PEEK_BYTES: usize = 64 * 1024;

/// Output buffer: large writes pass straight through; small ones are gathered.
const OUTPUT_BUFFER_BYTES: usize = 256 * 1024;

pub(super) fn run(args: &BatchArgs, context: &mut Context<'_>) -> Result<Ended, CommandError> {
    let input_path = args.input.as_deref().filter(|p| *p != Path::new("-"));
    let output_path = args.output.as_deref().filter(|p| *p != Path::new("-"));
    let force = args.overwrite.force;
    // An output that may not be written is refused before a record is read.
    if let Some(path) = output_path {
        files::check_target(path, force).map_err(|e| CommandError::Usage(e.to_string()))?;
    }
    let rule_set = load_rule_set(args.rules.rules.as_deref(), context)?;
    // A signal (Ctrl-C, SIGTERM, SIGHUP) ends the run from the binary's handler, even while
    // a read blocks: the temporary file is removed and the old file left as it was.
    let options = BatchOptions {
        input_name: input_path.map_or("-".to_owned(), |p| p.display().to_string()),
        input_format: format(args.input_format, input_path),
        output_format: format(args.output_format, output_path),
        stop: None,
    };
    if let Some(path) = output_path.filter(|p| !is_special(p)) {
        remove_stale_temporary_files(path, context);
    }
    let mut file;
    let opened: &mut dyn Read = match input_path {
        Some(path) => {
            file = open_input(path, &options.input_name)?;
            &mut file
        }
        None => &mut context.input,
    };
    // Neither `--input-format` nor an extension says the format: the input's start does.
    let mut peeked = BufReader::with_capacity(INPUT_PEEK_BYTES, opened);
    let mut options = options;
    if args.input_format.is_none() && input_path.and_then(RecordFormat::from_path).is_none() {
        let start = peeked.fill_buf().map_err(|e| read_error(&options.input_name, &e))?;
        if let Some(recognised) = RecordFormat::recognise(start, &rule_set.questionnaire) {
            options.input_format = recognised;
        }
    }
    let input: &mut dyn Read = &mut peeked;
    let mut progress = ProgressBar::new(context.terminal.stderr, input_path);
    let mut on_progress = |p: Progress| progress.update(p);
    let result = match output_path {
        // A device or a pipe (/dev/null, /dev/stdout, a FIFO) is written as it is: renaming a
        // file over it would replace it.
        Some(path) if is_special(path) => {
            write_special(path, |out| run_batch(&rule_set, input, out, &options, &mut on_progress))
        }
        Some(path) => write_file(path, force, |out| run_batch(&rule_set, input, out, &options, &mut on_progress)),
        None => {
            let mut out = BufWriter::with_capacity(OUTPUT_BUFFER_BYTES, &mut context.out);
            let result = run_batch(&rule_set, input, &mut out, &options, &mut on_progress);
            // Whatever the result, what was written is flushed (run_batch flushes on success).
            drop(out);
            result
        }
    };
    progress.finish();
    if let Err(BatchError::Interrupted) = result {
        let kept = output_path.map_or(String::new(), |p| format!("; {} was left as it was", shown_path(p)));
        writeln!(context.err, "interrupted{kept}")?;
        return Ok(Ended::Interrupted);
    }
    // A reader that stopped reading (`batch | head -1`) is no failure: end quietly, as
    // ripgrep and the Unix tools do, with 0 (the README says why not 141).
    if let Err(BatchError::Write(error)) = &result {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            return Ok(Ended::Done);
        }
    }
    let summary = result.map_err(|error| batch_error(error, &options))?;
    writeln!(context.err, "{}", summary_text(&summary))?;
    Ok(if summary.refused > 0 { Ended::SomeRefused } else { Ended::Done })
}

/// Opens the input; a folder, or a file that cannot be opened, is bad input (exit 2), as
/// for `assess`.
fn open_input(path: &Path, name: &str) -> Result<File, CommandError> {
    if path.is_dir() {
        let message = "is a folder; expected a file of records (JSON Lines or CSV)";
        return Err(Diagnostic::whole_file(name, Code::Unreadable, message).into());
    }
    File::open(path)
        .map_err(|e| Diagnostic::whole_file(name, Code::Unreadable, format!("cannot read the file: {e}")).into())
}

/// The input could not be read.
fn read_error(name: &str, error: &std::io::Error) -> CommandError {
    Diagnostic::whole_file(name, Code::Unreadable, format!("cannot read the input: {error}")).into()
}

/// A path for a message: control characters escaped.
fn shown_path(path: &Path) -> String {
    massage_triage::text::escape_controls(&path.display().to_string()).into_owned()
}

/// A run killed outright (kill -9) leaves its temporary file: the next run into the same
/// folder removes it (one it can lock: no running process has it) and says so.
fn remove_stale_temporary_files(output: &Path, context: &mut Context<'_>) {
    let removed = crate::cleanup::remove_stale(folder_of(output));
    if removed.is_empty() {
        return;
    }
    let names: Vec<String> = removed.iter().map(|p| shown_path(p)).collect();
    let _ = writeln!(
        context.err,
        "{}: removed {} unfinished temporary file(s) left by a batch run that was killed: {}",
        context.paint_err().warn("note"),
        removed.len(),
        names.join(", ")
    );
}

/// The format asked for, or the one the file's extension says, or JSON Lines.
fn format(asked: Option<RecordFormat>, path: Option<&Path>) -> RecordFormat {
    match asked {
        Some(asked) => asked,
        None => path.and_then(RecordFormat::from_path).unwrap_or(RecordFormat::Jsonl),
    }
}

/// Writes `path` by the rule of files.rs, streaming: into a temporary file in the same
/// folder, renamed over `path` only when the run got to the end (and only if there is none
/// by then, unless `force`), so a failure or a crash never leaves half a file in place of a
/// good one.
fn write_file(
    path: &Path,
    force: bool,
    write: impl FnOnce(&mut dyn Write) -> Result<Summary, BatchError>,
) -> Result<Summary, BatchError> {
    // Errors name the output, not the temporary file (tempfile adds its own path to write
    // errors: a full disk named `.massage-triage-batch-…`, a file the user never named).
    let named = |error: std::io::Error| {
        let error = std::io::Error::new(error.kind(), format!("{}: {}", shown_path(path), without_path(&error)));
        BatchError::Write(error)
    };
    // Registered as it is created, then locked: a signal removes it, and a later run can
    // tell it is in use.
    let temporary = WholeFile::create(path, BATCH_PREFIX).map_err(named)?;
    crate::cleanup::lock_in_use(temporary.file()).map_err(named)?;
    let mut out = BufWriter::with_capacity(OUTPUT_BUFFER_BYTES, temporary.file());
    let summary = match write(&mut out) {
        Err(BatchError::Write(error)) => return Err(named(error)),
        other => other?,
    };
    out.flush().map_err(named)?;
    drop(out);
    temporary.persist(force).map_err(|error| match error {
        PersistError::Io(error) => named(error),
        // Made while the records were read (checked before): the results are not put over it.
        PersistError::Exists => BatchError::Write(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            files::FileError::Exists(path.to_owned()).to_string(),
        )),
    })?;
    Ok(summary)
}

/// An I/O error's message without the path tempfile appends (`… at path "…"`).
fn without_path(error: &std::io::Error) -> String {
    let text = error.to_string();
    text.find(" at path ").map_or(text.clone(), |at| text[..at].to_owned())
}

/// Writes straight into something that is not a regular file.
fn write_special(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<Summary, BatchError>,
) -> Result<Summary, BatchError> {
    let file = std::fs::OpenOptions::new().write(true).open(path).map_err(|error| {
        BatchError::Write(std::io::Error::new(error.kind(), format!("{}: {error}", path.display())))
    })?;
    write(&mut BufWriter::with_capacity(OUTPUT_BUFFER_BYTES, file))
}

fn batch_error(error: BatchError, options: &BatchOptions) -> CommandError {
    let name = &options.input_name;
    match error {
        BatchError::Header(problems) => CommandError::Input(Diagnostics(problems)),
        BatchError::Read(ChunkError::TooLong { line }) => {
            let message = format!("a record longer than {} MiB; expected one record a line", MAX_RECORD_BYTES >> 20);
            let mut diagnostic = Diagnostic::whole_file(name, Code::TooLong, message);
            diagnostic.line = usize::try_from(line).unwrap_or(usize::MAX);
            CommandError::Input(diagnostic.into())
        }
        // The input could not be read (as for an answer file: bad input, exit 2).
        BatchError::Read(ChunkError::Io(error)) => {
            Diagnostic::whole_file(name, Code::Unreadable, format!("cannot read the input: {error}")).into()
        }
        BatchError::Write(_) | BatchError::Internal(_) | BatchError::Interrupted => {
            CommandError::Failure(anyhow::anyhow!("{error}"))
        }
    }
}

/// The summary shown on standard error.
fn summary_text(summary: &Summary) -> String {
    let mut text = summary.to_string();
    if summary.refused > 0 {
        text.push_str("\nrefused records have an `error` field naming the line and the answer; exit status 2");
    }
    text
}

/// A progress bar on standard error, drawn only when it is a terminal and the input is a
/// file large enough to take a while (the size of standard input is not known).
struct ProgressBar(Option<indicatif::ProgressBar>);

impl ProgressBar {
    fn new(stderr_is_terminal: bool, input: Option<&Path>) -> Self {
        let size = input.and_then(|path| std::fs::metadata(path).ok()).map_or(0, |m| m.len());
        if !stderr_is_terminal || size < PROGRESS_MIN_BYTES {
            return ProgressBar(None);
        }
        let bar = indicatif::ProgressBar::with_draw_target(Some(size), indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} ({eta} left)")
        {
            bar.set_style(style);
        }
        ProgressBar(Some(bar))
    }

    fn update(&mut self, progress: Progress) {
        if let Some(bar) = &self.0 {
            bar.set_position(progress.input_bytes);
            bar.set_message(format!("{} records", progress.records));
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}
