//! Path confinement: [`Confinement`] maps the export storage's mount points onto directories
//! under one real root — the simulated POSIX root `/exports` always, and the scenario's drive
//! letters (`C:`) and UNC shares (`\\backup-srv\share`) when it names them — accepts only paths
//! strictly inside a mount (lexical checks, NTFS's name rules, then no symbolic link on the way
//! or at the path), resolves names ignoring case as NTFS does, and records every refused path as
//! a violation. Owns those checks and that record; it must never touch the file system beyond
//! reading metadata and directory entries, never follow a symbolic link, and never let the real
//! root reach a violation or an error.
//!
//! Real layout (ours): with no mounts declared, `/exports` is the real root itself (as before
//! mounts existed); with mounts, `/exports` is `<root>/exports`, drive `C:` is `<root>/C` and
//! share `\\srv\share` is `<root>/UNC/srv/share` (the spelling the scenario declared).
//! Drive and UNC paths may use `\` or `/` between components, as Windows accepts both.

use super::ntfs;
use rpsim_vfs::{Kind, SharedFs};
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
/// Mount points a target may have besides `/exports`.
pub const MOUNTS_MAX: usize = 64;

/// Where a mount lies, as paths name it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum MountKey {
    Posix,
    /// The drive letter, upper case.
    Drive(char),
    /// Server and share as declared.
    Unc(String, String),
}

#[derive(Debug)]
struct Mount {
    key: MountKey,
    /// How virtual paths spell the mount: `/exports`, `C:`, `//srv/share`.
    shown: String,
    real: PathBuf,
}

/// A path the target accepted.
pub(super) struct Resolved {
    pub(super) virtual_path: String,
    pub(super) real: PathBuf,
}

/// The mounts and the record of refused paths.
#[derive(Debug)]
pub(super) struct Confinement {
    /// Where the mounts' directories live (only looked at, never changed, here).
    fs: SharedFs,
    mounts: Vec<Mount>,
    violations: Vec<String>,
    violations_dropped: u64,
}

impl Confinement {
    /// `mounts` as the scenario declares them (`C:`, `\\srv\share`); each is checked and its
    /// real directory created.
    pub(super) fn new(
        fs: SharedFs,
        real_root: &Path,
        mounts: &[String],
    ) -> io::Result<Confinement> {
        if mounts.len() > MOUNTS_MAX {
            return Err(invalid(format!("more than {MOUNTS_MAX} mount points")));
        }
        let posix_real = if mounts.is_empty() {
            real_root.to_path_buf()
        } else {
            real_root.join("exports")
        };
        let mut all = vec![Mount {
            key: MountKey::Posix,
            shown: VIRTUAL_ROOT.to_string(),
            real: posix_real,
        }];
        for text in mounts {
            let (key, relative) = parse_mount(text).map_err(invalid)?;
            if all.iter().any(|m| same_key(&m.key, &key)) {
                return Err(invalid(format!("mount point `{text}` is declared twice")));
            }
            let shown = match &key {
                MountKey::Posix => unreachable!("parse_mount never yields the POSIX root"),
                MountKey::Drive(letter) => format!("{letter}:"),
                MountKey::Unc(server, share) => format!("//{server}/{share}"),
            };
            all.push(Mount {
                key,
                shown,
                real: real_root.join(relative),
            });
        }
        for mount in &all {
            fs.create_dir_all(&mount.real)?;
        }
        Ok(Confinement {
            fs,
            mounts: all,
            violations: Vec::new(),
            violations_dropped: 0,
        })
    }

    /// Every refused path, as `operation path: reason` (virtual paths only).
    pub(super) fn violations(&self) -> &[String] {
        &self.violations
    }

    /// Violations not kept because [`VIOLATIONS_MAX`] were already recorded.
    pub(super) fn violations_dropped(&self) -> u64 {
        self.violations_dropped
    }

    /// Lexical, NTFS-name and symbolic-link checks; names resolve ignoring case.
    pub(super) fn check(&self, path: &Path) -> Result<Resolved, String> {
        let (mount, components) = self.check_lexical(path)?;
        let mut real = mount.real.clone();
        let mut names: Vec<String> = Vec::with_capacity(components.len());
        let mut exists = true;
        for component in &components {
            if !exists {
                real.push(component);
                names.push(component.to_string());
                continue;
            }
            let mut name = component.to_string();
            if !matches!(self.fs.kind_at(&real.join(component)), Ok(Some(_))) {
                // NTFS finds `disk` where `Disk` exists: take the existing spelling.
                match ntfs::find_ignoring_case(self.fs.as_ref(), &real, component)
                    .map_err(|e| e.to_string())?
                {
                    Some(found) => name = found,
                    // Missing, or under a file: nothing below can be a link; the operation
                    // itself reports the error.
                    None => exists = false,
                }
            }
            real.push(&name);
            if exists && matches!(self.fs.kind_at(&real), Ok(Some(Kind::Symlink))) {
                return Err(format!("`{name}` is a symbolic link"));
            }
            names.push(name);
        }
        let virtual_path = format!("{}/{}", mount.shown, names.join("/"));
        Ok(Resolved { virtual_path, real })
    }

