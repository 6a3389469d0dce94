//! The operating system's folders and files: [`RealDir`] opens everything relative to an
//! already open folder (`openat`) with `O_NOFOLLOW`, so a symbolic link at any component is
//! refused; files are opened `O_NONBLOCK` after `fstatat` says they are regular, and kept only
//! when `fstat` of the open handle agrees, so a FIFO or a device never blocks the reader.
//! [`RealFile`] is an open file (`pread`, `pwrite`, `lseek` for holes). Owns those system calls
//! (and their `unsafe`); it must never resolve a path from the top a second time once a folder
//! is open.

use crate::kind::{Kind, OpenError};
use crate::{VDir, VFile};
use std::ffi::{CString, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

fn kind_from_mode(mode: libc::mode_t) -> Kind {
    match mode & libc::S_IFMT {
        libc::S_IFREG => Kind::File,
        libc::S_IFDIR => Kind::Dir,
        libc::S_IFLNK => Kind::Symlink,
        libc::S_IFIFO => Kind::Fifo,
        libc::S_IFSOCK => Kind::Socket,
        libc::S_IFCHR => Kind::CharDevice,
        _ => Kind::BlockDevice,
    }
}

/// An open folder; names are opened relative to it.
#[derive(Debug)]
pub struct RealDir {
    fd: OwnedFd,
}

/// An open regular file of the operating system.
#[derive(Debug)]
pub struct RealFile(pub File);

fn c_name(name: &str) -> Result<CString, OpenError> {
    let ok = !name.is_empty() && name != "." && name != ".." && !name.contains('/');
    assert!(ok, "`{name}` is not one path component");
    CString::new(name).map_err(|_| OpenError::Io(io::Error::from(io::ErrorKind::InvalidInput)))
}

fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

const DIR_FLAGS: libc::c_int =
    libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
const FILE_FLAGS: libc::c_int =
    libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC;

impl RealDir {
    /// Opens the folder at `path` (the path's own parents are the caller's choice; its last
    /// component must be a folder, not a link to one).
    pub fn open(path: &Path) -> Result<RealDir, OpenError> {
        let c_path = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| OpenError::Io(io::Error::from(io::ErrorKind::InvalidInput)))?;
        // SAFETY: a valid NUL-terminated path; the result is checked before use.
        let result = check(unsafe { libc::open(c_path.as_ptr(), DIR_FLAGS) });
        match result {
            // SAFETY: a descriptor just returned by open, owned by nobody else.
            Ok(fd) => Ok(RealDir {
                fd: unsafe { OwnedFd::from_raw_fd(fd) },
            }),
            Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENOTDIR)) => {
                match std::fs::symlink_metadata(path) {
                    Ok(m) if m.file_type().is_symlink() => Err(OpenError::Kind(Kind::Symlink)),
                    Ok(m) if m.is_file() => Err(OpenError::Kind(Kind::File)),
                    _ => Err(OpenError::Io(e)),
                }
            }
            Err(e) => Err(OpenError::Io(e)),
        }
    }
}

impl VDir for RealDir {
    /// What `name` is, without following it; `None` when it does not exist.
    fn kind_of(&self, name: &str) -> Result<Option<Kind>, OpenError> {
        let c = c_name(name)?;
        // SAFETY: an all-zero stat is a valid value to be overwritten.
        let mut stat: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: valid descriptor, NUL-terminated name, and a stat buffer we own.
        let result = unsafe {
            libc::fstatat(
                self.fd.as_raw_fd(),
                c.as_ptr(),
                &mut stat,
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        match check(result) {
            Ok(_) => Ok(Some(kind_from_mode(stat.st_mode))),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(None),
            Err(e) => Err(OpenError::Io(e)),
        }
    }

    /// Opens the folder `name` inside this one.
    fn open_dir(&self, name: &str) -> Result<Box<dyn VDir>, OpenError> {
        let c = c_name(name)?;
        // SAFETY: valid descriptor and NUL-terminated name; the result is checked.
        match check(unsafe { libc::openat(self.fd.as_raw_fd(), c.as_ptr(), DIR_FLAGS) }) {
            // SAFETY: a descriptor just returned by openat, owned by nobody else.
            Ok(fd) => Ok(Box::new(RealDir {
                fd: unsafe { OwnedFd::from_raw_fd(fd) },
            })),
            Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENOTDIR)) => Err(self
                .kind_of(name)?
                .map_or(OpenError::Io(e), OpenError::Kind)),
            Err(e) => Err(OpenError::Io(e)),
        }
    }

    /// Opens the regular file `name` inside this folder for reading; anything else (a link, a
    /// FIFO, a device, a socket, a folder) is refused without being waited on.
    fn open_file(&self, name: &str) -> Result<Box<dyn VFile>, OpenError> {
        match self.kind_of(name)? {
            Some(Kind::File) => {}
            Some(other) => return Err(OpenError::Kind(other)),
            None => return Err(OpenError::Io(io::Error::from(io::ErrorKind::NotFound))),
        }
        let c = c_name(name)?;
        // SAFETY: valid descriptor and NUL-terminated name; O_NONBLOCK keeps a FIFO swapped in
        // since the fstatat above from blocking, O_NOFOLLOW refuses a swapped-in link.
        let result = check(unsafe { libc::openat(self.fd.as_raw_fd(), c.as_ptr(), FILE_FLAGS) });
        Ok(Box::new(RealFile(regular_file_of(result)?)))
    }

