//! The job as clients see it: `JobProperties` under WMI names, and the `GetError`/`GetErrorEx`
//! views. Owns the text of `JobStatus`, `Description` and `ErrorDescription`, the documented
//! constants (`OperationalStatus`, `HealthState`, ...) and the Terminate/Kill notices; it must
//! never change a job.

use crate::cimtime;
use crate::errors::{self, cim_status, error_type, probable_cause, Cause};
use crate::job::{Activity, Job};
use crate::plan::FileKind;
use crate::wmi::{CimError, JobProperties, JobState};

pub const JOB_TYPE_EXPORT_REFERENCE_POINT: u16 = 206;
pub const JOB_NAME: &str = "Export Reference Point";
/// `Owner` (ours: the simulated service does not model client accounts).
pub const JOB_OWNER: &str = "rpsim-client";
/// `HealthState`: Msvm_ConcreteJob documents it as always 5 (OK).
pub const HEALTH_STATE_OK: u16 = 5;
/// `DetailedStatus` 1 "No Additional Information" (CIM_ManagedSystemElement): the job's
/// state and errors are in JobState, ErrorCode and GetErrorEx.
pub const DETAILED_STATUS_NO_ADDITIONAL_INFORMATION: u16 = 1;
/// `LocalOrUtcTime` 2: every time the job shows is UTC (`+000`).
pub const LOCAL_OR_UTC_TIME_UTC: u16 = 2;

/// `OperationalStatus` values (CIM_ManagedSystemElement); Msvm_ConcreteJob documents every
/// element as always 2 (OK), with `StatusDescriptions` "OK".
pub mod operational_status {
    pub const OK: u16 = 2;
    pub const OK_DESCRIPTION: &str = "OK";
}

/// Every property, as polled at `now_ns`.
pub fn job_properties(job: &Job, now_ns: u64) -> JobProperties {
    let v = &job.validated;
    let listed = |kind: FileKind| -> Vec<String> {
        job.completed
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.listed_path.clone())
            .collect()
    };
    let (_, chain) = errors_of(job);
    let end_ns = job
        .times
        .finish_ns
        .unwrap_or(now_ns)
        .max(job.times.start_ns);
    let error_code = job.failure.as_ref().map_or(0, |f| f.cause.error_code);
    let properties = JobProperties {
        instance_id: job.instance_id.to_string(),
        caption: JOB_NAME.to_string(),
        description: description(job),
        name: JOB_NAME.to_string(),
        element_name: format!("Export of {}", v.reference_point.collection_id),
        owner: JOB_OWNER.to_string(),
        job_type: JOB_TYPE_EXPORT_REFERENCE_POINT,
        job_state: job.state().code(),
        job_status: job_status(job).to_string(),
        percent_complete: job.percent_complete(),
        error_code: u16::try_from(error_code).expect("ErrorCode is a uint16"),
        error_description: error_description(job),
        error_summary_description: one_line(&chain),
        time_submitted: cimtime::datetime(job.times.submitted_ns),
        start_time: cimtime::datetime(job.times.start_ns),
        elapsed_time: cimtime::interval(end_ns - job.times.start_ns),
        until_time: cimtime::UNTIL_INDEFINITELY.to_string(),
        local_or_utc_time: LOCAL_OR_UTC_TIME_UTC,
        // CIM_ConcreteJob: a zero interval until the state first changes.
        time_of_last_state_change: job
            .times
            .last_change_ns
            .map_or_else(|| cimtime::interval(0), cimtime::datetime),
        // The job is deleted TimeBeforeRemoval after it ends (ExportService::job_properties).
        delete_on_completion: true,
        time_before_removal: cimtime::interval(cimtime::TIME_BEFORE_REMOVAL_NS),
        operational_status: vec![operational_status::OK],
        status_descriptions: vec![operational_status::OK_DESCRIPTION.to_string()],
        health_state: HEALTH_STATE_OK,
        detailed_status: DETAILED_STATUS_NO_ADDITIONAL_INFORMATION,
        cancellable: job.cancellable(),
        collection_id: v.reference_point.virtual_system_collection_id.to_string(),
        reference_point_group_id: v.reference_point.collection_id.to_string(),
        base_reference_point_group_id: v
            .base
            .as_ref()
            .map_or(String::new(), |b| b.collection_id.to_string()),
        virtual_machine_id: v
            .vms
            .iter()
            .map(|m| m.virtual_machine_id.to_string())
            .collect(),
        export_directory: v.export_directory.clone(),
        exported_disks: job
            .completed
            .iter()
            .filter_map(|c| c.disk_instance_id.clone())
            .collect(),
        exported_log_file_paths: listed(FileKind::Log),
        exported_config_file_paths: listed(FileKind::Config),
        exported_runtime_file_paths: listed(FileKind::RuntimeState),
        exported_guest_state_file_paths: listed(FileKind::GuestState),
    };
    assert!(properties.percent_complete <= 100);
    assert!(!properties.cancellable || !job.state().is_final());
    assert!(properties.error_summary_description.lines().count() <= 1);
    properties
}

