//! The rsync baseline of `rpsim bench`: `rsync --no-whole-file --inplace` run on a full-size
//! sparse image pair (the differential disk's virtual size, `rsync_allocated_bytes` of data
//! from its start, plus the changed blocks at the positions the differential's world changes),
//! timed from a cold page cache (both files written, fsynced and dropped with
//! `posix_fadvise(DONTNEED)`) and from a warm one (their data read just before). Owns building
//! and resetting the pair; it must never feed a clock into the simulator, nor scale a figure.

use crate::bench::plan::{scratch_dir, write_content, BenchPlan, BENCH_BLOCK_SIZE_BYTES};
use crate::bench::spread::Spread;
use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Pattern seeds of the old image, and of the blocks the new image changes.
const OLD_SEED: u64 = 3;
const CHANGED_SEED: u64 = 4;

/// Cold and warm rsync seconds over the repeats; None when rsync is not installed.
pub struct RsyncTimes {
    pub cold_s: Spread,
    pub warm_s: Spread,
    /// Bytes each image holds (allocated data plus changed blocks past it).
    pub image_data_bytes: u64,
}

/// Whether `rsync --version` runs.
pub fn rsync_installed() -> bool {
    Command::new("rsync")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The changed blocks (by index) of a disk of `disk_blocks`: the same even spread as
/// `workload::change_blocks`.
pub fn changed_blocks(disk_blocks: u64, changed_per_mille: u64) -> Vec<u64> {
    let count = (disk_blocks * changed_per_mille).div_ceil(1000).max(1);
    let stride = (disk_blocks / count).max(1);
    (0..count.min(disk_blocks)).map(|i| i * stride).collect()
}

/// Times rsync on the pair, `plan.rsync_repeats` times cold and warm; the pair is built once
/// (untimed) and the old image put back after every run.
pub fn time_rsync(plan: &BenchPlan) -> Result<Option<RsyncTimes>, String> {
    if !rsync_installed() {
        return Ok(None);
    }
    let scratch = scratch_dir(&plan.work_dir)?;
    let old = scratch.path().join("old.img");
    let new = scratch.path().join("new.img");
    let disk_bytes = plan.diff_disk_size_bytes;
    let allocated = plan.rsync_allocated_bytes.min(disk_bytes);
    let blocks = changed_blocks(disk_bytes / BENCH_BLOCK_SIZE_BYTES, plan.changed_per_mille);
    make_image(&old, disk_bytes, allocated, &[])?;
    make_image(&new, disk_bytes, allocated, &blocks)?;
    let past = blocks
        .iter()
        .filter(|&&b| b * BENCH_BLOCK_SIZE_BYTES >= allocated)
        .count() as u64;
    let image_data_bytes = allocated + past * BENCH_BLOCK_SIZE_BYTES;
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for _ in 0..plan.rsync_repeats {
        drop_cache(&old)?;
        drop_cache(&new)?;
        cold.push(run_rsync(&new, &old)?);
        reset_old(&old, allocated, &blocks)?;
        read_data(&old, allocated, &blocks)?;
        read_data(&new, allocated, &blocks)?;
        warm.push(run_rsync(&new, &old)?);
        reset_old(&old, allocated, &blocks)?;
    }
    Ok(Some(RsyncTimes {
        cold_s: Spread::of(&cold),
        warm_s: Spread::of(&warm),
        image_data_bytes,
    }))
}

/// A sparse image of `disk_bytes`: pattern data over `[0, allocated)`, then `changed` blocks
/// with the changed pattern; fsynced.
fn make_image(path: &Path, disk_bytes: u64, allocated: u64, changed: &[u64]) -> Result<(), String> {
    let file = File::create(path).map_err(|e| format!("create {}: {e}", path.display()))?;
    file.set_len(disk_bytes)
        .map_err(|e| format!("size {}: {e}", path.display()))?;
    write_content(&file, path, 0, allocated, OLD_SEED)?;
    let mut block = vec![0u8; BENCH_BLOCK_SIZE_BYTES as usize];
    for &index in changed {
        rpsim_world::content::fill(CHANGED_SEED, index, 1, 0, &mut block);
        file.write_all_at(&block, index * BENCH_BLOCK_SIZE_BYTES)
            .map_err(|e| format!("write {}: {e}", path.display()))?;
    }
    file.sync_all()
        .map_err(|e| format!("fsync {}: {e}", path.display()))
}

/// Puts the old image back as it was: its pattern under `allocated`, holes past it.
fn reset_old(path: &Path, allocated: u64, changed: &[u64]) -> Result<(), String> {
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| format!("open {}: {e}", path.display()))?;
    for &index in changed {
        let at = index * BENCH_BLOCK_SIZE_BYTES;
        if at < allocated {
            let length = BENCH_BLOCK_SIZE_BYTES.min(allocated - at);
            write_content(&file, path, at, length, OLD_SEED)?;
        } else {
            punch_hole(&file, at, BENCH_BLOCK_SIZE_BYTES)
                .map_err(|e| format!("punch a hole in {}: {e}", path.display()))?;
        }
    }
    file.sync_all()
        .map_err(|e| format!("fsync {}: {e}", path.display()))
}

/// Reads the data ranges of an image into the page cache.
fn read_data(path: &Path, allocated: u64, changed: &[u64]) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("open {}: {e}", path.display()))?;
    let mut buf = vec![0u8; 4 << 20];
    let mut ranges: Vec<(u64, u64)> = vec![(0, allocated)];
    ranges.extend(
        changed
            .iter()
            .map(|b| (b * BENCH_BLOCK_SIZE_BYTES, BENCH_BLOCK_SIZE_BYTES)),
    );
    for (start, length) in ranges {
        let mut done = 0u64;
        while done < length {
            let take = (length - done).min(buf.len() as u64) as usize;
            file.read_exact_at(&mut buf[..take], start + done)
                .map_err(|e| format!("read {}: {e}", path.display()))?;
            done += take as u64;
        }
    }
    Ok(())
}

/// fsync, then drops the file's pages from the page cache.
fn drop_cache(path: &Path) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("open {}: {e}", path.display()))?;
    file.sync_all()
        .map_err(|e| format!("fsync {}: {e}", path.display()))?;
    // SAFETY: posix_fadvise only reads the descriptor, open while `file` lives.
    let rc = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    if rc != 0 {
        return Err(format!(
            "posix_fadvise(DONTNEED) on {} failed: {}",
            path.display(),
            std::io::Error::from_raw_os_error(rc)
        ));
    }
    Ok(())
}

fn punch_hole(file: &File, offset_bytes: u64, length_bytes: u64) -> std::io::Result<()> {
    let mode = libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE;
    // SAFETY: fallocate only reads the descriptor, open while `file` lives.
    let rc = unsafe {
        libc::fallocate(
            file.as_raw_fd(),
            mode,
            offset_bytes as libc::off_t,
            length_bytes as libc::off_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// One timed `rsync --no-whole-file --inplace new old`, plus the fsync of `old`: seconds.
fn run_rsync(new: &Path, old: &Path) -> Result<f64, String> {
    let start = Instant::now();
    let status = Command::new("rsync")
        .args(["--no-whole-file", "--inplace"])
        .arg(new)
        .arg(old)
        .status()
        .map_err(|e| format!("cannot run rsync: {e}"))?;
    if !status.success() {
        return Err(format!("rsync exited with {status}"));
    }
    File::open(old)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("fsync {}: {e}", old.display()))?;
    Ok(start.elapsed().as_secs_f64().max(1e-9))
}
