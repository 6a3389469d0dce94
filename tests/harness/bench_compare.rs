//! Protects `rpsim bench compare` and the history chart: regressions are judged on ratios
//! against a threshold, a change within the repeats' spread is none, records made with other
//! sizes or repeats are refused unless allowed and other machines are pointed out, compare
//! writes no file, malformed records fail with a clear error, and the chart has one panel per
//! figure (its direction, its target) with the records in the order they were saved.

use rpsim_harness::bench::chart::history_svg;
use rpsim_harness::bench::record::{
    compare, load_history, load_record, parameter_differences, parse_record, parse_threshold,
    save_record, BenchRecord, Better, Figure, Machine, Verdict, RECORD_FORMAT,
};
use rpsim_harness::bench::spread::Spread;
use std::collections::BTreeMap;

fn record(name: &str, full_ratio: f64, diff_ratio: f64) -> BenchRecord {
    let figure = |name: &str, ratio: f64, better: Better| Figure {
        name: name.into(),
        value: ratio * 100.0,
        unit: "bytes/s".into(),
        baseline: Some("baseline".into()),
        baseline_value: Some(100.0),
        ratio: Some(ratio),
        better,
        note: String::new(),
        value_spread: None,
        ratio_spread: None,
    };
    BenchRecord {
        format: RECORD_FORMAT,
        name: name.into(),
        version: "0.1.0".into(),
        commit: "unknown".into(),
        machine: Machine {
            cores: 2,
            cpu_model: "test".into(),
        },
        parameters: BTreeMap::from([
            ("size_bytes".to_string(), 1 << 30),
            ("repeats".to_string(), 3),
        ]),
        figures: vec![
            figure("full_export", full_ratio, Better::Higher),
            figure("differential_cost", diff_ratio, Better::Lower),
        ],
        saved_at_unix_s: None,
    }
}

/// `record` whose full-export ratio spread over its repeats is `min..max`.
fn with_spread(mut record: BenchRecord, min: f64, max: f64) -> BenchRecord {
    let figure = &mut record.figures[0];
    let median = figure.ratio.unwrap();
    figure.ratio_spread = Some(Spread { min, median, max });
    record
}

fn verdict_of(a: &BenchRecord, b: &BenchRecord, threshold: f64, name: &str) -> Verdict {
    compare(a, b, threshold)
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("figure {name} missing from the comparison"))
        .verdict
}

#[test]
fn a_throughput_ratio_falling_past_the_threshold_is_a_regression() {
    let a = record("a", 0.90, 0.02);
    let b = record("b", 0.75, 0.02); // -16.7%
    assert_eq!(verdict_of(&a, &b, 10.0, "full_export"), Verdict::Regressed);
    assert_eq!(
        verdict_of(&a, &b, 10.0, "differential_cost"),
        Verdict::Unchanged
    );
}

#[test]
fn a_change_within_the_threshold_is_not_a_regression() {
    let a = record("a", 0.90, 0.020);
    let b = record("b", 0.85, 0.021); // -5.6% and +5%
    let changes = compare(&a, &b, 10.0);
    assert!(
        changes.iter().all(|c| c.verdict == Verdict::Unchanged),
        "{changes:?}"
    );
}

#[test]
fn a_cost_ratio_rising_past_the_threshold_is_a_regression_and_falling_is_an_improvement() {
    let a = record("a", 0.90, 0.02);
    let worse = record("b", 0.90, 0.03);
    let better = record("c", 0.90, 0.01);
    assert_eq!(
        verdict_of(&a, &worse, 10.0, "differential_cost"),
        Verdict::Regressed
    );
    assert_eq!(
        verdict_of(&a, &better, 10.0, "differential_cost"),
        Verdict::Improved
    );
}

#[test]
fn a_figure_missing_from_one_record_is_not_compared() {
    let a = record("a", 0.9, 0.02);
    let mut b = record("b", 0.9, 0.02);
    b.figures.retain(|f| f.name != "differential_cost");
    assert_eq!(
        verdict_of(&a, &b, 10.0, "differential_cost"),
        Verdict::NotCompared
    );
}

