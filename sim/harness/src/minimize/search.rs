//! `rpsim minimize`: from a scenario and a seed at which it fails, an equivalent scenario with
//! no randomness (every drawn decision written out as a timeline entry) that fails the same
//! way, then shrunk by delta debugging while the same check keeps failing (and, with a planted
//! bug, while it keeps passing without the bug). Owns the order of those stages and the final
//! verification; it must never print, and the same input always gives the same output (the
//! only machine-dependent input is an optional wall-time budget).

use super::derandomize::Recorded;
use super::probe::{BudgetSpent, Probe};
use super::signature::{FailureSignature, Verdict};
use super::size::ScenarioSize;
use rpsim_export::planted::PlantedBug;
use rpsim_scenario::model::{Regression, Scenario};
use std::path::PathBuf;
use std::time::Duration;

/// Default budget of candidate runs.
pub const RUNS_MAX_DEFAULT: u64 = 3000;
/// Seeds the minimized scenario is also tried at, to show it no longer depends on one.
pub const VERIFY_SEEDS: [u64; 2] = [1, 2];

/// What to minimize.
#[derive(Clone, Debug)]
pub struct Request {
    /// The scenario file as the user named it (recorded in the result's origin).
    pub file: PathBuf,
    pub scenario: Scenario,
    pub seed: u64,
    pub bug: Option<PlantedBug>,
    /// Which failing check to keep; default: the run's first failure.
    pub check: Option<FailureSignature>,
    pub runs_max: u64,
    pub time_max: Option<Duration>,
    /// Set by a signal handler: stop and keep the smallest scenario found so far.
    pub interrupt: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Name of the minimized scenario; default derived from the original and the seed.
    pub name: Option<String>,
}

/// The result of a minimization.
#[derive(Clone, Debug)]
pub struct Minimized {
    pub wanted: FailureSignature,
    /// The first message line of the wanted failure in the original run.
    pub message: String,
    pub recorded: Recorded,
    /// The derandomized scenario's size: what shrinking started from.
    pub before: ScenarioSize,
    pub after: ScenarioSize,
    pub scenario: Scenario,
    /// The file text: a comment header naming the check, then the scenario.
    pub yaml: String,
    pub runs: u64,
    pub spent: Option<BudgetSpent>,
    /// Seeds (besides the default) at which the result also reproduces.
    pub also_at_seeds: Vec<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum MinimizeError {
    #[error("{file} passes at seed {seed}{with}: there is no failure to minimize")]
    Passes {
        file: String,
        seed: u64,
        with: String,
    },
    #[error("{file} is not runnable: {message}")]
    Invalid { file: String, message: String },
    #[error("no failing check matches --check {wanted}; the run failed: {found}")]
    NoSuchCheck { wanted: String, found: String },
    #[error(
        "{file} fails with check {wanted} at seed {seed} without the planted bug too; the bug is \
         not what fails it (minimize without --plant-bug)"
    )]
    FailsWithoutBug {
        file: String,
        seed: u64,
        wanted: FailureSignature,
    },
    #[error(
        "the scenario with every random decision written out no longer fails with check \
         {wanted} ({verdict}); this is a defect of rpsim minimize, please report it with the \
         scenario and seed"
    )]
    NotReproduced {
        wanted: FailureSignature,
        verdict: String,
    },
}

/// Minimizes `request`.
pub fn minimize(request: &Request) -> Result<Minimized, MinimizeError> {
    let file = request.file.display().to_string();
    let mut decisions = Vec::new();
    let original = super::probe::run_once(
        &request.file,
        &request.scenario,
        Some(request.seed),
        request.bug,
        Some(&mut decisions),
    );
    let (wanted, message) = choose_failure(request, &original)?;
    if request.bug.is_some() {
        let without = super::probe::run_once(
            &request.file,
            &request.scenario,
            Some(request.seed),
            None,
            None,
        );
        if without.fails_with(&wanted) {
            return Err(MinimizeError::FailsWithoutBug {
                file,
                seed: request.seed,
                wanted,
            });
        }
    }
    let (mut explicit, recorded) =
        super::derandomize::derandomize(&request.scenario, request.seed, &decisions).map_err(
            |message| MinimizeError::Invalid {
                file: file.clone(),
                message,
            },
        )?;
    label(&mut explicit, request, &wanted);
    let before = super::size::measure(&explicit);
    let mut probe = Probe::new(
        request.file.clone(),
        request.bug,
        wanted.clone(),
        request.runs_max,
        request.time_max,
        request.interrupt.clone(),
    );
    if !probe.reproduces(&explicit) {
        let verdict = super::probe::run_once(&request.file, &explicit, None, request.bug, None);
        return Err(MinimizeError::NotReproduced {
            wanted,
            verdict: describe(&verdict),
        });
    }
    let minimized = super::shrink::shrink(explicit, &mut probe);
    assert!(
        probe.reproduces(&minimized) || probe.spent().is_some(),
        "shrinking keeps only reproducing candidates"
    );
    let after = super::size::measure(&minimized);
    let interrupted = probe.spent() == Some(&BudgetSpent::Interrupted);
    let also_at_seeds = VERIFY_SEEDS
        .iter()
        .copied()
        .filter(|&seed| !interrupted && reproduces_at(request, &minimized, seed, &wanted))
        .collect();
    let yaml = render(request, &minimized, &wanted, before, after);
    Ok(Minimized {
        wanted,
        message,
        recorded,
        before,
        after,
        scenario: minimized,
        yaml,
        runs: probe.runs(),
        spent: probe.spent().cloned(),
        also_at_seeds,
    })
}

