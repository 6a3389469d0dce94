//! The `expect` fields judged on what `poll` entries read: `readings` (the first reading at or
//! after a time shows a state and a PercentComplete), `states_seen` (the JobStates read, in
//! order, repeats collapsed) and `percent_complete_monotonic`. Owns those comparisons; it must
//! never look at the job other than through the export's readings.

use crate::report::CheckReport;
use rpsim_scenario::model::{Expectation, ReadingExpectation};
use rpsim_scenario::units::SimDuration;
use rpsim_world::poll::Reading;
use rpsim_world::ExportRecord;

/// The JobStates the readings found, in order, consecutive repeats collapsed; readings that
/// found no job are left out.
pub fn states_seen(readings: &[Reading]) -> Vec<u16> {
    let mut states: Vec<u16> = Vec::new();
    for state in readings
        .iter()
        .filter_map(|r| r.job.as_ref().map(|j| j.job_state))
    {
        if states.last() != Some(&state) {
            states.push(state);
        }
    }
    states
}

/// Checks the reading fields of `expectation` against `record.readings`.
pub fn check_readings(expectation: &Expectation, record: &ExportRecord, report: &mut CheckReport) {
    let name = Some(expectation.export.as_str());
    let readings = &record.readings;
    for wanted in &expectation.readings {
        report.record("expect", name, reading_failure(wanted, readings));
    }
    if let Some(expected) = &expectation.states_seen {
        let seen = states_seen(readings);
        report.record(
            "expect",
            name,
            (&seen != expected).then(|| {
                format!(
                    "the readings saw JobStates {seen:?}, expected {expected:?} ({} reading(s))",
                    readings.len()
                )
            }),
        );
    }
    if expectation.percent_complete_monotonic == Some(true) {
        report.record("expect", name, decrease(readings));
    }
}

fn time(ns: u64) -> SimDuration {
    SimDuration(ns)
}

fn reading_failure(wanted: &ReadingExpectation, readings: &[Reading]) -> Option<String> {
    let at_ns = wanted.at.ns();
    let Some(reading) = readings.iter().find(|r| r.at_ns >= at_ns) else {
        let last = readings.last().map_or("none were taken".to_string(), |r| {
            format!("the last was at {}", time(r.at_ns))
        });
        return Some(format!("no reading at or after {}; {last}", wanted.at));
    };
    let when = format!("the reading at {}", time(reading.at_ns));
    let Some(job) = &reading.job else {
        return Some(format!("{when} found no job"));
    };
    let mut wrong = Vec::new();
    if let Some(state) = wanted.job_state.filter(|s| *s != job.job_state) {
        wrong.push(format!("JobState {}, expected {state}", job.job_state));
    }
    let percent = job.percent_complete;
    if let Some(p) = wanted.percent_complete.filter(|p| *p != percent) {
        wrong.push(format!("PercentComplete {percent}, expected {p}"));
    }
    if let Some(min) = wanted.percent_complete_min.filter(|min| percent < *min) {
        wrong.push(format!(
            "PercentComplete {percent}, expected at least {min}"
        ));
    }
    if let Some(max) = wanted.percent_complete_max.filter(|max| percent > *max) {
        wrong.push(format!("PercentComplete {percent}, expected at most {max}"));
    }
    (!wrong.is_empty()).then(|| format!("{when} read {}", wrong.join(" and ")))
}

fn decrease(readings: &[Reading]) -> Option<String> {
    if readings.is_empty() {
        return Some("percent_complete_monotonic: no readings were taken".into());
    }
    let mut last: Option<(u64, u16)> = None;
    for reading in readings {
        let Some(job) = &reading.job else { continue };
        if let Some((at_ns, percent)) = last {
            if job.percent_complete < percent {
                return Some(format!(
                    "PercentComplete decreased from {percent} (read at {}) to {} (read at {})",
                    time(at_ns),
                    job.percent_complete,
                    time(reading.at_ns)
                ));
            }
        }
        last = Some((reading.at_ns, job.percent_complete));
    }
    None
}
