//! SIGINT and SIGTERM for the commands that can stop early and keep what they found: the first
//! signal sets a flag the harness polls between runs, the second ends the process at once with
//! 130. Owns the process-wide handler; it must never decide what is kept.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Installs the handler and returns the flag it sets (a flag that never becomes true when a
/// handler cannot be installed, e.g. one is installed already).
pub fn install() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&flag);
    let installed = ctrlc::set_handler(move || {
        if seen.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!(
            "interrupted: finishing the runs in flight and writing what was found \
             (interrupt again to quit at once)"
        );
    });
    if let Err(e) = installed {
        eprintln!("warning: cannot handle interrupts ({e}); an interrupt ends rpsim at once");
    }
    flag
}
