//! Path confinement: [`Confinement`] maps the simulated root `/exports` onto one real directory,
//! accepts only paths strictly inside it (lexical checks, then no symbolic link on the way or at
//! the path), and records every refused path as a violation. Owns those checks and that record;
//! it must never touch the file system beyond reading metadata, never follow a symbolic link, and
//! never let the real root reach a violation or an error.

use std::io;
use std::path::{Path, PathBuf};

/// The simulated absolute path of the export storage; export directories live under it.
pub const VIRTUAL_ROOT: &str = "/exports";
/// Longest path (in bytes) the target accepts.
pub const PATH_BYTES_MAX: usize = 4096;
/// Most components a path under the root may have.
pub const PATH_DEPTH_MAX: usize = 64;
/// Violations kept; later ones are counted only.
pub const VIOLATIONS_MAX: usize = 10_000;

/// A path the target accepted.
pub(super) struct Resolved {
    pub(super) virtual_path: String,
    pub(super) real: PathBuf,
}

/// The real root and the record of refused paths.
#[derive(Debug)]
pub(super) struct Confinement {
    real_root: PathBuf,
    violations: Vec<String>,
    violations_dropped: u64,
}

impl Confinement {
    pub(super) fn new(real_root: &Path) -> Confinement {
        Confinement {
            real_root: real_root.to_path_buf(),
            violations: Vec::new(),
            violations_dropped: 0,
        }
    }

    /// Every refused path, as `operation path: reason` (virtual paths only).
    pub(super) fn violations(&self) -> &[String] {
        &self.violations
    }

    /// Violations not kept because [`VIOLATIONS_MAX`] were already recorded.
    pub(super) fn violations_dropped(&self) -> u64 {
        self.violations_dropped
    }

    /// Lexical and symbolic-link checks; see [`check_lexical`].
    pub(super) fn check(&self, path: &Path) -> Result<Resolved, String> {
        let components = check_lexical(path)?;
        let mut real = self.real_root.clone();
        let mut exists = true;
        for component in &components {
            real.push(component);
            if !exists {
                continue;
            }
            match std::fs::symlink_metadata(&real) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(format!("`{component}` is a symbolic link"));
                }
                Ok(_) => {}
                // Missing, or under a file: nothing below can be a link; the operation itself
                // reports the error.
                Err(_) => exists = false,
            }
        }
        let virtual_path = format!("{VIRTUAL_ROOT}/{}", components.join("/"));
        Ok(Resolved { virtual_path, real })
    }

    /// Resolves a path for the job, recording a violation and failing if it is refused.
    pub(super) fn resolve(&mut self, kind: &'static str, path: &Path) -> io::Result<Resolved> {
        self.check(path).map_err(|reason| {
            let shown = show(path);
            if self.violations.len() < VIOLATIONS_MAX {
                self.violations.push(format!("{kind} {shown}: {reason}"));
            } else {
                self.violations_dropped += 1;
            }
            io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("path refused by the export target: {reason}"),
            )
        })
    }
}

/// The components below `/exports` of an absolute path, or why the path is refused. Refuses
/// non-UTF-8, NUL, relative paths, `..` anywhere, paths outside `/exports`, `/exports` itself,
/// and paths longer or deeper than the bounds.
fn check_lexical(path: &Path) -> Result<Vec<&str>, String> {
    let text = path.to_str().ok_or("path is not valid UTF-8")?;
    if text.len() > PATH_BYTES_MAX {
        return Err(format!("path is longer than {PATH_BYTES_MAX} bytes"));
    }
    if text.contains('\0') {
        return Err("path contains a NUL character".to_string());
    }
    if !text.starts_with('/') {
        return Err("path is not absolute".to_string());
    }
    let mut components = Vec::new();
    for component in text.split('/') {
        match component {
            "" | "." => {}
            ".." => return Err("path contains a `..` component".to_string()),
            _ => components.push(component),
        }
        if components.len() > PATH_DEPTH_MAX {
            return Err(format!("path is deeper than {PATH_DEPTH_MAX} components"));
        }
    }
    let root_name = &VIRTUAL_ROOT[1..];
    match components.split_first() {
        Some((first, rest)) if *first == root_name && !rest.is_empty() => Ok(rest.to_vec()),
        _ => Err(format!("path is not inside {VIRTUAL_ROOT}")),
    }
}

/// A path as the job gave it, for logs (never a real path: the job only knows virtual ones).
pub(super) fn show(path: &Path) -> String {
    path.to_string_lossy().replace('\0', "\\0")
}
