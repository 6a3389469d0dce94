//! `rpsim serve`: a client session gives byte-identical answers and transcripts for the same
//! requests, replays with `rpsim run` to the same trace hash, converts to a scenario with that
//! trace hash, answers bad input with errors (never a panic or a hang), reads of removed jobs get
//! WBEM_E_NOT_FOUND, and the README's client session works when pasted.

use rpsim_harness::serve::protocol::wbem;
use rpsim_harness::serve::{prepare, Client};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const WORLD: &str = "examples/worlds/two-groups.yaml";

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn load(relative: &str) -> rpsim_scenario::model::Scenario {
    rpsim_scenario::load_scenario(&repo(relative)).unwrap()
}

fn group_path(client: &mut Client, name: &str) -> String {
    let groups = client.enumerate("Msvm_VirtualSystemCollection").unwrap();
    let group = groups.iter().find(|g| g["ElementName"] == name).unwrap();
    group["__PATH"].as_str().unwrap().to_string()
}

/// A full export, then a differential, each polled to its end.
fn full_and_differential(client: &mut Client) -> Vec<Value> {
    let web = group_path(client, "web");
    let mut finals = Vec::new();
    let mut base: Option<String> = None;
    for dir in ["/exports/full", "/exports/diff"] {
        let (code, point) = client.create_reference_point(&web, 2).unwrap();
        assert_eq!(code, 0);
        let point = point.unwrap();
        let (code, job) = client.export(&point, dir, base.as_deref()).unwrap();
        assert_eq!(code, 4096);
        let job = job.unwrap();
        let mut instance = client.get(&job).unwrap();
        while instance["JobState"].as_u64().unwrap() < 7 {
            client.wait_ns(250_000_000).unwrap();
            instance = client.get(&job).unwrap();
        }
        finals.push(instance);
        base = Some(point);
        client.wait_ns(1_000_000_000).unwrap();
    }
    finals
}

#[test]
fn a_session_checks_its_exports_and_converts_to_a_scenario_with_its_trace_hash() {
    let scenario = load(WORLD);
    let prepared = prepare(&scenario, None);
    let mut client = Client::start(&repo(WORLD), &prepared).unwrap();
    let finals = full_and_differential(&mut client);
    assert!(finals.iter().all(|f| f["JobState"] == 7), "{finals:?}");
    let lines = client.lines.clone();
    let end = client.end();
    assert!(end.passed(), "{}", end.report);
    let run = end.run.as_ref().unwrap();
    assert_eq!(
        run.checks.restored_disks, 2,
        "both exports restored and compared"
    );
    // The same requests again: the same answers, byte for byte.
    let prepared_again = prepare(&scenario, None);
    let mut again = Client::start(&repo(WORLD), &prepared_again).unwrap();
    for (request, answer) in &lines[1..] {
        assert_eq!(&again.send_line(request), answer);
    }
    // The client's calls as timeline entries make a scenario with the same trace hash.
    let mut converted = scenario.clone();
    converted
        .timeline
        .extend(end.client_timeline.iter().cloned());
    let yaml = serde_norway::to_string(&converted).unwrap();
    let reloaded = rpsim_scenario::parse_scenario("converted.yaml", &yaml).unwrap();
    let options = rpsim_harness::runner::RunOptions::default();
    let rerun =
        rpsim_harness::runner::run_scenario(Path::new("converted.yaml"), &reloaded, &options, None)
            .unwrap();
    assert_eq!(rerun.outcome.trace_hash, run.outcome.trace_hash);
    assert_eq!(rerun.outcome.event_count, run.outcome.event_count);
}

#[test]
fn a_scenario_with_its_own_timeline_and_random_faults_converts_exactly() {
    let scenario = load("scenarios/random-faults.yaml");
    for seed in [3, 9] {
        let prepared = prepare(&scenario, Some(seed));
        let mut client = Client::start(&repo("scenarios/random-faults.yaml"), &prepared).unwrap();
        let g = group_path(&mut client, "g");
        client.wait_ns(500_000_000).unwrap();
        let (_, point) = client.create_reference_point(&g, 2).unwrap();
        client.wait_ns(1_000_000_000).unwrap(); // the scenario's own entries at 1 s run first
        let _ = client
            .export(&point.unwrap(), "/exports/client", None)
            .unwrap();
        client.wait_ns(6_000_000_000).unwrap();
        let end = client.end();
        let run = end.run.as_ref().unwrap();
        let mut converted = scenario.clone();
        converted.seed = Some(seed);
        converted
            .timeline
            .extend(end.client_timeline.iter().cloned());
        let rerun = rpsim_harness::runner::run_scenario(
            Path::new("c.yaml"),
            &converted,
            &Default::default(),
            None,
        )
        .unwrap();
        assert_eq!(
            rerun.outcome.trace_hash, run.outcome.trace_hash,
            "seed {seed}"
        );
    }
}

