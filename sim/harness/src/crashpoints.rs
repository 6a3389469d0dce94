//! Crash-point enumeration: runs a scenario once to count, per export job, the target
//! operations it performs, then reruns it once per (export, operation index, mode) with the job
//! stopped right after that operation (the service crashes, or the client kills or terminates
//! the job) and judges what is left: every directory holding a manifest must verify and
//! restore exactly, the end-of-run invariants hold, and the live invariants hold after every
//! event. Owns the enumeration and the verdict per point; it must never print and never relax a
//! check for a point (a stopped job may fail, it may not leave a half export a reader accepts).

use crate::runner::observed::Scratch;
use crate::runner::RunFailure;
use rpsim_checks::invariants::{check_invariants, MANIFEST_FILE_NAME};
use rpsim_checks::live_invariants::LiveInvariants;
use rpsim_checks::report::CheckReport;
use rpsim_checks::restore_check::{chain_for, check_restores};
use rpsim_scenario::model::Scenario;
use rpsim_scenario::{effective_seed, load_scenario};
use rpsim_world::observe::{EventKind, EventObserver, RunView, StopAfterOps, StopMode};
use rpsim_world::{RunError, RunOutcome};
use std::path::Path;

/// Most crash points one invocation tries; beyond it the rest are counted as skipped.
pub const CRASH_POINTS_MAX: u64 = 20_000;
/// Most exports of one scenario whose operations are enumerated.
pub const EXPORTS_ENUMERATED_MAX: usize = 256;

/// Every mode, in the order points are tried.
pub const ALL_MODES: [StopMode; 3] = [StopMode::Crash, StopMode::Kill, StopMode::Terminate];

/// One crash point that broke a rule.
#[derive(Clone, Debug)]
pub struct CrashPointViolation {
    pub export: String,
    pub after_ops: u64,
    pub mode: StopMode,
    pub messages: Vec<String>,
}

/// What enumerating one scenario found.
#[derive(Clone, Debug, Default)]
pub struct CrashPointsSummary {
    pub scenario: String,
    pub seed: u64,
    /// (export name, target operations) of the unstopped run, in timeline order.
    pub ops_per_export: Vec<(String, u64)>,
    pub points_tried: u64,
    /// Points not tried because `points_max` was reached.
    pub points_skipped: u64,
    pub violations: Vec<CrashPointViolation>,
    /// An interrupt stopped the enumeration (the points not tried are in `points_skipped`).
    pub interrupted: bool,
}

/// Counts target operations per export (first timeline entry of each name).
#[derive(Default)]
struct OpCounter {
    live: LiveInvariants,
    ops: Vec<u64>,
}

impl EventObserver for OpCounter {
    fn after_event(&mut self, view: &RunView) -> Result<(), String> {
        if let EventKind::Step(index) = view.kind {
            if self.ops.len() < view.exports.len() {
                self.ops.resize(view.exports.len(), 0);
            }
            self.ops[index] += view.ops.len() as u64;
        }
        self.live.after_event(view)
    }
}

/// Which crash points to try.
#[derive(Clone, Debug)]
pub struct CrashPointsOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    pub modes: Vec<StopMode>,
    /// Most points tried (capped at [`CRASH_POINTS_MAX`]).
    pub points_max: u64,
    /// Try every `stride`-th operation of each export (1 = all; the last one is always tried).
    pub stride: u64,
    /// Set by a signal handler: stop trying points, keep the violations found.
    pub interrupt: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Where each point's exports and images live.
    pub storage: crate::runner::storage::Storage,
}

impl Default for CrashPointsOptions {
    fn default() -> Self {
        CrashPointsOptions {
            seed: None,
            modes: ALL_MODES.to_vec(),
            points_max: CRASH_POINTS_MAX,
            stride: 1,
            interrupt: None,
            storage: crate::runner::storage::Storage::Memory,
        }
    }
}

/// What the enumeration tells its caller while it runs (for progress and for findings shown
/// as they are found), in the order points are tried.
#[derive(Clone, Copy, Debug)]
pub enum CrashPointProgress<'a> {
    /// The unstopped run is counted: `points` will be tried (the limit applied).
    Planned {
        scenario: &'a str,
        seed: u64,
        ops_per_export: &'a [(String, u64)],
        points: u64,
    },
    /// One more point was tried (`done` of `points`); `violation` when it broke a rule, and
    /// `violations` found so far in this scenario, that one included.
    Tried {
        done: u64,
        points: u64,
        violation: Option<&'a CrashPointViolation>,
        violations: usize,
    },
}

/// Enumerates the crash points of the scenario at `path` chosen by `options`.
pub fn run_crash_points(
    path: &Path,
    options: &CrashPointsOptions,
) -> Result<CrashPointsSummary, RunFailure> {
    run_crash_points_reporting(path, options, &mut |_| {})
}

