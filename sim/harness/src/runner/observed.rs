//! One scenario run in a scratch directory of its own, watched by the caller's observer (crash
//! points stop a job with it, timelines note each job's state with it). Owns making that
//! directory and its export root; it must never check a run (the caller judges what it got)
//! and the directory goes when the returned handle is dropped.

use crate::runner::storage::{RunScratch, Storage};
use rpsim_scenario::model::Scenario;
use rpsim_world::observe::{EventObserver, StopAfterOps};
use rpsim_world::{run_observed, RunConfig, RunError, RunOutcome};

/// The scratch directory of an observed run (removed when dropped).
pub type Scratch = RunScratch;

/// Runs `scenario` at `seed` under `observer` (stopping a job per `stop`), its exports in a new
/// scratch directory named with `prefix` on `storage`; the outcome and that directory.
pub fn run_in_scratch(
    storage: Storage,
    prefix: &str,
    scenario: &Scenario,
    seed: u64,
    observer: &mut dyn EventObserver,
    stop: Option<StopAfterOps>,
    keep_trace_records: bool,
) -> Result<(Result<RunOutcome, RunError>, Scratch), String> {
    let scratch = RunScratch::new(storage, prefix)
        .map_err(|e| format!("cannot create a scratch directory: {e}"))?;
    let export_root = scratch.path().join("exports");
    scratch
        .fs()
        .create_dir_all(&export_root)
        .map_err(|e| format!("cannot create {}: {e}", export_root.display()))?;
    let config = RunConfig {
        seed,
        fs: scratch.fs().clone(),
        export_root,
        keep_trace_records,
        // Probe hits are a coverage run's business, not a crash point's or a picture's.
        observe_probes: false,
    };
    let outcome = run_observed(scenario, &config, observer, stop);
    Ok((outcome, scratch))
}
