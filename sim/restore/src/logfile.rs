//! Reader and verifier of one disk log file (`.rplog`, format v1 of `sim/export/FORMAT.md`),
//! written from the text of the format, not from the writer's code. Owns every rule of the
//! format: magic, version, flags, header checksum, extent order and bounds, footer, file
//! checksum (the one hash taken of a log: manifest v2 lists the same value). It streams: it
//! must never load a whole file or a whole extent in memory, and it must never write anything.

use crate::error::RestoreError;
use crate::stream::{find_holes, HashingReader, HoleBudget};
use rpsim_export::guid::Guid;
use rpsim_export::source::Extent;
use rpsim_vfs::{Fs, OpenError, RealFs, VFile};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use xxhash_rust::xxh3::xxh3_64;

pub const LOG_MAGIC: &[u8; 8] = b"RPSIMLOG";
pub const LOG_VERSION: u32 = 1;
pub const LOG_FLAG_DIFFERENTIAL: u32 = 1;
pub const EXTENT_TAG: &[u8; 4] = b"EXTN";
pub const FOOTER_MAGIC: &[u8; 8] = b"RPLOGEND";
pub const FOOTER_SIZE_BYTES: u64 = 48;
/// Tag, reserved, offset and length of one extent record.
pub const EXTENT_RECORD_HEADER_BYTES: u64 = 24;
pub const EXTENT_LENGTH_MAX_BYTES: u64 = 64 * 1024 * 1024;
pub const BLOCK_SIZE_MIN_BYTES: u64 = 4 * 1024;
pub const BLOCK_SIZE_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// Largest virtual size accepted: 64 TiB, the VHDX maximum (and far inside `off_t`).
pub const VIRTUAL_SIZE_MAX_BYTES: u64 = 64 << 40;
/// Most extents one log may hold; the reader keeps one small record per extent.
pub const LOG_EXTENTS_MAX: u64 = 1 << 21;
/// Magic, version, flags, sizes and the two reference points.
const HEADER_FIXED_BYTES: usize = 64;

/// The header of a log, verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogHeader {
    /// Flags bit 0: the log is relative to `base_reference_point`.
    pub differential: bool,
    pub virtual_size_bytes: u64,
    pub block_size_bytes: u64,
    pub target_reference_point: Guid,
    /// `None` for a full log (stored as all zero bytes).
    pub base_reference_point: Option<Guid>,
    pub disk_instance_id: String,
    pub target_rct_id: String,
    pub base_rct_id: String,
    /// Size of the header including its checksum.
    pub header_size_bytes: u64,
}

/// One extent record: the range of the disk and where its data starts in the file (its
/// 24-byte record head is just before).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogExtent {
    pub extent: Extent,
    pub data_offset_bytes: u64,
}

/// The one open handle of a verified log: restore applies extents from it, never from a path.
#[derive(Clone)]
pub struct LogHandle(pub(crate) Arc<dyn VFile>);

impl LogHandle {
    /// The open file the log was verified from.
    pub fn file(&self) -> &dyn VFile {
        self.0.as_ref()
    }
}

impl fmt::Debug for LogHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LogHandle")
    }
}

/// Two handles are equal when they are the same open file.
impl PartialEq for LogHandle {
    fn eq(&self, other: &LogHandle) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for LogHandle {}

/// A log file whose every byte was verified; extent data stays in the file, read through
/// `handle`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFile {
    pub path: PathBuf,
    pub header: LogHeader,
    /// In ascending, non-overlapping order, each inside the virtual size.
    pub extents: Vec<LogExtent>,
    /// Sum of the extents' lengths.
    pub data_bytes: u64,
    pub file_size_bytes: u64,
    /// The footer's `file_checksum`, verified: XXH3-128 of every byte before the footer (what
    /// the manifest lists). Applying the log hashes what it reads again and must get this.
    pub file_xxh3_128: u128,
    pub handle: LogHandle,
}

/// Opens (a regular file only: never through a symbolic link, never waiting on a FIFO) and
/// fully verifies the log at `path`.
pub fn read_log(path: &Path) -> Result<LogFile, RestoreError> {
    read_log_in(&RealFs, path)
}

