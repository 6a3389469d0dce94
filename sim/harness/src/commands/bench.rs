//! `rpsim bench`: measures the export job against same-run baselines, saves a record, compares
//! two records (a regressed ratio is a failed check; nothing is written) and draws the history
//! chart where asked; also the hidden child process that reports its peak RSS. Owns those steps and their outcomes; it
//! must never print, measure (that is `bench::measure`) or judge (`bench::record`).

use crate::bench::record::{self as record, Verdict, RECORDS_DIR};
use crate::bench::{self, BenchPlan};
use crate::outcome::Outcome;
use crate::reporter::{HarnessEvent, Reporter};
use rpsim_scenario::units::ByteSize;
use std::path::Path;

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
        "rpsim bench: {} full, {} per mille of a {} disk differential, median, min and max of {} repeats",
        ByteSize(plan.size_bytes),
        plan.changed_per_mille,
        ByteSize(plan.diff_disk_size_bytes),
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

/// How `bench compare` reads two records.
#[derive(Clone, Debug)]
pub struct CompareRequest {
    /// The older and the newer record: names in the records directory, or paths.
    pub a: String,
    pub b: String,
    /// Largest tolerated change of a ratio in the bad direction (`10%`).
    pub threshold: String,
    /// Compare records made with different sizes or repeat counts anyway.
    pub allow_different_parameters: bool,
}

/// Compares records `a` and `b`; writes nothing. Records made with different parameters are
/// refused (bad input) unless allowed; different machines are pointed out.
pub fn compare(request: &CompareRequest, reporter: &mut dyn Reporter) -> Outcome {
    let dir = Path::new(RECORDS_DIR);
    let threshold_percent = match record::parse_threshold(&request.threshold) {
        Ok(t) => t,
        Err(message) => return bad_input(reporter, &message),
    };
    let load = |spec: &str| record::load_record(&record::record_path(spec, dir));
    let (ra, rb) = match (load(&request.a), load(&request.b)) {
        (Ok(ra), Ok(rb)) => (ra, rb),
        (Err(message), _) | (_, Err(message)) => return bad_input(reporter, &message),
    };
    let differences = record::parameter_differences(&ra, &rb);
    if !differences.is_empty() {
        let message = format!(
            "the records were made with different parameters ({}); their figures measure \
             different work. Compare records made alike, or pass --allow-different-parameters",
            differences.join("; ")
        );
        if !request.allow_different_parameters {
            return bad_input(reporter, &message);
        }
        reporter.event(&HarnessEvent::Warning { message: &message });
    }
    if let Some(machines) = record::machine_difference(&ra, &rb) {
        let message = format!(
            "different machines: {machines}; the ratios to same-run baselines stay comparable, \
             the values do not"
        );
        reporter.event(&HarnessEvent::Warning { message: &message });
    }
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
    Outcome::checks(regressed > 0)
}

/// Draws the history chart of `specs` (record names or paths; none: every record in the
/// records directory) into `out`, in the order the records were saved.
pub fn chart(specs: &[String], out: &Path, reporter: &mut dyn Reporter) -> Outcome {
    let dir = Path::new(RECORDS_DIR);
    let records = if specs.is_empty() {
        match record::load_history(dir) {
            Ok((records, skipped)) => {
                for message in &skipped {
                    let message = format!("not in the chart: {message}");
                    reporter.event(&HarnessEvent::Warning { message: &message });
                }
                records
            }
            Err(message) => return bad_input(reporter, &message),
        }
    } else {
        let mut records = Vec::new();
        for spec in specs.iter().take(record::HISTORY_RECORDS_MAX) {
            match record::load_record(&record::record_path(spec, dir)) {
                Ok(record) => records.push(record),
                Err(message) => return bad_input(reporter, &message),
            }
        }
        record::in_saved_order(records)
    };
    let svg = match crate::bench::chart::history_svg(&records) {
        Ok(svg) => svg,
        Err(message) => return bad_input(reporter, &message),
    };
    match std::fs::write(out, svg) {
        Ok(()) => {
            reporter.event(&HarnessEvent::Wrote {
                path: out,
                what: "bench history chart",
            });
            Outcome::Passed
        }
        Err(e) => bad_input(reporter, &format!("cannot write {}: {e}", out.display())),
    }
}

/// The hidden child of the RSS figures: exports a disk (or restores `restore_chain` when
/// given) and reports its peak RSS as data.
pub fn rss_child(
    disk_size_bytes: u64,
    allocated_bytes: u64,
    restore_chain: &[std::path::PathBuf],
    work_dir: Option<&Path>,
    reporter: &mut dyn Reporter,
) -> Outcome {
    let work_dir = work_dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
    let measured = if restore_chain.is_empty() {
        bench::measure::rss_child(disk_size_bytes, allocated_bytes, &work_dir)
    } else {
        bench::restore::restore_rss_child(restore_chain, &work_dir)
    };
    match measured {
        Ok(bytes) => {
            let line = format!("{}{bytes}", bench::measure::RSS_CHILD_PREFIX);
            reporter.event(&HarnessEvent::Data { line: &line });
            Outcome::Passed
        }
        Err(message) => bad_input(reporter, &message),
    }
}
