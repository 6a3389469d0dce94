//! Applies a checked plan: one sparse raw image per disk in the output directory, sized to the
//! disk's virtual size, each log's extents written at their offsets in chain order, read from
//! the handle each log was verified from, every byte before its footer hashed once more as it
//! is read and checked against the file checksum verified then. Owns the
//! capacity preconditions (largest file, free space), checked before the first image; it must
//! never overwrite a file (images are created with `O_EXCL`).

use crate::error::RestoreError;
use crate::extent_map::extent_map;
use crate::logfile::{LogFile, EXTENT_RECORD_HEADER_BYTES};
use crate::manifest::ExportManifest;
use crate::outdir::{Output, PROBE_FILE_NAME};
use crate::plan::{Plan, Step};
use rpsim_export::guid::Guid;
use rpsim_vfs::VFile;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::Xxh3;

/// Bytes copied from a log to an image per read/write.
pub const COPY_CHUNK_BYTES: usize = 1024 * 1024;

/// One restored disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiskSummary {
    pub disk_instance_id: String,
    pub image_path: PathBuf,
    pub virtual_size_bytes: u64,
    pub block_size_bytes: u64,
    /// The reference point the image shows.
    pub reference_point: Guid,
    /// Logs that make up the image: its last full log and the differentials after it.
    pub logs_applied: u64,
    /// Extent bytes written by those logs.
    pub bytes_written: u64,
}

/// What a restore produced, disks sorted by instance id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestoreSummary {
    pub disks: Vec<DiskSummary>,
}

/// Writes every step of `plan` into images in `output`, after checking that the output file
/// system can hold them. On any error the caller drops `output`, which removes what it made.
pub(crate) fn apply_plan(
    plan: &Plan,
    manifests: &[ExportManifest],
    output: &mut Output,
) -> Result<RestoreSummary, RestoreError> {
    check_capacity(plan, manifests, output)?;
    let mut images: BTreeMap<&str, (Box<dyn VFile>, DiskSummary)> = BTreeMap::new();
    for step in &plan.steps {
        let disk_id = step.log(manifests).header.disk_instance_id.as_str();
        if !images.contains_key(disk_id) {
            let disk = &plan.disks[disk_id];
            let file = output.create_file(&disk.image_name)?;
            let summary = DiskSummary {
                disk_instance_id: disk_id.to_string(),
                image_path: output.path.join(&disk.image_name),
                virtual_size_bytes: 0,
                block_size_bytes: 0,
                reference_point: Guid::NIL,
                logs_applied: 0,
                bytes_written: 0,
            };
            images.insert(disk_id, (file, summary));
        }
        let Some((file, summary)) = images.get_mut(disk_id) else {
            unreachable!("image inserted above");
        };
        apply_step(step, step.log(manifests), file.as_ref(), summary)?;
    }
    let mut disks = Vec::with_capacity(images.len());
    for (_, (file, summary)) in images {
        file.sync_all()
            .map_err(|e| RestoreError::io("sync image", &summary.image_path, e))?;
        assert_eq!(
            summary.reference_point,
            plan.disks[&summary.disk_instance_id].reference_point
        );
        disks.push(summary);
    }
    Ok(RestoreSummary { disks })
}

/// Before the first image: the output file system must hold a file of each disk's virtual
/// size (probed with `ftruncate` of a scratch file, removed again) and have room for the data
/// the images will hold.
fn check_capacity(
    plan: &Plan,
    manifests: &[ExportManifest],
    output: &mut Output,
) -> Result<(), RestoreError> {
    let Some(largest) = plan.disks.values().max_by_key(|d| d.virtual_size_bytes) else {
        return Ok(());
    };
    let probe = output.create_file(PROBE_FILE_NAME)?;
    let limit = largest_file_bytes(probe.as_ref(), largest.virtual_size_bytes);
    drop(probe);
    output.remove_file(PROBE_FILE_NAME);
    let capacity = |problem: String| {
        Err(RestoreError::Capacity {
            path: output.path.clone(),
            problem,
        })
    };
    if let Some(limit_bytes) = limit {
        let too_large: Vec<String> = plan
            .disks
            .values()
            .filter(|d| d.virtual_size_bytes > limit_bytes)
            .map(|d| {
                format!(
                    "disk `{}` (log `{}`) has virtual size {} bytes",
                    d.disk_instance_id,
                    d.last_log.display(),
                    d.virtual_size_bytes
                )
            })
            .collect();
        return capacity(format!(
            "{}, but its file system holds files of at most {limit_bytes} bytes; \
             restore onto a file system that holds larger files (XFS and tmpfs hold 64 TiB, ext4 16 TiB)",
            too_large.join("; ")
        ));
    }
    let needed_bytes = data_bytes_needed(plan, manifests);
    let available_bytes = output
        .dir
        .available_bytes()
        .map_err(|e| RestoreError::io("read the free space of", &output.path, e))?;
    if needed_bytes > available_bytes {
        return capacity(format!(
            "the images hold {needed_bytes} bytes of data, but its file system has {available_bytes} bytes free; \
             free some space or restore elsewhere"
        ));
    }
    Ok(())
}

