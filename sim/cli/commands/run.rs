//! `rpsim run`: its arguments and the call into `rpsim_harness::commands::run`.

use rpsim_harness::commands::run::{run, RunRequest};
use rpsim_harness::reporter::{Fanout, ReportFiles};
use rpsim_harness::Outcome;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub storage: super::storage::StorageArgs,
    /// Scenario files or directories (directories contribute their `*.yaml` files, sorted).
    pub scenarios: Vec<PathBuf>,
    /// Only scenarios whose name (file stem) matches this glob, e.g. 'target-io-*'
    /// (repeatable: any of them).
    #[arg(long, value_name = "GLOB")]
    pub filter: Vec<String>,
    /// Seed for every scenario; overrides the scenario's own `seed`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Write the event trace as JSON lines (one file; with several scenarios, one file per
    /// scenario named `FILE.<scenario>.jsonl`).
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Draw each run over sim time as a self-contained HTML page (one lane per export: JobState
    /// spans, PercentComplete, RequestStateChange codes, faults; guest writes per disk). With
    /// several scenarios, one file per scenario named `<stem>.<scenario>.html`; an HTML
    /// `--summary` links to them.
    #[arg(long, value_name = "FILE.html")]
    pub timeline: Option<PathBuf>,
    /// Write per scenario and per export: the final job object, the call's return code and the
    /// GetErrorEx chain, as JSON.
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Keep each scenario's export directories under `DIR/<scenario>/` instead of a temporary
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
    /// (debug builds with `--features rpsim-export/planted-bugs` only; otherwise exit 2).
    #[arg(long, value_name = "NAME")]
    pub plant_bug: Option<String>,
    /// Write each suite scenario's golden listing (`fixtures/goldens/<scenario>.golden`) instead
    /// of comparing with it, and print what changed. Refused when CI=true.
    #[arg(long)]
    pub bless: bool,
    /// Run each scenario twice with the same seed and fail when the traces differ (names the
    /// first differing event and prints both records).
    #[arg(long)]
    pub check_determinism: bool,
    /// Write the coverage of the probe catalogue (per probe: hits, runs hitting it, first
    /// seed and scenario; the never-hit probes) as JSON.
    #[arg(long, value_name = "FILE")]
    pub coverage: Option<PathBuf>,
}

pub fn call(args: RunArgs, reporter: &mut Fanout) -> Outcome {
    reporter.push(Box::new(
        ReportFiles::new(args.report_json, args.junit, args.summary)
            .with_timeline(args.timeline.clone()),
    ));
    let request = RunRequest {
        scenarios: args.scenarios,
        filter: args.filter,
        seed: args.seed,
        trace: args.trace,
        timeline: args.timeline,
        keep_exports: args.keep_exports,
        bless: args.bless,
        check_determinism: args.check_determinism,
        plant_bug: args.plant_bug,
        quiet: args.quiet,
        coverage: args.coverage,
    };
    run(&request, reporter)
}
