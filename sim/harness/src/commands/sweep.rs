//! `rpsim sweep` and `rpsim repro`: checks the plan and every scenario file before any work,
//! runs the sweep, saves a failure record per failure (never overwriting one), and replays a
//! record, and totals the coverage probes of every run (`--coverage FILE`). Owns those steps
//! and their outcomes; it must never print, and nothing it reports
//! depends on thread timing except progress and rates.

use crate::coverage::Coverage;
use crate::outcome::Outcome;
use crate::reporter::{HarnessEvent, Reporter};
use crate::runner::planted_bug::compiled_in_bug;
use crate::runner::RunFailure;
use crate::runner::RunSummary;
use crate::sweep::failure_record::{self, FailureRecord};
use crate::sweep::results::{self, ReadResults, ResultLine, ResultsHeader, ResultsWriter};
use crate::sweep::{
    run_sweep, RunDone, SeedRange, Shard, SweepError, SweepHooks, SweepPlan, SweepResult, JOBS_MAX,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What `rpsim sweep` was asked to do, as given.
#[derive(Clone, Debug, Default)]
pub struct SweepRequest {
    pub scenarios: Vec<PathBuf>,
    /// Name globs (`--filter`): only scenarios whose file stem matches one of them.
    pub filter: Vec<String>,
    /// `A..B`, half-open.
    pub seeds: String,
    /// `K/M`; when `None`, [`crate::sweep::shard_env`] looks at `environment`.
    pub shard: Option<String>,
    /// The process environment (`RPSIM_SHARD`, `JOB_COMPLETION_INDEX`, `SLURM_ARRAY_TASK_ID`,
    /// ...), as (name, value) pairs; empty in tests that want none.
    pub environment: Vec<(String, String)>,
    /// Worker threads (default: the number of CPUs).
    pub jobs: Option<usize>,
    pub fail_fast: bool,
    /// Where failure records go.
    pub records: PathBuf,
    /// Keep passing runs (reports need them).
    pub keep_passed: bool,
    pub plant_bug: Option<String>,
    /// The result file to create (default: `reports/sweep-results.jsonl` or a free `-N` name).
    pub results: Option<PathBuf>,
    /// An interrupted sweep's result file: its runs are skipped and new ones appended to it.
    pub resume: Option<PathBuf>,
    /// Set by the caller's signal handler to stop scheduling runs.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Make runs twice and compare them event by event (`--check-determinism`).
    pub check_determinism: bool,
    /// With `check_determinism`, only the seeds A, A+N, A+2N, ... (`--determinism-sample N`;
    /// default every seed).
    pub determinism_sample: Option<u64>,
    /// Write the coverage of the probe catalogue here (JSON).
    pub coverage: Option<PathBuf>,
}

/// Checks `request` and every scenario file it names; nothing has run yet.
pub fn plan(request: &SweepRequest) -> Result<SweepPlan, String> {
    let seeds = SeedRange::parse(&request.seeds)?;
    let lookup = |name: &str| {
        let found = request.environment.iter().find(|(k, _)| k == name);
        found.map(|(_, v)| v.clone())
    };
    let shard = match &request.shard {
        Some(text) => Shard::parse(text)?,
        None => crate::sweep::shard_env::shard_from_env(&lookup)?.map_or(Shard::WHOLE, |s| s.shard),
    };
    let files = crate::suite::discover(&request.scenarios)?;
    let files = crate::suite::filter::filter_by_name(files, &request.filter)?;
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
    let determinism_sample = match (request.check_determinism, request.determinism_sample) {
        (false, None) => None,
        (false, Some(_)) => {
            return Err("--determinism-sample needs --check-determinism".to_string());
        }
        (true, Some(0)) => return Err("--determinism-sample must be at least 1".to_string()),
        (true, sample) => Some(sample.unwrap_or(1)),
    };
    Ok(SweepPlan {
        files,
        seeds,
        shard,
        jobs,
        fail_fast: request.fail_fast,
        keep_passed: request.keep_passed,
        plant_bug,
        determinism_sample,
    })
}

/// Runs the sweep of `request`, reporting to `reporter`.
pub fn sweep(request: &SweepRequest, reporter: &mut dyn Reporter) -> Outcome {
    let bad_input = |reporter: &mut dyn Reporter, message: &str| {
        reporter.event(&HarnessEvent::Error { message });
        Outcome::BadInput
    };
    let plan = match plan(request) {
        Ok(plan) => plan,
        Err(message) => return bad_input(reporter, &message),
    };
    super::scratch_notice::announce(reporter);
    let (writer, earlier) = match open_results(request, &plan) {
        Ok(opened) => opened,
        Err(message) => return bad_input(reporter, &message),
    };
    let done_before = match &earlier {
        Some(read) => match results::done_pairs(read, &plan) {
            Ok(done) => done,
            Err(message) => return bad_input(reporter, &message),
        },
        None => BTreeSet::new(),
    };
    reporter.event(&HarnessEvent::SweepStarted { plan: &plan });
    // Wall clock: only for the rates reported at the end, never for a decision.
    let wall_start = std::time::Instant::now();
    let saved: Mutex<BTreeMap<(PathBuf, u64), Result<PathBuf, String>>> = Mutex::default();
    let write_error: Mutex<Option<String>> = Mutex::default();
    let coverage: Mutex<Coverage> = Mutex::default();
    let result = {
        let shared = Mutex::new(&mut *reporter);
        let failed = AtomicU64::new(0);
        let on_done = |done: &RunDone<'_>| {
            let passed = done.passed();
            let line = match done {
                RunDone::Ran(run) => ResultLine::of_run(run),
                RunDone::Error(error) => ResultLine::of_error(error),
            };
            coverage.lock().expect("no worker panicked").add_run(
                &line.name,
                &line.scenario,
                line.seed,
                &line.probes,
            );
            if let Err(message) = writer.append_run(&line) {
                write_error
                    .lock()
                    .expect("no worker panicked")
                    .get_or_insert(message);
            }
            if let RunDone::Ran(run) = done {
                if !run.passed() {
                    // Written as soon as it is found: an interrupted sweep keeps it.
                    let record = FailureRecord::from_summary(run, plan.plant_bug);
                    let path = failure_record::write_new(&request.records, &record);
                    let key = (run.file.clone(), run.seed);
                    saved.lock().expect("no worker panicked").insert(key, path);
                }
            }
            let failed_so_far =
                failed.fetch_add(u64::from(!passed), Ordering::Relaxed) + u64::from(!passed);
            if let Ok(mut reporter) = shared.lock() {
                reporter.event(&HarnessEvent::SweepProgress {
                    passed,
                    failed_so_far,
                });
            }
        };
        let never = AtomicBool::new(false);
        let hooks = SweepHooks {
            on_done: &on_done,
            interrupt: request.interrupt.as_deref().unwrap_or(&never),
            already_done: &done_before,
        };
        run_sweep(&plan, &hooks)
    };
    let mut result = match result {
        Ok(result) => result,
        Err(message) => return bad_input(reporter, &message),
    };
    let mut coverage = coverage.into_inner().expect("no worker panicked");
    if let Some(earlier) = &earlier {
        merge_earlier(&mut result, earlier, &plan);
        for line in earlier
            .runs
            .iter()
            .filter(|l| plan.files.contains(&l.scenario))
        {
            coverage.add_run(&line.name, &line.scenario, line.seed, &line.probes);
        }
    }
    let wall_s = wall_start.elapsed().as_secs_f64();
    let saved = saved.into_inner().expect("no worker panicked");
    let records_ok = report_failures(&result, &saved, &plan, reporter);
    let resume = resume_command(request, writer.path());
    reporter.event(&HarnessEvent::SweepFinished {
        result: &result,
        plan: &plan,
        wall_s,
        results: Some(writer.path()),
        resume: Some(&resume),
    });
    reporter.event(&HarnessEvent::Coverage {
        coverage: &coverage,
        missing: &[],
        table: false,
    });
    if !super::coverage_file::write_coverage(request.coverage.as_deref(), &coverage, reporter) {
        return Outcome::BadInput;
    }
    if let Some(message) = write_error.into_inner().expect("no worker panicked") {
        return bad_input(reporter, &message);
    }
    if result.interrupted {
        Outcome::Interrupted
    } else if !result.errors.is_empty() || !records_ok {
        Outcome::BadInput
    } else {
        Outcome::checks(result.failed().next().is_some())
    }
}

