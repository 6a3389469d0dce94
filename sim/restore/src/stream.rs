//! Reading one open file forward, once: the holes of a sparse file are found first with
//! `SEEK_DATA`/`SEEK_HOLE` and served as zeros without being read, every byte is added to a
//! running XXH3-128, and the position is known. Owns bounded buffering and the hole rules; it
//! must never hold more than `READ_BUFFER_BYTES` plus one `CHUNK_BYTES` scratch buffer of a
//! file in memory, never seek backwards, and never read a file by its path.

use rpsim_vfs::VFile;
use std::io::{self, BufReader, Read};
use std::sync::Arc;
use xxhash_rust::xxh3::Xxh3;

/// Capacity of the read-ahead buffer.
pub(crate) const READ_BUFFER_BYTES: usize = 256 * 1024;
/// Size of the scratch buffer used to hash and skip extent data.
pub(crate) const CHUNK_BYTES: usize = 1024 * 1024;
/// Most holes one file may have (each costs 16 bytes while it is read).
pub const HOLES_PER_FILE_MAX: usize = 1 << 16;
/// Most hole bytes one export's files may hold together. An export is written densely, so its
/// only holes are zero runs that a copy (`cp --sparse=always`, `rsync -S`) or the file system
/// (ZFS with compression) turned into holes; they are hashed as zeros without being read, at
/// about 2 GB/s, so this bounds what a sparse file can cost to well under a second.
pub const HOLE_BYTES_MAX: u64 = 1 << 30;

/// Hole bytes an export may still hold.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HoleBudget {
    pub(crate) left_bytes: u64,
}

impl HoleBudget {
    pub(crate) fn new() -> HoleBudget {
        HoleBudget {
            left_bytes: HOLE_BYTES_MAX,
        }
    }
}

/// Why the holes of a file are refused.
#[derive(Debug)]
pub(crate) enum HoleProblem {
    /// Together with the export's other files, more than `HOLE_BYTES_MAX` of holes.
    TooManyBytes {
        hole_bytes: u64,
    },
    /// More than `HOLES_PER_FILE_MAX` holes.
    TooMany,
    Io(io::Error),
}

/// The holes `[start, end)` of the first `size_bytes` of `file`, in order, charged to
/// `budget`. A file system without `SEEK_DATA` reports none.
pub(crate) fn find_holes(
    file: &dyn VFile,
    size_bytes: u64,
    budget: &mut HoleBudget,
) -> Result<Vec<(u64, u64)>, HoleProblem> {
    let mut holes = Vec::new();
    let mut hole_bytes = 0u64;
    let mut position_bytes = 0u64;
    while position_bytes < size_bytes {
        let data_bytes = match file.seek_data(position_bytes) {
            Ok(Some(at)) => at.min(size_bytes),
            Ok(None) => size_bytes,
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => return Ok(Vec::new()),
            Err(e) => return Err(HoleProblem::Io(e)),
        };
        if data_bytes > position_bytes {
            if holes.len() >= HOLES_PER_FILE_MAX {
                return Err(HoleProblem::TooMany);
            }
            holes.push((position_bytes, data_bytes));
            hole_bytes += data_bytes - position_bytes;
            if hole_bytes > budget.left_bytes {
                return Err(HoleProblem::TooManyBytes { hole_bytes });
            }
        }
        if data_bytes >= size_bytes {
            break;
        }
        let hole_start = file
            .seek_hole(data_bytes)
            .map_err(HoleProblem::Io)?
            .unwrap_or(size_bytes);
        assert!(hole_start > data_bytes, "SEEK_HOLE moves past data");
        position_bytes = hole_start.min(size_bytes);
    }
    budget.left_bytes -= hole_bytes;
    Ok(holes)
}

/// Reads the first `size_bytes` of a file by offset, serving known holes as zeros.
struct SparseReader {
    file: Arc<dyn VFile>,
    size_bytes: u64,
    holes: Vec<(u64, u64)>,
    next_hole: usize,
    position_bytes: u64,
}

impl Read for SparseReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.next_hole < self.holes.len()
            && self.holes[self.next_hole].1 <= self.position_bytes
        {
            self.next_hole += 1;
        }
        let at = self.position_bytes;
        if at >= self.size_bytes || buf.is_empty() {
            return Ok(0);
        }
        let (in_hole, until) = match self.holes.get(self.next_hole) {
            Some(&(start, end)) if start <= at => (true, end),
            Some(&(start, _)) => (false, start),
            None => (false, self.size_bytes),
        };
        let n = (until - at).min(buf.len() as u64) as usize;
        assert!(n > 0);
        let n = if in_hole {
            buf[..n].fill(0);
            n
        } else {
            self.file.read_at(&mut buf[..n], at)?
        };
        self.position_bytes += n as u64;
        Ok(n)
    }
}

pub(crate) struct HashingReader {
    reader: BufReader<SparseReader>,
    hasher: Xxh3,
    /// Grown on demand up to `CHUNK_BYTES`: most files are far smaller, and zeroing a
    /// megabyte per file opened was a fifth of a suite run's instructions.
    scratch: Vec<u8>,
    position_bytes: u64,
}

