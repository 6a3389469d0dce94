//! Restore equivalence, the main correctness oracle: a restored raw image must equal the
//! world's disk as of a reference point, byte for byte, with zeros everywhere the disk has no
//! allocated extent. Owns the comparison (of an image, or of a chain's extent map for disks too
//! large for the scratch file system) and the writing of reference images; it reads in
//! bounded chunks and must never modify the image it judges nor trust the export job.

use rpsim_export::guid::Guid;
use rpsim_export::source::{ExportSource, Extent};
use rpsim_restore::MappedExtent;
use rpsim_vfs::{Fs, OpenError, VFile};
use std::fs::OpenOptions;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Bytes compared per read.
pub const COMPARE_CHUNK_BYTES: usize = 1024 * 1024;
/// Most data regions (between holes) of an image that are scanned.
pub const DATA_REGIONS_MAX: u64 = 1 << 24;
/// Bytes shown on each side of a mismatch report, starting at the first differing byte.
pub const HEX_WINDOW_BYTES: usize = 16;

/// What a passing comparison looked at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EquivalenceStats {
    /// Allocated extents of the disk as of the reference point.
    pub extents_compared: u64,
    /// Their total length, compared byte for byte.
    pub extent_bytes_compared: u64,
    /// Data regions of the image found with SEEK_DATA/SEEK_HOLE.
    pub data_regions_scanned: u64,
    /// Bytes of those regions outside the extents, all found zero.
    pub outside_bytes_checked: u64,
    /// Every byte read from the image: extent bytes plus outside bytes.
    pub compared_bytes: u64,
}

/// Why an image is not the disk.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    #[error(
        "restored image of disk `{disk_instance_id}` is {actual_bytes} bytes long, \
         but the disk's virtual size is {expected_bytes} bytes"
    )]
    Length {
        disk_instance_id: String,
        expected_bytes: u64,
        actual_bytes: u64,
    },
    #[error(
        "restored image of disk `{disk_instance_id}` differs from the disk at byte {offset_bytes} \
         ({location}): expected {expected_hex}, found {actual_hex}"
    )]
    Bytes {
        disk_instance_id: String,
        /// First differing byte.
        offset_bytes: u64,
        /// Up to `HEX_WINDOW_BYTES` bytes from `offset_bytes`, as the disk has them.
        expected_hex: String,
        /// The same range of the image.
        actual_hex: String,
        /// `inside an allocated extent` or `outside every allocated extent, must be zero`.
        location: &'static str,
    },
    #[error("cannot compare the restored image of disk `{disk_instance_id}`: {problem}")]
    Unreadable {
        disk_instance_id: String,
        problem: String,
    },
}

/// Compares `image` with `disk_instance_id` of `oracle` as of `reference_point`.
pub fn check_restored_disk(
    oracle: &dyn ExportSource,
    disk_instance_id: &str,
    reference_point: &Guid,
    image: &Path,
    virtual_size_bytes: u64,
) -> Result<EquivalenceStats, Mismatch> {
    let disk = (disk_instance_id, reference_point);
    check_restored_disk_in(&rpsim_vfs::RealFs, oracle, disk, image, virtual_size_bytes)
}

/// [`check_restored_disk`] of an image in the file system `fs`; `disk` is the disk's instance
/// id and the reference point.
pub fn check_restored_disk_in(
    fs: &dyn Fs,
    oracle: &dyn ExportSource,
    (disk_instance_id, reference_point): (&str, &Guid),
    image: &Path,
    virtual_size_bytes: u64,
) -> Result<EquivalenceStats, Mismatch> {
    let unreadable = |problem: String| Mismatch::Unreadable {
        disk_instance_id: disk_instance_id.to_string(),
        problem,
    };
    let file = fs.open_regular_file(image).map_err(|e| {
        let why = match e {
            OpenError::Io(e) => e.to_string(),
            OpenError::Kind(kind) => format!("it is {}", kind.describe()),
        };
        unreadable(format!("opening `{}` failed: {why}", image.display()))
    })?;
    let actual_bytes = file.len_bytes().map_err(|e| {
        unreadable(format!(
            "reading the size of `{}` failed: {e}",
            image.display()
        ))
    })?;
    if actual_bytes != virtual_size_bytes {
        return Err(Mismatch::Length {
            disk_instance_id: disk_instance_id.to_string(),
            expected_bytes: virtual_size_bytes,
            actual_bytes,
        });
    }
    let extents = world_extents(
        oracle,
        disk_instance_id,
        reference_point,
        virtual_size_bytes,
    )
    .map_err(unreadable)?;
    let compare = Compare {
        oracle,
        disk_instance_id,
        reference_point,
        image: file.as_ref(),
    };
    let mut stats = EquivalenceStats::default();
    let inside = compare.first_difference_in_extents(&extents, &mut stats)?;
    let outside = compare.first_nonzero_outside(&extents, virtual_size_bytes, &mut stats)?;
    let first = match (inside, outside) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    };
    match first {
        None => {
            stats.compared_bytes = stats.extent_bytes_compared + stats.outside_bytes_checked;
            Ok(stats)
        }
        Some((offset_bytes, expected_hex, actual_hex, location)) => Err(Mismatch::Bytes {
            disk_instance_id: disk_instance_id.to_string(),
            offset_bytes,
            expected_hex,
            actual_hex,
            location,
        }),
    }
}

