//! Protects `rpsim bench compare` and the history chart: regressions are judged on ratios
//! against a threshold, malformed records fail with a clear error, and the SVG names every
//! record.

use rpsim_harness::bench::record::{
    compare, history_svg, load_history, load_record, parse_record, parse_threshold, save_record,
    BenchRecord, Better, Figure, Machine, Verdict, RECORD_FORMAT,
};
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
        parameters: BTreeMap::new(),
        figures: vec![
            figure("full_export", full_ratio, Better::Higher),
            figure("differential_cost", diff_ratio, Better::Lower),
        ],
    }
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
fn records_round_trip_and_the_history_svg_names_every_record() {
    let dir = tempfile::tempdir().unwrap();
    for (name, ratio) in [("v0.2.0", 0.8), ("v0.1.0", 0.9)] {
        save_record(&record(name, ratio, 0.02), dir.path()).unwrap();
    }
    std::fs::write(dir.path().join("junk.json"), "{}").unwrap();
    let (records, skipped) = load_history(dir.path()).unwrap();
    let names: Vec<&str> = records.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["v0.1.0", "v0.2.0"], "sorted by name");
    assert_eq!(skipped.len(), 1, "the junk file is reported: {skipped:?}");
    assert_eq!(records[0], record("v0.1.0", 0.9, 0.02), "round trip");
    let svg = history_svg(&records);
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"));
    for name in ["v0.1.0", "v0.2.0", "full_export", "differential_cost"] {
        assert!(svg.contains(name), "svg lacks {name}");
    }
    assert_eq!(
        svg.matches("<polyline").count(),
        2,
        "one line per ratio figure"
    );
}
