//! Proves the harness catches bugs: each planted bug of `rpsim_export::planted` is switched on
//! for one thread, the scenarios that expose it run through the same entry point as `rpsim
//! run`, and at least one check must fail (or an assertion of the job must fire). The same
//! scenarios pass with no bug planted, so a failure is the bug's doing.

use rpsim_export::planted::{self, PlantedBug};
use rpsim_harness::runner::guard::{guarded, Guarded};
use rpsim_planted_bugs::exposing_scenarios;
use std::sync::OnceLock;

/// Per planted bug (catalogue order), its catches, computed once and shared by the per-bug
/// tests and the summary (a slot another thread is filling is waited for, not recomputed).
static CAUGHT: [OnceLock<Vec<String>>; planted::ALL.len()] =
    [const { OnceLock::new() }; planted::ALL.len()];

fn caught(bug: PlantedBug) -> &'static [String] {
    let index = planted::ALL
        .iter()
        .position(|b| *b == bug)
        .expect("catalogued");
    CAUGHT[index].get_or_init(|| all_catches(bug.name(), Some(bug)))
}

/// What caught a bug in one scenario at its own seed: the failed checks (`check: message`),
/// or the panic of an assertion; empty when the run passed.
fn catches(bug: Option<PlantedBug>, file: &str) -> Vec<String> {
    super::exploration::catches_at(bug, file, None)
}

/// The sanitiser bug is also exercised where a hostile name enters the job: allocating a disk
/// log's file name.
fn sanitiser_catches(bug: Option<PlantedBug>) -> Vec<String> {
    let allocate = || {
        let mut stems = rpsim_export::layout::StemAllocator::default();
        let stem = stems.allocate("../../x");
        rpsim_export::layout::disk_log_relative(&stem)
    };
    match guarded(bug, allocate) {
        Guarded::NoPlantedBugs => unreachable!("this package builds with planted bugs"),
        Guarded::Panicked(message) => vec![format!("assertion: {message}")],
        Guarded::Returned(relative) if relative.contains("..") && relative.contains("/../") => {
            vec![format!("escaping path {relative:?} not caught")]
        }
        Guarded::Returned(_) => vec![],
    }
}

/// Every catch of `bug` (or of no bug) over its exposing scenarios, prefixed with the scenario.
/// The sanitiser bug is also exercised at unit level, where the hostile name enters.
fn all_catches(bug_name: &str, bug: Option<PlantedBug>) -> Vec<String> {
    let scenarios = exposing_scenarios(bug_name);
    assert!(!scenarios.is_empty(), "no scenario exposes {bug_name}");
    if let (Some(bug), true) = (bug, rpsim_planted_bugs::found_by_exploration(bug_name)) {
        return super::exploration::sweep_catches(bug);
    }
    let mut all: Vec<String> = scenarios
        .iter()
        .flat_map(|file| {
            catches(bug, file)
                .into_iter()
                .map(move |c| format!("{file}: {c}"))
        })
        .collect();
    if bug_name == PlantedBug::SanitiserDotdot.name() {
        all.extend(
            sanitiser_catches(bug)
                .into_iter()
                .map(|c| format!("unit: {c}")),
        );
    }
    all
}

fn assert_caught(bug: PlantedBug, expected_check: &str) {
    let caught = caught(bug);
    assert!(
        !caught.is_empty(),
        "planted bug `{}` was NOT caught by any check",
        bug.name()
    );
    assert!(
        caught.iter().any(|c| c.contains(expected_check)),
        "planted bug `{}` was caught, but not by `{expected_check}`: {caught:#?}",
        bug.name()
    );
    eprintln!("{} caught by: {}", bug.name(), caught[0]);
}

#[test]
fn drop_boundary_extent_is_caught_by_restore_equivalence() {
    assert_caught(PlantedBug::DropBoundaryExtent, ": restore: ");
}

#[test]
fn read_base_extents_is_caught_by_restore_equivalence() {
    assert_caught(PlantedBug::ReadBaseExtents, ": restore: ");
}

#[test]
fn diff_header_without_base_is_caught_by_restore() {
    assert_caught(PlantedBug::DiffHeaderWithoutBase, ": restore: ");
}

#[test]
fn shared_disk_twice_is_caught_by_manifest_verification() {
    assert_caught(
        PlantedBug::SharedDiskTwice,
        "completed export does not verify",
    );
}

#[test]
fn accept_reset_base_is_caught_by_the_expected_return_code() {
    assert_caught(PlantedBug::AcceptResetBase, ": expect: ");
}

#[test]
fn terminate_leaves_partial_is_caught_by_the_terminated_invariant() {
    assert_caught(
        PlantedBug::TerminateLeavesPartial,
        "Terminated export left files",
    );
}

#[test]
fn manifest_before_data_is_caught_by_a_manifest_invariant() {
    assert_caught(PlantedBug::ManifestBeforeData, "a manifest exists");
}

#[test]
fn exported_before_rename_is_caught_by_the_exported_paths_invariant() {
    assert_caught(PlantedBug::ExportedBeforeRename, "does not exist");
}

#[test]
fn sanitiser_dotdot_is_caught_by_the_layout_assertion() {
    assert_caught(PlantedBug::SanitiserDotdot, "assertion: ");
}

#[test]
fn sanitiser_ntfs_is_caught_by_the_ntfs_target() {
    assert_caught(PlantedBug::SanitiserNtfs, "NTFS refuses");
}

#[test]
fn without_a_planted_bug_the_exposing_scenarios_pass() {
    let mut scenarios: Vec<&str> = planted::ALL
        .iter()
        .flat_map(|b| exposing_scenarios(b.name()).iter().copied())
        .collect();
    scenarios.sort_unstable();
    scenarios.dedup();
    assert!(!scenarios.is_empty());
    // One thread per scenario: this test is otherwise the longest of the file.
    let failing: Vec<(&str, Vec<String>)> = std::thread::scope(|scope| {
        let runs: Vec<_> = scenarios
            .iter()
            .map(|file| (*file, scope.spawn(move || catches(None, file))))
            .collect();
        runs.into_iter()
            .map(|(file, run)| (file, run.join().expect("catches never panics")))
            .filter(|(_, caught)| !caught.is_empty())
            .collect()
    });
    assert!(
        failing.is_empty(),
        "with no bug planted, scenarios fail: {failing:#?}"
    );
    let caught = sanitiser_catches(None);
    assert!(
        caught.is_empty(),
        "with no bug planted, the sanitiser fails: {caught:#?}"
    );
}

#[test]
fn every_planted_bug_is_caught() {
    let mut missed = Vec::new();
    for bug in planted::ALL {
        if caught(bug).is_empty() {
            missed.push(bug.name());
        }
    }
    let total = planted::ALL.len();
    let caught = total - missed.len();
    println!("planted bugs caught: {caught}/{total}");
    assert_eq!(caught, total, "planted bugs not caught: {missed:?}");
}
