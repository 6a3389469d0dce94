//! The command line of `rpsim`, as clap types. Owns argument names, defaults and help text; it
//! must never run anything.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Deterministic simulator and test harness for Hyper-V's collection reference point export job.
#[derive(Debug, Parser)]
#[command(name = "rpsim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenarios (default: every `*.yaml` directly inside `scenarios/`) and check them.
    Run(RunArgs),
    /// Load and validate scenario files without running them.
    Validate {
        /// Scenario files or directories.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Rebuild disk images from a full export and its chain of differentials.
    Restore(RestoreArgs),
    /// Verify that a directory holds a complete export (manifest, sizes, checksums, logs).
    Verify {
        /// The export directory.
        export_dir: PathBuf,
    },
    /// Measure export throughput against machine baselines; save and compare records.
    Bench(crate::bench_args::BenchArgs),
    /// Run scenarios with every seed of a range, in parallel; save a record per failure.
    Sweep(crate::sweep_args::SweepArgs),
    /// Replay a failure record; exit 0 when the same checks fail with the same trace hash.
    Repro(crate::sweep_args::ReproArgs),
    /// Stop each export job after each of its target operations (crash, kill, terminate) and
    /// check that what is left is a complete export that restores, or nothing a reader accepts.
    Crashpoints(crate::crashpoints_args::CrashpointsArgs),
    /// Turn a failing seed into a small scenario with no randomness that fails the same way.
    Minimize(crate::minimize_args::MinimizeArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario files or directories (directories contribute their `*.yaml` files, sorted).
    pub scenarios: Vec<PathBuf>,
    /// Seed for every scenario; overrides the scenario's own `seed`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Write the event trace as JSON lines (one file; with several scenarios, one file per
    /// scenario named `FILE.<scenario>.jsonl`).
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Write per scenario and per export: the final job object, the call's return code and the
    /// GetErrorEx chain, as JSON.
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Keep each scenario's export directories under DIR/<scenario>/ instead of a temporary
    /// directory that is removed after the run. DIR must not exist or be empty.
    #[arg(long, value_name = "DIR")]
    pub keep_exports: Option<PathBuf>,
    /// Write a JUnit XML report (one test case per scenario run).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a summary table: Markdown, or HTML when FILE ends in `.html`.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Print only failures and the final summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Switch on one of the export job's planted bugs by name, to see the checks catch it
    /// (debug builds with `--features planted-bugs` only; otherwise exit 2).
    #[arg(long, value_name = "NAME")]
    pub plant_bug: Option<String>,
    /// Write each suite scenario's golden listing (fixtures/goldens/<scenario>.golden) instead
    /// of comparing with it, and print what changed. Refused when CI=true.
    #[arg(long)]
    pub bless: bool,
    /// Run each scenario twice with the same seed and fail when the traces differ (names the
    /// first differing event and prints both records).
    #[arg(long)]
    pub check_determinism: bool,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// Output directory for the `.raw` images (created; must be empty if it exists).
    #[arg(long, short)]
    pub out: PathBuf,
    /// The full export directory, then each differential in order.
    #[arg(required = true)]
    pub exports: Vec<PathBuf>,
}
