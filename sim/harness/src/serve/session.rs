//! [`ClientSession`]: one client's session over one scenario and seed. It answers each request
//! line (PROTOCOL.md): the handshake, reads, the methods that change the world (as timeline
//! entries of the world's own [`rpsim_world::Session`]), `Wait`, and `EndSession`, which runs
//! the rest of the event loop and the end-of-run checks exactly as `rpsim run` does. Owns the
//! session's state and limits; it must never read a wall clock for anything an answer holds
//! (the wall time only reaches the report's `wall_time_ms`, as in `rpsim run`), nor print.

use super::limits::{CALLS_BETWEEN_WAITS_MAX, REQUESTS_MAX, WORLD_CALLS_MAX};
use super::methods::{self, Names, Translated};
use super::objects::{Object, Objects};
use super::paths;
use super::prepared::Prepared;
use super::protocol::{self, Params, ProtocolError, Request, PROTOCOL_VERSION};
use crate::runner::scenario_run::{checked, scratch_and_export_root, CheckingObserver};
use crate::runner::{RunFailure, RunOptions, ScenarioRun};
use rpsim_scenario::model::TimelineEntry;
use rpsim_world::{RunConfig, RunError, Session};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// How the session ended.
#[derive(Debug)]
pub struct SessionEnd {
    /// The checked run, unless the run stopped early (a live invariant or a limit).
    pub run: Option<ScenarioRun>,
    /// Why the run stopped early.
    pub stopped: Option<String>,
    /// The client's calls as timeline entries (for the scenario a transcript converts to).
    pub client_timeline: Vec<TimelineEntry>,
    /// The `EndSession` answer's result.
    pub report: Value,
}

impl SessionEnd {
    pub fn passed(&self) -> bool {
        self.run.as_ref().is_some_and(ScenarioRun::passed)
    }
}

enum State<'s> {
    Running(Box<Session<'s>>),
    /// The run stopped (a live invariant failed, or a simulation limit was hit).
    Stopped(String, Vec<TimelineEntry>),
    Ended,
}

/// One client's session.
pub struct ClientSession<'s> {
    file: PathBuf,
    prepared: &'s Prepared,
    options: RunOptions,
    host: String,
    state: State<'s>,
    observer: CheckingObserver<'static>,
    scratch: crate::runner::storage::RunScratch,
    hello: bool,
    calls_since_wait: u64,
    requests: u64,
    names: Names,
    wall_start: std::time::Instant,
}

