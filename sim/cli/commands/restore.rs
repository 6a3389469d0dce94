//! `rpsim restore`: its arguments and the call into `rpsim_harness::commands::export_reader`.

use rpsim_harness::reporter::Fanout;
use rpsim_harness::Outcome;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// Output directory for the `.raw` images (created; must be empty if it exists).
    #[arg(long, short)]
    pub out: PathBuf,
    /// The full export directory, then each differential in order.
    #[arg(required = true)]
    pub exports: Vec<PathBuf>,
}

pub fn call(args: &RestoreArgs, reporter: &mut Fanout) -> Outcome {
    rpsim_harness::commands::export_reader::restore(&args.exports, &args.out, reporter)
}
