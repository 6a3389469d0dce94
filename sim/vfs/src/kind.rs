//! What a name in a folder is ([`Kind`], looked at without following it) and why a name could
//! not be opened as asked ([`OpenError`]), plus the errors both file systems raise as the
//! kernel's own (`errno`), so that a caller cannot tell them apart by message. Owns those
//! types; it must never touch a file system.

use std::io;

/// What a name in a folder is, looked at without following it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
}

impl Kind {
    /// `a symbolic link`, `a FIFO (named pipe)`, ... for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::File => "a regular file",
            Kind::Dir => "a directory",
            Kind::Symlink => "a symbolic link",
            Kind::Fifo => "a FIFO (named pipe)",
            Kind::Socket => "a socket",
            Kind::CharDevice => "a character device",
            Kind::BlockDevice => "a block device",
        }
    }
}

/// Why a name could not be opened as asked.
#[derive(Debug)]
pub enum OpenError {
    /// The name is there but is not what was asked for (a link, a FIFO, a file for a folder...).
    Kind(Kind),
    Io(io::Error),
}

impl From<io::Error> for OpenError {
    fn from(e: io::Error) -> OpenError {
        OpenError::Io(e)
    }
}

impl OpenError {
    /// As an `io::Error` (a wrong kind becomes the errno the kernel gives for it).
    pub fn into_io(self) -> io::Error {
        match self {
            OpenError::Io(e) => e,
            OpenError::Kind(Kind::Dir) => errno(libc::EISDIR),
            OpenError::Kind(Kind::Symlink) => errno(libc::ELOOP),
            OpenError::Kind(Kind::File) => errno(libc::ENOTDIR),
            OpenError::Kind(_) => errno(libc::ENXIO),
        }
    }
}

/// `ENOENT`, for callers that do not speak `errno`.
pub fn not_found() -> io::Error {
    errno(libc::ENOENT)
}

/// The kernel's error for `code` (same kind, same message as a failed system call).
pub fn errno(code: i32) -> io::Error {
    io::Error::from_raw_os_error(code)
}