/// A served scenario with `swarm:` and `random_actions:` is the world `rpsim run` simulates at
/// that seed: the Hello answer names what was drawn, a session that only waits to the end has
/// the run's trace hash, and its transcript converts to a scenario holding the drawn values.
#[test]
fn exploration_sections_are_drawn_in_a_session_as_in_a_run() {
    let file = "scenarios/swarm-random-actions-two-groups.yaml";
    let scenario = load(file);
    assert!(rpsim_world::explore::has_exploration(&scenario));
    for seed in [2, 5] {
        let options = rpsim_harness::runner::RunOptions {
            seed: Some(seed),
            ..Default::default()
        };
        let run =
            rpsim_harness::runner::run_scenario(&repo(file), &scenario, &options, None).unwrap();
        let prepared = prepare(&scenario, Some(seed));
        assert_eq!(prepared.drawn, run.drawn, "seed {seed}");
        let client = Client::start(&repo(file), &prepared).unwrap();
        let hello: Value = serde_json::from_str(&client.lines[0].1).unwrap();
        assert_eq!(
            hello["result"]["Exploration"].as_str(),
            Some(run.drawn.short().as_str()),
            "{hello}"
        );
        let end = client.end();
        let served = end.run.as_ref().expect("the session ran to its end");
        assert_eq!(served.drawn, run.drawn);
        assert_eq!(
            served.outcome.trace_hash, run.outcome.trace_hash,
            "seed {seed}"
        );
        assert_eq!(served.outcome.event_count, run.outcome.event_count);
    }
}

