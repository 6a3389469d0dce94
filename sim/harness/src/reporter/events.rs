//! What the harness's commands report, as events, and the [`Reporter`] trait that consumes
//! them. Owns the vocabulary between the commands and the renderers; it must never format
//! text for people (that is [`super::human`]) nor decide an outcome.

use crate::bench::record::{BenchRecord, FigureChange};
use crate::coverage::Coverage;
use crate::crashpoints::{CrashPointProgress, CrashPointsSummary};
use crate::minimize::probe::BudgetSpent;
use crate::minimize::Minimized;
use crate::runner::{RunFailure, RunSummary, ScenarioRun};
use crate::suite::review::PendingGolden;
use crate::sweep::failure_record::{FailureRecord, ReproVerdict};
use crate::sweep::merge::Merged;
use crate::sweep::{SweepError, SweepPlan, SweepResult};
use rpsim_export::planted::PlantedBug;
use rpsim_restore::{ExportManifest, RestoreSummary};
use rpsim_scenario::ScenarioError;
use std::path::Path;

/// One thing a command did or found, in the order it happened.
#[derive(Debug)]
pub enum HarnessEvent<'a> {
    /// `rpsim run`: one scenario ran and was checked (`quiet`: print failures only).
    RunFinished {
        run: &'a ScenarioRun,
        quiet: bool,
        bless: bool,
        plant_bug: Option<&'a str>,
    },
    /// `rpsim run`: an assertion or a live invariant stopped a scenario before its checks.
    RunStopped {
        file: &'a Path,
        message: &'a str,
        reproduce: &'a str,
    },
    /// A scenario file that could not be run at all (bad input).
    NotRunnable { failure: &'a RunFailure },
    /// The suite has goldens whose scenarios are gone.
    StaleGoldens { message: &'a str },
    /// `rpsim run` is done: every checked run, and the counts of the summary line.
    RunsFinished {
        runs: &'a [ScenarioRun],
        passed: usize,
        failed: usize,
        not_runnable: usize,
    },
    /// `run`, `sweep` (short: one line) and `rpsim coverage` (`table`: every probe): the probes
    /// the runs reached, and the required probes none of them reached.
    Coverage {
        coverage: &'a Coverage,
        missing: &'a [rpsim_probe::Probe],
        table: bool,
    },
    /// `rpsim validate`: a file that loads and validates.
    Valid { file: &'a Path, name: &'a str },
    /// `rpsim validate` (and every command that loads scenarios first): a file that does not.
    Invalid { error: &'a ScenarioError },
    /// `rpsim validate` is done.
    ValidationFinished { valid: usize, invalid: usize },
    /// `rpsim sweep` is about to start.
    SweepStarted { plan: &'a SweepPlan },
    /// One sweep run ended (any worker thread, in completion order: progress only).
    SweepProgress { passed: bool, failed_so_far: u64 },
    /// A failed sweep run, in (scenario, seed) order after the sweep, with its saved record.
    SweepFailure {
        run: &'a RunSummary,
        record: &'a FailureRecord,
        /// `None`: recorded by the interrupted sweep this one resumes.
        saved: Option<Result<&'a Path, &'a str>>,
    },
    /// A sweep run that could not be carried out.
    SweepRunError { error: &'a SweepError },
    /// `rpsim sweep` is done; `wall_s` and the rates are for people only.
    SweepFinished {
        result: &'a SweepResult,
        plan: &'a SweepPlan,
        wall_s: f64,
        /// The result file (one JSON line per run).
        results: Option<&'a Path>,
        /// The command that finishes an interrupted sweep.
        resume: Option<&'a str>,
    },
    /// `rpsim merge`: the shards merged into one sweep; `runs` are its runs that were carried
    /// out (the rest are `verdict: error` lines of `merged.runs`).
    Merged {
        merged: &'a Merged,
        runs: &'a [RunSummary],
        /// The merged result file, when one was written.
        results: Option<&'a Path>,
    },
    /// `rpsim review`: a pending golden and its diff against the golden (`-` golden, `+`
    /// pending; each hunk names its export).
    GoldenPending {
        pending: &'a PendingGolden,
        diff: &'a str,
    },
    /// `rpsim review`: a pending golden was accepted (it is the golden now) or rejected.
    GoldenReviewed {
        pending: &'a PendingGolden,
        accepted: bool,
    },
    /// `rpsim review` is done; `left` pending goldens were only shown or skipped.
    ReviewFinished {
        accepted: usize,
        rejected: usize,
        left: usize,
    },
    /// `rpsim repro`: the replayed run and how it compares with the record.
    Reproduced {
        run: &'a RunSummary,
        record: &'a FailureRecord,
        verdict: ReproVerdict,
    },
    /// `rpsim crashpoints`: a scenario's plan, or one of its points tried (while it runs).
    CrashPointProgress { step: CrashPointProgress<'a> },
    /// `rpsim crashpoints`: one scenario's crash points were tried.
    CrashPoints {
        summary: &'a CrashPointsSummary,
        points_max: u64,
    },
    /// `rpsim crashpoints` is done.
    CrashPointsFinished {
        tried: u64,
        violations: usize,
        not_runnable: usize,
    },
    /// `rpsim minimize` starts.
    MinimizeStarted {
        file: &'a Path,
        seed: u64,
        bug: Option<PlantedBug>,
    },
    /// `rpsim minimize` found its result (`elapsed_s` for people only).
    Minimized {
        minimized: &'a Minimized,
        elapsed_s: f64,
        spent: Option<&'a BudgetSpent>,
        with_bug: bool,
    },
    /// A file a command wrote.
    Wrote { path: &'a Path, what: &'a str },
    /// `rpsim verify`: a complete export.
    Verified {
        dir: &'a Path,
        manifest: &'a ExportManifest,
    },
    /// `rpsim restore`: the images written.
    Restored { summary: &'a RestoreSummary },
    /// `rpsim bench`: a line of progress.
    BenchProgress { line: &'a str },
    /// `rpsim bench`: the measured figures.
    BenchFigures { record: &'a BenchRecord },
    /// `rpsim bench compare`: the change of each figure.
    BenchCompared {
        a: &'a BenchRecord,
        b: &'a BenchRecord,
        threshold_percent: f64,
        changes: &'a [FigureChange],
        regressed: usize,
    },
    /// A line of machine output a parent process reads (`bench rss-child`).
    Data { line: &'a str },
    /// Something a person should know that does not change the outcome.
    Warning { message: &'a str },
    /// Why a command (or part of it) could not be carried out.
    Error { message: &'a str },
}

/// Consumes events. A reporter that writes files reports a write failure from [`finish`].
///
/// [`finish`]: Reporter::finish
pub trait Reporter: Send {
    /// Takes one event.
    fn event(&mut self, event: &HarnessEvent<'_>);

    /// Called once when the command is done; an error names the file that could not be written.
    fn finish(&mut self) -> Result<(), String> {
        Ok(())
    }
}
