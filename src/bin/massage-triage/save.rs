//! Saving the intake's answers as an answer file: written whole or not at all (a temporary
//! file in the same folder, then a rename), readable by its owner only, and never over an
//! existing file unless asked.

use crate::files::{folder_of, PersistError, WholeFile};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why the answers could not be saved.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SaveError {
    /// The file exists and `--force` was not given.
    #[error("{0} already exists; choose another name, or add --force to overwrite it")]
    Exists(PathBuf),
    /// The path is a folder (refused even with `--force`: a folder is never replaced).
    #[error("cannot save to {0}: it is a folder; give a file name, such as {0}/answers.toml")]
    IsFolder(PathBuf),
    /// The folder to save in does not exist.
    #[error("cannot save to {0}: the folder {1} does not exist")]
    NoFolder(PathBuf, PathBuf),
    /// A record's file that is not `.json` (nor a folder that exists).
    #[error("cannot record to {0}: a record is a JSON file; give a name ending in .json, or a folder that exists for a new file for each call (such as {1})")]
    NotJson(PathBuf, PathBuf),
    /// Writing failed.
    #[error("cannot save to {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// Checks, before any question is asked, that the answers could be saved to `path`.
pub(crate) fn check_target(path: &Path, force: bool) -> Result<(), SaveError> {
    let folder = folder_of(path);
    if !folder.is_dir() {
        return Err(SaveError::NoFolder(path.to_owned(), folder.to_owned()));
    }
    if path.is_dir() {
        return Err(SaveError::IsFolder(path.to_owned()));
    }
    if !force && path.symlink_metadata().is_ok() {
        return Err(SaveError::Exists(path.to_owned()));
    }
    Ok(())
}

/// Writes `text` to `path` whole with mode 0600; refuses to replace an existing file
/// unless `force` (checked again here: it may have appeared while the questions were asked).
pub(crate) fn save(path: &Path, text: &str, force: bool) -> Result<(), SaveError> {
    let io = |error: std::io::Error| SaveError::Io(path.to_owned(), error);
    let file = WholeFile::create(path, ".massage-triage-").map_err(io)?;
    file.file().write_all(text.as_bytes()).map_err(io)?;
    file.persist(force).map_err(|error| match error {
        PersistError::Exists => SaveError::Exists(path.to_owned()),
        PersistError::Io(error) => io(error),
    })
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
        save(&path, "severity = 5\n", false).unwrap();
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
        assert!(matches!(check_target(&path, false), Err(SaveError::Exists(_))));
        assert!(matches!(save(&path, "new", false), Err(SaveError::Exists(_))));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep");
        check_target(&path, true).unwrap();
        save(&path, "new", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_folder_is_refused_before_any_question_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        for force in [false, true] {
            assert!(matches!(check_target(dir.path(), force), Err(SaveError::IsFolder(_))));
        }
    }

    #[test]
    fn a_missing_folder_is_found_before_any_question() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nowhere").join("answers.toml");
        assert!(matches!(check_target(&path, false), Err(SaveError::NoFolder(..))));
    }
}
