//! Signals, owned by the binary (only `main.rs` declares this module: the library never
//! installs a handler nor exits). SIGINT, SIGTERM and SIGHUP end `intake` and `batch` the
//! same way, whatever the main thread is doing, a blocked read included: the terminal's
//! settings are put back and the cursor shown, temporary files are removed (the files they
//! were for are left as they were), a line says so, and the exit status is 128 + the
//! signal's number (130 for Ctrl-C, as the contract says; 143 for SIGTERM, 129 for SIGHUP).

use crate::cleanup;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::io::{IsTerminal, Write};

/// Shows the cursor (a list of the intake hides it while it is open).
const SHOW_CURSOR: &str = "\x1b[?25h";

/// Handles the three signals on a thread of their own from now on.
pub(crate) fn end_cleanly() {
    // Without a handler (it could not be set up) the default stays: the process ends.
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
    // Set in the signal handler itself, so that a prompt whose read the signal interrupted
    // knows, and leaves the exit to this thread (with the signal's status, not Ctrl-C's).
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        let _ = signal_hook::flag::register_usize(signal, cleanup::signal_flag(), signal as usize);
    }
    std::thread::spawn(move || {
        if let Some(first) = signals.forever().next() {
            // console answers a read interrupted by any signal by raising SIGINT itself: a
            // SIGTERM or SIGHUP seen together with a SIGINT is the one that came first.
            let signal = std::iter::once(first).chain(signals.pending()).max_by_key(|s| priority(*s)).unwrap_or(first);
            let undone = cleanup::undo();
            let mut err = std::io::stderr();
            let mut text = String::new();
            if undone.terminal && err.is_terminal() {
                text.push_str(SHOW_CURSOR);
            }
            text.push_str(&format!("\ninterrupted by {}", name(signal)));
            if let Some(note) = undone.written.as_deref().or(undone.note) {
                text.push_str(&format!(": {note}"));
            }
            for target in &undone.targets {
                let target = massage_triage::text::escape_controls(&target.display().to_string()).into_owned();
                text.push_str(&format!("; {target} was left as it was"));
            }
            // The terminal may be gone (SIGHUP): nothing to do about a failed write.
            let _ = writeln!(err, "{text}");
            let _ = err.flush();
            std::process::exit(128 + signal);
        }
    });
}

fn priority(signal: i32) -> u8 {
    match signal {
        SIGINT => 0,
        _ => 1,
    }
}

fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT (Ctrl-C)",
        SIGTERM => "SIGTERM",
        _ => "SIGHUP",
    }
}
