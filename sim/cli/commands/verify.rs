//! `rpsim verify`: its argument and the call into `rpsim_harness::commands::export_reader`.

use rpsim_harness::reporter::Fanout;
use rpsim_harness::Outcome;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The export directory.
    pub export_dir: PathBuf,
}

pub fn call(args: &VerifyArgs, reporter: &mut Fanout) -> Outcome {
    rpsim_harness::commands::export_reader::verify(&args.export_dir, reporter)
}
