//! The `rpsim crashpoints` arguments, as clap types. Owns their names, defaults and help; it
//! must never run anything.

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
    /// The stop modes this choice tries, in order.
    pub fn modes(self) -> Vec<StopMode> {
        match self {
            CrashModeArg::Crash => vec![StopMode::Crash],
            CrashModeArg::Kill => vec![StopMode::Kill],
            CrashModeArg::Terminate => vec![StopMode::Terminate],
            CrashModeArg::All => crate::crashpoints::ALL_MODES.to_vec(),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CrashpointsArgs {
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
    #[arg(long, default_value_t = crate::crashpoints::CRASH_POINTS_MAX)]
    pub max_points: u64,
    /// Try every N-th target operation of each export (the last one always), for quick sweeps.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub stride: u64,
}
