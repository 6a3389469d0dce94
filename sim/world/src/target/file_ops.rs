//! The real work of each job operation that needs more than one step: resolve the path (a
//! refusal is a violation), take an injected fault, check the storage, act on the real file
//! system under the root, and update the open files and the bytes in use. Owns the order of
//! those steps per operation; it must never time or log an operation (`export_target` does) and
//! never act on a path `paths` refused.

use super::sim_target::SimTarget;
use super::storage::storage_full;
use rpsim_export::target::{DirProbe, FileHandle};
use rpsim_scenario::model::TargetOperation;
use rpsim_vfs::Kind;
use std::io;
use std::path::Path;

impl SimTarget {
    pub(super) fn probe_dir_inner(&mut self, path: &Path) -> io::Result<DirProbe> {
        let resolved = self.paths.resolve("probe_dir", path)?;
        match self.fs.kind_at(&resolved.real)? {
            None => Ok(DirProbe::Missing),
            Some(kind) if kind != Kind::Dir => Ok(DirProbe::NotADirectory),
            Some(_) => Ok(match self.fs.read_dir_names(&resolved.real, 1)? {
                None => DirProbe::NotEmpty,
                Some(_) => DirProbe::Empty,
            }),
        }
    }

    pub(super) fn create_new_inner(&mut self, path: &Path) -> io::Result<FileHandle> {
        let resolved = self.paths.resolve("create_new", path)?;
        self.storage.take_injected(TargetOperation::Create)?;
        if self.files.is_full() {
            return Err(io::Error::other("too many open files in one export"));
        }
        let file = self.fs.create_new(&resolved.real)?;
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
        match open.file.write_all_at(bytes, size_before_bytes) {
            Ok(()) => {
                open.size_bytes += size_bytes;
                self.storage.occupy(size_bytes);
                Ok(size_bytes)
            }
            Err(e) => {
                // A partial real write still occupies space: count what is there.
                let size_after_bytes = open.file.len_bytes().unwrap_or(size_before_bytes);
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
        self.fs.hard_link(&from.real, &to.real)?;
        self.fs.remove_file(&from.real)?;
        self.files.renamed(&from.virtual_path, &to.virtual_path);
        Ok(())
    }

    pub(super) fn remove_file_inner(&mut self, path: &Path) -> io::Result<()> {
        let resolved = self.paths.resolve("remove_file", path)?;
        let len_bytes = self.fs.len_at(&resolved.real)?;
        self.fs.remove_file(&resolved.real)?;
        let held_open = self.files.unlink(&resolved.virtual_path);
        if !held_open {
            self.storage.release_saturating(len_bytes);
        }
        Ok(())
    }

    pub(super) fn sync_dir_inner(&mut self, path: &Path) -> io::Result<()> {
        let resolved = self.paths.resolve("sync_dir", path)?;
        self.storage.take_injected(TargetOperation::Sync)?;
        let kind = self.fs.kind_at(&resolved.real)?;
        if kind.is_none() {
            return Err(rpsim_vfs::not_found());
        }
        if kind != Some(Kind::Dir) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "sync_dir on something that is not a directory",
            ));
        }
        Ok(())
    }
}
