//! Validation of `poll` timeline entries and of the `expect` fields judged on readings
//! (`readings`, `states_seen`, `percent_complete_monotonic`): a sensible interval, plausible
//! states and percentages, and readings expected only of exports some `poll` entry reads. Owns
//! those rules; it must never check whether the polled export exists (the timeline walk does).

use super::timeline::Names;
use super::{listing, Problems};
use crate::model::{Expectation, Poll};
use crate::path::NodePath;

/// Shortest `every` of a repeated poll: 1 ms of sim time.
pub const POLL_EVERY_NS_MIN: u64 = 1_000_000;
/// Entries in one `readings` or `states_seen` list.
pub const READING_EXPECTATIONS_MAX: usize = 1000;

/// A `poll` entry's own fields.
pub(super) fn check_entry(poll: &Poll, path: &NodePath, problems: &mut Problems) {
    if let Some(every) = poll.every {
        if every.ns() < POLL_EVERY_NS_MIN {
            problems.at(
                &path.key("every"),
                format!(
                    "every {every} is too short; a repeated poll waits at least 1ms between \
                     readings (omit `every` to read once)"
                ),
            );
        }
    }
}

/// A `JobState` value an expectation may name.
fn job_state_problem(state: u16) -> Option<String> {
    (!(2..=12).contains(&state)).then(|| {
        format!(
            "{state} is not a JobState; allowed: 2 to 12 (4 Running, 7 Completed, 8 Terminated, \
             9 Killed, 10 Exception)"
        )
    })
}

/// The reading fields of one `expect` entry at `path`.
pub(super) fn check_expectation(
    expectation: &Expectation,
    path: &NodePath,
    names: &Names<'_>,
    problems: &mut Problems,
) {
    let wants_readings = !expectation.readings.is_empty()
        || expectation.states_seen.is_some()
        || expectation.percent_complete_monotonic.is_some();
    let export = expectation.export.as_str();
    if wants_readings && names.exports.contains(export) && !names.polled.contains(export) {
        let field = if !expectation.readings.is_empty() {
            "readings"
        } else if expectation.states_seen.is_some() {
            "states_seen"
        } else {
            "percent_complete_monotonic"
        };
        problems.at_key(
            &path.key(field),
            format!(
                "`{field}` is judged on readings, but no `poll` entry reads export `{export}`; \
                 add `- {{ at: ..., poll: {{ export: {export}, every: 100ms }} }}` to the \
                 timeline (polled exports: {})",
                listing(names.polled.iter().copied())
            ),
        );
    }
    if expectation.percent_complete_monotonic == Some(false) {
        problems.at(
            &path.key("percent_complete_monotonic"),
            "percent_complete_monotonic: false asserts nothing; set it to true or remove it",
        );
    }
    if let Some(states) = &expectation.states_seen {
        let states_path = path.key("states_seen");
        if problems.count(
            &states_path,
            "states",
            states.len(),
            READING_EXPECTATIONS_MAX,
        ) {
            for (i, state) in states.iter().enumerate() {
                if let Some(message) = job_state_problem(*state) {
                    problems.at(&states_path.index(i), message);
                }
            }
        }
    }
    let readings_path = path.key("readings");
    if !problems.count(
        &readings_path,
        "reading expectations",
        expectation.readings.len(),
        READING_EXPECTATIONS_MAX,
    ) {
        return;
    }
    for (i, reading) in expectation.readings.iter().enumerate() {
        let entry = readings_path.index(i);
        if let Some(message) = reading.job_state.and_then(job_state_problem) {
            problems.at(&entry.key("job_state"), message);
        }
        for (field, value) in [
            ("percent_complete", reading.percent_complete),
            ("percent_complete_min", reading.percent_complete_min),
            ("percent_complete_max", reading.percent_complete_max),
        ] {
            if let Some(value) = value.filter(|v| *v > 100) {
                problems.at(
                    &entry.key(field),
                    format!("{field} {value} is more than 100 (PercentComplete is 0 to 100)"),
                );
            }
        }
        if let (Some(min), Some(max)) = (reading.percent_complete_min, reading.percent_complete_max)
        {
            if min > max {
                problems.at(
                    &entry.key("percent_complete_max"),
                    format!("percent_complete_max {max} is less than percent_complete_min {min}"),
                );
            }
        }
    }
}
