//! `rpsim bench`: one run that times the export job and the restore against machine baselines
//! measured on the same bytes in the same run (sequential write + fsync, `cp`, `rsync
//! --no-whole-file` on a full-size image pair) and measures peak RSS in child processes, then
//! builds a [`BenchRecord`] whose figures keep the minimum, median and maximum over the repeats
//! (carried through to their ratios). Owns the phases and the wall-clock timing, which is
//! human-facing only; it must never feed a clock into the simulator or the export job, nor
//! print (progress goes through a callback).

use crate::bench::curve::{self, CurvePoint};
pub use crate::bench::plan::{
    full_shape, ratio_figure, scratch_dir, vm_hwm_bytes, write_file, BenchPlan,
    BENCH_BLOCK_SIZE_BYTES, BENCH_SIZE_BYTES_MAX, REPEATS_MAX, RSS_BUDGET_BYTES, RSS_CHILD_PREFIX,
    SEQ_WRITE_CHUNK_BYTES,
};
use crate::bench::record::{BenchRecord, Better, Figure, Machine, RECORD_FORMAT};
use crate::bench::restore::{self, RestoreTimes, RESTORE_DIFFERENTIALS};
use crate::bench::rsync::{self, RsyncTimes};
use crate::bench::spread::Spread;
use crate::bench::workload;
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

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
