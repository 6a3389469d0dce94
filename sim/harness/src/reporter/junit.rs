//! The `--junit FILE` report: JUnit XML with one test case per (scenario, seed) run, whose
//! failure message lists the failed checks and the command that replays the run. Owns that
//! mapping; it must never decide pass or fail (it reads [`RunSummary::passed`]).

use crate::runner::summary::RunSummary;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use rpsim_scenario::text::{block, one_line};
use std::path::Path;
use std::time::Duration;

/// The report's and the suite's name.
pub const SUITE_NAME: &str = "rpsim";

/// The test case name of one run: `<scenario> seed=<S>`.
pub fn case_name(run: &RunSummary) -> String {
    format!("{} seed={}", one_line(&run.name), run.seed)
}

/// Builds the report; runs keep their order.
pub fn build(runs: &[RunSummary]) -> Report {
    build_noted(runs, None)
}

/// Builds the report; `note` (an interrupted sweep) is appended to the suite's name.
pub fn build_noted(runs: &[RunSummary], note: Option<&str>) -> Report {
    let name = note.map_or(SUITE_NAME.to_string(), |n| format!("{SUITE_NAME} ({n})"));
    let mut suite = TestSuite::new(name);
    for run in runs {
        suite.add_test_case(test_case(run));
    }
    let mut report = Report::new(SUITE_NAME);
    report.add_test_suite(suite);
    report
}

fn test_case(run: &RunSummary) -> TestCase {
    let status = if run.passed() {
        TestCaseStatus::success()
    } else {
        let lines = run.failure_lines();
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status
            .set_message(format!(
                "{} check(s) failed; reproduce: {}",
                lines.len(),
                one_line(&run.repro_command())
            ))
            .set_type("check")
            .set_description(format!(
                "{}\nreproduce: {}\ntrace hash: {}",
                block(&lines.join("\n")),
                run.repro_command(),
                run.trace_hash
            ));
        status
    };
    let mut case = TestCase::new(case_name(run), status);
    case.set_classname(format!("rpsim.{}", one_line(&run.name)))
        .set_assertions(usize::try_from(run.checks_total()).unwrap_or(usize::MAX))
        .set_time(Duration::from_millis(run.wall_time_ms));
    case
}

/// Writes the report to `path`.
pub fn write(path: &Path, runs: &[RunSummary], note: Option<&str>) -> Result<(), String> {
    let text = build_noted(runs, note)
        .to_string()
        .map_err(|e| format!("cannot serialise the JUnit report: {e}"))?;
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rpsim_checks::report::CheckFailure;

    fn summary(name: &str, failures: Vec<CheckFailure>) -> RunSummary {
        RunSummary {
            file: format!("scenarios/{name}.yaml").into(),
            name: name.to_string(),
            seed: 3,
            trace_hash: "abc".into(),
            event_count: 10,
            sim_time_ns: 5,
            checks_passed: 2,
            failures,
            wall_time_ms: 1,
            bytes_exported: 0,
            probes: Default::default(),
            drawn: String::new(),
        }
    }

    #[test]
    fn failures_carry_checks_and_repro_and_the_xml_parses_back() {
        let failure = CheckFailure {
            check: "expect".into(),
            export: Some("full".into()),
            message: "job_state <8> & \"7\"".into(),
        };
        let runs = [summary("ok", vec![]), summary("bad", vec![failure])];
        let xml = build(&runs).to_string().unwrap();
        assert!(xml.contains(" run scenarios/bad.yaml --seed 3"), "{xml}");
        let parsed = Report::deserialize_from_str(&xml).unwrap();
        assert_eq!(parsed.tests, 2);
        assert_eq!(parsed.failures, 1);
        let names: Vec<_> = parsed.test_suites[0]
            .test_cases
            .iter()
            .map(|c| c.name.as_str().to_string())
            .collect();
        assert_eq!(names, ["ok seed=3", "bad seed=3"]);
    }
}
