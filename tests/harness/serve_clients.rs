//! The Python side of `rpsim serve`: the README's client session runs as pasted, and the example
//! backup client keeps chains that restore in several suite worlds and over `random-faults`
//! seeds (10 by default; `RPSIM_BACKUP_SEEDS=200` runs the full 200), while its deliberately
//! broken variant (a Killed export recorded in its chain) is caught by restore equivalence.
//! Needs `python3` (`.ci/run` installs it).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// PATH with the directory of the `rpsim` binary under test first.
fn path_with_rpsim() -> std::ffi::OsString {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_rpsim"));
    let mut paths = vec![bin.parent().unwrap().to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap()
}

fn python(args: &[&str], dir: &Path) -> Output {
    Command::new("python3")
        .args(args)
        .current_dir(repo())
        .env("PATH", path_with_rpsim())
        .env("TMPDIR", dir)
        .output()
        .expect("python3 runs (install it: apt-get install python3)")
}

/// The backup client's last stdout line (its summary) and exit code.
fn backup(world: &str, extra: &[&str], dir: &Path, tag: &str) -> (Value, i32) {
    let transcript = dir.join(format!("{tag}.jsonl"));
    let mut args = vec![
        "examples/backup_client.py",
        world,
        "--transcript",
        transcript.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = python(&args, dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no summary: {}", String::from_utf8_lossy(&out.stderr)));
    (
        serde_json::from_str(line).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn the_readme_client_session_runs_as_pasted() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let marker = "```python\n# A client session";
    let start = readme.find(marker).expect("README has the client session") + "```python\n".len();
    let end = readme[start..].find("```").unwrap() + start;
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("client.py");
    std::fs::write(&script, &readme[start..end]).unwrap();
    let out = python(&[script.to_str().unwrap()], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.matches("JobState 7").count(), 2, "{stdout}");
    assert!(stdout.contains("'Verdict': 'pass'"), "{stdout}");
    // What README says it prints is what it prints.
    let shown_start = readme[end + 3..].find("```\n").unwrap() + end + 3 + 4;
    let shown_end = readme[shown_start..].find("```").unwrap() + shown_start;
    assert_eq!(stdout, &readme[shown_start..shown_end]);
}

#[test]
fn the_backup_client_keeps_restorable_chains_in_suite_worlds() {
    let dir = tempfile::tempdir().unwrap();
    for world in [
        "examples/worlds/two-groups.yaml",
        "scenarios/full-export-rct.yaml",
        "scenarios/shared-disk-guest-cluster.yaml",
        "scenarios/rct-reset-after-host-crash.yaml",
        "scenarios/target-slow-and-stall.yaml",
    ] {
        let tag = world.replace('/', "_");
        let (summary, code) = backup(world, &[], dir.path(), &tag);
        assert_eq!(code, 0, "{world}: {summary}");
        let report = &summary["report"];
        assert!(
            report["RestoredDisks"].as_u64().unwrap() > 0,
            "{world}: {summary}"
        );
    }
}

#[test]
fn the_backup_client_passes_random_faults_over_many_seeds() {
    let seeds: u64 = std::env::var("RPSIM_BACKUP_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    for seed in 1..=seeds {
        let seed_text = seed.to_string();
        let (summary, code) = backup(
            "scenarios/random-faults.yaml",
            &["--seed", &seed_text],
            dir.path(),
            &seed_text,
        );
        assert_eq!(code, 0, "seed {seed}: {summary}");
    }
}

#[test]
fn the_broken_backup_client_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let (summary, code) = backup(
        "examples/worlds/two-groups.yaml",
        &["--broken", "--budget-s", "0.2"],
        dir.path(),
        "broken",
    );
    assert_eq!(code, 1, "{summary}");
    let failures = summary["report"]["Failures"].as_array().unwrap();
    assert!(
        failures.iter().any(|f| f["check"] == "restore"),
        "{summary}"
    );
    // The client-found failure becomes a scenario, which minimize shrinks and which still fails.
    let in_dir = |args: &[&str]| crate::support::rpsim_in(dir.path(), args, &[]);
    let (code, text) = in_dir(&["from-transcript", "broken.jsonl", "-o", "found.yaml"]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = in_dir(&[
        "minimize",
        "found.yaml",
        "--seed",
        "1",
        "-o",
        "small.yaml",
        "--check",
        "restore",
        "--max-runs",
        "20",
    ]);
    assert_eq!(code, 0, "{text}");
    let events = |line_start: &str| -> u64 {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(line_start))
            .unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    assert!(events("after:") < events("before:"), "{text}");
    let (code, text) = in_dir(&["run", "small.yaml"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("restore ["), "{text}");
    // The correct client with the same budget terminates instead, records nothing it did not
    // verify, and passes.
    let (summary, code) = backup(
        "examples/worlds/two-groups.yaml",
        &["--budget-s", "0.2"],
        dir.path(),
        "correct",
    );
    assert_eq!(code, 0, "{summary}");
}
