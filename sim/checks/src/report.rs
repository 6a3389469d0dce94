//! The result of checking one run: which checks passed and which failed, with a message a
//! person can act on. Owns the data only; it must never perform a check.

use serde::Serialize;

/// One failed check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckFailure {
    /// Which check: `expect`, `invariant`, `restore`, ...
    pub check: String,
    /// The scenario-local export name, when the check is about one export.
    pub export: Option<String>,
    pub message: String,
}

/// Every check of one run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// Number of individual checks that passed.
    pub passed: u64,
    pub failures: Vec<CheckFailure>,
    /// Disks restored from exports and compared with the world.
    pub restored_disks: u64,
    /// Bytes compared by restore equivalence.
    pub compared_bytes: u64,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }

    /// Records one check: passes when `failure` is `None`.
    pub fn record(&mut self, check: &str, export: Option<&str>, failure: Option<String>) {
        match failure {
            None => self.passed += 1,
            Some(message) => self.failures.push(CheckFailure {
                check: check.to_string(),
                export: export.map(str::to_string),
                message,
            }),
        }
    }
}
