//! What `rpsim bench` measures ([`BenchPlan`] and its bounds) and the pieces every phase
//! shares: fresh scratch directories, the bench disk's shape, the pattern writes of the
//! sequential-write baseline, the ratio figure and the peak-RSS reading. Owns those; it must
//! never time a phase (the phase modules do) nor feed a clock into the simulator.

use crate::bench::record::{Better, Figure};
use crate::bench::spread::Spread;
use crate::bench::workload::DiskShape;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Chunk of the sequential-write baseline: the job's write chunk.
pub const SEQ_WRITE_CHUNK_BYTES: usize = rpsim_export::plan::WRITE_CHUNK_BYTES_MAX as usize;
/// Block size of every bench disk (the scenario format's default).
pub const BENCH_BLOCK_SIZE_BYTES: u64 = 2 << 20;
/// Most timing repeats.
pub const REPEATS_MAX: u32 = 20;
/// Largest `--size`: bounds the scratch space a run needs (about three times this).
pub const BENCH_SIZE_BYTES_MAX: u64 = 16 << 30;
/// Prefix of the line the RSS child prints.
pub const RSS_CHILD_PREFIX: &str = "vm_hwm_bytes=";
/// Budget the peak-RSS figure is compared with.
pub const RSS_BUDGET_BYTES: u64 = 100 << 20;

/// What to measure.
#[derive(Clone, Debug)]
pub struct BenchPlan {
    pub size_bytes: u64,
    pub diff_disk_size_bytes: u64,
    pub changed_per_mille: u64,
    pub rss_disk_size_bytes: u64,
    /// Data each image of the rsync pair holds from its start (the pair is
    /// `diff_disk_size_bytes` each, sparse past this).
    pub rsync_allocated_bytes: u64,
    /// Also measure the cost curve (full and differential exports at 256 MiB, 1 GiB, 4 GiB).
    pub curve: bool,
    pub repeats: u32,
    /// Runs of each rsync timing (cold and warm): a full-size pair takes minutes per run.
    pub rsync_repeats: u32,
    pub work_dir: PathBuf,
    /// This binary, re-executed for the peak-RSS child.
    pub exe: PathBuf,
}

impl BenchPlan {
    pub fn check(&self) -> Result<(), String> {
        if self.size_bytes < BENCH_BLOCK_SIZE_BYTES || self.size_bytes > BENCH_SIZE_BYTES_MAX {
            return Err(format!(
                "--size must be between 2MiB and {}GiB",
                BENCH_SIZE_BYTES_MAX >> 30
            ));
        }
        if self.repeats == 0 || self.repeats > REPEATS_MAX {
            return Err(format!("--repeats must be between 1 and {REPEATS_MAX}"));
        }
        if self.rsync_repeats == 0 || self.rsync_repeats > REPEATS_MAX {
            return Err(format!(
                "--rsync-repeats must be between 1 and {REPEATS_MAX}"
            ));
        }
        if self.changed_per_mille == 0 || self.changed_per_mille > 1000 {
            return Err("--changed-per-mille must be between 1 and 1000".into());
        }
        if self.diff_disk_size_bytes < BENCH_BLOCK_SIZE_BYTES * 100 {
            return Err("--diff-disk-size must be at least 200MiB".into());
        }
        if self.rss_disk_size_bytes < self.size_bytes {
            return Err("--rss-disk-size must be at least --size".into());
        }
        if self.rsync_allocated_bytes > self.diff_disk_size_bytes {
            return Err("--rsync-allocated must be at most --diff-disk-size".into());
        }
        Ok(())
    }
}

/// A figure whose value (median over the repeats) is judged by its ratio to `baseline`.
pub fn ratio_figure(
    name: &str,
    value: Spread,
    unit: &str,
    baseline: (&str, Spread),
    better: Better,
    note: String,
) -> Figure {
    let ratio = value.over(baseline.1);
    Figure {
        name: name.into(),
        value: value.median,
        unit: unit.into(),
        baseline: Some(baseline.0.into()),
        baseline_value: Some(baseline.1.median),
        ratio: Some(ratio.median),
        better,
        note,
        value_spread: Some(value),
        ratio_spread: Some(ratio),
    }
}

pub fn scratch_dir(work_dir: &Path) -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new()
        .prefix("rpsim-bench-")
        .tempdir_in(work_dir)
        .map_err(|e| {
            format!(
                "cannot create a scratch directory in {}: {e}",
                work_dir.display()
            )
        })
}

pub fn full_shape(virtual_size_bytes: u64, allocated_bytes: u64, random_layout: bool) -> DiskShape {
    DiskShape {
        virtual_size_bytes,
        allocated_bytes,
        block_size_bytes: BENCH_BLOCK_SIZE_BYTES,
        random_layout,
    }
}

/// Writes a file of pseudo-random bytes (pattern `seed`) in job-sized chunks, then fsyncs.
pub fn write_file(path: &Path, size_bytes: u64, seed: u64) -> Result<(), String> {
    let file = File::create(path).map_err(|e| format!("create {}: {e}", path.display()))?;
    write_content(&file, path, 0, size_bytes, seed)?;
    file.sync_all()
        .map_err(|e| format!("fsync {}: {e}", path.display()))
}

/// Writes pattern `seed` over `[offset, offset + length)` of `file` in job-sized chunks (the
/// bytes at a position depend only on the position and the seed); no fsync.
pub fn write_content(
    file: &File,
    path: &Path,
    offset_bytes: u64,
    length_bytes: u64,
    seed: u64,
) -> Result<(), String> {
    let chunk_bytes = SEQ_WRITE_CHUNK_BYTES as u64;
    let mut chunk = vec![0u8; SEQ_WRITE_CHUNK_BYTES];
    let end_bytes = offset_bytes + length_bytes;
    let mut at = offset_bytes;
    while at < end_bytes {
        let in_chunk = at % chunk_bytes;
        let len = (end_bytes - at).min(chunk_bytes - in_chunk) as usize;
        rpsim_world::content::fill(seed, at / chunk_bytes, 1, in_chunk, &mut chunk[..len]);
        file.write_all_at(&chunk[..len], at)
            .map_err(|e| format!("write {}: {e}", path.display()))?;
        at += len as u64;
    }
    assert_eq!(at, end_bytes);
    Ok(())
}

/// Peak resident set size of this process (Linux), in bytes.
pub fn vm_hwm_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
