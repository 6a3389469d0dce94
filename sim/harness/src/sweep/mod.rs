//! Sweeps: every scenario of a set with every seed of a range, in parallel, sharded, with a
//! replayable failure record per failure, and `repro` of such a record. Declares and
//! re-exports only.

pub mod failure_record;
pub mod merge;
pub mod results;
pub mod schedule;
pub mod shard_env;

pub use schedule::{
    run_sweep, run_sweep_plainly, RunDone, SeedRange, Shard, SweepError, SweepHooks, SweepPlan,
    SweepResult, JOBS_MAX, RUNS_KEPT_MAX, SEED_SPAN_MAX,
};
