//! `rpsim bench`: measures the export job against same-run baselines, saves a record, compares
//! two records (a regressed ratio is a failed check) and redraws the history chart; also the
//! hidden child process that reports its peak RSS. Owns those steps and their outcomes; it
//! must never print, measure (that is `bench::measure`) or judge (`bench::record`).

use crate::bench::record::{self as record, Verdict, RECORDS_DIR};
use crate::bench::{self, BenchPlan};
use crate::outcome::Outcome;
use crate::reporter::{HarnessEvent, Reporter};
use std::path::{Path, PathBuf};

/// Name of the chart redrawn after each save or compare, inside the records directory.
pub const HISTORY_SVG: &str = "history.svg";
/// Longest `--save` name.
pub const SAVE_NAME_BYTES_MAX: usize = 64;

fn bad_input(reporter: &mut dyn Reporter, message: &str) -> Outcome {
    reporter.event(&HarnessEvent::Error { message });
    Outcome::BadInput
}

/// Measures `plan`, reports the figures and saves the record as `save` when given.
pub fn measure(plan: &BenchPlan, save: Option<&str>, reporter: &mut dyn Reporter) -> Outcome {
    if save.is_some_and(|n| !valid_name(n)) {
        return bad_input(
            reporter,
            "--save NAME may hold only letters, digits, `.`, `-` and `_`",
        );
    }
    let line = format!(
        "rpsim bench: {} MiB full, 1/{} of a {} GiB disk differential, best of {}",
        bench::mib(plan.size_bytes),
        1000 / plan.changed_per_mille.max(1),
        plan.diff_disk_size_bytes >> 30,
        plan.repeats
    );
    reporter.event(&HarnessEvent::BenchProgress { line: &line });
    let name = save.unwrap_or("unsaved");
    let mut progress = |line: &str| reporter.event(&HarnessEvent::BenchProgress { line });
    let record = match bench::run_bench(plan, name, &mut progress) {
        Ok(record) => record,
        Err(message) => return bad_input(reporter, &message),
    };
    reporter.event(&HarnessEvent::BenchFigures { record: &record });
    if save.is_some() {
        let dir = Path::new(RECORDS_DIR);
        match record::save_record(&record, dir) {
            Ok(path) => reporter.event(&HarnessEvent::Wrote {
                path: &path,
                what: "bench record",
            }),
            Err(message) => return bad_input(reporter, &message),
        }
        redraw_history(dir, reporter);
    }
    Outcome::Passed
}

fn valid_name(name: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    !name.is_empty()
        && name.len() <= SAVE_NAME_BYTES_MAX
        && !name.starts_with('.')
        && name.chars().all(allowed)
}

/// Compares records `a` and `b` (names in the records directory, or paths).
pub fn compare(a: &str, b: &str, threshold: &str, reporter: &mut dyn Reporter) -> Outcome {
    let dir = Path::new(RECORDS_DIR);
    let threshold_percent = match record::parse_threshold(threshold) {
        Ok(t) => t,
        Err(message) => return bad_input(reporter, &message),
    };
    let load = |spec: &str| record::load_record(&record::record_path(spec, dir));
    let (ra, rb) = match (load(a), load(b)) {
        (Ok(ra), Ok(rb)) => (ra, rb),
        (Err(message), _) | (_, Err(message)) => return bad_input(reporter, &message),
    };
    let changes = record::compare(&ra, &rb, threshold_percent);
    let regressed = changes
        .iter()
        .filter(|c| c.verdict == Verdict::Regressed)
        .count();
    reporter.event(&HarnessEvent::BenchCompared {
        a: &ra,
        b: &rb,
        threshold_percent,
        changes: &changes,
        regressed,
    });
    if dir.is_dir() {
        redraw_history(dir, reporter);
    }
    Outcome::checks(regressed > 0)
}

fn redraw_history(dir: &Path, reporter: &mut dyn Reporter) {
    let (records, skipped) = match record::load_history(dir) {
        Ok(found) => found,
        Err(message) => {
            let message = format!("history chart not redrawn: {message}");
            reporter.event(&HarnessEvent::Warning { message: &message });
            return;
        }
    };
    for message in &skipped {
        let message = format!("not in the chart: {message}");
        reporter.event(&HarnessEvent::Warning { message: &message });
    }
    let path: PathBuf = dir.join(HISTORY_SVG);
    match std::fs::write(&path, record::history_svg(&records)) {
        Ok(()) => reporter.event(&HarnessEvent::Wrote {
            path: &path,
            what: "history chart",
        }),
        Err(e) => {
            let message = format!("cannot write {}: {e}", path.display());
            reporter.event(&HarnessEvent::Warning { message: &message });
        }
    }
}

/// The hidden child of the RSS figure: exports a disk and reports its peak RSS as data.
pub fn rss_child(
    disk_size_bytes: u64,
    allocated_bytes: u64,
    work_dir: Option<&Path>,
    reporter: &mut dyn Reporter,
) -> Outcome {
    let work_dir = work_dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
    match bench::measure::rss_child(disk_size_bytes, allocated_bytes, &work_dir) {
        Ok(bytes) => {
            let line = format!("{}{bytes}", bench::measure::RSS_CHILD_PREFIX);
            reporter.event(&HarnessEvent::Data { line: &line });
            Outcome::Passed
        }
        Err(message) => bad_input(reporter, &message),
    }
}
