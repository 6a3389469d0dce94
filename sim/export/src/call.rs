//! The values that cross the `ExportReferencePoint` API: the call's arguments as WMI passes
//! them, what the call returns, the id of a job and what one `step` did. Owns only these plain
//! types, shared by the service, the checks and the job; it must never hold behaviour or
//! depend on any other module of the crate except `wmi` (the error type of a refused call).

use crate::wmi::CimError;
use serde::Serialize;

/// Identifies a job within one service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct JobId(pub u64);

/// The arguments of `ExportReferencePoint`, as strings the way WMI passes them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ExportCall {
    /// `ReferencePointCollection`: the `CollectionID` GUID of the collection reference point.
    pub reference_point_collection: String,
    /// `ExportDirectory`: must be absolute.
    pub export_directory: String,
    /// `ExportSettingData.BaseReferencePointCollection`: base `CollectionID`, empty for full.
    pub base_reference_point_collection: String,
    /// `ExportSettingData.VirtualMachinesToDisksToExport[]`, serialised as documented in
    /// sim/export/README.md; empty exports every disk of every member.
    pub virtual_machines_to_disks_to_export: Vec<String>,
}

/// What the call returned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CallResult {
    /// 4096 job started; 32773 invalid parameter; 32774 in use; 32775 invalid state; ...
    pub return_code: u32,
    pub job: Option<JobId>,
    /// Why a refused call was refused (not part of WMI's out parameters; for reports).
    pub error: Option<CimError>,
}

/// What one `step` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum StepOutcome {
    /// Did work; call `step` again.
    Progressed,
    /// Suspended or in service state: nothing to do until a state change.
    Waiting,
    /// The job is in a final state; further steps do nothing.
    Finished,
}
