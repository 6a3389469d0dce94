//! `rpsim sweep` and `rpsim repro`: their arguments and the calls into
//! `rpsim_harness::commands::sweep`.

use rpsim_harness::commands::sweep::{repro, sweep, SweepRequest};
use rpsim_harness::reporter::{Fanout, ReportFiles};
use rpsim_harness::Outcome;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub storage: super::storage::StorageArgs,
    /// Scenario files or directories (default: the built-in suite).
    pub scenarios: Vec<PathBuf>,
    /// Only scenarios whose name (file stem) matches this glob, e.g. 'target-io-*'
    /// (repeatable: any of them).
    #[arg(long, value_name = "GLOB")]
    pub filter: Vec<String>,
    /// Half-open seed range A..B: seeds A, A+1, ..., B-1 (at most 10,000,000 seeds).
    #[arg(long, value_name = "A..B")]
    pub seeds: String,
    /// Worker threads (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Run only shard K of M: the seeds s with (s - A) % M == K - 1. Without it, the shard
    /// comes from RPSIM_SHARD=K/M, JOB_COMPLETION_INDEX with RPSIM_SHARD_COUNT (Kubernetes), or
    /// SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT (Slurm), when set.
    #[arg(long, value_name = "K/M")]
    pub shard: Option<String>,
    /// Stop scheduling new runs after the first failure.
    #[arg(long, conflicts_with = "keep_going")]
    pub fail_fast: bool,
    /// Run everything even after failures (the default).
    #[arg(long)]
    pub keep_going: bool,
    /// Directory for failure records (an existing record is never overwritten).
    #[arg(long, value_name = "DIR", default_value = "reports/failures")]
    pub records: PathBuf,
    /// Write a JUnit XML report (one test case per run).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a summary table: Markdown, or HTML when FILE ends in `.html`.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Run every scenario with this planted bug switched on, to find seeds that expose it
    /// (debug builds with `--features rpsim-export/planted-bugs` only; otherwise exit 2).
    #[arg(long, value_name = "NAME")]
    pub plant_bug: Option<String>,
    /// Write one JSON line per run here (default: reports/sweep-results.jsonl, or the first
    /// free -N name; an existing file is never overwritten).
    #[arg(long, value_name = "FILE", conflicts_with = "resume")]
    pub results: Option<PathBuf>,
    /// Finish an interrupted sweep: skip the runs in its result FILE and append the rest to it
    /// (the other arguments must be the same as the first time).
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,
    /// Make each run twice with the same seed and compare the two traces event by event; a
    /// difference fails the run's `determinism` check, naming the first divergent event.
    #[arg(long)]
    pub check_determinism: bool,
    /// With --check-determinism, make only the runs of seeds A, A+N, A+2N, ... twice (the
    /// same seeds whatever the shard).
    #[arg(long, value_name = "N", requires = "check_determinism")]
    pub determinism_sample: Option<u64>,
    /// Write the coverage of the probe catalogue (per probe: hits, runs hitting it, first
    /// seed and scenario; the never-hit probes) as JSON.
    #[arg(long, value_name = "FILE")]
    pub coverage: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ReproArgs {
    /// A failure record written by `rpsim sweep` (`reports/failures/<scenario>-seed<S>.json`).
    pub record: PathBuf,
}

pub fn call(args: SweepArgs, reporter: &mut Fanout) -> Outcome {
    let files = ReportFiles::new(None, args.junit, args.summary);
    let request = SweepRequest {
        scenarios: args.scenarios,
        filter: args.filter,
        seeds: args.seeds,
        shard: args.shard,
        environment: std::env::vars().collect(),
        jobs: args.jobs,
        fail_fast: args.fail_fast,
        records: args.records,
        keep_passed: files.keeps_runs(),
        plant_bug: args.plant_bug,
        results: args.results,
        resume: args.resume,
        interrupt: Some(crate::interrupt::install()),
        check_determinism: args.check_determinism,
        determinism_sample: args.determinism_sample,
        coverage: args.coverage,
    };
    reporter.push(Box::new(files));
    sweep(&request, reporter)
}

pub fn call_repro(args: &ReproArgs, reporter: &mut Fanout) -> Outcome {
    repro(&args.record, reporter)
}