impl<'s> ClientSession<'s> {
    /// Starts a session over `prepared` (loaded from `file`, expanded at its seed by
    /// [`super::prepare`]); `options.seed` is ignored in favour of `prepared.seed`.
    pub fn start(
        file: &Path,
        prepared: &'s Prepared,
        options: &RunOptions,
    ) -> Result<ClientSession<'s>, RunFailure> {
        let wall_start = std::time::Instant::now();
        let scenario = &prepared.scenario;
        let (scratch, export_root) = scratch_and_export_root(file, scenario, options)?;
        let config = RunConfig {
            seed: prepared.seed,
            fs: scratch.fs().clone(),
            export_root,
            keep_trace_records: options.keep_trace,
            observe_probes: true,
        };
        let mut observer = CheckingObserver::new(None);
        let session = Session::start(scenario, &config, &mut observer).map_err(|e| {
            RunFailure::Simulation {
                file: file.display().to_string(),
                message: e.to_string(),
            }
        })?;
        Ok(ClientSession {
            file: file.to_path_buf(),
            prepared,
            options: options.clone(),
            host: scenario
                .hosts
                .first()
                .map_or("host", |h| h.name.as_str())
                .to_string(),
            state: State::Running(Box::new(session)),
            observer,
            scratch,
            hello: false,
            calls_since_wait: 0,
            requests: 0,
            names: Names::default(),
            wall_start,
        })
    }

    /// The session's sim time (0 once it ended).
    pub fn now_ns(&self) -> u64 {
        match &self.state {
            State::Running(session) => session.now_ns(),
            _ => 0,
        }
    }

    pub fn seed(&self) -> u64 {
        self.prepared.seed
    }

    /// Answers one request line; with `Some(end)` the session is over.
    pub fn handle_line(&mut self, line: &str) -> (String, Option<SessionEnd>) {
        match protocol::parse_request(line) {
            Ok(request) => self.handle(&request),
            Err((id, error)) => (protocol::answer_error(&id, &error), None),
        }
    }

    /// The answer to a line over the size limit (the line itself was never held whole).
    pub fn line_too_long(&mut self) -> String {
        let error = ProtocolError::QUOTA_VIOLATION(format!(
            "the request line is longer than {} bytes; it was skipped",
            super::limits::LINE_BYTES_MAX
        ));
        protocol::answer_error(&Value::Null, &error)
    }

    /// The answer to a line that is not UTF-8.
    pub fn not_utf8(&mut self) -> String {
        let error = ProtocolError::INVALID_SYNTAX("the request line is not UTF-8");
        protocol::answer_error(&Value::Null, &error)
    }

    /// Ends the session as `EndSession` does (for a client that closed its input).
    pub fn end(&mut self) -> SessionEnd {
        self.finish()
    }

    fn handle(&mut self, request: &Request) -> (String, Option<SessionEnd>) {
        let params = Params {
            method: &request.method,
            map: &request.params,
        };
        if request.method == "EndSession" {
            if let Err(e) = params.only(&[]) {
                return (protocol::answer_error(&request.id, &e), None);
            }
            let end = self.finish();
            return (
                protocol::answer_ok(&request.id, end.report.clone()),
                Some(end),
            );
        }
        let answer = match self.answer(request, &params) {
            Ok(result) => protocol::answer_ok(&request.id, result),
            Err(error) => protocol::answer_error(&request.id, &error),
        };
        (answer, None)
    }

    fn answer(&mut self, request: &Request, params: &Params) -> Result<Value, ProtocolError> {
        self.requests += 1;
        if self.requests > REQUESTS_MAX {
            return Err(ProtocolError::QUOTA_VIOLATION(format!(
                "more than {REQUESTS_MAX} requests in one session; call EndSession"
            )));
        }
        if request.method == "Hello" {
            return self.hello(params);
        }
        if !self.hello {
            return Err(ProtocolError::INVALID_OPERATION(
                "the first request must be Hello with ProtocolVersion 1",
            ));
        }
        let session = match &mut self.state {
            State::Running(session) => session,
            State::Stopped(message, _) => {
                return Err(ProtocolError::SHUTTING_DOWN(format!(
                    "the run stopped ({message}); call EndSession for the report"
                )))
            }
            State::Ended => return Err(ProtocolError::SHUTTING_DOWN("the session ended")),
        };
        if request.method == "Wait" {
            params.only(&["DurationNs"])?;
            let duration = params.unsigned("DurationNs", u64::MAX)?;
            let now = session.now_ns();
            if now.saturating_add(duration) > session.stop_at_ns() {
                return Err(ProtocolError::INVALID_OPERATION(format!(
                    "Wait: sim time would pass stop_at ({} ns, now {now} ns); call EndSession",
                    session.stop_at_ns()
                )));
            }
            self.calls_since_wait = 0;
            let result = session.wait(duration, &mut self.observer);
            return self.after_world(result).map(|()| self.clock());
        }
        self.calls_since_wait += 1;
        if self.calls_since_wait > CALLS_BETWEEN_WAITS_MAX {
            return Err(ProtocolError::QUOTA_VIOLATION(format!(
                "more than {CALLS_BETWEEN_WAITS_MAX} requests without a Wait: sim time only \
                 moves in Wait (a client's sleep)"
            )));
        }
        let objects = Objects {
            session,
            host: &self.host,
        };
        let translated = match request.method.as_str() {
            "Get" => {
                params.only(&["Path"])?;
                let object = objects.resolve(&paths::parse(params.string("Path")?)?)?;
                return Ok(json!({ "Instance": objects.instance(object) }));
            }
            "Enumerate" => {
                params.only(&["Class"])?;
                let found = objects.enumerate(params.string("Class")?)?;
                let instances: Vec<Value> =
                    found.into_iter().map(|o| objects.instance(o)).collect();
                return Ok(json!({ "Instances": instances }));
            }
            "Associators" => return associators(&objects, params),
            "GetError" | "GetErrorEx" => return get_error(&objects, params),
            "CreateReferencePoint" => methods::create_reference_point(
                params,
                &objects,
                &self.prepared.scenario,
                &mut self.names,
            )?,
            "DestroyReferencePoint" => methods::reference_point_action(params, &objects, true)?,
            "RemoveAssociatedData" => methods::reference_point_action(params, &objects, false)?,
            "ExportReferencePoint" => methods::export_reference_point(
                params,
                &objects,
                &self.prepared.scenario,
                &mut self.names,
            )?,
            "RequestStateChange" => {
                let (export, _) = job_of(&objects, params)?;
                let name = session.exports()[export].name.clone();
                methods::request_state_change(params, &name)?
            }
            "InjectFault" => methods::inject_fault(params)?,
            other => {
                return Err(ProtocolError::INVALID_METHOD(format!(
                    "unknown method `{}`; see PROTOCOL.md for the methods",
                    rpsim_scenario::text::one_line(other)
                )))
            }
        };
        self.carry_out(&request.method, translated)
    }

    fn hello(&mut self, params: &Params) -> Result<Value, ProtocolError> {
        params.only(&["ProtocolVersion", "Client"])?;
        let version = params.unsigned("ProtocolVersion", u64::from(u32::MAX))?;
        if version != PROTOCOL_VERSION {
            return Err(ProtocolError::INVALID_PARAMETER(format!(
                "protocol version {version} is not spoken here; this server speaks \
                 {PROTOCOL_VERSION}"
            )));
        }
        self.hello = true;
        let objects = self.objects();
        Ok(json!({
            "ProtocolVersion": PROTOCOL_VERSION,
            "Server": format!("rpsim {}", env!("CARGO_PKG_VERSION")),
            "Host": self.host,
            "Namespace": paths::NAMESPACE,
            "Scenario": self.prepared.scenario.name,
            "Seed": self.prepared.seed,
            "Exploration": (!self.prepared.drawn.is_empty()).then(|| self.prepared.drawn.short()),
            "Service": objects.as_ref().map(|o| o.path(Object::Service)),
            "StopAtNs": match &self.state { State::Running(s) => Some(s.stop_at_ns()), _ => None },
        }))
    }

    fn objects(&self) -> Option<Objects<'_, 's>> {
        match &self.state {
            State::Running(session) => Some(Objects {
                session,
                host: &self.host,
            }),
            _ => None,
        }
    }

    fn clock(&self) -> Value {
        let now = self.now_ns();
        json!({ "NowNs": now, "Now": rpsim_export::cimtime::datetime(now) })
    }

    /// Carries out a translated world-changing call and builds its out-parameters.
    fn carry_out(&mut self, method: &str, translated: Translated) -> Result<Value, ProtocolError> {
        let mut entry = match translated {
            Translated::Refused(code) => return Ok(out_params(method, code, None, None)),
            Translated::Entry(entry) => *entry,
        };
        let State::Running(session) = &mut self.state else {
            unreachable!("checked by the caller");
        };
        entry.at = rpsim_scenario::units::SimDuration(session.now_ns());
        if session.client_timeline().len() >= WORLD_CALLS_MAX {
            return Err(ProtocolError::QUOTA_VIOLATION(format!(
                "more than {WORLD_CALLS_MAX} calls that change the world in one session"
            )));
        }
        if let Some(problem) =
            methods::problems_with(&self.prepared.scenario, session.client_timeline(), &entry)
        {
            let problem = format!("{method}: {problem}");
            return Err(ProtocolError::INVALID_PARAMETER(problem));
        }
        let exports_before = session.exports().len();
        let result = session.call(entry.clone(), &mut self.observer);
        let code = match &result {
            Ok(code) => *code,
            Err(_) => None,
        };
        self.after_world(result.map(|_| ()))?;
        let State::Running(session) = &self.state else {
            unreachable!("after_world keeps a running session");
        };
        let objects = Objects {
            session,
            host: &self.host,
        };
        if let Some(export) = &entry.export {
            let record = &session.exports()[exports_before];
            debug_assert_eq!(record.name, export.name);
            let job = record.job_id.map(|job| {
                objects.path(Object::Job {
                    export: exports_before,
                    job,
                })
            });
            return Ok(out_params(method, record.result.return_code, job, None));
        }
        if let Some(change) = &entry.request_state_change {
            let record = session.exports().iter().rfind(|r| r.name == change.export);
            let code = record.and_then(|r| r.state_change_codes.last().copied());
            return Ok(out_params(
                method,
                code.unwrap_or(rpsim_export::wmi::state_change_code::INVALID_PARAMETER),
                None,
                None,
            ));
        }
        if let Some(create) = &entry.create_reference_point {
            let world = session.world();
            let point = world
                .refpoints
                .all()
                .iter()
                .position(|p| p.name == create.name);
            let path = point
                .filter(|_| code == Some(0))
                .map(|i| objects.path(Object::ReferencePoint(i)));
            return Ok(out_params(method, code.unwrap_or(0), None, Some(path)));
        }
        if entry.fault.is_some() {
            return Ok(json!({ "NowNs": session.now_ns() }));
        }
        Ok(out_params(method, code.unwrap_or(0), None, None))
    }

    /// Keeps the session running after a world call, or records why the run stopped.
    fn after_world(&mut self, result: Result<(), RunError>) -> Result<(), ProtocolError> {
        let Err(error) = result else {
            return Ok(());
        };
        let message = match &error {
            RunError::Invariant { .. } => format!("live invariant: {error}"),
            other => other.to_string(),
        };
        let timeline = match &self.state {
            State::Running(session) => session.client_timeline().to_vec(),
            _ => Vec::new(),
        };
        self.state = State::Stopped(message.clone(), timeline);
        Err(ProtocolError::SHUTTING_DOWN(format!(
            "the run stopped: {message}; call EndSession for the report"
        )))
    }

    fn finish(&mut self) -> SessionEnd {
        let state = std::mem::replace(&mut self.state, State::Ended);
        let (run, stopped, client_timeline) = match state {
            State::Running(session) => match session.finish(&mut self.observer) {
                Ok(done) => {
                    let mut run = checked(
                        &self.file,
                        &self.prepared.scenario,
                        &self.options,
                        done.outcome,
                        &self.scratch,
                        self.wall_start,
                    );
                    run.drawn = self.prepared.drawn.clone();
                    (Some(run), None, done.client_timeline)
                }
                Err(error) => (None, Some(error.to_string()), Vec::new()),
            },
            State::Stopped(message, timeline) => (None, Some(message), timeline),
            State::Ended => (
                None,
                Some("the session had already ended".to_string()),
                Vec::new(),
            ),
        };
        let report = super::report::report(run.as_ref(), stopped.as_deref());
        SessionEnd {
            run,
            stopped,
            client_timeline,
            report,
        }
    }
}

