//! Files written whole or not at all: into a temporary file in the same folder (mode 0600:
//! answers and results are health information), synced, then renamed over the target. A
//! failure, a crash or a signal never leaves half a file in place of a good one. Used by
//! the intake's saved answers and records, and batch's output file.

use crate::cleanup::{self, Registered};
use std::fs::File;
use std::path::{Path, PathBuf};

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
    use std::io::Write;
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

#[cfg(not(unix))]
fn restrict_to_owner(_: &Path) -> std::io::Result<()> {
    Ok(())
}
