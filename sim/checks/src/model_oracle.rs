//! The model oracle: what DOMAIN's tables allow, judged for every call a run made, whoever
//! wrote it (an author or `random_actions`), so a run with no `expect` entries still has an
//! oracle. Owns four rules, each a `model` check:
//!
//! 1. every `RequestStateChange` answer is the one the table below gives for the job as a
//!    client read it just before the call (sim/export/README.md, "RequestStateChange"; CIM
//!    `CIM_ConcreteJob.RequestStateChange` codes, DOMAIN "Expected outcomes");
//! 2. an `ExportReferencePoint` made while another export of the same VM group, or into an
//!    overlapping directory, was unfinished is never accepted (4096), and 32774 is only given
//!    then or while a member VM is unavailable (DOMAIN: "another export of the group running,
//!    VM migrating → 32774"; a member whose host is down, and the directory rule, are ours);
//! 3. a failed or cancelled export leaves its base usable: a later call on a base the world
//!    still holds usable (not destroyed, log present, no RCT reset) is never refused with 32775
//!    (DOMAIN: "base still usable"; libvirt's "a failed backup leaves the bitmap untouched");
//! 4. no two exports share a file: no file is listed by two exports, and no two accepted jobs
//!    wrote to overlapping directories at the same time (ours).
//!
//! It must never trust the job's account of the world: what the world knew at each call is
//! in [`rpsim_world::export_record::CallContext`], recorded by the world.

use crate::report::CheckReport;
use rpsim_export::wmi::{return_code, state_change_code as rsc, WBEM_E_NOT_FOUND};
use rpsim_world::export_record::StateChangeCall;
use rpsim_world::{ExportRecord, RunOutcome};
use std::collections::BTreeMap;

/// The check's name in reports.
pub const CHECK: &str = "model";

const RUNNING: u16 = 4;
const SUSPENDED: u16 = 5;
const SHUTTING_DOWN: u16 = 6;
const SERVICE: u16 = 11;

/// The code the model allows for `call` (sim/export/README.md, RequestStateChange).
pub fn allowed_state_change_code(call: &StateChangeCall) -> u32 {
    let Some((state, cancellable)) = call.before else {
        return WBEM_E_NOT_FOUND;
    };
    if !(2..=6).contains(&call.requested) {
        return rsc::INVALID_PARAMETER;
    }
    if call.timeout_ns != 0 {
        return rsc::TIMEOUT_NOT_SUPPORTED;
    }
    if (7..=10).contains(&state) {
        return rsc::INVALID_STATE_TRANSITION;
    }
    if state == SHUTTING_DOWN {
        return rsc::BUSY;
    }
    let live = matches!(state, RUNNING | SUSPENDED | SERVICE);
    match call.requested {
        2 if live => rsc::COMPLETED,
        3 if state == RUNNING => rsc::COMPLETED,
        4 if live && cancellable => rsc::TRANSITION_STARTED,
        5 if live && cancellable => rsc::COMPLETED,
        6 if matches!(state, RUNNING | SUSPENDED) => rsc::COMPLETED,
        _ => rsc::INVALID_STATE_TRANSITION,
    }
}

/// Every rule of the model over a finished run.
pub fn check_model(outcome: &RunOutcome, report: &mut CheckReport) {
    for record in &outcome.exports {
        for call in &record.state_change_calls {
            let allowed = allowed_state_change_code(call);
            let failure = (call.code != allowed).then(|| {
                let before = call
                    .before
                    .map_or("no job (removed)".to_string(), |(s, c)| {
                        format!("JobState {s}, Cancellable {c}")
                    });
                format!(
                    "RequestStateChange({}) at {} ns answered {} with the job at {before}; the \
                     model allows {allowed}",
                    call.requested, call.at_ns, call.code
                )
            });
            report.record(CHECK, Some(&record.name), failure);
        }
    }
    for (index, record) in outcome.exports.iter().enumerate() {
        report.record(
            CHECK,
            Some(&record.name),
            conflict_rule(index, record, &outcome.exports),
        );
        report.record(CHECK, Some(&record.name), base_rule(record));
    }
    shared_files(outcome, report);
}

