//! `RPSIM_SEED` / `RPSIM_SEEDS` under `cargo test`: the scenario tests become one per
//! (scenario, seed) with the seed in the name, each runs with that seed (its golden skipped
//! unless the seed is the scenario's own), and `run`/`sweep --filter GLOB` pick scenarios by
//! name (exit 2 when nothing matches).

#[path = "../support/scenario_tests.rs"]
mod scenario_tests;

use rpsim_harness::runner::{run_scenario_file, RunOptions};
use rpsim_harness::suite::filter::test_seeds_from_env;
use rpsim_harness::suite::goldens::{GoldenOptions, GoldenStatus};
use scenario_tests::scenario_tests;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn rpsim_seeds_makes_one_test_per_seed_that_runs_with_that_seed() {
    let files = vec![root().join("scenarios/kill-mid-copy.yaml")];
    let lookup = |name: &str| (name == "RPSIM_SEEDS").then(|| "5..7".to_string());
    let seeds = test_seeds_from_env(&lookup, files.len()).unwrap();
    let tests = scenario_tests(&files, seeds.as_deref());
    let names: Vec<&str> = tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "scenario::kill-mid-copy::seed=5",
            "scenario::kill-mid-copy::seed=6"
        ]
    );
    let plain = scenario_tests(&files, None);
    assert_eq!(plain[0].name, "scenario::kill-mid-copy");
    assert_eq!(plain[0].seed, None);
    let mut hashes = Vec::new();
    for test in &tests {
        let options = RunOptions {
            seed: test.seed,
            golden: Some(GoldenOptions::at_root(root(), false)),
            ..RunOptions::default()
        };
        let run = run_scenario_file(&test.file, &options).unwrap();
        assert_eq!(Some(run.seed), test.seed);
        assert!(run.passed(), "{:?}", run.checks.failures);
        assert!(
            matches!(run.golden, GoldenStatus::Skipped { .. }),
            "golden compared at another seed: {:?}",
            run.golden
        );
        hashes.push(run.outcome.trace_hash.clone());
    }
    assert_ne!(hashes[0], hashes[1], "two seeds gave one run");
}

fn rpsim(args: &[&str]) -> (i32, String) {
    super::support::rpsim_in(root(), args, &[])
}

#[test]
fn run_and_sweep_filter_scenarios_by_name_glob() {
    let (code, text) = rpsim(&["run", "--filter", "target-io-*", "-q"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("4 passed"), "{text}");
    let results = tempfile::tempdir().unwrap();
    let file = results.path().join("r.jsonl");
    let file = file.to_str().unwrap();
    let args = [
        "sweep",
        "--filter",
        "target-io-error-s*",
        "--filter",
        "kill-*",
    ];
    let (code, text) = rpsim(&[&args[..], &["--seeds", "1..2", "--results", file]].concat());
    assert_eq!(code, 0, "{text}");
    let header = rpsim_harness::sweep::results::read(Path::new(file))
        .unwrap()
        .header;
    let names: Vec<PathBuf> = header.scenarios.iter().map(|p| p.to_path_buf()).collect();
    // The suite's files whose names the two globs match, listed independently of globset.
    let mut expected: Vec<PathBuf> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".yaml"))
        .filter(|n| n.starts_with("kill-") || n.starts_with("target-io-error-s"))
        .map(|n| PathBuf::from("scenarios").join(n))
        .collect();
    expected.sort();
    assert!(expected.contains(&PathBuf::from("scenarios/kill-mid-copy.yaml")));
    assert!(!expected.contains(&PathBuf::from("scenarios/target-io-error-write.yaml")));
    assert_eq!(names, expected);
    let (code, text) = rpsim(&["run", "--filter", "no-such-*"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("no scenario name matches --filter no-such-*"),
        "{text}"
    );
    let (code, text) = rpsim(&["sweep", "--filter", "[", "--seeds", "1..2"]);
    assert_eq!(code, 2, "{text}");
}
