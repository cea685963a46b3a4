//! What a run leaves behind if a signal ends it: temporary files (health data) and the
//! terminal's settings. The library only registers them while they exist; the binary's
//! signal handler calls [`undo`] and then exits. A temporary file left by a run that no
//! handler could help (kill -9) is found by the next run ([`remove_stale`]).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// The signal that is ending the process (0 for none), set by the binary's handler in the
/// signal handler itself, before an interrupted read returns.
static SIGNAL: OnceLock<Arc<AtomicUsize>> = OnceLock::new();

/// The flag the binary's signal handler sets to the signal's number (Unix: elsewhere no
/// handler ends a run from outside).
#[cfg(unix)]
pub(crate) fn signal_flag() -> Arc<AtomicUsize> {
    SIGNAL.get_or_init(|| Arc::new(AtomicUsize::new(0))).clone()
}

/// Whether a signal is ending the process. A prompt interrupted by it (EINTR looks like
/// Ctrl-C to console's key reader) must then not end the run itself, with its own exit status.
pub(crate) fn signal_arrived() -> bool {
    SIGNAL.get().is_some_and(|flag| flag.load(Ordering::SeqCst) != 0)
}

/// What is registered.
struct Registry {
    /// Temporary files, each with the file it would have become.
    temporary: Vec<(PathBuf, PathBuf)>,
    /// The terminal's settings before the intake changed any.
    #[cfg(unix)]
    terminal: Option<rustix::termios::Termios>,
    /// What to add to the line that says the run was interrupted ("nothing was saved").
    note: Option<&'static str>,
    /// What to write before the process ends on a signal (the intake's record of the call
    /// so far); it returns the line's note in place of `note`.
    last_words: Option<LastWords>,
}

/// A file to write on a signal, returning what the interrupted line says of it.
pub(crate) type LastWords = Box<dyn FnOnce() -> String + Send>;

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    temporary: Vec::new(),
    note: None,
    last_words: None,
    #[cfg(unix)]
    terminal: None,
});

/// The registry, even if a thread panicked while holding it (its data stay valid).
fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A temporary file registered for removal; it is forgotten when this is dropped (after
/// it was renamed into place, or removed by its owner).
#[derive(Debug)]
pub(crate) struct Registered {
    path: PathBuf,
}

impl Drop for Registered {
    fn drop(&mut self) {
        registry().temporary.retain(|(path, _)| *path != self.path);
    }
}

/// Creates a temporary file with `create`, to become `target`, and registers it for
/// removal, as one step for a signal's clean-up: it waits for both, since a file created
/// and not yet registered would be left behind and the line would not name `target`.
pub(crate) fn create_temporary(
    target: &Path,
    create: impl FnOnce() -> std::io::Result<tempfile::NamedTempFile>,
) -> std::io::Result<(tempfile::NamedTempFile, Registered)> {
    let mut registry = registry();
    let file = create()?;
    registry.temporary.push((file.path().to_owned(), target.to_owned()));
    let registered = Registered { path: file.path().to_owned() };
    Ok((file, registered))
}

/// Runs `rename`, the rename of `registered`'s temporary file into place, so that a signal
/// and the rename never cross: the file is then either renamed whole (and no longer
/// registered, so the clean-up does not say the target was left as it was) or removed by
/// the clean-up with the target untouched. Once a signal has arrived the rename does not
/// start: this thread waits for the signal's handler, which removes the file and exits.
pub(crate) fn rename_registered<T>(registered: Registered, rename: impl FnOnce() -> T) -> T {
    let mut held = registry();
    if signal_arrived() {
        drop(held);
        loop {
            std::thread::park();
        }
    }
    let result = rename();
    held.temporary.retain(|(path, _)| *path != registered.path);
    drop(held);
    result
}

/// The terminal's settings kept while the intake runs (console puts it in raw mode with
/// no echo while a prompt reads a key, and a signal then would leave it so).
#[derive(Debug)]
pub(crate) struct SavedTerminal(());

impl Drop for SavedTerminal {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            registry().terminal = None;
        }
    }
}

/// Saves the settings of the terminal on standard input, to be restored by [`undo`].
pub(crate) fn save_terminal() -> SavedTerminal {
    #[cfg(unix)]
    {
        if let Ok(settings) = rustix::termios::tcgetattr(std::io::stdin()) {
            registry().terminal = Some(settings);
        }
    }
    SavedTerminal(())
}

