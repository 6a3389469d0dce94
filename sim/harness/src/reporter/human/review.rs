//! Human lines for `rpsim review`: each pending golden with its diff (coloured on a terminal,
//! plain when piped or with NO_COLOR), what was accepted or rejected, and the closing counts
//! with the commands that finish the review. Owns those formats; it must never decide.

use super::reporter::HumanReporter;
use crate::reporter::events::HarnessEvent;
use rpsim_scenario::text::{block, one_line};

/// Renders `event` when it is one of `rpsim review`'s; true when it was.
pub(super) fn render(r: &mut HumanReporter, event: &HarnessEvent<'_>) -> bool {
    match event {
        HarnessEvent::GoldenPending { pending, diff } => {
            let what = if pending.golden.is_file() {
                "changed"
            } else {
                "new golden"
            };
            r.say(&one_line(&format!(
                "pending {} ({what}): {}",
                pending.scenario,
                pending.pending.display()
            )));
            let diff = block(diff);
            let diff = if r.colour {
                rpsim_checks::golden::colour_diff(&diff)
            } else {
                diff.into_owned()
            };
            r.say(diff.trim_end_matches('\n'));
        }
        HarnessEvent::GoldenReviewed { pending, accepted } => {
            let line = if *accepted {
                format!(
                    "accepted {}: {}",
                    pending.scenario,
                    pending.golden.display()
                )
            } else {
                format!(
                    "rejected {}: removed {}",
                    pending.scenario,
                    pending.pending.display()
                )
            };
            r.say(&one_line(&line));
        }
        HarnessEvent::ReviewFinished {
            accepted,
            rejected,
            left,
        } => {
            r.say(&format!(
                "review: {accepted} accepted, {rejected} rejected, {left} pending"
            ));
            if *left > 0 {
                r.say(
                    "accept with `rpsim review --accept --all` (or name the scenarios), reject \
                     with `rpsim review --reject --all`",
                );
            }
        }
        _ => return false,
    }
    true
}
