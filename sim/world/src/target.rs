//! [`SimTarget`]: the simulator's export storage, an [`ExportTarget`] over a real directory.
//!
//! Owns the mapping of the simulated root `/exports` onto one real directory, the refusal (and
//! recording) of every path that is not strictly inside it, the storage model (capacity, used
//! bytes, bandwidth, latency, the sim time each operation costs) and the injection of target
//! faults (out of space, I/O errors, slowness, stalls). It must never touch the real file system
//! outside its root, never follow a symbolic link, never decide what the job writes, and never
//! let the real root path reach anything it returns (ops log, violations, errors): traces must
//! be identical across runs in different temporary directories.
//!
//! Decisions (ours):
//! - Any symbolic link on the way to a path, or at it, is refused, even one pointing inside the
//!   root: the target never follows links, so it never has to judge where one leads.
//! - `sync` and `sync_dir` are simulated (cost and faults) but not passed on to the real file
//!   system: the temporary directory does not need to survive a real crash of the simulator.
//! - `TargetOperation::Sync` faults hit `sync` and `sync_dir`; `Create` hits `create_new` only.
//! - Every operation costs sim time, including refused and failed ones (the request still
//!   reaches the storage stack); only bytes actually written cost bandwidth.

use rpsim_export::target::{DirProbe, ExportTarget, FileHandle};
use rpsim_scenario::model::TargetOperation;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The simulated absolute path of the export storage; export directories live under it.
pub const VIRTUAL_ROOT: &str = "/exports";
/// Bound on files open at once through one target.
pub const OPEN_FILES_MAX: usize = 1024;
/// Longest path (in bytes) the target accepts.
pub const PATH_BYTES_MAX: usize = 4096;
/// Most components a path under the root may have.
pub const PATH_DEPTH_MAX: usize = 64;
/// Operations kept in the log between two [`SimTarget::take_ops`]; later ones are counted only.
pub const OPS_LOG_MAX: usize = 1 << 20;
/// Violations kept; later ones are counted only.
pub const VIOLATIONS_MAX: usize = 10_000;
/// Injected I/O errors that may wait for one kind of operation.
pub const IO_ERRORS_PENDING_MAX: u32 = 1_000;
/// Entries the construction-time scan of the real root may visit.
pub const SCAN_ENTRIES_MAX: usize = 100_000;

const NS_PER_S: u128 = 1_000_000_000;
const STORAGE_FULL_MESSAGE: &str = "not enough space on the export target";
const OPERATIONS: [TargetOperation; 4] = [
    TargetOperation::Write,
    TargetOperation::Sync,
    TargetOperation::Rename,
    TargetOperation::Create,
];

/// The export storage as the scenario describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageSpec {
    pub capacity_bytes: u64,
    pub bandwidth_bytes_per_s: u64,
    pub latency_ns: u64,
}

/// A fault applied to the target from the moment it is injected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetFault {
    /// The storage fills up once `bytes` more bytes were written.
    OutOfSpaceAfter { bytes: u64 },
    /// The next operation of that kind fails once.
    IoError { operation: TargetOperation },
    /// New storage numbers; `None` keeps the current one.
    Slow {
        bandwidth_bytes_per_s: Option<u64>,
        latency_ns: Option<u64>,
    },
    /// Every operation before `until_ns` (sim time) waits until then.
    Stall { until_ns: u64 },
}

/// One operation as recorded for the trace. `path` is always the virtual path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetOp {
    pub kind: &'static str,
    pub path: String,
    pub bytes: u64,
    /// `ok` or a description of the error that contains no real path.
    pub result: String,
}

/// A file opened by `create_new` and not yet closed.
#[derive(Debug)]
struct OpenFile {
    file: File,
    virtual_path: String,
    size_bytes: u64,
    /// Removed while open: its bytes are freed when it is closed.
    unlinked: bool,
}

/// A path the target accepted.
struct Resolved {
    virtual_path: String,
    real: PathBuf,
}

/// The simulator's [`ExportTarget`]; see the module documentation.
#[derive(Debug)]
pub struct SimTarget {
    real_root: PathBuf,
    storage: StorageSpec,
    capacity_bytes_effective: u64,
    used_bytes: u64,
    now_ns: u64,
    elapsed_ns: u64,
    stall_until_ns: u64,
    io_errors_pending: BTreeMap<TargetOperation, u32>,
    files: BTreeMap<u64, OpenFile>,
    handle_next: u64,
    ops: Vec<TargetOp>,
    ops_dropped: u64,
    violations: Vec<String>,
    violations_dropped: u64,
}

