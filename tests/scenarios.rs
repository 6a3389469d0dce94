//! The scenario suite as tests: each file in `scenarios/` is its own named test
//! (`scenario::<file stem>`), so `cargo test -- <name>` runs one and `--list` shows them all.
//! A test fails with every failed check and the command that reproduces it.

use libtest_mimic::{Arguments, Failed, Trial};
use rpsim::runner::{run_scenario_file, RunOptions};
use rpsim::suite::{discover, scenario_stem};
use std::path::Path;

fn main() {
    let args = Arguments::from_args();
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let files = discover(&[suite]).expect("the built-in suite exists");
    let trials = files
        .into_iter()
        .map(|file| {
            let name = format!("scenario::{}", scenario_stem(&file));
            Trial::test(name, move || run_one(&file))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn run_one(file: &Path) -> Result<(), Failed> {
    let run = run_scenario_file(file, &RunOptions::default()).map_err(|e| e.to_string())?;
    if run.passed() {
        return Ok(());
    }
    let mut message = format!("{} check(s) failed:\n", run.checks.failures.len());
    for failure in &run.checks.failures {
        let export = failure.export.as_deref().unwrap_or("-");
        message += &format!("  {} [{export}]: {}\n", failure.check, failure.message);
    }
    message += &format!("reproduce: {}", run.repro_command());
    Err(message.into())
}
