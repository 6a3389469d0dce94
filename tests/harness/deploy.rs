//! The engine files under `deploy/` work: the GitHub Actions workflow and the Kubernetes
//! manifests parse as YAML with the structure their engines need (a 4-shard matrix and a merge
//! job that runs after it; an Indexed Job whose completions equal RPSIM_SHARD_COUNT, and a merge
//! Job), every `rpsim` command in them names a real subcommand and real flags, and their shell
//! steps, run as written (seeds narrowed, paths moved into a scratch directory), sweep four
//! shards and merge them into a complete result.

use serde_norway::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn yaml_documents(relative: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(repo(relative)).unwrap();
    serde_norway::Deserializer::from_str(&text)
        .map(|doc| {
            <Value as serde::Deserialize>::deserialize(doc)
                .unwrap_or_else(|e| panic!("{relative} does not parse: {e}"))
        })
        .collect()
}

fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value:?}"))
}

/// Every `rpsim SUBCOMMAND --flag ...` in a shell script, as its words.
fn rpsim_commands(script: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    for line in script.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            if *word != "rpsim" {
                continue;
            }
            let command = words[i + 1..]
                .iter()
                .take_while(|w| !matches!(**w, ";" | "||" | "&&" | "|" | ">" | ">>"))
                .map(|w| w.to_string())
                .collect();
            commands.push(command);
        }
    }
    commands
}

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_rpsim"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "rpsim {args:?} failed");
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Each command's subcommand exists and each of its `--flags` is one `rpsim SUB --help` lists.
fn assert_real_commands(file: &str, script: &str) -> usize {
    let commands = rpsim_commands(script);
    let top = help(&["--help"]);
    for command in &commands {
        let sub = command
            .first()
            .unwrap_or_else(|| panic!("{file}: bare rpsim"));
        assert!(
            top.lines()
                .any(|l| l.trim_start().starts_with(&format!("{sub} "))),
            "{file}: `rpsim {sub}` is not a subcommand"
        );
        let flags = help(&[sub, "--help"]);
        for flag in command.iter().filter(|w| w.starts_with("--")) {
            let flag = flag.split('=').next().unwrap();
            assert!(
                flags.contains(&format!("{flag} ")) || flags.contains(&format!("{flag}\n")),
                "{file}: `rpsim {sub}` has no flag {flag}"
            );
        }
    }
    commands.len()
}

/// A scratch checkout: `scenarios/` holding one suite scenario (so a sweep is quick).
fn scratch_suite() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("scenarios")).unwrap();
    std::fs::copy(
        repo("scenarios/kill-mid-copy.yaml"),
        dir.path().join("scenarios/kill-mid-copy.yaml"),
    )
    .unwrap();
    dir
}

/// Runs `script` with sh in `dir`, the test's rpsim first on PATH.
fn sh(dir: &Path, script: &str, env: &[(&str, String)]) -> (i32, String) {
    let bin = Path::new(env!("CARGO_BIN_EXE_rpsim")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        super::support::text_of(&out),
    )
}

#[test]
fn the_github_actions_workflow_sweeps_four_shards_and_merges_them() {
    let file = "deploy/github-actions/rpsim-sweep.yml";
    let docs = yaml_documents(file);
    let workflow = &docs[0];
    let jobs = &workflow["jobs"];
    let shards = jobs["sweep"]["strategy"]["matrix"]["shard"]
        .as_sequence()
        .expect("a shard matrix");
    assert_eq!(shards.len(), 4);
    assert_eq!(workflow["env"]["SHARDS"].as_u64(), Some(4));
    assert_eq!(
        text(&jobs["sweep"]["env"]["RPSIM_SHARD"]),
        "${{ matrix.shard }}/4"
    );
    assert_eq!(
        jobs["sweep"]["strategy"]["fail-fast"].as_bool(),
        Some(false)
    );
    assert_eq!(text(&jobs["merge"]["needs"]), "sweep");
    let runs = |job: &str| -> Vec<String> {
        let steps = jobs[job]["steps"].as_sequence().expect("steps");
        steps
            .iter()
            .filter_map(|s| s["run"].as_str().map(str::to_string))
            .collect()
    };
    let sweep_step = runs("sweep")
        .into_iter()
        .find(|r| r.contains("rpsim sweep"))
        .expect("a sweep step");
    let merge_step = runs("merge")
        .into_iter()
        .find(|r| r.contains("rpsim merge"))
        .expect("a merge step");
    let all = runs("sweep").join("\n") + "\n" + &runs("merge").join("\n");
    assert!(assert_real_commands(file, &all) >= 2);

    // Run the two steps as GitHub would (the artifacts moved by hand), over seeds 1..9.
    let dir = scratch_suite();
    let d = dir.path();
    std::fs::create_dir(d.join("shards")).unwrap();
    for shard in shards {
        let k = shard.as_u64().expect("a shard number").to_string();
        let script = sweep_step.replace("${{ matrix.shard }}", &k);
        let env = [
            ("SEEDS", "1..9".to_string()),
            ("RPSIM_SHARD", format!("{k}/4")),
        ];
        let (code, out) = sh(d, &script, &env);
        assert_eq!(code, 0, "shard {k}: {out}");
        let name = format!("shard-{k}.jsonl");
        std::fs::rename(d.join(&name), d.join("shards").join(&name)).unwrap();
    }
    let (code, out) = sh(d, &merge_step, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("complete: every run of the 8 planned"),
        "{out}"
    );
    for written in ["rpsim-junit.xml", "rpsim-summary.md", "rpsim-results.jsonl"] {
        assert!(d.join(written).is_file(), "{written} not written: {out}");
    }
}