/// Rule 2: conflicting exports.
fn conflict_rule(index: usize, record: &ExportRecord, all: &[ExportRecord]) -> Option<String> {
    let conflicting: Vec<&ExportRecord> = record
        .at_call
        .unfinished
        .iter()
        .filter(|u| **u < index)
        .map(|u| &all[*u])
        .filter(|other| {
            let same_group =
                other.at_call.group.is_some() && other.at_call.group == record.at_call.group;
            same_group || directories_overlap(other, record)
        })
        .collect();
    let code = record.result.return_code;
    if let Some(other) = conflicting.first() {
        if code == return_code::JOB_STARTED {
            return Some(format!(
                "accepted (4096) while export `{}` of the same VM group or directory was \
                 unfinished; the model allows 32774 (or an earlier refusal)",
                other.name
            ));
        }
    } else if code == return_code::SYSTEM_IN_USE && !record.at_call.member_unavailable {
        return Some(
            "refused with 32774 (in use) while no export of its VM group or directory was \
             unfinished and every member VM was available"
                .to_string(),
        );
    }
    None
}

/// Rule 3: a usable base is never refused as unusable.
fn base_rule(record: &ExportRecord) -> Option<String> {
    (record.at_call.base_usable == Some(true)
        && record.result.return_code == return_code::INVALID_STATE)
        .then(|| {
            "refused with 32775 (invalid state) although the world still holds its base usable \
             (not destroyed, log present, no change-tracking reset)"
                .to_string()
        })
}

/// The directory a record's files live in, as a comparable key (NTFS ignores case).
fn directory_key(record: &ExportRecord) -> Option<String> {
    let real = record.real_directory.as_ref()?;
    Some(real.display().to_string().to_lowercase())
}

fn directories_overlap(a: &ExportRecord, b: &ExportRecord) -> bool {
    let (Some(a), Some(b)) = (directory_key(a), directory_key(b)) else {
        return false;
    };
    let inside = |x: &str, y: &str| x == y || x.strip_prefix(y).is_some_and(|t| t.starts_with('/'));
    inside(&a, &b) || inside(&b, &a)
}

/// When a job stopped writing: the first time the world read it in a final state (a Kill ends
/// it at once, before its next scheduled step), else when the world saw it finish, else `end`.
fn job_end(record: &ExportRecord, end: u64) -> u64 {
    let final_read = record
        .history
        .iter()
        .find(|change| (7..=10).contains(&change.job.job_state))
        .map(|change| change.at_ns);
    final_read.or(record.finished_at_ns).unwrap_or(end)
}

/// Rule 4: no file listed twice; no two jobs in one directory at once.
fn shared_files(outcome: &RunOutcome, report: &mut CheckReport) {
    let mut owners: BTreeMap<String, &str> = BTreeMap::new();
    for record in &outcome.exports {
        let (Some(job), Some(dir)) = (&record.final_properties, &record.real_directory) else {
            continue;
        };
        let arrays = [
            &job.exported_log_file_paths,
            &job.exported_config_file_paths,
            &job.exported_runtime_file_paths,
            &job.exported_guest_state_file_paths,
        ];
        let mut failure = None;
        for path in arrays.into_iter().flatten() {
            let Some(real) = crate::exported_paths::real_file(&job.export_directory, dir, path)
            else {
                continue;
            };
            let key = real.display().to_string().to_lowercase();
            if let Some(owner) = owners.get(&key) {
                if *owner != record.name {
                    failure.get_or_insert(format!(
                        "lists {path}, a file export `{owner}` lists too: two exports share a file"
                    ));
                }
            } else {
                owners.insert(key, &record.name);
            }
        }
        report.record(CHECK, Some(&record.name), failure);
    }
    let end = outcome.end_time_ns;
    let accepted: Vec<&ExportRecord> = outcome
        .exports
        .iter()
        .filter(|r| r.job_id.is_some())
        .collect();
    for (i, a) in accepted.iter().enumerate() {
        let a_end = job_end(a, end);
        let clash = accepted[i + 1..].iter().find(|b| {
            let b_end = job_end(b, end);
            directories_overlap(a, b) && a.at_call.at_ns < b_end && b.at_call.at_ns < a_end
        });
        let failure = clash.map(|b| {
            format!(
                "its job and export `{}`'s wrote to overlapping directories at the same time",
                b.name
            )
        });
        report.record(CHECK, Some(&a.name), failure);
    }
}
