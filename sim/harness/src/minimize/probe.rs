//! Runs candidate scenarios for the minimizer: validation first, then the same run-and-check
//! path as `rpsim run`, with or without the planted bug, panics caught, every answer cached by
//! the candidate's text, and a budget of runs (and optionally wall time) that ends the search.
//! Owns the budget and the cache; it must never change a candidate, and the wall-time budget is
//! the only thing here that depends on the machine (it is off unless asked for), besides an
//! interrupt, which ends the search like a spent budget.

use super::signature::{self, FailureSignature, Verdict};
use crate::runner::guard::{guarded, Guarded};
use crate::runner::{run_scenario, RunOptions};
use rpsim_export::planted::PlantedBug;
use rpsim_scenario::model::Scenario;
use rpsim_world::observe::RandomDecision;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Why the search stopped early.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BudgetSpent {
    Runs(u64),
    Time(Duration),
    /// SIGINT or SIGTERM: the smallest scenario so far is still written.
    Interrupted,
}

/// The candidate runner of one minimization.
pub struct Probe {
    /// Names the candidates in results and messages.
    label: PathBuf,
    bug: Option<PlantedBug>,
    wanted: FailureSignature,
    runs_max: u64,
    time_max: Option<Duration>,
    interrupt: Option<Arc<AtomicBool>>,
    started: Instant,
    runs: u64,
    spent: Option<BudgetSpent>,
    /// Candidate YAML → whether it reproduced.
    cache: BTreeMap<String, bool>,
}

impl Probe {
    pub fn new(
        label: PathBuf,
        bug: Option<PlantedBug>,
        wanted: FailureSignature,
        runs_max: u64,
        time_max: Option<Duration>,
        interrupt: Option<Arc<AtomicBool>>,
    ) -> Probe {
        assert!(runs_max > 0, "a budget of at least one run");
        Probe {
            label,
            bug,
            wanted,
            runs_max,
            time_max,
            interrupt,
            started: Instant::now(),
            runs: 0,
            spent: None,
            cache: BTreeMap::new(),
        }
    }

    pub fn runs(&self) -> u64 {
        self.runs
    }

    pub fn spent(&self) -> Option<&BudgetSpent> {
        self.spent.as_ref()
    }

    pub fn wanted(&self) -> &FailureSignature {
        &self.wanted
    }

    /// Whether `candidate` (run at its own seed, i.e. the default one when it names none) fails
    /// with the wanted check and, when a bug is planted, passes without it. `false` once the
    /// budget is spent.
    pub fn reproduces(&mut self, candidate: &Scenario) -> bool {
        if self.spent.is_some() {
            return false;
        }
        let key = serde_norway::to_string(candidate).expect("a scenario serialises");
        if let Some(known) = self.cache.get(&key) {
            return *known;
        }
        if !self.budget_left() {
            return false;
        }
        let fails = self.verdict(candidate, None, true).fails_with(&self.wanted);
        let reproduces = fails
            && (self.bug.is_none()
                || (self.budget_left() && self.verdict(candidate, None, false) == Verdict::Passed));
        if self.spent.is_none() {
            self.cache.insert(key, reproduces);
        }
        reproduces
    }

    /// Runs `scenario` once (counted against the budget): with the planted bug when `planted`,
    /// at `seed` or the scenario's own; records drawn decisions into `decisions` when given.
    pub fn run_counted(
        &mut self,
        scenario: &Scenario,
        seed: Option<u64>,
        planted: bool,
        decisions: Option<&mut Vec<RandomDecision>>,
    ) -> Verdict {
        self.runs += 1;
        run_once(
            &self.label,
            scenario,
            seed,
            planted.then_some(self.bug).flatten(),
            decisions,
        )
    }

    fn verdict(&mut self, scenario: &Scenario, seed: Option<u64>, planted: bool) -> Verdict {
        self.run_counted(scenario, seed, planted, None)
    }

    fn budget_left(&mut self) -> bool {
        if self.spent.is_some() {
            return false;
        }
        if self
            .interrupt
            .as_deref()
            .is_some_and(|i| i.load(Ordering::SeqCst))
        {
            self.spent = Some(BudgetSpent::Interrupted);
        } else if self.runs >= self.runs_max {
            self.spent = Some(BudgetSpent::Runs(self.runs_max));
        } else if let Some(limit) = self.time_max {
            if self.started.elapsed() >= limit {
                self.spent = Some(BudgetSpent::Time(limit));
            }
        }
        self.spent.is_none()
    }
}

/// One validated, checked run of `scenario`, with `bug` planted when given; a panic becomes a
/// [`signature::PANIC`] failure.
pub fn run_once(
    label: &std::path::Path,
    scenario: &Scenario,
    seed: Option<u64>,
    bug: Option<PlantedBug>,
    decisions: Option<&mut Vec<RandomDecision>>,
) -> Verdict {
    let problems = rpsim_scenario::validate(scenario);
    if let Some(problem) = problems.first() {
        return Verdict::Invalid(problem.message.clone());
    }
    let options = RunOptions {
        seed,
        ..RunOptions::default()
    };
    let run = || run_scenario(label, scenario, &options, decisions);
    match guarded(bug, run) {
        Guarded::Panicked(message) => signature::of_panic(&message),
        Guarded::NoPlantedBugs => {
            Verdict::Invalid("this rpsim was built without planted bugs".into())
        }
        Guarded::Returned(Err(failure)) => signature::of_run_failure(&failure),
        Guarded::Returned(Ok(run)) => signature::of_checks(&run.checks.failures),
    }
}
