//! Session transcripts (PROTOCOL.md, "Transcripts"): a header line with the scenario's text and
//! the seed, then one line per request with the sim time it arrived at, the request line as
//! sent and the answer as given. Owns writing them, reading them back, replaying them through a
//! new session and converting one into a scenario whose timeline holds the client's calls; it
//! must never decide an answer (the session does).

use super::session::{ClientSession, SessionEnd};
use crate::runner::{RunFailure, RunOptions};
use rpsim_scenario::model::Scenario;
use serde_json::{json, Value};
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

/// The transcript format's version.
pub const TRANSCRIPT_VERSION: u64 = 1;
/// Longest transcript line read back (an answer may list every job of a session).
pub const TRANSCRIPT_LINE_BYTES_MAX: u64 = 64 << 20;

/// What one transcript line records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Received {
    /// A request line, as sent.
    Line(String),
    /// A line over the size limit (not kept).
    TooLong,
    /// A line that is not UTF-8 (not kept).
    NotUtf8,
    /// The client closed its input (or its output) without `EndSession`: the session ended.
    Closed,
}

/// Writes a transcript, one flushed line per request.
pub struct TranscriptWriter {
    out: std::io::BufWriter<std::fs::File>,
    count: u64,
}

impl TranscriptWriter {
    /// Creates `path` (never overwriting a file) and writes the header.
    pub fn create(
        path: &Path,
        file: &Path,
        scenario_text: &str,
        seed: u64,
    ) -> Result<TranscriptWriter, String> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let handle = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| format!("cannot create transcript {}: {e}", path.display()))?;
        let mut writer = TranscriptWriter {
            out: std::io::BufWriter::new(handle),
            count: 0,
        };
        let header = json!({
            "rpsim_transcript": TRANSCRIPT_VERSION,
            "protocol": super::protocol::PROTOCOL_VERSION,
            "rpsim_version": env!("CARGO_PKG_VERSION"),
            "scenario_file": file.display().to_string(),
            "seed": seed,
            "scenario_yaml": scenario_text,
        });
        writer.line(&header.to_string())?;
        Ok(writer)
    }

    fn line(&mut self, text: &str) -> Result<(), String> {
        writeln!(self.out, "{text}")
            .and_then(|()| self.out.flush())
            .map_err(|e| format!("cannot write the transcript: {e}"))
    }

    /// Records one request (received at `at_ns`) and its answer line.
    pub fn record(&mut self, at_ns: u64, received: &Received, answer: &str) -> Result<(), String> {
        self.count += 1;
        let what = match received {
            Received::Line(line) => format!("\"request\":{}", Value::from(line.as_str())),
            Received::TooLong => "\"event\":\"line_too_long\"".to_string(),
            Received::NotUtf8 => "\"event\":\"not_utf8\"".to_string(),
            Received::Closed => "\"event\":\"closed\"".to_string(),
        };
        let line = format!(
            "{{\"n\":{},\"at_ns\":{at_ns},{what},\"answer\":{answer}}}",
            self.count
        );
        self.line(&line)
    }
}

/// `reports/sessions/<scenario>-seed<S>.jsonl`, or the first free `-2`, `-3`, ... name.
pub fn default_path(scenario_name: &str, seed: u64) -> PathBuf {
    let safe = crate::runner::scenario_run::file_name_of(scenario_name);
    let dir = Path::new("reports").join("sessions");
    let mut path = dir.join(format!("{safe}-seed{seed}.jsonl"));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = dir.join(format!("{safe}-seed{seed}-{n}.jsonl"));
    }
    path
}

/// A transcript read back.
pub struct Transcript {
    pub scenario_file: PathBuf,
    pub scenario_text: String,
    pub seed: u64,
    /// Each request as received, with the answer recorded for it.
    pub lines: Vec<(Received, Value)>,
}

