//! The files the tool writes at a path the user names (`intake --save` and `--record`,
//! `batch --output`, `rules print --output`, `rules export --output`, `rules init DIR`), and
//! the one rule they follow (README, "Files the tool writes"):
//!
//! - checked before any work (before the first question, before the input is read): the
//!   folder must exist, the path must not be a folder, and an existing file is refused
//!   (exit 2) unless `--force` ([`check_target`]);
//! - written whole or not at all: into a temporary file in the same folder, synced, then
//!   renamed over the target. A failure, a crash or a signal never leaves half a file in
//!   place of a good one;
//! - owner-only: mode 0600 on Unix (answers and results are health information); on Windows
//!   the file takes its folder's access rules;
//! - a device or a pipe (`/dev/null`, a FIFO) is written as it is: there is no file to
//!   replace, and renaming over it would replace the device.
//!
//! A folder given to `intake --record` names a new file for each call and never writes over
//! one (record.rs).

use crate::cleanup::{self, Registered};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file cannot be written where the user asked.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FileError {
    /// The file exists and `--force` was not given.
    #[error("{0} already exists; choose another name, or add --force to replace it")]
    Exists(PathBuf),
    /// The path is a folder (refused even with `--force`: a folder is never replaced).
    #[error("cannot write {0}: it is a folder; give the name of a file in it")]
    IsFolder(PathBuf),
    /// The folder to write in does not exist.
    #[error("cannot write {0}: the folder {1} does not exist")]
    NoFolder(PathBuf, PathBuf),
    /// A record's file that is not `.json` (nor a folder that exists).
    #[error("cannot record to {0}: a record is a JSON file; give a name ending in .json, or a folder that exists for a new file for each call (such as {1})")]
    NotJson(PathBuf, PathBuf),
    /// Writing failed.
    #[error("cannot write {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// The rule, checked before any work: `path` can be written (its folder exists, it is not a
/// folder) and is not an existing file, unless `force`. A device or a pipe is no file to
/// replace: it is accepted, and written as it is.
pub(crate) fn check_target(path: &Path, force: bool) -> Result<(), FileError> {
    let folder = folder_of(path);
    if !folder.is_dir() {
        return Err(FileError::NoFolder(path.to_owned(), folder.to_owned()));
    }
    if path.is_dir() {
        return Err(FileError::IsFolder(path.to_owned()));
    }
    // A dangling symbolic link is there too: renaming over it would replace it.
    if !force && !is_special(path) && path.symlink_metadata().is_ok() {
        return Err(FileError::Exists(path.to_owned()));
    }
    Ok(())
}

/// Writes `bytes` to `path` by the rule: whole and owner-only, never over an existing file
/// unless `force` (checked again here: it may have appeared while the work was done).
pub(crate) fn write_text(path: &Path, bytes: &[u8], force: bool) -> Result<(), FileError> {
    write_whole(path, bytes, force).map_err(|error| error.about(path))
}

/// [`write_text`] with the error not yet about a path, for a caller that tries several.
pub(crate) fn write_whole(path: &Path, bytes: &[u8], replace: bool) -> Result<(), PersistError> {
    if is_special(path) {
        return write_in_place(path, bytes).map_err(PersistError::Io);
    }
    let file = WholeFile::create(path, ".massage-triage-").map_err(PersistError::Io)?;
    file.file().write_all(bytes).map_err(PersistError::Io)?;
    file.persist(replace)
}

/// A device or a pipe (not a regular file, nor a folder): written in place, never replaced.
pub(crate) fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Writes into a device or a pipe as it is.
fn write_in_place(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.write_all(bytes)?;
    file.flush()
}

/// The folder a file is written in (`.` for a bare file name).
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// A file being written to replace `target` whole.
#[derive(Debug)]
pub(crate) struct WholeFile {
    temporary: tempfile::NamedTempFile,
    target: PathBuf,
    // Until the file is renamed or dropped (removed), a signal removes it.
    registered: Registered,
}

/// Why a file could not be put in place.
#[derive(Debug)]
pub(crate) enum PersistError {
    /// The target exists and was not to be replaced.
    Exists,
    /// Writing, syncing or renaming failed.
    Io(std::io::Error),
}

impl PersistError {
    /// The error, about the file at `path`.
    pub(crate) fn about(self, path: &Path) -> FileError {
        match self {
            PersistError::Exists => FileError::Exists(path.to_owned()),
            PersistError::Io(error) => FileError::Io(path.to_owned(), error),
        }
    }
}

impl WholeFile {
    /// Creates the temporary file for `target`, named `{prefix}…` in its folder, and
    /// registers it for removal by a signal (both at once: see [`cleanup::create_temporary`]).
    pub(crate) fn create(target: &Path, prefix: &str) -> std::io::Result<Self> {
        // tempfile creates the file with mode 0600 on Unix.
        let create = || tempfile::Builder::new().prefix(prefix).tempfile_in(folder_of(target));
        let (temporary, registered) = cleanup::create_temporary(target, create)?;
        Ok(WholeFile { temporary, target: target.to_owned(), registered })
    }

    /// The temporary file, to write into.
    pub(crate) fn file(&self) -> &File {
        self.temporary.as_file()
    }

    /// Syncs the file to disk and renames it over the target (only if there is none,
    /// unless `replace`). A signal's clean-up waits for the rename: the file is then
    /// either in place or removed, never both or neither.
    pub(crate) fn persist(self, replace: bool) -> Result<(), PersistError> {
        self.file().sync_all().map_err(PersistError::Io)?;
        restrict_to_owner(self.temporary.path()).map_err(PersistError::Io)?;
        let WholeFile { temporary, target, registered } = self;
        let persisted = cleanup::rename_registered(registered, || {
            if replace {
                temporary.persist(&target)
            } else {
                // No overwrite even in a race: the rename fails if the file exists by then.
                temporary.persist_noclobber(&target)
            }
        });
        match persisted {
            Ok(_) => Ok(()),
            Err(e) if !replace && e.error.kind() == std::io::ErrorKind::AlreadyExists => Err(PersistError::Exists),
            Err(e) => Err(PersistError::Io(e.error)),
        }
    }
}

/// Writes `text` to `target` whole (temporary file, synced, renamed; only if there is none,
/// unless `replace`), without registering the temporary file: for the signal's handler
/// itself, which holds the registry while it writes (a [`WholeFile`] would wait for it).
pub(crate) fn write_now(target: &Path, text: &str, replace: bool) -> Result<(), PersistError> {
    if is_special(target) {
        return write_in_place(target, text.as_bytes()).map_err(PersistError::Io);
    }
    let temporary =
        tempfile::Builder::new().prefix(".massage-triage-").tempfile_in(folder_of(target)).map_err(PersistError::Io)?;
    temporary.as_file().write_all(text.as_bytes()).map_err(PersistError::Io)?;
    temporary.as_file().sync_all().map_err(PersistError::Io)?;
    restrict_to_owner(temporary.path()).map_err(PersistError::Io)?;
    let persisted = if replace { temporary.persist(target) } else { temporary.persist_noclobber(target) };
    match persisted {
        Ok(_) => Ok(()),
        Err(e) if !replace && e.error.kind() == std::io::ErrorKind::AlreadyExists => Err(PersistError::Exists),
        Err(e) => Err(PersistError::Io(e.error)),
    }
}

/// Owner-only permissions, whatever the umask or the folder's defaults did.
#[cfg(unix)]
fn restrict_to_owner(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

/// On Windows a new file inherits its folder's access control list: the user's profile
/// folders (Documents, the desktop) are private to the user by default, and a shared folder
/// is shared on purpose (README, "Files the tool writes").
#[cfg(not(unix))]
fn restrict_to_owner(_: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn saves_whole_with_owner_only_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answers.toml");
        check_target(&path, false).unwrap();
        write_text(&path, b"severity = 5\n", false).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "severity = 5\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // Only the saved file is left: no temporary file behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn never_overwrites_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answers.toml");
        std::fs::write(&path, "keep").unwrap();
        assert!(matches!(check_target(&path, false), Err(FileError::Exists(_))));
        assert!(matches!(write_text(&path, b"new", false), Err(FileError::Exists(_))));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep");
        check_target(&path, true).unwrap();
        write_text(&path, b"new", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_folder_is_refused_before_any_question_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        for force in [false, true] {
            assert!(matches!(check_target(dir.path(), force), Err(FileError::IsFolder(_))));
        }
    }

    #[test]
    fn a_missing_folder_is_found_before_any_question() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nowhere").join("answers.toml");
        assert!(matches!(check_target(&path, false), Err(FileError::NoFolder(..))));
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_no_file_to_replace() {
        check_target(Path::new("/dev/null"), false).unwrap();
        write_text(Path::new("/dev/null"), b"results", false).unwrap();
    }
}
