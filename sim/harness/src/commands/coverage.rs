//! `rpsim coverage`: which probes of the catalogue a set of runs reached, as a table. The runs
//! are the scenarios at their own seeds, the scenarios over `--seeds A..B` (a sweep that writes
//! no result file and no failure record), or the runs of sweep result files (`--from`); then
//! the required probes (`--required FILE`, default `scenarios/required-probes.txt` when it
//! exists) none of them reached make it fail. Owns those steps and `--coverage FILE` writing
//! for `run` and `sweep` too; it must never print (events go to the reporter).

use crate::coverage::{read_required, Coverage, REQUIRED_PROBES_DEFAULT};
use crate::outcome::Outcome;
use crate::reporter::{HarnessEvent, Reporter};
use crate::runner::guard::{guarded, Guarded};
use crate::runner::{run_scenario_file, RunOptions, RunSummary};
use crate::sweep::{run_sweep, RunDone, SweepHooks};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

/// What `rpsim coverage` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct CoverageRequest {
    /// Files or directories (empty, with no `from`: the built-in suite).
    pub scenarios: Vec<PathBuf>,
    pub filter: Vec<String>,
    /// `A..B`: every scenario at every seed of the range; `None`: each at its own seed.
    pub seeds: Option<String>,
    pub jobs: Option<usize>,
    /// Sweep result files whose runs are counted (instead of running anything, unless
    /// scenarios are named too).
    pub from: Vec<PathBuf>,
    /// The list of required probes; `None`: [`REQUIRED_PROBES_DEFAULT`] if it exists.
    pub required: Option<PathBuf>,
    /// Write the coverage JSON here.
    pub coverage: Option<PathBuf>,
    pub interrupt: Option<Arc<AtomicBool>>,
}

/// Runs the request and reports the table; a required probe never hit is a failed check.
pub fn coverage(request: &CoverageRequest, reporter: &mut dyn Reporter) -> Outcome {
    let bad_input = |reporter: &mut dyn Reporter, message: &str| {
        reporter.event(&HarnessEvent::Error { message });
        Outcome::BadInput
    };
    let required = match required_list(request.required.as_deref()) {
        Ok(required) => required,
        Err(message) => return bad_input(reporter, &message),
    };
    let mut coverage = Coverage::default();
    for path in &request.from {
        match crate::sweep::results::read(path) {
            Ok(read) => {
                for line in read.runs.iter().filter(|l| l.verdict != "error") {
                    coverage.add_run(&line.name, &line.scenario, line.seed, &line.probes);
                }
            }
            Err(message) => return bad_input(reporter, &message),
        }
    }
    let run_scenarios = request.from.is_empty() || !request.scenarios.is_empty();
    if run_scenarios {
        let ran = match &request.seeds {
            Some(seeds) => sweep_seeds(request, seeds, &mut coverage),
            None => own_seeds(request, &mut coverage, reporter),
        };
        if let Err(message) = ran {
            return bad_input(reporter, &message);
        }
    }
    let missing = coverage.missing(&required);
    reporter.event(&HarnessEvent::Coverage {
        coverage: &coverage,
        missing: &missing,
        table: true,
    });
    if !super::coverage_file::write_coverage(request.coverage.as_deref(), &coverage, reporter) {
        return Outcome::BadInput;
    }
    Outcome::checks(!missing.is_empty())
}

/// The required probes: the named file, else the suite's list when it exists, else none.
fn required_list(path: Option<&Path>) -> Result<Vec<rpsim_probe::Probe>, String> {
    match path {
        Some(path) => read_required(path),
        None if Path::new(REQUIRED_PROBES_DEFAULT).is_file() => {
            read_required(Path::new(REQUIRED_PROBES_DEFAULT))
        }
        None => Ok(Vec::new()),
    }
}

/// Each scenario once, at its own seed; runs that fail still count (with a warning).
fn own_seeds(
    request: &CoverageRequest,
    coverage: &mut Coverage,
    reporter: &mut dyn Reporter,
) -> Result<(), String> {
    let files = crate::suite::discover(&request.scenarios)?;
    let files = crate::suite::filter::filter_by_name(files, &request.filter)?;
    for file in &files {
        match guarded(None, || run_scenario_file(file, &RunOptions::default())) {
            Guarded::Returned(Ok(run)) => {
                if !run.passed() {
                    let message = format!("{}: a check failed; its probes count", run.name);
                    reporter.event(&HarnessEvent::Warning { message: &message });
                }
                let probes = RunSummary::from_run(&run).probes;
                coverage.add_run(&run.name, &run.file, run.seed, &probes);
            }
            Guarded::Returned(Err(failure)) => {
                let message = format!("{failure}; its probes are not counted");
                reporter.event(&HarnessEvent::Warning { message: &message });
            }
            Guarded::Panicked(message) => {
                let message = format!("{}: assertion fired: {message}", file.display());
                reporter.event(&HarnessEvent::Warning { message: &message });
            }
            Guarded::NoPlantedBugs => unreachable!("no bug is asked for"),
        }
    }
    Ok(())
}

/// Every scenario at every seed of `seeds`, on the sweep's workers.
fn sweep_seeds(
    request: &CoverageRequest,
    seeds: &str,
    coverage: &mut Coverage,
) -> Result<(), String> {
    let sweep_request = super::sweep::SweepRequest {
        scenarios: request.scenarios.clone(),
        filter: request.filter.clone(),
        seeds: seeds.to_string(),
        shard: Some("1/1".to_string()),
        jobs: request.jobs,
        ..Default::default()
    };
    let plan = super::sweep::plan(&sweep_request)?;
    let totals = Mutex::new(std::mem::take(coverage));
    let on_done = |done: &RunDone<'_>| {
        if let RunDone::Ran(run) = done {
            let mut totals = totals.lock().expect("no worker panicked");
            totals.add_run(&run.name, &run.file, run.seed, &run.probes);
        }
    };
    let never = AtomicBool::new(false);
    let hooks = SweepHooks {
        on_done: &on_done,
        interrupt: request.interrupt.as_deref().unwrap_or(&never),
        already_done: &BTreeSet::new(),
    };
    run_sweep(&plan, &hooks)?;
    *coverage = totals.into_inner().expect("no worker panicked");
    Ok(())
}
