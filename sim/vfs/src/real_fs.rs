//! [`RealFs`]: the operating system's file system as an [`Fs`], its path operations through
//! `std::fs` (never following a link at the last component) and its folders through
//! [`RealDir`]; and [`RealFile`] as a [`VFile`] (`pread`, `pwrite`, `lseek` for holes). Owns
//! that mapping; it must never follow a symbolic link where the trait says it does not.

use crate::kind::{Kind, OpenError};
use crate::real_dir::{open_regular_file, RealDir, RealFile};
use crate::{Fs, VDir, VFile};
use std::fs::OpenOptions;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// The operating system's file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealFs;

fn kind_of_type(file_type: std::fs::FileType) -> Kind {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_file() {
        Kind::File
    } else if file_type.is_dir() {
        Kind::Dir
    } else if file_type.is_symlink() {
        Kind::Symlink
    } else if file_type.is_fifo() {
        Kind::Fifo
    } else if file_type.is_socket() {
        Kind::Socket
    } else if file_type.is_char_device() {
        Kind::CharDevice
    } else {
        Kind::BlockDevice
    }
}

impl Fs for RealFs {
    fn name(&self) -> &'static str {
        "disk"
    }

    fn read_dir_names(&self, path: &Path, entries_max: usize) -> io::Result<Option<Vec<String>>> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(path)? {
            if names.len() >= entries_max {
                return Ok(None);
            }
            names.push(entry?.file_name().to_string_lossy().into_owned());
        }
        Ok((names.len() < entries_max).then_some(names))
    }

    fn kind_at(&self, path: &Path) -> io::Result<Option<Kind>> {
        match std::fs::symlink_metadata(path) {
            Ok(meta) => Ok(Some(kind_of_type(meta.file_type()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn len_at(&self, path: &Path) -> io::Result<u64> {
        Ok(std::fs::symlink_metadata(path)?.len())
    }

    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        std::fs::create_dir_all(path)
    }

    fn create_new(&self, path: &Path) -> io::Result<Box<dyn VFile>> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)?;
        Ok(Box::new(RealFile(file)))
    }

    fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::hard_link(from, to)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }

    fn remove_dir(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_dir(path)
    }

    fn remove_dir_all(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_dir_all(path)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }

    fn open_dir(&self, path: &Path) -> Result<Box<dyn VDir>, OpenError> {
        Ok(Box::new(RealDir::open(path)?))
    }

    fn open_regular_file(&self, path: &Path) -> Result<Box<dyn VFile>, OpenError> {
        Ok(Box::new(RealFile(open_regular_file(path)?)))
    }
}

impl VFile for RealFile {
    fn read_at(&self, buf: &mut [u8], offset_bytes: u64) -> io::Result<usize> {
        self.0.read_at(buf, offset_bytes)
    }

    fn write_all_at(&self, buf: &[u8], offset_bytes: u64) -> io::Result<()> {
        self.0.write_all_at(buf, offset_bytes)
    }

    fn len_bytes(&self) -> io::Result<u64> {
        Ok(self.0.metadata()?.len())
    }

    fn seek_data(&self, from_bytes: u64) -> io::Result<Option<u64>> {
        seek(&self.0, from_bytes, libc::SEEK_DATA)
    }

    fn seek_hole(&self, from_bytes: u64) -> io::Result<Option<u64>> {
        seek(&self.0, from_bytes, libc::SEEK_HOLE)
    }

    fn set_len(&self, size_bytes: u64) -> io::Result<()> {
        self.0.set_len(size_bytes)
    }

    fn sync_all(&self) -> io::Result<()> {
        self.0.sync_all()
    }

    fn read_exact_at(&self, buf: &mut [u8], offset_bytes: u64) -> io::Result<()> {
        self.0.read_exact_at(buf, offset_bytes)
    }
}

/// `lseek(fd, offset, whence)`; `None` for ENXIO (nothing of that kind past `offset`).
fn seek(file: &std::fs::File, offset_bytes: u64, whence: libc::c_int) -> io::Result<Option<u64>> {
    let offset = libc::off_t::try_from(offset_bytes)
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: lseek only reads the descriptor number, which stays open while `file` lives.
    let result = unsafe { libc::lseek(file.as_raw_fd(), offset, whence) };
    if result >= 0 {
        return Ok(Some(result as u64));
    }
    let error = io::Error::last_os_error();
    if error.raw_os_error() == Some(libc::ENXIO) {
        return Ok(None);
    }
    Err(error)
}
