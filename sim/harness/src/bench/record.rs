//! Bench records across versions: the JSON record `rpsim bench --save` writes, loading one by
//! name or path, comparing two (regressions are judged on ratios to a machine baseline, which
//! survive noisy machines) and the hand-written SVG history chart. Owns the record format and
//! the verdicts; it must never measure anything nor print.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The only record format so far.
pub const RECORD_FORMAT: u32 = 1;
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
    /// Relative change of the ratio from A to B, in percent.
    pub change_percent: Option<f64>,
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
    if record.format != RECORD_FORMAT {
        return Err(format!(
            "record format {} is not supported (expected {RECORD_FORMAT})",
            record.format
        ));
    }
    if record.figures.len() > FIGURES_MAX {
        return Err(format!("more than {FIGURES_MAX} figures"));
    }
    for figure in &record.figures {
        let finite = figure.value.is_finite() && figure.ratio.is_none_or(f64::is_finite);
        if !finite {
            return Err(format!("figure `{}` is not a finite number", figure.name));
        }
    }
    Ok(record)
}

/// Writes `record` as pretty JSON to `dir/<name>.json`; returns the path.
pub fn save_record(record: &BenchRecord, dir: &Path) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{}.json", record.name));
    let text = serde_json::to_string_pretty(record).expect("bench records serialise");
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
    let verdict = match change_percent {
        None => Verdict::NotCompared,
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
        change_percent,
        verdict,
    }
}

/// Every record in `dir` (files `*.json` that parse as records), sorted by name; files that do
/// not parse are reported back by path and reason.
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
    records.sort_by(|x, y| x.name.cmp(&y.name));
    Ok((records, skipped))
}

const SVG_WIDTH: f64 = 760.0;
const SVG_HEIGHT: f64 = 380.0;
const SVG_MARGIN_LEFT: f64 = 60.0;
const SVG_MARGIN_RIGHT: f64 = 220.0;
const SVG_MARGIN_TOP: f64 = 30.0;
const SVG_MARGIN_BOTTOM: f64 = 60.0;
const SVG_COLOURS: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
];

/// A line chart of every figure's ratio across `records` (already sorted), one line per
/// figure, record names along the x axis.
pub fn history_svg(records: &[BenchRecord]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for record in records {
        for figure in record.figures.iter().filter(|f| f.ratio.is_some()) {
            if !names.contains(&figure.name.as_str()) {
                names.push(&figure.name);
            }
        }
    }
    let ratio_max = records
        .iter()
        .flat_map(|r| r.figures.iter().filter_map(|f| f.ratio))
        .fold(1.0f64, f64::max);
    let plot_w = SVG_WIDTH - SVG_MARGIN_LEFT - SVG_MARGIN_RIGHT;
    let plot_h = SVG_HEIGHT - SVG_MARGIN_TOP - SVG_MARGIN_BOTTOM;
    let x_of = |i: usize| {
        let slots = records.len().max(2) - 1;
        SVG_MARGIN_LEFT + plot_w * i as f64 / slots as f64
    };
    let y_of = |ratio: f64| SVG_MARGIN_TOP + plot_h * (1.0 - ratio / ratio_max);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{SVG_WIDTH}\" height=\"{SVG_HEIGHT}\" font-family=\"sans-serif\" font-size=\"11\">"
    );
    let _ = writeln!(
        svg,
        "<text x=\"{SVG_MARGIN_LEFT}\" y=\"18\" font-size=\"13\">rpsim bench: ratios to the machine baseline, by record</text>"
    );
    svg_axes(&mut svg, ratio_max, &y_of);
    for (i, record) in records.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x_of(i),
            SVG_HEIGHT - SVG_MARGIN_BOTTOM + 16.0,
            xml_escape(&record.name)
        );
    }
    for (n, name) in names.iter().enumerate() {
        let colour = SVG_COLOURS[n % SVG_COLOURS.len()];
        let points: Vec<String> = records
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.figure(name).and_then(|f| f.ratio).map(|v| (i, v)))
            .map(|(i, v)| format!("{:.1},{:.1}", x_of(i), y_of(v)))
            .collect();
        let _ = writeln!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            points.join(" ")
        );
        for point in &points {
            let (x, y) = point.split_once(',').expect("points are x,y");
            let _ = writeln!(
                svg,
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"3\" fill=\"{colour}\"/>"
            );
        }
        let legend_y = SVG_MARGIN_TOP + 16.0 * n as f64;
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{legend_y:.1}\" fill=\"{colour}\">{}</text>",
            SVG_WIDTH - SVG_MARGIN_RIGHT + 12.0,
            xml_escape(name)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn svg_axes(svg: &mut String, ratio_max: f64, y_of: &dyn Fn(f64) -> f64) {
    let x_end = SVG_WIDTH - SVG_MARGIN_RIGHT;
    let y_end = SVG_HEIGHT - SVG_MARGIN_BOTTOM;
    let _ = writeln!(
        svg,
        "<line x1=\"{SVG_MARGIN_LEFT}\" y1=\"{SVG_MARGIN_TOP}\" x2=\"{SVG_MARGIN_LEFT}\" y2=\"{y_end}\" stroke=\"black\"/>"
    );
    let _ = writeln!(
        svg,
        "<line x1=\"{SVG_MARGIN_LEFT}\" y1=\"{y_end}\" x2=\"{x_end}\" y2=\"{y_end}\" stroke=\"black\"/>"
    );
    for tick in 0..=4 {
        let ratio = ratio_max * f64::from(tick) / 4.0;
        let y = y_of(ratio);
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{ratio:.2}</text>",
            SVG_MARGIN_LEFT - 6.0,
            y + 4.0
        );
        let _ = writeln!(
            svg,
            "<line x1=\"{SVG_MARGIN_LEFT}\" y1=\"{y:.1}\" x2=\"{x_end}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>"
        );
    }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
