//! The job as clients see it: `JobProperties` under WMI names, and the `GetError`/`GetErrorEx`
//! views. Owns the text of `JobStatus`, the `OperationalStatus` choice and the termination
//! error; it must never change a job.

use crate::cimtime;
use crate::errors::{self, cim_status, error_type, probable_cause, Cause};
use crate::job::Job;
use crate::plan::FileKind;
use crate::wmi::{CimError, JobProperties, JobState};

pub const JOB_TYPE_EXPORT_REFERENCE_POINT: u16 = 206;
pub const JOB_NAME: &str = "Export Reference Point";

/// `OperationalStatus` values used here (CIM_ManagedSystemElement).
pub mod operational_status {
    pub const OK: u16 = 2;
    pub const DEGRADED: u16 = 3;
    pub const ERROR: u16 = 6;
    pub const STOPPING: u16 = 9;
    pub const STOPPED: u16 = 10;
    pub const IN_SERVICE: u16 = 11;
    pub const ABORTED: u16 = 14;
    pub const DORMANT: u16 = 15;
    pub const COMPLETED: u16 = 17;
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
    let (outermost, chain) = errors_of(job);
    let end_ns = job
        .times
        .finish_ns
        .unwrap_or(now_ns)
        .max(job.times.start_ns.unwrap_or(0));
    let elapsed_ns = job.times.start_ns.map_or(0, |start| end_ns - start);
    let properties = JobProperties {
        instance_id: job.instance_id.to_string(),
        name: JOB_NAME.to_string(),
        element_name: format!("Export of {}", v.reference_point.collection_id),
        job_type: JOB_TYPE_EXPORT_REFERENCE_POINT,
        job_state: job.state().code(),
        job_status: job_status(job).to_string(),
        percent_complete: job.percent_complete(),
        error_code: job.failure.as_ref().map_or(0, |f| f.cause.error_code),
        error_description: outermost.map_or(String::new(), |e| e.message),
        error_summary_description: one_line(&chain),
        time_submitted: cimtime::datetime(job.times.submitted_ns),
        start_time: job.times.start_ns.map_or(String::new(), cimtime::datetime),
        elapsed_time: cimtime::interval(elapsed_ns),
        time_of_last_state_change: cimtime::datetime(job.times.last_change_ns),
        delete_on_completion: false,
        time_before_removal: cimtime::interval(cimtime::TIME_BEFORE_REMOVAL_NS),
        operational_status: operational(job),
        cancellable: job.cancellable && !job.state().is_final(),
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
    assert!(properties.error_summary_description.lines().count() <= 1);
    properties
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

/// (GetError's error, GetErrorEx's errors): Exception and Terminated report; a completion
/// with warnings reports its warnings through GetErrorEx only.
pub fn errors_of(job: &Job) -> (Option<CimError>, Vec<CimError>) {
    let mut chain = match job.state() {
        JobState::Exception => job.failure.as_ref().map_or(vec![], |f| f.chain.clone()),
        JobState::Terminated => vec![termination_error(job)],
        JobState::Completed => job.warnings.clone(),
        _ => vec![],
    };
    let outermost = match job.state() {
        JobState::Exception | JobState::Terminated => chain.first().cloned(),
        _ => None,
    };
    if matches!(job.state(), JobState::Exception | JobState::Terminated) {
        chain.extend(job.cleanup_errors.iter().cloned());
    }
    (outermost, chain)
}

fn termination_error(job: &Job) -> CimError {
    let cause = Cause::new(
        0,
        error_type::OTHER,
        probable_cause::OTHER,
        cim_status::FAILED,
    );
    let message = format!(
        "export of reference point {} was terminated by request; the files it created were removed",
        job.validated.reference_point.collection_id
    );
    let mut error = errors::cim_error(
        cause,
        errors::severity::INFORMATION,
        "RPSIM-TERMINATED",
        message,
    );
    error.other_error_type = Some("Terminated by request".to_string());
    error
}

fn job_status(job: &Job) -> &'static str {
    match job.state() {
        JobState::New => "Job is queued",
        JobState::Starting => "Job is starting",
        JobState::Running if !job.cancellable => "Job is finalising the export",
        JobState::Running => "Job is running",
        JobState::Suspended => "Job is suspended",
        JobState::ShuttingDown => "Job is shutting down and removing partial files",
        JobState::Completed if !job.warnings.is_empty() => "Job completed with warnings",
        JobState::Completed => "Job completed successfully",
        JobState::Terminated => "Job was terminated by request",
        JobState::Killed => "Job was killed",
        JobState::Exception => "Job failed",
        JobState::Service => "Job is in service state",
        JobState::QueryPending => "Job is waiting for a query",
    }
}

fn operational(job: &Job) -> Vec<u16> {
    use operational_status::*;
    match job.state() {
        JobState::New | JobState::Starting | JobState::Running | JobState::QueryPending => vec![OK],
        JobState::Suspended => vec![OK, DORMANT],
        JobState::Service => vec![IN_SERVICE],
        JobState::ShuttingDown => vec![STOPPING],
        JobState::Completed if !job.warnings.is_empty() => vec![DEGRADED, COMPLETED],
        JobState::Completed => vec![OK, COMPLETED],
        JobState::Terminated => vec![STOPPED],
        JobState::Killed => vec![ABORTED],
        JobState::Exception => vec![ERROR, COMPLETED],
    }
}
