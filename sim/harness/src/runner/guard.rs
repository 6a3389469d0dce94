//! One scenario file run for sweeps and replays, optionally with a planted bug, where an
//! assertion that fires (a panic in the export job or a check) becomes a failed `panic` check
//! of that run instead of ending the whole sweep. Owns that conversion; it must never print
//! and never plant a bug the caller did not name.

use crate::runner::summary::RunSummary;
use crate::runner::{run_scenario, run_scenario_file, RunFailure, RunOptions};
use rpsim_checks::report::CheckFailure;
use rpsim_export::planted::{self, PlantedBug};
use rpsim_scenario::model::Scenario;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// The check name of a run ended by an assertion.
pub const PANIC_CHECK: &str = "panic";
/// The trace hash recorded for a run that panicked (it has no complete trace).
pub const PANIC_TRACE_HASH: &str = "(panicked)";
/// The check name of a run a live invariant stopped.
pub const LIVE_INVARIANT_CHECK: &str = "live_invariant";
/// The trace hash recorded for a run a live invariant stopped.
pub const STOPPED_TRACE_HASH: &str = "(stopped by a live invariant)";

/// How a guarded call ended.
#[derive(Debug)]
pub enum Guarded<R> {
    Returned(R),
    /// An assertion fired; its message.
    Panicked(String),
    /// A bug was asked for, but this binary was built without planted bugs.
    NoPlantedBugs,
}

/// Runs `f` with `bug` planted on this thread when given, catching an assertion that fires.
pub fn guarded<R>(bug: Option<PlantedBug>, f: impl FnOnce() -> R) -> Guarded<R> {
    let result = catch_unwind(AssertUnwindSafe(|| match bug {
        Some(bug) => planted::try_with_bug(bug, f),
        None => Some(f()),
    }));
    match result {
        Ok(Some(value)) => Guarded::Returned(value),
        Ok(None) => Guarded::NoPlantedBugs,
        Err(panic) => Guarded::Panicked(panic_text(&*panic)),
    }
}

/// Runs `file` with `options`, with `bug` planted when given (a binary without planted bugs is
/// the caller's to refuse beforehand; here it is a run that could not be carried out).
pub fn run_guarded(
    file: &Path,
    options: &RunOptions,
    bug: Option<PlantedBug>,
) -> Result<RunSummary, RunFailure> {
    run_guarded_checking(file, options, bug, false)
}

/// [`run_guarded`], and with `determinism` the run is made a second time at the same seed (with
/// the same bug) and compared event by event: a `determinism` check of the summary.
pub fn run_guarded_checking(
    file: &Path,
    options: &RunOptions,
    bug: Option<PlantedBug>,
    determinism: bool,
) -> Result<RunSummary, RunFailure> {
    run_guarded_loaded(file, None, options, bug, determinism)
}

/// [`run_guarded_checking`] of `file` already loaded as `loaded` (a sweep loads each file
/// once, so every run of it simulates the same text); `None` loads it.
pub fn run_guarded_loaded(
    file: &Path,
    loaded: Option<&Scenario>,
    options: &RunOptions,
    bug: Option<PlantedBug>,
    determinism: bool,
) -> Result<RunSummary, RunFailure> {
    let options = &RunOptions {
        keep_trace: options.keep_trace || determinism,
        ..options.clone()
    };
    let run = || {
        let run = match loaded {
            Some(scenario) => run_scenario(file, scenario, options, None),
            None => run_scenario_file(file, options),
        };
        run.map(|mut run| {
            if determinism {
                crate::runner::determinism::check_again(&mut run, loaded, options);
            }
            RunSummary::from_run(&run)
        })
    };
    let seed = options.seed.unwrap_or_default();
    match guarded(bug, run) {
        Guarded::NoPlantedBugs => Err(RunFailure::Simulation {
            file: file.display().to_string(),
            message: "this rpsim binary was built without planted bugs".into(),
        }),
        Guarded::Returned(Err(RunFailure::Invariant { message, .. })) => Ok(stopped(
            file,
            seed,
            LIVE_INVARIANT_CHECK,
            STOPPED_TRACE_HASH,
            message,
        )),
        Guarded::Returned(result) => result,
        Guarded::Panicked(message) => {
            let message = format!("assertion fired: {message}");
            Ok(stopped(file, seed, PANIC_CHECK, PANIC_TRACE_HASH, message))
        }
    }
}

/// The message of a panic payload (`String` or `&str`).
pub fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".to_string())
}

/// The summary of a run that stopped before its checks: one failed `check`.
fn stopped(file: &Path, seed: u64, check: &str, trace_hash: &str, message: String) -> RunSummary {
    RunSummary {
        file: file.to_path_buf(),
        name: crate::suite::discover::scenario_stem(file),
        seed,
        trace_hash: trace_hash.to_string(),
        event_count: 0,
        sim_time_ns: 0,
        checks_passed: 0,
        failures: vec![CheckFailure {
            check: check.to_string(),
            export: None,
            message,
        }],
        wall_time_ms: 0,
        bytes_exported: 0,
        probes: Default::default(),
        drawn: String::new(),
    }
}
