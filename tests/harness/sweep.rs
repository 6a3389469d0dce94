//! Sweeps, failure records, repro and reports as users rely on them: shards cover a seed range
//! exactly once, results do not depend on the number of threads, a failure record replays to
//! the same trace hash, the JUnit report parses and names each run, and the exit codes are
//! 0 (all passed), 1 (a check failed), 2 (bad input); an interrupted sweep keeps what it found,
//! cleans up and resumes to the totals of an uninterrupted one.

use rpsim_harness::sweep::failure_record::{self, FailureRecord, ReproVerdict};
use rpsim_harness::sweep::{run_sweep_plainly, SeedRange, Shard, SweepPlan};
use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// kill-mid-copy with a wrong expectation (job_state 7 for a killed job), so every seed fails.
pub(crate) fn failing_scenario(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(scenario("kill-mid-copy.yaml")).unwrap();
    let wrong = text.replace("job_state: 9", "job_state: 7");
    assert_ne!(
        text, wrong,
        "kill-mid-copy.yaml no longer expects job_state 9"
    );
    let wrong = wrong.replace("name: kill-mid-copy", "name: wrong-expectation");
    let path = dir.join("wrong-expectation.yaml");
    std::fs::write(&path, wrong).unwrap();
    path
}

fn plan(files: Vec<PathBuf>, seeds: &str, jobs: usize) -> SweepPlan {
    SweepPlan {
        files,
        seeds: SeedRange::parse(seeds).unwrap(),
        shard: Shard::WHOLE,
        jobs,
        fail_fast: false,
        keep_passed: true,
        plant_bug: None,
        determinism_sample: None,
    }
}

#[test]
fn three_shards_cover_every_seed_exactly_once() {
    let range = SeedRange::parse("5..17").unwrap();
    let mut seen: Vec<u64> = Vec::new();
    for index in 1..=3 {
        let shard = Shard::parse(&format!("{index}/3")).unwrap();
        seen.extend(shard.seeds(range));
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (5..17).collect::<Vec<_>>(),
        "a seed is missing or run twice"
    );
}

