//! Runs one scenario file end to end: load, simulate with a seed, check, summarise. This is the
//! single entry point per run that the CLI and the tests share; it must never print.

use crate::runner::storage::{RunScratch, Storage};
use rpsim_checks::report::CheckReport;
use rpsim_scenario::model::Scenario;
use rpsim_scenario::{effective_seed, load_scenario, ScenarioError};
use rpsim_world::observe::{EventObserver, RandomDecision, RunView};
use rpsim_world::{RunConfig, RunOutcome};
use std::path::{Path, PathBuf};

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Keep trace records in the outcome (for `--trace`).
    pub keep_trace: bool,
    /// Put export directories here instead of a temporary directory.
    pub keep_exports: Option<PathBuf>,
    /// Compare with (or bless) `fixtures/goldens/<scenario>.golden`; `None` skips goldens.
    pub golden: Option<crate::suite::goldens::GoldenOptions>,
    /// The storage backend (`--storage`); `None` chooses as [`Storage::resolve`] does.
    pub storage: Option<Storage>,
}

impl RunOptions {
    /// The backend these options run on (see [`Storage::resolve`]).
    pub fn storage_resolved(&self) -> Result<Storage, String> {
        Storage::resolve(self.storage, self.keep_exports.is_some())
    }
}

/// The result of one scenario run, checked.
#[derive(Debug)]
pub struct ScenarioRun {
    pub file: PathBuf,
    pub name: String,
    pub seed: u64,
    pub outcome: RunOutcome,
    pub checks: CheckReport,
    /// What happened to the scenario's golden listing.
    pub golden: crate::suite::goldens::GoldenStatus,
    /// Wall-clock time of load + simulate + check, for people only (never reaches a decision).
    pub wall_time_ms: u64,
    /// The same in microseconds (the run line's speed figure).
    pub wall_time_us: u64,
    /// Sum of the sizes of the files of completed exports (job state 7), measured on disk.
    pub bytes_exported: u64,
    /// True when the export directories were kept (`--keep-exports`), so the report may name
    /// each exported path's real file.
    pub exports_kept: bool,
    /// The backend the run stored its exports and images on.
    pub storage: Storage,
    /// True when a second run at the same seed was compared with this one (its verdict is the
    /// `determinism` check).
    pub determinism_checked: bool,
    /// What the seed drew for the scenario's `swarm` and `random_actions` sections (empty
    /// without them).
    pub drawn: rpsim_world::explore::Drawn,
}

impl ScenarioRun {
    pub fn passed(&self) -> bool {
        self.checks.ok()
    }

    /// Exports whose job ended Completed (JobState 7).
    pub fn exports_completed(&self) -> usize {
        let completed = |e: &&rpsim_world::ExportRecord| {
            e.final_properties
                .as_ref()
                .is_some_and(|p| p.job_state == 7)
        };
        self.outcome.exports.iter().filter(completed).count()
    }

    /// The command that replays this run exactly.
    pub fn repro_command(&self) -> String {
        format!(
            "{} run {} --seed {}",
            crate::runner::program::program(),
            self.file.display(),
            self.seed
        )
    }
}

/// Why a scenario could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum RunFailure {
    /// The file is not a valid scenario (bad input: exit code 2).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The simulation could not proceed (a limit was hit, the scratch space failed).
    #[error("{file}: {message}")]
    Simulation { file: String, message: String },
    /// A live invariant failed after an event and stopped the run: a failed check (exit 1),
    /// not bad input.
    #[error("{file}: live invariant: {message}")]
    Invariant { file: String, message: String },
}

impl RunFailure {
    /// True for a run a check stopped (as opposed to one that could not be run).
    pub fn is_check_failure(&self) -> bool {
        matches!(self, RunFailure::Invariant { .. })
    }
}

/// Loads, runs and checks one scenario file.
pub fn run_scenario_file(path: &Path, options: &RunOptions) -> Result<ScenarioRun, RunFailure> {
    let wall_start = std::time::Instant::now();
    let scenario = load_scenario(path)?;
    run_loaded(path, &scenario, options, None, wall_start)
}

/// Runs and checks a scenario that is already loaded and valid (`path` names it in results),
/// handing every decision drawn from the seed to `decisions` when given.
pub fn run_scenario(
    path: &Path,
    scenario: &Scenario,
    options: &RunOptions,
    decisions: Option<&mut Vec<RandomDecision>>,
) -> Result<ScenarioRun, RunFailure> {
    run_loaded(
        path,
        scenario,
        options,
        decisions,
        std::time::Instant::now(),
    )
}

/// Live invariants after every event, plus a record of the run's random decisions.
pub(crate) struct CheckingObserver<'a> {
    live: rpsim_checks::live_invariants::LiveInvariants,
    decisions: Option<&'a mut Vec<RandomDecision>>,
}

