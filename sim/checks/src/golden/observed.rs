//! The golden listing's account of a job over time: its history (`-- history`, every JobState
//! change) and what `poll` entries read (`-- readings`). Each entry lists the properties that
//! differ from the entry before it (the first in full, as after an entry that found no job), so
//! the listing stays short and every job object can still be rebuilt from it. Owns that part of
//! the golden format; it must never judge a reading.

use super::{ordered_properties, render_members};
use rpsim_export::wmi::JobProperties;
use rpsim_scenario::units::SimDuration;
use rpsim_world::ExportRecord;
use std::fmt::Write as _;

type Members = Vec<(String, serde_json::Value)>;

/// `-- history (n)` and, when the export was polled, `-- readings (n)`.
pub(super) fn render_observed(text: &mut String, record: &ExportRecord) {
    let _ = writeln!(text, "-- history ({})", record.history.len());
    let mut previous: Option<Members> = None;
    for (index, change) in record.history.iter().enumerate() {
        let _ = writeln!(
            text,
            "[{index}] at {} JobState {}",
            SimDuration(change.at_ns),
            change.job.job_state
        );
        previous = render_changes(text, previous.as_ref(), &change.job);
    }
    if record.readings.is_empty() {
        return;
    }
    let _ = writeln!(text, "-- readings ({})", record.readings.len());
    let mut previous: Option<Members> = None;
    for (index, reading) in record.readings.iter().enumerate() {
        let at = SimDuration(reading.at_ns);
        let Some(job) = &reading.job else {
            let why = if record.job_id.is_some() {
                "job gone"
            } else {
                "no job"
            };
            let _ = writeln!(text, "[{index}] at {at} (entry {}): {why}", reading.entry);
            previous = None;
            continue;
        };
        let _ = writeln!(
            text,
            "[{index}] at {at} (entry {}) JobState {} PercentComplete {}",
            reading.entry, job.job_state, job.percent_complete
        );
        previous = render_changes(text, previous.as_ref(), job);
    }
    if record.readings_capped {
        let _ = writeln!(
            text,
            "(readings stopped: a cap on readings was reached, see rpsim_world::poll)"
        );
    }
}

/// Writes the members of `job` that differ from `previous` (all of them without one), indented;
/// returns `job`'s members for the next entry.
fn render_changes(
    text: &mut String,
    previous: Option<&Members>,
    job: &JobProperties,
) -> Option<Members> {
    let members = match ordered_properties(job) {
        Ok(members) => members,
        Err(message) => {
            let _ = writeln!(text, "  (cannot render: {message})");
            return None;
        }
    };
    let changed: Members = members
        .iter()
        .filter(|(name, value)| {
            previous.is_none_or(|before| !before.iter().any(|(n, v)| n == name && v == value))
        })
        .cloned()
        .collect();
    let mut block = String::new();
    render_members(&mut block, &changed);
    for line in block.lines() {
        let _ = writeln!(text, "  {line}");
    }
    Some(members)
}
