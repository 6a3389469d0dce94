//! A client's view of an export job over time: [`Reading`] (one read of the job object by a
//! `poll` timeline entry), [`StateChange`] (the job's history: every `JobState` change with the
//! properties at that moment), the caps on readings, and [`Polls`], the schedule of readings
//! still to take. Owns these types and the order of readings; it must never change a job, the
//! world or the trace (a reading is a pure read and never counts as an event).
//!
//! Order: a reading at time T of the poll entry with timeline index p comes after every event
//! before T and after the timeline entries at T listed before p (in the world's (time, index)
//! order), and before every other event at T (later timeline entries, job steps, faults, guest
//! writes). So a poll right after an `export` entry at the same time reads what the call
//! returned, before the job's first step.

use rpsim_export::wmi::JobProperties;
use serde::Serialize;
use std::collections::BTreeMap;

/// Most readings one `poll` entry takes (10,000: 1000 s of sim time at 100 ms); then it stops
/// and the export's [`crate::ExportRecord::readings_capped`] is set.
pub const READINGS_PER_POLL_MAX: usize = 10_000;
/// Most readings in one run, over every `poll` entry.
pub const READINGS_PER_RUN_MAX: usize = 50_000;

/// One read of an export's job object, as a client sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reading {
    /// Sim time of the read.
    pub at_ns: u64,
    /// Index of the `poll` entry in the scenario's timeline.
    pub entry: usize,
    /// The job object under its WMI names; `None` when the export has no job (the call was
    /// refused) or the job is gone (`TimeBeforeRemoval` passed after it ended).
    #[serde(rename = "Job")]
    pub job: Option<JobProperties>,
}

impl Reading {
    /// True when a client stops polling after this reading: the job is final or gone.
    pub fn ends_polling(&self) -> bool {
        self.job.as_ref().is_none_or(|job| {
            rpsim_export::wmi::JobState::from_code(job.job_state).is_none_or(|s| s.is_final())
        })
    }
}

/// One `JobState` change of a job: when it happened and the whole job object right after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StateChange {
    pub at_ns: u64,
    #[serde(rename = "Job")]
    pub job: JobProperties,
}

/// A pending reading: the poll entry's export and interval.
#[derive(Clone, Debug)]
struct Pending {
    export: String,
    every_ns: Option<u64>,
    taken: usize,
}

/// The readings still to take, keyed by (time, poll entry index); each entry has at most one.
#[derive(Clone, Debug, Default)]
pub struct Polls {
    pending: BTreeMap<(u64, usize), Pending>,
    taken: usize,
}

/// A reading due now: which export to read, at what time, for which entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub at_ns: u64,
    pub entry: usize,
    pub export: String,
}

impl Polls {
    /// Schedules the first reading of poll entry `entry`.
    pub fn add(&mut self, at_ns: u64, entry: usize, export: &str, every_ns: Option<u64>) {
        let pending = Pending {
            export: export.to_string(),
            every_ns,
            taken: 0,
        };
        self.pending.insert((at_ns, entry), pending);
    }

    /// The next reading if it comes before an event at `time_ns` (`timeline`: the event is
    /// timeline entry `i`); see the module documentation for the order.
    pub fn due_before(&self, time_ns: u64, timeline: Option<usize>) -> Option<Due> {
        let (&(at_ns, entry), pending) = self.pending.first_key_value()?;
        let before = at_ns < time_ns || (at_ns == time_ns && timeline.is_none_or(|i| entry < i));
        before.then(|| Due {
            at_ns,
            entry,
            export: pending.export.clone(),
        })
    }

    /// The next reading at or before `time_ns`.
    pub fn due_until(&self, time_ns: u64) -> Option<Due> {
        let (&(at_ns, entry), pending) = self.pending.first_key_value()?;
        (at_ns <= time_ns).then(|| Due {
            at_ns,
            entry,
            export: pending.export.clone(),
        })
    }

    /// Marks the first reading taken; schedules the entry's next one unless `ended` (the job was
    /// final or gone) or a cap is reached. Returns true when a cap stopped the entry.
    pub fn taken(&mut self, ended: bool) -> bool {
        let Some(((at_ns, entry), mut pending)) = self.pending.pop_first() else {
            return false;
        };
        self.taken += 1;
        pending.taken += 1;
        let Some(every_ns) = pending.every_ns.filter(|_| !ended) else {
            return false;
        };
        if pending.taken >= READINGS_PER_POLL_MAX || self.taken >= READINGS_PER_RUN_MAX {
            return true;
        }
        self.pending
            .insert((at_ns.saturating_add(every_ns.max(1)), entry), pending);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_stands_where_its_entry_stands_in_the_timeline_order() {
        let mut polls = Polls::default();
        polls.add(1_000, 3, "full", None);
        assert_eq!(
            polls.due_before(1_000, Some(2)),
            None,
            "entry 2 comes first"
        );
        assert!(
            polls.due_before(1_000, Some(4)).is_some(),
            "entry 4 comes after"
        );
        assert!(polls.due_before(1_000, None).is_some(), "before steps at T");
        assert_eq!(polls.due_before(999, None), None, "not before its time");
        assert!(polls.due_until(1_000).is_some());
        assert_eq!(polls.due_until(999), None);
    }

    #[test]
    fn a_repeated_poll_stops_when_the_job_ends_or_at_the_cap() {
        let mut polls = Polls::default();
        polls.add(0, 0, "full", Some(100));
        assert!(!polls.taken(false));
        let due = polls.due_until(u64::MAX).expect("next reading");
        assert_eq!(due.at_ns, 100);
        assert!(!polls.taken(true), "ended: no cap, nothing more");
        assert_eq!(polls.due_until(u64::MAX), None);
        polls.add(0, 1, "full", Some(1));
        let mut capped = false;
        for _ in 0..READINGS_PER_POLL_MAX {
            assert!(!capped);
            capped = polls.taken(false);
        }
        assert!(capped, "the cap stops the entry");
        assert_eq!(polls.due_until(u64::MAX), None);
    }
}