impl<'a> CheckingObserver<'a> {
    /// Live invariants, and the random decisions into `decisions` when given.
    pub(crate) fn new(decisions: Option<&'a mut Vec<RandomDecision>>) -> CheckingObserver<'a> {
        CheckingObserver {
            live: rpsim_checks::live_invariants::LiveInvariants::new(),
            decisions,
        }
    }
}

/// The scratch directory of one run (in its backend) and the directory mapped to `/exports`
/// (inside the scratch directory, or under `--keep-exports`, on disk).
pub(crate) fn scratch_and_export_root(
    path: &Path,
    scenario: &Scenario,
    options: &RunOptions,
) -> Result<(RunScratch, PathBuf), RunFailure> {
    let simulation = |message: String| RunFailure::Simulation {
        file: path.display().to_string(),
        message,
    };
    let storage = options.storage_resolved().map_err(simulation)?;
    let scratch = RunScratch::new(storage, "rpsim-").map_err(|e| {
        simulation(format!(
            "cannot create a scratch directory in {}: {e}",
            super::scratch::location().dir.display()
        ))
    })?;
    let export_root = match &options.keep_exports {
        Some(dir) => prepare_kept_root(dir, &scenario.name).map_err(simulation)?,
        None => {
            let root = scratch.path().join("exports");
            scratch
                .fs()
                .create_dir_all(&root)
                .map_err(|e| simulation(format!("cannot create {}: {e}", root.display())))?;
            root
        }
    };
    Ok((scratch, export_root))
}

impl EventObserver for CheckingObserver<'_> {
    fn after_event(&mut self, view: &RunView) -> Result<(), String> {
        self.live.after_event(view)
    }

    fn records_decisions(&self) -> bool {
        self.decisions.is_some()
    }

    fn after_reading(
        &mut self,
        export: &rpsim_world::ExportRecord,
        reading: &rpsim_world::poll::Reading,
    ) -> Result<(), String> {
        self.live.after_reading(export, reading)
    }

    fn random_decision(&mut self, decision: &RandomDecision) {
        if let Some(decisions) = self.decisions.as_deref_mut() {
            decisions.push(decision.clone());
        }
    }
}

fn run_loaded(
    path: &Path,
    scenario: &Scenario,
    options: &RunOptions,
    decisions: Option<&mut Vec<RandomDecision>>,
    wall_start: std::time::Instant,
) -> Result<ScenarioRun, RunFailure> {
    let seed = effective_seed(scenario, options.seed);
    // The exploration sections become fixed values first: the run and its checks see an
    // ordinary scenario (a clone when there are none).
    let (expanded, drawn) = rpsim_world::explore::expand(scenario, seed);
    let scenario = &expanded;
    let simulation = |message: String| RunFailure::Simulation {
        file: path.display().to_string(),
        message,
    };
    let (scratch, export_root) = scratch_and_export_root(path, scenario, options)?;
    let config = RunConfig {
        seed,
        fs: scratch.fs().clone(),
        export_root,
        keep_trace_records: options.keep_trace,
        observe_probes: true,
    };
    // Every run checks the live invariants after every event (a violation stops it).
    let mut observer = CheckingObserver::new(decisions);
    let outcome =
        rpsim_world::run_observed(scenario, &config, &mut observer, None).map_err(|e| match e {
            rpsim_world::RunError::Invariant { .. } => RunFailure::Invariant {
                file: path.display().to_string(),
                message: e.to_string(),
            },
            other => simulation(other.to_string()),
        })?;
    let mut run = checked(path, scenario, options, outcome, &scratch, wall_start);
    run.drawn = drawn;
    Ok(run)
}

/// Checks a finished run (expectations, invariants, restore equivalence, the golden) and
/// builds its [`ScenarioRun`].
pub(crate) fn checked(
    path: &Path,
    scenario: &Scenario,
    options: &RunOptions,
    outcome: RunOutcome,
    scratch: &RunScratch,
    wall_start: std::time::Instant,
) -> ScenarioRun {
    let seed = outcome.seed;
    let restore_scratch = scratch.path().join("restore");
    let mut checks = rpsim_checks::check_run(scenario, &outcome, &restore_scratch);
    let golden = options
        .golden
        .as_ref()
        .map_or_else(Default::default, |golden| {
            let seed_default = effective_seed(scenario, None);
            crate::suite::goldens::apply_golden(
                golden,
                path,
                &scenario.name,
                seed,
                seed_default,
                &outcome,
                &mut checks,
            )
        });
    let bytes_exported = crate::runner::exported_bytes::completed_exports_size_bytes(
        outcome.fs.as_ref(),
        &outcome.exports,
    );
    // One reading of the clock: the millisecond figure is derived from it, never read apart.
    let wall_time_us = u64::try_from(wall_start.elapsed().as_micros()).unwrap_or(u64::MAX);
    ScenarioRun {
        file: path.to_path_buf(),
        name: scenario.name.clone(),
        seed,
        outcome,
        checks,
        golden,
        wall_time_ms: wall_time_us / 1000,
        wall_time_us,
        bytes_exported,
        exports_kept: options.keep_exports.is_some(),
        storage: scratch.storage(),
        determinism_checked: false,
        drawn: Default::default(),
    }
}

/// A scenario name as a file name: every character but `A-Z a-z 0-9 - _` becomes `_`.
pub(crate) fn file_name_of(scenario_name: &str) -> String {
    scenario_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `DIR/<scenario>/`, created; refused when it exists and is not empty (nothing the user had is
/// overwritten).
fn prepare_kept_root(dir: &Path, scenario_name: &str) -> Result<PathBuf, String> {
    let safe = file_name_of(scenario_name);
    let root = dir.join(if safe.is_empty() {
        "scenario".into()
    } else {
        safe
    });
    if let Ok(mut entries) = std::fs::read_dir(&root) {
        if entries.next().is_some() {
            return Err(format!(
                "{} exists and is not empty; choose another --keep-exports directory or empty it",
                root.display()
            ));
        }
    }
    std::fs::create_dir_all(&root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
    Ok(root)
}