/// `None` when `probe` can be sized to `size_bytes`; else the largest size it can take.
fn largest_file_bytes(probe: &dyn VFile, size_bytes: u64) -> Option<u64> {
    if probe.set_len(size_bytes).is_ok() {
        return None;
    }
    let (mut fits, mut fails) = (0u64, size_bytes);
    for _ in 0..64 {
        if fails - fits <= 1 {
            break;
        }
        let middle = fits + (fails - fits) / 2;
        if probe.set_len(middle).is_ok() {
            fits = middle;
        } else {
            fails = middle;
        }
    }
    assert!(fits < size_bytes);
    Some(fits)
}

/// Bytes of data the images will hold: every disk's final ranges.
fn data_bytes_needed(plan: &Plan, manifests: &[ExportManifest]) -> u64 {
    plan.disks
        .keys()
        .flat_map(|disk| extent_map(plan, manifests, disk))
        .map(|m| m.extent.length_bytes)
        .sum()
}

fn apply_step(
    step: &Step,
    log: &LogFile,
    image: &dyn VFile,
    summary: &mut DiskSummary,
) -> Result<(), RestoreError> {
    let header = &log.header;
    let image_path = summary.image_path.clone();
    if step.restart {
        image
            .set_len(0)
            .map_err(|e| RestoreError::io("empty image", &image_path, e))?;
        image
            .set_len(header.virtual_size_bytes)
            .map_err(|e| RestoreError::io("size image", &image_path, e))?;
        summary.virtual_size_bytes = header.virtual_size_bytes;
        summary.block_size_bytes = header.block_size_bytes;
        summary.logs_applied = 0;
        summary.bytes_written = 0;
    } else {
        assert_eq!(Some(summary.reference_point), header.base_reference_point);
        assert_eq!(summary.virtual_size_bytes, header.virtual_size_bytes);
    }
    let written_bytes = copy_extents(log, image, &image_path)?;
    summary.bytes_written += written_bytes;
    summary.logs_applied += 1;
    summary.reference_point = header.target_reference_point;
    Ok(())
}

/// Writes every extent of `log` into `image`, reading the log from its header to its footer
/// in order (header, then each record's head and data) and hashing each byte once: the bytes
/// applied must hash to the file checksum verified, or the log changed since. Returns the
/// data bytes written.
fn copy_extents(log: &LogFile, image: &dyn VFile, image_path: &Path) -> Result<u64, RestoreError> {
    let file = log.handle.file();
    let read_failed = |e| RestoreError::io("read log file", &log.path, e);
    let mut hasher = Xxh3::new();
    let mut header = vec![0u8; log.header.header_size_bytes as usize];
    file.read_exact_at(&mut header, 0).map_err(read_failed)?;
    hasher.update(&header);
    // Sized to the largest extent (most are far below the chunk): zeroing a full chunk per
    // log was a measurable share of a suite run.
    let largest_bytes = log.extents.iter().map(|e| e.extent.length_bytes).max();
    let chunk_bytes = largest_bytes.unwrap_or(0).min(COPY_CHUNK_BYTES as u64) as usize;
    let head_bytes = EXTENT_RECORD_HEADER_BYTES as usize;
    let mut buf = vec![0u8; head_bytes + chunk_bytes];
    let mut written_bytes = 0u64;
    for log_extent in &log.extents {
        let extent = log_extent.extent;
        // The record's head comes with the first chunk of its data: one read.
        let mut head = head_bytes;
        let mut done_bytes = 0u64;
        while done_bytes < extent.length_bytes {
            let take = (extent.length_bytes - done_bytes).min(chunk_bytes as u64) as usize;
            let at = log_extent.data_offset_bytes + done_bytes - head as u64;
            let piece = &mut buf[head_bytes - head..head_bytes + take];
            file.read_exact_at(piece, at).map_err(read_failed)?;
            hasher.update(piece);
            image
                .write_all_at(
                    &buf[head_bytes..head_bytes + take],
                    extent.offset_bytes + done_bytes,
                )
                .map_err(|e| RestoreError::io("write image", image_path, e))?;
            done_bytes += take as u64;
            head = 0;
        }
        written_bytes += extent.length_bytes;
    }
    if hasher.digest128() != log.file_xxh3_128 {
        return Err(RestoreError::Log {
            path: log.path.clone(),
            offset_bytes: 0,
            problem: "the log's bytes changed after it was verified (the file was written to during the restore)".to_string(),
        });
    }
    assert_eq!(written_bytes, log.data_bytes);
    Ok(written_bytes)
}
