//! rpsim-vfs: the file systems a run stores its exports on, behind one object-safe trait.
//! [`RealFs`] is the operating system's (today's `openat`/`O_NOFOLLOW`/`O_NONBLOCK`/`fstat`/
//! `SEEK_DATA` code, unchanged in what it refuses); [`MemFs`] is a tree of nodes in memory
//! (sparse files as extents, holes read as zeros, hard links, no symbolic links unless one is
//! planted, and then refused exactly as a real one). Owns those two implementations and the
//! traits; it must never know an export format, and the in-memory one must fail with the same
//! `errno` the kernel gives, so that nothing above can tell the two apart but by speed.
//!
//! Modules: `kind` (what a name is, open errors), `real_dir` and `real_fs` (the operating
//! system's), `mem_tree`, `mem_file` and `mem_fs` (the in-memory one), `path_walk` (folder by
//! folder opening shared by both).

mod kind;
mod mem_file;
mod mem_fs;
mod mem_tree;
mod path_walk;
mod real_dir;
mod real_fs;

pub use kind::{errno, not_found, Kind, OpenError};
pub use mem_fs::{MemFs, MEM_FILE_SIZE_MAX_BYTES, MEM_PAGE_BYTES};
pub use path_walk::open_path;
pub use real_fs::RealFs;

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A whole file system, addressed by absolute paths. Path operations never follow a symbolic
/// link at the last component (as `symlink_metadata`, `link`, `unlink`); the in-memory one
/// follows none at all (it refuses a path through one with `ELOOP`).
pub trait Fs: Send + Sync + fmt::Debug {
    /// `disk` or `memory`, for the run line.
    fn name(&self) -> &'static str;
    /// The names in the folder at `path` (lossily UTF-8, unordered), at most `entries_max`
    /// (`None` when it holds that many or more).
    fn read_dir_names(&self, path: &Path, entries_max: usize) -> io::Result<Option<Vec<String>>>;
    /// What `path` is (its last component not followed); `None` when it does not exist.
    fn kind_at(&self, path: &Path) -> io::Result<Option<Kind>>;
    /// The length of the regular file (or whatever is) at `path`, not followed.
    fn len_at(&self, path: &Path) -> io::Result<u64>;
    /// `path` and its missing parents, as directories.
    fn create_dir_all(&self, path: &Path) -> io::Result<()>;
    /// A new, empty regular file at `path` (`O_EXCL`), open for reading and writing.
    fn create_new(&self, path: &Path) -> io::Result<Box<dyn VFile>>;
    /// `link(2)`: `to` names the file `from` names; fails with `EEXIST` instead of replacing.
    fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    /// Removes the empty directory at `path`.
    fn remove_dir(&self, path: &Path) -> io::Result<()>;
    /// Removes `path` and everything below it, following no link.
    fn remove_dir_all(&self, path: &Path) -> io::Result<()>;
    /// `path` absolute, with `.`, `..` and (on the real file system) links resolved.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;
    /// Opens the folder at `path` (its last component must be a folder, not a link to one).
    fn open_dir(&self, path: &Path) -> Result<Box<dyn VDir>, OpenError>;
    /// Opens the regular file at `path` for reading, never through a link at its last
    /// component and never waiting on a FIFO.
    fn open_regular_file(&self, path: &Path) -> Result<Box<dyn VFile>, OpenError>;
}

/// An open folder; names are opened relative to it, one component at a time.
pub trait VDir: Send + Sync + fmt::Debug {
    /// What `name` is, without following it; `None` when it does not exist.
    fn kind_of(&self, name: &str) -> Result<Option<Kind>, OpenError>;
    /// Opens the folder `name` inside this one (never through a link).
    fn open_dir(&self, name: &str) -> Result<Box<dyn VDir>, OpenError>;
    /// Opens the regular file `name` for reading; anything else (a link, a FIFO, a device, a
    /// socket, a folder) is refused without being waited on.
    fn open_file(&self, name: &str) -> Result<Box<dyn VFile>, OpenError>;
    /// Names in this folder (without `.` and `..`) and what each is, at most `entries_max`
    /// (`None` past that).
    fn entries(&self, entries_max: usize) -> io::Result<Option<Vec<(OsString, Kind)>>>;
    /// Creates the folder `name` inside this one (it must not exist).
    fn create_dir(&self, name: &str) -> Result<(), OpenError>;
    /// Creates the new file `name` for reading and writing; an existing name is refused.
    fn create_file(&self, name: &str) -> Result<Box<dyn VFile>, OpenError>;
    /// Removes the file (`folder` false) or empty folder `name` inside this one.
    fn remove(&self, name: &str, folder: bool) -> io::Result<()>;
    /// Bytes an unprivileged writer may still use on this folder's file system.
    fn available_bytes(&self) -> io::Result<u64>;
}

/// An open regular file. Reads and writes take an offset (`pread`/`pwrite`) and `&self`.
pub trait VFile: Send + Sync + fmt::Debug {
    /// Reads at most `buf.len()` bytes at `offset_bytes`; 0 at or past the end.
    fn read_at(&self, buf: &mut [u8], offset_bytes: u64) -> io::Result<usize>;
    /// Writes `buf` at `offset_bytes` (all of it or an error); the file grows as needed.
    fn write_all_at(&self, buf: &[u8], offset_bytes: u64) -> io::Result<()>;
    /// The file's length.
    fn len_bytes(&self) -> io::Result<u64>;
    /// `lseek(SEEK_DATA)`: the first data byte at or after `from_bytes`; `None` when only
    /// holes follow (ENXIO). `EINVAL` when the file system cannot tell.
    fn seek_data(&self, from_bytes: u64) -> io::Result<Option<u64>>;
    /// `lseek(SEEK_HOLE)`: the first hole byte at or after `from_bytes` (the end counts as
    /// one); `None` at or past the end.
    fn seek_hole(&self, from_bytes: u64) -> io::Result<Option<u64>>;
    /// `ftruncate`: cuts or extends (with a hole) the file to `size_bytes`.
    fn set_len(&self, size_bytes: u64) -> io::Result<()>;
    /// `fsync`.
    fn sync_all(&self) -> io::Result<()>;

    /// Reads exactly `buf.len()` bytes at `offset_bytes` (`UnexpectedEof` when the file ends).
    fn read_exact_at(&self, mut buf: &mut [u8], mut offset_bytes: u64) -> io::Result<()> {
        while !buf.is_empty() {
            match self.read_at(buf, offset_bytes) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "failed to fill whole buffer",
                    ))
                }
                Ok(n) => {
                    buf = &mut buf[n..];
                    offset_bytes += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// The file system a run stores on, shared by the writer, the reader and the checks.
pub type SharedFs = Arc<dyn Fs>;
