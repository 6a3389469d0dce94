//! rpsim-checks: the oracles that judge an export without trusting the job. They compare what
//! is on disk with what the world (through [`rpsim_export::source::ExportSource`]) knows, and
//! must never change either.

mod buffer_pool;
pub mod equivalence;
pub mod expectations;
pub mod exported_paths;
pub mod golden;
pub mod invariants;
pub mod live_invariants;
pub mod live_readings;
pub mod model_oracle;
pub mod qemu;
pub mod reading_expectations;
pub mod report;
pub mod restore_check;
pub mod transitions;
pub mod verified_exports;

use report::CheckReport;
use rpsim_scenario::model::Scenario;
use rpsim_world::RunOutcome;
use std::path::Path;

/// Every check of a finished run: the scenario's expectations, the invariants, the model
/// oracle (every call's answer allowed for the state it was made in), and restore
/// equivalence of every completed export (images go under `scratch`, removed as it goes).
pub fn check_run(scenario: &Scenario, outcome: &RunOutcome, scratch: &Path) -> CheckReport {
    let mut report = CheckReport::default();
    expectations::check_expectations(scenario, outcome, &mut report);
    let mut verified = verified_exports::VerifiedExports::default();
    invariants::check_invariants_with(outcome, &mut verified, &mut report);
    model_oracle::check_model(outcome, &mut report);
    restore_check::check_restores_with(outcome, scratch, &mut verified, &mut report);
    report
}
