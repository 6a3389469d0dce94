//! `rpsim run --check-determinism` and `rpsim sweep --check-determinism`: runs a scenario a
//! second time with the same seed and compares the two traces record by record. Owns that comparison and its message; it must
//! never print, and never bless goldens or keep exports on the second run.

use crate::runner::{run_scenario, run_scenario_file, RunFailure, RunOptions, ScenarioRun};
use rpsim_scenario::model::Scenario;
use rpsim_world::trace::first_difference;
use rpsim_world::TraceRecord;

/// The check name of determinism failures.
pub const DETERMINISM_CHECK: &str = "determinism";

/// Runs `first`'s scenario again at `first.seed` and records a `determinism` check in
/// `first.checks`. `first` must have been run with `keep_trace` (its records are compared).
/// `loaded` is the scenario the first run simulated when the caller holds it (a sweep loads
/// each file once); `None` reads `first.file` again.
pub fn check_again(first: &mut ScenarioRun, loaded: Option<&Scenario>, options: &RunOptions) {
    assert!(
        first.outcome.event_count == 0 || !first.outcome.trace.is_empty(),
        "the first run must keep its trace records"
    );
    let mut again = options.clone();
    again.seed = Some(first.seed);
    again.keep_trace = true;
    again.keep_exports = None;
    again.golden = None;
    let second = match loaded {
        Some(scenario) => run_scenario(&first.file, scenario, &again, None),
        None => run_scenario_file(&first.file, &again),
    };
    record_comparison(first, second);
}

/// Records in `first.checks` how `second` (the same scenario at the same seed, run again)
/// compares with `first`: the first divergent event, or a second run that could not run.
pub fn record_comparison(first: &mut ScenarioRun, second: Result<ScenarioRun, RunFailure>) {
    first.determinism_checked = true;
    let second = match second {
        Ok(second) => second,
        Err(failure) => {
            let message = format!("the second run could not run: {failure}");
            first.checks.record(DETERMINISM_CHECK, None, Some(message));
            return;
        }
    };
    let failure = compare_traces(&first.outcome.trace, &second.outcome.trace).or_else(|| {
        (first.outcome.trace_hash != second.outcome.trace_hash).then(|| {
            format!(
                "same records but different trace hashes: {} then {}",
                first.outcome.trace_hash, second.outcome.trace_hash
            )
        })
    });
    first.checks.record(DETERMINISM_CHECK, None, failure);
}

/// True when `run` was checked and its second run matched.
pub fn held(run: &ScenarioRun) -> Option<bool> {
    run.determinism_checked.then(|| {
        !run.checks
            .failures
            .iter()
            .any(|f| f.check == DETERMINISM_CHECK)
    })
}

/// `None` when the traces are equal, else where and how they first differ.
pub fn compare_traces(first: &[TraceRecord], second: &[TraceRecord]) -> Option<String> {
    let seq = first_difference(first, second)?;
    let show = |trace: &[TraceRecord]| {
        trace
            .iter()
            .find(|r| r.seq == seq)
            .map_or("(trace ended)".to_string(), describe_record)
    };
    Some(format!(
        "two runs with the same seed differ at event #{seq} ({} vs {} records)\n      first:  {}\n      second: {}",
        first.len(),
        second.len(),
        show(first),
        show(second)
    ))
}

fn describe_record(record: &TraceRecord) -> String {
    format!(
        "#{} t={}ns {} {} hash={}",
        record.seq, record.time_ns, record.kind, record.detail, record.hash
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: u64, detail: &str) -> TraceRecord {
        TraceRecord {
            seq,
            time_ns: seq * 10,
            kind: "k".into(),
            detail: detail.into(),
            hash: format!("{seq:032x}"),
        }
    }

    #[test]
    fn equal_traces_pass_and_the_first_difference_is_named_with_both_records() {
        let a = vec![record(0, "x"), record(1, "y"), record(2, "z")];
        assert_eq!(compare_traces(&a, &a.clone()), None);
        let b = vec![record(0, "x"), record(1, "Y"), record(2, "z")];
        let message = compare_traces(&a, &b).expect("traces differ");
        assert!(message.contains("event #1"), "{message}");
        assert!(message.contains("k y"), "{message}");
        assert!(message.contains("k Y"), "{message}");
    }

    #[test]
    fn a_trace_that_ends_early_differs_where_it_ends() {
        let a = vec![record(0, "x"), record(1, "y")];
        let message = compare_traces(&a, &a[..1]).expect("traces differ");
        assert!(message.contains("event #1"), "{message}");
        assert!(message.contains("(trace ended)"), "{message}");
    }
}
