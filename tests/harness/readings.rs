//! What `poll` entries read, as users rely on it: expectations on readings fail with messages
//! that say what was read, the reading invariants refuse a job seen going backwards, a repeated
//! poll of a job that never ends stops at its cap, and the JSON report carries each export's
//! history and readings.

use rpsim_checks::live_readings::ReadingInvariants;
use rpsim_harness::runner::{run_scenario, RunOptions, ScenarioRun};
use rpsim_scenario::load_scenario;
use rpsim_scenario::model::{ReadingExpectation, Scenario};
use rpsim_scenario::units::SimDuration;
use rpsim_world::poll::{Reading, READINGS_PER_POLL_MAX};
use std::path::{Path, PathBuf};

fn scenario_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn run(file: &Path, scenario: &Scenario) -> ScenarioRun {
    run_scenario(file, scenario, &RunOptions::default(), None).expect("runs")
}

fn expect_messages(run: &ScenarioRun) -> Vec<String> {
    run.checks
        .failures
        .iter()
        .filter(|f| f.check == "expect")
        .map(|f| f.message.clone())
        .collect()
}

#[test]
fn wrong_expectations_on_readings_fail_and_say_what_was_read() {
    let file = scenario_file("poll-full-export.yaml");
    let mut scenario = load_scenario(&file).expect("loads");
    let expectation = &mut scenario.expect[0];
    expectation.states_seen = Some(vec![4, 8]);
    expectation.readings = vec![ReadingExpectation {
        at: SimDuration(2_200_000_000),
        job_state: Some(7),
        percent_complete: None,
        percent_complete_min: Some(100),
        percent_complete_max: None,
    }];
    let messages = expect_messages(&run(&file, &scenario));
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(
        messages[0]
            .starts_with("the reading at 2200ms read JobState 4, expected 7 and PercentComplete "),
        "{}",
        messages[0]
    );
    assert!(
        messages[0].ends_with("expected at least 100"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].starts_with("the readings saw JobStates [4, 7], expected [4, 8]"),
        "{}",
        messages[1]
    );
}

#[test]
fn a_reading_expected_after_the_last_reading_fails() {
    let file = scenario_file("poll-cancelled-export.yaml");
    let mut scenario = load_scenario(&file).expect("loads");
    scenario.expect[0].readings[0].at = SimDuration(60_000_000_000);
    let messages = expect_messages(&run(&file, &scenario));
    assert_eq!(
        messages,
        ["no reading at or after 1min; the last was at 1300ms"],
        "polling stopped at the final reading"
    );
}

fn job(reading: &mut Reading) -> &mut rpsim_export::wmi::JobProperties {
    reading.job.as_mut().expect("a job")
}

/// Readings of `poll-full-export`, in order.
fn full_export_readings() -> (rpsim_world::ExportRecord, Vec<Reading>) {
    let file = scenario_file("poll-full-export.yaml");
    let scenario = load_scenario(&file).expect("loads");
    let run = run(&file, &scenario);
    assert!(run.passed(), "{:?}", run.checks.failures);
    let record = run.outcome.exports[0].clone();
    let readings = record.readings.clone();
    assert!(readings.len() >= 3, "{readings:?}");
    (record, readings)
}

#[test]
fn the_reading_invariants_accept_a_real_run_and_refuse_a_job_going_backwards() {
    let (record, readings) = full_export_readings();
    let mut invariants = ReadingInvariants::default();
    for reading in &readings {
        invariants
            .check(&record, reading)
            .expect("a real run is accepted");
    }
    let last = readings.last().expect("a last reading").clone();
    let first = readings[0].clone();
    let refused = |mutate: &dyn Fn(&mut Reading)| -> String {
        let mut invariants = ReadingInvariants::default();
        invariants.check(&record, &last).expect("first reading");
        let mut next = last.clone();
        mutate(&mut next);
        invariants.check(&record, &next).expect_err("refused")
    };
    let back_to_running = refused(&|r| *job(r) = first.job.clone().expect("a job"));
    assert!(
        back_to_running.contains("JobState read Completed then Running"),
        "{back_to_running}"
    );
    let lower = refused(&|r| job(r).percent_complete = 50);
    assert_eq!(lower, "PercentComplete read 100 then 50: it decreased");
    let earlier = refused(&|r| {
        job(r).time_of_last_state_change = first
            .job
            .as_ref()
            .unwrap()
            .time_of_last_state_change
            .clone()
    });
    assert!(earlier.contains("TimeOfLastStateChange read"), "{earlier}");
    let mut invariants = ReadingInvariants::default();
    invariants.check(&record, &last).expect("found");
    let mut gone = last.clone();
    gone.job = None;
    invariants.check(&record, &gone).expect("a job may go");
    let back = invariants.check(&record, &last).expect_err("refused");
    assert!(back.contains("was gone at an earlier reading"), "{back}");
}

#[test]
fn a_repeated_poll_of_a_job_that_never_ends_stops_at_its_cap() {
    let file = scenario_file("suspend-and-start.yaml");
    let mut scenario = load_scenario(&file).expect("loads");
    // Suspended for good: drop both starts and their expectations; poll every millisecond.
    scenario.timeline.retain(|e| {
        e.request_state_change
            .as_ref()
            .is_none_or(|c| c.state != rpsim_scenario::model::RequestedState::Start)
    });
    scenario.expect.clear();
    scenario.stop_at = Some(SimDuration(60_000_000_000));
    scenario.timeline.push(
        serde_norway::from_str("{at: 2s, poll: {export: full, every: 1ms}}").expect("entry parses"),
    );
    let run = run(&file, &scenario);
    let record = &run.outcome.exports[0];
    assert!(record.readings_capped);
    assert_eq!(record.readings.len(), READINGS_PER_POLL_MAX);
    let last = record.readings.last().expect("readings");
    assert_eq!(
        last.at_ns,
        2_000_000_000 + (READINGS_PER_POLL_MAX as u64 - 1) * 1_000_000
    );
    assert!(record
        .readings
        .iter()
        .all(|r| r.job.as_ref().is_some_and(|j| j.job_state == 5)));
}

#[test]
fn the_json_report_carries_history_and_readings() {
    let file = scenario_file("poll-cancelled-export.yaml");
    let scenario = load_scenario(&file).expect("loads");
    let runs = [run(&file, &scenario)];
    let report = rpsim_harness::reporter::json::build(&runs);
    let json = serde_json::to_value(&report).expect("serialises");
    let export = &json["scenarios"][0]["exports"][0];
    let states: Vec<u64> = export["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|c| c["Job"]["JobState"].as_u64().expect("state"))
        .collect();
    // What the call returned (today New, then Starting) is the wmi helper's to change.
    assert!(
        states.ends_with(&[4, 6, 8]) && states[0] <= 4,
        "Running, Shutting Down, Terminated: {states:?}"
    );
    let readings = export["readings"].as_array().expect("readings");
    assert_eq!(readings.len(), 3);
    assert_eq!(readings[2]["at_ns"], 1_300_000_000u64);
    assert_eq!(readings[2]["Job"]["JobState"], 8);
    assert_eq!(export["readings_capped"], false);
}
