//! The scenario suite as tests: each file in `scenarios/` is its own named test
//! (`scenario::<file stem>`), so `cargo test -- <name>` runs one and `--list` shows them all.
//! A test fails with every failed check and the command that reproduces it. Each scenario's
//! listing is compared with `fixtures/goldens/<scenario>.golden` (`RPSIM_BLESS=1` writes them,
//! never when `CI=true`; `RPSIM_BLESS=new` writes each differing listing as a pending
//! `<scenario>.golden.new` for `rpsim review`), and `goldens::no_stale_files` fails on goldens without a scenario.
//! Each minimized scenario in `fixtures/regressions/` (written by `rpsim minimize --promote`)
//! is a test `regression::<file stem>` that must pass: the bug it reproduces stays fixed.
//! `RPSIM_SEED=N` runs every scenario test with seed N instead of its own, `RPSIM_SEEDS=A..B`
//! makes one test per seed (`scenario::<stem>::seed=<S>`), as madsim's MADSIM_TEST_SEED does;
//! goldens are compared only at a scenario's own seed. A bad value is an error (exit 2).
//! Every scenario test runs twice, on the in-memory storage (the one compared with the golden)
//! and on the real file system, and fails unless both give the same trace hash, event count,
//! checks and golden listing: the two backends are one storage.

#[path = "support/scenario_tests.rs"]
mod scenario_tests;

use libtest_mimic::{Arguments, Failed, Trial};
use rpsim_checks::golden::{compare_golden, render_golden};
use rpsim_harness::runner::storage::Storage;
use rpsim_harness::runner::{run_scenario_file, RunOptions, ScenarioRun};
use rpsim_harness::suite::filter::test_seeds_from_env;
use rpsim_harness::suite::goldens::{self as golden_run, GoldenOptions};
use rpsim_harness::suite::{discover, scenario_stem};
use scenario_tests::scenario_tests;
use std::path::Path;

/// Minimized regression scenarios, relative to the repository root.
const REGRESSIONS_DIR: &str = "fixtures/regressions";

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let suite = root.join("scenarios");
    let files = discover(&[suite]).expect("the built-in suite exists");
    let mut golden = GoldenOptions::at_root(root, golden_run::bless_from_env());
    golden.pending = golden_run::pending_from_env();
    let refusal = golden_run::bless_refusal(golden.bless);
    let lookup = |name: &str| std::env::var(name).ok();
    let seeds = match test_seeds_from_env(&lookup, files.len()) {
        Ok(seeds) => seeds,
        Err(message) => {
            eprintln!("error: {}", rpsim_scenario::text::one_line(&message));
            std::process::exit(2);
        }
    };
    let mut trials: Vec<Trial> = scenario_tests(&files, seeds.as_deref())
        .into_iter()
        .map(|test| {
            let (golden, refusal) = (golden.clone(), refusal.clone());
            Trial::test(test.name, move || match refusal {
                Some(refusal) => Err(refusal.into()),
                None => run_one(&test.file, golden, test.seed),
            })
        })
        .collect();
    let regressions = root.join(REGRESSIONS_DIR);
    let regression_files = discover(&[regressions]).expect("fixtures/regressions/ exists");
    trials.extend(regression_files.into_iter().map(|file| {
        let name = format!("regression::{}", scenario_stem(&file));
        Trial::test(name, move || run_regression(&file))
    }));
    trials.push(Trial::test(
        "goldens::no_stale_files",
        move || match golden_run::stale_goldens(&golden) {
            Ok(stale) => golden_run::stale_message(&stale).map_or(Ok(()), |m| Err(m.into())),
            Err(message) => Err(message.into()),
        },
    ));
    libtest_mimic::run(&args, trials).exit();
}

/// A minimized regression scenario: it must load, say what it reproduces, and pass.
fn run_regression(file: &Path) -> Result<(), Failed> {
    let scenario = rpsim_scenario::load_scenario(file).map_err(|e| e.to_string())?;
    if scenario.regression.is_none() {
        return Err(format!(
            "{} has no `regression:` record; write regression scenarios with `rpsim minimize --promote`",
            file.display()
        )
        .into());
    }
    check_run(file, RunOptions::default()).map(drop)
}

fn run_one(file: &Path, golden: GoldenOptions, seed: Option<u64>) -> Result<(), Failed> {
    // The disk run compares with the golden the memory run compared with (or just blessed).
    let golden_disk = GoldenOptions {
        bless: false,
        pending: false,
        ..golden.clone()
    };
    let options = RunOptions {
        seed,
        golden: Some(golden),
        storage: Some(Storage::Memory),
        ..RunOptions::default()
    };
    let memory = check_run(file, options)?;
    // On disk, with the export directories kept so that their listing can be rendered after.
    let kept = tempfile::tempdir().map_err(|e| e.to_string())?;
    let options = RunOptions {
        seed,
        keep_exports: Some(kept.path().to_path_buf()),
        golden: Some(golden_disk),
        storage: Some(Storage::Disk),
        ..RunOptions::default()
    };
    let disk = run_scenario_file(file, &options).map_err(|e| e.to_string())?;
    backends_agree(&memory, &disk)
}

/// The same run on both backends: same trace, events, checks and listing.
fn backends_agree(memory: &ScenarioRun, disk: &ScenarioRun) -> Result<(), Failed> {
    assert_eq!(
        (memory.storage, disk.storage),
        (Storage::Memory, Storage::Disk)
    );
    let checks = |run: &ScenarioRun| {
        let failed: Vec<(String, Option<String>)> = run
            .checks
            .failures
            .iter()
            .map(|f| (f.check.clone(), f.export.clone()))
            .collect();
        (run.checks.passed, run.checks.restored_disks, failed)
    };
    let listing = |run: &ScenarioRun| render_golden(&run.name, run.seed, &run.outcome);
    let differences = [
        (
            "trace hash",
            memory.outcome.trace_hash != disk.outcome.trace_hash,
        ),
        (
            "event count",
            memory.outcome.event_count != disk.outcome.event_count,
        ),
        ("checks", checks(memory) != checks(disk)),
        ("golden listing", listing(memory) != listing(disk)),
    ];
    let differing: Vec<&str> = differences.iter().filter(|d| d.1).map(|d| d.0).collect();
    if differing.is_empty() {
        return Ok(());
    }
    let diff = compare_golden(&listing(disk), &listing(memory)).unwrap_or_default();
    Err(format!(
        "{}: the memory and disk storage backends differ in {} (checks {:?} vs {:?})\n{diff}",
        memory.name,
        differing.join(", "),
        checks(memory),
        checks(disk)
    )
    .into())
}

fn check_run(file: &Path, options: RunOptions) -> Result<ScenarioRun, Failed> {
    let run = run_scenario_file(file, &options).map_err(|e| e.to_string())?;
    if let Some(text) = golden_run::describe(&run.golden, false) {
        eprintln!("{}: {text}", run.name);
    }
    if run.passed() {
        return Ok(run);
    }
    let mut message = format!("{} check(s) failed:\n", run.checks.failures.len());
    for failure in &run.checks.failures {
        let export = failure.export.as_deref().unwrap_or("-");
        message += &format!("  {} [{export}]: {}\n", failure.check, failure.message);
    }
    message += &format!("reproduce: {}", run.repro_command());
    Err(message.into())
}
