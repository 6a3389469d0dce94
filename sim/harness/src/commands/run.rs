//! `rpsim run`: every scenario of a set, each checked (with its golden at its own seed, and a
//! second run with `check_determinism`; a `*.jsonl` file is a client session's transcript,
//! replayed), with an assertion or a live invariant ending only its
//! own scenario, then the stale-golden check, the coverage probes reached (one line, and
//! `--coverage FILE`) and the report files. Owns that loop and the
//! outcome; it must never print (events go to the reporter).

use crate::outcome::Outcome;
use crate::reporter::{HarnessEvent, Reporter};
use crate::runner::guard::{guarded, Guarded};
use crate::runner::planted_bug::with_planted_bug;
use crate::runner::{run_scenario_file, RunFailure, RunOptions, ScenarioRun};
use crate::suite::goldens::GoldenOptions;
use std::path::{Path, PathBuf};

/// What `rpsim run` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct RunRequest {
    /// Files or directories (empty: the built-in suite).
    pub scenarios: Vec<PathBuf>,
    /// Name globs (`--filter`): only scenarios whose file stem matches one of them.
    pub filter: Vec<String>,
    pub seed: Option<u64>,
    /// Write the event trace as JSON lines (one file per scenario when there are several).
    pub trace: Option<PathBuf>,
    /// Draw each run as an HTML timeline (one file per scenario when there are several:
    /// [`crate::timeline::path_for`]).
    pub timeline: Option<PathBuf>,
    pub keep_exports: Option<PathBuf>,
    pub bless: bool,
    pub check_determinism: bool,
    pub plant_bug: Option<String>,
    /// Report failures only.
    pub quiet: bool,
    /// Write the coverage of the probe catalogue here (JSON).
    pub coverage: Option<PathBuf>,
}

/// Runs the request, reporting to `reporter`.
pub fn run(request: &RunRequest, reporter: &mut dyn Reporter) -> Outcome {
    super::scratch_notice::announce(reporter);
    match with_planted_bug(request.plant_bug.as_deref(), || {
        run_files(request, reporter)
    }) {
        Ok(outcome) => outcome,
        Err(message) => {
            reporter.event(&HarnessEvent::Error { message: &message });
            Outcome::BadInput
        }
    }
}

/// Counts of the closing line.
#[derive(Default)]
struct Tally {
    runs: Vec<ScenarioRun>,
    not_runnable: usize,
    /// Runs an assertion or a live invariant stopped: failed, with no run to report.
    stopped: usize,
}

fn run_files(request: &RunRequest, reporter: &mut dyn Reporter) -> Outcome {
    let bad_input = |reporter: &mut dyn Reporter, message: &str| {
        reporter.event(&HarnessEvent::Error { message });
        Outcome::BadInput
    };
    let discovered = crate::suite::discover(&request.scenarios);
    let filtered =
        discovered.and_then(|files| crate::suite::filter::filter_by_name(files, &request.filter));
    let files = match filtered {
        Ok(files) => files,
        Err(message) => return bad_input(reporter, &message),
    };
    let golden = match crate::suite::goldens::options_for_cli(request.bless) {
        // A run with a planted bug is never a candidate golden.
        Ok(golden) => GoldenOptions {
            pending: golden.pending && request.plant_bug.is_none(),
            ..golden
        },
        Err(message) => return bad_input(reporter, &message),
    };
    let options = RunOptions {
        seed: request.seed,
        keep_trace: request.trace.is_some() || request.check_determinism,
        keep_exports: request.keep_exports.clone(),
        golden: Some(golden.clone()),
        storage: None,
    };
    let mut tally = Tally::default();
    for file in &files {
        if let Err(message) = run_one(
            request,
            &options,
            file,
            files.len() > 1,
            &mut tally,
            reporter,
        ) {
            return bad_input(reporter, &message);
        }
    }
    finish(request, &golden, tally, reporter)
}

/// The flags that reproduce a run besides its file.
fn repro_flags(request: &RunRequest) -> String {
    let seed = request.seed.map(|s| format!(" --seed {s}"));
    let bug = request
        .plant_bug
        .as_deref()
        .map(|b| format!(" --plant-bug {b}"));
    format!("{}{}", seed.unwrap_or_default(), bug.unwrap_or_default())
}