#[test]
fn thresholds_parse_with_or_without_a_percent_sign() {
    assert_eq!(parse_threshold("10%"), Ok(10.0));
    assert_eq!(parse_threshold("2.5"), Ok(2.5));
    assert!(parse_threshold("ten").is_err());
    assert!(parse_threshold("-1%").is_err());
}

#[test]
fn a_malformed_record_fails_with_a_clear_error() {
    let error = parse_record("{\"format\": 1, \"name\": \"x\"}").unwrap_err();
    assert!(error.contains("not a bench record"), "{error}");
    let mut future = serde_json::to_value(record("a", 0.9, 0.02)).unwrap();
    future["format"] = serde_json::json!(99);
    let error = parse_record(&future.to_string()).unwrap_err();
    assert!(error.contains("format 99"), "{error}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    std::fs::write(&path, "not json").unwrap();
    let error = load_record(&path).unwrap_err();
    assert!(error.contains("broken.json"), "names the file: {error}");
}

#[test]
fn a_change_within_the_spread_of_the_repeats_is_unchanged_whatever_the_threshold() {
    let a = with_spread(record("a", 0.90, 0.02), 0.70, 0.95);
    let b = with_spread(record("b", 0.75, 0.02), 0.72, 0.80); // -16.7%, but the ranges overlap
    let change = compare(&a, &b, 10.0).into_iter().next().unwrap();
    assert_eq!(change.verdict, Verdict::Unchanged);
    assert!(change.within_spread);
    let narrow = with_spread(record("c", 0.75, 0.02), 0.74, 0.76);
    let tight = with_spread(record("d", 0.90, 0.02), 0.89, 0.91);
    let change = compare(&tight, &narrow, 10.0).into_iter().next().unwrap();
    assert!(!change.within_spread);
    assert_eq!(
        change.verdict,
        Verdict::Regressed,
        "outside the spread, past the threshold"
    );
}

#[test]
fn records_made_with_other_sizes_or_repeats_are_told_apart() {
    let a = record("a", 0.9, 0.02);
    assert!(parameter_differences(&a, &a.clone()).is_empty());
    let mut b = record("b", 0.9, 0.02);
    b.parameters.insert("repeats".into(), 1);
    b.parameters.insert("size_bytes".into(), 1 << 29);
    assert_eq!(
        parameter_differences(&a, &b),
        [
            "repeats: 3 in a, 1 in b",
            "size_bytes: 1073741824 in a, 536870912 in b"
        ]
    );
}

/// Runs rpsim in `dir` and lists the files under it afterwards.
fn rpsim_files(dir: &std::path::Path, args: &[&str]) -> (i32, String, Vec<String>) {
    let (code, text) = super::support::rpsim_in(dir, args, &[]);
    let mut files: Vec<String> = walk(dir);
    files.sort();
    (code, text, files)
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path.display().to_string());
        }
    }
    out
}

#[test]
fn compare_refuses_other_parameters_unless_asked_names_other_machines_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("reports/bench");
    let a = record("a", 0.9, 0.02);
    let mut b = record("b", 0.75, 0.02);
    b.parameters.insert("size_bytes".into(), 1 << 29);
    b.machine.cores = 8;
    save_record(&a, &records).unwrap();
    save_record(&b, &records).unwrap();
    let before = walk(dir.path());
    let (code, text, files) = rpsim_files(dir.path(), &["bench", "compare", "a", "b"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("size_bytes: 1073741824 in a, 536870912 in b"),
        "{text}"
    );
    assert!(text.contains("--allow-different-parameters"), "{text}");
    let args = ["bench", "compare", "a", "b", "--allow-different-parameters"];
    let (code, text, after) = rpsim_files(dir.path(), &args);
    assert_eq!(code, 1, "full_export fell by 16.7%: {text}");
    assert!(
        text.contains("warning: the records were made with different parameters"),
        "{text}"
    );
    assert!(
        text.contains(
            "different machines: a was measured on 2 cores of test, b on 8 cores of test"
        ),
        "{text}"
    );
    assert!(text.contains("REGRESSED"), "{text}");
    let mut before = before;
    before.sort();
    assert_eq!(files, before, "compare wrote a file");
    assert_eq!(after, before, "compare wrote a file");
}