impl SimTarget {
    /// Wraps `real_root` (created if missing) as `/exports`. Files already in it count as used.
    pub fn new(real_root: &Path, storage: StorageSpec) -> io::Result<SimTarget> {
        if storage.bandwidth_bytes_per_s == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "export storage bandwidth must be positive",
            ));
        }
        std::fs::create_dir_all(real_root)?;
        let meta = std::fs::symlink_metadata(real_root)?;
        if !meta.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "export storage root is not a directory",
            ));
        }
        let used_bytes = scan_used_bytes(real_root)?;
        Ok(SimTarget {
            real_root: real_root.to_path_buf(),
            storage,
            capacity_bytes_effective: storage.capacity_bytes,
            used_bytes,
            now_ns: 0,
            elapsed_ns: 0,
            stall_until_ns: 0,
            io_errors_pending: BTreeMap::new(),
            files: BTreeMap::new(),
            handle_next: 1,
            ops: Vec::new(),
            ops_dropped: 0,
            violations: Vec::new(),
            violations_dropped: 0,
        })
    }

    /// Tells the target the current sim time (operations are timed from it).
    pub fn set_now(&mut self, now_ns: u64) {
        self.now_ns = now_ns;
    }

    /// Sim time spent by operations since the last call; resets it.
    pub fn take_elapsed_ns(&mut self) -> u64 {
        std::mem::take(&mut self.elapsed_ns)
    }

    /// Operations since the last call, in order; resets the log.
    pub fn take_ops(&mut self) -> Vec<TargetOp> {
        std::mem::take(&mut self.ops)
    }

    /// Operations not logged (since construction) because the log held [`OPS_LOG_MAX`] entries.
    pub fn ops_dropped(&self) -> u64 {
        self.ops_dropped
    }

    /// Every refused path, as `operation path: reason` (virtual paths only).
    pub fn violations(&self) -> &[String] {
        &self.violations
    }

    /// Violations not kept because [`VIOLATIONS_MAX`] were already recorded.
    pub fn violations_dropped(&self) -> u64 {
        self.violations_dropped
    }

    /// Bytes of all files the target holds (including removed files still open).
    pub fn used_bytes(&self) -> u64 {
        self.used_bytes
    }

    /// The storage numbers in force (after any `Slow` fault).
    pub fn storage(&self) -> StorageSpec {
        self.storage
    }

    /// Where a virtual path strictly under `/exports` lives on disk; `None` for any path the
    /// job would be refused.
    pub fn real_path(&self, virtual_path: &str) -> Option<PathBuf> {
        self.check_path(Path::new(virtual_path))
            .ok()
            .map(|r| r.real)
    }

    /// Applies `fault` from now on.
    pub fn inject(&mut self, fault: TargetFault) {
        match fault {
            TargetFault::OutOfSpaceAfter { bytes } => {
                let limit = self.used_bytes.saturating_add(bytes);
                self.capacity_bytes_effective = self.capacity_bytes_effective.min(limit);
            }
            TargetFault::IoError { operation } => {
                let pending = self.io_errors_pending.entry(operation).or_insert(0);
                *pending = (*pending + 1).min(IO_ERRORS_PENDING_MAX);
            }
            TargetFault::Slow {
                bandwidth_bytes_per_s,
                latency_ns,
            } => {
                if let Some(bandwidth) = bandwidth_bytes_per_s {
                    self.storage.bandwidth_bytes_per_s = bandwidth.max(1);
                }
                if let Some(latency) = latency_ns {
                    self.storage.latency_ns = latency;
                }
            }
            TargetFault::Stall { until_ns } => {
                self.stall_until_ns = self.stall_until_ns.max(until_ns);
            }
        }
        assert!(self.storage.bandwidth_bytes_per_s > 0);
    }

    fn free_bytes(&self) -> u64 {
        self.capacity_bytes_effective
            .saturating_sub(self.used_bytes)
    }

    /// Sim time one operation moving `bytes` costs now, stall included.
    fn cost_ns(&self, bytes: u64) -> u64 {
        assert!(self.storage.bandwidth_bytes_per_s > 0);
        let at_ns = self.now_ns.saturating_add(self.elapsed_ns);
        let stall_ns = self.stall_until_ns.saturating_sub(at_ns);
        let transfer_ns = bytes as u128 * NS_PER_S / self.storage.bandwidth_bytes_per_s as u128;
        let total_ns = stall_ns as u128 + self.storage.latency_ns as u128 + transfer_ns;
        u64::try_from(total_ns).unwrap_or(u64::MAX)
    }

    /// Charges the operation's time and logs it.
    fn finish<T>(&mut self, kind: &'static str, path: String, bytes: u64, result: &io::Result<T>) {
        let cost_ns = self.cost_ns(bytes);
        self.elapsed_ns = self.elapsed_ns.saturating_add(cost_ns);
        if self.ops.len() >= OPS_LOG_MAX {
            self.ops_dropped += 1;
            return;
        }
        let result = match result {
            Ok(_) => "ok".to_string(),
            Err(e) => describe_error(e),
        };
        self.ops.push(TargetOp {
            kind,
            path,
            bytes,
            result,
        });
    }

    /// Fails once if an I/O error was injected for `operation`.
    fn take_injected(&mut self, operation: TargetOperation) -> io::Result<()> {
        match self.io_errors_pending.get_mut(&operation) {
            Some(pending) if *pending > 0 => {
                *pending -= 1;
                Err(io::Error::other(format!(
                    "injected I/O error on {}",
                    operation_name(operation)
                )))
            }
            _ => Ok(()),
        }
    }

    /// Lexical and symbolic-link checks; see [`check_lexical`].
    fn check_path(&self, path: &Path) -> Result<Resolved, String> {
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
    fn resolve(&mut self, kind: &'static str, path: &Path) -> io::Result<Resolved> {
        self.check_path(path).map_err(|reason| {
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

    fn open_file(&mut self, handle: FileHandle) -> io::Result<&mut OpenFile> {
        self.files
            .get_mut(&handle.0)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "unknown file handle"))
    }

    fn handle_path(&self, handle: FileHandle) -> String {
        match self.files.get(&handle.0) {
            Some(open) => open.virtual_path.clone(),
            None => format!("<unknown handle {}>", handle.0),
        }
    }

    fn probe_dir_inner(&mut self, path: &Path) -> io::Result<DirProbe> {
        let resolved = self.resolve("probe_dir", path)?;
        match std::fs::symlink_metadata(&resolved.real) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(DirProbe::Missing),
            Err(e) => Err(e),
            Ok(meta) if !meta.is_dir() => Ok(DirProbe::NotADirectory),
            Ok(_) => {
                let mut entries = std::fs::read_dir(&resolved.real)?;
                Ok(match entries.next() {
                    Some(_) => DirProbe::NotEmpty,
                    None => DirProbe::Empty,
                })
            }
        }
    }

    fn create_new_inner(&mut self, path: &Path) -> io::Result<FileHandle> {
        let resolved = self.resolve("create_new", path)?;
        self.take_injected(TargetOperation::Create)?;
        if self.files.len() >= OPEN_FILES_MAX {
            return Err(io::Error::other("too many open files in one export"));
        }
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&resolved.real)?;
        let handle = self.handle_next;
        self.handle_next += 1;
        let open = OpenFile {
            file,
            virtual_path: resolved.virtual_path,
            size_bytes: 0,
            unlinked: false,
        };
        self.files.insert(handle, open);
        assert!(self.files.len() <= OPEN_FILES_MAX);
        Ok(FileHandle(handle))
    }

    /// Appends `bytes`; returns how many were written (all or none).
    fn write_inner(&mut self, handle: FileHandle, bytes: &[u8]) -> io::Result<u64> {
        self.open_file(handle)?;
        self.take_injected(TargetOperation::Write)?;
        let size_bytes = bytes.len() as u64;
        if size_bytes > self.free_bytes() {
            return Err(storage_full());
        }
        let open = self.open_file(handle)?;
        let size_before_bytes = open.size_bytes;
        match open.file.write_all(bytes) {
            Ok(()) => {
                open.size_bytes += size_bytes;
                self.used_bytes += size_bytes;
                Ok(size_bytes)
            }
            Err(e) => {
                // A partial real write still occupies space: count what is there.
                let size_after_bytes = open.file.metadata().map_or(size_before_bytes, |m| m.len());
                let grown_bytes = size_after_bytes.saturating_sub(size_before_bytes);
                open.size_bytes += grown_bytes;
                self.used_bytes += grown_bytes;
                Err(e)
            }
        }
    }

    fn sync_inner(&mut self, handle: FileHandle) -> io::Result<()> {
        self.open_file(handle)?;
        self.take_injected(TargetOperation::Sync)
    }

    fn close_inner(&mut self, handle: FileHandle) -> io::Result<()> {
        let open = self
            .files
            .remove(&handle.0)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "unknown file handle"))?;
        if open.unlinked {
            assert!(self.used_bytes >= open.size_bytes);
            self.used_bytes -= open.size_bytes;
        }
        Ok(())
    }

    fn rename_inner(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        let from = self.resolve("rename_no_replace", from)?;
        let to = self.resolve("rename_no_replace", to)?;
        self.take_injected(TargetOperation::Rename)?;
        // Hard link then unlink: link(2) fails with EEXIST instead of replacing `to`.
        std::fs::hard_link(&from.real, &to.real)?;
        std::fs::remove_file(&from.real)?;
        for open in self.files.values_mut() {
            if !open.unlinked && open.virtual_path == from.virtual_path {
                open.virtual_path = to.virtual_path.clone();
            }
        }
        Ok(())
    }

    fn remove_file_inner(&mut self, path: &Path) -> io::Result<()> {
        let resolved = self.resolve("remove_file", path)?;
        let meta = std::fs::symlink_metadata(&resolved.real)?;
        std::fs::remove_file(&resolved.real)?;
        let mut held_open = false;
        for open in self.files.values_mut() {
            if !open.unlinked && open.virtual_path == resolved.virtual_path {
                open.unlinked = true;
                held_open = true;
            }
        }
        if !held_open {
            self.used_bytes = self.used_bytes.saturating_sub(meta.len());
        }
        Ok(())
    }

    fn sync_dir_inner(&mut self, path: &Path) -> io::Result<()> {
        let resolved = self.resolve("sync_dir", path)?;
        self.take_injected(TargetOperation::Sync)?;
        let meta = std::fs::symlink_metadata(&resolved.real)?;
        if !meta.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "sync_dir on something that is not a directory",
            ));
        }
        Ok(())
    }
}

