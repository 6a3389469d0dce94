//! The restore figures of `rpsim bench`: a full export plus five differentials (each after
//! `changed_per_mille` of the blocks were rewritten) restored with `restore_chain` (which
//! verifies every export, writes the images and syncs them), timed against a sequential write
//! of as many bytes as the restore wrote, and the peak RSS of a child process doing only that
//! restore. Owns those phases; it must never feed a clock into the simulator or the reader.

use crate::bench::plan::{
    full_shape, ratio_figure, scratch_dir, write_file, BenchPlan, RSS_BUDGET_BYTES,
};
use crate::bench::record::{Better, Figure};
use crate::bench::spread::Spread;
use crate::bench::workload;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Differentials after the full export in the restored chain.
pub const RESTORE_DIFFERENTIALS: usize = 5;

/// Seconds of the restores and of the baseline writes, and the bytes the restore wrote.
pub struct RestoreTimes {
    pub restore_s: Spread,
    pub seq_write_s: Spread,
    pub restored_bytes: u64,
    /// The chain's export directories (kept for the peak-RSS child, then removed).
    pub chain: Vec<PathBuf>,
}

/// Exports the chain (untimed) under `root`, then times `plan.repeats` restores of it, each
/// into a fresh directory, alternating with a sequential write of the restored bytes.
pub fn time_restore(plan: &BenchPlan, root: &Path) -> Result<RestoreTimes, String> {
    let shape = full_shape(plan.size_bytes, plan.size_bytes, false);
    let chain = workload::export_chain(
        &shape,
        RESTORE_DIFFERENTIALS,
        plan.changed_per_mille,
        &root.join("chain"),
    )?;
    let (mut restores, mut writes) = (Vec::new(), Vec::new());
    let mut restored_bytes = 0u64;
    for _ in 0..plan.repeats {
        let scratch = scratch_dir(&plan.work_dir)?;
        let out = scratch.path().join("images");
        let start = Instant::now();
        let summary = rpsim_restore::restore_chain(&chain, &out)
            .map_err(|e| format!("the bench chain does not restore: {e}"))?;
        restores.push(start.elapsed().as_secs_f64().max(1e-9));
        restored_bytes = summary.disks.iter().map(|d| d.bytes_written).sum();
        drop(scratch);
        let scratch = scratch_dir(&plan.work_dir)?;
        let start = Instant::now();
        write_file(&scratch.path().join("seq.bin"), restored_bytes, 5)?;
        writes.push(start.elapsed().as_secs_f64().max(1e-9));
    }
    assert!(
        restored_bytes >= plan.size_bytes,
        "the full log is restored"
    );
    Ok(RestoreTimes {
        restore_s: Spread::of(&restores),
        seq_write_s: Spread::of(&writes),
        restored_bytes,
        chain,
    })
}

/// The child's job: restores `chain` into a scratch directory; returns VmHWM in bytes.
pub fn restore_rss_child(chain: &[PathBuf], work_dir: &Path) -> Result<u64, String> {
    let scratch = scratch_dir(work_dir)?;
    rpsim_restore::restore_chain(chain, &scratch.path().join("images"))
        .map_err(|e| format!("the chain does not restore: {e}"))?;
    crate::bench::plan::vm_hwm_bytes().ok_or_else(|| "no VmHWM in /proc/self/status".into())
}

/// The restore's rate against the sequential write of the restored bytes, and its peak RSS
/// against the budget.
pub fn figures(t: &RestoreTimes, rss_bytes: u64) -> Vec<Figure> {
    let bytes = t.restored_bytes as f64;
    vec![
        ratio_figure(
            "restore_chain",
            t.restore_s.inverse_times(bytes),
            "bytes/s",
            (
                "seq_write_of_restored_bytes",
                t.seq_write_s.inverse_times(bytes),
            ),
            Better::Higher,
            format!(
                "restore_chain of a full export and {RESTORE_DIFFERENTIALS} differentials \
                 (verify every export, write and sync the image; logs warm in the page cache), \
                 {} bytes restored",
                t.restored_bytes
            ),
        ),
        ratio_figure(
            "peak_rss_restore_chain",
            Spread::point(rss_bytes as f64),
            "bytes",
            ("rss_budget", Spread::point(RSS_BUDGET_BYTES as f64)),
            Better::Lower,
            "VmHWM of a child process doing only that restore (one run)".into(),
        ),
    ]
}
