//! Which seed a run uses: the CLI's, else the scenario's, else a fixed default. Owns that
//! precedence only; it must never draw random numbers.

use crate::model::Scenario;

/// Seed of a run when neither the CLI nor the scenario gives one.
pub const SEED_DEFAULT: u64 = 1;

/// The seed for a run of `scenario`: `cli_seed` wins, then the scenario's `seed`, then
/// [`SEED_DEFAULT`].
pub fn effective_seed(scenario: &Scenario, cli_seed: Option<u64>) -> u64 {
    cli_seed.or(scenario.seed).unwrap_or(SEED_DEFAULT)
}
