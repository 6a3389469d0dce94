//! `rpsim minimize`: checks the request and the files it will write (none may exist), runs the
//! minimizer with assertion messages silenced (candidates that panic are expected), reports
//! the sizes and the budget, and writes the result (with `promote`, also under
//! `fixtures/regressions/`). Owns those steps and their outcome; it must never overwrite a
//! file, and never print.

use crate::minimize::signature::FailureSignature;
use crate::minimize::{minimize, MinimizeError, Request};
use crate::outcome::Outcome;
use crate::reporter::{HarnessEvent, Reporter};
use crate::runner::planted_bug::compiled_in_bug;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where `promote` puts regression scenarios (relative to the current directory).
pub const REGRESSIONS_DIR: &str = "fixtures/regressions";
/// Longest `--name`.
pub const NAME_BYTES_MAX: usize = 100;

/// What `rpsim minimize` was asked to do, as given.
#[derive(Clone, Debug, Default)]
pub struct MinimizeRequest {
    pub scenario: PathBuf,
    pub seed: u64,
    pub output: Option<PathBuf>,
    /// `CHECK[@EXPORT]`.
    pub check: Option<String>,
    pub plant_bug: Option<String>,
    pub max_runs: u64,
    pub max_seconds: Option<u64>,
    pub name: Option<String>,
    pub promote: bool,
    /// Set by the caller's signal handler: stop and write the smallest scenario so far.
    pub interrupt: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

/// Minimizes, reporting to `reporter`: passed when minimized, a failed check when nothing
/// reproduced, bad input for a bad request or an output that exists.
pub fn run(request: &MinimizeRequest, reporter: &mut dyn Reporter) -> Outcome {
    let error = |reporter: &mut dyn Reporter, outcome: Outcome, message: &str| {
        reporter.event(&HarnessEvent::Error { message });
        outcome
    };
    let search = match search_request(request) {
        Ok(search) => search,
        Err(message) => return error(reporter, Outcome::BadInput, &message),
    };
    let outputs = match outputs(request, &search) {
        Ok(outputs) => outputs,
        Err(message) => return error(reporter, Outcome::BadInput, &message),
    };
    reporter.event(&HarnessEvent::MinimizeStarted {
        file: &request.scenario,
        seed: request.seed,
        bug: search.bug,
    });
    // Wall clock: only for the elapsed figure reported, and the optional time budget.
    let started = Instant::now();
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = minimize(&search);
    std::panic::set_hook(previous_hook);
    let minimized = match result {
        Ok(minimized) => minimized,
        Err(e @ (MinimizeError::Invalid { .. } | MinimizeError::NoSuchCheck { .. })) => {
            return error(reporter, Outcome::BadInput, &e.to_string())
        }
        Err(e) => return error(reporter, Outcome::ChecksFailed, &e.to_string()),
    };
    reporter.event(&HarnessEvent::Minimized {
        minimized: &minimized,
        elapsed_s: started.elapsed().as_secs_f64(),
        spent: minimized.spent.as_ref(),
        with_bug: search.bug.is_some(),
    });
    for path in &outputs {
        if let Err(message) = write_new(path, &minimized.yaml) {
            return error(reporter, Outcome::BadInput, &message);
        }
        reporter.event(&HarnessEvent::Wrote {
            path,
            what: "minimized scenario",
        });
    }
    if minimized.spent == Some(crate::minimize::probe::BudgetSpent::Interrupted) {
        return Outcome::Interrupted;
    }
    Outcome::Passed
}

fn search_request(request: &MinimizeRequest) -> Result<Request, String> {
    let scenario = rpsim_scenario::load_scenario(&request.scenario)
        .map_err(|e| crate::reporter::human::render_scenario_error(&e))?;
    let bug = request
        .plant_bug
        .as_deref()
        .map(compiled_in_bug)
        .transpose()?;
    let check = request
        .check
        .as_deref()
        .map(FailureSignature::parse)
        .transpose()?;
    if request.max_runs == 0 {
        return Err("--max-runs 0: give at least 1".to_string());
    }
    if let Some(name) = &request.name {
        check_name(name)?;
    }
    Ok(Request {
        file: request.scenario.clone(),
        scenario,
        seed: request.seed,
        bug,
        check,
        runs_max: request.max_runs,
        time_max: request.max_seconds.map(Duration::from_secs),
        interrupt: request.interrupt.clone(),
        name: request.name.clone(),
    })
}

fn check_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    let ok = !name.is_empty() && name.len() <= NAME_BYTES_MAX && name.chars().all(allowed);
    if !ok || name.starts_with('.') {
        return Err(format!(
            "--name {name:?}: use 1 to {NAME_BYTES_MAX} of A-Z a-z 0-9 - _ . (not starting with `.`)"
        ));
    }
    Ok(())
}

/// The files to write, checked before any work: none may exist.
fn outputs(request: &MinimizeRequest, search: &Request) -> Result<Vec<PathBuf>, String> {
    let name = crate::minimize::result_name(search);
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
    let default_output = || PathBuf::from(format!("{file_name}.yaml"));
    let mut paths = vec![request.output.clone().unwrap_or_else(default_output)];
    if request.promote {
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
