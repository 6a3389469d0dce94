//! `rpsim minimize` end to end on a scenario that fails without any planted bug (a wrong
//! expectation under random writes and random faults): the result has no randomness, at most
//! ten timeline entries, still fails the same check at several seeds, and minimizing again gives
//! the same file byte for byte. Also the refusals: a passing seed, an unknown check.

use rpsim_harness::minimize::signature::{FailureSignature, Verdict};
use rpsim_harness::minimize::{minimize, probe, MinimizeError, Request};
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/minimize/wrong-expectation.yaml")
}

fn request(seed: u64, check: Option<&str>) -> Request {
    let file = fixture();
    Request {
        scenario: rpsim_scenario::load_scenario(&file).expect("fixture loads"),
        file,
        seed,
        bug: None,
        check: check.map(|c| FailureSignature::parse(c).expect("selector")),
        runs_max: 600,
        time_max: None,
        interrupt: None,
        name: None,
    }
}

#[test]
fn a_wrong_expectation_shrinks_to_a_few_entries_without_randomness_deterministically() {
    let first = minimize(&request(3, None)).expect("minimizes");
    assert_eq!(
        first.wanted,
        FailureSignature::parse("expect@diff").unwrap(),
        "the first failure is the wrong expectation on `diff`"
    );
    assert!(first.recorded.writes > 0, "workload writes were recorded");
    assert!(first.recorded.fills >= 1, "random fills were made explicit");
    assert!(first.before.events > 10, "{:?}", first.before);
    assert!(first.after.events <= 10, "{:?}", first.after);
    assert!(first.after.events < first.before.events);
    let scenario = &first.scenario;
    assert!(scenario.random_faults.is_none() && scenario.seed.is_none());
    let workloads = scenario
        .vm_groups
        .iter()
        .flat_map(|g| &g.vms)
        .filter(|v| v.workload.is_some());
    assert_eq!(workloads.count(), 0, "no workload is left");
    let record = scenario.regression.as_ref().expect("regression record");
    assert_eq!(
        (record.check.as_str(), record.export.as_deref()),
        ("expect", Some("diff"))
    );
    assert_eq!(
        first.also_at_seeds,
        vec![1, 2],
        "no longer depends on the seed"
    );
    // The written text loads back to the same scenario and still fails that way.
    let reloaded = rpsim_scenario::parse_scenario("min.yaml", &first.yaml).expect("output loads");
    assert_eq!(&reloaded, scenario);
    let verdict = probe::run_once(&fixture(), &reloaded, None, None, None);
    assert!(verdict.fails_with(&first.wanted), "{verdict:?}");
    assert!(first.yaml.starts_with("# Written by `rpsim minimize "));
    assert!(
        first.spent.is_none(),
        "finished within the budget: {} runs",
        first.runs
    );
    // Same input, same output.
    let second = minimize(&request(3, None)).expect("minimizes again");
    assert_eq!(second.yaml, first.yaml);
    assert_eq!(second.runs, first.runs);
}

#[test]
fn a_tiny_budget_still_writes_a_reproducing_scenario_and_says_so() {
    let mut small = request(3, None);
    small.runs_max = 5;
    let result = minimize(&small).expect("minimizes within 5 runs");
    assert!(result.spent.is_some(), "the budget was reached");
    let verdict = probe::run_once(&fixture(), &result.scenario, None, None, None);
    assert!(verdict.fails_with(&result.wanted), "{verdict:?}");
}

#[test]
fn a_selector_that_matches_nothing_and_a_passing_scenario_are_refused() {
    let error = minimize(&request(3, Some("restore"))).expect_err("no restore failure");
    assert!(
        matches!(error, MinimizeError::NoSuchCheck { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("expect"), "{error}");
    let mut passing = request(3, None);
    passing.scenario.expect.retain(|e| e.export != "diff");
    let error = minimize(&passing).expect_err("passes");
    assert!(matches!(error, MinimizeError::Passes { .. }), "{error}");
    assert_eq!(
        probe::run_once(&fixture(), &passing.scenario, Some(3), None, None),
        Verdict::Passed
    );
}
