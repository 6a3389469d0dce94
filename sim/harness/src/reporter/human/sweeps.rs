//! Human lines for `rpsim sweep`: the plan line, the progress bar (on a terminal only), each
//! failure in (scenario, seed) order with its checks, reproduce line and record, and the
//! closing counts and rates. Owns those formats; it must never print anything that depends on
//! thread timing except the progress bar and the rates.

use super::reporter::HumanReporter;
use crate::reporter::events::HarnessEvent;
use crate::runner::RunSummary;
use crate::sweep::{SweepPlan, SweepResult};
use indicatif::{ProgressBar, ProgressStyle};
use rpsim_scenario::text::{block, one_line};
use std::path::Path;

/// Renders `event` when it is one of this module's; true when it was.
pub(super) fn render(r: &mut HumanReporter, event: &HarnessEvent<'_>) -> bool {
    match event {
        HarnessEvent::SweepStarted { plan } => started(r, plan),
        HarnessEvent::SweepProgress {
            passed,
            failed_so_far,
        } => {
            if let Some(bar) = &r.bar {
                if !passed {
                    bar.set_message(format!("{failed_so_far} failed"));
                }
                bar.inc(1);
            }
        }
        HarnessEvent::SweepFailure { run, record, saved } => {
            if let Some(bar) = r.bar.take() {
                bar.finish_and_clear();
            }
            failure(r, run, &record.repro);
            match saved {
                Some(Ok(path)) => {
                    let line = format!("    record: {} (rpsim repro {0})", path.display());
                    r.say(&one_line(&line));
                }
                Some(Err(message)) => r.warn(&block(&format!("error: {message}"))),
                None => r.say("    record: written by the interrupted sweep this one resumed"),
            }
        }
        HarnessEvent::SweepRunError { error } => {
            run_error(r, &error.file, error.seed, &error.message);
        }

        HarnessEvent::SweepFinished {
            result,
            plan,
            wall_s,
            results,
            resume,
        } => {
            finished(r, result, plan, *wall_s);
            if let Some(path) = results {
                r.say(&one_line(&format!("results: {}", path.display())));
            }
            if let (true, Some(resume)) = (result.interrupted, resume) {
                r.say(&format!("resume: {}", one_line(resume)));
            }
        }
        _ => return false,
    }
    true
}

fn started(r: &mut HumanReporter, plan: &SweepPlan) {
    r.say(&format!(
        "sweep: {} scenario(s) x {} seed(s) of {}..{} (shard {}/{}) = {} runs on {} thread(s)",
        plan.files.len(),
        plan.shard.seed_count(plan.seeds),
        plan.seeds.start,
        plan.seeds.end,
        plan.shard.index,
        plan.shard.count,
        plan.runs_total(),
        plan.jobs,
    ));
    if r.progress {
        let bar = ProgressBar::new(plan.runs_total());
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {msg} [{elapsed} < {eta}]")
        {
            bar.set_style(style);
        }
        r.bar = Some(bar);
    }
}

fn finished(r: &mut HumanReporter, result: &SweepResult, plan: &SweepPlan, wall_s: f64) {
    if let Some(bar) = r.bar.take() {
        bar.finish_and_clear();
    }
    let files = plan.files.len();
    let failed = result.failed().count();
    if result.stopped_early {
        r.say("stopped after the first failure (--fail-fast)");
    }
    if result.interrupted {
        r.say(&format!(
            "INTERRUPTED after {} of {} runs: the failures so far are recorded",
            result.runs_done,
            plan.runs_total()
        ));
    }
    if result.runs_skipped > 0 {
        r.say(&format!(
            "resumed: {} runs were done by the earlier sweep and are counted below",
            result.runs_skipped
        ));
    }
    let per_s = |count: f64| if wall_s > 0.0 { count / wall_s } else { 0.0 };
    let runs_per_s = per_s(result.runs_done as f64);
    // Seeds whose every scenario ran: runs over the number of scenario files.
    let seeds_per_s = per_s(result.runs_done as f64 / files.max(1) as f64);
    totals(
        r,
        result.runs_done,
        result.passed,
        failed,
        result.errors.len(),
    );
    if let Some(n) = plan.determinism_sample {
        let diverged = result
            .failed()
            .filter(|run| {
                run.failures
                    .iter()
                    .any(|f| f.check == crate::runner::determinism::DETERMINISM_CHECK)
            })
            .count();
        let sample = if n == 1 {
            "every seed".to_string()
        } else {
            format!(
                "seeds {}, {}, ...: one in {n}",
                plan.seeds.start,
                plan.seeds.start + n
            )
        };
        r.say(&format!(
            "determinism: {} runs made twice and compared ({sample}), {diverged} diverged",
            result.determinism_checked
        ));
    }
    let sim_per_wall = per_s(result.sim_time_ns_total as f64 / 1e9);
    r.say(&format!(
        "wall time {wall_s:.2}s, {runs_per_s:.1} runs/s, {seeds_per_s:.2} seeds/s, \
         {sim_per_wall:.0} sim-s per wall-s over {files} scenario(s) (machine-dependent)"
    ));
}

/// A failed run: its `FAIL` line, one line per failed check, and the reproduce line.
pub(super) fn failure(r: &mut HumanReporter, run: &RunSummary, repro: &str) {
    let line = format!(
        "FAIL {} seed={} trace={}",
        run.name, run.seed, run.trace_hash
    );
    r.say(&one_line(&line));
    for line in run.failure_lines() {
        r.say(&format!("    {}", one_line(&line)));
    }
    r.say(&format!("    reproduce: {}", one_line(repro)));
}

/// A run that could not be carried out, with the command that tries it again.
pub(super) fn run_error(r: &mut HumanReporter, file: &Path, seed: u64, message: &str) {
    let line = format!(
        "error: {} seed={seed}: {message} ({} run {0} --seed {seed})",
        file.display(),
        crate::runner::program::program(),
    );
    r.warn(&one_line(&line));
}

/// The closing counts line (tests and scripts look for it).
pub(super) fn totals(r: &mut HumanReporter, runs: u64, passed: u64, failed: usize, errors: usize) {
    r.say(&format!(
        "{runs} runs, {passed} passed, {failed} failed, {errors} not runnable"
    ));
}
