//! Helpers the binary-driving tests share: running `rpsim` (the test build) in a directory and
//! collecting what it printed. Owns nothing a test asserts; it must never hide an exit code.

use std::path::Path;
use std::process::{Command, Output};

/// Stdout then stderr, as text.
pub fn text_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

/// Runs rpsim with `args` in `dir` (CI, NO_COLOR and CLICOLOR_FORCE removed, then `env` set);
/// its exit code (-1 when killed by a signal) and its output.
pub fn rpsim_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rpsim"))
        .args(args)
        .current_dir(dir)
        .env_remove("CI")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), text_of(&out))
}