/// [`read_log`] on the file system `fs`.
pub fn read_log_in(fs: &dyn Fs, path: &Path) -> Result<LogFile, RestoreError> {
    let file = fs.open_regular_file(path).map_err(|e| match e {
        OpenError::Kind(kind) => bad(
            path,
            0,
            format!(
                "it is {}, not a regular file; it was not opened",
                kind.describe()
            ),
        ),
        OpenError::Io(e) => RestoreError::io("open log file", path, e),
    })?;
    let file: Arc<dyn VFile> = Arc::from(file);
    let file_size_bytes = file
        .len_bytes()
        .map_err(|e| RestoreError::io("read the size of log file", path, e))?;
    let holes = find_holes(file.as_ref(), file_size_bytes, &mut HoleBudget::new())
        .map_err(|e| crate::stream::hole_error(path, e))?;
    verify_log(file, path, file_size_bytes, holes)
}

/// Verifies the log open as `file` (of `file_size_bytes`, with `holes`), reading and hashing
/// every byte once. Its `file_xxh3_128` is what a v2 manifest lists for it.
pub(crate) fn verify_log(
    file: Arc<dyn VFile>,
    path: &Path,
    file_size_bytes: u64,
    holes: Vec<(u64, u64)>,
) -> Result<LogFile, RestoreError> {
    check_magic_first(path, file.as_ref(), file_size_bytes)?;
    let mut parser = Parser {
        path,
        reader: HashingReader::new(Arc::clone(&file), file_size_bytes, holes),
        file: file.as_ref(),
        file_size_bytes,
        body_end_bytes: file_size_bytes.saturating_sub(FOOTER_SIZE_BYTES),
    };
    if file_size_bytes < FOOTER_SIZE_BYTES + HEADER_FIXED_BYTES as u64 {
        return Err(bad(
            path,
            file_size_bytes,
            format!("the file is only {file_size_bytes} bytes, too short for a header and a footer; it is truncated"),
        ));
    }
    let header = parser.header()?;
    parser.check_size_against_footer(&header)?;
    let (extents, data_bytes) = parser.extents(&header)?;
    let file_xxh3_128 = parser.footer(extents.len() as u64, data_bytes)?;
    assert_eq!(parser.reader.position_bytes(), file_size_bytes);
    Ok(LogFile {
        path: path.to_path_buf(),
        header,
        extents,
        data_bytes,
        file_size_bytes,
        file_xxh3_128,
        handle: LogHandle(file),
    })
}

/// Names a wrong magic before any length rule, so a file of another kind is called that.
fn check_magic_first(
    path: &Path,
    file: &dyn VFile,
    file_size_bytes: u64,
) -> Result<(), RestoreError> {
    let mut magic = [0u8; 8];
    if file_size_bytes < magic.len() as u64 {
        return Ok(());
    }
    file.read_exact_at(&mut magic, 0)
        .map_err(|e| RestoreError::io("read log file", path, e))?;
    if &magic != LOG_MAGIC {
        return Err(bad(
            path,
            0,
            format!("magic is {magic:02x?}, not `RPSIMLOG`; this is not an rpsim log"),
        ));
    }
    Ok(())
}

fn bad(path: &Path, offset_bytes: u64, problem: String) -> RestoreError {
    RestoreError::Log {
        path: path.to_path_buf(),
        offset_bytes,
        problem,
    }
}

struct Parser<'a> {
    path: &'a Path,
    reader: HashingReader,
    file: &'a dyn VFile,
    file_size_bytes: u64,
    /// Where the footer must start: everything before it is header and extents.
    body_end_bytes: u64,
}

