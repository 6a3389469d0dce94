//! `--coverage FILE` for `run`, `sweep` and `coverage`: writes the coverage JSON and reports
//! it. Owns only that step (so the three commands share it without importing each other); it
//! must never total runs (`crate::coverage` does).

use crate::coverage::Coverage;
use crate::reporter::{HarnessEvent, Reporter};
use std::path::Path;

/// Writes `--coverage FILE` when asked, reporting it; false when it could not be written.
pub fn write_coverage(
    path: Option<&Path>,
    coverage: &Coverage,
    reporter: &mut dyn Reporter,
) -> bool {
    let Some(path) = path else {
        return true;
    };
    match coverage.write(path) {
        Ok(()) => {
            reporter.event(&HarnessEvent::Wrote {
                path,
                what: "coverage of the probe catalogue",
            });
            true
        }
        Err(message) => {
            reporter.event(&HarnessEvent::Error { message: &message });
            false
        }
    }
}
