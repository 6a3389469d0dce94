//! Failure records: the JSON file a failing sweep run leaves behind (scenario, seed, version,
//! failed checks, trace hash, event count) and its replay. Owns the record's shape, its file
//! naming (never overwriting) and the verdict of a replay; it must never print.

use crate::runner::guard::run_guarded_checking;
use crate::runner::summary::RunSummary;
use crate::runner::{RunFailure, RunOptions};
use rpsim_export::planted::PlantedBug;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Default directory for failure records, relative to the working directory.
pub const RECORDS_DIR_DEFAULT: &str = "reports/failures";
/// Most `-N` suffixes tried before giving up on a free file name.
pub const NAME_SUFFIX_MAX: u32 = 1000;
/// Largest record file read back (a record is a few kilobytes).
pub const RECORD_SIZE_BYTES_MAX: u64 = 16 * 1024 * 1024;

/// One failed check, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedCheck {
    pub check: String,
    pub export: Option<String>,
    pub message: String,
}

/// Everything needed to replay one failing run and to know whether the replay matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureRecord {
    /// As given on the command line (relative paths are relative to where rpsim ran).
    pub scenario_path: PathBuf,
    pub scenario_name: String,
    pub seed: u64,
    pub rpsim_version: String,
    /// The commit the recording binary was built from (`unknown` outside a git checkout).
    #[serde(default = "unknown")]
    pub commit: String,
    pub failed_checks: Vec<FailedCheck>,
    pub trace_hash: String,
    pub event_count: u64,
    pub repro: String,
    /// The planted bug the sweep ran with (replayed with it too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planted_bug: Option<String>,
    /// What the seed drew for the scenario's `swarm` and `random_actions` sections, short.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub drawn: String,
}

impl FailureRecord {
    /// The record of failed run `run`, swept with `planted_bug` when given.
    pub fn from_summary(run: &RunSummary, planted_bug: Option<PlantedBug>) -> FailureRecord {
        assert!(!run.passed(), "a failure record needs a failed run");
        let plant = planted_bug
            .map(|b| format!(" --plant-bug {}", b.name()))
            .unwrap_or_default();
        // A divergence shows only when the run is made twice.
        let twice = if checks_determinism(&failed_checks(run)) {
            " --check-determinism"
        } else {
            ""
        };
        FailureRecord {
            scenario_path: run.file.clone(),
            scenario_name: run.name.clone(),
            seed: run.seed,
            rpsim_version: env!("CARGO_PKG_VERSION").to_string(),
            commit: BUILD_COMMIT.to_string(),
            failed_checks: failed_checks(run),
            trace_hash: run.trace_hash.clone(),
            event_count: run.event_count,
            repro: format!("{}{plant}{twice}", run.repro_command()),
            planted_bug: planted_bug.map(|b| b.name().to_string()),
            drawn: run.drawn.clone(),
        }
    }
}

/// True when one of `checks` is the determinism check (the replay must run twice too).
fn checks_determinism(checks: &[FailedCheck]) -> bool {
    checks
        .iter()
        .any(|c| c.check == crate::runner::determinism::DETERMINISM_CHECK)
}

fn failed_checks(run: &RunSummary) -> Vec<FailedCheck> {
    run.failures
        .iter()
        .map(|f| FailedCheck {
            check: f.check.clone(),
            export: f.export.clone(),
            message: f.message.clone(),
        })
        .collect()
}

/// Writes `record` as `DIR/<scenario stem>-seed<S>.json` (or `-2`, `-3`, ... when taken); never
/// overwrites a file. Returns the path written.
pub fn write_new(dir: &Path, record: &FailureRecord) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let stem = format!(
        "{}-seed{}",
        crate::suite::discover::scenario_stem(&record.scenario_path),
        record.seed
    );
    let text = serde_json::to_string_pretty(record).expect("a record serialises") + "\n";
    for attempt in 1..=NAME_SUFFIX_MAX {
        let name = if attempt == 1 {
            format!("{stem}.json")
        } else {
            format!("{stem}-{attempt}.json")
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(text.as_bytes())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
        }
    }
    Err(format!(
        "{}: {NAME_SUFFIX_MAX} records named {stem}*.json already exist; move some away",
        dir.display()
    ))
}

/// Reads a record written by [`write_new`].
pub fn load(path: &Path) -> Result<FailureRecord, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    if meta.len() > RECORD_SIZE_BYTES_MAX {
        return Err(format!(
            "{}: larger than {RECORD_SIZE_BYTES_MAX} bytes; not a failure record",
            path.display()
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a failure record: {e}", path.display()))
}

/// How a replay compares with the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReproVerdict {
    /// Same trace hash and the same checks failed: the failure reproduces.
    Reproduced,
    /// The trace hash differs (the code or the scenario changed, or determinism broke).
    HashDiffers,
    /// Same trace hash but a different set of failed checks (the checks changed).
    ChecksDiffer,
}

/// The commit this binary was built from (`unknown` outside a git checkout).
pub const BUILD_COMMIT: &str = env!("RPSIM_COMMIT");

fn unknown() -> String {
    "unknown".to_string()
}

/// Why a replay may not mean what it says: the record comes from another version or commit.
pub fn build_differences(record: &FailureRecord) -> Vec<String> {
    let mut differences = Vec::new();
    if record.rpsim_version != env!("CARGO_PKG_VERSION") {
        differences.push(format!(
            "the record was made by rpsim {}, this is rpsim {}",
            record.rpsim_version,
            env!("CARGO_PKG_VERSION")
        ));
    }
    if record.commit != BUILD_COMMIT {
        differences.push(format!(
            "the record was made at commit {}, this binary is built from {BUILD_COMMIT}",
            record.commit
        ));
    }
    differences
}

/// A replay and its verdict.
#[derive(Debug)]
pub struct Repro {
    pub run: RunSummary,
    pub verdict: ReproVerdict,
}

/// Replays the record's scenario file with its seed (and planted bug) and compares.
pub fn reproduce(record: &FailureRecord) -> Result<Repro, RunFailure> {
    let options = RunOptions {
        seed: Some(record.seed),
        ..RunOptions::default()
    };
    let bug = match &record.planted_bug {
        None => None,
        Some(name) => Some(
            PlantedBug::from_name(name).ok_or_else(|| RunFailure::Simulation {
                file: record.scenario_path.display().to_string(),
                message: format!("the record names an unknown planted bug `{name}`"),
            })?,
        ),
    };
    let twice = checks_determinism(&record.failed_checks);
    let run = run_guarded_checking(&record.scenario_path, &options, bug, twice)?;
    let verdict = if run.trace_hash != record.trace_hash {
        ReproVerdict::HashDiffers
    } else if failed_checks(&run) != record.failed_checks {
        ReproVerdict::ChecksDiffer
    } else {
        ReproVerdict::Reproduced
    };
    Ok(Repro { run, verdict })
}
