//! The list of scenario tests `tests/scenarios.rs` makes: one per suite scenario at its own
//! seed, or one per (scenario, seed) when `RPSIM_SEED`/`RPSIM_SEEDS` name seeds. Shared by that
//! binary and `tests/harness/test_seeds.rs` (which checks it); it must never run anything.

use rpsim_harness::suite::scenario_stem;
use std::path::PathBuf;

/// One scenario test: its name, its file and the seed it runs with (`None`: the scenario's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioTest {
    pub name: String,
    pub file: PathBuf,
    pub seed: Option<u64>,
}

/// The tests of `files`: `scenario::<stem>`, or `scenario::<stem>::seed=<S>` per seed given.
pub fn scenario_tests(files: &[PathBuf], seeds: Option<&[u64]>) -> Vec<ScenarioTest> {
    let mut tests = Vec::new();
    for file in files {
        let stem = scenario_stem(file);
        match seeds {
            None => tests.push(ScenarioTest {
                name: format!("scenario::{stem}"),
                file: file.clone(),
                seed: None,
            }),
            Some(seeds) => tests.extend(seeds.iter().map(|seed| ScenarioTest {
                name: format!("scenario::{stem}::seed={seed}"),
                file: file.clone(),
                seed: Some(*seed),
            })),
        }
    }
    tests
}
