//! Bench records across versions: the JSON record `rpsim bench --save` writes, loading one by
//! name or path, and comparing two: regressions are judged on ratios to a machine baseline,
//! which survive noisy machines; a change within the spread the repeats showed is no change;
//! records made with other sizes or repeat counts are told apart before anything is judged.
//! Owns the record format and the verdicts; it must never measure anything, print or draw.

use crate::bench::spread::Spread;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The record format written: 2 keeps each figure's spread over its repeats (its `value` and
/// `ratio` are medians) and when the record was saved. Format 1 (best of the repeats, no
/// spread) is still read.
pub const RECORD_FORMAT: u32 = 2;
/// Every record format read.
pub const RECORD_FORMATS_READ: [u32; 2] = [1, 2];
/// Where records live, relative to the working directory.
pub const RECORDS_DIR: &str = "reports/bench";
/// Most records the history chart reads.
pub const HISTORY_RECORDS_MAX: usize = 256;
/// Largest record file accepted.
pub const RECORD_BYTES_MAX: u64 = 1 << 20;
/// Most figures one record may hold.
pub const FIGURES_MAX: usize = 64;

/// Which direction of a ratio is good.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
}

/// One measured figure and its ratio to the baseline measured in the same run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: String,
    /// What the ratio divides by (e.g. `seq_write`), if anything.
    #[serde(default)]
    pub baseline: Option<String>,
    #[serde(default)]
    pub baseline_value: Option<f64>,
    /// `value / baseline_value` (or the documented cost ratio); compared across versions.
    #[serde(default)]
    pub ratio: Option<f64>,
    pub better: Better,
    /// How the figure was obtained when that is not obvious (estimates, scaling, skips).
    #[serde(default)]
    pub note: String,
    /// `value` over the repeats (format 2; absent in format 1 records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_spread: Option<Spread>,
    /// `ratio` over the repeats: the widest range the value and baseline spreads allow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio_spread: Option<Spread>,
}

impl Figure {
    /// The ratio's spread, or the ratio alone when the record kept none.
    pub fn ratio_range(&self) -> Option<Spread> {
        self.ratio_spread.or(self.ratio.map(Spread::point))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub cores: usize,
    pub cpu_model: String,
}

/// One saved bench run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchRecord {
    pub format: u32,
    pub name: String,
    pub version: String,
    pub commit: String,
    pub machine: Machine,
    /// Sizes the run used, in bytes, by name.
    pub parameters: std::collections::BTreeMap<String, u64>,
    pub figures: Vec<Figure>,
    /// When `--save` wrote it (Unix seconds, wall clock): the history chart's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_at_unix_s: Option<u64>,
}

/// The verdict on one figure's ratio.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Regressed,
    Improved,
    Unchanged,
    /// No ratio on one side, or the figure is missing from one record.
    NotCompared,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FigureChange {
    pub name: String,
    pub ratio_a: Option<f64>,
    pub ratio_b: Option<f64>,
    /// The ratios' spreads over their repeats (a lone ratio when a record kept none).
    pub spread_a: Option<Spread>,
    pub spread_b: Option<Spread>,
    /// Relative change of the ratio from A to B, in percent.
    pub change_percent: Option<f64>,
    /// The two spreads overlap: whatever the change, it is within the noise (unchanged).
    pub within_spread: bool,
    pub verdict: Verdict,
}

impl BenchRecord {
    pub fn figure(&self, name: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.name == name)
    }
}

/// Parses `10%` or `10` into a percentage.
pub fn parse_threshold(text: &str) -> Result<f64, String> {
    let number = text.trim().trim_end_matches('%');
    match number.parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        _ => Err(format!(
            "threshold `{text}` is not a non-negative percentage such as `10%`"
        )),
    }
}

/// The path of a record: `spec` itself when it names a file, else `dir/spec.json`.
pub fn record_path(spec: &str, dir: &Path) -> PathBuf {
    let as_path = PathBuf::from(spec);
    if spec.ends_with(".json") || as_path.is_file() {
        as_path
    } else {
        dir.join(format!("{spec}.json"))
    }
}

