//! Sweeps: every (scenario, seed) pair of a seed range (optionally one shard of it) run on N
//! worker threads, results sorted by (scenario, seed) before anyone looks at them. Owns seed
//! range and shard parsing, the work split and the collection; it must never print, and thread
//! timing must never reach the result order.

use crate::runner::guard::run_guarded_loaded;
use crate::runner::summary::RunSummary;
use crate::runner::{RunFailure, RunOptions};
use rpsim_export::planted::PlantedBug;
use rpsim_scenario::model::Scenario;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// Widest seed range one sweep accepts.
pub const SEED_SPAN_MAX: u64 = 10_000_000;
/// Most worker threads.
pub const JOBS_MAX: usize = 256;
/// Most runs whose passing results are kept (for reports); more is refused.
pub const RUNS_KEPT_MAX: u64 = 100_000;

/// A half-open seed range `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedRange {
    pub start: u64,
    pub end: u64,
}

impl SeedRange {
    /// Parses `A..B` (half-open); requires A < B and B - A ≤ [`SEED_SPAN_MAX`].
    pub fn parse(text: &str) -> Result<SeedRange, String> {
        let (a, b) = text
            .split_once("..")
            .ok_or_else(|| format!("--seeds {text:?}: expected A..B, e.g. 1..200 (B excluded)"))?;
        let number = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|e| format!("--seeds {text:?}: {s:?} is not a seed (u64): {e}"))
        };
        let (start, end) = (number(a)?, number(b)?);
        if start >= end {
            return Err(format!(
                "--seeds {text:?}: empty range; A..B runs seeds A to B-1, so A must be below B"
            ));
        }
        if end - start > SEED_SPAN_MAX {
            return Err(format!(
                "--seeds {text:?}: {} seeds; at most {SEED_SPAN_MAX} per sweep (use --shard or \
                 split the range)",
                end - start
            ));
        }
        Ok(SeedRange { start, end })
    }
}

/// Shard K of M (1-based): the seeds s with (s - start) % M == K - 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Parses `K/M` with 1 ≤ K ≤ M.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (k, m) = text
            .split_once('/')
            .ok_or_else(|| format!("--shard {text:?}: expected K/M, e.g. 2/3"))?;
        let number = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|e| format!("--shard {text:?}: {s:?} is not a number: {e}"))
        };
        let (index, count) = (number(k)?, number(m)?);
        if index == 0 || index > count {
            return Err(format!("--shard {text:?}: need 1 <= K <= M"));
        }
        Ok(Shard { index, count })
    }

    /// The seeds of `range` in this shard, in increasing order.
    pub fn seeds(self, range: SeedRange) -> impl Iterator<Item = u64> {
        assert!(self.index >= 1 && self.index <= self.count);
        assert!(range.start < range.end);
        (range.start + (self.index - 1)..range.end)
            .step_by(usize::try_from(self.count).unwrap_or(usize::MAX))
    }

    /// How many seeds of `range` this shard holds.
    pub fn seed_count(self, range: SeedRange) -> u64 {
        let first = range.start + (self.index - 1);
        if first >= range.end {
            0
        } else {
            (range.end - first).div_ceil(self.count)
        }
    }
}

/// What to sweep.
#[derive(Clone, Debug)]
pub struct SweepPlan {
    pub files: Vec<PathBuf>,
    pub seeds: SeedRange,
    pub shard: Shard,
    pub jobs: usize,
    /// Stop scheduling new runs after the first failure.
    pub fail_fast: bool,
    /// Keep passing runs' summaries (needed for reports); failures are always kept.
    pub keep_passed: bool,
    /// Plant this bug in every run (an assertion it fires is a failed `panic` check).
    pub plant_bug: Option<PlantedBug>,
    /// `Some(n)`: the runs of seeds A, A+n, A+2n, ... (every seed when n is 1) are made twice
    /// and compared event by event (a `determinism` check); chosen by seed, so shards and
    /// thread timing do not change which runs are checked.
    pub determinism_sample: Option<u64>,
}

impl SweepPlan {
    pub fn runs_total(&self) -> u64 {
        self.shard.seed_count(self.seeds) * self.files.len() as u64
    }

    /// True when the runs of `seed` are made twice and compared.
    pub fn checks_determinism(&self, seed: u64) -> bool {
        self.determinism_sample
            .is_some_and(|n| (seed - self.seeds.start) % n.max(1) == 0)
    }

    /// The `index`-th (scenario file, seed) pair: scenario-major, seeds increasing.
    fn pair(&self, index: u64) -> (usize, u64) {
        let per_file = self.shard.seed_count(self.seeds);
        assert!(per_file > 0 && index < self.runs_total());
        let file = usize::try_from(index / per_file).expect("file index fits");
        let seed =
            self.seeds.start + (self.shard.index - 1) + (index % per_file) * self.shard.count;
        (file, seed)
    }
}

/// A run that could not be carried out (a simulation limit, the scratch space).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepError {
    pub file: PathBuf,
    pub seed: u64,
    pub message: String,
}

