//! A problem found in a file a person wrote (rule set, answer file, batch record): where it
//! is, what was expected, and the closest valid name.

mod toml_words;

use crate::code::Code;
use crate::suggestion::push_did_you_mean;
pub use crate::text::MAX_EXCERPT_CHARS;
use crate::text::{capped, escape_controls, excerpt, floor_char_boundary};
use std::fmt;
use std::ops::Range;
use std::path::Path;

/// The largest file the tool reads: rule files and answer files are small; anything larger
/// is a mistake (the wrong file), refused before it is parsed.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// One problem, pointing at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user named it (`-` for standard input).
    pub file: String,
    /// 1-based line, 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column (in characters), 0 when unknown.
    pub column: usize,
    /// A stable code, e.g. `unknown-option`, for scripts and documentation.
    pub code: crate::code::Code,
    /// What is wrong and what was expected.
    pub message: String,
    /// The closest valid name, when there is one.
    pub suggestion: Option<String>,
    /// The offending line of the file (at most [`MAX_EXCERPT_CHARS`] characters around
    /// the problem, control characters escaped), for a caret under the problem.
    pub excerpt: Option<String>,
    /// How many characters of the excerpt come before the caret.
    pub caret: usize,
}

impl Diagnostic {
    /// A problem with the whole file (unreadable, too large, not UTF-8).
    pub fn whole_file(file: &str, code: crate::code::Code, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: 0,
            column: 0,
            code,
            message: message.into(),
            suggestion: None,
            excerpt: None,
            caret: 0,
        }
    }

    /// Adds a "did you mean" suggestion.
    pub fn suggest(mut self, suggestion: Option<&str>) -> Self {
        self.suggestion = suggestion.map(str::to_owned);
        self
    }

    /// The one-line form: `file:line:column: message (did you mean "x"?)`, with control
    /// characters escaped (the message may quote a value from the input).
    pub fn headline(&self) -> String {
        capped(&escape_controls(&self.plain_headline())).into_owned()
    }

    fn plain_headline(&self) -> String {
        let mut text = match (self.line, self.column) {
            (0, _) => format!("{}: {}", self.file, self.message),
            (line, 0) => format!("{}:{}: {}", self.file, line, self.message),
            (line, column) => format!("{}:{}:{}: {}", self.file, line, column, self.message),
        };
        push_did_you_mean(&mut text, self.suggestion.as_deref());
        text
    }
}

/// The one-line form ([`Diagnostic::headline`]); `report::render_diagnostics` draws a
/// problem in full, with its line and a caret.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())
    }
}

/// Every problem found in one pass; loading collects them all before failing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds a problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was found, the problems otherwise.
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Self(vec![diagnostic])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// How many line ends (`\n`, which also ends a CRLF line) `bytes` holds: a byte offset's
/// line number is one more than the count before it, in a file a person wrote as in a batch
/// input. memchr counts many bytes at a time (a `filter().count()` is not vectorised: over
/// each batch chunk it once took about a tenth of a run).
pub fn count_newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// The text of a file with its name, able to turn byte offsets into lines and columns.
#[derive(Debug, Clone, Copy)]
pub struct SourceText<'a> {
    /// The file as the user named it.
    pub name: &'a str,
    /// Its whole text.
    pub text: &'a str,
}