/// The world's allocated extents of the disk as of `reference_point`, checked to be a valid
/// extent list of a disk of `virtual_size_bytes`.
fn world_extents(
    oracle: &dyn ExportSource,
    disk_instance_id: &str,
    reference_point: &Guid,
    virtual_size_bytes: u64,
) -> Result<Vec<Extent>, String> {
    let extents = oracle
        .changed_extents(disk_instance_id, None, reference_point)
        .map_err(|e| format!("the world cannot list the disk's extents: {}", e.message))?;
    check_extent_list(&extents, virtual_size_bytes)?;
    Ok(extents)
}

/// Compares what a verified chain restores for `disk_instance_id` (its extent map, see
/// [`rpsim_restore::VerifiedChain::extent_map`]) with the disk as of `reference_point`,
/// without materialising an image: for disks too large for the scratch file system. Every
/// byte the world or the map covers is compared (the map's bytes are read from the logs);
/// everything else is zero on both sides.
pub fn check_mapped_disk(
    oracle: &dyn ExportSource,
    disk_instance_id: &str,
    reference_point: &Guid,
    virtual_size_bytes: u64,
    map: &[MappedExtent],
) -> Result<EquivalenceStats, Mismatch> {
    let unreadable = |problem: String| Mismatch::Unreadable {
        disk_instance_id: disk_instance_id.to_string(),
        problem,
    };
    let extents = world_extents(
        oracle,
        disk_instance_id,
        reference_point,
        virtual_size_bytes,
    )
    .map_err(unreadable)?;
    let mapped: Vec<Extent> = map.iter().map(|m| m.extent).collect();
    check_extent_list(&mapped, virtual_size_bytes)
        .map_err(|p| unreadable(format!("the chain's extent map is not a disk: {p}")))?;
    let mut expected = crate::buffer_pool::take(COMPARE_CHUNK_BYTES);
    let mut actual = crate::buffer_pool::take(COMPARE_CHUNK_BYTES);
    let mut stats = EquivalenceStats::default();
    for range in union(&extents, &mapped) {
        for chunk in chunks(range) {
            let len = chunk.length_bytes as usize;
            fill_from_world(
                oracle,
                disk_instance_id,
                reference_point,
                &extents,
                chunk,
                &mut expected[..len],
            )
            .map_err(unreadable)?;
            fill_from_map(map, chunk, &mut actual[..len]).map_err(unreadable)?;
            if let Some(at) = first_difference(&expected[..len], &actual[..len]) {
                let end = len.min(at + HEX_WINDOW_BYTES);
                let offset_bytes = chunk.offset_bytes + at as u64;
                let inside = extents
                    .iter()
                    .any(|e| e.offset_bytes <= offset_bytes && offset_bytes < e.end_bytes());
                return Err(Mismatch::Bytes {
                    disk_instance_id: disk_instance_id.to_string(),
                    offset_bytes,
                    expected_hex: hex(&expected[at..end]),
                    actual_hex: hex(&actual[at..end]),
                    location: if inside {
                        "inside an allocated extent"
                    } else {
                        "outside every allocated extent, must be zero"
                    },
                });
            }
            stats.compared_bytes += chunk.length_bytes;
        }
    }
    stats.extents_compared = extents.len() as u64;
    stats.extent_bytes_compared = extents.iter().map(|e| e.length_bytes).sum();
    stats.outside_bytes_checked = stats.compared_bytes - stats.extent_bytes_compared;
    Ok(stats)
}