/// The result file to write: a new one, or with `resume` the earlier one (read back first).
fn open_results(
    request: &SweepRequest,
    plan: &SweepPlan,
) -> Result<(ResultsWriter, Option<ReadResults>), String> {
    match &request.resume {
        Some(path) => {
            let earlier = results::read(path)?;
            Ok((ResultsWriter::append_to(path)?, Some(earlier)))
        }
        None => {
            let header = ResultsHeader::of(plan, failure_record::BUILD_COMMIT);
            Ok((
                ResultsWriter::create(request.results.as_deref(), &header)?,
                None,
            ))
        }
    }
}

/// Counts the earlier sweep's runs (of this plan) into `result`, as if one sweep ran them all.
fn merge_earlier(result: &mut SweepResult, earlier: &ReadResults, plan: &SweepPlan) {
    let mut kept: Vec<(usize, RunSummary)> = Vec::new();
    let index_of = |file: &Path| plan.files.iter().position(|f| f == file);
    for line in &earlier.runs {
        let Some(index) = index_of(&line.scenario) else {
            continue;
        };
        result.runs_done += 1;
        match line.summary() {
            Some(run) => {
                result.determinism_checked += u64::from(plan.checks_determinism(run.seed));
                result.passed += u64::from(run.passed());
                if !run.passed() || plan.keep_passed {
                    kept.push((index, run));
                }
            }
            None => result.errors.push(SweepError {
                file: line.scenario.clone(),
                seed: line.seed,
                message: line.error.clone().unwrap_or_default(),
            }),
        }
    }
    kept.extend(
        result
            .kept
            .drain(..)
            .map(|run| (index_of(&run.file).unwrap_or(usize::MAX), run)),
    );
    kept.sort_by_key(|(index, run)| (*index, run.seed));
    result.kept = kept.into_iter().map(|(_, run)| run).collect();
    result.errors.sort_by_key(|e| (index_of(&e.file), e.seed));
}

