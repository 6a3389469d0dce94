//! Determinism as users rely on it: the same scenario and seed give the same trace hash, run
//! after run and in different directories; another seed gives another hash where the scenario
//! draws randomness. `--check-determinism` says so in `run`'s line, and in a sweep makes the
//! sampled seeds' runs twice, a divergence failing the run at its first differing event.

use rpsim_harness::runner::determinism::{record_comparison, DETERMINISM_CHECK};
use rpsim_harness::runner::{run_scenario_file, RunOptions, RunSummary};
use rpsim_harness::sweep::failure_record::FailureRecord;
use rpsim_harness::sweep::{run_sweep_plainly, SeedRange, Shard, SweepPlan};
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

fn kept_run(file: &Path, seed: u64) -> rpsim_harness::runner::ScenarioRun {
    let options = RunOptions {
        seed: Some(seed),
        keep_trace: true,
        ..RunOptions::default()
    };
    run_scenario_file(file, &options).expect("scenario runs")
}

#[test]
fn a_second_run_that_diverges_fails_the_determinism_check_at_its_first_differing_event() {
    let file = scenario("random-faults.yaml");
    let mut first = kept_run(&file, 9);
    let same = kept_run(&file, 9);
    record_comparison(&mut first, Ok(same));
    assert!(first.passed(), "{:?}", first.checks.failures);
    assert_eq!(rpsim_harness::runner::determinism::held(&first), Some(true));
    // Another seed stands in for a run that went another way.
    let mut first = kept_run(&file, 9);
    let other = kept_run(&file, 10);
    record_comparison(&mut first, Ok(other));
    let failure = first
        .checks
        .failures
        .iter()
        .find(|f| f.check == DETERMINISM_CHECK)
        .expect("a determinism failure");
    assert!(
        failure.message.contains("differ at event #"),
        "{}",
        failure.message
    );
    assert!(failure.message.contains("first:  #"), "{}", failure.message);
    assert_eq!(
        rpsim_harness::runner::determinism::held(&first),
        Some(false)
    );
    // Its failure record replays with the check, so the divergence can show again.
    let record = FailureRecord::from_summary(&RunSummary::from_run(&first), None);
    assert!(
        record.repro.ends_with(" --seed 9 --check-determinism"),
        "{}",
        record.repro
    );
}

#[test]
fn run_check_determinism_says_in_its_line_that_it_checked() {
    let file = scenario("kill-mid-copy.yaml");
    let file = file.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (code, text) =
        super::support::rpsim_in(dir.path(), &["run", file, "--check-determinism"], &[]);
    assert_eq!(code, 0, "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("PASS kill-mid-copy"))
        .expect("run line");
    assert!(
        line.contains(" determinism=same storage=memory speed="),
        "{line}"
    );
    let (code, text) = super::support::rpsim_in(dir.path(), &["run", file], &[]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("determinism="), "{text}");
}

fn determinism_plan(sample: Option<u64>) -> SweepPlan {
    SweepPlan {
        files: vec![scenario("random-faults.yaml")],
        seeds: SeedRange::parse("1..5").unwrap(),
        shard: Shard::WHOLE,
        jobs: 2,
        fail_fast: false,
        keep_passed: true,
        plant_bug: None,
        determinism_sample: sample,
    }
}

#[test]
fn a_sweep_makes_the_sampled_seeds_runs_twice_and_changes_nothing_else() {
    let once = run_sweep_plainly(&determinism_plan(None)).unwrap();
    let sampled = run_sweep_plainly(&determinism_plan(Some(2))).unwrap();
    assert_eq!(once.determinism_checked, 0);
    assert_eq!(sampled.determinism_checked, 2, "seeds 1 and 3 of 1..5");
    assert_eq!(once.kept.len(), 4);
    for (a, b) in once.kept.iter().zip(&sampled.kept) {
        assert_eq!((a.seed, &a.trace_hash), (b.seed, &b.trace_hash));
        assert!(b.passed(), "{:?}", b.failures);
        let extra = u64::from(a.seed % 2 == 1);
        assert_eq!(b.checks_passed, a.checks_passed + extra, "seed {}", a.seed);
    }
}

#[test]
fn sweep_check_determinism_is_counted_in_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario("kill-mid-copy.yaml");
    let args = [
        "sweep",
        file.to_str().unwrap(),
        "--seeds",
        "1..4",
        "--jobs",
        "1",
    ];
    let with = [
        &args[..],
        &["--check-determinism", "--determinism-sample", "2"],
    ]
    .concat();
    let (code, text) = super::support::rpsim_in(dir.path(), &with, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(
            "determinism: 2 runs made twice and compared (seeds 1, 3, ...: one in 2), 0 diverged"
        ),
        "{text}"
    );
    let without_flag = [&args[..], &["--determinism-sample", "2"]].concat();
    let (code, text) = super::support::rpsim_in(dir.path(), &without_flag, &[]);
    assert_eq!(code, 2, "a sample needs the check: {text}");
}
