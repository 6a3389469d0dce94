//! `rpsim merge`: its arguments and the call into `rpsim_harness::commands::merge`.

use rpsim_harness::commands::merge::{merge, MergeRequest};
use rpsim_harness::reporter::{Fanout, ReportFiles};
use rpsim_harness::Outcome;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Result files of the shards of one sweep (`rpsim sweep --results FILE`), any order.
    #[arg(required = true, value_name = "RESULTS")]
    pub inputs: Vec<PathBuf>,
    /// Write a JUnit XML report (one test case per run of the whole sweep).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a summary table: Markdown, or HTML when FILE ends in `.html`.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Write the merged runs as one result file (an existing file is never overwritten).
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// Report what the files hold even when a shard or some of its runs are missing (flagged
    /// in the output and the reports); without it, an incomplete merge is refused (exit 2).
    #[arg(long)]
    pub allow_incomplete: bool,
}

pub fn call(args: MergeArgs, reporter: &mut Fanout) -> Outcome {
    reporter.push(Box::new(ReportFiles::new(None, args.junit, args.summary)));
    let request = MergeRequest {
        inputs: args.inputs,
        results: args.results,
        allow_incomplete: args.allow_incomplete,
    };
    merge(&request, reporter)
}
