//! The scenario crate's integration tests, as one binary (one link instead of one per file):
//! loading and its limits, the refusal of every file in `scenarios/invalid/`, the semantic rules
//! one by one, robustness against hostile input and the bounds on nesting and aliases. Shared fixtures live in `tests/data/`.

mod invalid_scenarios;
mod load;
mod nesting;
mod robustness;
mod shape;
mod validate_rules;
