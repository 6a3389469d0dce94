//! Human lines for `rpsim merge`: what was merged (the build, each shard file), what is
//! missing, each failure in (scenario, seed) order with its reproduce line, and the closing
//! counts in the same words as a sweep's. Owns those formats; it must never decide an outcome.

use super::reporter::HumanReporter;
use super::sweeps::{failure, run_error, totals};
use crate::reporter::events::HarnessEvent;
use crate::runner::RunSummary;
use crate::sweep::merge::Merged;
use rpsim_scenario::text::one_line;

/// Renders `event` when it is `Merged`; true when it was.
pub(super) fn render(r: &mut HumanReporter, event: &HarnessEvent<'_>) -> bool {
    let HarnessEvent::Merged {
        merged,
        runs,
        results,
    } = event
    else {
        return false;
    };
    merge_lines(r, merged, runs);
    if let Some(path) = results {
        r.say(&one_line(&format!("results: {}", path.display())));
    }
    true
}

fn merge_lines(r: &mut HumanReporter, merged: &Merged, runs: &[RunSummary]) {
    let header = &merged.header;
    r.say(&one_line(&format!(
        "merge: {} shard file(s) of {} scenario(s) x seeds {}, rpsim {} ({} build) at commit {}",
        merged.shards.len(),
        header.scenarios.len(),
        header.seeds,
        header.rpsim_version,
        header.build,
        header.commit
    )));
    for shard in &merged.shards {
        r.say(&one_line(&format!(
            "    shard {}/{}: {} ({} of {} runs)",
            shard.shard.index,
            shard.shard.count,
            shard.path.display(),
            shard.runs,
            shard.planned
        )));
    }
    for missing in &merged.missing {
        r.warn(&one_line(&format!("warning: incomplete: {missing}")));
    }
    let plant = header
        .planted_bug
        .as_deref()
        .map(|b| format!(" --plant-bug {b}"))
        .unwrap_or_default();
    for run in runs.iter().filter(|r| !r.passed()) {
        failure(r, run, &format!("{}{plant}", run.repro_command()));
    }
    for line in merged.runs.iter().filter(|l| l.summary().is_none()) {
        let message = line.error.as_deref().unwrap_or("could not be carried out");
        run_error(r, &line.scenario, line.seed, message);
    }
    let passed = runs.iter().filter(|r| r.passed()).count() as u64;
    let failed = runs.len() - passed as usize;
    let errors = merged.runs.len() - runs.len();
    totals(r, merged.runs.len() as u64, passed, failed, errors);
    if merged.missing.is_empty() {
        r.say(&format!(
            "complete: every run of the {} planned",
            merged.planned()
        ));
    } else {
        r.say(&format!(
            "INCOMPLETE: {} of {} planned runs",
            merged.runs.len(),
            merged.planned()
        ));
    }
}
