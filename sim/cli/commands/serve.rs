//! `rpsim serve` and `rpsim from-transcript`: their arguments and the calls into
//! `rpsim_harness::serve`. Stdout carries the protocol, so this command's messages for people
//! go to stderr.

use rpsim_harness::reporter::{Fanout, HumanReporter};
use rpsim_harness::serve::{serve, ServeRequest};
use rpsim_harness::Outcome;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The scenario that gives the world (its timeline may be empty).
    pub scenario: PathBuf,
    /// Seed; overrides the scenario's own `seed`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Where to write the session transcript (default:
    /// `reports/sessions/<scenario>-seed<S>.jsonl`, or the first free `-2`, `-3`, ... name). An existing file is never overwritten.
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,
    /// Keep the export directories under `DIR/<scenario>/` instead of a temporary directory.
    #[arg(long, value_name = "DIR")]
    pub keep_exports: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct FromTranscriptArgs {
    /// A transcript written by `rpsim serve`.
    pub transcript: PathBuf,
    /// Write the scenario here (never over an existing file) instead of to stdout.
    #[arg(short, long, value_name = "OUT.yaml")]
    pub out: Option<PathBuf>,
}

pub fn call(args: ServeArgs, _reporter: &mut Fanout) -> Outcome {
    let request = ServeRequest {
        scenario: args.scenario,
        seed: args.seed,
        transcript: args.transcript,
        keep_exports: args.keep_exports,
    };
    let mut people = HumanReporter::new(
        Box::new(std::io::stderr()),
        Box::new(std::io::stderr()),
        false,
        false,
    );
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut output = std::io::stdout().lock();
    serve(&request, &mut input, &mut output, &mut people)
}

pub fn call_from_transcript(args: &FromTranscriptArgs, reporter: &mut Fanout) -> Outcome {
    rpsim_harness::serve::transcript::from_transcript(
        &args.transcript,
        args.out.as_deref(),
        reporter,
    )
}
