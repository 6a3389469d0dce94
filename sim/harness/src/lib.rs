//! rpsim-harness: the library behind the `rpsim` binary, for anyone who runs rpsim from their
//! own code or tests. Owns running scenarios with their checks (`runner`), the suite and its
//! goldens (`suite`), seed sweeps (`sweep`), crash points (`crashpoints`), minimizing a
//! failing seed (`minimize`), reports (`reporter`), benchmarks (`bench`) and client sessions
//! (`serve`); `commands` holds
//! the one library call behind each `rpsim` subcommand. It never parses
//! command-line arguments and never prints except through a [`reporter::Reporter`].

pub mod bench;
pub mod commands;
pub mod coverage;
pub mod crashpoints;
pub mod minimize;
pub mod outcome;
pub mod reporter;
pub mod runner;
pub mod serve;
pub mod suite;
pub mod sweep;
pub mod timeline;

pub use outcome::Outcome;
