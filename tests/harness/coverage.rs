//! Coverage probes as the suite and users rely on them: the suite at its own seeds reaches every
//! probe `scenarios/required-probes.txt` lists; counting probes never changes a run (the same
//! trace hash with and without observation, for every suite scenario); and `rpsim coverage`,
//! `run --coverage` and `sweep --coverage` report what was hit, exit 1 for a required probe
//! never hit and 2 for a list naming no probe. Owns these checks; it must never edit the list.

use super::support::rpsim_in;
use rpsim_harness::coverage::{read_required, Coverage};
use rpsim_harness::runner::{run_scenario_file, RunOptions, RunSummary};
use rpsim_harness::suite::discover::discover;
use rpsim_world::RunConfig;
use std::path::{Path, PathBuf};

/// The JSON document at `path`.
fn json_at(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// (runs hitting it, first seed) of `probe` in a `--coverage` document.
fn runs_and_first_seed(doc: &serde_json::Value, probe: &str) -> (Option<u64>, Option<u64>) {
    let rows = doc["probes"].as_array().unwrap();
    let row = rows.iter().find(|r| r["probe"] == probe).unwrap();
    (row["runs"].as_u64(), row["first"]["seed"].as_u64())
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The trace hash of `file` at its own seed, run by the world alone with probes `observed`.
fn world_trace_hash(file: &Path, observed: bool) -> (String, u32) {
    let scenario = rpsim_scenario::load_scenario(file).expect("suite scenarios load");
    let seed = rpsim_scenario::effective_seed(&scenario, None);
    // The exploration sections drawn as the harness draws them, so both run the same scenario.
    let (scenario, _) = rpsim_world::explore::expand(&scenario, seed);
    let scratch = tempfile::tempdir().unwrap();
    let config = RunConfig {
        seed,
        fs: std::sync::Arc::new(rpsim_vfs::RealFs),
        export_root: scratch.path().join("exports"),
        keep_trace_records: false,
        observe_probes: observed,
    };
    std::fs::create_dir(&config.export_root).unwrap();
    let outcome = rpsim_world::run(&scenario, &config).expect("suite scenarios run");
    let hits = outcome.probes.hit_probes().map(|(_, n)| n).sum();
    (outcome.trace_hash, hits)
}

#[test]
fn the_suite_at_its_own_seeds_reaches_every_required_probe_and_observing_changes_nothing() {
    let required = read_required(&root().join("scenarios/required-probes.txt"))
        .expect("the list names catalogue probes only");
    assert!(!required.is_empty());
    let mut coverage = Coverage::default();
    for file in discover(&[root().join("scenarios")]).unwrap() {
        let run = run_scenario_file(&file, &RunOptions::default()).expect("suite scenarios run");
        let summary = RunSummary::from_run(&run);
        coverage.add_run(&run.name, &run.file, run.seed, &summary.probes);
        let (unobserved, none) = world_trace_hash(&file, false);
        let (observed, hits) = world_trace_hash(&file, true);
        assert_eq!(none, 0, "{}: an unobserved run counts nothing", run.name);
        assert_eq!(
            unobserved, observed,
            "{}: observing probes changed the run",
            run.name
        );
        assert_eq!(observed, run.outcome.trace_hash, "{}", run.name);
        let summed: u32 = summary.probes.values().sum();
        assert_eq!(
            hits, summed,
            "{}: the same hits through the harness",
            run.name
        );
    }
    let missing: Vec<&str> = coverage
        .missing(&required)
        .iter()
        .map(|p| p.name())
        .collect();
    assert!(
        missing.is_empty(),
        "required probes the suite no longer reaches: {missing:?}"
    );
}

#[test]
fn rpsim_coverage_fails_on_a_required_probe_never_hit_and_refuses_an_unknown_name() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/kill-mid-copy.yaml");
    let scenario = scenario.to_str().unwrap();
    std::fs::write(
        dir.path().join("ok.txt"),
        "cancel.kill_copying # the kill\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("never.txt"), "job.failed_finalising\n").unwrap();
    std::fs::write(dir.path().join("typo.txt"), "\ncancel.kill_copyin\n").unwrap();
    let (code, text) = rpsim_in(
        dir.path(),
        &[
            "coverage",
            scenario,
            "--required",
            "ok.txt",
            "--coverage",
            "cov.json",
        ],
        &[],
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("cancel.kill_copying"), "{text}");
    assert!(text.contains("NEVER HIT"), "{text}");
    let json = json_at(&dir.path().join("cov.json"));
    assert_eq!(
        runs_and_first_seed(&json, "cancel.kill_copying"),
        (Some(1), Some(1))
    );
    let (code, text) = rpsim_in(
        dir.path(),
        &["coverage", scenario, "--required", "never.txt"],
        &[],
    );
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("required probes never hit: job.failed_finalising"),
        "{text}"
    );
    let (code, text) = rpsim_in(
        dir.path(),
        &["coverage", scenario, "--required", "typo.txt"],
        &[],
    );
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("typo.txt:2: unknown probe `cancel.kill_copyin`"),
        "{text}"
    );
}

#[test]
fn a_sweep_totals_probes_with_first_seeds_and_coverage_reads_its_result_file() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/kill-mid-copy.yaml");
    let scenario = scenario.to_str().unwrap();
    let (code, text) = rpsim_in(
        dir.path(),
        &[
            "sweep",
            scenario,
            "--seeds",
            "3..6",
            "--jobs",
            "2",
            "--results",
            "r.jsonl",
            "--coverage",
            "sweep.json",
        ],
        &[],
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("probes hit over 3 run(s)"), "{text}");
    let sweep = json_at(&dir.path().join("sweep.json"));
    assert_eq!(
        runs_and_first_seed(&sweep, "cancel.kill_copying"),
        (Some(3), Some(3))
    );
    let (code, text) = rpsim_in(
        dir.path(),
        &[
            "coverage",
            "--from",
            "r.jsonl",
            "--required",
            "/dev/null",
            "--coverage",
            "from.json",
        ],
        &[],
    );
    assert_eq!(code, 0, "{text}");
    let from = json_at(&dir.path().join("from.json"));
    assert_eq!(
        from["probes"], sweep["probes"],
        "the result file carries every run's hits"
    );
}
