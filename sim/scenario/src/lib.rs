//! Scenario files: the YAML format v1, its units, loading with located errors and semantic
//! validation. Owns everything between a path on disk and a validated [`model::Scenario`]; it
//! must never run anything.

pub mod model;
pub mod units;
