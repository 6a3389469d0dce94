//! Where a run's bytes live: [`Storage`] (`memory`, the default, or `disk`), chosen by
//! `--storage`, then `RPSIM_STORAGE`, then disk when the user asked to see real files
//! (`--keep-exports`) and memory otherwise; and [`RunScratch`], one run's scratch directory
//! in that file system (exports and restored images). Owns that choice and the making and
//! removal of the directory; it must never reach a run's decisions (either backend gives the
//! same trace, the suite test proves it).

use rpsim_vfs::{Fs, MemFs, RealFs, SharedFs};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Names the override of the default backend.
pub const STORAGE_ENV: &str = "RPSIM_STORAGE";
/// The scratch directory of a run in memory (each run has a file system of its own).
pub const MEMORY_SCRATCH_DIR: &str = "/rpsim-scratch";

/// A storage backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// An in-memory file system per run (`rpsim_vfs::MemFs`).
    Memory,
    /// The real file system, under the scratch location (`runner::scratch`).
    Disk,
}

impl Storage {
    /// `memory` or `disk`.
    pub fn name(self) -> &'static str {
        match self {
            Storage::Memory => "memory",
            Storage::Disk => "disk",
        }
    }

    /// Parses `memory` or `disk`.
    pub fn parse(text: &str) -> Result<Storage, String> {
        match text {
            "memory" => Ok(Storage::Memory),
            "disk" => Ok(Storage::Disk),
            other => Err(format!(
                "storage `{}` is neither `memory` nor `disk`",
                rpsim_scenario::text::one_line(other)
            )),
        }
    }

    /// The backend of a run: `explicit` (`--storage`), else `RPSIM_STORAGE`, else disk when
    /// `real_files` (the user will look at the export tree), else memory. Memory together with
    /// real files is refused.
    pub fn resolve(explicit: Option<Storage>, real_files: bool) -> Result<Storage, String> {
        let explicit = explicit.or_else(|| PROCESS_STORAGE.get().copied());
        let from_env = match std::env::var(STORAGE_ENV) {
            Ok(text) if !text.is_empty() => {
                Some(Storage::parse(&text).map_err(|e| format!("{STORAGE_ENV}: {e}"))?)
            }
            _ => None,
        };
        Storage::choose(explicit, from_env, real_files)
    }

    /// The rule of [`Storage::resolve`] with the environment passed in.
    fn choose(
        explicit: Option<Storage>,
        from_env: Option<Storage>,
        real_files: bool,
    ) -> Result<Storage, String> {
        match (explicit, real_files) {
            (Some(Storage::Memory), true) => Err(
                "--keep-exports writes real files: it needs --storage disk (the default with it)"
                    .to_string(),
            ),
            (Some(storage), _) => Ok(storage),
            (None, true) => Ok(Storage::Disk),
            (None, false) => Ok(from_env.unwrap_or(Storage::Memory)),
        }
    }
}

/// The backend `--storage` chose for every run of this process (set once by the binary).
static PROCESS_STORAGE: OnceLock<Storage> = OnceLock::new();

/// Sets the backend of every run of this process that names none (`--storage`); a second call
/// changes nothing.
pub fn set_process_storage(storage: Storage) {
    let _ = PROCESS_STORAGE.set(storage);
}

/// One run's scratch directory, in its backend's file system; removed when dropped.
#[derive(Debug)]
pub struct RunScratch {
    storage: Storage,
    fs: SharedFs,
    dir: PathBuf,
    /// The real directory, removed when dropped (`None` in memory: the tree goes with `fs`).
    _real: Option<tempfile::TempDir>,
}

impl RunScratch {
    /// A new scratch directory named with `prefix` (on disk) in `storage`.
    pub fn new(storage: Storage, prefix: &str) -> std::io::Result<RunScratch> {
        match storage {
            Storage::Memory => {
                let fs = MemFs::new();
                fs.create_dir_all(Path::new(MEMORY_SCRATCH_DIR))?;
                Ok(RunScratch {
                    storage,
                    fs: Arc::new(fs),
                    dir: PathBuf::from(MEMORY_SCRATCH_DIR),
                    _real: None,
                })
            }
            Storage::Disk => {
                let real = super::scratch::new_dir(prefix)?;
                Ok(RunScratch {
                    storage,
                    fs: Arc::new(RealFs),
                    dir: real.path().to_path_buf(),
                    _real: Some(real),
                })
            }
        }
    }

    /// The directory, a path in [`RunScratch::fs`].
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The backend it is on.
    pub fn storage(&self) -> Storage {
        self.storage
    }

    /// The file system the directory is in.
    pub fn fs(&self) -> &SharedFs {
        &self.fs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_the_default_unless_real_files_are_wanted() {
        assert_eq!(Storage::choose(None, None, false), Ok(Storage::Memory));
        assert_eq!(Storage::choose(None, None, true), Ok(Storage::Disk));
        assert_eq!(
            Storage::choose(None, Some(Storage::Disk), false),
            Ok(Storage::Disk)
        );
        assert_eq!(
            Storage::choose(None, Some(Storage::Memory), true),
            Ok(Storage::Disk),
            "the environment never hides files the user asked to keep"
        );
        assert_eq!(
            Storage::choose(Some(Storage::Disk), Some(Storage::Memory), false),
            Ok(Storage::Disk)
        );
        assert!(Storage::choose(Some(Storage::Memory), None, true).is_err());
        assert!(Storage::parse("tape").unwrap_err().contains("tape"));
    }

    #[test]
    fn a_memory_scratch_touches_no_real_directory() {
        let scratch = RunScratch::new(Storage::Memory, "rpsim-test-").unwrap();
        assert_eq!(scratch.fs().name(), "memory");
        assert_eq!(
            scratch.fs().kind_at(scratch.path()).unwrap(),
            Some(rpsim_vfs::Kind::Dir)
        );
        assert!(!scratch.path().exists(), "nothing on the real file system");
    }
}
