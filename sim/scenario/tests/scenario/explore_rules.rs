//! The rules of the exploration sections, `swarm` and `random_actions`: each test breaks one
//! rule of a small valid scenario and checks the path and message of the problem, and a
//! valid section loads.

use rpsim_scenario::parse_scenario;

const BASE: &str = "\
version: 1
name: base
hosts: [{name: h1}]
storage: {capacity: 1TiB, bandwidth: 100MiB/s}
vm_groups:
  - name: g
    vms:
      - {name: a, host: h1, generation: 2, state: running, disks: [{name: d, size: 1GiB}]}
";

/// (path, message) of every problem of `BASE` with `extra` appended.
fn problems(extra: &str) -> Vec<(String, String)> {
    match parse_scenario("t.yaml", &format!("{BASE}{extra}")) {
        Ok(_) => Vec::new(),
        Err(error) => error
            .diagnostics()
            .iter()
            .map(|d| (d.path.clone().unwrap_or_default(), d.message.clone()))
            .collect(),
    }
}

fn assert_one(extra: &str, path: &str, message: &str) {
    let found = problems(extra);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, path, "{found:#?}");
    assert!(found[0].1.contains(message), "{found:#?}");
}

#[test]
fn valid_sections_load() {
    let extra = "\
swarm:
  faults: {kinds: [target_io_error, host_crash], on: 40%, rate_per_s: {min: 0.01, max: 0.5}}
  storage: {bandwidth: {min: 1MiB/s, max: 40MiB/s}, latency: {min: 0, max: 5ms}}
  workload: {write_rate: {min: 64KiB/s, max: 4MiB/s}, patterns: [random, hot_spot]}
random_actions: {count: 10, window: {from: 0, to: 30s}, groups: [g], kinds: [full_export, kill]}
";
    assert_eq!(problems(extra), Vec::new());
}

#[test]
fn swarm_ranges_are_checked() {
    assert_one(
        "swarm: {faults: {kinds: [host_crash], rate_per_s: {min: 0.5, max: 0.1}}}\n",
        "swarm.faults.rate_per_s",
        "not a range",
    );
    assert_one(
        "swarm: {faults: {kinds: [], rate_per_s: {min: 0.1, max: 0.2}}}\n",
        "swarm.faults.kinds",
        "kinds is empty",
    );
    assert_one(
        "swarm: {storage: {bandwidth: {min: 2MiB/s, max: 1MiB/s}}}\n",
        "swarm.storage.bandwidth",
        "not above max",
    );
    assert_one(
        "swarm: {storage: {latency: {min: 5ms, max: 1ms}}}\n",
        "swarm.storage.latency",
        "min must not be above max",
    );
}

#[test]
fn swarm_faults_and_random_faults_are_exclusive() {
    assert_one(
        "random_faults: {rate_per_s: 1, kinds: [host_crash]}\n\
         swarm: {faults: {kinds: [host_crash], rate_per_s: {min: 0.1, max: 0.2}}}\n",
        "swarm.faults",
        "keep one of them",
    );
}

#[test]
fn random_actions_are_checked() {
    assert_one(
        "random_actions: {count: 0, window: {from: 0, to: 1s}}\n",
        "random_actions.count",
        "allowed: 1 to 200",
    );
    assert_one(
        "random_actions: {count: 3, window: {from: 2s, to: 1s}}\n",
        "random_actions.window.to",
        "must be later",
    );
    assert_one(
        "random_actions: {count: 3, window: {from: 0, to: 1s}, groups: [nope]}\n",
        "random_actions.groups[0]",
        "VM group `nope` is not defined",
    );
}

#[test]
fn a_chained_export_names_no_base() {
    let extra = "\
timeline:
  - {at: 0, create_reference_point: {name: rp, group: g, type: rct}}
  - {at: 1s, create_reference_point: {name: rp2, group: g, type: rct}}
  - {at: 2s, export: {name: e, reference_point: rp2, base: rp, base_latest_completed: true, target_dir: e}}
";
    assert_one(
        extra,
        "timeline[2].export.base_latest_completed",
        "remove `base` or this field",
    );
}
