//! Which scenarios of `scenarios/` expose each planted bug of `rpsim_export::planted`, and what
//! a caught bug looks like. Owns that catalogue only; it must never plant a bug itself (the
//! tests in `tests/planted/planted_bugs.rs` do, through `rpsim_export::planted::with_bug`).

/// Bound on scenarios run for one planted bug.
pub const SCENARIOS_PER_BUG_MAX: usize = 4;

/// The exploration scenarios (swarm options and random actions): the bugs only exploration
/// finds are swept over these at seeds `1..=EXPLORATION_SEEDS_MAX`.
pub const EXPLORATION_SCENARIOS: &[&str] = &[
    "swarm-random-actions-single-vm.yaml",
    "swarm-random-actions-two-groups.yaml",
    "swarm-random-actions-guest-cluster.yaml",
];

/// The seed budget of a planted-bug sweep over [`EXPLORATION_SCENARIOS`].
pub const EXPLORATION_SEEDS_MAX: u64 = 40;

/// True for the bugs only exploration finds (caught by a sweep, not the suite at its seeds).
pub fn found_by_exploration(bug_name: &str) -> bool {
    exposing_scenarios(bug_name) == EXPLORATION_SCENARIOS
}

/// The scenario files (relative to `scenarios/`) that must fail with the named bug planted
/// (empty for an unknown name).
pub fn exposing_scenarios(bug_name: &str) -> &'static [&'static str] {
    let scenarios: &'static [&'static str] = match bug_name {
        "drop-boundary-extent" => &["shared-disk-guest-cluster.yaml"],
        "read-base-extents" => &["shared-disk-guest-cluster.yaml"],
        "diff-header-without-base" => &["shared-disk-guest-cluster.yaml"],
        "shared-disk-twice" => &["shared-disk-guest-cluster.yaml"],
        "accept-reset-base" => &["rct-reset-after-host-crash.yaml"],
        "terminate-leaves-partial" => &["terminate-mid-copy.yaml"],
        "manifest-before-data" => &["kill-mid-copy.yaml"],
        "exported-before-rename" => &["kill-mid-copy.yaml"],
        "sanitiser-dotdot" => &["hostile-disk-instance-ids.yaml"],
        "sanitiser-ntfs" => &["hostile-ntfs-names.yaml"],
        "busy-ignores-suspended"
        | "directory-check-skipped"
        | "conflict-counts-killed"
        | "failed-diff-poisons-base"
        | "terminate-accepted-while-finalising"
        | "kill-suspended-refused"
        | "terminate-suspended-refused"
        | "busy-ignores-differentials" => EXPLORATION_SCENARIOS,
        _ => &[],
    };
    assert!(scenarios.len() <= SCENARIOS_PER_BUG_MAX);
    scenarios
}