impl ExportTarget for SimTarget {
    fn probe_dir(&mut self, path: &Path) -> io::Result<DirProbe> {
        let result = self.probe_dir_inner(path);
        self.finish("probe_dir", show(path), 0, &result);
        result
    }

    fn create_dir_all(&mut self, path: &Path) -> io::Result<()> {
        // No link exists on the way (checked), so creating the missing parents is safe.
        let result = self
            .resolve("create_dir_all", path)
            .and_then(|r| std::fs::create_dir_all(r.real));
        self.finish("create_dir_all", show(path), 0, &result);
        result
    }

    fn create_new(&mut self, path: &Path) -> io::Result<FileHandle> {
        let result = self.create_new_inner(path);
        self.finish("create_new", show(path), 0, &result);
        result
    }

    fn write(&mut self, file: FileHandle, bytes: &[u8]) -> io::Result<()> {
        let path = self.handle_path(file);
        let result = self.write_inner(file, bytes);
        let written_bytes = *result.as_ref().unwrap_or(&0);
        self.finish("write", path, written_bytes, &result);
        result.map(drop)
    }

    fn sync(&mut self, file: FileHandle) -> io::Result<()> {
        let path = self.handle_path(file);
        let result = self.sync_inner(file);
        self.finish("sync", path, 0, &result);
        result
    }

