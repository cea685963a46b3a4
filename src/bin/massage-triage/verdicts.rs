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

    /// Keeps the verdict that the rule set with this digest is safe (written whole, readable
    /// by its owner only; nothing is kept if that fails).
    pub(crate) fn remember_safe(&self, digest: &Digest) {
        let write = || -> std::io::Result<()> {
            create_private_dir(&self.dir)?;
            let file = WholeFile::create(&self.path(digest), ".verdict-")?;
            std::io::Write::write_all(&mut file.file(), self.verdict(digest).as_bytes())?;
            file.persist(true).map_err(|_| std::io::Error::other("not put in place"))
        };
        let _ = write();
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