impl HashingReader {
    /// Reads the first `size_bytes` of `file`; `holes` (from [`find_holes`]) are not read.
    pub(crate) fn new(
        file: Arc<dyn VFile>,
        size_bytes: u64,
        holes: Vec<(u64, u64)>,
    ) -> HashingReader {
        let source = SparseReader {
            file,
            size_bytes,
            holes,
            next_hole: 0,
            position_bytes: 0,
        };
        let buffer_bytes = READ_BUFFER_BYTES.min(usize::try_from(size_bytes).unwrap_or(usize::MAX));
        HashingReader {
            reader: BufReader::with_capacity(buffer_bytes.max(1), source),
            hasher: Xxh3::new(),
            scratch: Vec::new(),
            position_bytes: 0,
        }
    }

    /// The scratch buffer, at least `wanted` bytes long (at most `CHUNK_BYTES`).
    fn scratch(&mut self, wanted: usize) -> &mut [u8] {
        assert!(wanted <= CHUNK_BYTES);
        if self.scratch.len() < wanted {
            self.scratch.resize(wanted, 0);
        }
        &mut self.scratch[..wanted]
    }

    /// Byte offset of the next byte to be read.
    pub(crate) fn position_bytes(&self) -> u64 {
        self.position_bytes
    }

    /// Reads exactly `buf.len()` bytes and adds them to the running hash.
    pub(crate) fn read_hashed(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.reader.read_exact(buf)?;
        self.hasher.update(buf);
        self.position_bytes += buf.len() as u64;
        Ok(())
    }

    /// Reads and hashes `length_bytes` bytes in bounded chunks, keeping none of them (the
    /// running hash is the only one taken).
    pub(crate) fn skip_hashed(&mut self, length_bytes: u64) -> io::Result<()> {
        let mut left_bytes = length_bytes;
        while left_bytes > 0 {
            let take = left_bytes.min(CHUNK_BYTES as u64) as usize;
            assert!(take > 0);
            self.scratch(take);
            self.reader.read_exact(&mut self.scratch[..take])?;
            self.hasher.update(&self.scratch[..take]);
            self.position_bytes += take as u64;
            left_bytes -= take as u64;
        }
        Ok(())
    }

    /// XXH3-128 (seed 0) of every hashed byte so far.
    pub(crate) fn digest128(&self) -> u128 {
        self.hasher.digest128()
    }

    /// Reads the rest of the file and returns the XXH3-128 of every byte of it (the hashed
    /// ones and these), leaving the running hash as it was. Returns (bytes read, digest).
    pub(crate) fn rest_digest128(&mut self, buf: &mut [u8]) -> io::Result<(usize, u128)> {
        let mut whole = self.hasher.clone();
        let mut filled = 0usize;
        while filled < buf.len() {
            let n = self.reader.read(&mut buf[filled..])?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        whole.update(&buf[..filled]);
        self.position_bytes += filled as u64;
        Ok((filled, whole.digest128()))
    }
}

/// XXH3-128 of the first `size_bytes` of a file, read in bounded chunks, its `holes` hashed
/// as zeros without being read. Returns (bytes read, digest): fewer bytes when it shrank.
pub(crate) fn hash_file(
    file: Arc<dyn VFile>,
    size_bytes: u64,
    holes: Vec<(u64, u64)>,
) -> io::Result<(u64, u128)> {
    let mut reader = HashingReader::new(file, size_bytes, holes);
    let chunk_bytes = size_bytes.clamp(1, CHUNK_BYTES as u64) as usize;
    reader.scratch(chunk_bytes);
    loop {
        let n = reader.reader.read(&mut reader.scratch)?;
        if n == 0 {
            break;
        }
        reader.hasher.update(&reader.scratch[..n]);
        reader.position_bytes += n as u64;
    }
    assert!(reader.position_bytes <= size_bytes);
    Ok((reader.position_bytes, reader.digest128()))
}

/// The refusal for a file whose holes cannot be verified cheaply.
pub(crate) fn hole_error(
    path: &std::path::Path,
    problem: HoleProblem,
) -> crate::error::RestoreError {
    let dir = path
        .parent()
        .and_then(std::path::Path::parent)
        .unwrap_or(path);
    match problem {
        HoleProblem::TooManyBytes { hole_bytes } => crate::error::RestoreError::export(
            dir,
            format!(
                "`{}` holds at least {hole_bytes} bytes of holes (ranges the file system stores as unallocated); \
                 an export is written densely, and this reader hashes at most {HOLE_BYTES_MAX} bytes of holes per export, \
                 so the file was altered or made sparse by a copy (copy the export without `--sparse`/`-S`)",
                path.display()
            ),
        ),
        HoleProblem::TooMany => crate::error::RestoreError::export(
            dir,
            format!(
                "`{}` has more than {} holes; an export is written densely",
                path.display(),
                HOLES_PER_FILE_MAX
            ),
        ),
        HoleProblem::Io(e) => crate::error::RestoreError::io("find the holes of", path, e),
    }
}