/// Reads a transcript; errors name the file and line.
pub fn read(path: &Path) -> Result<Transcript, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let mut reader = std::io::BufReader::new(file);
    let mut lines = Vec::new();
    let mut header: Option<Value> = None;
    let mut number = 0u64;
    loop {
        number += 1;
        let mut text = String::new();
        let read = Read::by_ref(&mut reader)
            .take(TRANSCRIPT_LINE_BYTES_MAX)
            .read_line(&mut text)
            .map_err(|e| format!("{}:{number}: cannot read: {e}", path.display()))?;
        if read == 0 {
            break;
        }
        if !text.ends_with('\n') && read as u64 >= TRANSCRIPT_LINE_BYTES_MAX {
            return Err(format!(
                "{}:{number}: line longer than {TRANSCRIPT_LINE_BYTES_MAX} bytes",
                path.display()
            ));
        }
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}:{number}: not a transcript line: {e}", path.display()))?;
        if header.is_none() {
            if value["rpsim_transcript"] != json!(TRANSCRIPT_VERSION) {
                return Err(format!(
                    "{}:1: not an rpsim transcript (version {TRANSCRIPT_VERSION} header expected)",
                    path.display()
                ));
            }
            header = Some(value);
            continue;
        }
        let received = match (
            value.get("request"),
            value.get("event").and_then(Value::as_str),
        ) {
            (Some(Value::String(line)), _) => Received::Line(line.clone()),
            (_, Some("line_too_long")) => Received::TooLong,
            (_, Some("not_utf8")) => Received::NotUtf8,
            (_, Some("closed")) => Received::Closed,
            _ => {
                return Err(format!(
                    "{}:{number}: a line with neither request nor event",
                    path.display()
                ))
            }
        };
        lines.push((
            received,
            value.get("answer").cloned().unwrap_or(Value::Null),
        ));
    }
    let header = header.ok_or_else(|| format!("{}: empty transcript", path.display()))?;
    let field = |name: &str| format!("{}:1: the header has no `{name}`", path.display());
    Ok(Transcript {
        scenario_file: PathBuf::from(
            header["scenario_file"]
                .as_str()
                .ok_or_else(|| field("scenario_file"))?,
        ),
        scenario_text: header["scenario_yaml"]
            .as_str()
            .ok_or_else(|| field("scenario_yaml"))?
            .to_string(),
        seed: header["seed"].as_u64().ok_or_else(|| field("seed"))?,
        lines,
    })
}

/// What a replay found.
pub struct Replay {
    pub end: SessionEnd,
    /// Requests whose answer differs from the recorded one (1-based numbers, the first few).
    pub differences: Vec<u64>,
    pub requests: u64,
}

/// Most differing answers a replay names.
const DIFFERENCES_NAMED: usize = 5;

/// Loads the scenario a transcript holds.
pub fn scenario_of(transcript: &Transcript, path: &Path) -> Result<Scenario, RunFailure> {
    let name = format!(
        "{} (from {})",
        transcript.scenario_file.display(),
        path.display()
    );
    Ok(rpsim_scenario::parse_scenario(
        &name,
        &transcript.scenario_text,
    )?)
}

/// Replays `transcript` through a new session over `scenario` and compares every answer.
pub fn replay(
    path: &Path,
    transcript: &Transcript,
    scenario: &Scenario,
    options: &RunOptions,
) -> Result<Replay, RunFailure> {
    let options = RunOptions {
        seed: Some(transcript.seed),
        ..options.clone()
    };
    let prepared = super::prepare(scenario, Some(transcript.seed));
    let mut session = ClientSession::start(path, &prepared, &options)?;
    let mut differences = Vec::new();
    let mut requests = 0;
    let mut end = None;
    for (received, recorded) in &transcript.lines {
        requests += 1;
        let answer = match received {
            Received::Line(line) => {
                let (answer, ended) = session.handle_line(line);
                end = ended;
                answer
            }
            Received::TooLong => session.line_too_long(),
            Received::NotUtf8 => session.not_utf8(),
            Received::Closed => {
                let ended = session.end();
                let answer = super::protocol::answer_ok(&Value::Null, ended.report.clone());
                end = Some(ended);
                answer
            }
        };
        let same = serde_json::from_str::<Value>(&answer).is_ok_and(|a| &a == recorded);
        if !same && differences.len() < DIFFERENCES_NAMED {
            differences.push(requests);
        }
        if end.is_some() {
            break;
        }
    }
    let end = end.unwrap_or_else(|| session.end());
    Ok(Replay {
        end,
        differences,
        requests,
    })
}

