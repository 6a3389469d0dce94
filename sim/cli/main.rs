//! `rpsim`: the command-line entry point. Parses the arguments, hands each subcommand to its
//! call into rpsim-harness with a reporter for people, and turns the outcome into the exit code
//! (0 all passed, 1 a check failed, 2 bad input or usage, 130 interrupted). It must never decide what passes.

mod commands;
mod interrupt;

use clap::Parser;
use rpsim_harness::reporter::{Fanout, HumanReporter, Reporter};
use rpsim_harness::Outcome;
use std::process::ExitCode;

/// See the `mimalloc` line of Cargo.toml: fewer page faults between runs, the same results.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Deterministic simulator and test harness for Hyper-V's collection reference point export job.
#[derive(Debug, Parser)]
#[command(name = "rpsim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Ok(exe) = std::env::current_exe() {
        let path = std::env::var_os("PATH");
        rpsim_harness::runner::program::set_from_exe(&exe, path.as_deref());
    }
    let mut reporter = Fanout::new().with(Box::new(HumanReporter::stdio()));
    let outcome = commands::dispatch(cli.command, &mut reporter);
    let outcome = match reporter.finish() {
        Ok(()) => outcome,
        Err(message) => {
            eprintln!("error: {}", rpsim_scenario::text::one_line(&message));
            outcome.worst(Outcome::BadInput)
        }
    };
    ExitCode::from(match outcome {
        Outcome::Passed => 0,
        Outcome::ChecksFailed => 1,
        Outcome::BadInput => 2,
        Outcome::Interrupted => 130,
    })
}
