//! `rpsim review`: its arguments, the question asked on a terminal, and the call into
//! `rpsim_harness::commands::review`.

use rpsim_harness::commands::review::{review, Decision, ReviewAction, ReviewRequest};
use rpsim_harness::reporter::Fanout;
use rpsim_harness::suite::goldens::GOLDEN_DIR_DEFAULT;
use rpsim_harness::suite::review::PendingGolden;
use rpsim_harness::Outcome;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// Scenario names whose pending goldens to review (default: every pending golden).
    pub names: Vec<String>,
    /// Accept: each pending `<scenario>.golden.new` replaces its golden (refused when CI=true).
    #[arg(long, conflicts_with = "reject")]
    pub accept: bool,
    /// Reject: each pending `<scenario>.golden.new` is removed; the golden stays.
    #[arg(long)]
    pub reject: bool,
    /// With --accept or --reject: act on every pending golden.
    #[arg(long)]
    pub all: bool,
    /// The goldens directory.
    #[arg(long, value_name = "DIR", default_value = GOLDEN_DIR_DEFAULT)]
    pub dir: PathBuf,
}

pub fn call(args: ReviewArgs, reporter: &mut Fanout) -> Outcome {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let action = match (args.accept, args.reject) {
        (true, _) => ReviewAction::Accept,
        (_, true) => ReviewAction::Reject,
        _ if interactive => ReviewAction::Ask,
        _ => ReviewAction::Show,
    };
    let request = ReviewRequest {
        dir: args.dir,
        names: args.names,
        all: args.all,
        action,
    };
    review(&request, &mut ask, reporter)
}

/// Asks on the terminal: `a` accept, `r` reject, anything else (or end of input) skips.
fn ask(pending: &PendingGolden) -> Decision {
    let name = rpsim_scenario::text::one_line(&pending.scenario);
    eprint!("{name}: [a]ccept, [r]eject, [s]kip? ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return Decision::Skip;
    }
    match answer.trim() {
        "a" | "accept" => Decision::Accept,
        "r" | "reject" => Decision::Reject,
        _ => Decision::Skip,
    }
}
