//! Invariants every run must satisfy whatever the scenario says: nothing outside the export
//! root, manifests only for completed exports (and then verified), Terminated exports leave no
//! files, `Exported*` paths name complete files inside `ExportDirectory`, final job objects are
//! coherent. Owns these end-of-run checks; it must never trust the job's own account of what it
//! wrote: it looks at the directory.

use crate::exported_paths::{self, PathProblem};
use crate::report::CheckReport;
use crate::verified_exports::VerifiedExports;
use rpsim_export::wmi::{JobProperties, JobState};
use rpsim_vfs::{Fs, Kind};
use rpsim_world::{ExportRecord, RunOutcome};
use std::path::{Path, PathBuf};

/// The manifest's file name (sim/export/FORMAT.md).
pub const MANIFEST_FILE_NAME: &str = "export.manifest";
/// Bound on directory entries walked when listing an export directory.
const LISTED_FILES_MAX: usize = 100_000;

/// Checks the invariants of a finished run.
pub fn check_invariants(outcome: &RunOutcome, report: &mut CheckReport) {
    check_invariants_with(outcome, &mut VerifiedExports::default(), report);
}

/// [`check_invariants`], verifying exports through `verified` (shared with the restore check).
pub fn check_invariants_with(
    outcome: &RunOutcome,
    verified: &mut VerifiedExports,
    report: &mut CheckReport,
) {
    for violation in &outcome.violations {
        let failure = (!inside_requested_directory(violation, &outcome.exports))
            .then(|| format!("target violation: {violation}"));
        report.record("invariant", None, failure);
    }
    for record in &outcome.exports {
        let Some(properties) = &record.final_properties else {
            continue;
        };
        let fs = outcome.fs.as_ref();
        check_export(fs, record, properties, &outcome.exports, verified, report);
    }
}

/// A refused access is expected, not a violation, when it concerns the `ExportDirectory` the
/// scenario itself passed (a directory outside the export storage, to test access denied).
/// Violations read `<operation> <virtual path>: <reason>`.
pub(crate) fn inside_requested_directory(violation: &str, exports: &[ExportRecord]) -> bool {
    let Some((_, rest)) = violation.split_once(' ') else {
        return false;
    };
    exports.iter().any(|e| {
        let dir = e.export_directory.trim_end_matches('/');
        !dir.is_empty()
            && !dir.split('/').any(|c| c == "..")
            && rest
                .strip_prefix(dir)
                .is_some_and(|tail| tail.starts_with(['/', ':']))
    })
}

fn check_export(
    fs: &dyn Fs,
    record: &ExportRecord,
    properties: &JobProperties,
    all: &[ExportRecord],
    verified: &mut VerifiedExports,
    report: &mut CheckReport,
) {
    let name = Some(record.name.as_str());
    let state = JobState::from_code(properties.job_state);
    let completed = state == Some(JobState::Completed);
    let final_state = state.is_some_and(JobState::is_final);
    report.record(
        "invariant",
        name,
        (final_state && properties.cancellable).then(|| {
            format!(
                "Cancellable is true in final JobState {}",
                properties.job_state
            )
        }),
    );
    report.record(
        "invariant",
        name,
        ((properties.percent_complete == 100) != completed && final_state).then(|| {
            format!(
                "PercentComplete {} in final JobState {}",
                properties.percent_complete, properties.job_state
            )
        }),
    );
    let Some(real_dir) = &record.real_directory else {
        return;
    };
    let manifest = real_dir.join(MANIFEST_FILE_NAME);
    // Another export may own the directory (a second export aimed at the same one, which
    // completed there, or whose job started there after this one ended, e.g. a Killed one
    // leaving debris): its files are not this export's leftovers.
    let ended_ns = record.finished_at_ns.unwrap_or(u64::MAX);
    let owned_by_other = all.iter().any(|other| {
        !std::ptr::eq(other, record)
            && other.real_directory.as_ref() == Some(real_dir)
            && (other
                .final_properties
                .as_ref()
                .is_some_and(|p| p.job_state == JobState::Completed.code())
                || (other.job_id.is_some() && other.at_call.at_ns >= ended_ns))
    });
    if completed {
        let failure = verified
            .verify(fs, real_dir)
            .err()
            .map(|e| format!("completed export does not verify: {e}"));
        report.record("invariant", name, failure);
    } else {
        report.record(
            "invariant",
            name,
            (matches!(fs.kind_at(&manifest), Ok(Some(_))) && !owned_by_other).then(|| {
                format!(
                    "a manifest exists although the job ended in JobState {}",
                    properties.job_state
                )
            }),
        );
    }
    if state == Some(JobState::Terminated) && !owned_by_other {
        let left = list_files(fs, real_dir);
        report.record(
            "invariant",
            name,
            (!left.is_empty())
                .then(|| format!("Terminated export left files: {}", left.join(", "))),
        );
    }
    check_exported_paths(fs, record, properties, real_dir, report);
}

/// Every `Exported*FilePaths[]` entry lies inside `ExportDirectory` and names a file that exists;
/// one check per reported path.
fn check_exported_paths(
    fs: &dyn Fs,
    record: &ExportRecord,
    properties: &JobProperties,
    real_dir: &Path,
    report: &mut CheckReport,
) {
    for (path, problem) in exported_paths::verdicts(fs, properties, real_dir) {
        let message = problem.map(|problem| match problem {
            PathProblem::Outside => format!(
                "reported path `{path}` is outside ExportDirectory `{}`",
                properties.export_directory
            ),
            PathProblem::NotPlain => {
                format!("reported path `{path}` is not a plain path inside the export")
            }
            PathProblem::Missing => format!("reported path `{path}` does not exist"),
        });
        report.record("invariant", Some(record.name.as_str()), message);
    }
}

/// Files (relative paths) under `dir` of `fs`, sorted; empty when `dir` does not exist.
pub fn list_files(fs: &dyn Fs, dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut pending: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(Some(names)) = fs.read_dir_names(&current, LISTED_FILES_MAX) else {
            continue;
        };
        for name in names {
            let path = current.join(name);
            if matches!(fs.kind_at(&path), Ok(Some(Kind::Dir))) {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                files.push(relative.to_string_lossy().into_owned());
            }
            if files.len() >= LISTED_FILES_MAX {
                break;
            }
        }
    }
    files.sort();
    files
}
