//! The promoted regression scenarios of `fixtures/regressions/` still catch their planted bug:
//! each one that names a `planted_bug` must fail with that bug planted, with the check (and on
//! the export) its `regression:` record names. (That each passes without the bug is a test of
//! the root package's `scenarios` harness.)

use rpsim_export::planted::PlantedBug;
use rpsim_harness::minimize::probe::run_once;
use rpsim_harness::minimize::signature::FailureSignature;
use std::path::PathBuf;

fn regression_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/regressions");
    rpsim_harness::suite::discover(&[dir]).expect("fixtures/regressions/ is readable")
}

#[test]
fn promoted_regressions_fail_with_their_planted_bug() {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for file in regression_files() {
        let scenario = rpsim_scenario::load_scenario(&file).expect("regression scenarios load");
        let record = scenario.regression.clone().expect("regression record");
        let Some(bug_name) = &record.planted_bug else {
            continue;
        };
        let bug = PlantedBug::from_name(bug_name)
            .unwrap_or_else(|| panic!("{}: unknown planted bug {bug_name}", file.display()));
        let wanted = FailureSignature {
            check: record.check.clone(),
            export: record.export.clone(),
        };
        let verdict = run_once(&file, &scenario, None, Some(bug), None);
        if !verdict.fails_with(&wanted) {
            problems.push(format!(
                "{}: with {bug_name} planted, expected check {wanted} to fail; got {verdict:?}",
                file.display()
            ));
        }
        checked.push(bug_name.clone());
    }
    std::panic::set_hook(previous_hook);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    println!("regressions checked with their bug: {}", checked.join(", "));
}

/// `rpsim minimize` on planted bugs found by a sweep: at most ten timeline entries, failing
/// with the bug at several seeds and passing without it, and the same file on a second run
/// (also when the failure's message names a scratch directory, as `shared-disk-twice`'s does).
#[test]
fn minimizing_a_planted_bug_is_small_and_deterministic() {
    let cases = [
        (
            "chain-of-differentials.yaml",
            PlantedBug::DropBoundaryExtent,
            "restore",
        ),
        (
            "shared-disk-guest-cluster.yaml",
            PlantedBug::SharedDiskTwice,
            "invariant",
        ),
    ];
    for (scenario, bug, check) in cases {
        minimize_twice(scenario, bug, check);
    }
}

fn minimize_twice(scenario: &str, bug: PlantedBug, check: &str) {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(scenario);
    let request = rpsim_harness::minimize::Request {
        scenario: rpsim_scenario::load_scenario(&file).expect("suite scenario loads"),
        file,
        seed: 1,
        bug: Some(bug),
        check: None,
        runs_max: rpsim_harness::minimize::RUNS_MAX_DEFAULT,
        time_max: None,
        interrupt: None,
        name: None,
    };
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let first = rpsim_harness::minimize::minimize(&request);
    let second = rpsim_harness::minimize::minimize(&request);
    std::panic::set_hook(previous_hook);
    let (first, second) = (first.expect("minimizes"), second.expect("minimizes again"));
    assert_eq!(first.wanted.check, check, "{scenario}");
    assert!(first.before.events > 50, "{scenario}: {:?}", first.before);
    assert!(first.after.events <= 10, "{scenario}: {:?}", first.after);
    assert_eq!(first.also_at_seeds, vec![1, 2], "{scenario}");
    assert!(first.spent.is_none(), "{scenario}");
    assert_eq!(
        first.yaml, second.yaml,
        "{scenario}: same input, same output"
    );
    let without = run_once(&request.file, &first.scenario, None, None, None);
    assert_eq!(
        without,
        rpsim_harness::minimize::signature::Verdict::Passed,
        "{scenario}"
    );
}
