//! The `EndSession` answer: the end-of-run report of a client session as JSON (verdict, trace
//! hash, events, sim time, exports completed, restored disks, every failed check). Owns that
//! shape; it must never run a check (the runner did) nor hold a wall-clock figure, so the answer
//! is the same on every run.

use crate::runner::ScenarioRun;
use serde_json::{json, Value};

/// The report of a checked run, or of a run that stopped early with `stopped`.
pub fn report(run: Option<&ScenarioRun>, stopped: Option<&str>) -> Value {
    let Some(run) = run else {
        return json!({
            "Verdict": "fail",
            "Stopped": stopped.unwrap_or("the run stopped"),
            "Failures": [{ "check": "live_invariant_or_limit", "export": null,
                           "message": stopped.unwrap_or_default() }],
        });
    };
    let exports = &run.outcome.exports;
    let completed = run.exports_completed();
    json!({
        "Verdict": if run.passed() { "pass" } else { "fail" },
        "Scenario": run.name,
        "Seed": run.seed,
        "TraceHash": run.outcome.trace_hash,
        "Events": run.outcome.event_count,
        "SimTimeNs": run.outcome.end_time_ns,
        "Exports": exports.len(),
        "ExportsCompleted": completed,
        "RestoredDisks": run.checks.restored_disks,
        "ComparedBytes": run.checks.compared_bytes,
        "ChecksPassed": run.checks.passed,
        "Failures": run.checks.failures,
    })
}
