//! Where runs put their scratch files (export trees, restored images): one location chosen
//! per process, memory-backed when the machine has one, because a run's real file I/O on a
//! disk-backed directory is several times slower. Owns that choice and the reason for it; it
//! must never create or remove anything itself (each run makes and removes its own directory
//! below the location) and never reach a run's decisions (the location changes no trace).
//!
//! Order: `RPSIM_SCRATCH` when set (used as given, even on disk); else the first of `TMPDIR`,
//! `/dev/shm` and `XDG_RUNTIME_DIR` that is a writable directory on tmpfs or ramfs; else the
//! system's temporary directory, reported as disk-backed so that commands can say so.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Names the override.
pub const SCRATCH_ENV: &str = "RPSIM_SCRATCH";

/// What backs a scratch location.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backing {
    /// tmpfs or ramfs.
    Memory,
    /// Anything else (or unknown).
    Disk,
}

/// The chosen location and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScratchLocation {
    pub dir: PathBuf,
    pub backing: Backing,
    /// True when `RPSIM_SCRATCH` chose it.
    pub from_env: bool,
}

impl ScratchLocation {
    /// The note a command prints when runs will be slow because scratch is on disk; `None`
    /// when the location is memory-backed or the user chose it.
    pub fn disk_notice(&self) -> Option<String> {
        if self.backing == Backing::Memory || self.from_env {
            return None;
        }
        Some(format!(
            "scratch files go to {} (disk-backed: no writable tmpfs found in TMPDIR, /dev/shm \
             or XDG_RUNTIME_DIR); runs are several times slower than on tmpfs; set {SCRATCH_ENV} \
             to choose a directory",
            rpsim_scenario::text::one_line(&self.dir.display().to_string())
        ))
    }
}

/// The process's scratch location, chosen on first use.
pub fn location() -> &'static ScratchLocation {
    static CHOSEN: OnceLock<ScratchLocation> = OnceLock::new();
    CHOSEN.get_or_init(|| {
        choose(
            std::env::var_os(SCRATCH_ENV).map(PathBuf::from),
            &candidates(),
            std::env::temp_dir(),
        )
    })
}

/// A new scratch directory for one run, below [`location`]; removed when dropped.
pub fn new_dir(prefix: &str) -> std::io::Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(&location().dir)
}

fn candidates() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::env::var_os("TMPDIR")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    found.push(PathBuf::from("/dev/shm"));
    found.extend(std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from));
    found
}

/// The rule itself, with its inputs passed in (tested without touching the environment).
fn choose(explicit: Option<PathBuf>, candidates: &[PathBuf], fallback: PathBuf) -> ScratchLocation {
    if let Some(dir) = explicit.filter(|d| !d.as_os_str().is_empty()) {
        let backing = backing_of(&dir);
        return ScratchLocation {
            dir,
            backing,
            from_env: true,
        };
    }
    let memory = candidates
        .iter()
        .find(|dir| dir.is_absolute() && backing_of(dir) == Backing::Memory && writable(dir));
    match memory {
        Some(dir) => ScratchLocation {
            dir: dir.clone(),
            backing: Backing::Memory,
            from_env: false,
        },
        None => ScratchLocation {
            backing: backing_of(&fallback),
            dir: fallback,
            from_env: false,
        },
    }
}

/// Can a directory be made in `dir`? (A mounted but read-only or foreign /dev/shm is skipped.)
fn writable(dir: &Path) -> bool {
    tempfile::Builder::new()
        .prefix(".rpsim-probe-")
        .tempdir_in(dir)
        .is_ok()
}

#[cfg(target_os = "linux")]
fn backing_of(dir: &Path) -> Backing {
    use std::os::unix::ffi::OsStrExt;
    const TMPFS_MAGIC: i64 = 0x0102_1994;
    const RAMFS_MAGIC: i64 = 0x8584_58f6;
    let Ok(path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return Backing::Disk;
    };
    // SAFETY: `path` is a valid NUL-terminated string and `stats` a properly sized,
    // zero-initialised out-parameter that statfs fills in.
    let mut stats: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(path.as_ptr(), &mut stats) } != 0 {
        return Backing::Disk;
    }
    #[allow(clippy::unnecessary_cast)]
    match stats.f_type as i64 {
        TMPFS_MAGIC | RAMFS_MAGIC => Backing::Memory,
        _ => Backing::Disk,
    }
}

#[cfg(not(target_os = "linux"))]
fn backing_of(_dir: &Path) -> Backing {
    Backing::Disk
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_override_wins_even_on_disk() {
        let disk = tempfile::tempdir_in(".").unwrap();
        let chosen = choose(
            Some(disk.path().to_path_buf()),
            &[PathBuf::from("/dev/shm")],
            PathBuf::from("/tmp"),
        );
        assert!(chosen.from_env);
        assert_eq!(chosen.dir, disk.path());
        assert_eq!(chosen.disk_notice(), None, "the user chose it: no notice");
    }

    #[test]
    fn a_disk_fallback_is_announced_and_memory_is_preferred() {
        let disk = tempfile::tempdir_in(".").unwrap();
        assert_eq!(
            backing_of(disk.path()),
            Backing::Disk,
            "the checkout is not on tmpfs"
        );
        let fallback = choose(
            None,
            &[disk.path().to_path_buf()],
            disk.path().to_path_buf(),
        );
        assert_eq!(fallback.backing, Backing::Disk);
        assert!(fallback.disk_notice().unwrap().contains(SCRATCH_ENV));
        let shm = PathBuf::from("/dev/shm");
        if backing_of(&shm) == Backing::Memory && writable(&shm) {
            let chosen = choose(
                None,
                &[disk.path().to_path_buf(), shm.clone()],
                fallback.dir,
            );
            assert_eq!((chosen.dir, chosen.backing), (shm, Backing::Memory));
        }
    }

    #[test]
    fn relative_and_missing_candidates_are_skipped() {
        let chosen = choose(
            None,
            &[PathBuf::from("relative"), PathBuf::from("/no/such/dir")],
            PathBuf::from("/"),
        );
        assert_eq!(chosen.dir, PathBuf::from("/"));
    }
}
