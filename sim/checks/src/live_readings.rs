//! Invariants over what a client reads, checked as each `poll` reading is taken: from one
//! reading of an export to the next, `JobState` moves only along a path of the transition table
//! of `rpsim_export::states`, `PercentComplete` never decreases, `TimeOfLastStateChange` never
//! goes back, and a job once gone (removed) never comes back. Owns the memory of each export's
//! last reading; it must never change the run.

use crate::transitions::reachable;
use rpsim_export::wmi::JobState;
use rpsim_world::poll::Reading;
use rpsim_world::ExportRecord;
use std::collections::BTreeMap;

/// What the last reading of one export showed.
#[derive(Clone, Debug)]
struct Last {
    state: JobState,
    percent_complete: u16,
    time_of_last_state_change: String,
    gone: bool,
}

/// The reading invariants; see the module documentation.
#[derive(Debug, Default)]
pub struct ReadingInvariants {
    last: BTreeMap<String, Last>,
    /// Readings checked (for reports and tests).
    pub readings_checked: u64,
}

impl ReadingInvariants {
    /// Checks `reading` of `export` against the export's previous reading.
    pub fn check(&mut self, export: &ExportRecord, reading: &Reading) -> Result<(), String> {
        self.readings_checked += 1;
        let previous = self.last.get(&export.name);
        let Some(job) = &reading.job else {
            if let Some(last) = self.last.get_mut(&export.name) {
                last.gone = true;
            }
            return Ok(());
        };
        let state = JobState::from_code(job.job_state)
            .ok_or_else(|| format!("unknown JobState {}", job.job_state))?;
        if let Some(last) = previous {
            if last.gone {
                return Err(format!(
                    "the job was gone at an earlier reading and is back in JobState {state:?}"
                ));
            }
            if last.state != state && !reachable(last.state, state) {
                return Err(format!(
                    "JobState read {:?} then {state:?}, not a path of the transition table",
                    last.state
                ));
            }
            if job.percent_complete < last.percent_complete {
                return Err(format!(
                    "PercentComplete read {} then {}: it decreased",
                    last.percent_complete, job.percent_complete
                ));
            }
            // CIM datetimes of one fixed width and offset order as text does.
            if job.time_of_last_state_change < last.time_of_last_state_change {
                return Err(format!(
                    "TimeOfLastStateChange read {} then {}: it went back",
                    last.time_of_last_state_change, job.time_of_last_state_change
                ));
            }
        }
        self.last.insert(
            export.name.clone(),
            Last {
                state,
                percent_complete: job.percent_complete,
                time_of_last_state_change: job.time_of_last_state_change.clone(),
                gone: false,
            },
        );
        Ok(())
    }
}
