//! The integration tests of rpsim-world, one binary: end-to-end runs of the world through its
//! one entry point ([`rpsim_world::run`]): determinism of the trace across directories and seeds,
//! cost of a huge sparse disk, and exports driven through the real export job.

use rpsim_export::source::ExportSource;
use rpsim_scenario::model::Scenario;
use rpsim_world::{run, RunConfig, RunOutcome};

fn scenario(yaml: &str) -> Scenario {
    serde_norway::from_str(yaml).expect("test scenario parses")
}

fn run_in_temp(scenario: &Scenario, seed: u64) -> (RunOutcome, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = RunConfig {
        seed,
        fs: std::sync::Arc::new(rpsim_vfs::RealFs),
        export_root: dir.path().to_path_buf(),
        keep_trace_records: true,
        observe_probes: false,
    };
    let outcome = run(scenario, &config).unwrap_or_else(|e| panic!("run failed: {e}"));
    (outcome, dir)
}

const NO_EXPORT: &str = r#"
version: 1
name: no-export
hosts: [{name: h1}, {name: h2}]
storage: {capacity: 1TiB, bandwidth: 1GiB/s}
vm_groups:
  - name: cluster
    vms:
      - name: a
        host: h1
        generation: 2
        state: running
        disks: [{name: os, size: 1GiB, block_size: 1MiB, fill: {allocated: 64MiB, layout: random}}]
        workload: {write_rate: 4MiB/s, write_size: 1MiB, pattern: random}
      - name: b
        host: h2
        generation: 2
        state: running
        disks: [{name: os, size: 1GiB, block_size: 1MiB}]
        workload: {write_rate: 2MiB/s, write_size: 1MiB, pattern: hot_spot}
timeline:
  - {at: 1s, create_reference_point: {name: first, group: cluster, type: rct}}
  - {at: 5s, create_reference_point: {name: second, group: cluster, type: rct}}
  - {at: 6s, destroy_reference_point: {reference_point: first}}
  - {at: 7s, fault: {kind: host_crash, host: h2, duration: 1s}}
"#;

#[test]
fn a_scenario_without_exports_runs_end_to_end() {
    let (outcome, _dir) = run_in_temp(&scenario(NO_EXPORT), 1);
    let world = &outcome.world;
    assert_eq!(
        outcome.end_time_ns, 8_000_000_000,
        "the last significant event is the host recovery"
    );
    assert!(outcome.exports.is_empty());
    let first = world
        .reference_point_id("first")
        .expect("first was created");
    let second = world
        .reference_point_id("second")
        .expect("second was created");
    assert!(
        world.source().reference_point(&first).is_none(),
        "destroyed for the job"
    );
    let a_os = &world.disks[0].instance_id;
    let changed = world
        .oracle()
        .changed_extents(a_os, Some(&first), &second)
        .unwrap();
    // 4 writes/s of one 1 MiB block for 4 s: at most 16 blocks, at least one.
    let changed_bytes: u64 = changed.iter().map(|e| e.length_bytes).sum();
    assert!(
        (1 << 20..=16 << 20).contains(&changed_bytes),
        "changed {changed_bytes} bytes"
    );
    let b_disks = world.reference_point_disks(&second).unwrap();
    assert!(
        b_disks[0].rct_usable,
        "a's disk was not on the crashed host"
    );
    assert!(
        !b_disks[1].rct_usable,
        "b's disk had its RCT reset by the crash"
    );
    let kinds: Vec<&str> = outcome.trace.iter().map(|r| r.kind.as_str()).collect();
    assert!(kinds.contains(&"guest_write") && kinds.contains(&"host_recovered"));
    assert_eq!(outcome.trace.last().unwrap().hash, outcome.trace_hash);
}

#[test]
fn same_scenario_and_seed_give_the_same_trace_in_different_directories() {
    let s = scenario(NO_EXPORT);
    let (a, _da) = run_in_temp(&s, 7);
    let (b, _db) = run_in_temp(&s, 7);
    assert_eq!(
        rpsim_world::trace::first_difference(&a.trace, &b.trace),
        None
    );
    assert_eq!(a.trace_hash, b.trace_hash);
    let (c, _dc) = run_in_temp(&s, 8);
    assert_ne!(
        a.trace_hash, c.trace_hash,
        "random fill and workloads depend on the seed"
    );
}

