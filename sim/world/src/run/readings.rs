//! What a client sees of the export jobs, taken as the run goes: the readings of `poll` timeline
//! entries (scheduled in [`crate::poll::Polls`], taken between events in the order that module
//! documents) and each job's history (every `JobState` change, looked for after each event).
//! Owns taking both; it must never change a job, the world, the queue, the event count or the
//! trace: with or without `poll` entries a run is the same run.

use super::state::Run;
use crate::observe::EventObserver;
use crate::poll::{Due, Reading, StateChange};
use crate::run_error::RunError;
use rpsim_export::wmi::JobState;
use rpsim_scenario::model::{Poll, TimelineEntry};

/// The poll of an entry whose only action is `poll` (an entry with more actions is invalid and
/// goes to the queue, which traces it as such).
pub(super) fn poll_only(entry: &TimelineEntry) -> Option<&Poll> {
    let poll = entry.poll.as_ref()?;
    (entry.actions().len() == 1).then_some(poll)
}

impl Run<'_> {
    /// Takes every reading that comes before an event at `time_ns` (`timeline`: the event is
    /// that timeline entry).
    pub(super) fn readings_before(
        &mut self,
        time_ns: u64,
        timeline: Option<usize>,
        observer: &mut dyn EventObserver,
    ) -> Result<(), RunError> {
        while let Some(due) = self.polls.due_before(time_ns, timeline) {
            self.take_reading(due, observer)?;
        }
        Ok(())
    }

    /// Takes every reading due at or before `time_ns` (after the last event: the world no longer
    /// changes, but a job's clock-derived properties and its removal still follow the time).
    pub(super) fn readings_until(
        &mut self,
        time_ns: u64,
        observer: &mut dyn EventObserver,
    ) -> Result<(), RunError> {
        while let Some(due) = self.polls.due_until(time_ns) {
            self.take_reading(due, observer)?;
        }
        Ok(())
    }

    fn take_reading(&mut self, due: Due, observer: &mut dyn EventObserver) -> Result<(), RunError> {
        let Some(index) = self.exports.iter().rposition(|e| e.name == due.export) else {
            // The export entry was not reached (validation puts it before the poll).
            self.polls.taken(true);
            return Ok(());
        };
        let job_id = self.exports[index].job_id;
        let job = job_id.and_then(|job| self.service.job_properties(job, due.at_ns));
        match (job_id, &job) {
            (None, _) => self.probes.hit(rpsim_probe::Probe::PollNoJob),
            (Some(_), None) => self.probes.hit(rpsim_probe::Probe::PollJobGone),
            _ => {}
        }
        let reading = Reading {
            at_ns: due.at_ns,
            entry: due.entry,
            job,
        };
        let ended = reading.ends_polling();
        let checked = observer.after_reading(&self.exports[index], &reading);
        let record = &mut self.exports[index];
        record.readings.push(reading);
        if self.polls.taken(ended) {
            record.readings_capped = true;
        }
        checked.map_err(|message| RunError::Invariant {
            event_number: self.event_count,
            time_ns: due.at_ns,
            seed: self.seed,
            message: format!("reading of export `{}`: {message}", due.export),
        })
    }

    /// Appends to each unfinished job's history when its `JobState` differs from the last entry.
    pub(super) fn record_history(&mut self) {
        for record in &mut self.exports {
            let Some(job) = record.job_id else {
                continue;
            };
            let last = record.history.last().map(|change| change.job.job_state);
            if last
                .and_then(JobState::from_code)
                .is_some_and(JobState::is_final)
            {
                continue;
            }
            let Some(glance) = self.service.job_glance(job, self.now_ns) else {
                continue;
            };
            if last != Some(glance.job_state) {
                let properties = self
                    .service
                    .job_properties(job, self.now_ns)
                    .expect("a job glanced at is there");
                assert_eq!(properties.job_state, glance.job_state);
                record.history.push(StateChange {
                    at_ns: self.now_ns,
                    job: properties,
                });
            }
        }
    }
}
