//! One scenario run with its checks: loading, simulating with a seed, checking, golden
//! comparison, the guard that turns an assertion into a failed check, planted bugs, the
//! scratch location, the storage backend, the determinism re-run and the compact summary kept by sweeps. Declares and re-exports only.

pub mod determinism;
pub mod exported_bytes;
pub mod guard;
pub mod observed;
pub mod planted_bug;
pub mod program;
pub mod scenario_run;
pub mod scratch;
pub mod storage;
pub mod summary;

pub use scenario_run::{run_scenario, run_scenario_file, RunFailure, RunOptions, ScenarioRun};
pub use summary::RunSummary;
