//! `rpsim validate`: its arguments and the call into `rpsim_harness::commands::validate`.

use rpsim_harness::reporter::Fanout;
use rpsim_harness::Outcome;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Scenario files or directories.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
}

pub fn call(args: &ValidateArgs, reporter: &mut Fanout) -> Outcome {
    rpsim_harness::commands::validate::validate(&args.scenarios, reporter)
}
