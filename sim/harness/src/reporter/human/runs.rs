//! Human lines for `rpsim run`, `validate`, `verify`, `restore` and `repro`: one line per
//! scenario run (verdict, seed, events, sim time, exports, restored disks, checks, trace hash),
//! its failed checks and reproduce command, golden notes, and the closing counts. Owns those
//! line formats; it must never decide an outcome.

use super::reporter::HumanReporter;
use super::scenario_error::render_scenario_error;
use crate::reporter::events::HarnessEvent;
use crate::runner::{RunFailure, ScenarioRun};
use crate::sweep::failure_record::ReproVerdict;
use rpsim_scenario::text::{block, one_line};

/// Renders `event` when it is one of this module's; true when it was.
pub(super) fn render(r: &mut HumanReporter, event: &HarnessEvent<'_>) -> bool {
    match event {
        HarnessEvent::RunFinished {
            run,
            quiet,
            bless,
            plant_bug,
        } => run_finished(r, run, *quiet, *bless, *plant_bug),
        HarnessEvent::RunStopped {
            file,
            message,
            reproduce,
        } => {
            let line = format!("FAIL {}: {message}", file.display());
            r.say(&one_line(&line));
            r.say(&format!("    reproduce: {}", one_line(reproduce)));
        }
        HarnessEvent::NotRunnable { failure } => not_runnable(r, failure),
        HarnessEvent::StaleGoldens { message } => {
            r.say(&format!("FAIL goldens: {}", one_line(message)));
        }
        HarnessEvent::RunsFinished {
            passed,
            failed,
            not_runnable,
            ..
        } => r.say(&format!(
            "{passed} passed, {failed} failed, {not_runnable} not runnable"
        )),
        HarnessEvent::Valid { file, name } => {
            let line = format!("ok   {} ({name})", file.display());
            r.say(&one_line(&line));
        }
        HarnessEvent::Invalid { error } => {
            let text = render_scenario_error(error);
            r.warn(&text);
        }
        HarnessEvent::ValidationFinished { valid, invalid } => {
            r.say(&format!("{valid} valid, {invalid} invalid"));
        }
        HarnessEvent::Verified { dir, manifest } => {
            let line = format!(
                "{}: complete export of reference point {} ({} files)",
                dir.display(),
                manifest.reference_point,
                manifest.files.len()
            );
            r.say(&one_line(&line));
        }
        HarnessEvent::Restored { summary } => {
            for disk in &summary.disks {
                let line = format!(
                    "{}  {}  virtual_size={} logs={} bytes_written={}",
                    disk.image_path.display(),
                    disk.disk_instance_id,
                    disk.virtual_size_bytes,
                    disk.logs_applied,
                    disk.bytes_written
                );
                r.say(&one_line(&line));
            }
            r.say(&format!("restored {} disk image(s)", summary.disks.len()));
        }
        HarnessEvent::Reproduced {
            run,
            record,
            verdict,
        } => {
            let verdict_word = if run.passed() { "PASS" } else { "FAIL" };
            let line = format!(
                "{verdict_word} {} seed={} events={} trace={}",
                run.name, run.seed, run.event_count, run.trace_hash
            );
            r.say(&one_line(&line));
            for line in run.failure_lines() {
                r.say(&format!("    {}", one_line(&line)));
            }
            let line = format!(
                "recorded trace={} events={}",
                record.trace_hash, record.event_count
            );
            r.say(&one_line(&line));
            let text = match verdict {
                ReproVerdict::Reproduced => {
                    "REPRODUCED: same trace hash and the same failed checks as recorded".to_string()
                }
                ReproVerdict::HashDiffers => format!(
                    "NOT REPRODUCED: the trace hash differs (code, scenario or rpsim version \
                     changed; recorded with rpsim {})",
                    one_line(&record.rpsim_version)
                ),
                ReproVerdict::ChecksDiffer => "NOT REPRODUCED: same trace hash, but a different \
                                               set of failed checks (the checks changed)"
                    .to_string(),
            };
            r.say(&text);
        }
        _ => return false,
    }
    true
}

fn not_runnable(r: &mut HumanReporter, failure: &RunFailure) {
    match failure {
        RunFailure::Scenario(error) => {
            let text = render_scenario_error(error);
            r.warn(&text);
        }
        RunFailure::Invariant { .. } => {
            r.say(&one_line(&format!("FAIL {failure}")));
        }
        RunFailure::Simulation { .. } => {
            r.warn(&block(&format!("error: {failure}")));
        }
    }
}

fn run_finished(
    r: &mut HumanReporter,
    run: &ScenarioRun,
    quiet: bool,
    bless: bool,
    plant_bug: Option<&str>,
) {
    if !(quiet && run.passed()) {
        r.say(&one_line(&run_line(run)));
        for failure in &run.checks.failures {
            let export = failure
                .export
                .as_deref()
                .map(|e| format!(" [{e}]"))
                .unwrap_or_default();
            let line = format!("    {}{export}: {}", failure.check, failure.message);
            let line = block(&line).into_owned();
            // A golden failure carries a diff: coloured on a terminal, plain otherwise.
            if r.colour && failure.check == crate::suite::goldens::GOLDEN_CHECK {
                r.say(&rpsim_checks::golden::colour_diff(&line));
            } else {
                r.say(&line);
            }
        }
        if !run.passed() {
            let plant = plant_bug
                .map(|b| format!(" --plant-bug {b}"))
                .unwrap_or_default();
            let line = format!("    reproduce: {}{plant}", run.repro_command());
            r.say(&one_line(&line));
        }
    }
    if let Some(text) = crate::suite::goldens::describe(&run.golden, r.colour) {
        if !quiet || bless {
            r.say(&block(&text));
        }
    }
}

/// `PASS name seed=… events=… sim=…s exports=c/n completed restored_disks=… checks=… trace=…
/// [determinism=same|DIFFERS] storage=memory|disk speed=…x`: `determinism=` when a second run
/// was compared, `storage=` the backend, `speed=` simulated seconds per wall second
/// (machine-dependent).
fn run_line(run: &ScenarioRun) -> String {
    let verdict = if run.passed() { "PASS" } else { "FAIL" };
    let exports = &run.outcome.exports;
    let completed = run.exports_completed();
    let determinism = match crate::runner::determinism::held(run) {
        None => "",
        Some(true) => " determinism=same",
        Some(false) => " determinism=DIFFERS",
    };
    let drawn = if run.drawn.is_empty() {
        String::new()
    } else {
        format!(" {}", run.drawn.short())
    };
    format!(
        "{verdict} {:<34} seed={:<6} events={:<7} sim={:>9.3}s exports={}/{} completed restored_disks={} checks={} trace={}{determinism} storage={} speed={:.0}x{drawn}",
        run.name,
        run.seed,
        run.outcome.event_count,
        run.outcome.end_time_ns as f64 / 1e9,
        completed,
        exports.len(),
        run.checks.restored_disks,
        run.checks.passed + run.checks.failures.len() as u64,
        &run.outcome.trace_hash[..run.outcome.trace_hash.len().min(16)],
        run.storage.name(),
        run.outcome.end_time_ns as f64 / 1e3 / run.wall_time_us.max(1) as f64,
    )
}
