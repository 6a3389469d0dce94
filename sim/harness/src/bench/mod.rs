//! `rpsim bench`: export and restore throughput measured against baselines of the same machine
//! in the same run (and the cost curve), the saved records and their comparison, and the
//! workloads the criterion benches share.
//! Declares and re-exports only.

pub mod chart;
pub mod curve;
pub mod measure;
pub mod plan;
pub mod record;
pub mod restore;
pub mod rsync;
pub mod spread;
pub mod workload;

pub use measure::{mib, run_bench, BenchPlan};