/// Loads and checks one record.
pub fn load_record(path: &Path) -> Result<BenchRecord, String> {
    let size_bytes = std::fs::metadata(path)
        .map_err(|e| format!("cannot read bench record {}: {e}", path.display()))?
        .len();
    if size_bytes > RECORD_BYTES_MAX {
        return Err(format!(
            "bench record {} is larger than {RECORD_BYTES_MAX} bytes",
            path.display()
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read bench record {}: {e}", path.display()))?;
    parse_record(&text).map_err(|e| format!("bench record {}: {e}", path.display()))
}

/// Parses and checks a record's text.
pub fn parse_record(text: &str) -> Result<BenchRecord, String> {
    let record: BenchRecord = serde_json::from_str(text)
        .map_err(|e| format!("not a bench record ({e}); re-save it with `rpsim bench --save`"))?;
    if !RECORD_FORMATS_READ.contains(&record.format) {
        return Err(format!(
            "record format {} is not supported (expected one of {RECORD_FORMATS_READ:?})",
            record.format
        ));
    }
    if record.figures.len() > FIGURES_MAX {
        return Err(format!("more than {FIGURES_MAX} figures"));
    }
    for figure in &record.figures {
        let finite = figure.value.is_finite() && figure.ratio.is_none_or(f64::is_finite);
        let spreads_sound = [figure.value_spread, figure.ratio_spread]
            .iter()
            .flatten()
            .all(|s| s.is_sound());
        if !spreads_sound {
            return Err(format!(
                "figure `{}` has a spread that is not min <= median <= max",
                figure.name
            ));
        }
        if !finite {
            return Err(format!("figure `{}` is not a finite number", figure.name));
        }
    }
    Ok(record)
}

/// Writes `record` as pretty JSON to `dir/<name>.json` (stamped with the time it is saved when
/// it has no stamp); returns the path.
pub fn save_record(record: &BenchRecord, dir: &Path) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{}.json", record.name));
    let mut record = record.clone();
    if record.saved_at_unix_s.is_none() {
        // Wall clock, for the chart's order only.
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        record.saved_at_unix_s = now.ok().map(|d| d.as_secs());
    }
    let text = serde_json::to_string_pretty(&record).expect("bench records serialise");
    std::fs::write(&path, text + "\n")
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// Compares the ratios of `a` (old) and `b` (new), figure by figure in A's order then B's new
/// ones; a ratio that moved the bad way by more than `threshold_percent` is a regression.
pub fn compare(a: &BenchRecord, b: &BenchRecord, threshold_percent: f64) -> Vec<FigureChange> {
    assert!(threshold_percent >= 0.0);
    let mut names: Vec<&str> = a.figures.iter().map(|f| f.name.as_str()).collect();
    for figure in &b.figures {
        if !names.contains(&figure.name.as_str()) {
            names.push(&figure.name);
        }
    }
    let changes: Vec<FigureChange> = names
        .iter()
        .map(|name| compare_one(name, a.figure(name), b.figure(name), threshold_percent))
        .collect();
    assert_eq!(changes.len(), names.len());
    changes
}

fn compare_one(
    name: &str,
    a: Option<&Figure>,
    b: Option<&Figure>,
    threshold_percent: f64,
) -> FigureChange {
    let ratio_a = a.and_then(|f| f.ratio);
    let ratio_b = b.and_then(|f| f.ratio);
    let better = b.or(a).map(|f| f.better).unwrap_or(Better::Higher);
    let change_percent = match (ratio_a, ratio_b) {
        (Some(ra), Some(rb)) if ra != 0.0 => Some((rb - ra) / ra.abs() * 100.0),
        _ => None,
    };
    let spread_a = a.and_then(Figure::ratio_range);
    let spread_b = b.and_then(Figure::ratio_range);
    let within_spread = matches!((spread_a, spread_b), (Some(sa), Some(sb)) if sa.overlaps(sb));
    let verdict = match change_percent {
        None => Verdict::NotCompared,
        Some(_) if within_spread => Verdict::Unchanged,
        Some(change) => {
            let worse = match better {
                Better::Higher => -change,
                Better::Lower => change,
            };
            if worse > threshold_percent {
                Verdict::Regressed
            } else if -worse > threshold_percent {
                Verdict::Improved
            } else {
                Verdict::Unchanged
            }
        }
    };
    FigureChange {
        name: name.to_string(),
        ratio_a,
        ratio_b,
        spread_a,
        spread_b,
        change_percent,
        within_spread,
        verdict,
    }
}

/// The parameters (sizes, repeat count) two records were made with that differ, one line
/// each (`size_bytes: 536870912 in A, 1073741824 in B`); empty when they were made alike.
pub fn parameter_differences(a: &BenchRecord, b: &BenchRecord) -> Vec<String> {
    let mut keys: Vec<&String> = a.parameters.keys().chain(b.parameters.keys()).collect();
    keys.sort();
    keys.dedup();
    let shown = |v: Option<&u64>| v.map_or("absent".to_string(), u64::to_string);
    keys.into_iter()
        .filter(|k| a.parameters.get(*k) != b.parameters.get(*k))
        .map(|k| {
            format!(
                "{k}: {} in {}, {} in {}",
                shown(a.parameters.get(k)),
                a.name,
                shown(b.parameters.get(k)),
                b.name
            )
        })
        .collect()
}

/// How the machines of two records differ, when they do.
pub fn machine_difference(a: &BenchRecord, b: &BenchRecord) -> Option<String> {
    (a.machine != b.machine).then(|| {
        format!(
            "{} was measured on {} cores of {}, {} on {} cores of {}",
            a.name,
            a.machine.cores,
            a.machine.cpu_model,
            b.name,
            b.machine.cores,
            b.machine.cpu_model
        )
    })
}

/// `records` in the order they were saved: by `saved_at_unix_s`, records without one (older
/// formats) first, in the order given.
pub fn in_saved_order(mut records: Vec<BenchRecord>) -> Vec<BenchRecord> {
    records.sort_by_key(|r| r.saved_at_unix_s);
    records
}

/// Every record in `dir` (files `*.json` that parse as records), in the order they were saved
/// (see [`in_saved_order`]; by file name before that); files that do not parse are reported
/// back by path and reason.
pub fn load_history(dir: &Path) -> Result<(Vec<BenchRecord>, Vec<String>), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths.truncate(HISTORY_RECORDS_MAX);
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    for path in &paths {
        match load_record(path) {
            Ok(record) => records.push(record),
            Err(e) => skipped.push(e),
        }
    }
    Ok((in_saved_order(records), skipped))
}
