//! `rpsim verify` and `rpsim restore`: the independent reader run on export directories given
//! by a person. Owns mapping the reader's verdicts to outcomes (a tampered or incomplete export
//! is a failed check, unusable input is bad input); it must never modify an export.

use crate::outcome::Outcome;
use crate::reporter::{HarnessEvent, Reporter};
use rpsim_restore::error::ErrorClass;
use rpsim_restore::RestoreError;
use std::path::{Path, PathBuf};

/// Verifies that `dir` holds a complete export.
pub fn verify(dir: &Path, reporter: &mut dyn Reporter) -> Outcome {
    match rpsim_restore::verify_export(dir) {
        Ok(manifest) => {
            reporter.event(&HarnessEvent::Verified {
                dir,
                manifest: &manifest,
            });
            Outcome::Passed
        }
        Err(error) => refused(&error, reporter),
    }
}

/// Restores the chain `exports` (a full export, then its differentials) into `out`.
pub fn restore(exports: &[PathBuf], out: &Path, reporter: &mut dyn Reporter) -> Outcome {
    match rpsim_restore::restore_chain(exports, out) {
        Ok(summary) => {
            reporter.event(&HarnessEvent::Restored { summary: &summary });
            Outcome::Passed
        }
        Err(error) => refused(&error, reporter),
    }
}

fn refused(error: &RestoreError, reporter: &mut dyn Reporter) -> Outcome {
    let message = error.to_string();
    reporter.event(&HarnessEvent::Error { message: &message });
    match error.class() {
        ErrorClass::NotIntact => Outcome::ChecksFailed,
        ErrorClass::BadInput => Outcome::BadInput,
    }
}
