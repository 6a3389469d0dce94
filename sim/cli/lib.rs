//! The orchestration library behind the `rpsim` binary: finding scenario files, running and
//! checking them, and the reports. Owns what the CLI and the integration tests share; it must
//! never print (the binary decides how to show results).

pub mod args;
pub mod report_json;
pub mod runner;
pub mod suite;
