//! `rpsim`: the command-line entry point. Owns printing and exit codes (0 all passed, 1 a check
//! failed, 2 bad input or usage); it must never decide what passes.

mod bench_cmd;
mod cmd_sweep;
mod crashpoints_cmd;
mod minimize_cmd;

use clap::Parser;
use rpsim::args::{Cli, Command, RestoreArgs, RunArgs};
use rpsim::guarded_run::{guarded, Guarded};
use rpsim::runner::{run_scenario_file, RunFailure, RunOptions, ScenarioRun};
use rpsim::{report_json, suite};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const EXIT_CHECK_FAILED: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_BAD_INPUT } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Run(args) => {
            match rpsim::plant_bug::with_planted_bug(args.plant_bug.as_deref(), || run(&args)) {
                Ok(code) => code,
                Err(message) => bad_input(&message),
            }
        }
        Command::Validate { scenarios } => validate(&scenarios),
        Command::Restore(args) => restore(&args),
        Command::Verify { export_dir } => verify(&export_dir),
        Command::Bench(args) => bench_cmd::run(&args),
        Command::Sweep(args) => cmd_sweep::sweep(&args),
        Command::Repro(args) => cmd_sweep::repro(&args),
        Command::Crashpoints(args) => crashpoints_cmd::run(&args),
        Command::Minimize(args) => minimize_cmd::run(&args),
    }
}

