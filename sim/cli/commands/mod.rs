//! The subcommands: one file each, holding its clap arguments and the call into the harness.
//! Owns the list of subcommands and the dispatch; it must never hold logic a test would want.

mod bench;
mod coverage;
mod crashpoints;
mod merge;
mod minimize;
mod restore;
mod review;
mod run;
mod serve;
mod storage;
mod sweep;
mod validate;
mod verify;

use rpsim_harness::reporter::Fanout;
use rpsim_harness::Outcome;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run scenarios (default: every `*.yaml` directly inside `scenarios/`) and check them.
    Run(run::RunArgs),
    /// Load and validate scenario files without running them.
    Validate(validate::ValidateArgs),
    /// Rebuild disk images from a full export and its chain of differentials.
    Restore(restore::RestoreArgs),
    /// Verify that a directory holds a complete export (manifest, sizes, checksums, logs).
    Verify(verify::VerifyArgs),
    /// Measure export throughput against machine baselines; save and compare records.
    Bench(bench::BenchArgs),
    /// Run scenarios with every seed of a range, in parallel; save a record per failure.
    Sweep(sweep::SweepArgs),
    /// Merge the result files of a sweep's shards into one report; refuses missing shards,
    /// overlapping seeds and shards made by different binaries.
    Merge(merge::MergeArgs),
    /// Print which coverage probes a set of runs reached (the suite at its own seeds, over
    /// --seeds, or from sweep result files); exit 1 when a required probe is never hit.
    Coverage(coverage::CoverageArgs),
    /// Show pending goldens (`<scenario>.golden.new`, written when a run differs from its
    /// golden) as diffs, and accept or reject them.
    Review(review::ReviewArgs),
    /// Replay a failure record; exit 0 when the same checks fail with the same trace hash.
    Repro(sweep::ReproArgs),
    /// Stop each export job after each of its target operations (crash, kill, terminate) and
    /// check that what is left is a complete export that restores, or nothing a reader accepts.
    Crashpoints(crashpoints::CrashpointsArgs),
    /// Turn a failing seed into a small scenario with no randomness that fails the same way.
    Minimize(minimize::MinimizeArgs),
    /// Serve a client session over stdin/stdout (JSON lines, PROTOCOL.md): the scenario's
    /// world, driven by the client's WMI calls, with sim time moved only by Wait.
    Serve(serve::ServeArgs),
    /// Convert a session transcript into a scenario whose timeline holds the client's calls.
    FromTranscript(serve::FromTranscriptArgs),
}

/// Runs `command`; `reporter` already holds the human reporter (file reporters are added here).
pub fn dispatch(command: Command, reporter: &mut Fanout) -> Outcome {
    let storage = match &command {
        Command::Run(args) => Some(&args.storage),
        Command::Sweep(args) => Some(&args.storage),
        Command::Coverage(args) => Some(&args.storage),
        Command::Crashpoints(args) => Some(&args.storage),
        Command::Minimize(args) => Some(&args.storage),
        _ => None,
    };
    if let Some(Err(outcome)) = storage.map(|s| s.apply(reporter)) {
        return outcome;
    }
    match command {
        Command::Run(args) => run::call(args, reporter),
        Command::Validate(args) => validate::call(&args, reporter),
        Command::Restore(args) => restore::call(&args, reporter),
        Command::Verify(args) => verify::call(&args, reporter),
        Command::Bench(args) => bench::call(args, reporter),
        Command::Sweep(args) => sweep::call(args, reporter),
        Command::Merge(args) => merge::call(args, reporter),
        Command::Review(args) => review::call(args, reporter),
        Command::Coverage(args) => coverage::call(args, reporter),
        Command::Repro(args) => sweep::call_repro(&args, reporter),
        Command::Crashpoints(args) => crashpoints::call(&args, reporter),
        Command::Minimize(args) => minimize::call(args, reporter),
        Command::Serve(args) => serve::call(args, reporter),
        Command::FromTranscript(args) => serve::call_from_transcript(&args, reporter),
    }
}
