//! The planted bugs only exploration finds (races between two exports, cancel against
//! finalise, chain management, a refusal code in the wrong state): each is caught by a sweep
//! of the exploration scenarios (`swarm` + `random_actions`) within the seed budget
//! `1..=EXPLORATION_SEEDS_MAX`, and the catching run passes with no bug planted, so the catch is
//! the bug's doing.

use rpsim_export::planted::PlantedBug;
use rpsim_harness::runner::guard::{guarded, Guarded};
use rpsim_harness::runner::{run_scenario_file, RunOptions};
use rpsim_planted_bugs::{EXPLORATION_SCENARIOS, EXPLORATION_SEEDS_MAX};
use std::path::PathBuf;

/// The failed checks of one run of `file` (under `scenarios/`) at `seed` (its own when
/// `None`) with `bug` planted, or the panic of an assertion; empty when the run passed.
pub fn catches_at(bug: Option<PlantedBug>, file: &str, seed: Option<u64>) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(file);
    let options = RunOptions {
        seed,
        ..RunOptions::default()
    };
    match guarded(bug, || run_scenario_file(&path, &options)) {
        Guarded::NoPlantedBugs => unreachable!("this package builds with planted bugs"),
        Guarded::Panicked(message) => vec![format!("assertion: {message}")],
        Guarded::Returned(Err(e)) => vec![format!("run error: {e}")],
        Guarded::Returned(Ok(run)) => run
            .checks
            .failures
            .iter()
            .map(|f| format!("{}: {}", f.check, f.message))
            .collect(),
    }
}

/// The first catch of `bug` in a sweep (seed by seed, each exploration scenario in turn) whose
/// run passes without the bug: `<file> seed=<S>: <check: message>`; empty when none within
/// the budget.
pub fn sweep_catches(bug: PlantedBug) -> Vec<String> {
    for seed in 1..=EXPLORATION_SEEDS_MAX {
        for file in EXPLORATION_SCENARIOS {
            let caught = catches_at(Some(bug), file, Some(seed));
            if caught.is_empty() || !catches_at(None, file, Some(seed)).is_empty() {
                continue;
            }
            return caught
                .into_iter()
                .map(|c| format!("{file} seed={seed}: {c}"))
                .collect();
        }
    }
    Vec::new()
}

fn assert_swept(bug: PlantedBug, expected: &str) {
    let caught = sweep_catches(bug);
    assert!(
        caught.iter().any(|c| c.contains(expected)),
        "planted bug `{}` not caught by `{expected}` within seeds 1..={EXPLORATION_SEEDS_MAX}: \
         {caught:#?}",
        bug.name()
    );
    eprintln!("{} caught by: {}", bug.name(), caught[0]);
}

#[test]
fn busy_ignores_suspended_is_caught_by_the_conflict_rule() {
    assert_swept(
        PlantedBug::BusyIgnoresSuspended,
        "model: accepted (4096) while",
    );
}

#[test]
fn directory_check_skipped_is_caught_by_the_model() {
    assert_swept(PlantedBug::DirectoryCheckSkipped, "model: ");
}

#[test]
fn conflict_counts_killed_is_caught_by_the_conflict_rule() {
    assert_swept(
        PlantedBug::ConflictCountsKilled,
        "model: refused with 32774",
    );
}

#[test]
fn failed_diff_poisons_base_is_caught_by_the_base_rule() {
    assert_swept(
        PlantedBug::FailedDiffPoisonsBase,
        "model: refused with 32775",
    );
}

#[test]
fn terminate_accepted_while_finalising_is_caught_by_the_state_change_table() {
    assert_swept(
        PlantedBug::TerminateAcceptedWhileFinalising,
        "model: RequestStateChange(4)",
    );
}

#[test]
fn kill_suspended_refused_is_caught_by_the_state_change_table() {
    assert_swept(
        PlantedBug::KillSuspendedRefused,
        "model: RequestStateChange(5)",
    );
}

#[test]
fn terminate_suspended_refused_is_caught_by_the_state_change_table() {
    assert_swept(
        PlantedBug::TerminateSuspendedRefused,
        "model: RequestStateChange(4)",
    );
}

#[test]
fn busy_ignores_differentials_is_caught_by_the_conflict_rule() {
    assert_swept(
        PlantedBug::BusyIgnoresDifferentials,
        "model: accepted (4096) while",
    );
}
