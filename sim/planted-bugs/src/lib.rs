//! Which scenarios of `scenarios/` expose each planted bug of `rpsim_export::planted`, and what
//! a caught bug looks like. Owns that catalogue only; it must never plant a bug itself (the
//! tests in `tests/planted/planted_bugs.rs` do, through `rpsim_export::planted::with_bug`).

/// Bound on scenarios run for one planted bug.
pub const SCENARIOS_PER_BUG_MAX: usize = 4;

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
        _ => &[],
    };
    assert!(scenarios.len() <= SCENARIOS_PER_BUG_MAX);
    scenarios
}