/// Everything a sweep produced, sorted by (scenario file order, seed).
#[derive(Clone, Debug, Default)]
pub struct SweepResult {
    pub runs_done: u64,
    pub passed: u64,
    /// Failed runs, and passing ones when [`SweepPlan::keep_passed`].
    pub kept: Vec<RunSummary>,
    pub errors: Vec<SweepError>,
    /// True when `fail_fast` left part of the plan unrun.
    pub stopped_early: bool,
    /// True when an interrupt (SIGINT, SIGTERM) left part of the plan unrun.
    pub interrupted: bool,
    /// Runs skipped because an earlier sweep being resumed had done them.
    pub runs_skipped: u64,
    /// Simulated time of every run done, summed (for the sim-seconds per wall second figure).
    pub sim_time_ns_total: u64,
    /// Runs made twice and compared (`determinism_sample`).
    pub determinism_checked: u64,
}

impl SweepResult {
    pub fn failed(&self) -> impl Iterator<Item = &RunSummary> {
        self.kept.iter().filter(|r| !r.passed())
    }
}

struct Collected {
    kept: Vec<(usize, RunSummary)>,
    errors: Vec<(usize, SweepError)>,
}

/// How one finished run ended, as handed to [`SweepHooks::on_done`].
#[derive(Clone, Copy, Debug)]
pub enum RunDone<'a> {
    /// The run was carried out and checked.
    Ran(&'a RunSummary),
    /// The run could not be carried out.
    Error(&'a SweepError),
}

impl RunDone<'_> {
    /// True when the run was carried out and every check passed.
    pub fn passed(&self) -> bool {
        matches!(self, RunDone::Ran(run) if run.passed())
    }
}

/// What a sweep tells its caller while it runs, and what the caller can tell it.
pub struct SweepHooks<'a> {
    /// Called after each run, on the worker thread that ran it, in completion order (for
    /// progress, result files and failure records written as they are found).
    pub on_done: &'a (dyn Fn(&RunDone<'_>) + Sync),
    /// Set (by a signal handler) to stop scheduling runs; runs in flight finish.
    pub interrupt: &'a AtomicBool,
    /// (file index, seed) pairs already run by an earlier, interrupted sweep: skipped.
    pub already_done: &'a BTreeSet<(usize, u64)>,
}

/// Runs the plan with no hooks: no progress, no interrupt, nothing skipped.
pub fn run_sweep_plainly(plan: &SweepPlan) -> Result<SweepResult, String> {
    let never = AtomicBool::new(false);
    let hooks = SweepHooks {
        on_done: &|_| {},
        interrupt: &never,
        already_done: &BTreeSet::new(),
    };
    run_sweep(plan, &hooks)
}

/// Runs the plan, calling `hooks.on_done` after each run.
pub fn run_sweep(plan: &SweepPlan, hooks: &SweepHooks<'_>) -> Result<SweepResult, String> {
    let total = plan.runs_total();
    if plan.keep_passed && total > RUNS_KEPT_MAX {
        return Err(format!(
            "{total} runs: reports keep at most {RUNS_KEPT_MAX}; narrow --seeds or drop --junit/--summary"
        ));
    }
    let jobs = plan.jobs.clamp(1, JOBS_MAX);
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let counts = Counts::default();
    let collected = Mutex::new(Collected {
        kept: Vec::new(),
        errors: Vec::new(),
    });
    // Each file is read and validated once: every run of it simulates the same text (and a
    // sweep does not parse it again per seed). A file that does not load is left to each run,
    // which reports why as before.
    let loaded: Vec<Option<Scenario>> = plan
        .files
        .iter()
        .map(|file| rpsim_scenario::load_scenario(file).ok())
        .collect();
    assert_eq!(loaded.len(), plan.files.len());
    let loaded = &loaded;
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| worker(plan, loaded, hooks, &next, &stop, &counts, &collected));
        }
    });
    let Collected {
        mut kept,
        mut errors,
    } = collected.into_inner().expect("no worker panicked");
    kept.sort_by_key(|(file, run)| (*file, run.seed));
    errors.sort_by_key(|(file, error)| (*file, error.seed));
    let runs_done = counts.done.into_inner();
    let runs_skipped = counts.skipped.into_inner();
    assert!(runs_done + runs_skipped <= total);
    let interrupted = hooks.interrupt.load(Ordering::SeqCst);
    Ok(SweepResult {
        runs_done,
        passed: counts.passed.into_inner(),
        kept: kept.into_iter().map(|(_, run)| run).collect(),
        errors: errors.into_iter().map(|(_, error)| error).collect(),
        stopped_early: !interrupted && runs_done + runs_skipped < total,
        interrupted: interrupted && runs_done + runs_skipped < total,
        runs_skipped,
        sim_time_ns_total: counts.sim_time_ns.into_inner(),
        determinism_checked: counts.determinism.into_inner(),
    })
}

#[derive(Default)]
struct Counts {
    done: AtomicU64,
    passed: AtomicU64,
    skipped: AtomicU64,
    sim_time_ns: AtomicU64,
    determinism: AtomicU64,
}

