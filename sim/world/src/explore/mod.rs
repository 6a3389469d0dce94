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

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scenarios/swarm-random-actions-two-groups.yaml"
        );
        rpsim_scenario::load_scenario(std::path::Path::new(path)).expect("the scenario loads")
    }

    #[test]
    fn expansion_is_a_pure_function_of_the_seed() {
        let original = scenario();
        let (a, drawn_a) = expand(&original, 11);
        let (b, drawn_b) = expand(&original, 11);
        assert_eq!(a, b);
        assert_eq!(drawn_a, drawn_b);
        let (c, _) = expand(&original, 12);
        assert_ne!(a.timeline, c.timeline, "another seed draws other actions");
    }

    #[test]
    fn the_expanded_scenario_has_no_section_left_and_validates() {
        let original = scenario();
        for seed in 1..30 {
            let (out, drawn) = expand(&original, seed);
            assert!(!has_exploration(&out));
            assert!(drawn.swarm.is_some() && drawn.random_actions.is_some());
            let added = out.timeline.len() - original.timeline.len();
            assert_eq!(
                drawn.random_actions.as_ref().map(|a| a.entries),
                Some(added)
            );
            let problems = rpsim_scenario::validate(&out);
            assert!(problems.is_empty(), "seed {seed}: {problems:#?}");
            let bandwidth = out.storage.bandwidth.bytes_per_s();
            assert!((1 << 20..=40 << 20).contains(&bandwidth), "{bandwidth}");
        }
    }

    #[test]
    fn a_scenario_without_sections_is_unchanged() {
        let mut plain = scenario();
        plain.swarm = None;
        plain.random_actions = None;
        let (out, drawn) = expand(&plain, 5);
        assert_eq!(out, plain);
        assert!(drawn.is_empty());
        assert_eq!(drawn.short(), "");
    }
}