    /// The mount of an absolute path and its components below it, or why the path is refused.
    /// Refuses non-UTF-8, NUL, relative paths, `..` anywhere, paths on no mount, a mount itself,
    /// names NTFS refuses, and paths longer or deeper than the bounds.
    fn check_lexical<'p>(&self, path: &'p Path) -> Result<(&Mount, Vec<&'p str>), String> {
        let text = path.to_str().ok_or("path is not valid UTF-8")?;
        if text.len() > PATH_BYTES_MAX {
            return Err(format!("path is longer than {PATH_BYTES_MAX} bytes"));
        }
        if text.contains('\0') {
            return Err("path contains a NUL character".to_string());
        }
        let (key, rest, separators): (MountKey, &str, &[char]) = match windows_root(text) {
            Some(Ok((key, rest))) => (key, rest, &['/', '\\']),
            Some(Err(reason)) => return Err(reason),
            None if text.starts_with('/') => (MountKey::Posix, text, &['/']),
            None => return Err("path is not absolute".to_string()),
        };
        let mut components = Vec::new();
        for component in rest.split(separators) {
            match component {
                "" | "." => {}
                ".." => return Err("path contains a `..` component".to_string()),
                _ => components.push(component),
            }
            if components.len() > PATH_DEPTH_MAX {
                return Err(format!("path is deeper than {PATH_DEPTH_MAX} components"));
            }
        }
        if key == MountKey::Posix {
            let root_name = &VIRTUAL_ROOT[1..];
            match components.split_first() {
                Some((first, rest)) if *first == root_name && !rest.is_empty() => {
                    components = rest.to_vec();
                }
                _ => return Err(format!("path is not inside {VIRTUAL_ROOT}")),
            }
        }
        let Some(mount) = self.mounts.iter().find(|m| same_key(&m.key, &key)) else {
            return Err("path is on no mount point of the export storage".to_string());
        };
        if components.is_empty() {
            return Err(format!("path is the mount point {} itself", mount.shown));
        }
        if let Some((name, why)) = components
            .iter()
            .find_map(|c| ntfs::refusal(c).map(|why| (c, why)))
        {
            return Err(format!("NTFS refuses `{}`: {why}", name.escape_debug()));
        }
        Ok((mount, components))
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

/// The mount key and the rest of a drive (`C:\\...`, `C:/...`) or UNC (`\\\\srv\\share\\...`,
/// `//srv/share/...`) path; `None` for any other text (POSIX or relative).
fn windows_root(text: &str) -> Option<Result<(MountKey, &str), String>> {
    let bytes = text.as_bytes();
    if let Some(rest) = text
        .strip_prefix("\\\\")
        .or_else(|| text.strip_prefix("//"))
    {
        let mut parts = rest.splitn(3, ['/', '\\']);
        let (server, share) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if server.is_empty() || share.is_empty() {
            return Some(Err("a UNC path needs a server and a share".to_string()));
        }
        let key = MountKey::Unc(server.to_string(), share.to_string());
        return Some(Ok((key, parts.next().unwrap_or(""))));
    }
    if bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        if !matches!(bytes[2], b'/' | b'\\') {
            return Some(Err("path is not absolute".to_string()));
        }
        let key = MountKey::Drive((bytes[0] as char).to_ascii_uppercase());
        return Some(Ok((key, &text[2..])));
    }
    None
}

/// A declared mount point: its key and its directory relative to the real root.
fn parse_mount(text: &str) -> Result<(MountKey, PathBuf), String> {
    let bytes = text.as_bytes();
    if bytes.len() == 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        let letter = (bytes[0] as char).to_ascii_uppercase();
        return Ok((MountKey::Drive(letter), PathBuf::from(letter.to_string())));
    }
    let rest = text
        .strip_prefix("\\\\")
        .ok_or_else(|| format!("mount point `{text}` is neither `X:` nor `\\\\server\\share`"))?;
    let parts: Vec<&str> = rest.split('\\').collect();
    match parts.as_slice() {
        [server, share]
            if !server.is_empty()
                && !share.is_empty()
                && ntfs::refusal(server).is_none()
                && ntfs::refusal(share).is_none() =>
        {
            let key = MountKey::Unc(server.to_string(), share.to_string());
            Ok((key, Path::new("UNC").join(server).join(share)))
        }
        _ => Err(format!(
            "mount point `{text}` must be `\\\\server\\share` with valid names"
        )),
    }
}

/// Mount keys compare ignoring case (drive letters are upper case already).
fn same_key(a: &MountKey, b: &MountKey) -> bool {
    match (a, b) {
        (MountKey::Unc(s1, h1), MountKey::Unc(s2, h2)) => {
            ntfs::same_name(s1, s2) && ntfs::same_name(h1, h2)
        }
        _ => a == b,
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// A path as the job gave it, for logs (never a real path: the job only knows virtual ones).
pub(super) fn show(path: &Path) -> String {
    path.to_string_lossy().replace('\0', "\\0")
}
