//! The write side of an export: the operations the job may perform on the export directory.
//! Owns the trait and [`PlainDirectory`], the implementation over a real directory; it must
//! never decide what to write.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file opened by [`ExportTarget::create_new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileHandle(pub u64);

/// What is at the export directory path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirProbe {
    Missing,
    Empty,
    NotEmpty,
    NotADirectory,
}

/// Every file-system operation the export job performs. Paths are absolute paths inside the
/// export directory; an implementation must refuse any other path.
pub trait ExportTarget {
    fn probe_dir(&mut self, path: &Path) -> io::Result<DirProbe>;
    fn create_dir_all(&mut self, path: &Path) -> io::Result<()>;
    /// Creates a new file; fails with `AlreadyExists` if anything is at `path`.
    fn create_new(&mut self, path: &Path) -> io::Result<FileHandle>;
    /// Appends `bytes` to the file.
    fn write(&mut self, file: FileHandle, bytes: &[u8]) -> io::Result<()>;
    fn sync(&mut self, file: FileHandle) -> io::Result<()>;
    fn close(&mut self, file: FileHandle) -> io::Result<()>;
    /// Renames `from` to `to`; fails with `AlreadyExists` if `to` exists (never overwrites).
    fn rename_no_replace(&mut self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove_file(&mut self, path: &Path) -> io::Result<()>;
    /// Removes an empty directory.
    fn remove_dir(&mut self, path: &Path) -> io::Result<()>;
    fn sync_dir(&mut self, path: &Path) -> io::Result<()>;
    fn free_space_bytes(&mut self, path: &Path) -> io::Result<u64>;
}

/// [`ExportTarget`] over a real directory tree, for running the job outside the simulator.
#[derive(Debug, Default)]
pub struct PlainDirectory {
    files: std::collections::BTreeMap<u64, File>,
    next_handle: u64,
    /// Reported by `free_space_bytes`; the plain target does not measure the file system.
    pub free_space_bytes: u64,
}

/// Bound on files open at once through one target.
pub const OPEN_FILES_MAX: usize = 1024;

impl PlainDirectory {
    pub fn new() -> PlainDirectory {
        PlainDirectory {
            files: Default::default(),
            next_handle: 1,
            free_space_bytes: u64::MAX,
        }
    }

    fn file(&mut self, handle: FileHandle) -> io::Result<&mut File> {
        self.files
            .get_mut(&handle.0)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "unknown file handle"))
    }
}

impl ExportTarget for PlainDirectory {
    fn probe_dir(&mut self, path: &Path) -> io::Result<DirProbe> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(DirProbe::Missing),
            Err(e) => Err(e),
            Ok(m) if !m.is_dir() => Ok(DirProbe::NotADirectory),
            Ok(_) => {
                let mut entries = std::fs::read_dir(path)?;
                Ok(if entries.next().is_some() {
                    DirProbe::NotEmpty
                } else {
                    DirProbe::Empty
                })
            }
        }
    }

    fn create_dir_all(&mut self, path: &Path) -> io::Result<()> {
        std::fs::create_dir_all(path)
    }

    fn create_new(&mut self, path: &Path) -> io::Result<FileHandle> {
        if self.files.len() >= OPEN_FILES_MAX {
            return Err(io::Error::other("too many open files in one export"));
        }
        let file = OpenOptions::new().write(true).create_new(true).open(path)?;
        let handle = self.next_handle;
        self.next_handle += 1;
        self.files.insert(handle, file);
        Ok(FileHandle(handle))
    }

    fn write(&mut self, file: FileHandle, bytes: &[u8]) -> io::Result<()> {
        self.file(file)?.write_all(bytes)
    }

    fn sync(&mut self, file: FileHandle) -> io::Result<()> {
        self.file(file)?.sync_all()
    }

    fn close(&mut self, file: FileHandle) -> io::Result<()> {
        self.files
            .remove(&file.0)
            .map(drop)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "unknown file handle"))
    }

    fn rename_no_replace(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        // Hard link then unlink: link(2) fails with EEXIST instead of replacing `to`.
        std::fs::hard_link(from, to)?;
        std::fs::remove_file(from)
    }

    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }

    fn remove_dir(&mut self, path: &Path) -> io::Result<()> {
        std::fs::remove_dir(path)
    }

    fn sync_dir(&mut self, path: &Path) -> io::Result<()> {
        File::open(path)?.sync_all()
    }

    fn free_space_bytes(&mut self, _path: &Path) -> io::Result<u64> {
        Ok(self.free_space_bytes)
    }
}

/// Joins a relative layout path onto the export directory.
pub fn join(export_directory: &Path, relative: &str) -> PathBuf {
    export_directory.join(relative)
}
