//! The real work of each job operation that needs more than one step: resolve the path (a
//! refusal is a violation), take an injected fault, check the storage, act on the real file
//! system under the root, and update the open files and the bytes in use. Owns the order of
//! those steps per operation; it must never time or log an operation (`export_target` does) and
//! never act on a path `paths` refused.

use super::sim_target::SimTarget;
use super::storage::storage_full;
use rpsim_export::target::{DirProbe, FileHandle};
use rpsim_scenario::model::TargetOperation;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

impl SimTarget {
    pub(super) fn probe_dir_inner(&mut self, path: &Path) -> io::Result<DirProbe> {
        let resolved = self.paths.resolve("probe_dir", path)?;
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

    pub(super) fn create_new_inner(&mut self, path: &Path) -> io::Result<FileHandle> {
        let resolved = self.paths.resolve("create_new", path)?;
        self.storage.take_injected(TargetOperation::Create)?;
        if self.files.is_full() {
            return Err(io::Error::other("too many open files in one export"));
        }
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&resolved.real)?;
        Ok(self.files.insert(file, resolved.virtual_path))
    }

    /// Appends `bytes`; returns how many were written (all or none).
    pub(super) fn write_inner(&mut self, handle: FileHandle, bytes: &[u8]) -> io::Result<u64> {
        self.files.get_mut(handle)?;
        self.storage.take_injected(TargetOperation::Write)?;
        let size_bytes = bytes.len() as u64;
        if size_bytes > self.storage.free_bytes() {
            return Err(storage_full());
        }
        let open = self.files.get_mut(handle)?;
        let size_before_bytes = open.size_bytes;
        match open.file.write_all(bytes) {
            Ok(()) => {
                open.size_bytes += size_bytes;
                self.storage.occupy(size_bytes);
                Ok(size_bytes)
            }
            Err(e) => {
                // A partial real write still occupies space: count what is there.
                let size_after_bytes = open.file.metadata().map_or(size_before_bytes, |m| m.len());
                let grown_bytes = size_after_bytes.saturating_sub(size_before_bytes);
                open.size_bytes += grown_bytes;
                self.storage.occupy(grown_bytes);
                Err(e)
            }
        }
    }

    pub(super) fn sync_inner(&mut self, handle: FileHandle) -> io::Result<()> {
        self.files.get_mut(handle)?;
        self.storage.take_injected(TargetOperation::Sync)
    }

    pub(super) fn close_inner(&mut self, handle: FileHandle) -> io::Result<()> {
        let open = self.files.remove(handle)?;
        if open.unlinked {
            self.storage.release(open.size_bytes);
        }
        Ok(())
    }

    pub(super) fn rename_inner(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        let from = self.paths.resolve("rename_no_replace", from)?;
        let to = self.paths.resolve("rename_no_replace", to)?;
        self.storage.take_injected(TargetOperation::Rename)?;
        // Hard link then unlink: link(2) fails with EEXIST instead of replacing `to`.
        std::fs::hard_link(&from.real, &to.real)?;
        std::fs::remove_file(&from.real)?;
        self.files.renamed(&from.virtual_path, &to.virtual_path);
        Ok(())
    }

    pub(super) fn remove_file_inner(&mut self, path: &Path) -> io::Result<()> {
        let resolved = self.paths.resolve("remove_file", path)?;
        let meta = std::fs::symlink_metadata(&resolved.real)?;
        std::fs::remove_file(&resolved.real)?;
        let held_open = self.files.unlink(&resolved.virtual_path);
        if !held_open {
            self.storage.release_saturating(meta.len());
        }
        Ok(())
    }

    pub(super) fn sync_dir_inner(&mut self, path: &Path) -> io::Result<()> {
        let resolved = self.paths.resolve("sync_dir", path)?;
        self.storage.take_injected(TargetOperation::Sync)?;
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
