//! A Rust client for tests: drives a [`ClientSession`] in the same process through the JSON
//! protocol (every request is a line, every answer is parsed back), with helpers named after
//! the WMI calls. Owns only request building and answer parsing; it must never reach into the
//! session's state, so a test sees exactly what a client over the pipe would.

use super::prepared::Prepared;
use super::protocol::ProtocolError;
use super::session::{ClientSession, SessionEnd};
use crate::runner::{RunFailure, RunOptions};
use serde_json::{json, Value};
use std::path::Path;

/// An error answer: WBEM code, name and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorAnswer {
    pub code: u32,
    pub name: String,
    pub message: String,
}

impl From<ProtocolError> for ErrorAnswer {
    fn from(e: ProtocolError) -> ErrorAnswer {
        ErrorAnswer {
            code: e.code,
            name: e.name.to_string(),
            message: e.message,
        }
    }
}

/// A client of one in-process session.
pub struct Client<'s> {
    session: ClientSession<'s>,
    next_id: u64,
    /// Every (request, answer) line so far.
    pub lines: Vec<(String, String)>,
}

impl<'s> Client<'s> {
    /// Starts a session over `prepared` (a scenario expanded at its seed by
    /// [`super::prepare`]) and says Hello.
    pub fn start(file: &Path, prepared: &'s Prepared) -> Result<Client<'s>, RunFailure> {
        let options = RunOptions {
            seed: Some(prepared.seed),
            ..RunOptions::default()
        };
        let session = ClientSession::start(file, prepared, &options)?;
        let mut client = Client {
            session,
            next_id: 0,
            lines: Vec::new(),
        };
        client
            .call(
                "Hello",
                json!({ "ProtocolVersion": super::protocol::PROTOCOL_VERSION }),
            )
            .expect("Hello is answered");
        Ok(client)
    }

    /// Sends one raw line; returns the answer line.
    pub fn send_line(&mut self, line: &str) -> String {
        let (answer, _) = self.session.handle_line(line);
        self.lines.push((line.to_string(), answer.clone()));
        answer
    }

    /// Calls `method` with `params`; the `result`, or the error answer.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, ErrorAnswer> {
        self.next_id += 1;
        let line = json!({ "id": self.next_id, "method": method, "params": params }).to_string();
        let answer: Value = serde_json::from_str(&self.send_line(&line)).expect("answers are JSON");
        if let Some(error) = answer.get("error") {
            return Err(ErrorAnswer {
                code: error["code"].as_u64().unwrap_or_default() as u32,
                name: error["name"].as_str().unwrap_or_default().to_string(),
                message: error["message"].as_str().unwrap_or_default().to_string(),
            });
        }
        Ok(answer["result"].clone())
    }

    /// `Get` of an object path: the instance.
    pub fn get(&mut self, path: &str) -> Result<Value, ErrorAnswer> {
        self.call("Get", json!({ "Path": path }))
            .map(|r| r["Instance"].clone())
    }

    /// `Enumerate` of a class: its instances.
    pub fn enumerate(&mut self, class: &str) -> Result<Vec<Value>, ErrorAnswer> {
        let result = self.call("Enumerate", json!({ "Class": class }))?;
        Ok(result["Instances"].as_array().cloned().unwrap_or_default())
    }

    /// `Wait(duration)`: moves sim time.
    pub fn wait_ns(&mut self, duration_ns: u64) -> Result<(), ErrorAnswer> {
        self.call("Wait", json!({ "DurationNs": duration_ns }))
            .map(|_| ())
    }

    /// `CreateReferencePoint` of a VM group (by path), RCT (2) or log (1):
    /// (ReturnValue, ResultingReferencePointCollection).
    pub fn create_reference_point(
        &mut self,
        group: &str,
        kind: u16,
    ) -> Result<(u32, Option<String>), ErrorAnswer> {
        let params = json!({ "Collection": group, "ReferencePointType": kind, "ReferencePointSettings": {} });
        let out = self.call("CreateReferencePoint", params)?;
        Ok((
            return_value(&out),
            out["ResultingReferencePointCollection"]
                .as_str()
                .map(str::to_string),
        ))
    }

    /// `ExportReferencePoint`: (ReturnValue, Job).
    pub fn export(
        &mut self,
        point: &str,
        directory: &str,
        base: Option<&str>,
    ) -> Result<(u32, Option<String>), ErrorAnswer> {
        let settings = json!({ "BaseReferencePointCollection": base.unwrap_or_default() });
        let params = json!({ "ReferencePointCollection": point, "ExportDirectory": directory, "ExportSettingData": settings });
        let out = self.call("ExportReferencePoint", params)?;
        Ok((return_value(&out), out["Job"].as_str().map(str::to_string)))
    }

    /// A job's `RequestStateChange`: ReturnValue.
    pub fn request_state_change(&mut self, job: &str, state: u16) -> Result<u32, ErrorAnswer> {
        let out = self.call(
            "RequestStateChange",
            json!({ "Path": job, "RequestedState": state }),
        )?;
        Ok(return_value(&out))
    }

    /// Ends the session: the rest of the run, the checks and the report.
    pub fn end(mut self) -> SessionEnd {
        let (answer, end) = self
            .session
            .handle_line(r#"{"id":"end","method":"EndSession"}"#);
        self.lines
            .push((r#"{"id":"end","method":"EndSession"}"#.to_string(), answer));
        end.expect("EndSession ends the session")
    }
}

fn return_value(out: &Value) -> u32 {
    out["ReturnValue"].as_u64().unwrap_or(u64::MAX) as u32
}