/// The failure to keep: the one `--check` selects, else the first.
fn choose_failure(
    request: &Request,
    verdict: &Verdict,
) -> Result<(FailureSignature, String), MinimizeError> {
    let file = request.file.display().to_string();
    let failures = match verdict {
        Verdict::Passed => {
            return Err(MinimizeError::Passes {
                file,
                seed: request.seed,
                with: request
                    .bug
                    .map(|b| format!(" with planted bug `{}`", b.name()))
                    .unwrap_or_default(),
            })
        }
        Verdict::Invalid(message) => {
            return Err(MinimizeError::Invalid {
                file,
                message: message.clone(),
            })
        }
        Verdict::Failed(failures) => failures,
    };
    let chosen = match &request.check {
        None => failures.first(),
        Some(wanted) => failures.iter().find(|(s, _)| wanted.selects(s)),
    };
    let Some((signature, message)) = chosen else {
        return Err(MinimizeError::NoSuchCheck {
            wanted: request
                .check
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            found: describe(verdict),
        });
    };
    assert!(!signature.check.is_empty());
    Ok((signature.clone(), message.clone()))
}

fn reproduces_at(
    request: &Request,
    scenario: &Scenario,
    seed: u64,
    wanted: &FailureSignature,
) -> bool {
    let fails = super::probe::run_once(&request.file, scenario, Some(seed), request.bug, None)
        .fails_with(wanted);
    fails
        && (request.bug.is_none()
            || super::probe::run_once(&request.file, scenario, Some(seed), None, None)
                == Verdict::Passed)
}

/// The minimized scenario's name: `--name`, else `<scenario>-seed<S>`, or
/// `<bug>-in-<scenario>-seed<S>` with a planted bug.
pub fn result_name(request: &Request) -> String {
    let origin = format!("{}-seed{}", request.scenario.name, request.seed);
    request.name.clone().unwrap_or_else(|| match request.bug {
        Some(bug) => format!("{}-in-{origin}", bug.name()),
        None => origin,
    })
}

/// `suffix` with the bug's name, or nothing without a planted bug.
fn with_bug(request: &Request, suffix: impl Fn(&str) -> String) -> String {
    request.bug.map(|b| suffix(b.name())).unwrap_or_default()
}

/// Name, description and regression record of the minimized scenario.
fn label(scenario: &mut Scenario, request: &Request, wanted: &FailureSignature) {
    scenario.name = result_name(request);
    scenario.description = format!(
        "Minimized by rpsim minimize from {} at seed {}: reproduces check {wanted}{}.",
        request.file.display(),
        request.seed,
        with_bug(request, |b| format!(
            " with planted bug `{b}` (and passes without it)"
        ))
    );
    scenario.regression = Some(Regression {
        check: wanted.check.clone(),
        export: wanted.export.clone(),
        planted_bug: request.bug.map(|b| b.name().to_string()),
        origin: format!("{} --seed {}", request.file.display(), request.seed),
    });
}

fn render(
    request: &Request,
    scenario: &Scenario,
    wanted: &FailureSignature,
    before: ScenarioSize,
    after: ScenarioSize,
) -> String {
    let command = format!(
        "rpsim minimize {} --seed {}{}",
        request.file.display(),
        request.seed,
        with_bug(request, |b| format!(" --plant-bug {b}"))
    );
    let body = serde_norway::to_string(scenario).expect("a scenario serialises");
    // No failure message here: messages may hold scratch paths, and the file must be the same
    // on every run.
    let header = format!(
        "# Written by `{command}`.\n\
         # Reproduces check {wanted}{}.\n\
         # Before: {before}.\n\
         # After:  {after}.\n",
        with_bug(request, |b| format!(
            " with planted bug `{b}`, and passes without it"
        ))
    );
    format!("{header}{body}")
}

fn describe(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Passed => "it passes".to_string(),
        Verdict::Invalid(message) => format!("it is invalid: {message}"),
        Verdict::Failed(failures) => failures
            .iter()
            .map(|(s, m)| format!("{s}: {m}"))
            .collect::<Vec<_>>()
            .join("; "),
    }
}
