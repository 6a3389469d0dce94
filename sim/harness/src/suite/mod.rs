//! The scenario suite: finding scenario files (and filtering them by name), and their golden
//! listings (compare, bless, stale goldens, pending goldens and their review). Declares and
//! re-exports only.

pub mod discover;
pub mod filter;
pub mod goldens;
pub mod review;

pub use discover::{discover, scenario_stem, DEFAULT_SUITE_DIR, SCENARIO_FILES_MAX};
