//! `rpsim minimize`: from a failing (scenario, seed), a small scenario with no randomness that
//! fails the same way. Declares the stages and re-exports the entry point; it holds no code.

pub mod ddmin;
pub mod derandomize;
pub mod probe;
pub mod search;
pub mod shrink;
pub mod signature;
pub mod size;

pub use search::{minimize, result_name, MinimizeError, Minimized, Request, RUNS_MAX_DEFAULT};
