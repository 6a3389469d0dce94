//! The [`ExportTarget`] the job sees: every operation is carried out (through `file_ops`, or
//! directly when it is one resolved call), then charged its sim time and logged with the path
//! as the job gave it, including refused and failed ones. Owns that wrapping, one shape for
//! every operation; it must never decide what the job writes or log a real path.

use super::paths::show;
use super::sim_target::SimTarget;
use rpsim_export::target::{DirProbe, ExportTarget, FileHandle};
use rpsim_probe::Probe;
use std::io;
use std::path::Path;

impl SimTarget {
    /// Charges the operation's time and logs it.
    fn finish<T>(&mut self, kind: &'static str, path: String, bytes: u64, result: &io::Result<T>) {
        self.storage.charge(bytes);
        self.ops.record(kind, path, bytes, result);
        if let Err(e) = result {
            if let Some(probe) = probe_of(kind, e) {
                self.probes.hit(probe);
            }
        }
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
            .paths
            .resolve("create_dir_all", path)
            .and_then(|r| self.fs.create_dir_all(&r.real));
        self.finish("create_dir_all", show(path), 0, &result);
        result
    }

    fn create_new(&mut self, path: &Path) -> io::Result<FileHandle> {
        let result = self.create_new_inner(path);
        self.finish("create_new", show(path), 0, &result);
        result
    }

    fn write(&mut self, file: FileHandle, bytes: &[u8]) -> io::Result<()> {
        let path = self.files.path_of(file);
        let result = self.write_inner(file, bytes);
        let written_bytes = *result.as_ref().unwrap_or(&0);
        self.finish("write", path, written_bytes, &result);
        result.map(drop)
    }

    fn sync(&mut self, file: FileHandle) -> io::Result<()> {
        let path = self.files.path_of(file);
        let result = self.sync_inner(file);
        self.finish("sync", path, 0, &result);
        result
    }

    fn close(&mut self, file: FileHandle) -> io::Result<()> {
        let path = self.files.path_of(file);
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
            .paths
            .resolve("remove_dir", path)
            .and_then(|r| self.fs.remove_dir(&r.real));
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
            .paths
            .resolve("free_space_bytes", path)
            .map(|_| self.storage.free_bytes());
        self.finish("free_space_bytes", show(path), 0, &result);
        result
    }
}

/// The coverage probe of a failed operation, if it is one of the rare ones.
fn probe_of(kind: &str, error: &io::Error) -> Option<Probe> {
    let message = error.to_string();
    match error.kind() {
        io::ErrorKind::PermissionDenied if message.contains("NTFS refuses") => {
            Some(Probe::TargetNtfsRefused)
        }
        io::ErrorKind::PermissionDenied if message.contains("refused by the export target") => {
            Some(Probe::TargetPathRefused)
        }
        io::ErrorKind::AlreadyExists if kind == "rename_no_replace" => {
            Some(Probe::TargetRenameConflict)
        }
        io::ErrorKind::AlreadyExists if kind == "create_new" => Some(Probe::TargetCreateConflict),
        _ if message.contains("injected I/O error") => Some(Probe::TargetInjectedIoError),
        _ if rpsim_export::errors::is_storage_full(error) => Some(Probe::TargetOutOfSpace),
        _ => None,
    }
}