/// One worker: takes the next pair until the plan is done, stopped or interrupted.
fn worker(
    plan: &SweepPlan,
    loaded: &[Option<Scenario>],
    hooks: &SweepHooks<'_>,
    next: &AtomicU64,
    stop: &AtomicBool,
    counts: &Counts,
    collected: &Mutex<Collected>,
) {
    let total = plan.runs_total();
    for _ in 0..total {
        if stop.load(Ordering::SeqCst) || hooks.interrupt.load(Ordering::SeqCst) {
            break;
        }
        let index = next.fetch_add(1, Ordering::SeqCst);
        if index >= total {
            break;
        }
        let (file_index, seed) = plan.pair(index);
        if hooks.already_done.contains(&(file_index, seed)) {
            counts.skipped.fetch_add(1, Ordering::SeqCst);
            continue;
        }
        if plan.checks_determinism(seed) {
            counts.determinism.fetch_add(1, Ordering::SeqCst);
        }
        let (ok, sim_time_ns) = run_one(plan, loaded, file_index, seed, hooks, collected);
        counts.done.fetch_add(1, Ordering::SeqCst);
        counts.sim_time_ns.fetch_add(sim_time_ns, Ordering::SeqCst);
        if ok {
            counts.passed.fetch_add(1, Ordering::SeqCst);
        } else if plan.fail_fast {
            stop.store(true, Ordering::SeqCst);
        }
    }
}

/// Runs one pair, reports it and stores what must be kept; whether it passed, and its sim time.
fn run_one(
    plan: &SweepPlan,
    loaded: &[Option<Scenario>],
    file_index: usize,
    seed: u64,
    hooks: &SweepHooks<'_>,
    collected: &Mutex<Collected>,
) -> (bool, u64) {
    let file = &plan.files[file_index];
    let options = RunOptions {
        seed: Some(seed),
        ..RunOptions::default()
    };
    let determinism = plan.checks_determinism(seed);
    let scenario = loaded[file_index].as_ref();
    match run_guarded_loaded(file, scenario, &options, plan.plant_bug, determinism) {
        Ok(summary) => {
            let ok = summary.passed();
            let sim_time_ns = summary.sim_time_ns;
            (hooks.on_done)(&RunDone::Ran(&summary));
            if !ok || plan.keep_passed {
                collected
                    .lock()
                    .expect("no worker panicked")
                    .kept
                    .push((file_index, summary));
            }
            (ok, sim_time_ns)
        }
        Err(failure) => {
            let message = match failure {
                RunFailure::Scenario(e) => e.to_string(),
                other => other.to_string(),
            };
            let error = SweepError {
                file: file.clone(),
                seed,
                message,
            };
            (hooks.on_done)(&RunDone::Error(&error));
            collected
                .lock()
                .expect("no worker panicked")
                .errors
                .push((file_index, error));
            (false, 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_ranges_are_half_open_and_bounded() {
        assert_eq!(
            SeedRange::parse("1..200").unwrap(),
            SeedRange { start: 1, end: 200 }
        );
        assert!(SeedRange::parse("5..5").unwrap_err().contains("empty"));
        assert!(SeedRange::parse("9..2").is_err());
        assert!(SeedRange::parse("0..10000001")
            .unwrap_err()
            .contains("at most"));
        assert!(SeedRange::parse("0..10000000").is_ok());
        assert!(SeedRange::parse("12").is_err());
        assert!(SeedRange::parse("a..3").is_err());
    }

    #[test]
    fn shards_partition_the_range_exactly_once() {
        let range = SeedRange { start: 7, end: 30 };
        for count in 1..=5u64 {
            let mut all: Vec<u64> = (1..=count)
                .flat_map(|index| {
                    let shard = Shard { index, count };
                    let seeds: Vec<u64> = shard.seeds(range).collect();
                    assert_eq!(seeds.len() as u64, shard.seed_count(range));
                    seeds
                })
                .collect();
            all.sort_unstable();
            assert_eq!(all, (7..30).collect::<Vec<_>>(), "M={count}");
        }
        assert!(Shard::parse("0/3").is_err());
        assert!(Shard::parse("4/3").is_err());
        assert_eq!(Shard::parse("3/3").unwrap(), Shard { index: 3, count: 3 });
    }

    #[test]
    fn pairs_follow_the_shard_seeds_per_file() {
        let plan = SweepPlan {
            files: vec![PathBuf::from("a"), PathBuf::from("b")],
            seeds: SeedRange { start: 10, end: 17 },
            shard: Shard { index: 2, count: 3 },
            jobs: 1,
            fail_fast: false,
            keep_passed: false,
            plant_bug: None,
            determinism_sample: Some(3),
        };
        let checked: Vec<u64> = (10..17).filter(|&s| plan.checks_determinism(s)).collect();
        assert_eq!(
            checked,
            [10, 13, 16],
            "every third seed from A, whatever the shard"
        );
        let pairs: Vec<_> = (0..plan.runs_total()).map(|i| plan.pair(i)).collect();
        assert_eq!(pairs, [(0, 11), (0, 14), (1, 11), (1, 14)]);
    }
}
