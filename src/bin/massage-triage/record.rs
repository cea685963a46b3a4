//! The intake's record of every call (`intake --record PATH`): where it goes (a new file
//! in a folder, or one `.json` file), checked before the first question; the draft kept up
//! to date after every answer, so that a signal writes it before the process ends; and the
//! record written by the rule of files.rs (whole, owner-only) when the call ends, however it
//! ends. Never shown, never logged: only its file name is.

use crate::cleanup;
use crate::files::{self, folder_of, write_now, FileError, PersistError};
use massage_triage::intake::record::{record_json, Call, Status};
use massage_triage::intake::skip::PartialAnswers;
use massage_triage::intake::{Ask, Asker, Reply, Review, Stop};
use massage_triage::questionnaire::Questionnaire;
use massage_triage::recommendation::Urgency;
use massage_triage::report::Audience;
use massage_triage::rules::RuleSet;
use massage_triage::text::escape_controls;
use std::path::{Path, PathBuf};

/// Where records go.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// A folder: each call gets a new file there, never over another.
    Folder(PathBuf),
    /// One file (replaced only with `--force`).
    File {
        /// The file.
        path: PathBuf,
        /// `--force`.
        replace: bool,
    },
}

/// Checks, before any question is asked, that a record can be written at `path`: an
/// existing folder, or a `.json` file in one that is not there yet (unless `force`).
pub(crate) fn check_target(path: &Path, force: bool) -> Result<Target, FileError> {
    if path.is_dir() {
        return Ok(Target::Folder(path.to_owned()));
    }
    if !path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        let folder = folder_of(path);
        return Err(FileError::NotJson(path.to_owned(), folder.to_owned()));
    }
    files::check_target(path, force)?;
    Ok(Target::File { path: path.to_owned(), replace: force })
}

/// The time now, in UTC, RFC 3339 to the second (`2026-12-01T18:30:05Z`).
pub(crate) fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// Puts `text` at the target with `write` (which says whether the file was there
/// already): in a folder, under a name made of the time and the id
/// (`20261201T183005Z-booking-1042.json`), with `-2`, `-3`... when that is taken. Returns
/// the file written.
fn place(
    target: &Target,
    id: Option<&str>,
    authored: &str,
    mut write: impl FnMut(&Path, bool) -> Result<(), PersistError>,
) -> Result<PathBuf, FileError> {
    let failed = |path: &Path, error: PersistError| error.about(path);
    let (folder, replace) = match target {
        Target::File { path, replace } => {
            return write(path, *replace).map(|()| path.clone()).map_err(|e| failed(path, e))
        }
        Target::Folder(folder) => (folder, false),
    };
    let stem = file_stem(authored, id);
    for attempt in 1..=1000u32 {
        let name = match attempt {
            1 => format!("{stem}.json"),
            n => format!("{stem}-{n}.json"),
        };
        let path = folder.join(name);
        match write(&path, replace) {
            Ok(()) => return Ok(path),
            Err(PersistError::Exists) => continue,
            Err(error) => return Err(failed(&path, error)),
        }
    }
    Err(FileError::Exists(folder.join(format!("{stem}.json"))))
}

/// `20261201T183005Z` and the id, made safe for a file name on any system (every character
/// but letters, digits, `-`, `_` and `.` becomes `_`; at most 64 of them).
fn file_stem(authored: &str, id: Option<&str>) -> String {
    let time: String = authored.chars().filter(|c| !matches!(c, '-' | ':')).collect();
    let Some(id) = id.filter(|id| !id.is_empty()) else { return time };
    let safe = |c: char| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' };
    let id: String = id.chars().take(64).map(safe).collect();
    format!("{time}-{id}")
}

/// Writes a record whole (registered for clean-up by a signal) from the run's own thread.
fn write_whole(target: &Target, id: Option<&str>, authored: &str, text: &str) -> Result<PathBuf, FileError> {
    place(target, id, authored, |path, replace| files::write_whole(path, text.as_bytes(), replace))
}

/// The path as a message shows it.
pub(crate) fn shown(path: &Path) -> String {
    escape_controls(&path.display().to_string()).into_owned()
}

/// What the intake knows of the call, to record it.
pub(crate) struct Recorder<'a> {
    rule_set: &'a RuleSet,
    target: Target,
    mode: Audience,
    id: Option<String>,
    answers: Vec<Option<massage_triage::answers::Answer>>,
    asked: Vec<bool>,
}

impl<'a> Recorder<'a> {
    /// A recorder of one call to `target`.
    pub(crate) fn new(rule_set: &'a RuleSet, target: Target, mode: Audience, id: Option<String>) -> Self {
        let questions = rule_set.questionnaire.questions.len();
        Recorder { rule_set, target, mode, id, answers: vec![None; questions], asked: vec![false; questions] }
    }

