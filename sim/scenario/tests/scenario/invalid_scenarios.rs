//! Every file in `scenarios/invalid/` is refused with the exact place and a message that says
//! what is wrong. The table must cover every file, so a new file without a row fails.

use rpsim_scenario::{load_scenario, ScenarioErrorKind};
use std::collections::BTreeSet;
use std::path::PathBuf;

struct Case {
    file: &'static str,
    kind: ScenarioErrorKind,
    line: usize,
    column: usize,
    message: &'static str,
}

const fn case(
    file: &'static str,
    kind: ScenarioErrorKind,
    line: usize,
    column: usize,
    message: &'static str,
) -> Case {
    Case {
        file,
        kind,
        line,
        column,
        message,
    }
}

use ScenarioErrorKind::{Invalid, Syntax};

const CASES: &[Case] = &[
    case("bad_block_size.yaml", Invalid, 20, 25, "block size 3MiB is not allowed; a block size is a power of two from 4KiB to 256MiB"),
    case("bad_unit.yaml", Syntax, 19, 19, "`64Gb` has an unknown size unit `Gb`; allowed: B, KiB, MiB, GiB, TiB"),
    case("disk_size_over_limit.yaml", Syntax, 19, 19, "`65TiB` is larger than the limit of 64TiB"),
    case("duplicate_vm_name.yaml", Invalid, 20, 15, "VM `vm-1` is defined twice"),
    case("empty.yaml", Syntax, 1, 1, "the scenario is empty; it needs at least `version`, `name`, `hosts`"),
    case("expect_unknown_export.yaml", Invalid, 26, 13, "export `e2` is not defined in the timeline; defined exports: e1"),
    case("export_two_targets.yaml", Invalid, 28, 7, "`target_dir` and `export_directory` are mutually exclusive"),
    case("export_undefined_reference_point.yaml", Invalid, 24, 42, "reference point `rp-9` is not created before this entry at 1s; created so far: rp-1"),
    case("fault_field_not_allowed.yaml", Invalid, 22, 52, "field `host` is not used by fault kind `target_slow`; it takes: bandwidth, latency"),
    case("fault_missing_field.yaml", Invalid, 22, 20, "fault kind `host_crash` needs the field `host`"),
    case("fill_blocks_overlap.yaml", Invalid, 20, 53, "block run 2 starts before the previous run ends (block 4); list runs in increasing order without overlap"),
    case("fill_larger_than_disk.yaml", Invalid, 20, 32, "fill.allocated 65GiB is more than the disk size 64GiB"),
    case("hostile_target_dir.yaml", Invalid, 24, 60, "target_dir `../../etc` is not a plain directory name"),
    case("hot_spot_field_without_hot_spot.yaml", Invalid, 24, 11, "hot_spot_size is only allowed with `pattern: hot_spot`"),
    case("impossible_size.yaml", Syntax, 19, 19, "`100PiB` has an unknown size unit `PiB`"),
    case("job_state_out_of_range.yaml", Invalid, 27, 16, "job_state 42 is not a JobState; allowed: 2 to 12"),
    case("poll_before_export.yaml", Invalid, 26, 21, "export `e1` is not created before this entry at 500ms (it is created later, at 1s)"),
    case("random_faults_bad_rate.yaml", Invalid, 21, 15, "rate_per_s 0 is out of range; allowed: more than 0, at most 100"),
    case("reference_point_used_before_created.yaml", Invalid, 24, 42, "reference point `rp-1` is not created before this entry at 1s (it is created later, at 5s)"),
    case("shared_disk_one_vm.yaml", Invalid, 23, 22, "shared disk `quorum` is attached to 1 VM(s); a shared disk needs at least two VMs of group `g`"),
    case("states_seen_without_poll.yaml", Invalid, 27, 5, "`states_seen` is judged on readings, but no `poll` entry reads export `e1`"),
    case("syntax_unclosed_quote.yaml", Syntax, 5, 1, "found unexpected end of stream, while scanning a quoted scalar that starts at line 3 column 7"),
    case("timeline_two_actions.yaml", Invalid, 25, 5, "timeline entry has 2 actions (`export`, `fault`); give exactly one per entry"),
    case("unknown_field.yaml", Syntax, 19, 13, "unknown field `sizee`, expected one of `name`, `size`, `block_size`, `fill`, `instance_id`"),
    case("unknown_host.yaml", Invalid, 14, 15, "host `host-z` is not defined; defined hosts: host-a, host-b"),
    case("version_2.yaml", Invalid, 2, 10, "version 2 is not supported; only version 1 exists"),
    case("write_past_disk_end.yaml", Invalid, 21, 46, "a write of blocks 30..34 ends past the last block of disk `vm-1/os` (32 blocks)"),
    case("wrong_type.yaml", Syntax, 15, 21, "invalid type: string \"two\", expected u8"),
];

fn invalid_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/invalid")
}

#[test]
fn each_invalid_file_is_refused_at_its_line_and_column_with_its_message() {
    let mut failures = Vec::new();
    for case in CASES {
        let path = invalid_dir().join(case.file);
        let error = match load_scenario(&path) {
            Ok(_) => {
                failures.push(format!("{}: accepted, but it is invalid", case.file));
                continue;
            }
            Err(error) => error,
        };
        let first = &error.diagnostics()[0];
        let got = (error.kind(), first.line, first.column);
        if got != (case.kind, case.line, case.column) || !first.message.contains(case.message) {
            failures.push(format!(
                "{}: expected {:?} at {}:{} containing {:?}\n    got {error}",
                case.file, case.kind, case.line, case.column, case.message
            ));
        }
        let shown = error.to_string();
        let prefix = format!("{}:{}:{}: ", path.display(), case.line, case.column);
        assert!(
            shown.starts_with(&prefix),
            "{shown} does not start with {prefix}"
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_file_in_scenarios_invalid_has_a_row_in_the_table() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(invalid_dir())
        .expect("scenarios/invalid exists")
        .map(|entry| entry.expect("readable entry").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .collect();
    let in_table: BTreeSet<String> = CASES.iter().map(|c| c.file.to_string()).collect();
    assert_eq!(in_table.len(), CASES.len(), "a file has two rows");
    let untested: Vec<_> = on_disk.difference(&in_table).collect();
    let missing: Vec<_> = in_table.difference(&on_disk).collect();
    assert!(untested.is_empty(), "files without a row: {untested:?}");
    assert!(missing.is_empty(), "rows without a file: {missing:?}");
    assert!(CASES.len() >= 12, "the suite shows at least 12 mistakes");
}

#[test]
fn each_invalid_file_shows_exactly_one_mistake() {
    for case in CASES {
        let error = load_scenario(&invalid_dir().join(case.file)).expect_err(case.file);
        let count = error.diagnostics().len();
        assert_eq!(count, 1, "{} has {count} problems:\n{error}", case.file);
    }
}
