//! The program name that printed commands (`reproduce:` lines, failure records, resume lines)
//! start with, so that a pasted line runs: `rpsim` when the binary that runs is the `rpsim` on
//! `PATH`, else that binary's absolute path; a library user who never sets it gets
//! `cargo run --release --`, which works in an rpsim checkout. Owns that choice; it must never
//! reach a decision or a golden.

use std::path::Path;
use std::sync::OnceLock;

/// What commands start with when no binary has said otherwise.
pub const PROGRAM_DEFAULT: &str = "cargo run --release --";

static PROGRAM: OnceLock<String> = OnceLock::new();

/// The program printed commands start with.
pub fn program() -> &'static str {
    PROGRAM.get().map_or(PROGRAM_DEFAULT, String::as_str)
}

/// Called once by the binary: `rpsim` when `exe` is what `PATH` finds under that name, else
/// `exe` itself. Later calls change nothing.
pub fn set_from_exe(exe: &Path, path_var: Option<&std::ffi::OsStr>) {
    let on_path = path_var
        .into_iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("rpsim"))
        .find(|candidate| candidate.is_file());
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let name = match on_path {
        Some(found) if same(&found, exe) => "rpsim".to_string(),
        _ => exe.display().to_string(),
    };
    let _ = PROGRAM.set(name);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_not_on_the_path_is_named_by_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("rpsim-copy");
        std::fs::write(&exe, b"").unwrap();
        // Not set in this test process before: the first call decides.
        set_from_exe(&exe, Some(std::ffi::OsStr::new("/nonexistent")));
        assert_eq!(program(), exe.display().to_string());
    }
}