#[test]
fn a_two_tib_disk_with_100k_random_writes_is_cheap() {
    let s = scenario(
        r#"
version: 1
name: huge
hosts: [{name: h1}]
storage: {capacity: 1TiB, bandwidth: 1GiB/s}
vm_groups:
  - name: g
    vms:
      - name: big
        host: h1
        generation: 2
        state: running
        disks: [{name: data, size: 2TiB}]
        workload: {write_rate: 200MiB/s, write_size: 2MiB, pattern: random}
timeline:
  - {at: 1000s, create_reference_point: {name: end, group: g, type: rct}}
"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let config = RunConfig {
        seed: 3,
        fs: std::sync::Arc::new(rpsim_vfs::RealFs),
        export_root: dir.path().to_path_buf(),
        keep_trace_records: false,
        observe_probes: false,
    };
    let outcome = run(&s, &config).unwrap();
    let world = &outcome.world;
    assert!(
        outcome.event_count >= 100_000,
        "{} events",
        outcome.event_count
    );
    assert!(
        world.history_entry_count() > 90_000,
        "{} entries",
        world.history_entry_count()
    );
    let metadata_bytes = world.approx_metadata_bytes();
    assert!(
        metadata_bytes < 64 << 20,
        "metadata {metadata_bytes} bytes for 2 TiB"
    );
    assert!(
        outcome.trace.is_empty(),
        "records are not kept when not asked"
    );
}

const WITH_EXPORTS: &str = r#"
version: 1
name: exports
hosts: [{name: h1}]
storage: {capacity: 10GiB, bandwidth: 1GiB/s}
vm_groups:
  - name: g
    vms:
      - name: a
        host: h1
        generation: 2
        state: running
        disks: [{name: os, size: 256MiB, block_size: 1MiB, fill: {allocated: 32MiB}}]
        workload: {write_rate: 8MiB/s, write_size: 1MiB, pattern: random}
timeline:
  - {at: 1s, create_reference_point: {name: base, group: g, type: rct}}
  - {at: 2s, export: {name: full, reference_point: base, target_dir: full}}
  - {at: 4s, create_reference_point: {name: next, group: g, type: rct}}
  - {at: 5s, export: {name: diff, reference_point: next, base: base, target_dir: diff}}
  - {at: 5s, export: {name: bad, reference_point: missing, target_dir: bad}}
"#;

#[test]
fn exports_run_to_completion_while_the_guest_writes() {
    let (outcome, dir) = run_in_temp(&scenario(WITH_EXPORTS), 5);
    let real_root = dir.path().to_string_lossy().to_string();
    assert!(
        outcome.trace.iter().all(|r| !r.detail.contains(&real_root)),
        "no real path in the trace"
    );
    if std::env::var_os("RPSIM_PRINT_TRACE").is_some() {
        for r in outcome.trace.iter().take(60) {
            eprintln!("{}", serde_json::to_string(r).unwrap());
        }
    }
    let by_name = |n: &str| outcome.exports.iter().find(|e| e.name == n).unwrap();
    for name in ["full", "diff"] {
        let e = by_name(name);
        assert_eq!(e.result.return_code, 4096, "{name}: {:?}", e.result.error);
        let props = e.final_properties.as_ref().expect("polled when final");
        assert_eq!(props.job_state, 7, "{name}: {props:?}");
        assert!(e.finished_at_ns.is_some());
        let real = e.real_directory.as_ref().expect("inside /exports");
        assert!(
            real.join("export.manifest").is_file(),
            "{name} has a manifest"
        );
    }
    assert_eq!(by_name("bad").result.return_code, 32773);
    assert!(by_name("bad").job_id.is_none());
    assert!(outcome.violations.is_empty(), "{:?}", outcome.violations);
    let (again, _d) = run_in_temp(&scenario(WITH_EXPORTS), 5);
    assert_eq!(outcome.trace_hash, again.trace_hash);
}

#[test]
fn a_crash_of_the_service_host_ends_the_running_export() {
    let yaml = format!(
        "{WITH_EXPORTS}  - {{at: 2s, fault: {{kind: host_crash, host: h1, duration: 1s}}}}\n"
    );
    let (outcome, _dir) = run_in_temp(&scenario(&yaml), 5);
    let full = outcome.exports.iter().find(|e| e.name == "full").unwrap();
    let props = full.final_properties.as_ref().unwrap();
    assert_eq!(props.job_state, 10, "abandoned: {props:?}");
    assert!(!full
        .real_directory
        .as_ref()
        .unwrap()
        .join("export.manifest")
        .exists());
}

