//! Producing the bytes of one export file in pieces: a VM blob in slices of at most
//! WRITE_CHUNK_BYTES_MAX, a disk log as header, one whole record per planned extent piece (read
//! from the source straight into the reused buffer, behind its head) and footer. Owns the
//! per-file write cursor and the file's one checksum pass (a blob's running xxh3-128; a log's
//! is its encoder's, never a second hash of the same bytes); it must never touch the target
//! (job.rs writes what this produces).

use crate::errors::{self, Failure};
use crate::guid::Guid;
use crate::logfile::LogEncoder;
use crate::plan::{Content, PlannedFile, WRITE_CHUNK_BYTES_MAX};
use crate::planted::{self, PlantedBug};
use crate::source::ExportSource;
use crate::target::FileHandle;
use xxhash_rust::xxh3::Xxh3Default;

/// The file being written.
#[derive(Clone)]
pub struct Writing {
    pub handle: Option<FileHandle>,
    pub pending: Vec<u8>,
    pub pending_pos: usize,
    /// Next blob byte or next log record to produce.
    pub next: usize,
    pub encoder: Option<LogEncoder>,
    pub footer_done: bool,
    /// Hashes a blob as it is written (a log is hashed by its encoder).
    hasher: Xxh3Default,
    pub written_bytes: u64,
}

impl Writing {
    /// Counts `bytes` as written (hashing them when the file is a blob).
    pub fn wrote(&mut self, bytes_written: usize) {
        let start = self.pending_pos;
        let end = start + bytes_written;
        assert!(end <= self.pending.len(), "wrote more than was produced");
        if self.encoder.is_none() {
            self.hasher.update(&self.pending[start..end]);
        }
        self.pending_pos = end;
        self.written_bytes += bytes_written as u64;
    }

    /// The manifest's checksum of the finished file (FORMAT.md, manifest v2): a blob's
    /// xxh3-128; a log's footer `file_checksum`.
    pub fn checksum(&self) -> u128 {
        assert!(self.footer_done, "the checksum of a finished file");
        match &self.encoder {
            Some(encoder) => encoder.file_checksum(),
            None => self.hasher.digest128(),
        }
    }
}

impl std::fmt::Debug for Writing {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Writing")
            .field("handle", &self.handle)
            .field("written_bytes", &self.written_bytes)
            .finish()
    }
}

pub fn new_writing(handle: FileHandle) -> Writing {
    Writing {
        handle: Some(handle),
        pending: vec![],
        pending_pos: 0,
        next: 0,
        encoder: None,
        footer_done: false,
        hasher: Xxh3Default::new(),
        written_bytes: 0,
    }
}

/// Refills `w.pending` with the next piece of the file (header, a record, the footer, or up to
/// WRITE_CHUNK_BYTES_MAX of a blob); sets `footer_done` when nothing remains.
pub fn produce(
    w: &mut Writing,
    source: &dyn ExportSource,
    file: &PlannedFile,
    rp: &Guid,
) -> Result<(), Failure> {
    w.pending_pos = 0;
    match &file.content {
        Content::Blob(bytes) => {
            w.pending.clear();
            let end = (w.next + WRITE_CHUNK_BYTES_MAX as usize).min(bytes.len());
            w.pending.extend_from_slice(&bytes[w.next..end]);
            w.next = end;
            w.footer_done = end == bytes.len();
        }
        Content::Log { header, records } => match w.encoder.as_mut() {
            None => {
                let (encoder, bytes) = LogEncoder::new(header);
                w.encoder = Some(encoder);
                w.pending = bytes;
            }
            Some(encoder) => match records.get(w.next) {
                Some(record) => {
                    // PLANTED BUG read-base-extents: a differential reads the base's data.
                    let read_rp = match header.base_reference_point {
                        Some(base) if planted::active(PlantedBug::ReadBaseExtents) => base,
                        _ => *rp,
                    };
                    // Read straight into the reused pending buffer, behind the record's head
                    // (no per-record allocation, no zeroing, no copy: one write per record).
                    encoder.record_into(
                        record.offset_bytes,
                        record.length_bytes,
                        &mut w.pending,
                        |data| {
                            source
                                .read_extent(&header.disk_instance_id, &read_rp, *record, data)
                                .map_err(|e| {
                                    let what = format!(
                                        "reading {} bytes at offset {}",
                                        record.length_bytes, record.offset_bytes
                                    );
                                    errors::source_failure(&what, &e)
                                })
                        },
                    )?;
                    w.next += 1;
                }
                None => {
                    w.pending = encoder.footer();
                    w.footer_done = true;
                }
            },
        },
    }
    Ok(())
}
