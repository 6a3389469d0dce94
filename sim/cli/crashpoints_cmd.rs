//! `rpsim crashpoints`: enumerates the crash points of each scenario and prints the points
//! tried and every violation with the command that replays its scenario. Owns printing and the
//! exit code (0 none, 1 a violation, 2 bad input); it must never decide what passes.

use rpsim::crashpoints::{run_crash_points, CrashPointsOptions};
use rpsim::crashpoints_args::CrashpointsArgs;
use rpsim::runner::RunFailure;
use std::process::ExitCode;

/// Violations printed per scenario; the rest are counted.
const VIOLATIONS_PRINTED_MAX: usize = 20;

pub fn run(args: &CrashpointsArgs) -> ExitCode {
    let files = match rpsim::suite::discover(&args.scenarios) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let options = CrashPointsOptions {
        seed: args.seed,
        modes: args.mode.modes(),
        points_max: args.max_points,
        stride: args.stride,
    };
    let (mut tried, mut violations, mut bad_inputs) = (0u64, 0usize, 0usize);
    for file in &files {
        match run_crash_points(file, &options) {
            Ok(summary) => {
                let ops: Vec<String> = summary
                    .ops_per_export
                    .iter()
                    .map(|(name, ops)| format!("{name}={ops}"))
                    .collect();
                let verdict = if summary.violations.is_empty() {
                    "PASS"
                } else {
                    "FAIL"
                };
                println!(
                    "{verdict} {:<40} seed={:<6} ops=[{}] points={} violations={}",
                    summary.scenario,
                    summary.seed,
                    ops.join(","),
                    summary.points_tried,
                    summary.violations.len()
                );
                if summary.points_skipped > 0 {
                    println!(
                        "     {} more points not tried: the limit is {} per scenario (--max-points)",
                        summary.points_skipped, args.max_points
                    );
                }
                for v in summary.violations.iter().take(VIOLATIONS_PRINTED_MAX) {
                    println!(
                        "     export={} after_ops={} mode={:?}: {}",
                        v.export,
                        v.after_ops,
                        v.mode,
                        v.messages.join("; ")
                    );
                }
                tried += summary.points_tried;
                violations += summary.violations.len();
            }
            Err(RunFailure::Scenario(error)) => {
                bad_inputs += 1;
                eprintln!("{:?}", miette::Report::new(error));
            }
            Err(failure) => {
                bad_inputs += 1;
                eprintln!("error: {failure}");
            }
        }
    }
    println!("{tried} crash points tried, {violations} violations, {bad_inputs} not runnable");
    if bad_inputs > 0 {
        ExitCode::from(2)
    } else if violations > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