/// The union of two sorted, non-overlapping extent lists, as sorted, disjoint ranges.
fn union(a: &[Extent], b: &[Extent]) -> Vec<Extent> {
    let mut all: Vec<Extent> = a.iter().chain(b).copied().collect();
    all.sort_by_key(|e| e.offset_bytes);
    let mut merged: Vec<Extent> = Vec::with_capacity(all.len());
    for extent in all {
        match merged.last_mut() {
            Some(last) if extent.offset_bytes <= last.end_bytes() => {
                let end = last.end_bytes().max(extent.end_bytes());
                last.length_bytes = end - last.offset_bytes;
            }
            _ => merged.push(extent),
        }
    }
    merged
}

/// The part of `extent` inside `chunk`, if any.
fn intersection(extent: Extent, chunk: Extent) -> Option<Extent> {
    let start = extent.offset_bytes.max(chunk.offset_bytes);
    let end = extent.end_bytes().min(chunk.end_bytes());
    (start < end).then(|| Extent {
        offset_bytes: start,
        length_bytes: end - start,
    })
}

/// `buf` (the bytes of `chunk`) as the world has them: zeros outside `extents`.
fn fill_from_world(
    oracle: &dyn ExportSource,
    disk_instance_id: &str,
    reference_point: &Guid,
    extents: &[Extent],
    chunk: Extent,
    buf: &mut [u8],
) -> Result<(), String> {
    buf.fill(0);
    let first = extents.partition_point(|e| e.end_bytes() <= chunk.offset_bytes);
    for &extent in &extents[first..] {
        let Some(part) = intersection(extent, chunk) else {
            break;
        };
        let at = (part.offset_bytes - chunk.offset_bytes) as usize;
        oracle
            .read_extent(
                disk_instance_id,
                reference_point,
                part,
                &mut buf[at..at + part.length_bytes as usize],
            )
            .map_err(|e| {
                format!(
                    "the world cannot read the disk at byte {}: {}",
                    part.offset_bytes, e.message
                )
            })?;
    }
    Ok(())
}

/// `buf` (the bytes of `chunk`) as the chain restores them: log bytes where mapped, else zeros.
fn fill_from_map(map: &[MappedExtent], chunk: Extent, buf: &mut [u8]) -> Result<(), String> {
    buf.fill(0);
    let first = map.partition_point(|m| m.extent.end_bytes() <= chunk.offset_bytes);
    for mapped in &map[first..] {
        let Some(part) = intersection(mapped.extent, chunk) else {
            break;
        };
        let at = (part.offset_bytes - chunk.offset_bytes) as usize;
        let in_log = mapped.data_offset_bytes + (part.offset_bytes - mapped.extent.offset_bytes);
        mapped
            .log
            .file()
            .read_exact_at(&mut buf[at..at + part.length_bytes as usize], in_log)
            .map_err(|e| {
                format!(
                    "reading log `{}` at byte {in_log} failed: {e}",
                    mapped.log_path.display()
                )
            })?;
    }
    Ok(())
}

/// Materialises the disk as of `reference_point` as a new sparse raw file at `path`
/// (created with `create_new`; all-zero chunks are left as holes).
pub fn write_reference_image(
    oracle: &dyn ExportSource,
    disk_instance_id: &str,
    reference_point: &Guid,
    virtual_size_bytes: u64,
    path: &Path,
) -> io::Result<()> {
    let extents = oracle
        .changed_extents(disk_instance_id, None, reference_point)
        .map_err(|e| io::Error::other(format!("disk `{disk_instance_id}`: {}", e.message)))?;
    check_extent_list(&extents, virtual_size_bytes)
        .map_err(|p| io::Error::new(io::ErrorKind::InvalidData, p))?;
    let file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.set_len(virtual_size_bytes)?;
    let mut buf = crate::buffer_pool::take(COMPARE_CHUNK_BYTES);
    for extent in extents {
        for chunk in chunks(extent) {
            let data = &mut buf[..chunk.length_bytes as usize];
            oracle
                .read_extent(disk_instance_id, reference_point, chunk, data)
                .map_err(|e| {
                    io::Error::other(format!("disk `{disk_instance_id}`: {}", e.message))
                })?;
            if data.iter().any(|&b| b != 0) {
                file.write_all_at(data, chunk.offset_bytes)?;
            }
        }
    }
    file.sync_all()
}

