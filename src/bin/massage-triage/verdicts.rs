//! Safety verdicts kept between calls: a rule set given by `--rules` that was proven safe is
//! not proven again while its files' bytes and this very binary are unchanged.
//!
//! A verdict is a file named by the rule set's digest in the user's cache folder (the
//! platform's: `$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS,
//! `%LOCALAPPDATA%` on Windows; `MASSAGE_TRIAGE_CACHE_DIR` sets another, and an empty value
//! turns the cache off). It holds the digest and this binary's identity (its version, and
//! the size and modification time of its executable), so that a verdict is never trusted by
//! another build. Only "safe" is kept: an unsafe or unproven set is proven, and refused,
//! every time. A verdict that cannot be read, or does not match, is ignored; one that cannot
//! be written is not kept; neither stops the command. The folder is the user's own, like
//! the binary: whoever can write there can as well replace the program.
//!
//! Beside a verdict, the rule set's compiled form is kept (`DIGEST.rules`), so that the next
//! call reads it instead of parsing the TOML (a 512-rule set's parse was 40 times a built-in
//! `assess`); it is read only with the verdict, and only when it names this build and these
//! files' digest (see `RuleSet::load_dir_kept`).

use crate::files::WholeFile;
use massage_triage::rules::Digest;
use std::path::PathBuf;

/// Where verdicts are kept, and the identity of the binary that keeps them.
pub(crate) struct Verdicts {
    dir: PathBuf,
    tool: String,
}

impl Verdicts {
    /// The cache of this user and binary; `None` when it is turned off or has no place.
    pub(crate) fn open() -> Option<Self> {
        let dir = match std::env::var_os("MASSAGE_TRIAGE_CACHE_DIR") {
            Some(dir) if dir.is_empty() => return None,
            Some(dir) => PathBuf::from(dir),
            None => dirs::cache_dir()?.join("massage-triage").join("verdicts"),
        };
        Some(Verdicts { dir, tool: tool_identity()? })
    }

    /// Whether this binary proved the rule set with this digest safe before.
    pub(crate) fn proven_safe(&self, digest: &Digest) -> bool {
        std::fs::read_to_string(self.path(digest)).is_ok_and(|text| text == self.verdict(digest))
    }

    /// The compiled form kept beside the verdict on the rule set with this digest; to be
    /// read only where [`Verdicts::proven_safe`] holds. Kept for the rest of the program:
    /// the rule set read from it borrows its words (see `massage_triage::wording`), and one
    /// is read once a run.
    pub(crate) fn compiled(&self, digest: &Digest) -> Option<&'static [u8]> {
        let form = std::fs::read(self.dir.join(format!("{digest}.rules"))).ok()?;
        Some(Box::leak(form.into_boxed_slice()))
    }

    /// Keeps the verdict that the rule set with this digest is safe, and its compiled form
    /// when it has one (each written whole, readable by its owner only; nothing is kept if
    /// that fails).
    pub(crate) fn remember_safe(&self, digest: &Digest, compiled: Option<&[u8]>) {
        let write = |path: &std::path::Path, bytes: &[u8]| -> std::io::Result<()> {
            let file = WholeFile::create(path, ".verdict-")?;
            std::io::Write::write_all(&mut file.file(), bytes)?;
            file.persist(true).map_err(|_| std::io::Error::other("not put in place"))
        };
        if create_private_dir(&self.dir).is_err() {
            return;
        }
        // The form first: the verdict is what makes it read.
        if let Some(compiled) = compiled {
            let _ = write(&self.dir.join(format!("{digest}.rules")), compiled);
        }
        let _ = write(&self.path(digest), self.verdict(digest).as_bytes());
    }

    fn path(&self, digest: &Digest) -> PathBuf {
        self.dir.join(format!("{digest}.safe"))
    }

    fn verdict(&self, digest: &Digest) -> String {
        format!("massage-triage verdict 1\nrule set sha256 {digest}\ntool {}\nsafe\n", self.tool)
    }
}

/// This binary: its version, and its executable's size and modification time, which change
/// with every build (a version alone would carry a verdict across development builds).
fn tool_identity() -> Option<String> {
    let metadata = std::env::current_exe().ok()?.metadata().ok()?;
    let modified = metadata.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(format!("{} {} {}", env!("CARGO_PKG_VERSION"), metadata.len(), modified.as_nanos()))
}

/// The folder and its parents, the folder itself readable by its owner only on Unix.
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}
