//! The reporter for people: one greppable line per run or problem on stdout, errors on stderr,
//! a progress bar on a terminal, every piece of text from input escaped. Declares and
//! re-exports only.

mod coverage;
mod merged;
mod reporter;
mod review;
mod runs;
mod scenario_error;
mod sweeps;
mod tools;

pub use reporter::HumanReporter;
pub use scenario_error::render_scenario_error;
