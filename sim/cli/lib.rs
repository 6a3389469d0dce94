//! The orchestration library behind the `rpsim` binary: finding scenario files, running and
//! checking them, and the reports. Owns what the CLI and the integration tests share; it must
//! never print (the binary decides how to show results).

pub mod args;
pub mod bench;
pub mod bench_args;
pub mod bench_record;
pub mod bench_workload;
pub mod crashpoints;
pub mod crashpoints_args;
pub mod determinism;
pub mod exported_bytes;
pub mod failure_record;
pub mod golden_run;
pub mod guarded_run;
pub mod minimize;
pub mod minimize_args;
pub mod plant_bug;
pub mod report_json;
pub mod report_junit;
pub mod report_summary;
pub mod run_summary;
pub mod runner;
pub mod suite;
pub mod sweep;
pub mod sweep_args;
