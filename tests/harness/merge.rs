//! `rpsim merge` as a CI matrix uses it: four `rpsim sweep --shard K/4` processes, merged,
//! give exactly what one unsharded sweep of the same seeds gives (the same runs, verdicts and
//! trace hashes, the same header, totals, failures and JUnit cases); and a merge refuses a
//! missing shard, a shard given twice and shards made by another commit (exit 2).

use super::support::text_of;
use super::sweep::{failing_scenario, scenario, totals_line};
use rpsim_harness::sweep::results::{self, ResultLine};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SEEDS: &str = "1..13";

fn rpsim(dir: &Path, args: &[&str]) -> (i32, String) {
    super::support::rpsim_in(dir, args, &[])
}

/// The run lines of a result file in (scenario, seed) order, wall time zeroed.
fn runs_of(path: &Path) -> Vec<ResultLine> {
    let mut runs = results::read(path).unwrap().runs;
    for run in &mut runs {
        run.wall_time_ms = 0;
    }
    runs.sort_by(|a, b| (&a.scenario, a.seed).cmp(&(&b.scenario, b.seed)));
    runs
}

/// JUnit test case names with their failure flag, in report order.
fn junit_cases(path: &Path) -> Vec<(String, bool)> {
    let xml = std::fs::read_to_string(path).unwrap();
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("well-formed JUnit");
    report.test_suites[0]
        .test_cases
        .iter()
        .map(|c| {
            let failed = !matches!(c.status, quick_junit::TestCaseStatus::Success { .. });
            (c.name.as_str().to_string(), failed)
        })
        .collect()
}

fn reproduce_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.trim_start().starts_with("reproduce: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn four_shard_processes_merge_to_one_unsharded_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let failing = failing_scenario(d);
    let scenarios: Vec<String> = [scenario("random-faults.yaml"), failing]
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    let shard_file = |k: u32| d.join(format!("shard-{k}.jsonl"));
    // Four separate processes at once, each told its shard as a CI matrix tells it.
    let children: Vec<_> = (1..=4)
        .map(|k| {
            Command::new(env!("CARGO_BIN_EXE_rpsim"))
                .arg("sweep")
                .args(&scenarios)
                .args(["--seeds", SEEDS, "--jobs", "1", "--results"])
                .arg(shard_file(k))
                .arg("--records")
                .arg(d.join(format!("records-{k}")))
                .env("RPSIM_SHARD", format!("{k}/4"))
                .current_dir(d)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let children: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for (k, out) in children.iter().enumerate() {
        // Every shard holds failing seeds of the wrong expectation: exit 1.
        assert_eq!(
            out.status.code(),
            Some(1),
            "shard {}: {}",
            k + 1,
            text_of(out)
        );
    }
    let mut args: Vec<String> = vec!["merge".into()];
    // Any order: the merge sorts.
    for k in [3, 1, 4, 2] {
        args.push(shard_file(k).to_str().unwrap().to_string());
    }
    let merged = d.join("merged.jsonl");
    let merged_junit = d.join("merged.xml");
    args.extend(["--results".into(), merged.to_str().unwrap().into()]);
    args.extend(["--junit".into(), merged_junit.to_str().unwrap().into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, merge_text) = rpsim(d, &args);
    assert_eq!(code, 1, "{merge_text}");
    assert!(
        merge_text.contains("complete: every run of the 24 planned"),
        "{merge_text}"
    );

    let whole = d.join("whole.jsonl");
    let whole_junit = d.join("whole.xml");
    let mut sweep_args = vec!["sweep"];
    sweep_args.extend(scenarios.iter().map(String::as_str));
    sweep_args.extend([
        "--seeds",
        SEEDS,
        "--jobs",
        "2",
        "--records",
        "records-whole",
    ]);
    sweep_args.extend(["--results", whole.to_str().unwrap()]);
    sweep_args.extend(["--junit", whole_junit.to_str().unwrap()]);
    let (code, sweep_text) = rpsim(d, &sweep_args);
    assert_eq!(code, 1, "{sweep_text}");

    let (merged_runs, whole_runs) = (runs_of(&merged), runs_of(&whole));
    assert_eq!(merged_runs.len(), 24);
    assert_eq!(
        merged_runs, whole_runs,
        "merged shards differ from one sweep"
    );
    let failed = merged_runs.iter().filter(|r| r.verdict == "fail").count();
    assert_eq!(failed, 12, "every seed of the wrong expectation fails");
    assert!(merged_runs.iter().all(|r| r.trace_hash.len() == 32));
    assert_eq!(
        results::read(&merged).unwrap().header,
        results::read(&whole).unwrap().header,
        "the merged header is the unsharded sweep's"
    );
    assert_eq!(totals_line(&merge_text), totals_line(&sweep_text));
    assert_eq!(reproduce_lines(&merge_text), reproduce_lines(&sweep_text));
    assert_eq!(reproduce_lines(&merge_text).len(), 12);
    assert_eq!(junit_cases(&merged_junit), junit_cases(&whole_junit));
}

#[test]
fn a_merge_refuses_missing_shards_overlaps_and_other_builds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let kill = scenario("kill-mid-copy.yaml");
    let shard = |k: u32| -> PathBuf {
        let path = d.join(format!("s{k}.jsonl"));
        let shard = format!("{k}/2");
        let args = [
            "sweep",
            kill.to_str().unwrap(),
            "--seeds",
            "1..5",
            "--shard",
            &shard,
        ];
        let (code, text) = rpsim(
            d,
            &[&args[..], &["--results", path.to_str().unwrap()]].concat(),
        );
        assert_eq!(code, 0, "{text}");
        path
    };
    let (one, two) = (shard(1), shard(2));
    let (one, two) = (one.to_str().unwrap(), two.to_str().unwrap());
    let (code, text) = rpsim(d, &["merge", one]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("shard 2/2: no result file"), "{text}");
    let (code, text) = rpsim(d, &["merge", one, "--allow-incomplete"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("INCOMPLETE: 2 of 4 planned runs"), "{text}");
    let (code, text) = rpsim(d, &["merge", one, two, one]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("overlapping seeds"), "{text}");
    let other = d.join("other-commit.jsonl");
    let body = std::fs::read_to_string(two).unwrap();
    let (header, rest) = body.split_once('\n').unwrap();
    let mut header: serde_json::Value = serde_json::from_str(header).unwrap();
    header["commit"] = "0123456789abcdef".into();
    std::fs::write(&other, format!("{header}\n{rest}")).unwrap();
    let (code, text) = rpsim(d, &["merge", one, other.to_str().unwrap()]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("different binaries"), "{text}");
    assert!(text.contains("0123456789abcdef"), "{text}");
    let (code, text) = rpsim(d, &["merge", one, "no-such.jsonl"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("no-such.jsonl"), "{text}");
    let (code, text) = rpsim(d, &["merge", one, two]);
    assert_eq!(code, 0, "{text}");
}