/// The oracle's extents must be sorted, non-overlapping, non-empty and inside the disk.
fn check_extent_list(extents: &[Extent], virtual_size_bytes: u64) -> Result<(), String> {
    let mut previous_end_bytes = 0u64;
    for extent in extents {
        let end = extent.offset_bytes.checked_add(extent.length_bytes);
        if extent.length_bytes == 0
            || extent.offset_bytes < previous_end_bytes
            || !matches!(end, Some(e) if e <= virtual_size_bytes)
        {
            return Err(format!(
                "the world listed extent [{}, +{}), which is empty, out of order or past the virtual size {virtual_size_bytes}",
                extent.offset_bytes, extent.length_bytes
            ));
        }
        previous_end_bytes = extent.end_bytes();
    }
    Ok(())
}

/// `extent` cut into pieces of at most `COMPARE_CHUNK_BYTES`.
fn chunks(extent: Extent) -> impl Iterator<Item = Extent> {
    let step = COMPARE_CHUNK_BYTES as u64;
    (0..extent.length_bytes.div_ceil(step)).map(move |i| {
        let offset_bytes = extent.offset_bytes + i * step;
        Extent {
            offset_bytes,
            length_bytes: step.min(extent.end_bytes() - offset_bytes),
        }
    })
}

/// (offset, expected hex, actual hex, where).
type Difference = (u64, String, String, &'static str);

struct Compare<'a> {
    oracle: &'a dyn ExportSource,
    disk_instance_id: &'a str,
    reference_point: &'a Guid,
    image: &'a dyn VFile,
}

impl Compare<'_> {
    fn unreadable(&self, problem: String) -> Mismatch {
        Mismatch::Unreadable {
            disk_instance_id: self.disk_instance_id.to_string(),
            problem,
        }
    }

    fn read_image(&self, buf: &mut [u8], offset_bytes: u64) -> Result<(), Mismatch> {
        self.image.read_exact_at(buf, offset_bytes).map_err(|e| {
            self.unreadable(format!(
                "reading the image at byte {offset_bytes} failed: {e}"
            ))
        })
    }

    fn first_difference_in_extents(
        &self,
        extents: &[Extent],
        stats: &mut EquivalenceStats,
    ) -> Result<Option<Difference>, Mismatch> {
        let mut expected = crate::buffer_pool::take(COMPARE_CHUNK_BYTES);
        let mut actual = crate::buffer_pool::take(COMPARE_CHUNK_BYTES);
        for &extent in extents {
            for chunk in chunks(extent) {
                let len = chunk.length_bytes as usize;
                self.oracle
                    .read_extent(
                        self.disk_instance_id,
                        self.reference_point,
                        chunk,
                        &mut expected[..len],
                    )
                    .map_err(|e| {
                        self.unreadable(format!(
                            "the world cannot read the disk at byte {}: {}",
                            chunk.offset_bytes, e.message
                        ))
                    })?;
                self.read_image(&mut actual[..len], chunk.offset_bytes)?;
                if let Some(at) = first_difference(&expected[..len], &actual[..len]) {
                    let end = len.min(at + HEX_WINDOW_BYTES);
                    let offset_bytes = chunk.offset_bytes + at as u64;
                    return Ok(Some((
                        offset_bytes,
                        hex(&expected[at..end]),
                        hex(&actual[at..end]),
                        "inside an allocated extent",
                    )));
                }
            }
            stats.extents_compared += 1;
            stats.extent_bytes_compared += extent.length_bytes;
        }
        Ok(None)
    }

    fn first_nonzero_outside(
        &self,
        extents: &[Extent],
        virtual_size_bytes: u64,
        stats: &mut EquivalenceStats,
    ) -> Result<Option<Difference>, Mismatch> {
        let mut position_bytes = 0u64;
        let mut next_extent = 0usize;
        let mut buf = crate::buffer_pool::take(COMPARE_CHUNK_BYTES);
        while position_bytes < virtual_size_bytes {
            if stats.data_regions_scanned >= DATA_REGIONS_MAX {
                return Err(self.unreadable(format!(
                    "the image has more than {DATA_REGIONS_MAX} data regions"
                )));
            }
            let Some((data_bytes, hole_bytes)) =
                self.next_data_region(position_bytes, virtual_size_bytes)?
            else {
                break;
            };
            assert!(data_bytes >= position_bytes && hole_bytes > data_bytes);
            stats.data_regions_scanned += 1;
            // Walk the region, skipping the parts that extents cover.
            let mut at = data_bytes;
            while at < hole_bytes {
                while next_extent < extents.len() && extents[next_extent].end_bytes() <= at {
                    next_extent += 1;
                }
                let gap_end = match extents.get(next_extent) {
                    Some(e) if e.offset_bytes <= at => {
                        at = e.end_bytes().min(hole_bytes);
                        continue;
                    }
                    Some(e) => e.offset_bytes.min(hole_bytes),
                    None => hole_bytes,
                };
                if let Some(found) = self.first_nonzero(
                    Extent {
                        offset_bytes: at,
                        length_bytes: gap_end - at,
                    },
                    &mut buf,
                )? {
                    return Ok(Some(found));
                }
                stats.outside_bytes_checked += gap_end - at;
                at = gap_end;
            }
            position_bytes = hole_bytes;
        }
        Ok(None)
    }

    fn first_nonzero(&self, range: Extent, buf: &mut [u8]) -> Result<Option<Difference>, Mismatch> {
        for chunk in chunks(range) {
            let len = chunk.length_bytes as usize;
            self.read_image(&mut buf[..len], chunk.offset_bytes)?;
            if let Some(at) = first_nonzero_byte(&buf[..len]) {
                let end = len.min(at + HEX_WINDOW_BYTES);
                let zeros = vec![0u8; end - at];
                let offset_bytes = chunk.offset_bytes + at as u64;
                return Ok(Some((
                    offset_bytes,
                    hex(&zeros),
                    hex(&buf[at..end]),
                    "outside every allocated extent, must be zero",
                )));
            }
        }
        Ok(None)
    }

    /// The next data region at or after `from_bytes`: (start, end) with the end clipped to the
    /// virtual size; `None` when only holes remain.
    fn next_data_region(
        &self,
        from_bytes: u64,
        virtual_size_bytes: u64,
    ) -> Result<Option<(u64, u64)>, Mismatch> {
        let Some(data_bytes) = self.seek(from_bytes, true)? else {
            return Ok(None);
        };
        if data_bytes >= virtual_size_bytes {
            return Ok(None);
        }
        let hole_bytes = self.seek(data_bytes, false)?.unwrap_or(virtual_size_bytes);
        Ok(Some((data_bytes, hole_bytes.min(virtual_size_bytes))))
    }

    /// `SEEK_DATA` (`data`) or `SEEK_HOLE`; `None` when there is no more data past `offset`.
    fn seek(&self, offset_bytes: u64, data: bool) -> Result<Option<u64>, Mismatch> {
        let result = if data {
            self.image.seek_data(offset_bytes)
        } else {
            self.image.seek_hole(offset_bytes)
        };
        result.map_err(|error| {
            self.unreadable(format!(
                "lseek for data regions failed at byte {offset_bytes}: {error}"
            ))
        })
    }
}

