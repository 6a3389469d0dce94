//! The scenario suite: finding scenario files (and filtering them by name), running a set of them as `rpsim run` does, and
//! their golden listings (compare, bless, stale goldens). Declares and re-exports only.

pub mod discover;
pub mod filter;
pub mod goldens;

pub use discover::{discover, scenario_stem, DEFAULT_SUITE_DIR, SCENARIO_FILES_MAX};
