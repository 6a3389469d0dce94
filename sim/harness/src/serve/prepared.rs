//! [`Prepared`]: the scenario a session serves, its exploration sections (`swarm`,
//! `random_actions`) drawn at the session's seed exactly as `rpsim run` draws them, so a served
//! world is the world `run` simulates at that seed. Owns that one step; it must never start a
//! session or change what was drawn.

use rpsim_scenario::model::Scenario;
use rpsim_world::explore::{self, Drawn};

/// A scenario ready to serve: expanded at `seed`.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The scenario with its exploration sections replaced by the values drawn.
    pub scenario: Scenario,
    /// What the seed drew (empty when the scenario has no exploration section).
    pub drawn: Drawn,
    /// The session's seed: `seed` when given, else the scenario's own.
    pub seed: u64,
}

/// Expands `scenario` at `seed` (its own seed when `None`), as the runner does before a run.
pub fn prepare(scenario: &Scenario, seed: Option<u64>) -> Prepared {
    let seed = rpsim_scenario::effective_seed(scenario, seed);
    let (expanded, drawn) = explore::expand(scenario, seed);
    assert!(!explore::has_exploration(&expanded));
    Prepared {
        scenario: expanded,
        drawn,
        seed,
    }
}
