//! The orchestration library behind the `rpsim` binary: commands, runs and reports.