/// The scenario a transcript converts to: its own, with the seed of the session, its
/// exploration sections as the values that seed drew (the session served those), and the
/// client's calls appended to the timeline (each at the sim time it was made), as YAML.
pub fn to_scenario_yaml(
    path: &Path,
    transcript: &Transcript,
    scenario: &Scenario,
    end: &SessionEnd,
) -> String {
    let mut converted = super::prepare(scenario, Some(transcript.seed)).scenario;
    converted.seed = Some(transcript.seed);
    converted
        .timeline
        .extend(end.client_timeline.iter().cloned());
    let body = serde_norway::to_string(&converted).expect("a scenario serialises");
    format!(
        "# Written by `rpsim from-transcript {}`: scenario {} at seed {} with the client's {} \
         call(s) as timeline entries.\n{body}",
        path.display(),
        transcript.scenario_file.display(),
        transcript.seed,
        end.client_timeline.len()
    )
}

/// `rpsim run TRANSCRIPT.jsonl`: replays the session and checks it like a scenario run, with a
/// failed `transcript` check when an answer differs from the recorded one.
pub fn replay_file(
    path: &Path,
    options: &RunOptions,
) -> Result<crate::runner::ScenarioRun, RunFailure> {
    let bad = |message: String| RunFailure::Simulation {
        file: path.display().to_string(),
        message,
    };
    let transcript = read(path).map_err(bad)?;
    let scenario = scenario_of(&transcript, path)?;
    let options = RunOptions {
        golden: None,
        ..options.clone()
    };
    let replay = replay(path, &transcript, &scenario, &options)?;
    let Some(mut run) = replay.end.run else {
        return Err(RunFailure::Invariant {
            file: path.display().to_string(),
            message: replay.end.stopped.unwrap_or_default(),
        });
    };
    let failure = (!replay.differences.is_empty()).then(|| {
        let numbers: Vec<String> = replay.differences.iter().map(u64::to_string).collect();
        format!(
            "the answers to request(s) {} of {} differ from the transcript",
            numbers.join(", "),
            replay.requests
        )
    });
    run.checks.record("transcript", None, failure);
    Ok(run)
}

/// `rpsim from-transcript`: replays the transcript and returns the scenario it converts to.
pub fn convert_file(path: &Path) -> Result<String, RunFailure> {
    let bad = |message: String| RunFailure::Simulation {
        file: path.display().to_string(),
        message,
    };
    let transcript = read(path).map_err(bad)?;
    let scenario = scenario_of(&transcript, path)?;
    let replay = replay(path, &transcript, &scenario, &RunOptions::default())?;
    Ok(to_scenario_yaml(path, &transcript, &scenario, &replay.end))
}

/// `rpsim from-transcript TRANSCRIPT [-o OUT]`: writes the scenario (to `out`, never over an
/// existing file, or as a data line when `out` is `None`).
pub fn from_transcript(
    path: &Path,
    out: Option<&Path>,
    reporter: &mut dyn crate::reporter::Reporter,
) -> crate::Outcome {
    use crate::reporter::HarnessEvent;
    let yaml = match convert_file(path) {
        Ok(yaml) => yaml,
        Err(failure) => {
            reporter.event(&HarnessEvent::NotRunnable { failure: &failure });
            return crate::Outcome::BadInput;
        }
    };
    let Some(out) = out else {
        reporter.event(&HarnessEvent::Data {
            line: yaml.trim_end(),
        });
        return crate::Outcome::Passed;
    };
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .and_then(|mut file| file.write_all(yaml.as_bytes()));
    match written {
        Ok(()) => {
            reporter.event(&HarnessEvent::Wrote {
                path: out,
                what: "scenario",
            });
            crate::Outcome::Passed
        }
        Err(e) => {
            let message = format!("cannot write {}: {e}", out.display());
            reporter.event(&HarnessEvent::Error { message: &message });
            crate::Outcome::BadInput
        }
    }
}
