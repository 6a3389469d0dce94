//! [`ExportRecord`]: one `export` timeline entry and everything the run observed about it (the
//! call, its result, the job's final properties and errors, the state changes asked of it, the
//! job's history and what `poll` entries read).
//! Owns this record type, which the run fills in and observers read; it must never drive a job
//! or hold a real path other than the one the target mapped the export directory to.

use crate::poll::{Reading, StateChange};
use rpsim_export::guid::Guid;
use rpsim_export::service::{CallResult, ExportCall, JobId};
use rpsim_export::wmi::{CimError, JobProperties};
use std::path::PathBuf;

/// One `export` timeline entry and everything observed about it.
#[derive(Clone, Debug)]
pub struct ExportRecord {
    pub name: String,
    pub call: ExportCall,
    pub result: CallResult,
    pub job_id: Option<JobId>,
    /// Polled right when the job reached a final state, else at the end of the run.
    pub final_properties: Option<JobProperties>,
    pub get_error: Option<CimError>,
    pub get_error_ex: Vec<CimError>,
    /// Return codes of the `request_state_change` entries on this export, in order.
    pub state_change_codes: Vec<u32>,
    /// `ExportDirectory` as passed.
    pub export_directory: String,
    pub real_directory: Option<PathBuf>,
    pub reference_point: Option<Guid>,
    pub base: Option<Guid>,
    /// The disk selection the call was built from (`None`: every disk).
    pub disks: Option<Vec<rpsim_scenario::model::DiskSelection>>,
    pub finished_at_ns: Option<u64>,
    /// Every `JobState` change of the job, in order, from what the call returned on.
    pub history: Vec<StateChange>,
    /// What the scenario's `poll` entries read of this export, in time order.
    pub readings: Vec<Reading>,
    /// A cap of [`crate::poll`] stopped a repeated poll of this export.
    pub readings_capped: bool,
    /// What the world knew when the call was made (for the model oracle).
    pub at_call: CallContext,
    /// Each `request_state_change` on this export: the job as read just before, and the answer.
    pub state_change_calls: Vec<StateChangeCall>,
}

/// The world as it stood when `ExportReferencePoint` was called, as the world (not the job)
/// sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallContext {
    pub at_ns: u64,
    /// The VM group of the reference point, when the name resolves.
    pub group: Option<String>,
    /// Earlier exports (indices into the run's exports) whose job had not finished: the world
    /// had not seen it end and a read of it gave a state that is not final.
    pub unfinished: Vec<usize>,
    /// A VM of the group could not be read (migrating, or its host down).
    pub member_unavailable: bool,
    /// With a base: the base exists, is not destroyed, its log (if log-based) is present and no
    /// disk's change tracking was reset since it was taken.
    pub base_usable: Option<bool>,
}

/// One `RequestStateChange` call: when, what was asked, the job's `JobState` and
/// `Cancellable` as a client would have read them just before (`None`: the job was gone), and
/// the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateChangeCall {
    pub at_ns: u64,
    pub requested: u16,
    pub timeout_ns: u64,
    pub before: Option<(u16, bool)>,
    pub code: u32,
}
