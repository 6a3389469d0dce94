//! Records the commit this library is built from (`RPSIM_COMMIT`, `unknown` outside a git
//! checkout), so that result files and failure records name it and `repro` can warn when a
//! record comes from another build. Owns that one lookup; it must never fail the build.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn main() {
    let commit = git(&["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=RPSIM_COMMIT={commit}");
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
    }
    let common = git(&["rev-parse", "--path-format=absolute", "--git-common-dir"]);
    if let (Some(common), Some(reference)) = (common, git(&["symbolic-ref", "-q", "HEAD"])) {
        println!("cargo:rerun-if-changed={common}/{reference}");
    }
}