/// `rpsim sweep ... --resume FILE`: the same sweep, finishing what is not in FILE.
fn resume_command(request: &SweepRequest, results: &Path) -> String {
    let mut words = vec![format!("{} sweep", crate::runner::program::program())];
    words.extend(request.scenarios.iter().map(|p| p.display().to_string()));
    words.extend(request.filter.iter().map(|f| format!("--filter '{f}'")));
    words.push(format!("--seeds {}", request.seeds));
    if let Some(shard) = &request.shard {
        words.push(format!("--shard {shard}"));
    }
    if let Some(bug) = &request.plant_bug {
        words.push(format!("--plant-bug {bug}"));
    }
    if request.check_determinism {
        words.push("--check-determinism".to_string());
    }
    if let Some(n) = request.determinism_sample {
        words.push(format!("--determinism-sample {n}"));
    }
    words.push(format!("--resume {}", results.display()));
    words.join(" ")
}

/// Reports each failure (sorted) with its saved record; false when a record could not be saved.
fn report_failures(
    result: &SweepResult,
    saved: &BTreeMap<(PathBuf, u64), Result<PathBuf, String>>,
    plan: &SweepPlan,
    reporter: &mut dyn Reporter,
) -> bool {
    let mut records_ok = true;
    for run in result.failed() {
        let record = FailureRecord::from_summary(run, plan.plant_bug);
        let path = saved.get(&(run.file.clone(), run.seed));
        records_ok &= path.is_none_or(|p| p.is_ok());
        reporter.event(&HarnessEvent::SweepFailure {
            run,
            record: &record,
            saved: path.map(|p| p.as_deref().map_err(String::as_str)),
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
    for message in failure_record::build_differences(&record) {
        let message = format!("{message}; a different trace hash may come from that");
        reporter.event(&HarnessEvent::Warning { message: &message });
    }
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