/// Index of the first byte where `a` and `b` differ (equal lengths). Equal slices, the
/// common case, are settled by one `memcmp`; only a mismatch is walked byte by byte.
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    assert_eq!(a.len(), b.len(), "compared chunks have the same length");
    if a == b {
        return None;
    }
    a.iter().zip(b).position(|(x, y)| x != y)
}

/// Index of the first non-zero byte, checking eight bytes at a time before narrowing down.
fn first_nonzero_byte(bytes: &[u8]) -> Option<usize> {
    let words = bytes.chunks_exact(8);
    let tail_start = bytes.len() - words.remainder().len();
    let word_index = words
        .map(|w| u64::from_ne_bytes(w.try_into().expect("chunks_exact(8) yields 8 bytes")))
        .position(|w| w != 0);
    let from = word_index.map_or(tail_start, |i| i * 8);
    bytes[from..].iter().position(|&b| b != 0).map(|i| from + i)
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_difference_finds_the_exact_byte_or_none() {
        let a = vec![7u8; 100];
        assert_eq!(first_difference(&a, &a.clone()), None);
        for at in [0usize, 1, 8, 63, 99] {
            let mut b = a.clone();
            b[at] ^= 1;
            assert_eq!(first_difference(&a, &b), Some(at));
        }
    }

    #[test]
    fn first_nonzero_byte_finds_the_exact_byte_in_words_and_tail() {
        assert_eq!(first_nonzero_byte(&[0u8; 37]), None);
        assert_eq!(first_nonzero_byte(&[]), None);
        for at in [0usize, 7, 8, 31, 32, 36] {
            let mut bytes = vec![0u8; 37];
            bytes[at] = 0x80;
            bytes[36] = 1;
            assert_eq!(first_nonzero_byte(&bytes), Some(at), "non-zero at {at}");
        }
    }
}
