//! Bookkeeping of what was written: [`OpenFiles`], the files `create_new` opened and not yet
//! closed, each with its virtual path, the bytes written to it and whether it was removed while
//! open (its bytes are freed on close). Owns handles and that per-file record, bounded by
//! [`OPEN_FILES_MAX`]; it must never resolve a path or charge storage (the target does both).

use rpsim_export::target::FileHandle;
use rpsim_vfs::VFile;
use std::collections::BTreeMap;
use std::io;

/// Bound on files open at once through one target.
pub const OPEN_FILES_MAX: usize = 1024;

/// A file opened by `create_new` and not yet closed.
#[derive(Debug)]
pub(super) struct OpenFile {
    pub(super) file: Box<dyn VFile>,
    pub(super) virtual_path: String,
    pub(super) size_bytes: u64,
    /// Removed while open: its bytes are freed when it is closed.
    pub(super) unlinked: bool,
}

/// Open files by handle number; handles are never reused.
#[derive(Debug)]
pub(super) struct OpenFiles {
    files: BTreeMap<u64, OpenFile>,
    handle_next: u64,
}

impl OpenFiles {
    pub(super) fn new() -> OpenFiles {
        OpenFiles {
            files: BTreeMap::new(),
            handle_next: 1,
        }
    }

    /// Whether [`OPEN_FILES_MAX`] files are open.
    pub(super) fn is_full(&self) -> bool {
        self.files.len() >= OPEN_FILES_MAX
    }

    /// Records `file`, just created empty at `virtual_path`, under a new handle.
    pub(super) fn insert(&mut self, file: Box<dyn VFile>, virtual_path: String) -> FileHandle {
        assert!(!self.is_full());
        let handle = self.handle_next;
        self.handle_next += 1;
        let open = OpenFile {
            file,
            virtual_path,
            size_bytes: 0,
            unlinked: false,
        };
        self.files.insert(handle, open);
        assert!(self.files.len() <= OPEN_FILES_MAX);
        FileHandle(handle)
    }

    pub(super) fn get_mut(&mut self, handle: FileHandle) -> io::Result<&mut OpenFile> {
        self.files.get_mut(&handle.0).ok_or_else(unknown_handle)
    }

    pub(super) fn remove(&mut self, handle: FileHandle) -> io::Result<OpenFile> {
        self.files.remove(&handle.0).ok_or_else(unknown_handle)
    }

    /// The virtual path of `handle` for logs, or a placeholder naming the unknown handle.
    pub(super) fn path_of(&self, handle: FileHandle) -> String {
        match self.files.get(&handle.0) {
            Some(open) => open.virtual_path.clone(),
            None => format!("<unknown handle {}>", handle.0),
        }
    }

    /// Open files at `from` (not removed) are now at `to`.
    pub(super) fn renamed(&mut self, from: &str, to: &str) {
        for open in self.files.values_mut() {
            if !open.unlinked && open.virtual_path == from {
                open.virtual_path = to.to_string();
            }
        }
    }

    /// Marks the open files at `virtual_path` removed; whether there was one.
    pub(super) fn unlink(&mut self, virtual_path: &str) -> bool {
        let mut held_open = false;
        for open in self.files.values_mut() {
            if !open.unlinked && open.virtual_path == virtual_path {
                open.unlinked = true;
                held_open = true;
            }
        }
        held_open
    }
}

fn unknown_handle() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "unknown file handle")
}