    fn close(&mut self, file: FileHandle) -> io::Result<()> {
        let path = self.handle_path(file);
        let result = self.close_inner(file);
        self.finish("close", path, 0, &result);
        result
    }

    fn rename_no_replace(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        let result = self.rename_inner(from, to);
        let shown = format!("{} -> {}", show(from), show(to));
        self.finish("rename_no_replace", shown, 0, &result);
        result
    }

    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        let result = self.remove_file_inner(path);
        self.finish("remove_file", show(path), 0, &result);
        result
    }

    fn remove_dir(&mut self, path: &Path) -> io::Result<()> {
        let result = self
            .resolve("remove_dir", path)
            .and_then(|r| std::fs::remove_dir(r.real));
        self.finish("remove_dir", show(path), 0, &result);
        result
    }

    fn sync_dir(&mut self, path: &Path) -> io::Result<()> {
        let result = self.sync_dir_inner(path);
        self.finish("sync_dir", show(path), 0, &result);
        result
    }

    fn free_space_bytes(&mut self, path: &Path) -> io::Result<u64> {
        let result = self
            .resolve("free_space_bytes", path)
            .map(|_| self.free_bytes());
        self.finish("free_space_bytes", show(path), 0, &result);
        result
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
fn show(path: &Path) -> String {
    path.to_string_lossy().replace('\0', "\\0")
}

/// An error as text that is the same on every machine: OS errors by kind only (their messages
/// come from the C library), our own errors by kind and message.
fn describe_error(e: &io::Error) -> String {
    if e.raw_os_error().is_some() {
        format!("{:?}", e.kind())
    } else {
        format!("{:?}: {e}", e.kind())
    }
}

/// `StorageFull` is stable since Rust 1.83; the workspace still declares 1.80 (bump requested).
#[allow(clippy::incompatible_msrv)]
fn storage_full() -> io::Error {
    io::Error::new(io::ErrorKind::StorageFull, STORAGE_FULL_MESSAGE)
}

fn operation_name(operation: TargetOperation) -> &'static str {
    assert!(OPERATIONS.contains(&operation));
    match operation {
        TargetOperation::Write => "write",
        TargetOperation::Sync => "sync",
        TargetOperation::Rename => "rename",
        TargetOperation::Create => "create",
    }
}