/// A method's out-parameters under their WMI names.
fn out_params(
    method: &str,
    code: u32,
    job: Option<String>,
    resulting: Option<Option<String>>,
) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("ReturnValue".into(), code.into());
    if method != "RequestStateChange" {
        out.insert("Job".into(), job.map_or(Value::Null, Value::from));
    }
    if method == "CreateReferencePoint" {
        let path = resulting.flatten();
        out.insert(
            "ResultingReferencePointCollection".into(),
            path.map_or(Value::Null, Value::from),
        );
    }
    Value::Object(out)
}

/// The export record and job a method's `Path` names.
fn job_of(
    objects: &Objects,
    params: &Params,
) -> Result<(usize, rpsim_export::service::JobId), ProtocolError> {
    let path = paths::parse(params.string("Path")?)?;
    match objects.resolve(&path)? {
        Object::Job { export, job } => Ok((export, job)),
        _ => Err(ProtocolError::INVALID_METHOD(format!(
            "{} is a method of {}",
            params.method,
            paths::EXPORT_JOB
        ))),
    }
}

fn get_error(objects: &Objects, params: &Params) -> Result<Value, ProtocolError> {
    params.only(&["Path"])?;
    let (_, job) = job_of(objects, params)?;
    let service = objects.session.service();
    let now_ns = objects.session.now_ns();
    let gone = |_| {
        ProtocolError::NOT_FOUND(format!(
            "{} was removed (TimeBeforeRemoval after it ended)",
            rpsim_scenario::text::one_line(params.string("Path").unwrap_or_default())
        ))
    };
    if params.method == "GetError" {
        let (code, error) = service.get_error(job, now_ns).map_err(gone)?;
        return Ok(json!({ "ReturnValue": code, "Error": error }));
    }
    let (code, errors) = service.get_error_ex(job, now_ns).map_err(gone)?;
    let cim_xml = rpsim_export::cimxml::msvm_errors(&errors);
    Ok(json!({ "ReturnValue": code, "Errors": errors, "ErrorsCimXml": cim_xml }))
}

fn associators(objects: &Objects, params: &Params) -> Result<Value, ProtocolError> {
    params.only(&["Path", "AssocClass", "ResultClass"])?;
    let object = objects.resolve(&paths::parse(params.string("Path")?)?)?;
    let assoc = params.string("AssocClass")?;
    if !assoc.eq_ignore_ascii_case(paths::AFFECTED_JOB_ELEMENT) {
        return Err(ProtocolError::INVALID_CLASS(format!(
            "association `{}` is not served; served: {}",
            rpsim_scenario::text::one_line(assoc),
            paths::AFFECTED_JOB_ELEMENT
        )));
    }
    let result_class = params.opt_string("ResultClass")?;
    let instances: Vec<Value> = objects
        .affected_job_elements(object)
        .into_iter()
        .map(|o| objects.instance(o))
        .filter(|instance| {
            result_class.is_none_or(|class| {
                let own = instance["__CLASS"].as_str().unwrap_or_default();
                own.eq_ignore_ascii_case(class)
                    || (class.eq_ignore_ascii_case(paths::CONCRETE_JOB) && own == paths::EXPORT_JOB)
            })
        })
        .collect();
    Ok(json!({ "Instances": instances }))
}
