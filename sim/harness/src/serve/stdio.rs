//! `rpsim serve` over a pair of byte streams: reads request lines (bounded by
//! [`LINE_BYTES_MAX`], never holding a longer line), answers each on its own line, flushed,
//! writes the transcript, and ends the session on `EndSession`, on end of input, or when the
//! client stops reading (its end of the output closed). Owns that loop and its exits; it must
//! never decide an answer (the session does).

use super::limits::LINE_BYTES_MAX;
use super::session::{ClientSession, SessionEnd};
use super::transcript::{Received, TranscriptWriter};
use crate::reporter::{HarnessEvent, Reporter};
use crate::runner::RunOptions;
use crate::Outcome;
use std::io::{BufRead, Write};
use std::path::PathBuf;

/// What `rpsim serve` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct ServeRequest {
    pub scenario: PathBuf,
    pub seed: Option<u64>,
    /// Where the transcript goes (default: [`super::transcript::default_path`]).
    pub transcript: Option<PathBuf>,
    /// Keep the export directories under `DIR/<scenario>/`.
    pub keep_exports: Option<PathBuf>,
}

/// One line read, bounded.
enum Line {
    Text(String),
    TooLong,
    NotUtf8,
    End,
}

fn read_line(input: &mut dyn BufRead) -> std::io::Result<Line> {
    let mut bytes = Vec::new();
    let mut too_long = false;
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            if bytes.is_empty() && !too_long {
                return Ok(Line::End);
            }
            break;
        }
        let (chunk, found) = match buffer.iter().position(|b| *b == b'\n') {
            Some(i) => (&buffer[..i], Some(i + 1)),
            None => (buffer, None),
        };
        if !too_long && bytes.len() + chunk.len() <= LINE_BYTES_MAX {
            bytes.extend_from_slice(chunk);
        } else {
            too_long = true;
            bytes = Vec::new();
        }
        let used = found.unwrap_or(buffer.len());
        input.consume(used);
        if found.is_some() {
            break;
        }
    }
    if too_long {
        return Ok(Line::TooLong);
    }
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    Ok(String::from_utf8(bytes).map_or(Line::NotUtf8, Line::Text))
}

/// Serves one client session on `input`/`output`; events (errors, the end-of-run line) go to
/// `reporter`, which must not write to `output`.
pub fn serve(
    request: &ServeRequest,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
    reporter: &mut dyn Reporter,
) -> Outcome {
    let bad = |reporter: &mut dyn Reporter, message: &str| {
        reporter.event(&HarnessEvent::Error { message });
        Outcome::BadInput
    };
    let text = match std::fs::read_to_string(&request.scenario) {
        Ok(text) => text,
        Err(e) => {
            return bad(
                reporter,
                &format!("{}: cannot read: {e}", request.scenario.display()),
            )
        }
    };
    let name = request.scenario.display().to_string();
    let scenario = match rpsim_scenario::parse_scenario(&name, &text) {
        Ok(scenario) => scenario,
        Err(error) => {
            let failure = crate::runner::RunFailure::Scenario(error);
            reporter.event(&HarnessEvent::NotRunnable { failure: &failure });
            return Outcome::BadInput;
        }
    };
    let options = RunOptions {
        seed: request.seed,
        keep_trace: false,
        keep_exports: request.keep_exports.clone(),
        golden: None,
        storage: None,
    };
    let prepared = super::prepare(&scenario, request.seed);
    let mut session = match ClientSession::start(&request.scenario, &prepared, &options) {
        Ok(session) => session,
        Err(failure) => {
            reporter.event(&HarnessEvent::NotRunnable { failure: &failure });
            return Outcome::BadInput;
        }
    };
    let transcript_path = request
        .transcript
        .clone()
        .unwrap_or_else(|| super::transcript::default_path(&scenario.name, session.seed()));
    let mut transcript = match TranscriptWriter::create(
        &transcript_path,
        &request.scenario,
        &text,
        session.seed(),
    ) {
        Ok(writer) => writer,
        Err(message) => return bad(reporter, &message),
    };
    let mut end = loop {
        let at_ns = session.now_ns();
        let line = match read_line(input) {
            Ok(line) => line,
            Err(e) => {
                let message = format!("cannot read the client's requests: {e}; the session ends");
                reporter.event(&HarnessEvent::Error { message: &message });
                Line::End
            }
        };
        let (received, answer, end) = match line {
            Line::Text(text) => {
                let (answer, end) = session.handle_line(&text);
                (Received::Line(text), answer, end)
            }
            Line::TooLong => (Received::TooLong, session.line_too_long(), None),
            Line::NotUtf8 => (Received::NotUtf8, session.not_utf8(), None),
            Line::End => {
                let end = session.end();
                let answer =
                    super::protocol::answer_ok(&serde_json::Value::Null, end.report.clone());
                (Received::Closed, answer, Some(end))
            }
        };
        if let Err(message) = transcript.record(at_ns, &received, &answer) {
            reporter.event(&HarnessEvent::Error { message: &message });
        }
        // One write per answer: a reader waiting for the newline wakes once.
        let mut bytes = answer.into_bytes();
        bytes.push(b'\n');
        let written = output.write_all(&bytes).and_then(|()| output.flush());
        if let Some(end) = end {
            break end;
        }
        if let Err(e) = written {
            let message = format!("the client stopped reading the answers ({e}); the session ends");
            reporter.event(&HarnessEvent::Error { message: &message });
            let end = session.end();
            let answer = super::protocol::answer_ok(&serde_json::Value::Null, end.report.clone());
            let _ = transcript.record(session.now_ns(), &Received::Closed, &answer);
            break end;
        }
    };
    // The run replays from its transcript, not from the scenario alone.
    if let Some(run) = end.run.as_mut() {
        run.file = transcript_path.clone();
    }
    finish(&end, &transcript_path, reporter)
}

fn finish(end: &SessionEnd, transcript: &std::path::Path, reporter: &mut dyn Reporter) -> Outcome {
    match (&end.run, &end.stopped) {
        (Some(run), _) => reporter.event(&HarnessEvent::RunFinished {
            run,
            quiet: false,
            bless: false,
            plant_bug: None,
        }),
        (None, stopped) => {
            let message = format!(
                "the session's run stopped: {}",
                stopped.as_deref().unwrap_or("unknown")
            );
            reporter.event(&HarnessEvent::Error { message: &message });
        }
    }
    reporter.event(&HarnessEvent::Wrote {
        path: transcript,
        what: "session transcript (replay it with `rpsim run FILE`)",
    });
    Outcome::checks(!end.passed())
}
