//! `rpsim review`: shows each pending golden (`<scenario>.golden.new`) as a diff against its
//! golden, and accepts or rejects it: all or the named ones with `Accept`/`Reject`, one by one
//! with `Ask` (the caller asks a person), or only shows them. Owns the selection, the order and
//! the outcome (a failed check while pending changes are left, bad input for unknown names or
//! accepting in CI); it must never print and never accept without being told to.

use crate::outcome::Outcome;
use crate::reporter::{HarnessEvent, Reporter};
use crate::suite::review::{self, PendingGolden};
use std::path::PathBuf;

/// What to do with each selected pending golden.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReviewAction {
    /// Show the diffs only.
    #[default]
    Show,
    Accept,
    Reject,
    /// Show each and let the caller's `ask` decide.
    Ask,
}

/// A decision of the caller's `ask`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Reject,
    Skip,
}

/// What `rpsim review` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct ReviewRequest {
    /// The goldens directory (`fixtures/goldens`).
    pub dir: PathBuf,
    /// Scenario names to review (empty: every pending golden, which `Accept`/`Reject` only
    /// take with `all`).
    pub names: Vec<String>,
    pub all: bool,
    pub action: ReviewAction,
}

/// Reviews the pending goldens of `request`; `ask` decides for `ReviewAction::Ask`.
pub fn review(
    request: &ReviewRequest,
    ask: &mut dyn FnMut(&PendingGolden) -> Decision,
    reporter: &mut dyn Reporter,
) -> Outcome {
    let bad_input = |reporter: &mut dyn Reporter, message: &str| {
        reporter.event(&HarnessEvent::Error { message });
        Outcome::BadInput
    };
    let sweeping = matches!(request.action, ReviewAction::Accept | ReviewAction::Reject);
    if sweeping && request.names.is_empty() && !request.all {
        return bad_input(
            reporter,
            "--accept and --reject need the scenario names to act on, or --all",
        );
    }
    let accepting = matches!(request.action, ReviewAction::Accept | ReviewAction::Ask);
    if let Some(refusal) = crate::suite::goldens::bless_refusal(accepting) {
        return bad_input(reporter, &refusal);
    }
    let pending = match review::pending_goldens(&request.dir) {
        Ok(pending) => pending,
        Err(message) => return bad_input(reporter, &message),
    };
    let unknown: Vec<&str> = request
        .names
        .iter()
        .filter(|n| !pending.iter().any(|p| &p.scenario == *n))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        let message = format!(
            "no pending golden for {} in {} (pending: {})",
            unknown.join(", "),
            request.dir.display(),
            names_or_none(&pending)
        );
        return bad_input(reporter, &message);
    }
    let selected: Vec<&PendingGolden> = pending
        .iter()
        .filter(|p| request.names.is_empty() || request.names.contains(&p.scenario))
        .collect();
    let mut tally = [0usize; 3];
    for item in &selected {
        let diff = match review::review_diff(item) {
            Ok(diff) => diff,
            Err(message) => return bad_input(reporter, &message),
        };
        reporter.event(&HarnessEvent::GoldenPending {
            pending: item,
            diff: &diff,
        });
        let decision = match request.action {
            ReviewAction::Show => Decision::Skip,
            ReviewAction::Accept => Decision::Accept,
            ReviewAction::Reject => Decision::Reject,
            ReviewAction::Ask => ask(item),
        };
        let done = match decision {
            Decision::Accept => review::accept(item),
            Decision::Reject => review::reject(item),
            Decision::Skip => Ok(()),
        };
        if let Err(message) = done {
            return bad_input(reporter, &message);
        }
        tally[decision as usize] += 1;
        if decision != Decision::Skip {
            reporter.event(&HarnessEvent::GoldenReviewed {
                pending: item,
                accepted: decision == Decision::Accept,
            });
        }
    }
    let [accepted, rejected, left] = tally;
    reporter.event(&HarnessEvent::ReviewFinished {
        accepted,
        rejected,
        left,
    });
    Outcome::checks(left > 0)
}

fn names_or_none(pending: &[PendingGolden]) -> String {
    if pending.is_empty() {
        return "none".to_string();
    }
    let names: Vec<&str> = pending.iter().map(|p| p.scenario.as_str()).collect();
    names.join(", ")
}
