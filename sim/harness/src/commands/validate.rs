//! `rpsim validate`: loads and validates scenario files without running them. Owns that loop
//! and its outcome (bad input when any file is invalid); it must never run a scenario.

use crate::outcome::Outcome;
use crate::reporter::{HarnessEvent, Reporter};
use std::path::PathBuf;

/// Validates every scenario file of `paths` (files or directories).
pub fn validate(paths: &[PathBuf], reporter: &mut dyn Reporter) -> Outcome {
    let files = match crate::suite::discover(paths) {
        Ok(files) => files,
        Err(message) => {
            reporter.event(&HarnessEvent::Error { message: &message });
            return Outcome::BadInput;
        }
    };
    let mut invalid = 0;
    for file in &files {
        match rpsim_scenario::load_scenario(file) {
            Ok(scenario) => reporter.event(&HarnessEvent::Valid {
                file,
                name: &scenario.name,
            }),
            Err(error) => {
                invalid += 1;
                reporter.event(&HarnessEvent::Invalid { error: &error });
            }
        }
    }
    reporter.event(&HarnessEvent::ValidationFinished {
        valid: files.len() - invalid,
        invalid,
    });
    if invalid > 0 {
        Outcome::BadInput
    } else {
        Outcome::Passed
    }
}
