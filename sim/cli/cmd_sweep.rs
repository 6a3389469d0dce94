//! The binary side of `rpsim sweep`, `rpsim repro` and the `--junit`/`--summary` reports:
//! parses the sweep's arguments, shows progress, prints failures, writes records and reports,
//! and picks the exit code. Owns printing for those commands; it must never decide what passes
//! (the checks do) and never print anything that depends on thread timing except the progress
//! bar and the seeds/s figure.

use indicatif::{ProgressBar, ProgressStyle};
use rpsim::failure_record::{self, FailureRecord, ReproVerdict};
use rpsim::run_summary::RunSummary;
use rpsim::runner::{RunFailure, ScenarioRun};
use rpsim::sweep::{self, SeedRange, Shard, SweepPlan, SweepResult};
use rpsim::sweep_args::{ReproArgs, SweepArgs};
use rpsim::{report_junit, report_summary, suite};
use rpsim_export::planted::PlantedBug;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

const EXIT_CHECK_FAILED: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;

fn bad_input(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_BAD_INPUT)
}

/// Writes the `--junit` and `--summary` reports that were asked for.
pub fn write_reports(
    runs: &[RunSummary],
    junit: Option<&Path>,
    summary: Option<&Path>,
) -> Result<(), String> {
    if let Some(path) = junit {
        report_junit::write(path, runs)?;
    }
    if let Some(path) = summary {
        report_summary::write(path, runs)?;
    }
    Ok(())
}

/// The `--junit`/`--summary` reports of `rpsim run`.
pub fn write_run_reports(
    runs: &[ScenarioRun],
    junit: Option<&Path>,
    summary: Option<&Path>,
) -> Result<(), String> {
    let summaries: Vec<RunSummary> = runs.iter().map(RunSummary::from_run).collect();
    write_reports(&summaries, junit, summary)
}

fn plan_from_args(args: &SweepArgs) -> Result<SweepPlan, String> {
    let seeds = SeedRange::parse(&args.seeds)?;
    let shard = match &args.shard {
        Some(text) => Shard::parse(text)?,
        None => Shard::WHOLE,
    };
    let files = suite::discover(&args.scenarios)?;
    for file in &files {
        // Refuse bad scenario files before any work starts (exit 2, not N failures).
        if let Err(error) = rpsim_scenario::load_scenario(file) {
            return Err(format!("{:?}", miette::Report::new(error)));
        }
    }
    let jobs = match args.jobs {
        Some(0) => return Err("--jobs must be at least 1".to_string()),
        Some(jobs) if jobs > sweep::JOBS_MAX => {
            return Err(format!("--jobs {jobs}: at most {}", sweep::JOBS_MAX))
        }
        Some(jobs) => jobs,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let plant_bug = match &args.plant_bug {
        None => None,
        Some(name) => Some(rpsim::plant_bug::compiled_in_bug(name)?),
    };
    Ok(SweepPlan {
        files,
        seeds,
        shard,
        jobs,
        fail_fast: args.fail_fast,
        keep_passed: args.junit.is_some() || args.summary.is_some(),
        plant_bug,
    })
}

fn progress_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {msg} [{elapsed} < {eta}]")
    {
        bar.set_style(style);
    }
    bar
}