#[test]
fn the_run_stops_at_stop_at_even_with_work_pending() {
    let yaml = r#"
version: 1
name: stop
stop_at: 10s
hosts: [{name: h1}]
storage: {capacity: 1GiB, bandwidth: 1GiB/s}
vm_groups:
  - name: g
    vms:
      - name: a
        host: h1
        generation: 1
        state: running
        disks: [{name: os, size: 64MiB, block_size: 1MiB}]
        workload: {write_rate: 1MiB/s, write_size: 1MiB, pattern: sequential}
timeline:
  - {at: 1h, create_reference_point: {name: never, group: g, type: rct}}
"#;
    let (outcome, _dir) = run_in_temp(&scenario(yaml), 1);
    assert_eq!(outcome.end_time_ns, 10_000_000_000);
    assert!(outcome.world.reference_point_id("never").is_none());
    let writes = outcome
        .trace
        .iter()
        .filter(|r| r.kind == "guest_write")
        .count();
    assert_eq!(
        writes, 11,
        "one write per second from 0 s to 10 s inclusive"
    );
}

#[test]
fn a_suspended_export_resumes_on_start_and_completes() {
    let yaml = format!(
        "{WITH_EXPORTS}  - {{at: 2s, request_state_change: {{export: full, state: suspend}}}}\n  - {{at: 3s, request_state_change: {{export: full, state: start}}}}\n"
    );
    let (outcome, _dir) = run_in_temp(&scenario(&yaml), 5);
    let full = outcome.exports.iter().find(|e| e.name == "full").unwrap();
    assert_eq!(full.state_change_codes.len(), 2);
    assert!(
        full.state_change_codes
            .iter()
            .all(|c| [0, 4096].contains(c)),
        "{:?}",
        full.state_change_codes
    );
    assert_eq!(full.final_properties.as_ref().unwrap().job_state, 7);
    assert!(
        full.finished_at_ns.unwrap() >= 3_000_000_000,
        "nothing ran while suspended"
    );
}

#[test]
fn a_migrating_vm_makes_the_export_call_busy() {
    let yaml = format!("{WITH_EXPORTS}  - {{at: 1500ms, fault: {{kind: vm_migrated, vm: a}}}}\n");
    let (outcome, _dir) = run_in_temp(&scenario(&yaml), 5);
    let full = outcome.exports.iter().find(|e| e.name == "full").unwrap();
    assert_eq!(full.result.return_code, 32774, "migrating until 3.5 s");
    let diff = outcome.exports.iter().find(|e| e.name == "diff").unwrap();
    assert_eq!(
        diff.result.return_code, 4096,
        "the migration ended at 3.5 s"
    );
}

#[test]
fn a_source_read_error_during_an_export_ends_it_in_exception() {
    let yaml =
        format!("{WITH_EXPORTS}  - {{at: 2s, fault: {{kind: source_read_error, disk: a/os}}}}\n");
    let (outcome, _dir) = run_in_temp(&scenario(&yaml), 5);
    let full = outcome.exports.iter().find(|e| e.name == "full").unwrap();
    assert_eq!(full.result.return_code, 4096);
    assert_eq!(full.final_properties.as_ref().unwrap().job_state, 10);
    assert!(!full.get_error_ex.is_empty());
    assert!(!full
        .real_directory
        .as_ref()
        .unwrap()
        .join("export.manifest")
        .exists());
}

#[test]
fn random_faults_are_drawn_from_the_seed() {
    let yaml = format!(
        "{WITH_EXPORTS}random_faults: {{rate_per_s: 2, kinds: [target_slow, source_read_error, host_crash], max: 4}}\n"
    );
    let s = scenario(&yaml);
    let (a, _da) = run_in_temp(&s, 11);
    let (b, _db) = run_in_temp(&s, 11);
    assert_eq!(a.trace_hash, b.trace_hash);
    let faults = a
        .trace
        .iter()
        .filter(|r| r.kind.starts_with("fault"))
        .count();
    assert!(faults >= 1, "at least one fault drawn at 2/s over the run");
}
