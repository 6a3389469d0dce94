//! Round trips per second over the pipe for `rpsim serve`: a client reads one export job object
//! (`Get` by path) again and again, one request line and one answer line at a time, against a
//! baseline measured in the same run: the same lines echoed by `cat` over the same kind of pipe
//! (the floor a pipe-driven protocol can reach). Prints both rates and their ratio. Wall-clock
//! figures for people only; nothing here reaches the simulator.
//!
//! `cargo bench --bench serve_roundtrips` (release); `ROUNDTRIPS=N` sets the number of reads.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

struct Pipe {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Pipe {
    fn spawn(command: &mut Command) -> Pipe {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        Pipe {
            child,
            input,
            output,
        }
    }

    fn round_trip(&mut self, line: &str) -> String {
        self.input.write_all(line.as_bytes()).unwrap();
        self.input.write_all(b"\n").unwrap();
        self.input.flush().unwrap();
        let mut answer = String::new();
        self.output.read_line(&mut answer).unwrap();
        answer
    }
}

fn result(answer: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(answer).unwrap();
    assert!(v.get("error").is_none(), "{answer}");
    v["result"].clone()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let reads: u64 = std::env::var("ROUNDTRIPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let mut serve = Pipe::spawn(
        Command::new(env!("CARGO_BIN_EXE_rpsim"))
            .current_dir(root)
            .args(["serve", "examples/worlds/two-groups.yaml", "--transcript"])
            .arg(dir.path().join("bench.jsonl")),
    );
    let call = |pipe: &mut Pipe, method: &str, params: serde_json::Value| {
        let line = serde_json::json!({ "id": 0, "method": method, "params": params }).to_string();
        result(&pipe.round_trip(&line))
    };
    call(
        &mut serve,
        "Hello",
        serde_json::json!({ "ProtocolVersion": 1 }),
    );
    let groups = call(
        &mut serve,
        "Enumerate",
        serde_json::json!({ "Class": "Msvm_VirtualSystemCollection" }),
    );
    let group = groups["Instances"][0]["__PATH"]
        .as_str()
        .unwrap()
        .to_string();
    let created = call(
        &mut serve,
        "CreateReferencePoint",
        serde_json::json!({ "Collection": group, "ReferencePointType": 2 }),
    );
    let point = created["ResultingReferencePointCollection"]
        .as_str()
        .unwrap()
        .to_string();
    let out = call(
        &mut serve,
        "ExportReferencePoint",
        serde_json::json!({ "ReferencePointCollection": point, "ExportDirectory": "/exports/bench" }),
    );
    let job = out["Job"].as_str().unwrap().to_string();
    let get =
        serde_json::json!({ "id": 1, "method": "Get", "params": { "Path": job } }).to_string();
    let wait = r#"{"id":2,"method":"Wait","params":{"DurationNs":0}}"#;
    let started = Instant::now();
    for i in 0..reads {
        if i % 5000 == 4999 {
            serve.round_trip(wait); // the cap on calls between waits
        }
        let answer = serve.round_trip(&get);
        assert!(answer.contains("\"JobState\""), "{answer}");
    }
    let serve_s = started.elapsed().as_secs_f64();
    serve.round_trip(r#"{"id":3,"method":"EndSession"}"#);
    drop(serve.input);
    let _ = serve.child.wait();

    let mut echo = Pipe::spawn(&mut Command::new("cat"));
    let started = Instant::now();
    for _ in 0..reads {
        echo.round_trip(&get);
    }
    let echo_s = started.elapsed().as_secs_f64();
    drop(echo.input);
    let _ = echo.child.wait();
    let serve_rate = reads as f64 / serve_s;
    let echo_rate = reads as f64 / echo_s;
    println!("serve_roundtrips: {reads} job reads over the pipe");
    println!("  rpsim serve Get of a job: {serve_rate:.0} round trips/s");
    println!("  baseline, cat echo of the same line: {echo_rate:.0} round trips/s");
    println!(
        "  ratio serve/echo: {:.2}x (target: at least 20,000 round trips/s)",
        serve_rate / echo_rate
    );
}
