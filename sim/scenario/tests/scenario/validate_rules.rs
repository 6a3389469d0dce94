//! Semantic rules that `scenarios/invalid/` does not show one by one: each test starts from a
//! small valid scenario, breaks one rule, and checks the path and message of the problem.

use rpsim_scenario::parse_scenario;

const BASE: &str = "\
version: 1
name: base
hosts: [{name: h1}, {name: h2}]
storage: {capacity: 1TiB, bandwidth: 100MiB/s}
vm_groups:
  - name: g
    vms:
      - {name: a, host: h1, generation: 2, state: running, disks: [{name: d, size: 1GiB}]}
      - {name: b, host: h2, generation: 1, state: off, disks: [{name: d, size: 1GiB}]}
    shared_disks:
      - {name: q, size: 1GiB, attached_to: [a, b]}
  - name: other
    vms:
      - {name: c, host: h1, generation: 2, state: running}
timeline:
  - at: 0
    create_reference_point: {name: rp, group: g, type: rct}
";

/// (path, message) of every problem of `BASE` with `extra` appended.
fn problems(extra: &str) -> Vec<(String, String)> {
    let text = format!("{BASE}{extra}");
    match parse_scenario("t.yaml", &text) {
        Ok(_) => Vec::new(),
        Err(error) => error
            .diagnostics()
            .iter()
            .map(|d| (d.path.clone().unwrap_or_default(), d.message.clone()))
            .collect(),
    }
}

/// Asserts exactly one problem, at `path`, whose message contains `message`.
fn assert_one(extra: &str, path: &str, message: &str) {
    let found = problems(extra);
    assert_eq!(
        found.len(),
        1,
        "expected one problem for {extra:?}, got {found:#?}"
    );
    assert_eq!(found[0].0, path, "path of {:?}", found[0].1);
    assert!(
        found[0].1.contains(message),
        "{:?} lacks {message:?}",
        found[0].1
    );
}

#[test]
fn the_base_scenario_is_valid() {
    assert_eq!(problems(""), Vec::<(String, String)>::new());
}

#[test]
fn entries_run_by_time_then_file_order() {
    let same_time_after = "  - at: 0\n    export: {name: e, reference_point: rp, target_dir: e}\n";
    assert_eq!(problems(same_time_after), vec![]);
    let same_time_before = "  - at: 0
    destroy_reference_point: {reference_point: rp2}
  - at: 0
    create_reference_point: {name: rp2, group: g, type: log}
";
    assert_one(
        same_time_before,
        "timeline[1].destroy_reference_point.reference_point",
        "created later, at 0ns",
    );
    let earlier_time_later_in_file = "  - at: 2s
    request_state_change: {export: e, state: kill}
  - at: 1s
    export: {name: e, reference_point: rp, target_dir: e}
";
    assert_eq!(problems(earlier_time_later_in_file), vec![]);
}

#[test]
fn an_entry_without_an_action_is_refused() {
    assert_one(
        "  - at: 1s\n",
        "timeline[1]",
        "timeline entry has no action; give exactly one of",
    );
}

#[test]
fn reference_point_and_export_names_are_unique() {
    let twice = "  - at: 1s\n    create_reference_point: {name: rp, group: other, type: rct}\n";
    assert_one(
        twice,
        "timeline[1].create_reference_point.name",
        "reference point `rp` is created twice",
    );
    let exports = "  - at: 1s
    export: {name: e, reference_point: rp, target_dir: x}
  - at: 2s
    export: {name: e, reference_point: rp, target_dir: y}
";
    assert_one(
        exports,
        "timeline[2].export.name",
        "export `e` is defined twice",
    );
}

#[test]
fn disk_selection_names_defined_vms_and_their_own_disks() {
    // `c` belongs to another group: allowed, so that scenarios can show the job refusing it.
    let selection = "  - at: 1s
    export:
      name: e
      reference_point: rp
      target_dir: e
      disks: [{vm: a, disks: [d, q]}, {vm: b}, {vm: c}, {vm: a, disks: [zz]}, {vm: nobody}]
";
    let found = problems(selection);
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "timeline[1].export.disks[3].vm",
            "timeline[1].export.disks[3].disks[0]",
            "timeline[1].export.disks[4].vm"
        ],
        "{found:#?}"
    );
    assert!(
        found[0].1.contains("VM `a` is selected twice"),
        "{found:#?}"
    );
    assert!(found[1]
        .1
        .contains("disk `zz` is not attached to VM `a`; its disks: d, q"));
    assert!(found[2]
        .1
        .contains("VM `nobody` is not defined; members of group `g`: a, b"));
}

