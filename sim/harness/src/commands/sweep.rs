//! `rpsim sweep` and `rpsim repro`: checks the plan and every scenario file before any work,
//! runs the sweep, saves a failure record per failure (never overwriting one), and replays a
//! record. Owns those steps and their outcomes; it must never print, and nothing it reports
//! depends on thread timing except progress and rates.

use crate::outcome::Outcome;
use crate::reporter::{HarnessEvent, Reporter};
use crate::runner::planted_bug::compiled_in_bug;
use crate::runner::RunFailure;
use crate::sweep::failure_record::{self, FailureRecord};
use crate::sweep::{run_sweep, SeedRange, Shard, SweepPlan, SweepResult, JOBS_MAX};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// What `rpsim sweep` was asked to do, as given.
#[derive(Clone, Debug, Default)]
pub struct SweepRequest {
    pub scenarios: Vec<PathBuf>,
    /// `A..B`, half-open.
    pub seeds: String,
    /// `K/M`.
    pub shard: Option<String>,
    /// Worker threads (default: the number of CPUs).
    pub jobs: Option<usize>,
    pub fail_fast: bool,
    /// Where failure records go.
    pub records: PathBuf,
    /// Keep passing runs (reports need them).
    pub keep_passed: bool,
    pub plant_bug: Option<String>,
}

/// Checks `request` and every scenario file it names; nothing has run yet.
pub fn plan(request: &SweepRequest) -> Result<SweepPlan, String> {
    let seeds = SeedRange::parse(&request.seeds)?;
    let shard = match &request.shard {
        Some(text) => Shard::parse(text)?,
        None => Shard::WHOLE,
    };
    let files = crate::suite::discover(&request.scenarios)?;
    for file in &files {
        // Refuse bad scenario files before any work starts (bad input, not N failures).
        if let Err(error) = rpsim_scenario::load_scenario(file) {
            return Err(crate::reporter::human::render_scenario_error(&error));
        }
    }
    let jobs = match request.jobs {
        Some(0) => return Err("--jobs must be at least 1".to_string()),
        Some(jobs) if jobs > JOBS_MAX => return Err(format!("--jobs {jobs}: at most {JOBS_MAX}")),
        Some(jobs) => jobs,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let plant_bug = request
        .plant_bug
        .as_deref()
        .map(compiled_in_bug)
        .transpose()?;
    Ok(SweepPlan {
        files,
        seeds,
        shard,
        jobs,
        fail_fast: request.fail_fast,
        keep_passed: request.keep_passed,
        plant_bug,
    })
}

/// Runs the sweep of `request`, reporting to `reporter`.
pub fn sweep(request: &SweepRequest, reporter: &mut dyn Reporter) -> Outcome {
    let plan = match plan(request) {
        Ok(plan) => plan,
        Err(message) => {
            reporter.event(&HarnessEvent::Error { message: &message });
            return Outcome::BadInput;
        }
    };
    reporter.event(&HarnessEvent::SweepStarted { plan: &plan });
    // Wall clock: only for the rates reported at the end, never for a decision.
    let wall_start = std::time::Instant::now();
    let result = {
        let shared = Mutex::new(&mut *reporter);
        let failed = AtomicU64::new(0);
        let on_done = |passed: bool| {
            let failed_so_far =
                failed.fetch_add(u64::from(!passed), Ordering::Relaxed) + u64::from(!passed);
            if let Ok(mut reporter) = shared.lock() {
                reporter.event(&HarnessEvent::SweepProgress {
                    passed,
                    failed_so_far,
                });
            }
        };
        run_sweep(&plan, &on_done)
    };
    let result = match result {
        Ok(result) => result,
        Err(message) => {
            reporter.event(&HarnessEvent::Error { message: &message });
            return Outcome::BadInput;
        }
    };
    let wall_s = wall_start.elapsed().as_secs_f64();
    let records_ok = report_failures(&result, &request.records, &plan, reporter);
    reporter.event(&HarnessEvent::SweepFinished {
        result: &result,
        plan: &plan,
        wall_s,
    });
    if !result.errors.is_empty() || !records_ok {
        Outcome::BadInput
    } else {
        Outcome::checks(result.failed().next().is_some())
    }
}

/// Reports each failure (sorted) and saves its record; false when a record could not be saved.
fn report_failures(
    result: &SweepResult,
    records_dir: &Path,
    plan: &SweepPlan,
    reporter: &mut dyn Reporter,
) -> bool {
    let mut records_ok = true;
    for run in result.failed() {
        let record = FailureRecord::from_summary(run, plan.plant_bug);
        let saved = failure_record::write_new(records_dir, &record);
        records_ok &= saved.is_ok();
        reporter.event(&HarnessEvent::SweepFailure {
            run,
            record: &record,
            saved: saved.as_deref().map_err(String::as_str),
        });
    }
    for error in &result.errors {
        reporter.event(&HarnessEvent::SweepRunError { error });
    }
    records_ok
}

/// Replays the failure record at `path`: passed when the recorded failure reproduces (same
/// trace hash, same failed checks), a failed check when it does not.
pub fn repro(path: &Path, reporter: &mut dyn Reporter) -> Outcome {
    let record = match failure_record::load(path) {
        Ok(record) => record,
        Err(message) => {
            reporter.event(&HarnessEvent::Error { message: &message });
            return Outcome::BadInput;
        }
    };
    let repro = match failure_record::reproduce(&record) {
        Ok(repro) => repro,
        Err(failure @ RunFailure::Scenario(_)) => {
            reporter.event(&HarnessEvent::NotRunnable { failure: &failure });
            return Outcome::BadInput;
        }
        Err(failure) => {
            let message = failure.to_string();
            reporter.event(&HarnessEvent::Error { message: &message });
            return Outcome::BadInput;
        }
    };
    reporter.event(&HarnessEvent::Reproduced {
        run: &repro.run,
        record: &record,
        verdict: repro.verdict,
    });
    Outcome::checks(repro.verdict != failure_record::ReproVerdict::Reproduced)
}
