//! Crash points of a small export: the job is stopped after each of its target operations by a
//! service crash, a Kill and a Terminate, and no point may leave a half export a reader accepts
//! or break an invariant (live or end-of-run).

use rpsim_harness::crashpoints::{run_crash_points, CrashPointsOptions, ALL_MODES};

/// A full export of a 6MiB-allocated disk, then a differential: a few dozen operations each.
const SCENARIO: &str = r#"
version: 1
name: crashpoints-small
hosts: [ { name: host-a } ]
storage: { capacity: 1GiB, bandwidth: 100MiB/s, latency: 100us }
vm_groups:
  - name: g
    vms:
      - name: vm-1
        host: host-a
        generation: 2
        state: running
        disks: [ { name: os, size: 64MiB, block_size: 1MiB, fill: { allocated: 6MiB, layout: random } } ]
        workload: { write_rate: 2MiB/s, write_size: 1MiB, pattern: random }
timeline:
  - { at: 1s, create_reference_point: { name: rp1, group: g, type: rct } }
  - { at: 1s, export: { name: full, reference_point: rp1, target_dir: full } }
  - { at: 3s, create_reference_point: { name: rp2, group: g, type: rct } }
  - { at: 3s, export: { name: diff, reference_point: rp2, base: rp1, target_dir: diff } }
"#;

#[test]
fn no_crash_kill_or_terminate_point_leaves_an_accepted_half_export() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("crashpoints-small.yaml");
    std::fs::write(&file, SCENARIO).expect("the scenario is written");
    let options = CrashPointsOptions {
        modes: ALL_MODES.to_vec(),
        ..CrashPointsOptions::default()
    };
    let summary = run_crash_points(&file, &options).expect("the scenario runs");
    let messages: Vec<String> = summary
        .violations
        .iter()
        .map(|v| {
            format!(
                "{} after {} ops ({:?}): {:?}",
                v.export, v.after_ops, v.mode, v.messages
            )
        })
        .collect();
    assert!(messages.is_empty(), "violations:\n{}", messages.join("\n"));
    assert_eq!(
        summary.ops_per_export.len(),
        2,
        "{:?}",
        summary.ops_per_export
    );
    assert!(
        summary.points_tried > 10,
        "only {} points tried; ops per export {:?}",
        summary.points_tried,
        summary.ops_per_export
    );
    assert_eq!(summary.points_skipped, 0);
}

/// Found by the exhaustive suite run: a Terminated export whose directory a later export (aimed
/// at the same directory) then completes in is not a "Terminated export left files" violation:
/// those files are the later export's.
#[test]
fn a_later_export_completing_in_a_terminated_exports_directory_is_not_a_leftover() {
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/directory-not-empty.yaml");
    let options = CrashPointsOptions {
        modes: vec![rpsim_world::observe::StopMode::Terminate],
        ..CrashPointsOptions::default()
    };
    let summary = run_crash_points(&file, &options).expect("the scenario runs");
    assert!(
        summary.points_tried >= 20,
        "{} points",
        summary.points_tried
    );
    let messages: Vec<String> = summary
        .violations
        .iter()
        .map(|v| format!("{} after {} ops: {:?}", v.export, v.after_ops, v.messages))
        .collect();
    assert!(messages.is_empty(), "violations:\n{}", messages.join("\n"));
}