    fn json(&self, status: Status, authored: &str, answers: &PartialAnswers, asked: &[bool]) -> String {
        let call = Call { status, authored, mode: self.mode, id: self.id.as_deref(), answers, asked };
        record_json(self.rule_set, &call)
    }

    /// Keeps the answers so far and hands a signal the record of an interrupted call.
    fn progress(&mut self, answers: &PartialAnswers, asked: &[bool]) {
        self.answers = answers.to_vec();
        self.asked = asked.to_vec();
        let authored = now();
        let text = self.json(Status::Interrupted, &authored, answers, asked);
        let (target, id) = (self.target.clone(), self.id.clone());
        cleanup::set_last_words(Box::new(move || {
            match place(&target, id.as_deref(), &authored, |path, replace| write_now(path, &text, replace)) {
                Ok(path) => format!("the record was written to {}", shown(&path)),
                Err(error) => format!("the record was not written: {error}"),
            }
        }));
    }

    /// Writes the record of a call that ended (`answers` and `asked` as it ended), or of
    /// the answers so far for an interrupted one (`None`). A signal has nothing left to
    /// write then.
    pub(crate) fn write(
        &self,
        status: Status,
        ended: Option<(&PartialAnswers, &[bool])>,
    ) -> Result<PathBuf, FileError> {
        cleanup::clear_last_words();
        let (answers, asked) = ended.unwrap_or((&self.answers, &self.asked));
        let authored = now();
        let text = self.json(status, &authored, answers, asked);
        write_whole(&self.target, self.id.as_deref(), &authored, &text)
    }
}

/// The terminal's asker, telling the recorder of every answer.
pub(crate) struct Recording<'r, 'a> {
    /// The prompts.
    pub asker: &'r mut dyn Asker,
    /// The record, when one is kept.
    pub recorder: Option<&'r mut Recorder<'a>>,
}

impl Asker for Recording<'_, '_> {
    fn ask(&mut self, ask: &Ask<'_>) -> Result<Reply, Stop> {
        self.asker.ask(ask)
    }

    fn review(
        &mut self,
        questionnaire: &Questionnaire,
        answers: &PartialAnswers,
        referral: Option<(Urgency, &str)>,
    ) -> Result<Review, Stop> {
        self.asker.review(questionnaire, answers, referral)
    }

    fn announce(&mut self, urgency: Urgency, tell: &str, why: &str) -> Result<(), Stop> {
        self.asker.announce(urgency, tell, why)
    }

    fn confirm(&mut self, message: &str) -> Result<bool, Stop> {
        self.asker.confirm(message)
    }

    fn progress(&mut self, answers: &PartialAnswers, asked: &[bool]) {
        if let Some(recorder) = self.recorder.as_deref_mut() {
            recorder.progress(answers, asked);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_file_stem_is_the_time_and_a_safe_id() {
        assert_eq!(file_stem("2026-12-01T18:30:05Z", Some("booking-1042")), "20261201T183005Z-booking-1042");
        assert_eq!(file_stem("2026-12-01T18:30:05Z", None), "20261201T183005Z");
        assert_eq!(file_stem("2026-12-01T18:30:05Z", Some("a/b\\c d")), "20261201T183005Z-a_b_c_d");
    }

    #[test]
    fn a_folder_gets_a_new_file_for_each_record_and_never_replaces_one() {
        let dir = tempfile::tempdir().unwrap();
        let target = check_target(dir.path(), false).unwrap();
        let first = write_whole(&target, Some("b-1"), "2026-12-01T18:30:05Z", "{}\n").unwrap();
        let second = write_whole(&target, Some("b-1"), "2026-12-01T18:30:05Z", "{\"a\": 1}\n").unwrap();
        assert_eq!(first.file_name().unwrap(), "20261201T183005Z-b-1.json");
        assert_eq!(second.file_name().unwrap(), "20261201T183005Z-b-1-2.json");
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "{}\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_record_file_must_be_json_in_a_folder_that_exists_and_new_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(check_target(&dir.path().join("r.toml"), false), Err(FileError::NotJson(..))));
        assert!(matches!(check_target(&dir.path().join("no/r.json"), false), Err(FileError::NoFolder(..))));
        let path = dir.path().join("r.json");
        std::fs::write(&path, "keep").unwrap();
        assert!(matches!(check_target(&path, false), Err(FileError::Exists(_))));
        assert!(matches!(check_target(&path, true), Ok(Target::File { replace: true, .. })));
    }
}