impl<'a> SourceText<'a> {
    /// Wraps a file's name and text.
    pub fn new(name: &'a str, text: &'a str) -> Self {
        Self { name, text }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset);
        let before = &self.text[..offset];
        let line = count_newlines(before.as_bytes()) + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = self.text[line_start..offset].chars().count() + 1;
        (line, column)
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_column(offset).0
    }

    /// Replaces byte offsets with 1-based line numbers in one pass over the text; cheaper
    /// than [`Self::line_of`] for each when there are many (as when a rule set loads).
    pub fn offsets_to_lines<'o>(&self, offsets: impl IntoIterator<Item = &'o mut usize>) {
        let bytes = self.text.as_bytes();
        let (mut position, mut line) = (0, 1);
        for offset in offsets {
            let target = (*offset).min(bytes.len());
            if target < position {
                (position, line) = (0, 1);
            }
            line += count_newlines(&bytes[position..target]);
            position = target;
            *offset = line;
        }
    }

    /// A problem at a span of this file; the excerpt is its line, cut around the place.
    pub fn error(&self, span: Range<usize>, code: crate::code::Code, message: impl Into<String>) -> Diagnostic {
        self.error_within(span, 0..self.text.len(), code, message)
    }

    /// A problem at a span of this file whose excerpt shows no text outside `bounds` (the
    /// one answer at fault, when a line holds several: answers are health data).
    pub fn error_within(
        &self,
        span: Range<usize>,
        bounds: Range<usize>,
        code: crate::code::Code,
        message: impl Into<String>,
    ) -> Diagnostic {
        let at = floor_char_boundary(self.text, span.start);
        let (line, column) = self.line_column(at);
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[at..].find('\n').map_or(self.text.len(), |i| at + i);
        let start = floor_char_boundary(self.text, bounds.start.clamp(line_start, at));
        let end = floor_char_boundary(self.text, bounds.end.clamp(at, line_end));
        let shown = self.text[start..end].trim_end();
        let (excerpt, caret) = excerpt(shown, at - start);
        Diagnostic {
            file: self.name.to_owned(),
            line,
            column,
            code,
            message: message.into(),
            suggestion: None,
            excerpt: Some(excerpt),
            caret,
        }
    }

    /// A syntax or type error reported by the TOML parser.
    pub fn toml_error(&self, error: &toml::de::Error) -> Diagnostic {
        let span = error.span().or_else(|| self.spanless_toml_error_line(error.message().trim()));
        let (mut message, span) = toml_words::plain(error.message().trim(), self.text, span);
        if message.contains("recursion") {
            message.push_str(
                ": nested too deeply (a dotted key of too many parts, or lists or tables inside one another)",
            );
        }
        match span {
            Some(span) => self.error(span, Code::Toml, message),
            None => Diagnostic::whole_file(self.name, Code::Toml, message),
        }
    }

    /// The place of a TOML error that the parser gives none for (a 2,000-part dotted key
    /// hits its recursion limit): the start of the first line whose text, up to and with
    /// that line, already gives the same error (found by bisection over the lines).
    fn spanless_toml_error_line(&self, message: &str) -> Option<Range<usize>> {
        let ends: Vec<usize> = self.text.match_indices('\n').map(|(i, _)| i + 1).chain([self.text.len()]).collect();
        let same_error = |end: usize| match toml::de::DeTable::parse(&self.text[..end]) {
            Err(error) => error.span().is_none() && error.message().trim() == message,
            Ok(_) => false,
        };
        let first = ends.partition_point(|end| !same_error(*end));
        let end = *ends.get(first)?;
        if !same_error(end) {
            return None;
        }
        let start = self.text[..end].trim_end_matches('\n').rfind('\n').map_or(0, |i| i + 1);
        Some(start..start)
    }
}

/// Reads a file a person wrote: refuses one larger than [`MAX_FILE_BYTES`] or not UTF-8, with
/// a message naming the file. `-` is not handled here (the caller reads standard input).
pub fn read_text_file(path: &Path) -> Result<String, Diagnostics> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| Diagnostic::whole_file(&name, Code::Unreadable, format!("cannot read the file: {e}")))
        .map_err(Diagnostics::from)?;
    read_limited(file, &name)
}

/// Reads at most [`MAX_FILE_BYTES`] from a reader as UTF-8 text.
pub fn read_limited(reader: impl std::io::Read, name: &str) -> Result<String, Diagnostics> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Diagnostic::whole_file(name, Code::Unreadable, format!("cannot read the file: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Diagnostic::whole_file(
            name,
            Code::TooLarge,
            format!("the file is larger than {} KiB; expected a small TOML or JSON file", MAX_FILE_BYTES / 1024),
        )
        .into());
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.into_bytes()[..offset]).into_owned();
        let (line, column) = SourceText::new(name, &text).line_column(offset);
        Diagnostic {
            line,
            column,
            ..Diagnostic::whole_file(name, Code::NotUtf8, "the file is not UTF-8 text; save it as UTF-8")
        }
        .into()
    })
}
