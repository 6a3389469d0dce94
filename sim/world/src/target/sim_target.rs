//! [`SimTarget`]: the simulator's export storage, made of path confinement (`paths`), the
//! storage model (`storage`), the open files (`files`) and the operations log (`ops_log`). Owns building it over a real
//! root (counting the files already there) and what the run asks of it between job steps: sim
//! time, elapsed time, the log, violations, fault injection. It must never perform a job's
//! operation (see `file_ops` and `export_target`) or hand out the real root.

use super::files::OpenFiles;
use super::ops_log::{OpsLog, TargetOp};
use super::paths::Confinement;
use super::storage::{Storage, StorageSpec, TargetFault};
use rpsim_vfs::{Kind, SharedFs};
use std::io;
use std::path::{Path, PathBuf};

/// Entries the construction-time scan of the real root may visit.
pub const SCAN_ENTRIES_MAX: usize = 100_000;

/// The simulator's [`ExportTarget`](rpsim_export::target::ExportTarget); see the module
/// documentation of [`crate::target`].
#[derive(Debug)]
pub struct SimTarget {
    /// The byte store below the target: the real file system or an in-memory one.
    pub(super) fs: SharedFs,
    pub(super) paths: Confinement,
    pub(super) storage: Storage,
    pub(super) files: OpenFiles,
    pub(super) ops: OpsLog,
    /// Coverage probes the job's operations reached (write-only: never read to decide).
    pub(super) probes: rpsim_probe::ProbeHits,
}

impl SimTarget {
    /// Wraps `real_root` (created if missing) as `/exports`. Files already in it count as used.
    pub fn new(real_root: &Path, storage: StorageSpec) -> io::Result<SimTarget> {
        SimTarget::with_mounts(real_root, storage, &[])
    }

    /// As [`SimTarget::new`], with the drive letters (`C:`) and UNC shares (`\\\\srv\\share`)
    /// the storage is mounted at besides `/exports`, each a directory under `real_root`.
    pub fn with_mounts(
        real_root: &Path,
        storage: StorageSpec,
        mounts: &[String],
    ) -> io::Result<SimTarget> {
        SimTarget::on(
            std::sync::Arc::new(rpsim_vfs::RealFs),
            real_root,
            storage,
            mounts,
        )
    }

    /// As [`SimTarget::with_mounts`], over `root` in the file system `fs` (the real one, or an
    /// in-memory one: the target behaves the same on either).
    pub fn on(
        fs: SharedFs,
        real_root: &Path,
        storage: StorageSpec,
        mounts: &[String],
    ) -> io::Result<SimTarget> {
        if storage.bandwidth_bytes_per_s == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "export storage bandwidth must be positive",
            ));
        }
        fs.create_dir_all(real_root)?;
        if fs.kind_at(real_root)? != Some(Kind::Dir) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "export storage root is not a directory",
            ));
        }
        let paths = Confinement::new(fs.clone(), real_root, mounts)?;
        let used_bytes = scan_used_bytes(fs.as_ref(), real_root)?;
        Ok(SimTarget {
            fs,
            paths,
            storage: Storage::new(storage, used_bytes),
            files: OpenFiles::new(),
            ops: OpsLog::default(),
            probes: rpsim_probe::ProbeHits::off(),
        })
    }

    /// The file system the target stores its bytes on (what the checks read back).
    pub fn fs(&self) -> &SharedFs {
        &self.fs
    }

    /// Tells the target the current sim time (operations are timed from it).
    pub fn set_now(&mut self, now_ns: u64) {
        self.storage.set_now(now_ns);
    }

    /// Sim time spent by operations since the last call; resets it.
    pub fn take_elapsed_ns(&mut self) -> u64 {
        self.storage.take_elapsed_ns()
    }

    /// Operations since the last call, in order; resets the log.
    pub fn take_ops(&mut self) -> Vec<TargetOp> {
        self.ops.take()
    }

    /// Operations not logged (since construction) because the log held [`OPS_LOG_MAX`](super::OPS_LOG_MAX) entries.
    pub fn ops_dropped(&self) -> u64 {
        self.ops.dropped()
    }

    /// Every refused path, as `operation path: reason` (virtual paths only).
    pub fn violations(&self) -> &[String] {
        self.paths.violations()
    }

    /// Violations not kept because [`VIOLATIONS_MAX`](super::VIOLATIONS_MAX) were already recorded.
    pub fn violations_dropped(&self) -> u64 {
        self.paths.violations_dropped()
    }

    /// Bytes of all files the target holds (including removed files still open).
    pub fn used_bytes(&self) -> u64 {
        self.storage.used_bytes()
    }

    /// The storage numbers in force (after any `Slow` fault).
    pub fn storage(&self) -> StorageSpec {
        self.storage.spec()
    }

    /// Where a path strictly inside a mount (`/exports/x`, `C:\\Backups\\x`, in any case) lives
    /// on disk; `None` for any path the job would be refused.
    pub fn real_path(&self, virtual_path: &str) -> Option<PathBuf> {
        self.paths
            .check(Path::new(virtual_path))
            .ok()
            .map(|r| r.real)
    }

    /// Space freed on the storage by someone else (see the scenario's `free_space`): lifts an
    /// out-of-space limit by `bytes`, never above the declared capacity; returns the free bytes.
    pub fn free_space(&mut self, bytes: u64) -> u64 {
        self.storage.free_space(bytes)
    }

    /// True while an out-of-space fault holds the usable capacity below the declared one.
    pub fn space_limited(&self) -> bool {
        self.storage.space_limited()
    }

    /// Counts the coverage probes the job's operations reach from now on.
    pub fn observe_probes(&mut self) {
        self.probes = rpsim_probe::ProbeHits::observing();
    }

    /// The coverage probes reached so far (all zero unless observed).
    pub fn probe_hits(&self) -> &rpsim_probe::ProbeHits {
        &self.probes
    }

    /// Applies `fault` from now on.
    pub fn inject(&mut self, fault: TargetFault) {
        self.storage.inject(fault);
    }
}

/// Bytes of the regular files under `root`, without following links; bounded.
fn scan_used_bytes(fs: &dyn rpsim_vfs::Fs, root: &Path) -> io::Result<u64> {
    let too_many = || {
        io::Error::other(format!(
            "export storage root holds more than {SCAN_ENTRIES_MAX} entries"
        ))
    };
    let mut used_bytes = 0u64;
    let mut pending = vec![root.to_path_buf()];
    let mut visited = 0usize;
    while let Some(dir) = pending.pop() {
        let names = fs
            .read_dir_names(&dir, SCAN_ENTRIES_MAX)?
            .ok_or_else(too_many)?;
        for name in names {
            visited += 1;
            if visited > SCAN_ENTRIES_MAX {
                return Err(too_many());
            }
            let path = dir.join(name);
            match fs.kind_at(&path)? {
                Some(Kind::Dir) => pending.push(path),
                Some(Kind::File) => used_bytes = used_bytes.saturating_add(fs.len_at(&path)?),
                _ => {}
            }
        }
    }
    Ok(used_bytes)
}
