//! `rpsim crashpoints`: its arguments and the call into `rpsim_harness::commands::crashpoints`.

use rpsim_harness::crashpoints::{CrashPointsOptions, ALL_MODES, CRASH_POINTS_MAX};
use rpsim_harness::reporter::Fanout;
use rpsim_harness::Outcome;
use rpsim_world::observe::StopMode;
use std::path::PathBuf;

/// How each crash point stops the job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CrashModeArg {
    /// The service process dies (no cleanup).
    Crash,
    /// RequestStateChange(Kill).
    Kill,
    /// RequestStateChange(Terminate).
    Terminate,
    /// Each of the three, in that order.
    All,
}

impl CrashModeArg {
    fn modes(self) -> Vec<StopMode> {
        match self {
            CrashModeArg::Crash => vec![StopMode::Crash],
            CrashModeArg::Kill => vec![StopMode::Kill],
            CrashModeArg::Terminate => vec![StopMode::Terminate],
            CrashModeArg::All => ALL_MODES.to_vec(),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CrashpointsArgs {
    #[command(flatten)]
    pub storage: super::storage::StorageArgs,
    /// Scenario files or directories (directories contribute their `*.yaml` files, sorted).
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// How to stop the job at each point.
    #[arg(long, value_enum, default_value = "all")]
    pub mode: CrashModeArg,
    /// Seed for every scenario; overrides the scenario's own `seed`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Most points to try per scenario (at most 20000).
    #[arg(long, default_value_t = CRASH_POINTS_MAX)]
    pub max_points: u64,
    /// Try every N-th target operation of each export (the last one always), for quick sweeps.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub stride: u64,
}

pub fn call(args: &CrashpointsArgs, reporter: &mut Fanout) -> Outcome {
    let storage = match rpsim_harness::runner::storage::Storage::resolve(None, false) {
        Ok(storage) => storage,
        Err(message) => {
            use rpsim_harness::reporter::{HarnessEvent, Reporter};
            reporter.event(&HarnessEvent::Error { message: &message });
            return Outcome::BadInput;
        }
    };
    let options = CrashPointsOptions {
        storage,
        seed: args.seed,
        modes: args.mode.modes(),
        points_max: args.max_points,
        stride: args.stride,
        interrupt: Some(crate::interrupt::install()),
    };
    rpsim_harness::commands::crashpoints::crashpoints(&args.scenarios, &options, reporter)
}