#[test]
fn fault_names_resolve_and_disks_may_be_vm_slash_disk_or_shared() {
    let ok = "  - at: 1s
    fault: {kind: source_read_error, disk: a/d}
  - at: 1s
    fault: {kind: source_read_error, disk: q}
  - at: 1s
    fault: {kind: vm_removed, vm: c, group: other}
";
    assert_eq!(problems(ok), vec![]);
    assert_one(
        "  - at: 1s\n    fault: {kind: source_read_error, disk: c/d}\n",
        "timeline[1].fault.disk",
        "disk `c/d` is not defined",
    );
    assert_one(
        "  - at: 1s\n    fault: {kind: vm_removed, vm: c, group: g}\n",
        "timeline[1].fault.group",
        "VM `c` is a member of group `other`, not `g`",
    );
    assert_one(
        "  - at: 1s\n    fault: {kind: vm_migrated, vm: a, to_host: h9}\n",
        "timeline[1].fault.to_host",
        "host `h9` is not defined; defined hosts: h1, h2",
    );
    assert_one(
        "  - at: 1s\n    fault: {kind: target_slow}\n",
        "timeline[1].fault.kind",
        "needs at least one of: bandwidth, latency",
    );
    assert_one(
        "  - at: 1s\n    fault: {kind: log_removed, reference_point: nope}\n",
        "timeline[1].fault.reference_point",
        "reference point `nope` is not created",
    );
}

#[test]
fn hostile_vm_names_are_allowed_and_resolve_through_slashes() {
    let text = BASE
        .replace("name: a,", "name: \"../../a\",")
        .replace("[a, b]", "[\"../../a\", b]");
    let text =
        format!("{text}  - at: 1s\n    fault: {{kind: source_read_error, disk: ../../a/d}}\n");
    if let Err(error) = parse_scenario("hostile.yaml", &text) {
        panic!("hostile names are data, not paths:\n{error}");
    }
}

#[test]
fn random_faults_ranges_are_checked() {
    let bad =
        "random_faults: {rate_per_s: 101, kinds: [], window: {from: 5s, to: 5s}, max: 1001}\n";
    let found = problems(bad);
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "random_faults.rate_per_s",
            "random_faults.kinds",
            "random_faults.window.to",
            "random_faults.max"
        ],
        "{found:#?}"
    );
    assert_one(
        "random_faults: {rate_per_s: .nan, kinds: [host_crash]}\n",
        "random_faults.rate_per_s",
        "out of range",
    );
}

#[test]
fn expectations_name_each_export_once_and_paths_stay_inside() {
    let extra = "  - at: 1s
    export: {name: e, reference_point: rp, target_dir: e}
expect:
  - {export: e, files_present: [ok/file, ../up, /abs]}
  - {export: e, job_state: 1}
";
    let found = problems(extra);
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "expect[0].files_present[1]",
            "expect[0].files_present[2]",
            "expect[1].export",
            "expect[1].job_state"
        ],
        "{found:#?}"
    );
}

#[test]
fn topology_rules_report_what_is_allowed() {
    let text = BASE
        .replace("generation: 1", "generation: 3")
        .replace("attached_to: [a, b]", "attached_to: [a, a, zz]")
        .replace("{name: h2}", "{name: h1}");
    let error = parse_scenario("t.yaml", &text).expect_err("invalid");
    let shown = error.to_string();
    for expected in [
        "t.yaml:3:28: host `h1` is defined twice",
        "t.yaml:9:25: host `h2` is not defined; defined hosts: h1",
        "t.yaml:9:41: generation 3 does not exist; allowed: 1, 2",
        "t.yaml:11:48: VM `a` is listed twice",
        "t.yaml:11:51: VM `zz` is not a member of group `g`; members: a, b",
    ] {
        assert!(shown.contains(expected), "missing {expected:?} in\n{shown}");
    }
}

#[test]
fn workload_rules() {
    let text = BASE.replace(
        "disks: [{name: d, size: 1GiB}]}\n      - {name: b",
        "disks: [{name: d, size: 1GiB}],\n         workload: {write_rate: 20GiB/s, write_size: 0, pattern: random, disks: [d, d, x], start: 5s, stop: 5s}}\n      - {name: b",
    );
    let error = parse_scenario("w.yaml", &text).expect_err("invalid workload");
    let paths: Vec<String> = error
        .diagnostics()
        .iter()
        .filter_map(|d| d.path.clone())
        .collect();
    let base = "vm_groups[0].vms[0].workload";
    let expected: Vec<String> = ["write_size", "write_rate", "stop", "disks[1]", "disks[2]"]
        .iter()
        .map(|field| format!("{base}.{field}"))
        .collect();
    assert_eq!(paths, expected, "{error}");
}

