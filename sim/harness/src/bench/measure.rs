//! `rpsim bench`: one run that times the export job and the restore against machine baselines
//! measured on the same bytes in the same run (sequential write + fsync, `cp`, `rsync
//! --no-whole-file` on a full-size image pair) and measures peak RSS in child processes, then
//! builds a [`BenchRecord`] whose figures keep the minimum, median and maximum over the repeats
//! (carried through to their ratios). Owns the phases and the wall-clock timing, which is
//! human-facing only; it must never feed a clock into the simulator or the export job, nor
//! print (progress goes through a callback).

use crate::bench::curve::{self, CurvePoint};
use crate::bench::record::{BenchRecord, Better, Figure, Machine, RECORD_FORMAT};
use crate::bench::restore::{self, RestoreTimes, RESTORE_DIFFERENTIALS};
use crate::bench::rsync::{self, RsyncTimes};
use crate::bench::spread::Spread;
use crate::bench::workload::{self as workload, DiskShape};
use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

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

/// Runs every phase; `progress` receives one line per finished measurement.
pub fn run_bench(
    plan: &BenchPlan,
    name: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<BenchRecord, String> {
    plan.check()?;
    let size = plan.size_bytes;
    let show = |s: Spread| format!("{:>8.3} s (min {:.3}, max {:.3})", s.median, s.min, s.max);
    let full_s = spread_of(plan, |dir| time_full_export(size, dir))?;
    progress(&format!("full export      {}", show(full_s)));
    let seq_s = spread_of(plan, |dir| time_seq_write(size, dir))?;
    progress(&format!("sequential write {}", show(seq_s)));
    let cp_s = spread_of(plan, |dir| time_cp(size, dir))?;
    progress(&format!("cp               {}", show(cp_s)));
    let (diff_s, diff_bytes) = time_differential(plan)?;
    progress(&format!("differential     {}", show(diff_s)));
    let rsync = rsync::time_rsync(plan)?;
    match &rsync {
        None => progress("rsync            skipped (rsync not installed)"),
        Some(r) => {
            progress(&format!("rsync, cold      {}", show(r.cold_s)));
            progress(&format!("rsync, warm      {}", show(r.warm_s)));
        }
    }
    let chain_root = scratch_dir(&plan.work_dir)?;
    let restore = restore::time_restore(plan, chain_root.path())?;
    progress(&format!("restore chain    {}", show(restore.restore_s)));
    progress(&format!("seq. write, same {}", show(restore.seq_write_s)));
    let restore_rss_bytes = measure_rss_child(plan, &restore.chain)?;
    drop(chain_root);
    progress(&format!(
        "peak RSS restore {:>8.1} MiB",
        mib(restore_rss_bytes)
    ));
    let rss_bytes = measure_rss_child(plan, &[])?;
    progress(&format!("peak RSS         {:>8.1} MiB", mib(rss_bytes)));
    let curve = if plan.curve {
        curve::time_curve(plan)?
    } else {
        Vec::new()
    };
    for point in &curve {
        progress(&format!(
            "curve {:>5}      full {}, differential {}",
            rpsim_scenario::units::ByteSize(point.size_bytes).to_string(),
            show(point.full_s),
            show(point.diff_s)
        ));
    }
    let times = PhaseTimes {
        full_s,
        seq_s,
        cp_s,
        diff_s,
        diff_bytes,
        rsync,
        restore,
        restore_rss_bytes,
        rss_bytes,
        curve,
    };
    Ok(BenchRecord {
        format: RECORD_FORMAT,
        name: name.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        commit: git_commit(),
        machine: machine(),
        parameters: parameters(plan),
        figures: figures(plan, &times),
        saved_at_unix_s: None,
    })
}

/// Seconds over the repeats of each timed phase.
struct PhaseTimes {
    full_s: Spread,
    seq_s: Spread,
    cp_s: Spread,
    diff_s: Spread,
    diff_bytes: u64,
    rsync: Option<RsyncTimes>,
    restore: RestoreTimes,
    restore_rss_bytes: u64,
    rss_bytes: u64,
    curve: Vec<CurvePoint>,
}

fn figures(plan: &BenchPlan, t: &PhaseTimes) -> Vec<Figure> {
    let size = plan.size_bytes as f64;
    let full_rate = t.full_s.inverse_times(size);
    let seq_rate = t.seq_s.inverse_times(size);
    let cp_rate = t.cp_s.inverse_times(size);
    // The full export of the whole differential disk, at the measured full-export rate.
    let full_of_diff_disk_s = full_rate.inverse_times(plan.diff_disk_size_bytes as f64);
    let mut out = vec![
        ratio_figure(
            "full_export",
            full_rate,
            "bytes/s",
            ("seq_write", seq_rate),
            Better::Higher,
            String::new(),
        ),
        ratio_figure(
            "full_export_vs_cp",
            full_rate,
            "bytes/s",
            ("cp", cp_rate),
            Better::Higher,
            "cp + fsync of the copy".into(),
        ),
        ratio_figure(
            "differential_cost",
            t.diff_s,
            "s",
            ("full_export_of_same_disk", full_of_diff_disk_s),
            Better::Lower,
            format!(
                "{} changed bytes; baseline = disk size / measured full-export rate",
                t.diff_bytes
            ),
        ),
    ];
    if let Some(r) = &t.rsync {
        out.extend(rsync_figures(plan, t.diff_s, r));
    }
    out.extend(restore::figures(&t.restore, t.restore_rss_bytes));
    out.extend(curve::figures(&t.curve));
    out.push(ratio_figure(
        "peak_rss_2tib_export",
        Spread::point(t.rss_bytes as f64),
        "bytes",
        ("rss_budget", Spread::point(RSS_BUDGET_BYTES as f64)),
        Better::Lower,
        "VmHWM of a child process doing only this export (one run)".into(),
    ));
    out
}

/// The differential against rsync on the full-size image pair, cold (the headline) and warm.
fn rsync_figures(plan: &BenchPlan, diff_s: Spread, r: &RsyncTimes) -> Vec<Figure> {
    let pair = format!(
        "rsync --no-whole-file --inplace of a {} sparse image pair holding {} of data each \
         ({} allocated from the start plus the changed blocks), plus fsync",
        rpsim_scenario::units::ByteSize(plan.diff_disk_size_bytes),
        rpsim_scenario::units::ByteSize(r.image_data_bytes),
        rpsim_scenario::units::ByteSize(plan.rsync_allocated_bytes),
    );
    vec![
        ratio_figure(
            "differential_vs_rsync",
            diff_s,
            "s",
            ("rsync_cold_cache", r.cold_s),
            Better::Lower,
            format!("{pair}; both images fsynced and dropped from the page cache (posix_fadvise DONTNEED) first"),
        ),
        ratio_figure(
            "differential_vs_rsync_warm",
            diff_s,
            "s",
            ("rsync_warm_cache", r.warm_s),
            Better::Lower,
            format!("{pair}; the images' data read into the page cache first"),
        ),
    ]
}

/// A figure whose value (median over the repeats) is judged by its ratio to `baseline`.
pub(crate) fn ratio_figure(
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

fn parameters(plan: &BenchPlan) -> BTreeMap<String, u64> {
    let mut map = BTreeMap::new();
    map.insert("size_bytes".into(), plan.size_bytes);
    map.insert("diff_disk_size_bytes".into(), plan.diff_disk_size_bytes);
    map.insert("changed_per_mille".into(), plan.changed_per_mille);
    map.insert("rss_disk_size_bytes".into(), plan.rss_disk_size_bytes);
    map.insert("rsync_allocated_bytes".into(), plan.rsync_allocated_bytes);
    map.insert("restore_differentials".into(), RESTORE_DIFFERENTIALS as u64);
    map.insert("curve".into(), u64::from(plan.curve));
    map.insert("repeats".into(), u64::from(plan.repeats));
    map.insert("rsync_repeats".into(), u64::from(plan.rsync_repeats));
    map
}

/// Seconds of `plan.repeats` timings, each in a fresh scratch directory.
fn spread_of(
    plan: &BenchPlan,
    mut f: impl FnMut(&Path) -> Result<Duration, String>,
) -> Result<Spread, String> {
    let found = spread_of_optional(plan, |dir| f(dir).map(Some))?;
    Ok(found.expect("a timing that never skips"))
}

fn spread_of_optional(
    plan: &BenchPlan,
    mut f: impl FnMut(&Path) -> Result<Option<Duration>, String>,
) -> Result<Option<Spread>, String> {
    assert!(plan.repeats >= 1 && plan.repeats <= REPEATS_MAX);
    let mut samples = Vec::new();
    for _ in 0..plan.repeats {
        let scratch = scratch_dir(&plan.work_dir)?;
        match f(scratch.path())? {
            None => return Ok(None),
            Some(d) => samples.push(d.as_secs_f64().max(1e-9)),
        }
    }
    Ok(Some(Spread::of(&samples)))
}

pub(crate) fn scratch_dir(work_dir: &Path) -> Result<tempfile::TempDir, String> {
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

pub(crate) fn full_shape(
    virtual_size_bytes: u64,
    allocated_bytes: u64,
    random_layout: bool,
) -> DiskShape {
    DiskShape {
        virtual_size_bytes,
        allocated_bytes,
        block_size_bytes: BENCH_BLOCK_SIZE_BYTES,
        random_layout,
    }
}

/// A full export of `size_bytes` of allocated data (world built before the clock starts).
fn time_full_export(size_bytes: u64, dir: &Path) -> Result<Duration, String> {
    let mut world = workload::world_with_disk(&full_shape(size_bytes, size_bytes, false))?;
    let point = workload::freeze(&mut world, "rp")?;
    let start = Instant::now();
    workload::export(&world, &point, None, &dir.join("export"))?;
    Ok(start.elapsed())
}

/// The machine baseline: `size_bytes` written in the job's chunk size, then fsync.
fn time_seq_write(size_bytes: u64, dir: &Path) -> Result<Duration, String> {
    let start = Instant::now();
    write_file(&dir.join("seq.bin"), size_bytes, 1)?;
    Ok(start.elapsed())
}

/// Writes a file of pseudo-random bytes (pattern `seed`) in job-sized chunks, then fsyncs.
pub(crate) fn write_file(path: &Path, size_bytes: u64, seed: u64) -> Result<(), String> {
    let file = File::create(path).map_err(|e| format!("create {}: {e}", path.display()))?;
    write_content(&file, path, 0, size_bytes, seed)?;
    file.sync_all()
        .map_err(|e| format!("fsync {}: {e}", path.display()))
}

/// Writes pattern `seed` over `[offset, offset + length)` of `file` in job-sized chunks (the
/// bytes at a position depend only on the position and the seed); no fsync.
pub(crate) fn write_content(
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

/// `cp` of a `size_bytes` file (written beforehand, untimed), plus fsync of the copy.
fn time_cp(size_bytes: u64, dir: &Path) -> Result<Duration, String> {
    let source = dir.join("source.bin");
    let copy = dir.join("copy.bin");
    write_file(&source, size_bytes, 2)?;
    let start = Instant::now();
    let status = Command::new("cp")
        .arg(&source)
        .arg(&copy)
        .status()
        .map_err(|e| format!("cannot run cp: {e}"))?;
    if !status.success() {
        return Err(format!("cp exited with {status}"));
    }
    File::open(&copy)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("fsync {}: {e}", copy.display()))?;
    Ok(start.elapsed())
}

/// A differential export of `changed_per_mille` of a fully allocated `diff_disk_size_bytes`
/// disk (each repeat timed; the world is built once, untimed): (seconds, changed bytes).
fn time_differential(plan: &BenchPlan) -> Result<(Spread, u64), String> {
    let size = plan.diff_disk_size_bytes;
    let mut world = workload::world_with_disk(&full_shape(size, size, false))?;
    let base = workload::freeze(&mut world, "base")?;
    let changed_blocks = workload::change_blocks(&mut world, plan.changed_per_mille)?;
    let point = workload::freeze(&mut world, "target")?;
    let seconds = spread_of(plan, |dir| {
        let start = Instant::now();
        workload::export(&world, &point, Some(&base), &dir.join("export"))?;
        Ok(start.elapsed())
    })?;
    Ok((seconds, changed_blocks * BENCH_BLOCK_SIZE_BYTES))
}

/// Re-executes this binary to export a big sparse disk alone (or, given a chain, to restore
/// it alone), and reads its VmHWM.
fn measure_rss_child(plan: &BenchPlan, restore_chain: &[PathBuf]) -> Result<u64, String> {
    let mut command = Command::new(&plan.exe);
    command
        .arg("bench")
        .arg("rss-child")
        .arg(format!("--disk-size={}", plan.rss_disk_size_bytes))
        .arg(format!("--allocated={}", plan.size_bytes))
        .arg("--work-dir")
        .arg(&plan.work_dir);
    for dir in restore_chain {
        command.arg("--restore").arg(dir);
    }
    let output = command.output().map_err(|e| {
        format!(
            "cannot start the peak-RSS child {}: {e}",
            plan.exe.display()
        )
    })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "the peak-RSS child failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(RSS_CHILD_PREFIX))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| format!("the peak-RSS child printed no `{RSS_CHILD_PREFIX}` line"))
}

/// The child's job: a full export of `allocated_bytes` spread over a `disk_size_bytes` disk;
/// returns VmHWM in bytes.
pub fn rss_child(
    disk_size_bytes: u64,
    allocated_bytes: u64,
    work_dir: &Path,
) -> Result<u64, String> {
    let mut world = workload::world_with_disk(&full_shape(disk_size_bytes, allocated_bytes, true))?;
    let point = workload::freeze(&mut world, "rp")?;
    let scratch = scratch_dir(work_dir)?;
    workload::export(&world, &point, None, &scratch.path().join("export"))?;
    vm_hwm_bytes().ok_or_else(|| "no VmHWM in /proc/self/status".to_string())
}

/// Peak resident set size of this process (Linux), in bytes.
pub fn vm_hwm_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The commit of the checkout rpsim runs in (`git rev-parse HEAD`), or `unknown`.
pub fn git_commit() -> String {
    Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    Machine {
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu_model,
    }
}

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1u32 << 20)
}