/// `rpsim sweep`.
pub fn sweep(args: &SweepArgs) -> ExitCode {
    let plan = match plan_from_args(args) {
        Ok(plan) => plan,
        Err(message) => return bad_input(&message),
    };
    let total = plan.runs_total();
    println!(
        "sweep: {} scenario(s) x {} seed(s) of {}..{} (shard {}/{}) = {total} runs on {} thread(s)",
        plan.files.len(),
        plan.shard.seed_count(plan.seeds),
        plan.seeds.start,
        plan.seeds.end,
        plan.shard.index,
        plan.shard.count,
        plan.jobs,
    );
    let bar = progress_bar(total);
    let failed_so_far = std::sync::atomic::AtomicU64::new(0);
    let on_done = |passed: bool| {
        if !passed {
            let failed = failed_so_far.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            bar.set_message(format!("{failed} failed"));
        }
        bar.inc(1);
    };
    // Wall clock: only for the seeds/s figure below, never for a decision.
    let wall_start = std::time::Instant::now();
    let result = match sweep::run_sweep(&plan, &on_done) {
        Ok(result) => result,
        Err(message) => return bad_input(&message),
    };
    let wall_s = wall_start.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let records_ok = print_failures(&result, &args.records, plan.plant_bug);
    if let Err(message) =
        write_reports(&result.kept, args.junit.as_deref(), args.summary.as_deref())
    {
        return bad_input(&message);
    }
    print_sweep_summary(&result, wall_s, plan.files.len());
    if !result.errors.is_empty() || !records_ok {
        ExitCode::from(EXIT_BAD_INPUT)
    } else if result.failed().next().is_some() {
        ExitCode::from(EXIT_CHECK_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints each failure (sorted) with its repro command and saves its record; false when a
/// record could not be written.
fn print_failures(result: &SweepResult, records_dir: &Path, bug: Option<PlantedBug>) -> bool {
    let mut records_ok = true;
    for run in result.failed() {
        println!(
            "FAIL {} seed={} trace={}",
            run.name, run.seed, run.trace_hash
        );
        for line in run.failure_lines() {
            println!("    {line}");
        }
        let record = FailureRecord::from_summary(run, bug);
        println!("    reproduce: {}", record.repro);
        match failure_record::write_new(records_dir, &record) {
            Ok(path) => println!("    record: {} (rpsim repro {0})", path.display()),
            Err(message) => {
                records_ok = false;
                eprintln!("error: {message}");
            }
        }
    }
    for error in &result.errors {
        eprintln!(
            "error: {} seed={}: {} (rpsim run {0} --seed {1})",
            error.file.display(),
            error.seed,
            error.message
        );
    }
    records_ok
}

fn print_sweep_summary(result: &SweepResult, wall_s: f64, files: usize) {
    let failed = result.failed().count();
    if result.stopped_early {
        println!("stopped after the first failure (--fail-fast)");
    }
    let per_s = |count: f64| if wall_s > 0.0 { count / wall_s } else { 0.0 };
    let runs_per_s = per_s(result.runs_done as f64);
    // Seeds whose every scenario ran: runs over the number of scenario files.
    let seeds_per_s = per_s(result.runs_done as f64 / files.max(1) as f64);
    println!(
        "{} runs, {} passed, {failed} failed, {} not runnable",
        result.runs_done,
        result.passed,
        result.errors.len()
    );
    println!(
        "wall time {wall_s:.2}s, {runs_per_s:.1} runs/s, {seeds_per_s:.2} seeds/s over {files} \
         scenario(s) (machine-dependent)"
    );
}

/// `rpsim repro RECORD`: exit 0 when the recorded failure reproduces (same trace hash, same
/// failed checks), 1 when it does not, 2 when the record or its scenario cannot be used.
pub fn repro(args: &ReproArgs) -> ExitCode {
    let record = match failure_record::load(&args.record) {
        Ok(record) => record,
        Err(message) => return bad_input(&message),
    };
    let repro = match failure_record::reproduce(&record) {
        Ok(repro) => repro,
        Err(RunFailure::Scenario(error)) => {
            eprintln!("{:?}", miette::Report::new(error));
            return ExitCode::from(EXIT_BAD_INPUT);
        }
        Err(failure) => return bad_input(&failure.to_string()),
    };
    let run = &repro.run;
    let verdict = if run.passed() { "PASS" } else { "FAIL" };
    println!(
        "{verdict} {} seed={} events={} trace={}",
        run.name, run.seed, run.event_count, run.trace_hash
    );
    for line in run.failure_lines() {
        println!("    {line}");
    }
    println!(
        "recorded trace={} events={}",
        record.trace_hash, record.event_count
    );
    match repro.verdict {
        ReproVerdict::Reproduced => {
            println!("REPRODUCED: same trace hash and the same failed checks as recorded");
            ExitCode::SUCCESS
        }
        ReproVerdict::HashDiffers => {
            println!("NOT REPRODUCED: the trace hash differs (code, scenario or rpsim version changed; recorded with rpsim {})", record.rpsim_version);
            ExitCode::from(EXIT_CHECK_FAILED)
        }
        ReproVerdict::ChecksDiffer => {
            println!("NOT REPRODUCED: same trace hash, but a different set of failed checks (the checks changed)");
            ExitCode::from(EXIT_CHECK_FAILED)
        }
    }
}
