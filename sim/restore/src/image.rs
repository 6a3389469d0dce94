//! Applies a checked plan: one sparse raw image per disk in the output directory, sized to the
//! disk's virtual size, each log's extents written at their offsets in chain order. Owns the
//! output directory rules: it must never overwrite a file (images are created with
//! `create_new`) and never write into a directory that already holds something.

use crate::error::RestoreError;
use crate::plan::{Plan, Step};
use rpsim_export::guid::Guid;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

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

/// Refuses an output directory that exists and is not empty, or that lies inside one of
/// `export_dirs` (restoring there would change an export).
pub fn check_out_dir(out_dir: &Path, export_dirs: &[PathBuf]) -> Result<(), RestoreError> {
    let refuse = |problem: &str| {
        Err(RestoreError::Output {
            path: out_dir.to_path_buf(),
            problem: problem.to_string(),
        })
    };
    match fs::symlink_metadata(out_dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(RestoreError::io("look at output directory", out_dir, e)),
        Ok(metadata) if !metadata.is_dir() => {
            return refuse("it exists and is not a directory; give a new or empty directory")
        }
        Ok(_) => {
            let mut entries = fs::read_dir(out_dir)
                .map_err(|e| RestoreError::io("list output directory", out_dir, e))?;
            if entries.next().is_some() {
                return refuse("it is not empty; restore never overwrites files, give a new or empty directory");
            }
        }
    }
    let out_real = real_path(out_dir);
    for dir in export_dirs {
        if let (Some(out_real), Some(export_real)) = (&out_real, fs::canonicalize(dir).ok()) {
            if out_real.starts_with(&export_real) {
                return refuse(
                    "it lies inside an export directory of the chain; give a directory elsewhere",
                );
            }
        }
    }
    Ok(())
}

/// The canonical form of `path`, or of its parent joined with its name when it does not exist.
fn real_path(path: &Path) -> Option<PathBuf> {
    if let Ok(real) = fs::canonicalize(path) {
        return Some(real);
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(fs::canonicalize(parent).ok()?.join(path.file_name()?))
}

/// Writes every step of `plan` into images under `out_dir` (created when missing; checked
/// by [`check_out_dir`] before).
pub fn apply_plan(plan: &Plan, out_dir: &Path) -> Result<RestoreSummary, RestoreError> {
    fs::create_dir_all(out_dir)
        .map_err(|e| RestoreError::io("create output directory", out_dir, e))?;
    let mut images: BTreeMap<&str, (File, DiskSummary)> = BTreeMap::new();
    for step in &plan.steps {
        let disk_id = step.log.header.disk_instance_id.as_str();
        if !images.contains_key(disk_id) {
            let disk = &plan.disks[disk_id];
            let image_path = out_dir.join(&disk.image_name);
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&image_path)
                .map_err(|e| RestoreError::io("create image", &image_path, e))?;
            let summary = DiskSummary {
                disk_instance_id: disk_id.to_string(),
                image_path,
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
        apply_step(step, file, summary)?;
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

fn apply_step(step: &Step, image: &File, summary: &mut DiskSummary) -> Result<(), RestoreError> {
    let header = &step.log.header;
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
    let log = File::open(&step.log.path)
        .map_err(|e| RestoreError::io("open log file", &step.log.path, e))?;
    let mut buf = vec![0u8; COPY_CHUNK_BYTES];
    for log_extent in &step.log.extents {
        let extent = log_extent.extent;
        assert!(extent.end_bytes() <= summary.virtual_size_bytes);
        let mut done_bytes = 0u64;
        while done_bytes < extent.length_bytes {
            let take = (extent.length_bytes - done_bytes).min(COPY_CHUNK_BYTES as u64) as usize;
            log.read_exact_at(&mut buf[..take], log_extent.data_offset_bytes + done_bytes)
                .map_err(|e| RestoreError::io("read log file", &step.log.path, e))?;
            image
                .write_all_at(&buf[..take], extent.offset_bytes + done_bytes)
                .map_err(|e| RestoreError::io("write image", &image_path, e))?;
            done_bytes += take as u64;
        }
        summary.bytes_written += extent.length_bytes;
    }
    summary.logs_applied += 1;
    summary.reference_point = header.target_reference_point;
    Ok(())
}
