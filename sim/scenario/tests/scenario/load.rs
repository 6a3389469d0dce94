//! Loading: the full-feature example parses into the values it says, reading failures name the
//! file, limits hold, aliases are safe, and the seed precedence is CLI > scenario > default.

use rpsim_scenario::model::{Action, BlockRun, FaultKind, FillLayout, HostState, WritePattern};
use rpsim_scenario::{
    effective_seed, load_scenario, parse_scenario, ScenarioErrorKind, SCENARIO_BYTES_MAX,
    SEED_DEFAULT,
};

const FULL: &str = include_str!("../data/full.yaml");

#[test]
fn the_full_feature_example_parses_into_what_it_says() {
    let scenario = parse_scenario("full.yaml", FULL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scenario.seed, Some(42));
    assert_eq!(scenario.hosts[2].state, HostState::Down);
    assert_eq!(scenario.storage.capacity.bytes(), 2 << 40);
    assert_eq!(scenario.storage.latency.ns(), 2_000_000);
    let sql_1 = &scenario.vm_groups[0].vms[0];
    assert_eq!(sql_1.disks[0].block_size.bytes(), 32 << 20);
    assert_eq!(
        sql_1.disks[1].block_size.bytes(),
        2 << 20,
        "default block size"
    );
    let workload = sql_1.workload.as_ref().expect("sql-1 has a workload");
    assert_eq!(workload.pattern, WritePattern::HotSpot);
    assert_eq!(
        workload.hot_spot_share.map(|p| p.basis_points()),
        Some(9000)
    );
    assert_eq!(scenario.vm_groups[0].shared_disks[0].attached_to.len(), 2);
    assert_eq!(scenario.timeline.len(), 25);
    let sql_2 = &scenario.vm_groups[0].vms[1];
    assert_eq!(sql_2.disks[0].instance_id.as_deref(), Some("..\\sql-2\\os"));
    assert_eq!(sql_2.disks[1].fill.layout, FillLayout::Explicit);
    assert_eq!(
        sql_2.disks[1].fill.blocks,
        vec![BlockRun(0, 4), BlockRun(100, 2), BlockRun(200, 1)]
    );
    let Action::Write(write) = scenario.timeline[23].action() else {
        panic!("entry 23 is a guest write");
    };
    let Action::Poll(poll) = scenario.timeline[24].action() else {
        panic!("the last entry is a poll");
    };
    assert_eq!(
        (poll.export.as_str(), poll.every.map(|d| d.ns())),
        ("full", Some(100_000_000))
    );
    assert_eq!(
        (write.disk.as_str(), write.block, write.blocks),
        ("sql-2/scratch", 7, 3)
    );
    let regression = scenario.regression.as_ref().expect("regression record");
    assert_eq!(
        (regression.check.as_str(), regression.export.as_deref()),
        ("restore", Some("full"))
    );
    for entry in &scenario.timeline {
        assert_eq!(
            entry.actions().len(),
            1,
            "entry at {} has one action",
            entry.at
        );
    }
    let Action::Export(diff) = scenario.timeline[8].action() else {
        panic!("entry 8 is the differential export");
    };
    assert_eq!(diff.base.as_deref(), Some("rp-full"));
    let random = scenario.random_faults.as_ref().expect("random faults");
    assert_eq!(random.kinds[2], FaultKind::HostCrash);
    assert_eq!(scenario.expect.len(), 3);
    assert_eq!(scenario.stop_at.map(|d| d.ns()), Some(3_600_000_000_000));
}

#[test]
fn the_first_yaml_example_of_format_md_parses() {
    let format = include_str!("../../FORMAT.md");
    let start = format
        .find("```yaml\n")
        .expect("FORMAT.md has a ```yaml block")
        + 8;
    let length = format[start..].find("```").expect("the yaml block ends");
    let example = &format[start..start + length];
    if let Err(error) = parse_scenario("FORMAT.md example", example) {
        panic!("the FORMAT.md example does not parse:\n{error}");
    }
}

#[test]
fn seed_precedence_is_cli_then_scenario_then_default() {
    let mut scenario = parse_scenario("full.yaml", FULL).expect("valid");
    assert_eq!(effective_seed(&scenario, Some(7)), 7);
    assert_eq!(effective_seed(&scenario, None), 42);
    scenario.seed = None;
    assert_eq!(effective_seed(&scenario, None), SEED_DEFAULT);
    assert_eq!(
        effective_seed(&scenario, Some(0)),
        0,
        "an explicit 0 is a seed too"
    );
}

#[test]
fn an_unreadable_file_names_the_path_and_the_os_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("missing.yaml");
    let error = load_scenario(&path).expect_err("no such file");
    assert_eq!(error.kind(), ScenarioErrorKind::Read);
    let shown = error.to_string();
    assert!(
        shown.starts_with(&format!("{}: cannot read", path.display())),
        "{shown}"
    );
    let os = std::io::Error::from(std::io::ErrorKind::NotFound).to_string();
    assert!(
        shown.to_lowercase().contains("no such file") || shown.contains(&os),
        "{shown}"
    );
}