    /// Names in this folder (without `.` and `..`) and what each is, at most `entries_max`
    /// (`None` past that).
    fn entries(&self, entries_max: usize) -> io::Result<Option<Vec<(OsString, Kind)>>> {
        // SAFETY: dup of a descriptor we own; fdopendir takes the copy over.
        let copy = check(unsafe { libc::fcntl(self.fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 0) })?;
        // SAFETY: `copy` is a valid directory descriptor nobody else owns.
        let stream = unsafe { libc::fdopendir(copy) };
        if stream.is_null() {
            let e = io::Error::last_os_error();
            // SAFETY: fdopendir failed, so `copy` is still ours to close.
            unsafe { libc::close(copy) };
            return Err(e);
        }
        // SAFETY: a fresh stream; rewinding makes the shared offset irrelevant.
        unsafe { libc::rewinddir(stream) };
        let mut names = Vec::new();
        let result = loop {
            // SAFETY: `stream` is open; errno is reset so the end and an error can be told apart.
            let entry = unsafe {
                *libc::__errno_location() = 0;
                libc::readdir(stream)
            };
            if entry.is_null() {
                let e = io::Error::last_os_error();
                break if e.raw_os_error().unwrap_or(0) == 0 {
                    Ok(())
                } else {
                    Err(e)
                };
            }
            // SAFETY: readdir returned a valid entry whose d_name is NUL-terminated.
            let name = unsafe { std::ffi::CStr::from_ptr((*entry).d_name.as_ptr()) };
            let bytes = name.to_bytes();
            if bytes == b"." || bytes == b".." {
                continue;
            }
            if names.len() >= entries_max {
                break Ok(());
            }
            names.push(OsString::from_vec(bytes.to_vec()));
        };
        // SAFETY: `stream` is open and closed once, which also closes `copy`.
        unsafe { libc::closedir(stream) };
        result?;
        if names.len() >= entries_max {
            return Ok(None);
        }
        let mut entries = Vec::with_capacity(names.len());
        for name in names {
            let kind = match name.to_str() {
                Some(text) => self.kind_of(text).map_err(|e| match e {
                    OpenError::Io(e) => e,
                    OpenError::Kind(_) => unreachable!("kind_of never refuses a kind"),
                })?,
                None => Some(Kind::File),
            };
            if let Some(kind) = kind {
                entries.push((name, kind));
            }
        }
        Ok(Some(entries))
    }

    /// Creates the folder `name` inside this one (it must not exist).
    fn create_dir(&self, name: &str) -> Result<(), OpenError> {
        let c = c_name(name)?;
        // SAFETY: valid descriptor and NUL-terminated name.
        check(unsafe { libc::mkdirat(self.fd.as_raw_fd(), c.as_ptr(), 0o777) })
            .map(drop)
            .map_err(OpenError::Io)
    }

    /// Creates the new file `name` inside this folder for reading and writing; an existing
    /// name (file, link or anything else) is refused.
    fn create_file(&self, name: &str) -> Result<Box<dyn VFile>, OpenError> {
        let c = c_name(name)?;
        let flags =
            libc::O_RDWR | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC;
        // SAFETY: valid descriptor and NUL-terminated name; O_EXCL never opens what exists.
        let fd = check(unsafe { libc::openat(self.fd.as_raw_fd(), c.as_ptr(), flags, 0o666) })
            .map_err(OpenError::Io)?;
        // SAFETY: a descriptor just returned by openat, owned by nobody else.
        Ok(Box::new(RealFile(File::from(unsafe {
            OwnedFd::from_raw_fd(fd)
        }))))
    }

    /// Removes the file (`folder` false) or empty folder `name` inside this one.
    fn remove(&self, name: &str, folder: bool) -> io::Result<()> {
        let c = c_name(name).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        let flags = if folder { libc::AT_REMOVEDIR } else { 0 };
        // SAFETY: valid descriptor and NUL-terminated name.
        check(unsafe { libc::unlinkat(self.fd.as_raw_fd(), c.as_ptr(), flags) }).map(drop)
    }

    /// Bytes an unprivileged writer may still use on this folder's file system.
    fn available_bytes(&self) -> io::Result<u64> {
        // SAFETY: an all-zero statvfs is a valid value to be overwritten.
        let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: valid descriptor and a buffer we own.
        check(unsafe { libc::fstatvfs(self.fd.as_raw_fd(), &mut stat) })?;
        Ok((stat.f_bavail as u64).saturating_mul(stat.f_frsize as u64))
    }
}

/// What an open handle is (`fstat`).
fn kind_of_open(file: &File) -> io::Result<Kind> {
    use std::os::unix::fs::MetadataExt;
    Ok(kind_from_mode(file.metadata()?.mode() as libc::mode_t))
}

/// Opens the regular file at `path` for reading without following a link at its last
/// component and without blocking on a FIFO (a log read on its own, outside an export).
pub(crate) fn open_regular_file(path: &Path) -> Result<File, OpenError> {
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| OpenError::Io(io::Error::from(io::ErrorKind::InvalidInput)))?;
    // SAFETY: a valid NUL-terminated path; the result is checked before use.
    regular_file_of(check(unsafe { libc::open(c_path.as_ptr(), FILE_FLAGS) }))
}

/// The file an `open`/`openat` with `FILE_FLAGS` returned (`result`), kept only when `fstat`
/// of the handle says it is a regular file; `ELOOP` (a link at the last component) is told
/// apart as a link.
fn regular_file_of(result: io::Result<libc::c_int>) -> Result<File, OpenError> {
    let fd = match result {
        Ok(fd) => fd,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(OpenError::Kind(Kind::Symlink))
        }
        Err(e) => return Err(OpenError::Io(e)),
    };
    // SAFETY: a descriptor just returned by open/openat, owned by nobody else.
    let file = File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    let kind = kind_of_open(&file).map_err(OpenError::Io)?;
    if kind != Kind::File {
        return Err(OpenError::Kind(kind));
    }
    Ok(file)
}
