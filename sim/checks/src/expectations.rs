//! The scenario's `expect` entries, compared with what the run produced. Owns the comparison
//! of declared outcomes (return code, JobState, ErrorCode, error text, files, state-change
//! codes; what `poll` entries read, through `reading_expectations`); it must never inspect the export job's internals.

use crate::report::CheckReport;
use rpsim_scenario::model::{Expectation, Scenario};
use rpsim_world::{ExportRecord, RunOutcome};
use std::path::{Component, Path};

/// Checks every `expect` entry of the scenario.
pub fn check_expectations(scenario: &Scenario, outcome: &RunOutcome, report: &mut CheckReport) {
    for expectation in &scenario.expect {
        let record = outcome
            .exports
            .iter()
            .find(|r| r.name == expectation.export);
        let Some(record) = record else {
            report.record(
                "expect",
                Some(&expectation.export),
                Some("the export never ran (its timeline entry was not reached)".into()),
            );
            continue;
        };
        check_one(expectation, record, report);
        check_files(outcome.fs.as_ref(), expectation, record, report);
    }
}

/// The files the expectation says are present or absent, looked at in `fs`.
fn check_files(
    fs: &dyn rpsim_vfs::Fs,
    expectation: &Expectation,
    record: &ExportRecord,
    report: &mut CheckReport,
) {
    let name = Some(expectation.export.as_str());
    for file in &expectation.files_present {
        let failure = file_state(fs, record, file).and_then(|exists| {
            (!exists).then(|| format!("file `{file}` is missing from the export directory"))
        });
        report.record("expect", name, failure.or_else(|| bad_relative(file)));
    }
    for file in &expectation.files_absent {
        let failure = file_state(fs, record, file).and_then(|exists| {
            exists.then(|| format!("file `{file}` is present but must be absent"))
        });
        report.record("expect", name, failure.or_else(|| bad_relative(file)));
    }
}

fn check_one(expectation: &Expectation, record: &ExportRecord, report: &mut CheckReport) {
    let name = Some(expectation.export.as_str());
    if let Some(code) = expectation.return_code {
        let actual = record.result.return_code;
        report.record(
            "expect",
            name,
            (actual != code)
                .then(|| format!("ExportReferencePoint returned {actual}, expected {code}")),
        );
    }
    let properties = record.final_properties.as_ref();
    if let Some(state) = expectation.job_state {
        let actual = properties.map(|p| p.job_state);
        report.record(
            "expect",
            name,
            (actual != Some(state)).then(|| match actual {
                Some(a) => format!("final JobState {a}, expected {state}"),
                None => format!("no job object, expected JobState {state}"),
            }),
        );
    }
    if let Some(code) = expectation.error_code {
        let actual = properties.map(|p| u32::from(p.error_code));
        report.record(
            "expect",
            name,
            (actual != Some(code)).then(|| match actual {
                Some(a) => format!("ErrorCode {a}, expected {code}"),
                None => format!("no job object, expected ErrorCode {code}"),
            }),
        );
    }
    if let Some(needle) = &expectation.error_contains {
        let texts = error_texts(record);
        let found = texts.iter().any(|t| t.contains(needle.as_str()));
        report.record(
            "expect",
            name,
            (!found).then(|| {
                format!(
                    "no error text contains {needle:?}; the texts were: {}",
                    if texts.is_empty() {
                        "(none)".to_string()
                    } else {
                        texts.join(" | ")
                    }
                )
            }),
        );
    }
    if let Some(codes) = &expectation.state_change_codes {
        report.record(
            "expect",
            name,
            (codes != &record.state_change_codes).then(|| {
                format!(
                    "RequestStateChange returned {:?}, expected {codes:?}",
                    record.state_change_codes
                )
            }),
        );
    }
    crate::reading_expectations::check_readings(expectation, record, report);
}

/// Every error text of a record: the job's descriptions, the GetErrorEx chain, and the refused
/// call's error.
fn error_texts(record: &ExportRecord) -> Vec<String> {
    let mut texts = Vec::new();
    if let Some(p) = &record.final_properties {
        texts.push(p.error_description.clone());
        texts.push(p.error_summary_description.clone());
    }
    texts.extend(record.get_error_ex.iter().map(|e| e.message.clone()));
    if let Some(e) = &record.result.error {
        texts.push(e.message.clone());
    }
    texts.retain(|t| !t.is_empty());
    texts
}

/// Whether `relative` exists in the export's real directory; `None` when the path is not a plain
/// relative path (reported separately) .
fn file_state(fs: &dyn rpsim_vfs::Fs, record: &ExportRecord, relative: &str) -> Option<bool> {
    bad_relative(relative).is_none().then(|| {
        record
            .real_directory
            .as_ref()
            .is_some_and(|dir| matches!(fs.kind_at(&dir.join(relative)), Ok(Some(_))))
    })
}

fn bad_relative(relative: &str) -> Option<String> {
    let path = Path::new(relative);
    let plain = path.components().all(|c| matches!(c, Component::Normal(_)));
    (!plain || relative.is_empty()).then(|| {
        format!("`{relative}` must be a relative path inside the export directory, without `..`")
    })
}
