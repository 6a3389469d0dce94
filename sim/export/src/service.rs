//! `Msvm_CollectionReferencePointService.ExportReferencePoint` and the jobs it owns: synchronous
//! validation with the documented return codes, then the job objects, stepped by the caller.
//! Owns the registry of running exports (directories in use); it must never touch files
//! itself (jobs do, through the target) nor read a clock.
//!
//! API CONTRACT (fixed; implementations fill the bodies).

use crate::guid::Guid;
use crate::source::ExportSource;
use crate::target::ExportTarget;
use crate::wmi::{CimError, RequestedState};
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

/// The service. Fields are private to this module.
#[derive(Debug)]
pub struct ExportService {
    host_name: String,
}

impl ExportService {
    /// A service on the named host (the name seeds job `InstanceID`s deterministically).
    pub fn new(host_name: &str) -> ExportService {
        ExportService { host_name: host_name.to_string() }
    }

    /// `ExportReferencePoint`: validates synchronously; returns 4096 and a job, or an error code
    /// and no job.
    pub fn export_reference_point(
        &mut self,
        _source: &dyn ExportSource,
        _call: &ExportCall,
        _now_ns: u64,
    ) -> CallResult {
        unimplemented!("export_reference_point on {}", self.host_name)
    }

    /// Advances the job by one target operation (or one state move).
    pub fn step(
        &mut self,
        _job: JobId,
        _source: &dyn ExportSource,
        _target: &mut dyn ExportTarget,
        _now_ns: u64,
    ) -> StepOutcome {
        unimplemented!()
    }

    /// `RequestStateChange(RequestedState, TimeoutPeriod)`; `timeout_ns == 0` means none.
    pub fn request_state_change(
        &mut self,
        _job: JobId,
        _requested: RequestedState,
        _timeout_ns: u64,
        _now_ns: u64,
    ) -> u32 {
        unimplemented!()
    }

    /// The job object under its WMI property names, as polled at `now_ns`; `None` once
    /// `TimeBeforeRemoval` has passed after it finished, or for an unknown id.
    pub fn job_properties(&self, _job: JobId, _now_ns: u64) -> Option<crate::wmi::JobProperties> {
        unimplemented!()
    }

    /// `GetError`: (return code, the error when the job failed or was terminated).
    pub fn get_error(&self, _job: JobId) -> (u32, Option<CimError>) {
        unimplemented!()
    }

    /// `GetErrorEx`: (return code, every error, outermost first).
    pub fn get_error_ex(&self, _job: JobId) -> (u32, Vec<CimError>) {
        unimplemented!()
    }

    /// The service process died (host crash): every unfinished job ends in Exception at once,
    /// with no cleanup.
    pub fn abandon_all(&mut self, _reason: &str, _now_ns: u64) {
        unimplemented!()
    }

    /// Guid of a job (its `InstanceID`).
    pub fn instance_id(&self, _job: JobId) -> Option<Guid> {
        unimplemented!()
    }
}