#[test]
fn figures_print_each_unit_once() {
    use rpsim_harness::reporter::{HarnessEvent, HumanReporter, Reporter};
    let out = tempfile::NamedTempFile::new().unwrap();
    let file = out.reopen().unwrap();
    let mut reporter = HumanReporter::new(Box::new(file), Box::new(std::io::sink()), false, false);
    let mut record = record("a", 0.9, 0.02);
    record.figures[0].value = 350.0 * 1048576.0;
    record.figures[0].baseline_value = Some(400.0 * 1048576.0);
    record.figures[0].ratio_spread = Some(Spread {
        min: 0.85,
        median: 0.9,
        max: 0.93,
    });
    reporter.event(&HarnessEvent::BenchFigures { record: &record });
    reporter.finish().unwrap();
    let text = std::fs::read_to_string(out.path()).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("full_export"))
        .expect("a line");
    assert_eq!(
        line.matches("MiB/s").count(),
        2,
        "value and baseline: {line}"
    );
    assert!(!line.contains("bytes/s"), "{line}");
    assert!(line.contains("0.9000 [0.8500..0.9300]"), "{line}");
}

#[test]
fn records_round_trip_and_the_chart_has_a_panel_per_figure_in_saved_order() {
    let dir = tempfile::tempdir().unwrap();
    // Saved in this order; their names sort the other way.
    for (name, ratio, at) in [("v0.2.0", 0.8, 100), ("v0.10.0", 0.9, 200)] {
        let mut r = record(name, ratio, 0.02);
        r.saved_at_unix_s = Some(at);
        save_record(&r, dir.path()).unwrap();
    }
    std::fs::write(dir.path().join("junk.json"), "{}").unwrap();
    let (records, skipped) = load_history(dir.path()).unwrap();
    let names: Vec<&str> = records.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["v0.2.0", "v0.10.0"], "in the order saved");
    assert_eq!(skipped.len(), 1, "the junk file is reported: {skipped:?}");
    let mut expected = record("v0.2.0", 0.8, 0.02);
    expected.saved_at_unix_s = Some(100);
    assert_eq!(records[0], expected, "round trip");
    let svg = history_svg(&records).unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(
        svg.contains("full_export: ratio to baseline (higher is better)"),
        "{svg}"
    );
    assert!(
        svg.contains("differential_cost: ratio to baseline (lower is better)"),
        "{svg}"
    );
    assert!(svg.contains("target: at least 0.95") && svg.contains("target: at most 0.03"));
    let first = svg.find(">\nv0.2.0\n<").expect("a v0.2.0 label");
    let second = svg.find(">\nv0.10.0\n<").expect("a v0.10.0 label");
    assert!(first < second, "x labels in saved order");
    let mut bare = record("x", 0.9, 0.02);
    bare.figures.iter_mut().for_each(|f| f.ratio = None);
    assert!(history_svg(&[bare]).is_err(), "nothing to chart");
}

#[test]
fn the_chart_command_writes_the_file_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    save_record(&record("a", 0.9, 0.02), dir.path()).unwrap();
    let out = dir.path().join("chart.svg");
    let args = [
        "bench",
        "chart",
        a.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    let (code, text) = super::support::rpsim_in(dir.path(), &args, &[]);
    assert_eq!(code, 0, "{text}");
    let svg = std::fs::read_to_string(&out).unwrap();
    assert_eq!(svg.matches("is better)").count(), 2, "one panel per figure");
}