impl Parser<'_> {
    fn bad(&self, offset_bytes: u64, problem: String) -> RestoreError {
        bad(self.path, offset_bytes, problem)
    }

    /// Reads `buf.len()` hashed bytes that must end before the footer.
    fn take(&mut self, buf: &mut [u8], what: &str) -> Result<(), RestoreError> {
        let at = self.reader.position_bytes();
        if at + buf.len() as u64 > self.body_end_bytes {
            return Err(self.bad(
                at,
                format!(
                    "the {what} runs into the last {FOOTER_SIZE_BYTES} bytes, which must be the footer; \
                     the file ({} bytes) is truncated",
                    self.file_size_bytes
                ),
            ));
        }
        self.reader
            .read_hashed(buf)
            .map_err(|e| self.read_failed(at, e))
    }

    fn read_failed(&self, at: u64, e: io::Error) -> RestoreError {
        self.bad(
            at,
            format!("reading failed ({e}); the file changed or is truncated"),
        )
    }

    fn take_u16(&mut self, header: &mut Vec<u8>, what: &str) -> Result<u16, RestoreError> {
        let mut b = [0u8; 2];
        self.take(&mut b, what)?;
        header.extend_from_slice(&b);
        Ok(u16::from_le_bytes(b))
    }

    fn take_string(&mut self, header: &mut Vec<u8>, what: &str) -> Result<String, RestoreError> {
        let at = self.reader.position_bytes();
        let length_bytes = self.take_u16(header, what)? as usize;
        let mut bytes = vec![0u8; length_bytes];
        self.take(&mut bytes, what)?;
        header.extend_from_slice(&bytes);
        String::from_utf8(bytes).map_err(|_| self.bad(at, format!("the {what} is not UTF-8")))
    }

    fn header(&mut self) -> Result<LogHeader, RestoreError> {
        let mut fixed = [0u8; HEADER_FIXED_BYTES];
        self.take(&mut fixed, "header")?;
        if &fixed[0..8] != LOG_MAGIC {
            return Err(self.bad(
                0,
                format!(
                    "magic is {:02x?}, not `RPSIMLOG`; this is not an rpsim log",
                    &fixed[0..8]
                ),
            ));
        }
        let version = le_u32(&fixed[8..12]);
        if version != LOG_VERSION {
            return Err(self.bad(
                8,
                format!(
                    "version {version} is not supported (this reader knows version {LOG_VERSION})"
                ),
            ));
        }
        let mut header_bytes = fixed.to_vec();
        let disk_instance_id = self.take_string(&mut header_bytes, "disk instance id")?;
        let target_rct_id = self.take_string(&mut header_bytes, "target RCT id")?;
        let base_rct_id = self.take_string(&mut header_bytes, "base RCT id")?;
        let checksum_at = self.reader.position_bytes();
        let mut stored = [0u8; 8];
        self.take(&mut stored, "header checksum")?;
        let computed = xxh3_64(&header_bytes);
        if u64::from_le_bytes(stored) != computed {
            return Err(self.bad(
                checksum_at,
                format!(
                    "header checksum is {:016x} but the header hashes to {computed:016x}",
                    u64::from_le_bytes(stored)
                ),
            ));
        }
        let header = LogHeader {
            differential: le_u32(&fixed[12..16]) & LOG_FLAG_DIFFERENTIAL != 0,
            virtual_size_bytes: le_u64(&fixed[16..24]),
            block_size_bytes: le_u64(&fixed[24..32]),
            target_reference_point: guid(&fixed[32..48]),
            base_reference_point: Some(guid(&fixed[48..64])).filter(|g| *g != Guid::NIL),
            disk_instance_id,
            target_rct_id,
            base_rct_id,
            header_size_bytes: self.reader.position_bytes(),
        };
        self.check_header(&header, le_u32(&fixed[12..16]))?;
        Ok(header)
    }

    fn check_header(&self, header: &LogHeader, flags: u32) -> Result<(), RestoreError> {
        let problem = if flags & !LOG_FLAG_DIFFERENTIAL != 0 {
            Some(format!(
                "flags {flags:#x} set bits other than bit 0 (differential)"
            ))
        } else if !header.block_size_bytes.is_power_of_two()
            || !(BLOCK_SIZE_MIN_BYTES..=BLOCK_SIZE_MAX_BYTES).contains(&header.block_size_bytes)
        {
            Some(format!(
                "block size {} bytes is not a power of two from {BLOCK_SIZE_MIN_BYTES} to {BLOCK_SIZE_MAX_BYTES}",
                header.block_size_bytes
            ))
        } else if header.virtual_size_bytes > VIRTUAL_SIZE_MAX_BYTES {
            Some(format!(
                "virtual size {} bytes is larger than 64 TiB ({VIRTUAL_SIZE_MAX_BYTES} bytes), the VHDX maximum",
                header.virtual_size_bytes
            ))
        } else if header.target_reference_point == Guid::NIL {
            Some("the target reference point is all zero".to_string())
        } else if header.disk_instance_id.is_empty() {
            Some("the disk instance id is empty".to_string())
        } else if header.differential && header.base_reference_point.is_none() {
            Some(
                "the log is flagged differential but its base reference point is all zero"
                    .to_string(),
            )
        } else if !header.differential && header.base_reference_point.is_some() {
            Some(
                "the log is a full log (flag bit 0 clear) but names a base reference point"
                    .to_string(),
            )
        } else if !header.differential && !header.base_rct_id.is_empty() {
            Some("the log is a full log but names a base RCT id".to_string())
        } else if header.target_rct_id.is_empty() {
            Some(
                "the target RCT id is empty, so no differential can be based on this log"
                    .to_string(),
            )
        } else if header.differential && header.base_rct_id.is_empty() {
            Some("the log is a differential but its base RCT id is empty".to_string())
        } else {
            None
        };
        match problem {
            Some(problem) => Err(self.bad(12, problem)),
            None => Ok(()),
        }
    }

    fn extents(&mut self, header: &LogHeader) -> Result<(Vec<LogExtent>, u64), RestoreError> {
        let mut extents: Vec<LogExtent> = Vec::new();
        let mut data_bytes = 0u64;
        let mut previous_end_bytes = 0u64;
        while self.reader.position_bytes() < self.body_end_bytes {
            if extents.len() as u64 >= LOG_EXTENTS_MAX {
                return Err(self.bad(
                    self.reader.position_bytes(),
                    format!("more than {LOG_EXTENTS_MAX} extents; this reader refuses larger logs"),
                ));
            }
            let log_extent = self.extent_record(header, previous_end_bytes)?;
            previous_end_bytes = log_extent.extent.end_bytes();
            data_bytes += log_extent.extent.length_bytes;
            extents.push(log_extent);
        }
        assert_eq!(self.reader.position_bytes(), self.body_end_bytes);
        Ok((extents, data_bytes))
    }

    fn extent_record(
        &mut self,
        header: &LogHeader,
        previous_end_bytes: u64,
    ) -> Result<LogExtent, RestoreError> {
        let at = self.reader.position_bytes();
        let left_bytes = self.body_end_bytes - at;
        let mut record = [0u8; EXTENT_RECORD_HEADER_BYTES as usize];
        let peek = left_bytes.min(EXTENT_RECORD_HEADER_BYTES) as usize;
        self.take(&mut record[..peek], "extent record")?;
        if peek >= FOOTER_MAGIC.len() && &record[..FOOTER_MAGIC.len()] == FOOTER_MAGIC {
            return Err(self.bad(
                at,
                format!("a footer starts here but {left_bytes} more bytes follow it: trailing bytes after the footer"),
            ));
        }
        if peek < EXTENT_RECORD_HEADER_BYTES as usize {
            return Err(self.bad(
                at,
                format!("{left_bytes} bytes remain between the last extent and the footer, too few for an extent record"),
            ));
        }
        if &record[0..4] != EXTENT_TAG {
            return Err(self.bad(
                at,
                format!("expected extent tag `EXTN`, found {:02x?}", &record[0..4]),
            ));
        }
        let reserved = le_u32(&record[4..8]);
        let extent = Extent {
            offset_bytes: le_u64(&record[8..16]),
            length_bytes: le_u64(&record[16..24]),
        };
        let problem = if reserved != 0 {
            Some(format!(
                "the reserved field of the extent record is {reserved}, not 0"
            ))
        } else if extent.length_bytes == 0 || extent.length_bytes > EXTENT_LENGTH_MAX_BYTES {
            Some(format!(
                "extent length {} bytes is outside 1..={EXTENT_LENGTH_MAX_BYTES}",
                extent.length_bytes
            ))
        } else if extent.offset_bytes < previous_end_bytes {
            Some(format!(
                "extent at offset {} is out of order or overlaps the previous extent, which ends at {previous_end_bytes}",
                extent.offset_bytes
            ))
        } else if !matches!(extent.offset_bytes.checked_add(extent.length_bytes), Some(end) if end <= header.virtual_size_bytes)
        {
            Some(format!(
                "extent [{}, +{}) lies past the virtual size {} bytes",
                extent.offset_bytes, extent.length_bytes, header.virtual_size_bytes
            ))
        } else if extent.length_bytes > self.body_end_bytes - self.reader.position_bytes() {
            Some(format!(
                "the extent's {} data bytes run into the footer; the file is truncated",
                extent.length_bytes
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(self.bad(at, problem));
        }
        let data_offset_bytes = self.reader.position_bytes();
        self.reader
            .skip_hashed(extent.length_bytes)
            .map_err(|e| self.read_failed(data_offset_bytes, e))?;
        Ok(LogExtent {
            extent,
            data_offset_bytes,
        })
    }

    /// Checks the footer; returns its verified `file_checksum`.
    fn footer(&mut self, extent_count: u64, data_bytes: u64) -> Result<u128, RestoreError> {
        let at = self.reader.position_bytes();
        assert_eq!(at, self.body_end_bytes);
        let file_checksum = self.reader.digest128();
        let mut footer = [0u8; FOOTER_SIZE_BYTES as usize];
        let (read_bytes, _whole_xxh3_128) = self
            .reader
            .rest_digest128(&mut footer)
            .map_err(|e| self.read_failed(at, e))?;
        if read_bytes != footer.len() {
            let e = io::Error::from(io::ErrorKind::UnexpectedEof);
            return Err(self.read_failed(at, e));
        }
        let stored_footer_checksum = le_u64(&footer[40..48]);
        let problem = if &footer[0..8] != FOOTER_MAGIC {
            Some(format!("footer magic is {:02x?}, not `RPLOGEND`; the file is truncated or has trailing bytes", &footer[0..8]))
        } else if stored_footer_checksum != xxh3_64(&footer[0..40]) {
            Some(format!(
                "footer checksum {stored_footer_checksum:016x} does not match the footer"
            ))
        } else if le_u64(&footer[8..16]) != extent_count {
            Some(format!(
                "the footer counts {} extents but the file holds {extent_count}",
                le_u64(&footer[8..16])
            ))
        } else if le_u64(&footer[16..24]) != data_bytes {
            Some(format!(
                "the footer counts {} data bytes but the extents hold {data_bytes}",
                le_u64(&footer[16..24])
            ))
        } else if le_u128(&footer[24..40]) != file_checksum {
            Some(format!("the file checksum in the footer does not match the file (which hashes to {file_checksum:032x})"))
        } else {
            None
        };
        match problem {
            Some(problem) => Err(self.bad(at, problem)),
            None => Ok(file_checksum),
        }
    }

    /// With an intact footer, the file's size is known before its extents are read: header,
    /// one record header per extent, the data bytes, the footer. A file of another size (a
    /// hole or bytes added after the footer, a cut) is refused before its data is hashed. A
    /// damaged footer is left to the sequential checks, which name what is wrong.
    fn check_size_against_footer(&self, header: &LogHeader) -> Result<(), RestoreError> {
        let mut footer = [0u8; FOOTER_SIZE_BYTES as usize];
        self.file
            .read_exact_at(&mut footer, self.body_end_bytes)
            .map_err(|e| self.read_failed(self.body_end_bytes, e))?;
        if &footer[0..8] != FOOTER_MAGIC || le_u64(&footer[40..48]) != xxh3_64(&footer[0..40]) {
            return Ok(());
        }
        let (count, data_bytes) = (le_u64(&footer[8..16]), le_u64(&footer[16..24]));
        let problem = if count > LOG_EXTENTS_MAX {
            format!("the footer counts {count} extents; this reader refuses more than {LOG_EXTENTS_MAX}")
        } else if data_bytes > header.virtual_size_bytes {
            format!(
                "the footer counts {data_bytes} data bytes, more than the virtual size {}",
                header.virtual_size_bytes
            )
        } else {
            let expected = header.header_size_bytes
                + count * EXTENT_RECORD_HEADER_BYTES
                + data_bytes
                + FOOTER_SIZE_BYTES;
            if expected == self.file_size_bytes {
                return Ok(());
            }
            format!(
                "the footer counts {count} extents and {data_bytes} data bytes, so the file must be {expected} bytes, \
                 but it is {} bytes: it was cut or bytes were added",
                self.file_size_bytes
            )
        };
        Err(self.bad(self.body_end_bytes, problem))
    }
}

fn le_u32(bytes: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[..4]);
    u32::from_le_bytes(b)
}

fn le_u64(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(b)
}

fn guid(bytes: &[u8]) -> Guid {
    let mut b = [0u8; 16];
    b.copy_from_slice(&bytes[..16]);
    Guid(b)
}

fn le_u128(bytes: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    b.copy_from_slice(&bytes[..16]);
    u128::from_le_bytes(b)
}
