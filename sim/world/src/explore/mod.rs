//! Exploration: turns a scenario's `swarm` and `random_actions` sections and a seed into an
//! ordinary scenario with neither section, whose drawn values are fixed (storage, workloads,
//! `random_faults`, extra timeline entries), plus a [`Drawn`] account of what was drawn for
//! the run line, the report and failure records. The run then goes through the one simulation
//! path every scenario takes. Owns that expansion; it must never run anything, read a clock or
//! draw from a stream other than its own two (`swarm`, `random_actions`), so adding either
//! section never shifts another subsystem's draws.

mod actions;
mod swarm;

pub use actions::{ActionsDrawn, ACTION_NAME_PREFIX};
pub use swarm::{SwarmDrawn, WorkloadDrawn};

use crate::rng::Streams;
use rpsim_scenario::model::Scenario;
use serde::Serialize;

/// What a seed drew for a scenario's exploration sections.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Drawn {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swarm: Option<SwarmDrawn>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub random_actions: Option<ActionsDrawn>,
}

impl Drawn {
    /// True when the scenario had neither section.
    pub fn is_empty(&self) -> bool {
        self.swarm.is_none() && self.random_actions.is_none()
    }

    /// One short line for the run line: `swarm[faults=io+slow@0.120/s bw=120MiB/s] actions=14`.
    pub fn short(&self) -> String {
        let mut parts = Vec::new();
        if let Some(swarm) = &self.swarm {
            parts.push(format!("swarm[{}]", swarm.short()));
        }
        if let Some(actions) = &self.random_actions {
            parts.push(format!("actions={}", actions.entries));
        }
        parts.join(" ")
    }
}

/// `scenario` at `seed` with its exploration sections drawn and removed (a clone of the
/// scenario when it has none), and what was drawn.
pub fn expand(scenario: &Scenario, seed: u64) -> (Scenario, Drawn) {
    let mut out = scenario.clone();
    let mut drawn = Drawn::default();
    let streams = Streams::new(seed);
    if let Some(spec) = out.swarm.take() {
        let mut stream = streams.stream("swarm");
        drawn.swarm = Some(swarm::apply(&spec, &mut out, &mut stream));
    }
    if let Some(spec) = out.random_actions.take() {
        let mut stream = streams.stream("random_actions");
        let (entries, account) = actions::draw(&spec, &out, &mut stream);
        out.timeline.extend(entries);
        drawn.random_actions = Some(account);
    }
    (out, drawn)
}

/// True when `scenario` has a section [`expand`] would draw.
pub fn has_exploration(scenario: &Scenario) -> bool {
    scenario.swarm.is_some() || scenario.random_actions.is_some()
}
