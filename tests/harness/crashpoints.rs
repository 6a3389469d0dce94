//! Crash points of a small export: the job is stopped after each of its target operations by a
//! service crash, a Kill and a Terminate, and no point may leave a half export a reader accepts
//! or break an invariant (live or end-of-run). While a scenario's points run, its plan and each
//! point are reported as they happen, and a violation is printed when it is found.

use rpsim_harness::crashpoints::{
    run_crash_points, run_crash_points_reporting, CrashPointProgress, CrashPointViolation,
    CrashPointsOptions, CrashPointsSummary, ALL_MODES,
};
use rpsim_harness::reporter::{HarnessEvent, HumanReporter, Reporter};
use rpsim_world::observe::StopMode;
use std::sync::{Arc, Mutex};

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

fn small_scenario(dir: &std::path::Path) -> std::path::PathBuf {
    let file = dir.join("crashpoints-small.yaml");
    std::fs::write(&file, SCENARIO).expect("the scenario is written");
    file
}

#[test]
fn progress_names_the_plan_first_then_every_point_in_order() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = small_scenario(dir.path());
    let options = CrashPointsOptions {
        modes: vec![StopMode::Crash, StopMode::Kill],
        stride: 4,
        ..CrashPointsOptions::default()
    };
    let mut seen: Vec<(u64, u64)> = Vec::new();
    let mut planned = None;
    let summary = run_crash_points_reporting(&file, &options, &mut |step| match step {
        CrashPointProgress::Planned {
            points, scenario, ..
        } => {
            assert!(
                seen.is_empty() && planned.is_none(),
                "the plan comes first, once"
            );
            assert_eq!(scenario, "crashpoints-small");
            planned = Some(points);
        }
        CrashPointProgress::Tried { done, points, .. } => seen.push((done, points)),
    })
    .expect("the scenario runs");
    let planned = planned.expect("a plan");
    assert_eq!(planned, summary.points_tried);
    assert!(planned >= 4, "{planned} points");
    let expected: Vec<(u64, u64)> = (1..=planned).map(|done| (done, planned)).collect();
    assert_eq!(seen, expected);
}

/// A writer the test reads back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[test]
fn a_violation_is_printed_when_it_is_found_and_not_again_at_the_end() {
    let out = Captured::default();
    let mut reporter = HumanReporter::new(
        Box::new(out.clone()),
        Box::new(Captured::default()),
        false,
        false,
    );
    let ops = vec![("full".to_string(), 9)];
    reporter.event(&HarnessEvent::CrashPointProgress {
        step: CrashPointProgress::Planned {
            scenario: "s",
            seed: 4,
            ops_per_export: &ops,
            points: 2,
        },
    });
    assert_eq!(
        out.text(),
        "crashpoints s seed=4 ops=[full=9]: trying 2 points\n"
    );
    let violation = CrashPointViolation {
        export: "full".into(),
        after_ops: 3,
        mode: StopMode::Crash,
        messages: vec!["invariant [full]: a manifest\x1b[2J without data".into()],
    };
    reporter.event(&HarnessEvent::CrashPointProgress {
        step: CrashPointProgress::Tried {
            done: 1,
            points: 2,
            violation: None,
            violations: 0,
        },
    });
    reporter.event(&HarnessEvent::CrashPointProgress {
        step: CrashPointProgress::Tried {
            done: 2,
            points: 2,
            violation: Some(&violation),
            violations: 1,
        },
    });
    let line = "     VIOLATION export=full after_ops=3 mode=Crash: invariant [full]: a manifest\\x1b[2J without data\n";
    assert!(out.text().ends_with(line), "{}", out.text());
    let summary = CrashPointsSummary {
        scenario: "s".into(),
        seed: 4,
        ops_per_export: ops.clone(),
        points_tried: 2,
        violations: vec![violation.clone()],
        ..CrashPointsSummary::default()
    };
    reporter.event(&HarnessEvent::CrashPoints {
        summary: &summary,
        points_max: 20_000,
    });
    let text = out.text();
    assert_eq!(text.matches("VIOLATION").count(), 1, "{text}");
    assert!(
        text.lines().last().unwrap().starts_with("FAIL s "),
        "{text}"
    );
}

#[test]
fn the_crashpoints_command_prints_its_plan_before_the_verdict() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = small_scenario(dir.path());
    let args = [
        "crashpoints",
        file.to_str().unwrap(),
        "--mode",
        "crash",
        "--stride",
        "8",
    ];
    let (code, text) = super::support::rpsim_in(dir.path(), &args, &[]);
    assert_eq!(code, 0, "{text}");
    let plan = text
        .lines()
        .position(|l| l.starts_with("crashpoints crashpoints-small seed=1 ops=[full="))
        .expect("a plan line");
    let verdict = text
        .lines()
        .position(|l| l.starts_with("PASS crashpoints-small"))
        .expect("a verdict line");
    assert!(plan < verdict, "{text}");
}