#[test]
fn results_are_identical_with_one_and_two_threads() {
    let files = vec![scenario("kill-mid-copy.yaml")];
    let one = run_sweep_plainly(&plan(files.clone(), "1..3", 1)).unwrap();
    let two = run_sweep_plainly(&plan(files, "1..3", 2)).unwrap();
    assert_eq!((one.runs_done, one.passed), (2, 2), "{:?}", one.kept);
    assert_eq!(one.kept.len(), two.kept.len());
    for (a, b) in one.kept.iter().zip(&two.kept) {
        assert!(
            a.deterministic_eq(b),
            "jobs=1 gave {a:?}\njobs=2 gave {b:?}"
        );
    }
    assert_eq!(one.kept.iter().map(|r| r.seed).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn a_failure_record_replays_to_the_same_trace_hash() {
    let dir = tempfile::tempdir().unwrap();
    let file = failing_scenario(dir.path());
    let result = run_sweep_plainly(&plan(vec![file], "7..8", 1)).unwrap();
    let failed: Vec<_> = result.failed().collect();
    assert_eq!(failed.len(), 1, "the wrong expectation did not fail");
    let record = FailureRecord::from_summary(failed[0], None);
    let records = dir.path().join("records");
    let first = failure_record::write_new(&records, &record).unwrap();
    let second = failure_record::write_new(&records, &record).unwrap();
    assert!(first.ends_with("wrong-expectation-seed7.json"), "{first:?}");
    assert!(
        second.ends_with("wrong-expectation-seed7-2.json"),
        "{second:?}"
    );
    let loaded = failure_record::load(&first).unwrap();
    assert_eq!(loaded, record);
    let repro = failure_record::reproduce(&loaded).unwrap();
    assert_eq!(repro.verdict, ReproVerdict::Reproduced, "{:?}", repro.run);
    assert_eq!(repro.run.trace_hash, record.trace_hash);
}

/// Runs rpsim in a fresh directory (so default outputs such as `reports/` land there).
fn rpsim(args: &[&str]) -> (i32, String) {
    let cwd = tempfile::tempdir().unwrap();
    super::support::rpsim_in(cwd.path(), args, &[])
}

#[test]
fn exit_codes_are_0_passed_1_failed_2_bad_input_and_junit_names_each_run() {
    let dir = tempfile::tempdir().unwrap();
    let kill = scenario("kill-mid-copy.yaml");
    let kill = kill.to_str().unwrap();
    for bad in ["5..5", "9..2", "x..3", "0..10000001"] {
        let (code, text) = rpsim(&["sweep", kill, "--seeds", bad]);
        assert_eq!(code, 2, "--seeds {bad}: {text}");
    }
    let (code, text) = rpsim(&["sweep", kill, "--seeds", "1..4", "--shard", "4/3"]);
    assert_eq!(code, 2, "--shard 4/3: {text}");

    let (code, text) = rpsim(&["sweep", kill, "--seeds", "3..4", "--jobs", "1"]);
    assert_eq!(code, 0, "{text}");

    let failing = failing_scenario(dir.path());
    let records = dir.path().join("records");
    let junit = dir.path().join("junit.xml");
    let args = [
        "sweep",
        failing.to_str().unwrap(),
        "--seeds",
        "2..3",
        "--records",
        records.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ];
    let (code, text) = rpsim(&args);
    assert_eq!(code, 1, "{text}");
    let reproduce = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("reproduce: "))
        .unwrap_or_else(|| panic!("no reproduce line:\n{text}"));
    assert!(reproduce.ends_with("--seed 2"), "{reproduce}");
    // The line works when pasted into a shell (rpsim is not on PATH here, so it names the
    // binary by its path).
    assert!(
        reproduce.starts_with(env!("CARGO_BIN_EXE_rpsim")),
        "{reproduce}"
    );
    let pasted = Command::new("sh").args(["-c", reproduce]).output().unwrap();
    let pasted_text = String::from_utf8_lossy(&pasted.stdout);
    assert_eq!(pasted.status.code(), Some(1), "{pasted_text}");
    assert!(
        pasted_text.contains("FAIL wrong-expectation"),
        "{pasted_text}"
    );
    assert!(
        records.join("wrong-expectation-seed2.json").is_file(),
        "{text}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("well-formed JUnit XML");
    assert_eq!((report.tests, report.failures), (1, 1), "{xml}");
    let case = &report.test_suites[0].test_cases[0];
    assert_eq!(case.name.as_str(), "wrong-expectation seed=2");
}

/// The closing counts line (`N runs, P passed, F failed, E not runnable`).
pub(crate) fn totals_line(text: &str) -> String {
    text.lines()
        .find(|l| l.contains(" runs, ") && l.contains(" not runnable"))
        .unwrap_or_else(|| panic!("no totals line in:\n{text}"))
        .to_string()
}

/// Waits (bounded) until `path` holds at least `lines` lines; false when the sweep ended first.
fn wait_for_lines(child: &mut std::process::Child, path: &Path, lines: usize) -> bool {
    for _ in 0..30_000 {
        let have = std::fs::read_to_string(path).map_or(0, |t| t.lines().count());
        if have >= lines {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    panic!("{} never reached {lines} lines", path.display());
}

#[test]
fn an_interrupted_sweep_keeps_its_failures_cleans_up_and_resumes_to_the_same_totals() {
    let dir = tempfile::tempdir().unwrap();
    let failing = failing_scenario(dir.path());
    let failing = failing.to_str().unwrap();
    let seeds = "1..301";
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let scratch = dir.path().join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    let (results, records, summary) = (path("results.jsonl"), path("records"), path("s.md"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_rpsim"))
        .args(["sweep", failing, "--seeds", seeds, "--jobs", "1"])
        .args([
            "--results",
            &results,
            "--records",
            &records,
            "--summary",
            &summary,
        ])
        .env("TMPDIR", &scratch)
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Header plus the first run (every seed of this scenario fails).
    assert!(
        wait_for_lines(&mut child, Path::new(&results), 2),
        "the sweep ended first"
    );
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{text}");
    assert!(text.contains("INTERRUPTED after"), "{text}");
    assert!(
        Path::new(&records)
            .join("wrong-expectation-seed1.json")
            .is_file(),
        "{text}"
    );
    let summary_text = std::fs::read_to_string(&summary).unwrap();
    assert!(summary_text.contains("interrupted after"), "{summary_text}");
    let left: Vec<_> = std::fs::read_dir(&scratch).unwrap().collect();
    assert!(left.is_empty(), "scratch left behind: {left:?}");
    let done_first = std::fs::read_to_string(&results).unwrap().lines().count() - 1;
    assert!(
        done_first < 300,
        "the interrupt did not stop the sweep ({done_first} runs)"
    );

    let (code, resumed) = rpsim(&[
        "sweep",
        failing,
        "--seeds",
        seeds,
        "--records",
        &records,
        "--resume",
        &results,
    ]);
    assert_eq!(code, 1, "{resumed}");
    let (code, whole) = rpsim(&["sweep", failing, "--seeds", seeds, "--records", &path("r2")]);
    assert_eq!(code, 1, "{whole}");
    assert_eq!(totals_line(&resumed), totals_line(&whole));
    assert_eq!(
        std::fs::read_to_string(&results).unwrap().lines().count(),
        301
    );
}