/// Sets what the interrupted line adds, for the rest of the run.
pub(crate) fn note_on_interrupt(note: &'static str) {
    registry().note = Some(note);
}

/// Sets what a signal writes before the process ends, replacing what was set before.
pub(crate) fn set_last_words(last_words: LastWords) {
    registry().last_words = Some(last_words);
}

/// Forgets what a signal would write (the run writes it itself, or no longer needs it).
pub(crate) fn clear_last_words() {
    registry().last_words = None;
}

/// What [`undo`] did.
#[cfg(unix)]
#[derive(Debug, Default)]
pub(crate) struct Undone {
    /// The note set by [`note_on_interrupt`].
    pub note: Option<&'static str>,
    /// What the last words (see [`set_last_words`]) said of the file they wrote.
    pub written: Option<String>,
    /// The files that temporary files were written for (each one left as it was).
    pub targets: Vec<PathBuf>,
    /// The terminal's settings were put back.
    pub terminal: bool,
}

/// Removes every registered temporary file and puts the terminal's settings back. Called
/// once, by the signal handler, just before the process exits: the registry stays held so
/// that no rename can start after it.
#[cfg(unix)]
pub(crate) fn undo() -> Undone {
    let mut registry = registry();
    let mut undone = Undone { note: registry.note, ..Undone::default() };
    // Written while the registry is held: no rename of the run's own can cross it.
    undone.written = registry.last_words.take().map(|write| write());
    for (temporary, target) in registry.temporary.drain(..) {
        let _ = std::fs::remove_file(&temporary);
        undone.targets.push(target);
    }
    #[cfg(unix)]
    if let Some(settings) = registry.terminal.take() {
        undone.terminal =
            rustix::termios::tcsetattr(std::io::stdin(), rustix::termios::OptionalActions::Now, &settings).is_ok();
    }
    // Held until the process exits.
    std::mem::forget(registry);
    undone
}

/// The start of the name of batch temporary files.
pub(crate) const BATCH_PREFIX: &str = ".massage-triage-batch-";

/// Locks a temporary file for as long as it is open, so that [`remove_stale`] in another
/// run can tell it is in use; the lock goes with the process, however it ends.
pub(crate) fn lock_in_use(file: &std::fs::File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use rustix::fs::{flock, FlockOperation};
        flock(file, FlockOperation::NonBlockingLockExclusive)?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Removes the batch temporary files in `folder` that a run killed outright (kill -9, a
/// power cut) left behind: ours (same owner), and locked by no running process. Returns
/// their names. (A run creates its file and then locks it: another run starting in that
/// moment could take the new file for a stale one; the first run then fails loudly at its
/// rename, and nothing is lost.)
pub(crate) fn remove_stale(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(BATCH_PREFIX) {
            continue;
        }
        let path = entry.path();
        if is_stale(&path) && std::fs::remove_file(&path).is_ok() {
            removed.push(path);
        }
    }
    removed
}

#[cfg(unix)]
fn is_stale(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(metadata) = std::fs::symlink_metadata(path) else { return false };
    if !metadata.is_file() || metadata.uid() != rustix::process::getuid().as_raw() {
        return false;
    }
    // A lock taken here is released when the file is closed, at the end of this call.
    std::fs::File::open(path).is_ok_and(|file| lock_in_use(&file).is_ok())
}

#[cfg(not(unix))]
fn is_stale(_: &Path) -> bool {
    // No lock to tell a file in use from a stale one: keep it.
    false
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_file_is_removed_and_a_locked_one_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(format!("{BATCH_PREFIX}stale"));
        std::fs::write(&stale, "answers").unwrap();
        let in_use = tempfile::Builder::new().prefix(BATCH_PREFIX).tempfile_in(dir.path()).unwrap();
        lock_in_use(in_use.as_file()).unwrap();
        let other = dir.path().join("results.jsonl");
        std::fs::write(&other, "kept").unwrap();
        assert_eq!(remove_stale(dir.path()), std::slice::from_ref(&stale));
        assert!(!stale.exists() && in_use.path().exists() && other.exists());
    }
}
