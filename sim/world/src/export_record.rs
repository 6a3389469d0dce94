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
    pub finished_at_ns: Option<u64>,
    /// Every `JobState` change of the job, in order, from what the call returned on.
    pub history: Vec<StateChange>,
    /// What the scenario's `poll` entries read of this export, in time order.
    pub readings: Vec<Reading>,
    /// A cap of [`crate::poll`] stopped a repeated poll of this export.
    pub readings_capped: bool,
}