#[test]
fn the_kubernetes_indexed_job_sweeps_four_shards_and_its_merge_job_merges_them() {
    let file = "deploy/kubernetes/sweep-job.yaml";
    let docs = yaml_documents(file);
    let job = docs
        .iter()
        .find(|d| d["kind"].as_str() == Some("Job"))
        .expect("a Job");
    assert_eq!(text(&job["spec"]["completionMode"]), "Indexed");
    let completions = job["spec"]["completions"].as_u64().expect("completions");
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    let env = container["env"].as_sequence().expect("env");
    let var = |name: &str| {
        env.iter()
            .find(|e| e["name"].as_str() == Some(name))
            .map(|e| text(&e["value"]).to_string())
            .unwrap_or_else(|| panic!("no {name} in the container env"))
    };
    assert_eq!(var("RPSIM_SHARD_COUNT"), completions.to_string());
    let seeds = var("SEEDS");
    rpsim_harness::sweep::SeedRange::parse(&seeds).expect("SEEDS is a seed range");
    let command = container["command"].as_sequence().expect("command");
    let script = text(command.last().unwrap()).to_string();
    assert_real_commands(file, &script);

    let merge_file = "deploy/kubernetes/merge-job.yaml";
    let merge_docs = yaml_documents(merge_file);
    let merge_container = &merge_docs[0]["spec"]["template"]["spec"]["containers"][0];
    let merge_script = text(
        merge_container["command"]
            .as_sequence()
            .expect("command")
            .last()
            .unwrap(),
    )
    .to_string();
    assert_real_commands(merge_file, &merge_script);
    let claim = |doc: &Value| {
        text(&doc["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"])
            .to_string()
    };
    assert_eq!(
        claim(job),
        claim(&merge_docs[0]),
        "both Jobs mount one volume"
    );

    // Run each index's script as its pod would (the volume is a scratch directory).
    let dir = scratch_suite();
    let d = dir.path();
    let results = d.join("results");
    std::fs::create_dir(&results).unwrap();
    let moved = |s: &str| s.replace("/results", results.to_str().unwrap());
    for index in 0..completions {
        let env = [
            ("JOB_COMPLETION_INDEX", index.to_string()),
            ("RPSIM_SHARD_COUNT", var("RPSIM_SHARD_COUNT")),
            ("SEEDS", "1..9".to_string()),
        ];
        let (code, out) = sh(d, &moved(&script), &env);
        assert_eq!(code, 0, "index {index}: {out}");
    }
    // A pod restarted after its shard finished resumes the file and runs nothing twice.
    let env = [
        ("JOB_COMPLETION_INDEX", "0".to_string()),
        ("RPSIM_SHARD_COUNT", var("RPSIM_SHARD_COUNT")),
        ("SEEDS", "1..9".to_string()),
    ];
    let (code, out) = sh(d, &moved(&script), &env);
    assert_eq!(code, 0, "restarted index 0: {out}");
    assert!(out.contains("resumed: 2 runs"), "{out}");
    let (code, out) = sh(d, &moved(&merge_script), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("complete: every run of the 8 planned"),
        "{out}"
    );
    assert!(results.join("merged.jsonl").is_file(), "{out}");
}