/// Bytes of the regular files under `root`, without following links; bounded.
fn scan_used_bytes(root: &Path) -> io::Result<u64> {
    let mut used_bytes = 0u64;
    let mut pending = vec![root.to_path_buf()];
    let mut visited = 0usize;
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            visited += 1;
            if visited > SCAN_ENTRIES_MAX {
                return Err(io::Error::other(format!(
                    "export storage root holds more than {SCAN_ENTRIES_MAX} entries"
                )));
            }
            let entry = entry?;
            let meta = std::fs::symlink_metadata(entry.path())?;
            if meta.is_dir() {
                pending.push(entry.path());
            } else if meta.is_file() {
                used_bytes = used_bytes.saturating_add(meta.len());
            }
        }
    }
    Ok(used_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    fn spec(capacity_bytes: u64) -> StorageSpec {
        StorageSpec {
            capacity_bytes,
            bandwidth_bytes_per_s: 1_000_000,
            latency_ns: 1_000,
        }
    }

    /// A target over `<tmp>/root`, with `<tmp>` returned so tests can watch outside the root.
    fn target(capacity_bytes: u64) -> (tempfile::TempDir, SimTarget) {
        let outer = tempfile::tempdir().expect("temp dir");
        let target = SimTarget::new(&outer.path().join("root"), spec(capacity_bytes))
            .expect("target over a fresh temp dir");
        (outer, target)
    }

    fn p(text: &str) -> &Path {
        Path::new(text)
    }

    fn write_file(t: &mut SimTarget, path: &str, bytes: &[u8]) -> FileHandle {
        let handle = t.create_new(p(path)).expect("create_new");
        t.write(handle, bytes).expect("write");
        handle
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn escaping_paths_are_refused_recorded_and_create_nothing() {
        let (outer, mut t) = target(MIB);
        let escapes = [
            "/exports/../etc/passwd",
            "/exports/../escaped",
            "/etc/x",
            "/exports/a/../../b",
            "/exports/./../escaped",
            "exports/relative",
            "relative",
            "",
            "/exports",
            "/exports/",
            "/exportsx/a",
            "/exports/nul\0byte",
        ];
        for (index, path) in escapes.iter().enumerate() {
            let error = t.create_new(p(path)).expect_err(path);
            assert_eq!(error.kind(), io::ErrorKind::PermissionDenied, "{path:?}");
            assert_eq!(t.violations().len(), index + 1, "{path:?} not recorded");
        }
        let error = t.create_dir_all(p("/exports/../escaped_dir")).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::PermissionDenied);
        assert!(t.violations()[0].contains("/exports/../etc/passwd"));
        assert!(t.violations()[0].contains("`..`"));
        assert_eq!(
            entries(outer.path()),
            ["root"],
            "something escaped the root"
        );
        assert!(entries(&outer.path().join("root")).is_empty());
        assert_eq!(t.used_bytes(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_inside_root_pointing_outside_is_never_followed() {
        let (outer, mut t) = target(MIB);
        let outside = outer.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("secret"), b"12345").unwrap();
        std::os::unix::fs::symlink(&outside, outer.path().join("root/link")).unwrap();
        let denied = io::ErrorKind::PermissionDenied;
        assert_eq!(
            t.create_new(p("/exports/link/f")).unwrap_err().kind(),
            denied
        );
        assert_eq!(
            t.create_dir_all(p("/exports/link/sub")).unwrap_err().kind(),
            denied
        );
        assert_eq!(t.probe_dir(p("/exports/link")).unwrap_err().kind(), denied);
        assert_eq!(
            t.remove_file(p("/exports/link/secret")).unwrap_err().kind(),
            denied
        );
        assert_eq!(
            t.remove_file(p("/exports/link")).unwrap_err().kind(),
            denied
        );
        let renamed = t.rename_no_replace(p("/exports/link/secret"), p("/exports/stolen"));
        assert_eq!(renamed.unwrap_err().kind(), denied);
        assert_eq!(t.violations().len(), 6);
        assert!(t.violations().iter().all(|v| v.contains("symbolic link")));
        assert_eq!(entries(&outside), ["secret"], "the link target was touched");
        assert_eq!(std::fs::read(outside.join("secret")).unwrap(), b"12345");
        assert_eq!(t.real_path("/exports/link/secret"), None);
    }

    #[test]
    fn files_land_under_the_real_root_at_their_virtual_path() {
        let (outer, mut t) = target(MIB);
        assert_eq!(t.probe_dir(p("/exports/job")).unwrap(), DirProbe::Missing);
        t.create_dir_all(p("/exports/job/Virtual Machines"))
            .unwrap();
        assert_eq!(t.probe_dir(p("/exports/job")).unwrap(), DirProbe::NotEmpty);
        let handle = write_file(&mut t, "/exports/job/Virtual Machines/a.vmcx", b"abc");
        t.write(handle, b"de").unwrap();
        t.sync(handle).unwrap();
        t.close(handle).unwrap();
        let real = t
            .real_path("/exports/job//./Virtual Machines/a.vmcx")
            .unwrap();
        assert_eq!(real, outer.path().join("root/job/Virtual Machines/a.vmcx"));
        assert_eq!(std::fs::read(real).unwrap(), b"abcde");
        assert_eq!(t.used_bytes(), 5);
        let probe = t.probe_dir(p("/exports/job/Virtual Machines/a.vmcx"));
        assert_eq!(probe.unwrap(), DirProbe::NotADirectory);
        assert!(t.violations().is_empty());
    }

    #[test]
    fn capacity_is_enforced_and_freed_on_remove() {
        let (_outer, mut t) = target(100);
        let handle = write_file(&mut t, "/exports/a", &[7; 60]);
        let error = t.write(handle, &[7; 41]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
        assert_eq!(error.to_string(), "not enough space on the export target");
        let real = t.real_path("/exports/a").unwrap();
        assert_eq!(
            std::fs::metadata(&real).unwrap().len(),
            60,
            "a refused write wrote"
        );
        assert_eq!(t.free_space_bytes(p("/exports/a")).unwrap(), 40);
        t.write(handle, &[7; 40]).unwrap();
        assert_eq!(t.free_space_bytes(p("/exports/x")).unwrap(), 0);
        t.close(handle).unwrap();
        t.remove_file(p("/exports/a")).unwrap();
        assert_eq!(t.used_bytes(), 0);
        assert_eq!(t.free_space_bytes(p("/exports/x")).unwrap(), 100);
        let again = write_file(&mut t, "/exports/b", &[1; 100]);
        t.close(again).unwrap();
        assert_eq!(t.used_bytes(), 100);
    }

    #[test]
    fn a_file_removed_while_open_is_freed_when_closed() {
        let (_outer, mut t) = target(100);
        let handle = write_file(&mut t, "/exports/a", &[1; 30]);
        t.remove_file(p("/exports/a")).unwrap();
        t.write(handle, &[1; 10]).unwrap();
        assert_eq!(
            t.used_bytes(),
            40,
            "an open unlinked file still holds space"
        );
        t.close(handle).unwrap();
        assert_eq!(t.used_bytes(), 0);
    }

    #[test]
    fn files_already_in_the_root_count_as_used() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("root");
        std::fs::create_dir_all(root.join("old")).unwrap();
        std::fs::write(root.join("old/f"), [0u8; 25]).unwrap();
        let mut t = SimTarget::new(&root, spec(100)).unwrap();
        assert_eq!(t.used_bytes(), 25);
        t.remove_file(p("/exports/old/f")).unwrap();
        assert_eq!(t.used_bytes(), 0);
    }

    #[test]
    fn zero_bandwidth_storage_is_refused() {
        let outer = tempfile::tempdir().unwrap();
        let storage = StorageSpec {
            bandwidth_bytes_per_s: 0,
            ..spec(1)
        };
        let error = SimTarget::new(outer.path(), storage).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn each_operation_costs_latency_plus_bytes_over_bandwidth() {
        let (_outer, mut t) = target(u64::MAX);
        let handle = t.create_new(p("/exports/a")).unwrap();
        assert_eq!(t.take_elapsed_ns(), 1_000);
        assert_eq!(t.take_elapsed_ns(), 0, "take resets");
        t.write(handle, &[0; 1_500]).unwrap();
        t.sync(handle).unwrap();
        // 1_500 bytes at 1_000_000 B/s = 1_500_000 ns, plus two latencies.
        assert_eq!(t.take_elapsed_ns(), 1_500_000 + 2 * 1_000);
        t.inject(TargetFault::Slow {
            bandwidth_bytes_per_s: Some(3),
            latency_ns: None,
        });
        t.write(handle, &[0; 2]).unwrap();
        // Integer division: 2 * 1e9 / 3 = 666_666_666 (rounded down).
        assert_eq!(t.take_elapsed_ns(), 666_666_666 + 1_000);
        t.inject(TargetFault::Slow {
            bandwidth_bytes_per_s: Some(0),
            latency_ns: Some(7),
        });
        assert_eq!(
            t.storage().bandwidth_bytes_per_s,
            1,
            "zero bandwidth clamped"
        );
        t.write(handle, &[0; 2]).unwrap();
        assert_eq!(t.take_elapsed_ns(), 2_000_000_000 + 7);
    }

    #[test]
    fn huge_costs_saturate_instead_of_overflowing() {
        let outer = tempfile::tempdir().unwrap();
        let storage = StorageSpec {
            capacity_bytes: u64::MAX,
            bandwidth_bytes_per_s: 1,
            latency_ns: u64::MAX,
        };
        let mut t = SimTarget::new(outer.path(), storage).unwrap();
        let handle = t.create_new(p("/exports/a")).unwrap();
        t.write(handle, &[0; 10]).unwrap();
        assert_eq!(t.take_elapsed_ns(), u64::MAX);
    }

    #[test]
    fn out_of_space_after_bytes_fills_the_storage_then() {
        let (_outer, mut t) = target(1_000);
        let handle = write_file(&mut t, "/exports/a", &[0; 100]);
        t.inject(TargetFault::OutOfSpaceAfter { bytes: 50 });
        assert_eq!(t.free_space_bytes(p("/exports/a")).unwrap(), 50);
        t.write(handle, &[0; 50]).unwrap();
        let error = t.write(handle, &[0; 1]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
        t.inject(TargetFault::OutOfSpaceAfter { bytes: 10_000 });
        assert_eq!(
            t.free_space_bytes(p("/exports/a")).unwrap(),
            0,
            "a fault never adds space"
        );
    }

    #[test]
    fn injected_io_error_fails_the_next_operation_of_its_kind_once() {
        let (_outer, mut t) = target(MIB);
        for operation in OPERATIONS {
            t.inject(TargetFault::IoError { operation });
        }
        let expected = |op: &str| format!("injected I/O error on {op}");
        let error = t.create_new(p("/exports/a")).unwrap_err();
        assert_eq!(
            (error.kind(), error.to_string()),
            (io::ErrorKind::Other, expected("create"))
        );
        let handle = t.create_new(p("/exports/a")).unwrap();
        assert_eq!(
            t.write(handle, b"x").unwrap_err().to_string(),
            expected("write")
        );
        t.write(handle, b"x").unwrap();
        assert_eq!(t.sync(handle).unwrap_err().to_string(), expected("sync"));
        t.sync(handle).unwrap();
        t.close(handle).unwrap();
        let rename = t.rename_no_replace(p("/exports/a"), p("/exports/b"));
        assert_eq!(rename.unwrap_err().to_string(), expected("rename"));
        t.rename_no_replace(p("/exports/a"), p("/exports/b"))
            .unwrap();
        assert_eq!(t.used_bytes(), 1, "the failed write moved no bytes");
        assert!(t
            .real_path("/exports/a")
            .unwrap()
            .symlink_metadata()
            .is_err());
    }

    #[test]
    fn injected_sync_error_also_hits_sync_dir() {
        let (_outer, mut t) = target(MIB);
        t.create_dir_all(p("/exports/d")).unwrap();
        t.inject(TargetFault::IoError {
            operation: TargetOperation::Sync,
        });
        assert_eq!(
            t.sync_dir(p("/exports/d")).unwrap_err().kind(),
            io::ErrorKind::Other
        );
        t.sync_dir(p("/exports/d")).unwrap();
    }

    #[test]
    fn stall_delays_operations_until_it_ends() {
        let (_outer, mut t) = target(MIB);
        t.set_now(10_000);
        t.inject(TargetFault::Stall { until_ns: 50_000 });
        t.create_dir_all(p("/exports/d")).unwrap();
        // Waits 40_000 ns for the stall, then its own latency.
        assert_eq!(t.take_elapsed_ns(), 40_000 + 1_000);
        t.set_now(45_000);
        t.create_dir_all(p("/exports/d")).unwrap();
        t.create_dir_all(p("/exports/d")).unwrap();
        // The first waits 5_000; the second starts after the stall and pays latency only.
        assert_eq!(t.take_elapsed_ns(), 5_000 + 1_000 + 1_000);
        t.set_now(60_000);
        t.create_dir_all(p("/exports/d")).unwrap();
        assert_eq!(t.take_elapsed_ns(), 1_000);
    }

    #[test]
    fn rename_never_replaces_an_existing_file() {
        let (_outer, mut t) = target(MIB);
        let a = write_file(&mut t, "/exports/a", b"new");
        let b = write_file(&mut t, "/exports/b", b"old");
        t.close(a).unwrap();
        t.close(b).unwrap();
        let error = t
            .rename_no_replace(p("/exports/a"), p("/exports/b"))
            .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(
            std::fs::read(t.real_path("/exports/b").unwrap()).unwrap(),
            b"old"
        );
        assert_eq!(
            std::fs::read(t.real_path("/exports/a").unwrap()).unwrap(),
            b"new"
        );
        assert_eq!(t.used_bytes(), 6);
    }

    #[test]
    fn open_files_are_bounded() {
        let (_outer, mut t) = target(MIB);
        for index in 0..OPEN_FILES_MAX {
            t.create_new(&PathBuf::from(format!("/exports/f{index}")))
                .unwrap();
        }
        let error = t.create_new(p("/exports/one_too_many")).unwrap_err();
        assert!(error.to_string().contains("too many open files"));
        assert!(t
            .real_path("/exports/one_too_many")
            .unwrap()
            .symlink_metadata()
            .is_err());
    }

    /// The same operations in two different temp dirs, including failures.
    fn scripted_ops() -> (String, Vec<TargetOp>, Vec<String>) {
        let (outer, mut t) = target(10);
        t.create_dir_all(p("/exports/job/Virtual Hard Disks"))
            .unwrap();
        let handle = write_file(&mut t, "/exports/job/Virtual Hard Disks/d.rplog", b"12345");
        let _ = t.write(handle, &[0; 6]);
        let _ = t.create_new(p("/exports/job/Virtual Hard Disks/d.rplog"));
        let _ = t.create_new(p("/exports/../outside"));
        t.close(handle).unwrap();
        let _ = t.remove_file(p("/exports/job/missing"));
        let _ = t.write(FileHandle(99), b"x");
        let from = p("/exports/job/Virtual Hard Disks/d.rplog");
        t.rename_no_replace(from, p("/exports/job/final")).unwrap();
        t.remove_file(p("/exports/job/final")).unwrap();
        t.remove_dir(p("/exports/job/Virtual Hard Disks")).unwrap();
        t.sync_dir(p("/exports/job")).unwrap();
        let root = outer.path().to_string_lossy().into_owned();
        (root, t.take_ops(), t.violations().to_vec())
    }

    #[test]
    fn ops_log_uses_virtual_paths_and_is_identical_across_temp_dirs() {
        let (root_a, ops_a, violations_a) = scripted_ops();
        let (root_b, ops_b, violations_b) = scripted_ops();
        assert_ne!(root_a, root_b);
        assert_eq!(ops_a, ops_b);
        assert_eq!(violations_a, violations_b);
        let text = format!("{ops_a:?} {violations_a:?}");
        assert!(!text.contains(&root_a), "real root leaked: {text}");
        assert!(ops_a
            .iter()
            .all(|op| op.path.starts_with("/exports/") || op.path.starts_with('<')));
        let kinds: Vec<&str> = ops_a.iter().map(|op| op.kind).collect();
        assert_eq!(
            kinds[..4],
            ["create_dir_all", "create_new", "write", "write"]
        );
        assert_eq!((ops_a[2].bytes, ops_a[2].result.as_str()), (5, "ok"));
        assert_eq!(ops_a[3].bytes, 0, "a refused write moved no bytes");
        assert!(
            ops_a[3].result.starts_with("StorageFull"),
            "{}",
            ops_a[3].result
        );
        assert_eq!(ops_a[4].result, "AlreadyExists");
        assert!(ops_a[5].result.starts_with("PermissionDenied"));
        assert_eq!(ops_a[7].result, "NotFound");
        assert_eq!(ops_a[8].path, "<unknown handle 99>");
        assert_eq!(
            ops_a[9].path,
            "/exports/job/Virtual Hard Disks/d.rplog -> /exports/job/final"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever path the job builds from these pieces, nothing appears outside the root,
        /// and an accepted path maps strictly below it.
        #[test]
        fn no_path_reaches_outside_the_root(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["exports", "..", ".", "", "a", "etc", "/"]),
                0..8,
            ),
            absolute in proptest::bool::ANY,
        ) {
            let (outer, mut t) = target(MIB);
            let joined = pieces.join("/");
            let text = if absolute { format!("/{joined}") } else { joined };
            let accepted = t.real_path(&text);
            let dir = t.create_dir_all(p(&text));
            let _ = t.create_new(&p(&text).join("f"));
            proptest::prop_assert_eq!(entries(outer.path()), ["root"]);
            if let Some(real) = accepted {
                let root = outer.path().join("root");
                proptest::prop_assert!(real.starts_with(&root) && real != root, "{real:?}");
                proptest::prop_assert!(!text.split('/').any(|c| c == ".."));
                proptest::prop_assert!(dir.is_ok() && t.violations().is_empty());
            } else {
                let kind = dir.map_err(|e| e.kind()).err();
                proptest::prop_assert_eq!(kind, Some(io::ErrorKind::PermissionDenied));
                proptest::prop_assert!(t.violations()[0].starts_with("create_dir_all "));
            }
        }
    }
}
