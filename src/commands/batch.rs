//! `batch`: many answer sets in, one result per record out, a summary on standard error.

use super::{exit, load_rule_set, CommandError, Context};
use crate::batch::input::{ChunkError, MAX_RECORD_BYTES};
use crate::batch::{run_batch, BatchError, BatchOptions, Progress, RecordFormat, Summary};
use crate::cli::{self, BatchArgs};
use crate::diagnostic::{Diagnostic, Diagnostics};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Inputs smaller than this finish before a progress bar would be worth drawing.
const PROGRESS_MIN_BYTES: u64 = 32 * 1024 * 1024;

/// Output buffer: large writes pass straight through; small ones are gathered.
const OUTPUT_BUFFER_BYTES: usize = 256 * 1024;

pub(super) fn run(args: &BatchArgs, context: &mut Context<'_>) -> Result<u8, CommandError> {
    let rule_set = load_rule_set(args.rules.rules.as_deref())?;
    let input_path = args.input.as_deref().filter(|p| *p != Path::new("-"));
    let output_path = args.output.as_deref().filter(|p| *p != Path::new("-"));
    // Ctrl-C while writing a file: stop, remove the temporary file, leave the old file as
    // it was, exit 130. Not when records are typed at a terminal: a blocked read would not
    // see the request, and the default (the process ends at once) is what is wanted there.
    let stop = (output_path.is_some() && (input_path.is_some() || !context.terminal.stdin)).then(watch_ctrl_c);
    let options = BatchOptions {
        input_name: input_path.map_or("-".to_owned(), |p| p.display().to_string()),
        input_format: format(args.input_format, input_path),
        output_format: format(args.output_format, output_path),
        stop,
    };
    let mut file;
    let input: &mut dyn Read = match input_path {
        Some(path) => {
            file = File::open(path).map_err(|e| {
                Diagnostic::whole_file(&options.input_name, "unreadable", format!("cannot read the file: {e}"))
            })?;
            &mut file
        }
        None => &mut context.input,
    };
    let mut progress = ProgressBar::new(context.terminal.stderr, input_path);
    let mut on_progress = |p: Progress| progress.update(p);
    let result = match output_path {
        // A device or a pipe (/dev/null, /dev/stdout, a FIFO) is written as it is: renaming a
        // file over it would replace it.
        Some(path) if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) => {
            write_special(path, |out| run_batch(&rule_set, input, out, &options, &mut on_progress))
        }
        Some(path) => write_file(path, |out| run_batch(&rule_set, input, out, &options, &mut on_progress)),
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
        let kept = output_path.map_or(String::new(), |p| format!("; {} was left as it was", p.display()));
        writeln!(context.err, "interrupted{kept}")?;
        return Ok(exit::INTERRUPTED);
    }
    let summary = result.map_err(|error| batch_error(error, &options))?;
    writeln!(context.err, "{}", summary_text(&summary))?;
    Ok(if summary.refused > 0 { exit::BAD_INPUT } else { exit::OK })
}

/// Set by the Ctrl-C handler.
static STOP: AtomicBool = AtomicBool::new(false);

/// Turns Ctrl-C into a request to stop (if no handler is installed yet).
fn watch_ctrl_c() -> &'static AtomicBool {
    // An error means a handler is already installed; the default behaviour then stays.
    let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::Relaxed));
    &STOP
}

/// The format asked for, or the one the file's extension says, or JSON Lines.
fn format(asked: Option<cli::RecordFormat>, path: Option<&Path>) -> RecordFormat {
    match asked {
        Some(cli::RecordFormat::Jsonl) => RecordFormat::Jsonl,
        Some(cli::RecordFormat::Csv) => RecordFormat::Csv,
        None => path.and_then(RecordFormat::from_path).unwrap_or(RecordFormat::Jsonl),
    }
}

/// Writes `path` whole: into a temporary file in the same folder, renamed over `path` only
/// when the run got to the end, so a failure or a crash never leaves half a file in place
/// of a good one. The file is readable by its owner only (answers are health information).
fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<Summary, BatchError>,
) -> Result<Summary, BatchError> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let named = |error: std::io::Error| {
        BatchError::Write(std::io::Error::new(error.kind(), format!("{}: {error}", path.display())))
    };
    // tempfile creates the file with mode 0600.
    let temporary = tempfile::Builder::new().prefix(".massage-triage-batch-").tempfile_in(folder).map_err(named)?;
    let mut out = BufWriter::with_capacity(OUTPUT_BUFFER_BYTES, temporary);
    let summary = write(&mut out)?;
    // Ctrl-C may also have ended the input early (it reaches the whole pipeline).
    if STOP.load(Ordering::Relaxed) {
        return Err(BatchError::Interrupted);
    }
    let temporary = out.into_inner().map_err(|e| named(e.into_error()))?;
    temporary.as_file().sync_all().map_err(named)?;
    temporary.persist(path).map_err(|e| named(e.error))?;
    Ok(summary)
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
            let mut diagnostic = Diagnostic::whole_file(name, "too-long", message);
            diagnostic.line = usize::try_from(line).unwrap_or(usize::MAX);
            CommandError::Input(diagnostic.into())
        }
        BatchError::Read(_) => CommandError::Failure(anyhow::anyhow!("{name}: {error}")),
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