/// Runs one file; an error is a trace that could not be written (bad input for the command).
fn run_one(
    request: &RunRequest,
    options: &RunOptions,
    file: &Path,
    several: bool,
    tally: &mut Tally,
    reporter: &mut dyn Reporter,
) -> Result<(), String> {
    let program = crate::runner::program::program();
    let reproduce = format!("{program} run {}{}", file.display(), repro_flags(request));
    // The bug (if any) is planted around the whole command; nothing to plant here.
    let is_transcript = file.extension().is_some_and(|e| e == "jsonl");
    let result = match guarded(None, || {
        if is_transcript {
            crate::serve::transcript::replay_file(file, options)
        } else {
            run_scenario_file(file, options)
        }
    }) {
        Guarded::Returned(result) => result,
        Guarded::NoPlantedBugs => unreachable!("no bug is asked for"),
        Guarded::Panicked(message) => {
            tally.stopped += 1;
            let message = format!("assertion fired: {message}");
            reporter.event(&HarnessEvent::RunStopped {
                file,
                message: &message,
                reproduce: &reproduce,
            });
            return Ok(());
        }
    };
    match result {
        Ok(mut run) => {
            if request.check_determinism && !is_transcript {
                crate::runner::determinism::check_again(&mut run, None, options);
            }
            reporter.event(&HarnessEvent::RunFinished {
                run: &run,
                quiet: request.quiet,
                bless: request.bless,
                plant_bug: request.plant_bug.as_deref(),
            });
            if let Some(trace) = &request.trace {
                write_trace(trace, &run, several)?;
            }
            if let Some(path) = &request.timeline {
                write_timeline(path, &run, several, reporter)?;
            }
            tally.runs.push(run);
        }
        Err(RunFailure::Invariant { message, .. }) => {
            tally.stopped += 1;
            let message = format!("live invariant: {message}");
            reporter.event(&HarnessEvent::RunStopped {
                file,
                message: &message,
                reproduce: &reproduce,
            });
        }
        Err(failure) => {
            tally.not_runnable += 1;
            reporter.event(&HarnessEvent::NotRunnable { failure: &failure });
        }
    }
    Ok(())
}

fn finish(
    request: &RunRequest,
    golden: &GoldenOptions,
    tally: Tally,
    reporter: &mut dyn Reporter,
) -> Outcome {
    // A filtered run is not the whole suite: stale goldens are not its business.
    let stale = request
        .filter
        .is_empty()
        .then(|| crate::suite::goldens::stale_failure_for_cli(&request.scenarios, golden))
        .flatten();
    if let Some(message) = &stale {
        reporter.event(&HarnessEvent::StaleGoldens { message });
    }
    let failed_runs = tally.runs.iter().filter(|r| !r.passed()).count() + tally.stopped;
    let passed = tally.runs.len() + tally.stopped - failed_runs;
    let failed = failed_runs + usize::from(stale.is_some());
    let mut coverage = crate::coverage::Coverage::default();
    for run in &tally.runs {
        let probes = crate::coverage::counts_of(&run.outcome.probes);
        coverage.add_run(&run.name, &run.file, run.seed, &probes);
    }
    reporter.event(&HarnessEvent::Coverage {
        coverage: &coverage,
        missing: &[],
        table: false,
    });
    let written =
        super::coverage_file::write_coverage(request.coverage.as_deref(), &coverage, reporter);
    reporter.event(&HarnessEvent::RunsFinished {
        runs: &tally.runs,
        passed,
        failed,
        not_runnable: tally.not_runnable,
    });
    if tally.not_runnable > 0 || !written {
        Outcome::BadInput
    } else {
        Outcome::checks(failed > 0)
    }
}

/// Records and writes the run's timeline page; an error is bad input for the command.
fn write_timeline(
    path: &Path,
    run: &ScenarioRun,
    several: bool,
    reporter: &mut dyn Reporter,
) -> Result<(), String> {
    let target = crate::timeline::path_for(path, &run.name, several);
    let timeline = crate::timeline::record(&run.file, run.seed, &run.outcome.trace_hash)
        .map_err(|e| format!("cannot draw the timeline of {}: {e}", run.file.display()))?;
    std::fs::write(&target, crate::timeline::html::page(&timeline))
        .map_err(|e| format!("cannot write timeline {}: {e}", target.display()))?;
    reporter.event(&HarnessEvent::Wrote {
        path: &target,
        what: "timeline",
    });
    Ok(())
}

fn write_trace(path: &Path, run: &ScenarioRun, several: bool) -> Result<(), String> {
    let target: PathBuf = if several {
        PathBuf::from(format!("{}.{}.jsonl", path.display(), run.name))
    } else {
        path.to_path_buf()
    };
    rpsim_world::trace::write_json_lines(&run.outcome.trace, &target)
        .map_err(|e| format!("cannot write trace {}: {e}", target.display()))
}
