//! `rpsim coverage`: its arguments and the call into `rpsim_harness::commands::coverage`.

use rpsim_harness::commands::coverage::{coverage, CoverageRequest};
use rpsim_harness::reporter::Fanout;
use rpsim_harness::Outcome;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub storage: super::storage::StorageArgs,
    /// Scenario files or directories (default: the built-in suite, unless --from is given).
    pub scenarios: Vec<PathBuf>,
    /// Only scenarios whose name (file stem) matches this glob (repeatable: any of them).
    #[arg(long, value_name = "GLOB")]
    pub filter: Vec<String>,
    /// Run every scenario at every seed of the half-open range A..B (default: each scenario
    /// once, at its own seed).
    #[arg(long, value_name = "A..B")]
    pub seeds: Option<String>,
    /// Worker threads for --seeds (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Count the runs of these sweep result files (`rpsim sweep --results FILE`, or merged
    /// ones) instead of running scenarios (runs named scenarios too when some are given).
    #[arg(long, value_name = "RESULTS", num_args = 1..)]
    pub from: Vec<PathBuf>,
    /// The probes that must be hit, one name per line (default:
    /// scenarios/required-probes.txt when it exists); exit 1 when one is never hit.
    #[arg(long, value_name = "FILE")]
    pub required: Option<PathBuf>,
    /// Also write the table as JSON.
    #[arg(long, value_name = "FILE")]
    pub coverage: Option<PathBuf>,
}

pub fn call(args: CoverageArgs, reporter: &mut Fanout) -> Outcome {
    let request = CoverageRequest {
        scenarios: args.scenarios,
        filter: args.filter,
        seeds: args.seeds,
        jobs: args.jobs,
        from: args.from,
        required: args.required,
        coverage: args.coverage,
        interrupt: Some(crate::interrupt::install()),
    };
    coverage(&request, reporter)
}
