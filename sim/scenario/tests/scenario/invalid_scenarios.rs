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
    case("child_not_indented.yaml", Syntax, 17, 9, "indentation: `write_rate` lines up with `workload` on line 16, which has no value; if it belongs inside `workload`, indent it deeper than column 9"),
    case("disk_size_over_limit.yaml", Syntax, 19, 19, "`65TiB` is larger than the limit of 64TiB"),
    case("duration_unit_sec.yaml", Syntax, 18, 18, "`30sec` has an unknown time unit `sec`; allowed: ns, us, ms, s, min, h (for `sec`, write `30s`)"),
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
    case("key_outside_its_mapping.yaml", Syntax, 9, 1, "indentation: `bandwidth` is at column 1, outside the mapping on line 8 that needs it (its keys start at column 3); indent it to column 3"),
    case("over_indented_key.yaml", Syntax, 16, 11, "indentation: `state` is at column 11, deeper than line 15 above it, which already has a value; a key of the same mapping goes at column 9 (as `name` on line 13)"),
    case("poll_before_export.yaml", Invalid, 26, 21, "export `e1` is not created before this entry at 500ms (it is created later, at 1s)"),
    case("random_faults_bad_rate.yaml", Invalid, 21, 15, "rate_per_s 0 is out of range; allowed: more than 0, at most 100"),
    case("reference_point_used_before_created.yaml", Invalid, 24, 42, "reference point `rp-1` is not created before this entry at 1s (it is created later, at 5s)"),
    case("shared_disk_one_vm.yaml", Invalid, 23, 22, "shared disk `quorum` is attached to 1 VM(s); a shared disk needs at least two VMs of group `g`"),
    case("states_seen_without_poll.yaml", Invalid, 27, 5, "`states_seen` is judged on readings, but no `poll` entry reads export `e1`"),
    case("syntax_unclosed_quote.yaml", Syntax, 5, 1, "found unexpected end of stream, while scanning a quoted scalar that starts at line 3 column 7"),
    case("tab_indentation.yaml", Syntax, 14, 1, "indentation: this line is indented with a tab; YAML indents with spaces only"),
    case("timeline_two_actions.yaml", Invalid, 25, 5, "timeline entry has 2 actions (`export`, `fault`); give exactly one per entry"),
    case("under_indented_key.yaml", Syntax, 14, 8, "indentation: `host` at column 8 lines up with no enclosing block; the blocks it can belong to start at column 9 (`name` on line 13)"),
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

/// The indentation diagnosis names no mistake in any file the parser accepts: every suite
/// scenario, benchmark scenario, regression and test file, so it cannot blame a sound line.
#[test]
fn valid_files_have_no_indentation_mistake() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut checked = 0;
    for dir in [
        "scenarios",
        "benches/scenarios",
        "fixtures/regressions",
        "sim/scenario/tests/data",
    ] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect("directory exists")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("readable");
            assert!(load_scenario(&path).is_ok(), "{} is valid", path.display());
            let found = rpsim_scenario::indentation::diagnose(&text, usize::MAX);
            assert_eq!(found, None, "{}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} files");
}

/// Where the parser's message already says what is wrong (a wrong type on a well-indented
/// line), the indentation diagnosis keeps out of it.
#[test]
fn a_wrong_type_on_a_well_indented_line_keeps_the_parsers_message() {
    let error = load_scenario(&invalid_dir().join("wrong_type.yaml")).expect_err("invalid");
    assert!(!error.diagnostics()[0].message.contains("indentation"));
}

/// FORMAT.md's sample indentation error is what the loader prints for that file.
#[test]
fn format_md_sample_indentation_error_is_what_the_loader_prints() {
    let format =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("FORMAT.md"))
            .expect("FORMAT.md");
    let line = format
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("scenarios/invalid/over_indented_key.yaml:"))
        .expect("FORMAT.md shows the sample");
    let error = load_scenario(&invalid_dir().join("over_indented_key.yaml")).expect_err("invalid");
    let shown = error.to_string();
    let expected = line.trim_start_matches("scenarios/invalid/over_indented_key.yaml");
    assert!(
        shown.ends_with(expected),
        "FORMAT.md says {line:?}, loader says {shown:?}"
    );
}
