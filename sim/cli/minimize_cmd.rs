//! `rpsim minimize`: parses the request, runs the minimizer with assertion messages silenced
//! (candidates that panic are expected), prints the before/after sizes, the budget used and the
//! verification, and writes the result (and with `--promote` a copy under
//! `fixtures/regressions/`). Owns printing, file writing and exit codes (0 minimized, 1 nothing
//! reproduced, 2 bad input); it must never overwrite a file that exists.

use rpsim::minimize::probe::BudgetSpent;
use rpsim::minimize::signature::FailureSignature;
use rpsim::minimize::{minimize, MinimizeError, Request};
use rpsim::minimize_args::MinimizeArgs;
use rpsim_export::planted::PlantedBug;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Where `--promote` puts regression scenarios (relative to the current directory).
pub const REGRESSIONS_DIR: &str = "fixtures/regressions";

pub fn run(args: &MinimizeArgs) -> ExitCode {
    let request = match request(args) {
        Ok(request) => request,
        Err(message) => return exit(2, &message),
    };
    let outputs = match outputs(args, &request) {
        Ok(outputs) => outputs,
        Err(message) => return exit(2, &message),
    };
    println!(
        "minimize {} at seed {}{}",
        args.scenario.display(),
        args.seed,
        bug_note(request.bug)
    );
    let started = Instant::now();
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = minimize(&request);
    std::panic::set_hook(previous_hook);
    let elapsed = started.elapsed();
    let minimized = match result {
        Ok(minimized) => minimized,
        Err(error @ (MinimizeError::Invalid { .. } | MinimizeError::NoSuchCheck { .. })) => {
            return exit(2, &error.to_string())
        }
        Err(error) => return exit(1, &error.to_string()),
    };
    let r = minimized.recorded;
    println!(
        "  failing check: {}: {}",
        minimized.wanted, minimized.message
    );
    println!(
        "  derandomized: {} timeline entries ({} from the scenario, {} drawn faults, {} workload \
         writes; {} random fills made explicit), still failing the same way",
        minimized.before.events, r.original_entries, r.faults, r.writes, r.fills
    );
    println!("  before: {}", minimized.before);
    println!("  after:  {}", minimized.after);
    println!(
        "  {} candidate runs in {:.1} s",
        minimized.runs,
        elapsed.as_secs_f64()
    );
    match &minimized.spent {
        None => {}
        Some(BudgetSpent::Runs(n)) => println!(
            "  budget reached: {n} runs (--max-runs); the result is smaller but may not be \
             minimal"
        ),
        Some(BudgetSpent::Time(limit)) => println!(
            "  budget reached: {} s (--max-seconds); the result is smaller but may not be \
             minimal, and depends on this machine's speed",
            limit.as_secs()
        ),
    }
    let seeds: Vec<String> = std::iter::once("its own (none given)".to_string())
        .chain(minimized.also_at_seeds.iter().map(u64::to_string))
        .collect();
    println!(
        "  reproduces at seeds: {}{}",
        seeds.join(", "),
        if request.bug.is_some() {
            " (fails with the bug, passes without it)"
        } else {
            ""
        }
    );
    for path in &outputs {
        if let Err(message) = write_new(path, &minimized.yaml) {
            return exit(2, &message);
        }
        println!("  wrote {}", path.display());
    }
    ExitCode::SUCCESS
}

fn request(args: &MinimizeArgs) -> Result<Request, String> {
    let scenario = rpsim_scenario::load_scenario(&args.scenario)
        .map_err(|e| format!("{:?}", miette::Report::new(e)))?;
    let bug = match &args.plant_bug {
        None => None,
        Some(name) => Some(rpsim::plant_bug::compiled_in_bug(name)?),
    };
    let check = args
        .check
        .as_deref()
        .map(FailureSignature::parse)
        .transpose()?;
    if args.max_runs == 0 {
        return Err("--max-runs 0: give at least 1".to_string());
    }
    if let Some(name) = &args.name {
        let problem_free = !name.is_empty()
            && name.len() <= 100
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
        if !problem_free || name.starts_with('.') {
            return Err(format!(
                "--name {name:?}: use 1 to 100 of A-Z a-z 0-9 - _ . (not starting with `.`)"
            ));
        }
    }
    Ok(Request {
        file: args.scenario.clone(),
        scenario,
        seed: args.seed,
        bug,
        check,
        runs_max: args.max_runs,
        time_max: args.max_seconds.map(Duration::from_secs),
        name: args.name.clone(),
    })
}

/// The files to write, checked before any work: none may exist.
fn outputs(args: &MinimizeArgs, request: &Request) -> Result<Vec<PathBuf>, String> {
    let name = rpsim::minimize::result_name(request);
    let file_name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut paths = vec![args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{file_name}.yaml")))];
    if args.promote {
        let promoted = Path::new(REGRESSIONS_DIR).join(format!("{file_name}.yaml"));
        if !Path::new(REGRESSIONS_DIR).is_dir() {
            return Err(format!(
                "--promote: {REGRESSIONS_DIR}/ does not exist here; run from the rpsim checkout"
            ));
        }
        if paths[0] != promoted {
            paths.push(promoted);
        }
    }
    for path in &paths {
        if path.exists() {
            return Err(format!(
                "{} exists; choose another -o / --name or remove it (nothing is overwritten)",
                path.display()
            ));
        }
    }
    Ok(paths)
}

/// Writes `text` to a file that must not exist yet.
fn write_new(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn bug_note(bug: Option<PlantedBug>) -> String {
    bug.map(|b| format!(", planted bug `{}`", b.name()))
        .unwrap_or_default()
}

fn exit(code: u8, message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}
