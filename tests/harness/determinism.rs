//! Determinism as users rely on it: the same scenario and seed give the same trace hash, run
//! after run and in different directories; another seed gives another hash where the scenario
//! draws randomness.

use rpsim_harness::runner::{run_scenario_file, RunOptions};
use std::path::{Path, PathBuf};

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn trace_hash(file: &Path, seed: u64) -> String {
    let options = RunOptions {
        seed: Some(seed),
        ..RunOptions::default()
    };
    let run = run_scenario_file(file, &options).expect("scenario runs");
    assert!(run.passed(), "{:?}", run.checks.failures);
    run.outcome.trace_hash
}

#[test]
fn same_seed_gives_the_same_trace_hash() {
    let file = scenario("random-faults.yaml");
    assert_eq!(trace_hash(&file, 9), trace_hash(&file, 9));
}

#[test]
fn another_seed_gives_another_trace_hash_when_the_scenario_is_random() {
    let file = scenario("random-faults.yaml");
    assert_ne!(trace_hash(&file, 9), trace_hash(&file, 10));
}