#[test]
fn bad_requests_get_wbem_errors_and_the_session_goes_on() {
    let scenario = load(WORLD);
    let prepared = prepare(&scenario, None);
    let mut client = Client::start(&repo(WORLD), &prepared).unwrap();
    let error = |answer: String| -> u64 {
        let v: Value = serde_json::from_str(&answer).unwrap();
        v["error"]["code"]
            .as_u64()
            .unwrap_or_else(|| panic!("{answer}"))
    };
    assert_eq!(
        error(client.send_line("{not json")),
        u64::from(wbem::INVALID_SYNTAX)
    );
    assert_eq!(
        error(client.send_line(r#"{"id":1,"method":"Fly"}"#)),
        u64::from(wbem::INVALID_METHOD)
    );
    assert_eq!(
        error(client.send_line(r#"{"id":1,"method":"Wait","params":{"DurationNs":"soon"}}"#)),
        u64::from(wbem::TYPE_MISMATCH)
    );
    let unknown = r#"\\host-a\root\virtualization\v2:Msvm_CollectionReferencePointExportJob.InstanceID="00000000-0000-0000-0000-000000000000""#;
    assert_eq!(client.get(unknown).unwrap_err().code, wbem::NOT_FOUND);
    assert_eq!(
        client.get("Msvm_Nothing.X=\"1\"").unwrap_err().code,
        wbem::INVALID_CLASS
    );
    let past = client
        .call("Wait", json!({ "DurationNs": u64::MAX }))
        .unwrap_err();
    assert_eq!(past.code, wbem::INVALID_OPERATION);
    let fault = client.call(
        "InjectFault",
        json!({ "Fault": { "kind": "host_crash", "host": "nowhere" } }),
    );
    assert_eq!(fault.unwrap_err().code, wbem::INVALID_PARAMETER);
    // A client that never waits is stopped by the cap, and a Wait lifts it.
    let mut last = Ok(Value::Null);
    for _ in 0..=rpsim_harness::serve::limits::CALLS_BETWEEN_WAITS_MAX {
        last = client.call(
            "Enumerate",
            json!({ "Class": "Msvm_CollectionReferencePointExportJob" }),
        );
    }
    assert_eq!(last.unwrap_err().code, wbem::QUOTA_VIOLATION);
    client.wait_ns(0).unwrap();
    assert!(client.enumerate("CIM_ConcreteJob").unwrap().is_empty());
    assert!(client.end().passed());
}

#[test]
fn a_finished_job_is_not_found_after_time_before_removal_and_affected_jobs_are_found() {
    let scenario = load(WORLD);
    let prepared = prepare(&scenario, None);
    let mut client = Client::start(&repo(WORLD), &prepared).unwrap();
    let web = group_path(&mut client, "web");
    let (_, point) = client.create_reference_point(&web, 2).unwrap();
    let (_, job) = client.export(&point.unwrap(), "/exports/a", None).unwrap();
    let job = job.unwrap();
    let affected = client
        .call("Associators", json!({ "Path": web, "AssocClass": "Msvm_AffectedJobElement", "ResultClass": "CIM_ConcreteJob" }))
        .unwrap();
    assert_eq!(affected["Instances"][0]["__PATH"], job.as_str());
    assert_eq!(
        client.request_state_change(&job, 5).unwrap(),
        0,
        "Kill answers 0"
    );
    client.wait_ns(1_000_000_000).unwrap();
    assert_eq!(client.get(&job).unwrap()["JobState"], 9);
    client.wait_ns(301_000_000_000).unwrap(); // TimeBeforeRemoval is 5 minutes
    let gone = client.get(&job).unwrap_err();
    assert_eq!(
        (gone.code, gone.name.as_str()),
        (2_147_749_890, "WBEM_E_NOT_FOUND")
    );
    client.end();
}

fn rpsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rpsim"))
}

/// Runs `rpsim serve WORLD` with `input` on stdin; (stdout, transcript bytes, exit code).
fn serve_once(input: &str, dir: &Path, name: &str) -> (String, Vec<u8>, i32) {
    let transcript = dir.join(name);
    let mut child = rpsim()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["serve", WORLD, "--transcript"])
        .arg(&transcript)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let bytes = std::fs::read(&transcript).unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        bytes,
        out.status.code().unwrap(),
    )
}

#[test]
fn over_the_pipe_the_same_requests_give_the_same_bytes_and_a_replayable_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(rpsim_harness::serve::limits::LINE_BYTES_MAX + 10);
    // stdin closes while the export job is still running: the session ends cleanly.
    let input = format!(
        "{}\n{long}\n{}\n{}\n",
        r#"{"id":1,"method":"Hello","params":{"ProtocolVersion":1}}"#,
        r#"{"id":2,"method":"Enumerate","params":{"Class":"Msvm_VirtualSystemCollection"}}"#,
        r#"{"id":3,"method":"Wait","params":{"DurationNs":1000}}"#,
    );
    let (out1, transcript1, code1) = serve_once(&input, dir.path(), "a.jsonl");
    let (out2, transcript2, code2) = serve_once(&input, dir.path(), "b.jsonl");
    assert_eq!((code1, code2), (0, 0), "{out1}");
    assert_eq!(out1, out2);
    assert_eq!(transcript1, transcript2);
    let answers: Vec<Value> = out1
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        answers.len(),
        5,
        "hello, too long, enumerate, wait, and the report at the end"
    );
    assert_eq!(answers[1]["error"]["name"], "WBEM_E_QUOTA_VIOLATION");
    assert_eq!(answers[4]["result"]["Verdict"], "pass");
    let replay = rpsim()
        .arg("run")
        .arg(dir.path().join("a.jsonl"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&replay.stdout);
    assert!(replay.status.success(), "{text}");
    let hash = answers[4]["result"]["TraceHash"].as_str().unwrap();
    assert!(text.contains(&format!("trace={}", &hash[..16])), "{text}");
}

#[test]
fn a_client_that_stops_reading_ends_the_session_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = rpsim()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["serve", WORLD, "--transcript"])
        .arg(dir.path().join("t.jsonl"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the client will never read an answer
    let mut stdin = child.stdin.take().unwrap();
    let hello = r#"{"id":1,"method":"Hello","params":{"ProtocolVersion":1}}"#;
    let _ = writeln!(stdin, "{hello}");
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().is_some(), "exited, not killed: {err}");
    assert!(!err.contains("panicked"), "{err}");
}