#[test]
fn names_are_non_empty_and_short() {
    let long = "n".repeat(129);
    let text = BASE
        .replace("name: base", "name: \"\"")
        .replace("{name: h2}", &format!("{{name: {long}}}"));
    let error = parse_scenario("n.yaml", &text).expect_err("bad names");
    let messages: Vec<&str> = error
        .diagnostics()
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(messages[0].contains("scenario name is empty"), "{error}");
    assert!(
        messages[1].contains("host name is 129 bytes long; at most 128"),
        "{error}"
    );
}

#[test]
fn problems_are_capped_with_a_count_of_the_rest() {
    let mut extra = String::new();
    for i in 0..30 {
        extra.push_str(&format!(
            "  - at: {i}s\n    destroy_reference_point: {{reference_point: nope{i}}}\n"
        ));
    }
    let error = parse_scenario("many.yaml", &format!("{BASE}{extra}")).expect_err("30 problems");
    let diagnostics = error.diagnostics();
    assert_eq!(diagnostics.len(), 21, "20 problems and a note");
    assert!(
        diagnostics[20]
            .message
            .starts_with("more problems not shown"),
        "{error}"
    );
    assert!(
        diagnostics[19].message.contains("nope19"),
        "document order: {error}"
    );
}

#[test]
fn counts_are_bounded() {
    let hosts: Vec<String> = (0..65).map(|i| format!("{{name: h{i}}}")).collect();
    let text = BASE.replace(
        "[{name: h1}, {name: h2}]",
        &format!("[{}]", hosts.join(", ")),
    );
    let text = text.replace("host: h2", "host: h1");
    let error = parse_scenario("hosts.yaml", &text).expect_err("65 hosts");
    assert!(
        error
            .to_string()
            .contains("65 hosts is more than the limit of 64"),
        "{error}"
    );
}

#[test]
fn stop_at_must_be_positive() {
    assert_one("stop_at: 0\n", "stop_at", "stop_at is 0");
}

const POLLED: &str = "  - {at: 1s, export: {name: e, reference_point: rp, target_dir: e}}\n";

#[test]
fn a_poll_and_the_readings_it_allows_validate() {
    let extra = format!(
        "{POLLED}  - {{at: 1s, poll: {{export: e, every: 100ms}}}}\n  - {{at: 2s, poll: {{export: e}}}}\n\
         expect:\n  - export: e\n    readings: [{{at: 1s, job_state: 4, percent_complete_min: 0, percent_complete_max: 100}}]\n    states_seen: [4, 7]\n    percent_complete_monotonic: true\n"
    );
    assert_eq!(problems(&extra), Vec::<(String, String)>::new());
}

#[test]
fn a_repeated_poll_waits_at_least_a_millisecond() {
    let extra = format!("{POLLED}  - {{at: 1s, poll: {{export: e, every: 500us}}}}\n");
    assert_one(&extra, "timeline[2].poll.every", "every 500us is too short");
}

#[test]
fn a_poll_names_an_export_of_the_timeline() {
    let extra = format!("{POLLED}  - {{at: 1s, poll: {{export: nope}}}}\n");
    assert_one(
        &extra,
        "timeline[2].poll.export",
        "export `nope` is not created",
    );
}

#[test]
fn reading_expectations_are_plausible() {
    let poll = format!("{POLLED}  - {{at: 1s, poll: {{export: e}}}}\nexpect:\n  - export: e\n");
    assert_one(
        &format!("{poll}    states_seen: [4, 70]\n"),
        "expect[0].states_seen[1]",
        "70 is not a JobState",
    );
    assert_one(
        &format!("{poll}    percent_complete_monotonic: false\n"),
        "expect[0].percent_complete_monotonic",
        "asserts nothing",
    );
    assert_one(
        &format!("{poll}    readings: [{{at: 1s, percent_complete: 101}}]\n"),
        "expect[0].readings[0].percent_complete",
        "101 is more than 100",
    );
    assert_one(
        &format!("{poll}    readings: [{{at: 1s, percent_complete_min: 50, percent_complete_max: 10}}]\n"),
        "expect[0].readings[0].percent_complete_max",
        "is less than percent_complete_min 50",
    );
}

#[test]
fn readings_are_expected_only_of_a_polled_export() {
    let extra = format!("{POLLED}expect:\n  - export: e\n    percent_complete_monotonic: true\n");
    assert_one(
        &extra,
        "expect[0].percent_complete_monotonic",
        "no `poll` entry reads export `e`",
    );
}

// The exploration sections, `swarm` and `random_actions`, and chained exports.

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
    let extra = concat!(
        "  - {at: 1s, create_reference_point: {name: rp2, group: g, type: rct}}\n",
        "  - {at: 2s, export: {name: e, reference_point: rp2, base: rp, ",
        "base_latest_completed: true, target_dir: e}}\n",
    );
    assert_one(
        extra,
        "timeline[2].export.base_latest_completed",
        "remove `base` or this field",
    );
}
