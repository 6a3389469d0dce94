//! `rpsim minimize`: its arguments and the call into `rpsim_harness::commands::minimize`.

use rpsim_harness::commands::minimize::{run, MinimizeRequest};
use rpsim_harness::minimize::RUNS_MAX_DEFAULT;
use rpsim_harness::reporter::Fanout;
use rpsim_harness::Outcome;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct MinimizeArgs {
    #[command(flatten)]
    pub storage: super::storage::StorageArgs,
    /// The scenario file that fails.
    pub scenario: PathBuf,
    /// The seed at which it fails.
    #[arg(long)]
    pub seed: u64,
    /// Where to write the minimized scenario (default: `<name>.yaml` in the current directory).
    /// An existing file is never overwritten.
    #[arg(short = 'o', long = "output", value_name = "OUT.yaml")]
    pub output: Option<PathBuf>,
    /// Keep this failing check: `CHECK` or `CHECK@EXPORT` (default: the run's first failure).
    #[arg(long, value_name = "CHECK[@EXPORT]")]
    pub check: Option<String>,
    /// Minimize a failure caused by this planted bug (debug builds with planted bugs only); a
    /// candidate counts only if it fails with the bug and passes without it.
    #[arg(long, value_name = "NAME")]
    pub plant_bug: Option<String>,
    /// Most candidate runs before stopping with the smallest scenario found so far.
    #[arg(long, value_name = "N", default_value_t = RUNS_MAX_DEFAULT)]
    pub max_runs: u64,
    /// Also stop after this many seconds of wall time (makes the result depend on the machine
    /// when it is reached; off by default).
    #[arg(long, value_name = "SECONDS")]
    pub max_seconds: Option<u64>,
    /// Name of the minimized scenario (default: `<scenario>-seed<S>`, or
    /// `<bug>-in-<scenario>-seed<S>` with a planted bug).
    #[arg(long)]
    pub name: Option<String>,
    /// Also copy the result into `fixtures/regressions/<name>.yaml`, which `cargo test` runs.
    #[arg(long)]
    pub promote: bool,
}

pub fn call(args: MinimizeArgs, reporter: &mut Fanout) -> Outcome {
    let request = MinimizeRequest {
        scenario: args.scenario,
        seed: args.seed,
        output: args.output,
        check: args.check,
        plant_bug: args.plant_bug,
        max_runs: args.max_runs,
        max_seconds: args.max_seconds,
        name: args.name,
        promote: args.promote,
        interrupt: Some(crate::interrupt::install()),
    };
    run(&request, reporter)
}