/// `Description`: what the job does, on one line.
fn description(job: &Job) -> String {
    let v = &job.validated;
    let base = v.base.as_ref().map_or(String::new(), |b| {
        format!(" as a differential against {}", b.collection_id)
    });
    let text = format!(
        "Export of collection reference point {} of VM group {} to {}{base}",
        v.reference_point.collection_id,
        v.reference_point.virtual_system_collection_id,
        v.export_directory
    );
    text.replace(['\n', '\r'], " ")
}

/// `ErrorDescription`: for a failure, the job's error and its root cause
/// ("export of reference point R failed: <cause>"); for a cancel, its notice; else empty.
fn error_description(job: &Job) -> String {
    let text = match (job.state(), job.failure.as_ref()) {
        (JobState::Exception, Some(failure)) => {
            let outer = &failure.outermost().message;
            match failure.chain.last() {
                Some(root) if failure.chain.len() > 1 => format!("{outer}: {}", root.message),
                _ => outer.clone(),
            }
        }
        (JobState::Terminated | JobState::Killed, _) => cancel_notice(job).message,
        _ => String::new(),
    };
    text.replace(['\n', '\r'], " ")
}

/// Every message of the chain on one line, outermost first.
fn one_line(chain: &[CimError]) -> String {
    let joined = chain
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    joined.replace(['\n', '\r'], " ")
}

/// (GetError's error, GetErrorEx's errors): a failure reports its chain; Terminate and Kill
/// (a client ended the job) report their notice; a completion with warnings reports its
/// warnings through GetErrorEx only; a job still running or completed cleanly reports nothing.
pub fn errors_of(job: &Job) -> (Option<CimError>, Vec<CimError>) {
    let mut chain = match job.state() {
        JobState::Exception => job.failure.as_ref().map_or(vec![], |f| f.chain.clone()),
        JobState::Terminated | JobState::Killed => vec![cancel_notice(job)],
        JobState::Completed => job.warnings.clone(),
        _ => vec![],
    };
    let ended_badly = matches!(
        job.state(),
        JobState::Exception | JobState::Terminated | JobState::Killed
    );
    let outermost = if ended_badly {
        chain.first().cloned()
    } else {
        None
    };
    if ended_badly {
        chain.extend(job.cleanup_errors.iter().cloned());
    }
    (outermost, chain)
}

/// The notice a Terminated or Killed job reports (severity 2; ErrorCode stays 0).
fn cancel_notice(job: &Job) -> CimError {
    let cause = Cause::new(
        0,
        error_type::OTHER,
        probable_cause::OTHER,
        cim_status::FAILED,
    );
    let rp = job.validated.reference_point.collection_id;
    let (message_id, other_type, message) = if job.state() == JobState::Killed {
        (
            "RPSIM-KILLED",
            "Killed by request",
            format!(
                "export of reference point {rp} was killed by request; files it wrote may remain, never a manifest"
            ),
        )
    } else {
        (
            "RPSIM-TERMINATED",
            "Terminated by request",
            format!(
                "export of reference point {rp} was terminated by request; the files it created were removed"
            ),
        )
    };
    let mut error = errors::cim_error(cause, errors::severity::INFORMATION, message_id, message);
    error.other_error_type = Some(other_type.to_string());
    error
}

fn job_status(job: &Job) -> &'static str {
    match (job.state(), job.activity()) {
        (JobState::Running, Activity::Starting) => "Job is starting",
        (JobState::Running, Activity::Finalising) => "Job is finalising the export",
        (JobState::Running, Activity::RemovingAfterFailure) => {
            "Job failed and is removing the files it created"
        }
        (JobState::Running, _) => "Job is running",
        (JobState::Suspended, _) => "Job is suspended",
        (JobState::ShuttingDown, _) => "Job is shutting down and removing partial files",
        (JobState::Completed, _) if !job.warnings.is_empty() => "Job completed with warnings",
        (JobState::Completed, _) => "Job completed successfully",
        (JobState::Terminated, _) => "Job was terminated by request",
        (JobState::Killed, _) => "Job was killed",
        (JobState::Exception, _) => "Job failed",
        (JobState::Service, _) => "Job is in service state",
        (JobState::New | JobState::Starting | JobState::QueryPending, _) => {
            unreachable!("a job is born Running and never shows New, Starting or Query Pending")
        }
    }
}