/// [`run_crash_points`], telling `progress` the plan and each point as it is tried.
pub fn run_crash_points_reporting(
    path: &Path,
    options: &CrashPointsOptions,
    progress: &mut dyn FnMut(CrashPointProgress<'_>),
) -> Result<CrashPointsSummary, RunFailure> {
    let (seed, modes, points_max) = (options.seed, &options.modes[..], options.points_max);
    let stride = options.stride.max(1);
    let scenario = load_scenario(path)?;
    let seed = effective_seed(&scenario, seed);
    // Drawn exploration sections are fixed for the seed, as `run` does.
    let (scenario, _drawn) = rpsim_world::explore::expand(&scenario, seed);
    let simulation = |message: String| RunFailure::Simulation {
        file: path.display().to_string(),
        message,
    };
    let mut counter = OpCounter::default();
    let (outcome, _scratch) =
        run_in_scratch(options.storage, &scenario, seed, &mut counter, None).map_err(simulation)?;
    let outcome = outcome.map_err(|e| simulation(format!("the unstopped run failed: {e}")))?;
    let mut summary = CrashPointsSummary {
        scenario: scenario.name.clone(),
        seed,
        ..CrashPointsSummary::default()
    };
    for (index, record) in outcome
        .exports
        .iter()
        .enumerate()
        .take(EXPORTS_ENUMERATED_MAX)
    {
        let first = outcome.exports.iter().position(|e| e.name == record.name);
        if first == Some(index) {
            let ops = counter.ops.get(index).copied().unwrap_or(0);
            summary.ops_per_export.push((record.name.clone(), ops));
        }
    }
    let points_max = points_max.min(CRASH_POINTS_MAX);
    let chosen = |ops: u64| (1..=ops).filter(move |i| i % stride == 0 || *i == ops);
    let planned: u64 = summary
        .ops_per_export
        .iter()
        .map(|&(_, ops)| chosen(ops).count() as u64 * modes.len() as u64)
        .sum::<u64>()
        .min(points_max);
    progress(CrashPointProgress::Planned {
        scenario: &summary.scenario,
        seed,
        ops_per_export: &summary.ops_per_export,
        points: planned,
    });
    for (export, ops) in summary.ops_per_export.clone() {
        for after_ops in chosen(ops) {
            for &mode in modes {
                if interrupted(options) {
                    summary.interrupted = true;
                    summary.points_skipped += 1;
                    continue;
                }
                if summary.points_tried >= points_max {
                    summary.points_skipped += 1;
                    continue;
                }
                summary.points_tried += 1;
                let stop = StopAfterOps {
                    export: export.clone(),
                    after_ops,
                    mode,
                };
                let messages =
                    try_point(options.storage, &scenario, seed, stop).map_err(simulation)?;
                let found = !messages.is_empty();
                if found {
                    summary.violations.push(CrashPointViolation {
                        export: export.clone(),
                        after_ops,
                        mode,
                        messages,
                    });
                }
                progress(CrashPointProgress::Tried {
                    done: summary.points_tried,
                    points: planned,
                    violation: summary.violations.last().filter(|_| found),
                    violations: summary.violations.len(),
                });
            }
        }
    }
    assert!(summary.points_tried <= points_max);
    assert!(summary.interrupted || summary.points_tried == planned);
    Ok(summary)
}

fn interrupted(options: &CrashPointsOptions) -> bool {
    options
        .interrupt
        .as_deref()
        .is_some_and(|flag| flag.load(std::sync::atomic::Ordering::SeqCst))
}

/// Runs one crash point; returns what broke (empty when the point is fine).
fn try_point(
    storage: crate::runner::storage::Storage,
    scenario: &Scenario,
    seed: u64,
    stop: StopAfterOps,
) -> Result<Vec<String>, String> {
    let mut live = LiveInvariants::new();
    let (outcome, scratch) = run_in_scratch(storage, scenario, seed, &mut live, Some(stop))?;
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e @ RunError::Invariant { .. }) => return Ok(vec![e.to_string()]),
        Err(e) => return Err(e.to_string()),
    };
    let mut report = CheckReport::default();
    check_invariants(&outcome, &mut report);
    check_leftovers(&outcome, &mut report);
    let mut outcome = outcome;
    forget_unrestorable_chains(&mut outcome);
    check_restores(&outcome, &scratch.path().join("restore"), &mut report);
    Ok(report
        .failures
        .into_iter()
        .map(|f| {
            let export = f.export.unwrap_or_else(|| "-".into());
            format!("{} [{export}]: {}", f.check, f.message)
        })
        .collect())
}

/// Whatever a stopped job left: a directory with a manifest is a complete export that must
/// verify; one without is something no reader accepts as complete.
fn check_leftovers(outcome: &RunOutcome, report: &mut CheckReport) {
    for record in &outcome.exports {
        let Some(dir) = &record.real_directory else {
            continue;
        };
        let manifest = dir.join(MANIFEST_FILE_NAME);
        if !matches!(outcome.fs.kind_at(&manifest), Ok(Some(_))) {
            continue;
        }
        let failure = rpsim_restore::verify_export_in(outcome.fs.as_ref(), dir)
            .err()
            .map(|e| format!("the directory holds a manifest but does not verify: {e}"));
        report.record("crashpoint", Some(record.name.as_str()), failure);
    }
}

/// A differential whose base export the crash point stopped cannot be restored: that is the
/// expected effect of the stop, not a violation. Such exports keep their leftover check (their
/// directory must still verify if it holds a manifest) but are not restored.
fn forget_unrestorable_chains(outcome: &mut RunOutcome) {
    let unrestorable: Vec<usize> = (0..outcome.exports.len())
        .filter(|&i| chain_for(&outcome.exports, i).is_err())
        .collect();
    for index in unrestorable {
        outcome.exports[index].final_properties = None;
    }
}

fn run_in_scratch(
    storage: crate::runner::storage::Storage,
    scenario: &Scenario,
    seed: u64,
    observer: &mut dyn EventObserver,
    stop: Option<StopAfterOps>,
) -> Result<(Result<RunOutcome, RunError>, Scratch), String> {
    crate::runner::observed::run_in_scratch(
        storage,
        "rpsim-crashpoint-",
        scenario,
        seed,
        observer,
        stop,
        false,
    )
}
