//! `rpsim crashpoints`: enumerates the crash points of each scenario and reports its plan, each
//! point as it is tried (progress, and every violation as it is found) and the points tried. Owns that loop and its outcome (a violation is a failed check);
//! it must never print.

use crate::crashpoints::{run_crash_points_reporting, CrashPointProgress, CrashPointsOptions};
use crate::outcome::Outcome;
use crate::reporter::{HarnessEvent, Reporter};
use std::path::PathBuf;

/// Tries the crash points of every scenario of `paths` chosen by `options`.
pub fn crashpoints(
    paths: &[PathBuf],
    options: &CrashPointsOptions,
    reporter: &mut dyn Reporter,
) -> Outcome {
    let files = match crate::suite::discover(paths) {
        Ok(files) => files,
        Err(message) => {
            reporter.event(&HarnessEvent::Error { message: &message });
            return Outcome::BadInput;
        }
    };
    super::scratch_notice::announce(reporter);
    let (mut tried, mut violations, mut not_runnable) = (0u64, 0usize, 0usize);
    let mut interrupted = false;
    for file in &files {
        let mut progress = |step: CrashPointProgress<'_>| {
            reporter.event(&HarnessEvent::CrashPointProgress { step });
        };
        match run_crash_points_reporting(file, options, &mut progress) {
            Ok(summary) => {
                reporter.event(&HarnessEvent::CrashPoints {
                    summary: &summary,
                    points_max: options.points_max,
                });
                tried += summary.points_tried;
                violations += summary.violations.len();
                if summary.interrupted {
                    interrupted = true;
                    break;
                }
            }
            Err(failure) => {
                not_runnable += 1;
                reporter.event(&HarnessEvent::NotRunnable { failure: &failure });
            }
        }
    }
    reporter.event(&HarnessEvent::CrashPointsFinished {
        tried,
        violations,
        not_runnable,
    });
    if interrupted {
        Outcome::Interrupted
    } else if not_runnable > 0 {
        Outcome::BadInput
    } else {
        Outcome::checks(violations > 0)
    }
}
