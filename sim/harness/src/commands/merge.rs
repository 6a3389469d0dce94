//! `rpsim merge RESULTS...`: reads shard result files, merges them into one sweep
//! ([`crate::sweep::merge`]), reports the whole (totals, failures with reproduce lines, and
//! `--junit`/`--summary` through the reporters) and writes the merged result file when asked.
//! Owns the outcome: refused (bad input) when the files are not one sweep's shards or a shard
//! is missing (unless `allow_incomplete`), else failed when a run failed. It must never print.

use crate::outcome::Outcome;
use crate::reporter::{HarnessEvent, Reporter};
use crate::runner::RunSummary;
use crate::sweep::merge::{merge as merge_files, Merged};
use crate::sweep::results::{self, ResultsWriter};
use std::path::PathBuf;

/// What `rpsim merge` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct MergeRequest {
    /// Shard result files (`rpsim sweep --results`).
    pub inputs: Vec<PathBuf>,
    /// Write the merged runs as one result file here (never replacing a file).
    pub results: Option<PathBuf>,
    /// Report what the files hold even when shards or runs are missing (flagged, not refused).
    pub allow_incomplete: bool,
}

/// Merges the shards of `request` and reports the whole sweep.
pub fn merge(request: &MergeRequest, reporter: &mut dyn Reporter) -> Outcome {
    let bad_input = |reporter: &mut dyn Reporter, message: &str| {
        reporter.event(&HarnessEvent::Error { message });
        Outcome::BadInput
    };
    let mut files = Vec::new();
    for path in &request.inputs {
        match results::read(path) {
            Ok(read) => files.push((path.clone(), read)),
            Err(message) => return bad_input(reporter, &message),
        }
    }
    let merged = match merge_files(&files) {
        Ok(merged) => merged,
        Err(message) => return bad_input(reporter, &message),
    };
    if !merged.missing.is_empty() && !request.allow_incomplete {
        let message = format!(
            "incomplete: {}; merge every shard, or pass --allow-incomplete to report what is \
             there",
            merged.missing.join("; ")
        );
        return bad_input(reporter, &message);
    }
    if let Some(path) = &request.results {
        if let Err(message) = write_merged(path, &merged) {
            return bad_input(reporter, &message);
        }
    }
    let summaries: Vec<RunSummary> = merged.runs.iter().filter_map(|r| r.summary()).collect();
    reporter.event(&HarnessEvent::Merged {
        merged: &merged,
        runs: &summaries,
        results: request.results.as_deref(),
    });
    let errors = merged.runs.iter().any(|r| r.summary().is_none());
    if errors {
        Outcome::BadInput
    } else {
        Outcome::checks(summaries.iter().any(|r| !r.passed()))
    }
}

fn write_merged(path: &std::path::Path, merged: &Merged) -> Result<(), String> {
    let writer = ResultsWriter::create(Some(path), &merged.header)?;
    merged
        .runs
        .iter()
        .try_for_each(|run| writer.append_run(run))
}