fn run(args: &RunArgs) -> ExitCode {
    let files = match suite::discover(&args.scenarios) {
        Ok(files) => files,
        Err(message) => return bad_input(&message),
    };
    let golden = match rpsim::golden_run::options_for_cli(args.bless) {
        Ok(golden) => golden,
        Err(message) => return bad_input(&message),
    };
    let options = RunOptions {
        seed: args.seed,
        keep_trace: args.trace.is_some() || args.check_determinism,
        keep_exports: args.keep_exports.clone(),
        golden: Some(golden.clone()),
    };
    let mut runs: Vec<ScenarioRun> = Vec::new();
    let mut bad_inputs = 0usize;
    // Runs a live invariant stopped: failed, with no run to report.
    let mut stopped_by_check = 0usize;
    let repro_flags = format!(
        "{}{}",
        args.seed
            .map(|s| format!(" --seed {s}"))
            .unwrap_or_default(),
        args.plant_bug
            .as_deref()
            .map(|b| format!(" --plant-bug {b}"))
            .unwrap_or_default()
    );
    for file in &files {
        // An assertion of the export job (or a check) that fires fails this scenario only.
        // The bug (if any) is planted around the whole command; nothing to plant here.
        let result = match guarded(None, || run_scenario_file(file, &options)) {
            Guarded::Returned(result) => result,
            Guarded::NoPlantedBugs => unreachable!("no bug is asked for"),
            Guarded::Panicked(message) => {
                stopped_by_check += 1;
                println!("FAIL {}: assertion fired: {message}", file.display());
                println!("    reproduce: rpsim run {}{repro_flags}", file.display());
                continue;
            }
        };
        match result {
            Ok(mut run) => {
                if args.check_determinism {
                    rpsim::determinism::check_again(&mut run, &options);
                }
                print_run(&run, args.quiet, args.plant_bug.as_deref());
                let colour = rpsim::golden_run::colour_for_stdout();
                if let Some(text) = rpsim::golden_run::describe(&run.golden, colour) {
                    if !args.quiet || args.bless {
                        println!("{text}");
                    }
                }
                if let Some(trace) = &args.trace {
                    if let Err(message) = write_trace(trace, &run, files.len() > 1) {
                        return bad_input(&message);
                    }
                }
                runs.push(run);
            }
            Err(RunFailure::Scenario(error)) => {
                bad_inputs += 1;
                eprintln!("{:?}", miette::Report::new(error));
            }
            Err(failure) if failure.is_check_failure() => {
                stopped_by_check += 1;
                println!("FAIL {failure}");
                println!("    reproduce: rpsim run {}{repro_flags}", file.display());
            }
            Err(failure) => {
                bad_inputs += 1;
                eprintln!("error: {failure}");
            }
        }
    }
    if let Some(path) = &args.report_json {
        let report = report_json::build(&runs);
        let text = serde_json::to_string_pretty(&report).expect("report serialises");
        if let Err(e) = std::fs::write(path, text + "\n") {
            return bad_input(&format!("cannot write {}: {e}", path.display()));
        }
    }
    let (junit, summary) = (args.junit.as_deref(), args.summary.as_deref());
    if let Err(message) = cmd_sweep::write_run_reports(&runs, junit, summary) {
        return bad_input(&message);
    }
    let stale = rpsim::golden_run::stale_failure_for_cli(&args.scenarios, &golden);
    if let Some(message) = &stale {
        println!("FAIL goldens: {message}");
    }
    let failed_runs = runs.iter().filter(|r| !r.passed()).count() + stopped_by_check;
    let passed = runs.len() + stopped_by_check - failed_runs;
    let failed = failed_runs + usize::from(stale.is_some());
    println!("{passed} passed, {failed} failed, {bad_inputs} not runnable");
    if bad_inputs > 0 {
        ExitCode::from(EXIT_BAD_INPUT)
    } else if failed > 0 {
        ExitCode::from(EXIT_CHECK_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_run(run: &ScenarioRun, quiet: bool, plant_bug: Option<&str>) {
    let verdict = if run.passed() { "PASS" } else { "FAIL" };
    if quiet && run.passed() {
        return;
    }
    let exports = &run.outcome.exports;
    let completed = exports
        .iter()
        .filter(|e| {
            e.final_properties
                .as_ref()
                .is_some_and(|p| p.job_state == 7)
        })
        .count();
    println!(
        "{verdict} {:<34} seed={:<6} events={:<7} sim={:>9.3}s exports={}/{} completed restored_disks={} checks={} trace={}",
        run.name,
        run.seed,
        run.outcome.event_count,
        run.outcome.end_time_ns as f64 / 1e9,
        completed,
        exports.len(),
        run.checks.restored_disks,
        run.checks.passed + run.checks.failures.len() as u64,
        &run.outcome.trace_hash[..run.outcome.trace_hash.len().min(16)],
    );
    for failure in &run.checks.failures {
        let export = failure
            .export
            .as_deref()
            .map(|e| format!(" [{e}]"))
            .unwrap_or_default();
        println!("    {}{export}: {}", failure.check, failure.message);
    }
    if !run.passed() {
        let plant = plant_bug
            .map(|b| format!(" --plant-bug {b}"))
            .unwrap_or_default();
        println!("    reproduce: {}{plant}", run.repro_command());
    }
}

fn write_trace(path: &Path, run: &ScenarioRun, several: bool) -> Result<(), String> {
    let target: PathBuf = if several {
        PathBuf::from(format!("{}.{}.jsonl", path.display(), run.name))
    } else {
        path.to_path_buf()
    };
    rpsim_world::trace::write_json_lines(&run.outcome.trace, &target)
        .map_err(|e| format!("cannot write trace {}: {e}", target.display()))
}

fn validate(paths: &[PathBuf]) -> ExitCode {
    let files = match suite::discover(paths) {
        Ok(files) => files,
        Err(message) => return bad_input(&message),
    };
    let mut bad = 0;
    for file in &files {
        match rpsim_scenario::load_scenario(file) {
            Ok(scenario) => println!("ok   {} ({})", file.display(), scenario.name),
            Err(error) => {
                bad += 1;
                eprintln!("{:?}", miette::Report::new(error));
            }
        }
    }
    println!("{} valid, {bad} invalid", files.len() - bad);
    if bad > 0 {
        ExitCode::from(EXIT_BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}

fn restore(args: &RestoreArgs) -> ExitCode {
    match rpsim_restore::restore_chain(&args.exports, &args.out) {
        Ok(summary) => {
            for disk in &summary.disks {
                println!(
                    "{}  {}  virtual_size={} logs={} bytes_written={}",
                    disk.image_path.display(),
                    disk.disk_instance_id,
                    disk.virtual_size_bytes,
                    disk.logs_applied,
                    disk.bytes_written
                );
            }
            println!("restored {} disk image(s)", summary.disks.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_CHECK_FAILED)
        }
    }
}

fn verify(dir: &Path) -> ExitCode {
    match rpsim_restore::verify_export(dir) {
        Ok(manifest) => {
            println!(
                "{}: complete export of reference point {} ({} files)",
                dir.display(),
                manifest.reference_point,
                manifest.files.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_CHECK_FAILED)
        }
    }
}

fn bad_input(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_BAD_INPUT)
}