#[test]
fn files_over_the_size_limit_are_refused_before_parsing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge.yaml");
    let text = format!("{FULL}\n#{}\n", "x".repeat(SCENARIO_BYTES_MAX));
    std::fs::write(&path, &text).expect("write");
    let error = load_scenario(&path).expect_err("too large");
    assert_eq!(error.kind(), ScenarioErrorKind::TooLarge);
    assert!(
        error.to_string().contains("larger than the limit of 4 MiB"),
        "{error}"
    );
    let error = parse_scenario("huge.yaml", &text).expect_err("too large");
    assert_eq!(error.kind(), ScenarioErrorKind::TooLarge);
}

#[test]
fn a_file_that_is_not_utf8_is_refused_at_the_bad_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("latin1.yaml");
    std::fs::write(&path, b"version: 1\nname: caf\xe9\n").expect("write");
    let error = load_scenario(&path).expect_err("not UTF-8");
    let first = &error.diagnostics()[0];
    assert_eq!((first.line, first.column), (2, 10), "{error}");
    assert!(first.message.contains("not UTF-8"), "{error}");
}

/// "Billion laughs": nine levels of nine aliases would expand to 9^9 strings.
fn alias_bomb(field: &str) -> String {
    let mut text = String::from("version: 1\nname: bomb\nhosts: [{name: h}]\n");
    text.push_str("storage: {capacity: 1GiB, bandwidth: 1MiB/s}\nvm_groups: []\n");
    text.push_str("expect:\n  - export: e\n    files_present: &l0 [a, a, a, a, a, a, a, a, a]\n");
    for level in 1..=9 {
        let previous = format!("*l{}", level - 1);
        let list = [previous.as_str(); 9].join(", ");
        text.push_str(&format!(
            "  - export: e{level}\n    {field}: &l{level} [{list}]\n"
        ));
    }
    text
}

#[test]
fn alias_bombs_are_refused_without_expanding() {
    for field in ["files_present", "files_absent"] {
        let error = parse_scenario("bomb.yaml", &alias_bomb(field)).expect_err("bomb");
        assert_eq!(error.kind(), ScenarioErrorKind::Syntax, "{error}");
        let first = &error.diagnostics()[0];
        // 9^9 values once expanded: refused by the shape check, at the alias that crosses
        // NODES_MAX, before serde_norway replays anything.
        assert!(first.message.contains("NODES_MAX"), "{error}");
        assert_eq!(first.line, 20, "{error}");
    }
    let flat = "version: 1\nname: b\nhosts: &h [{name: h}]\nstorage: {capacity: 1GiB, \
                bandwidth: 1MiB/s}\nvm_groups: *h\n";
    let error = parse_scenario("alias.yaml", flat).expect_err("hosts are not groups");
    assert!(error.to_string().contains("missing field `vms`"), "{error}");
}

#[test]
fn anchors_may_share_a_workload_and_errors_inside_point_at_the_alias() {
    let text = "\
version: 1
name: shared-workload
hosts: [{name: h}]
storage: {capacity: 1GiB, bandwidth: 1MiB/s}
vm_groups:
  - name: g
    vms:
      - {name: a, host: h, generation: 2, state: running, disks: [{name: d, size: 1GiB}],
         workload: &w {write_rate: 1MiB/s, write_size: 4KiB, pattern: random, disks: [d]}}
      - {name: b, host: h, generation: 2, state: running, disks: [{name: e, size: 1GiB}],
         workload: *w}
";
    let error = parse_scenario("anchor.yaml", text).expect_err("b has no disk `d`");
    let first = &error.diagnostics()[0];
    assert_eq!(
        first.path.as_deref(),
        Some("vm_groups[0].vms[1].workload.disks[0]")
    );
    assert_eq!((first.line, first.column), (11, 20), "{error}");
    let fixed = text.replace("[{name: e,", "[{name: d,");
    let scenario = parse_scenario("anchor.yaml", &fixed).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        scenario.vm_groups[0].vms[1].workload,
        scenario.vm_groups[0].vms[0].workload
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    let text = "version: 1\nname: x\nhosts: [{name: \"héllo\", state: sideways}]\n";
    let error = parse_scenario("utf8.yaml", text).expect_err("bad host state");
    let first = &error.diagnostics()[0];
    assert_eq!((first.line, first.column), (3, 32), "{error}");
    assert!(
        first.message.contains("unknown variant `sideways`"),
        "{error}"
    );
}

#[test]
fn the_format_md_example_is_the_full_feature_fixture() {
    let format = include_str!("../../FORMAT.md");
    assert!(
        format.contains(&format!("```yaml\n{FULL}```")),
        "FORMAT.md example drifted"
    );
}

#[test]
fn a_scenario_serialised_to_yaml_parses_back_to_itself() {
    let scenario = parse_scenario("full.yaml", FULL).expect("valid");
    let yaml = serde_norway::to_string(&scenario).expect("serialisable");
    assert!(
        !yaml.contains("null"),
        "absent options are left out:\n{yaml}"
    );
    let again = parse_scenario("round-trip.yaml", &yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    assert_eq!(again, scenario);
}

#[test]
fn miette_shows_the_offending_line_with_a_label() {
    let text = FULL.replace(
        "host: host-b\n        generation: 1",
        "host: host-z\n        generation: 1",
    );
    let error = parse_scenario("full.yaml", &text).expect_err("unknown host");
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .render_report(&mut out, &error)
        .expect("render into a String");
    assert!(out.contains("host: host-z"), "snippet:\n{out}");
    assert!(
        out.contains("defined hosts: host-a, host-b, host-spare"),
        "label:\n{out}"
    );
    assert!(out.contains("full.yaml:43:15"), "location:\n{out}");
}
