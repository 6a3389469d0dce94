//! The sweep's result file: JSON lines, a header naming the binary version, the commit, the
//! scenarios, the seed range and the shard, then one line per finished run (scenario, seed,
//! verdict, trace hash, checks, failures), appended and flushed as each run ends so that an
//! interrupted sweep keeps what it found and `--resume` skips it. Owns that format and its
//! reading back; it must never overwrite a file, and never decide a verdict.

use crate::runner::RunSummary;
use crate::sweep::{SweepError, SweepPlan};
use rpsim_checks::report::CheckFailure;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The format number in the header.
pub const RESULTS_FORMAT: u32 = 1;
/// Default result file, relative to the working directory (`-2`, `-3`, ... when taken).
pub const RESULTS_PATH_DEFAULT: &str = "reports/sweep-results.jsonl";
/// Most `-N` suffixes tried for a free default name.
pub const NAME_SUFFIX_MAX: u32 = 1000;
/// Largest result file read back by `--resume` (a line is a few hundred bytes).
pub const RESULTS_BYTES_MAX: u64 = 4 << 30;

/// The first line: what was swept, by which binary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsHeader {
    pub rpsim_sweep_results: u32,
    pub rpsim_version: String,
    pub commit: String,
    /// The binary's build: `release` or `debug`, `+planted-bugs` when they are compiled in
    /// (`rpsim merge` refuses shards of different builds).
    #[serde(default)]
    pub build: String,
    pub scenarios: Vec<PathBuf>,
    /// `A..B`, half-open.
    pub seeds: String,
    /// `K/M`.
    pub shard: String,
    #[serde(default)]
    pub planted_bug: Option<String>,
    /// `--check-determinism` with its sample (1: every seed); absent when runs were made once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub determinism_sample: Option<u64>,
}

impl ResultsHeader {
    /// The header of a sweep of `plan` at `commit`.
    pub fn of(plan: &SweepPlan, commit: &str) -> ResultsHeader {
        ResultsHeader {
            rpsim_sweep_results: RESULTS_FORMAT,
            rpsim_version: env!("CARGO_PKG_VERSION").to_string(),
            commit: commit.to_string(),
            build: build_name(),
            scenarios: plan.files.clone(),
            seeds: format!("{}..{}", plan.seeds.start, plan.seeds.end),
            shard: format!("{}/{}", plan.shard.index, plan.shard.count),
            planted_bug: plan.plant_bug.map(|b| b.name().to_string()),
            determinism_sample: plan.determinism_sample,
        }
    }
}

/// This binary's build, as the header names it.
pub fn build_name() -> String {
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let planted = if rpsim_export::planted::COMPILED_IN {
        "+planted-bugs"
    } else {
        ""
    };
    format!("{profile}{planted}")
}

/// One failed check of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultFailure {
    pub check: String,
    pub export: Option<String>,
    pub message: String,
}

/// One finished run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultLine {
    pub scenario: PathBuf,
    pub name: String,
    pub seed: u64,
    /// `pass`, `fail` or `error` (the run could not be carried out).
    pub verdict: String,
    pub trace_hash: String,
    pub event_count: u64,
    pub sim_time_ns: u64,
    pub checks_passed: u64,
    pub failures: Vec<ResultFailure>,
    /// For people only.
    pub wall_time_ms: u64,
    pub bytes_exported: u64,
    /// Why the run could not be carried out (`verdict: error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Coverage probes the run reached: name to hits (probes never hit are left out).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub probes: BTreeMap<String, u32>,
}

impl ResultLine {
    pub fn of_run(run: &RunSummary) -> ResultLine {
        ResultLine {
            scenario: run.file.clone(),
            name: run.name.clone(),
            seed: run.seed,
            verdict: if run.passed() { "pass" } else { "fail" }.to_string(),
            trace_hash: run.trace_hash.clone(),
            event_count: run.event_count,
            sim_time_ns: run.sim_time_ns,
            checks_passed: run.checks_passed,
            failures: run
                .failures
                .iter()
                .map(|f| ResultFailure {
                    check: f.check.clone(),
                    export: f.export.clone(),
                    message: f.message.clone(),
                })
                .collect(),
            wall_time_ms: run.wall_time_ms,
            bytes_exported: run.bytes_exported,
            error: None,
            probes: run.probes.clone(),
        }
    }

    pub fn of_error(error: &SweepError) -> ResultLine {
        ResultLine {
            scenario: error.file.clone(),
            name: crate::suite::discover::scenario_stem(&error.file),
            seed: error.seed,
            verdict: "error".to_string(),
            trace_hash: String::new(),
            event_count: 0,
            sim_time_ns: 0,
            checks_passed: 0,
            failures: Vec::new(),
            wall_time_ms: 0,
            bytes_exported: 0,
            error: Some(error.message.clone()),
            probes: BTreeMap::new(),
        }
    }

