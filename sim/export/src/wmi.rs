//! WMI numbers and shapes: `JobState`, return codes, `CIM_Error` and the job's property set
//! under their WMI names. Owns the numbering (each class keeps its own); it must never contain
//! behaviour beyond naming and serialising those values.

use serde::Serialize;

/// `CIM_ConcreteJob.JobState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum JobState {
    New = 2,
    Starting = 3,
    Running = 4,
    Suspended = 5,
    ShuttingDown = 6,
    Completed = 7,
    Terminated = 8,
    Killed = 9,
    Exception = 10,
    Service = 11,
    QueryPending = 12,
}

impl JobState {
    pub fn code(self) -> u16 {
        self as u16
    }
    /// 7–10 are final.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Completed | JobState::Terminated | JobState::Killed | JobState::Exception
        )
    }
    pub fn from_code(code: u16) -> Option<JobState> {
        use JobState::*;
        [
            New,
            Starting,
            Running,
            Suspended,
            ShuttingDown,
            Completed,
            Terminated,
            Killed,
            Exception,
            Service,
            QueryPending,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// `RequestedState` of `RequestStateChange` (the defined values; WMI passes any uint16, and
/// 0, 1, 7..=65535 are refused with 5, see `RequestedState::from_code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum RequestedState {
    Start = 2,
    Suspend = 3,
    Terminate = 4,
    Kill = 5,
    Service = 6,
}

impl RequestedState {
    /// The uint16 WMI passes.
    pub fn code(self) -> u16 {
        self as u16
    }
    /// The defined value `code` names; `None` for 0, 1 and the DMTF (7..=32767) and vendor
    /// (32768..=65535) reserved ranges.
    pub fn from_code(code: u16) -> Option<RequestedState> {
        use RequestedState::*;
        [Start, Suspend, Terminate, Kill, Service]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

/// `WBEM_E_NOT_FOUND`: the HRESULT WMI answers when the object a call names does not exist
/// (a job removed `TimeBeforeRemoval` after it ended, or never created).
pub const WBEM_E_NOT_FOUND: u32 = 0x8004_1002;

/// A WMI call that failed before the method ran: an HRESULT, not a method's return value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum WmiError {
    /// The job does not exist (any more): `WBEM_E_NOT_FOUND`.
    NotFound,
}

impl WmiError {
    /// The HRESULT as the unsigned number clients print (`0x80041002` = 2147749890).
    pub fn hresult(self) -> u32 {
        match self {
            WmiError::NotFound => WBEM_E_NOT_FOUND,
        }
    }
}

/// Return codes of `ExportReferencePoint` and the other service calls (the job family).
pub mod return_code {
    pub const COMPLETED: u32 = 0;
    pub const NOT_SUPPORTED: u32 = 1;
    pub const FAILED: u32 = 2;
    pub const TIMEOUT: u32 = 3;
    pub const INVALID_PARAMETER_CIM: u32 = 4;
    pub const INVALID_STATE_CIM: u32 = 5;
    pub const INVALID_TYPE: u32 = 6;
    pub const JOB_STARTED: u32 = 4096;
    pub const GENERIC_FAILED: u32 = 32768;
    pub const ACCESS_DENIED: u32 = 32769;
    pub const NOT_SUPPORTED_32K: u32 = 32770;
    pub const STATUS_UNKNOWN: u32 = 32771;
    pub const TIMEOUT_32K: u32 = 32772;
    pub const INVALID_PARAMETER: u32 = 32773;
    pub const SYSTEM_IN_USE: u32 = 32774;
    pub const INVALID_STATE: u32 = 32775;
    pub const INCORRECT_DATA_TYPE: u32 = 32776;
    pub const SYSTEM_NOT_AVAILABLE: u32 = 32777;
    pub const OUT_OF_MEMORY: u32 = 32778;
    pub const FILE_NOT_FOUND: u32 = 32779;
}

/// Return codes of `RequestStateChange` (CIM codes; see the README for why not 32768+).
pub mod state_change_code {
    pub const COMPLETED: u32 = 0;
    pub const NOT_SUPPORTED: u32 = 1;
    pub const UNKNOWN_ERROR: u32 = 2;
    pub const TIMEOUT: u32 = 3;
    pub const FAILED: u32 = 4;
    pub const INVALID_PARAMETER: u32 = 5;
    pub const IN_USE: u32 = 6;
    pub const TRANSITION_STARTED: u32 = 4096;
    pub const INVALID_STATE_TRANSITION: u32 = 4097;
    pub const TIMEOUT_NOT_SUPPORTED: u32 = 4098;
    pub const BUSY: u32 = 4099;
}

/// An embedded `CIM_Error` instance, serialised under its WMI property names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CimError {
    /// 0 unknown, 4 software, 5 hardware, 6 environmental, 9 unavailable resource, 10 unsupported operation.
    pub error_type: u16,
    pub other_error_type: Option<String>,
    pub owning_entity: String,
    #[serde(rename = "MessageID")]
    pub message_id: String,
    pub message: String,
    pub message_arguments: Vec<String>,
    /// 2 information, 3 warning, 4 minor, 5 major, 6 critical, 7 fatal.
    pub perceived_severity: u16,
    /// 24 I/O device error, 50 storage capacity, 57 resource unavailable, 73 element missing, 111 timeout, 116 database inconsistency.
    pub probable_cause: u16,
    pub probable_cause_description: String,
    pub recommended_actions: Vec<String>,
    pub error_source: String,
    /// 0 unknown, 1 other, 2 CIMObjectHandle; `Msvm_Error` documents it as always 0.
    pub error_source_format: u16,
    /// The format of `ErrorSource` when `ErrorSourceFormat` is 1 (other); null otherwise.
    pub other_error_source_format: Option<String>,
    /// 1 failed, 2 access denied, 4 invalid parameter, 6 not found, 7 not supported, 11 already exists.
    #[serde(rename = "CIMStatusCode")]
    pub cim_status_code: u32,
    #[serde(rename = "CIMStatusCodeDescription")]
    pub cim_status_code_description: String,
}

/// `Msvm_CollectionReferencePointExportJob` as a client polls it, in a stable order, each field
/// under its WMI name. Times are CIM datetimes (`yyyymmddHHMMSS.mmmmmm+000`) counted from the
/// sim epoch 2026-01-01T00:00:00Z; `ElapsedTime`, `TimeBeforeRemoval` and
/// `TimeOfLastStateChange` before the first change are CIM intervals
/// (`ddddddddHHMMSS.mmmmmm:000`). What each property holds in each state, and the source of
/// each rule, is the table in sim/export/README.md.
/// The three properties a checker reads after every event, without building the whole object
/// (its CIM datetimes and texts): each equals the same field of [`JobProperties`] at that time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobGlance {
    pub job_state: u16,
    pub percent_complete: u16,
    pub cancellable: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct JobProperties {
    #[serde(rename = "InstanceID")]
    pub instance_id: String,
    pub caption: String,
    pub description: String,
    pub name: String,
    pub element_name: String,
    pub owner: String,
    pub job_type: u16,
    pub job_state: u16,
    pub job_status: String,
    pub percent_complete: u16,
    pub error_code: u16,
    pub error_description: String,
    pub error_summary_description: String,
    pub time_submitted: String,
    pub start_time: String,
    pub elapsed_time: String,
    pub until_time: String,
    pub local_or_utc_time: u16,
    pub time_of_last_state_change: String,
    pub delete_on_completion: bool,
    pub time_before_removal: String,
    pub operational_status: Vec<u16>,
    pub status_descriptions: Vec<String>,
    pub health_state: u16,
    pub detailed_status: u16,
    pub cancellable: bool,
    pub collection_id: String,
    pub reference_point_group_id: String,
    pub base_reference_point_group_id: String,
    pub virtual_machine_id: Vec<String>,
    pub export_directory: String,
    pub exported_disks: Vec<String>,
    pub exported_log_file_paths: Vec<String>,
    pub exported_config_file_paths: Vec<String>,
    pub exported_runtime_file_paths: Vec<String>,
    pub exported_guest_state_file_paths: Vec<String>,
}
