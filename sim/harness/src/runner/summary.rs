//! A compact, owned summary of one checked run: what reports, sweeps and failure records need,
//! without the world or the trace. Owns that shape and its construction; it must never run or
//! check anything.

use crate::runner::ScenarioRun;
use rpsim_checks::report::CheckFailure;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One (scenario, seed) run, reduced to what is reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSummary {
    pub file: PathBuf,
    pub name: String,
    pub seed: u64,
    pub trace_hash: String,
    pub event_count: u64,
    pub sim_time_ns: u64,
    pub checks_passed: u64,
    pub failures: Vec<CheckFailure>,
    /// Human-facing only; excluded from [`RunSummary::deterministic_eq`].
    pub wall_time_ms: u64,
    pub bytes_exported: u64,
    /// Coverage probes the run reached: name to hits (only probes hit at least once).
    pub probes: BTreeMap<String, u32>,
    /// What the seed drew for `swarm` and `random_actions`, short (empty without them).
    pub drawn: String,
}

impl RunSummary {
    pub fn from_run(run: &ScenarioRun) -> RunSummary {
        RunSummary {
            file: run.file.clone(),
            name: run.name.clone(),
            seed: run.seed,
            trace_hash: run.outcome.trace_hash.clone(),
            event_count: run.outcome.event_count,
            sim_time_ns: run.outcome.end_time_ns,
            checks_passed: run.checks.passed,
            failures: run.checks.failures.clone(),
            wall_time_ms: run.wall_time_ms,
            bytes_exported: run.bytes_exported,
            probes: crate::coverage::counts_of(&run.outcome.probes),
            drawn: run.drawn.short(),
        }
    }

    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// Every check of the run, passed or failed.
    pub fn checks_total(&self) -> u64 {
        self.checks_passed + self.failures.len() as u64
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

    /// Equal in everything but the wall-clock figure.
    pub fn deterministic_eq(&self, other: &RunSummary) -> bool {
        let mut a = self.clone();
        a.wall_time_ms = other.wall_time_ms;
        &a == other
    }

    /// One line per failed check: `check [export]: message`.
    pub fn failure_lines(&self) -> Vec<String> {
        self.failures
            .iter()
            .map(|f| {
                let export = f
                    .export
                    .as_deref()
                    .map(|e| format!(" [{e}]"))
                    .unwrap_or_default();
                format!("{}{export}: {}", f.check, f.message)
            })
            .collect()
    }
}