    /// The run as a summary again (`None` for a run that could not be carried out).
    pub fn summary(&self) -> Option<RunSummary> {
        (self.verdict != "error").then(|| RunSummary {
            file: self.scenario.clone(),
            name: self.name.clone(),
            seed: self.seed,
            trace_hash: self.trace_hash.clone(),
            event_count: self.event_count,
            sim_time_ns: self.sim_time_ns,
            checks_passed: self.checks_passed,
            failures: self
                .failures
                .iter()
                .map(|f| CheckFailure {
                    check: f.check.clone(),
                    export: f.export.clone(),
                    message: f.message.clone(),
                })
                .collect(),
            wall_time_ms: self.wall_time_ms,
            bytes_exported: self.bytes_exported,
            probes: self.probes.clone(),
            drawn: String::new(),
        })
    }
}

/// The result file being written: one line per run, flushed as it comes.
pub struct ResultsWriter {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

impl ResultsWriter {
    /// Creates a new file (never replacing one): `path`, or with no path the default name or
    /// its first free `-N` variant; writes the header.
    pub fn create(path: Option<&Path>, header: &ResultsHeader) -> Result<ResultsWriter, String> {
        let candidates: Vec<PathBuf> = match path {
            Some(path) => vec![path.to_path_buf()],
            None => (1..=NAME_SUFFIX_MAX).map(default_name).collect(),
        };
        for candidate in candidates {
            if let Some(dir) = candidate.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            let opened = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&candidate);
            match opened {
                Ok(file) => {
                    let writer = ResultsWriter {
                        path: candidate,
                        file: Mutex::new(file),
                    };
                    writer.append(&serde_json::to_string(header).expect("serialises"))?;
                    return Ok(writer);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && path.is_none() => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(format!(
                        "{} exists; give another --results file, or --resume it",
                        candidate.display()
                    ))
                }
                Err(e) => return Err(format!("cannot create {}: {e}", candidate.display())),
            }
        }
        Err(format!(
            "{NAME_SUFFIX_MAX} result files named {RESULTS_PATH_DEFAULT}* exist; move some away"
        ))
    }

    /// Opens an existing result file to append to (`--resume`).
    pub fn append_to(path: &Path) -> Result<ResultsWriter, String> {
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open {} to append: {e}", path.display()))?;
        Ok(ResultsWriter {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one run's line; safe from any worker thread.
    pub fn append_run(&self, line: &ResultLine) -> Result<(), String> {
        self.append(&serde_json::to_string(line).expect("serialises"))
    }

    fn append(&self, text: &str) -> Result<(), String> {
        assert!(!text.contains('\n'), "one JSON object per line");
        let mut file = self
            .file
            .lock()
            .map_err(|_| "a worker panicked".to_string())?;
        writeln!(file, "{text}")
            .and_then(|()| file.flush())
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }
}

fn default_name(attempt: u32) -> PathBuf {
    if attempt == 1 {
        PathBuf::from(RESULTS_PATH_DEFAULT)
    } else {
        PathBuf::from(RESULTS_PATH_DEFAULT.replace(".jsonl", &format!("-{attempt}.jsonl")))
    }
}

/// A result file read back: its header and every complete run line.
#[derive(Clone, Debug)]
pub struct ReadResults {
    pub header: ResultsHeader,
    pub runs: Vec<ResultLine>,
}

/// Reads a result file; a last line cut short by an interruption is ignored.
pub fn read(path: &Path) -> Result<ReadResults, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > RESULTS_BYTES_MAX {
        return Err(format!(
            "{}: larger than {RESULTS_BYTES_MAX} bytes",
            path.display()
        ));
    }
    let mut lines = std::io::BufReader::new(file).lines();
    let first = lines
        .next()
        .ok_or_else(|| format!("{}: empty, not a sweep result file", path.display()))?
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let header: ResultsHeader = serde_json::from_str(&first)
        .map_err(|e| format!("{}:1: not a sweep result header: {e}", path.display()))?;
    let mut runs = Vec::new();
    for (number, line) in lines.enumerate() {
        let line = line.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        match serde_json::from_str::<ResultLine>(&line) {
            Ok(run) => runs.push(run),
            Err(_) if line.trim().is_empty() => {}
            Err(e) => {
                return Err(format!(
                    "{}:{}: not a run line: {e}",
                    path.display(),
                    number + 2
                ))
            }
        }
    }
    Ok(ReadResults { header, runs })
}

/// The (file index, seed) pairs of `results` that belong to `plan`; an error when the file is
/// from another sweep (scenarios, seeds, shard or planted bug differ).
pub fn done_pairs(
    results: &ReadResults,
    plan: &SweepPlan,
) -> Result<BTreeSet<(usize, u64)>, String> {
    let expected = ResultsHeader::of(plan, &results.header.commit);
    let mut found = results.header.clone();
    found.rpsim_version = expected.rpsim_version.clone();
    found.build = expected.build.clone();
    if found != expected {
        return Err(format!(
            "the result file is from another sweep: it has scenarios {:?}, seeds {}, shard {}; \
             this sweep has {:?}, {}, {}",
            results.header.scenarios,
            results.header.seeds,
            results.header.shard,
            expected.scenarios,
            expected.seeds,
            expected.shard
        ));
    }
    let mut done = BTreeSet::new();
    for run in &results.runs {
        let index = plan.files.iter().position(|f| f == &run.scenario);
        if let Some(index) = index {
            done.insert((index, run.seed));
        }
    }
    Ok(done)
}
