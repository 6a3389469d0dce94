//! One library call per `rpsim` subcommand: each takes typed options and a
//! [`crate::reporter::Reporter`], does the work through the other modules, reports what
//! happened as events and returns an [`crate::Outcome`]. The binary only parses arguments into
//! these options. Declares and re-exports only.

pub mod bench;
pub mod coverage;
pub mod coverage_file;
pub mod crashpoints;
pub mod export_reader;
pub mod merge;
pub mod minimize;
pub mod review;
pub mod run;
pub mod scratch_notice;
pub mod sweep;
pub mod validate;
