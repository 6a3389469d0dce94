//! The one entry point: [`run`] builds the world from a scenario and a seed, schedules the
//! timeline, guest writes and drawn random faults, and pops events in (time, sequence) order,
//! driving the export service and recording every event in the trace. Owns the event loop and
//! the record of each export; it must never read a wall clock or put a real path in the trace.

use crate::call;
use crate::events::EventQueue;
use crate::faults::draw_random_faults;
use crate::observe::{
    EventKind, EventObserver, NoObserver, RandomDecision, RunView, StopAfterOps, StopMode,
};
use crate::rng::Streams;
use crate::target::{SimTarget, StorageSpec};
use crate::trace::{Trace, TraceRecord};
use crate::workload::Writer;
use crate::world::{World, WorldError};
use rpsim_export::guid::Guid;
use rpsim_export::service::{CallResult, ExportCall, ExportService, JobId, StepOutcome};
use rpsim_export::wmi::{return_code, CimError, JobProperties, RequestedState};
use rpsim_scenario::model::{self, Action, Scenario};
use std::path::PathBuf;

/// Most events one run may process.
pub const EVENTS_MAX: u64 = 20_000_000;
/// Run length when the scenario names no `stop_at`: one sim hour.
pub const STOP_AT_NS_DEFAULT: u64 = 3_600_000_000_000;
/// How long a crashed host stays down when the fault names no `duration`.
pub const HOST_DOWN_NS_DEFAULT: u64 = 10_000_000_000;
/// How long a VM migration makes its group unavailable.
pub const MIGRATION_NS: u64 = 2_000_000_000;
/// How long a target stall lasts when the fault names no `duration`.
pub const STALL_NS_DEFAULT: u64 = 10_000_000_000;
/// Most guest writers (VM × disk) in one run.
pub const WRITERS_MAX: usize = 4096;

/// How to run one scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunConfig {
    pub seed: u64,
    /// A real, existing, empty directory mapped to `/exports`.
    pub export_root: PathBuf,
    /// Keep every trace record in [`RunOutcome::trace`] (the hash is always computed).
    pub keep_trace_records: bool,
}

/// One `export` timeline entry and everything observed about it.
#[derive(Clone, Debug)]
pub struct ExportRecord {
    pub name: String,
    pub call: ExportCall,
    pub result: CallResult,
    pub job_id: Option<JobId>,
    /// Polled right when the job reached a final state, else at the end of the run.
    pub final_properties: Option<JobProperties>,
    pub get_error: Option<CimError>,
    pub get_error_ex: Vec<CimError>,
    /// Return codes of the `request_state_change` entries on this export, in order.
    pub state_change_codes: Vec<u32>,
    /// `ExportDirectory` as passed.
    pub export_directory: String,
    pub real_directory: Option<PathBuf>,
    pub reference_point: Option<Guid>,
    pub base: Option<Guid>,
    pub finished_at_ns: Option<u64>,
}

/// What one run produced.
#[derive(Debug)]
pub struct RunOutcome {
    pub seed: u64,
    pub trace_hash: String,
    pub event_count: u64,
    pub end_time_ns: u64,
    /// Empty unless [`RunConfig::keep_trace_records`].
    pub trace: Vec<TraceRecord>,
    pub exports: Vec<ExportRecord>,
    /// Paths the job tried to use outside `/exports` (from the target).
    pub violations: Vec<String>,
    pub world: World,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("building the world: {0}")]
    World(#[from] WorldError),
    #[error("opening the export root: {0}")]
    Target(std::io::Error),
    #[error("the run processed {EVENTS_MAX} events by sim time {time_ns} ns; shorten stop_at or slow the workloads")]
    EventsMax { time_ns: u64 },
    #[error("the event queue is full at sim time {time_ns} ns")]
    QueueFull { time_ns: u64 },
    #[error("disk `{disk}` reached its history limit at sim time {time_ns} ns; fewer or larger writes are needed")]
    DiskHistoryFull { disk: String, time_ns: u64 },
    #[error("scenario: {0}")]
    Scenario(String),
    #[error(
        "invariant violated at event {event_number}, sim time {time_ns} ns, seed {seed}: {message}"
    )]
    Invariant {
        event_number: u64,
        time_ns: u64,
        seed: u64,
        message: String,
    },
}

#[derive(Clone, Debug)]
enum Event {
    Timeline(usize),
    Fault(Box<model::Fault>),
    Write(usize),
    Step(usize),
    HostRecover(usize),
    MigrationDone { vm: usize, to_host: Option<usize> },
}

/// Runs `scenario` with `config.seed`.
pub fn run(scenario: &Scenario, config: &RunConfig) -> Result<RunOutcome, RunError> {
    run_observed(scenario, config, &mut NoObserver, None)
}

/// Runs `scenario` like [`run`], calling `observer` after every event (its first `Err` stops the
/// run with [`RunError::Invariant`]) and, with `stop`, stopping one job after a target operation.
pub fn run_observed(
    scenario: &Scenario,
    config: &RunConfig,
    observer: &mut dyn EventObserver,
    stop: Option<StopAfterOps>,
) -> Result<RunOutcome, RunError> {
    let mut run = Run::new(scenario, config)?;
    run.stop = stop;
    run.schedule_start(observer)?;
    run.event_loop(observer)?;
    Ok(run.finish())
}

struct Run<'s> {
    scenario: &'s Scenario,
    world: World,
    service: ExportService,
    /// Index of the host the service runs on (the first host).
    service_host: usize,
    target: SimTarget,
    queue: EventQueue<Event>,
    trace: Trace,
    writers: Vec<Writer>,
    exports: Vec<ExportRecord>,
    /// Per export: a step event is queued.
    step_pending: Vec<bool>,
    /// Events other than guest writes still queued.
    significant_pending: u64,
    now_ns: u64,
    stop_at_ns: u64,
    event_count: u64,
    seed: u64,
    /// The crash point to apply, if any, and the target operations its job performed so far.
    stop: Option<StopAfterOps>,
    stop_ops_done: u64,
    /// Target operations of the event being handled (for the observer).
    last_ops: Vec<crate::target::TargetOp>,
}

impl<'s> Run<'s> {
    fn new(scenario: &'s Scenario, config: &RunConfig) -> Result<Run<'s>, RunError> {
        let world = World::new(scenario, config.seed)?;
        let storage = StorageSpec {
            capacity_bytes: scenario.storage.capacity.bytes(),
            bandwidth_bytes_per_s: scenario.storage.bandwidth.bytes_per_s(),
            latency_ns: scenario.storage.latency.ns(),
        };
        let target = SimTarget::new(&config.export_root, storage).map_err(RunError::Target)?;
        let host_name = scenario.hosts.first().map_or("host", |h| h.name.as_str());
        Ok(Run {
            scenario,
            world,
            service: ExportService::new(host_name),
            service_host: 0,
            target,
            queue: EventQueue::new(),
            trace: Trace::new(config.keep_trace_records),
            writers: Vec::new(),
            exports: Vec::new(),
            step_pending: Vec::new(),
            significant_pending: 0,
            now_ns: 0,
            stop_at_ns: scenario.stop_at.map_or(STOP_AT_NS_DEFAULT, |d| d.ns()),
            event_count: 0,
            seed: config.seed,
            stop: None,
            stop_ops_done: 0,
            last_ops: Vec::new(),
        })
    }

    fn push(&mut self, time_ns: u64, event: Event) -> Result<(), RunError> {
        if !matches!(event, Event::Write(_)) {
            self.significant_pending += 1;
        }
        self.queue
            .push(time_ns, event)
            .map_err(|_| RunError::QueueFull {
                time_ns: self.now_ns,
            })
    }

    fn schedule_start(&mut self, observer: &mut dyn EventObserver) -> Result<(), RunError> {
        let mut order: Vec<usize> = (0..self.scenario.timeline.len()).collect();
        order.sort_by_key(|i| (self.scenario.timeline[*i].at.ns(), *i));
        for index in order {
            self.push(
                self.scenario.timeline[index].at.ns(),
                Event::Timeline(index),
            )?;
        }
        if let Some(spec) = &self.scenario.random_faults {
            let mut stream = Streams::new(self.seed).stream("faults");
            for drawn in draw_random_faults(spec, self.scenario, &mut stream, self.stop_at_ns) {
                if observer.records_decisions() {
                    observer.random_decision(&RandomDecision::Fault {
                        at_ns: drawn.at_ns,
                        fault: drawn.fault.clone(),
                    });
                }
                self.push(drawn.at_ns, Event::Fault(Box::new(drawn.fault)))?;
            }
        }
        self.writers = crate::writers::build(self.scenario, &self.world)?;
        if self.writers.len() > WRITERS_MAX {
            return Err(RunError::Scenario(format!(
                "more than {WRITERS_MAX} guest writers"
            )));
        }
        for index in 0..self.writers.len() {
            self.push(self.writers[index].first_write_ns(), Event::Write(index))?;
        }
        self.trace.record(
            0,
            "run_start",
            format!("seed={} scenario={}", self.seed, self.scenario.name),
        );
        Ok(())
    }

    fn event_loop(&mut self, observer: &mut dyn EventObserver) -> Result<(), RunError> {
        while self.significant_pending > 0 {
            let Some((time_ns, event)) = self.queue.pop() else {
                break;
            };
            if time_ns > self.stop_at_ns {
                self.now_ns = self.stop_at_ns;
                self.trace
                    .record(self.now_ns, "stop_at", "the run reached stop_at");
                return Ok(());
            }
            assert!(time_ns >= self.now_ns, "time never goes backwards");
            self.now_ns = time_ns;
            self.event_count += 1;
            if self.event_count > EVENTS_MAX {
                return Err(RunError::EventsMax { time_ns });
            }
            if !matches!(event, Event::Write(_)) {
                self.significant_pending -= 1;
            }
            let kind = event_kind(&event);
            self.last_ops.clear();
            self.handle(event, observer)?;
            self.observe(observer, kind)?;
        }
        Ok(())
    }

    fn observe(&self, observer: &mut dyn EventObserver, kind: EventKind) -> Result<(), RunError> {
        let view = RunView {
            event_number: self.event_count,
            now_ns: self.now_ns,
            seed: self.seed,
            kind,
            world: &self.world,
            target: &self.target,
            service: &self.service,
            exports: &self.exports,
            ops: &self.last_ops,
        };
        observer
            .after_event(&view)
            .map_err(|message| RunError::Invariant {
                event_number: self.event_count,
                time_ns: self.now_ns,
                seed: self.seed,
                message,
            })
    }

    fn handle(&mut self, event: Event, observer: &mut dyn EventObserver) -> Result<(), RunError> {
        match event {
            Event::Timeline(index) => self.timeline(index),
            Event::Fault(fault) => self.fault(&fault),
            Event::Write(index) => self.write(index, observer),
            Event::Step(export) => self.step(export),
            Event::HostRecover(host) => {
                self.world.host_recover(host);
                let name = self.world.hosts[host].name.clone();
                self.trace
                    .record(self.now_ns, "host_recovered", format!("host={name}"));
                Ok(())
            }
            Event::MigrationDone { vm, to_host } => {
                let v = &mut self.world.vms[vm];
                v.migrating = false;
                v.host = to_host.unwrap_or(v.host);
                let detail = format!("vm={} host={}", v.id, self.world.hosts[v.host].name);
                self.trace.record(self.now_ns, "vm_migrated", detail);
                Ok(())
            }
        }
    }

    fn timeline(&mut self, index: usize) -> Result<(), RunError> {
        let scenario = self.scenario;
        let entry = &scenario.timeline[index];
        let actions = entry.actions();
        let [action] = actions.as_slice() else {
            let detail = format!("entry {index} has {} actions; skipped", actions.len());
            self.trace.record(self.now_ns, "timeline_invalid", detail);
            return Ok(());
        };
        match *action {
            Action::CreateReferencePoint(create) => {
                let result = self.world.create_reference_point(
                    &create.name,
                    &create.group,
                    create.reference_point_type,
                    create.consistency,
                    self.now_ns,
                );
                let outcome = match result {
                    Ok(id) => format!("collection_id={id}"),
                    Err(code) => format!("return_code={code}"),
                };
                let detail = format!("name={} group={} {outcome}", create.name, create.group);
                self.trace
                    .record(self.now_ns, "create_reference_point", detail);
                Ok(())
            }
            Action::Export(export) => self.export(export),
            Action::RequestStateChange(change) => self.request_state_change(change),
            Action::DestroyReferencePoint(r) => {
                self.destroy(&r.reference_point, "destroy_reference_point");
                Ok(())
            }
            Action::RemoveAssociatedData(r) => {
                self.remove_log(&r.reference_point, "remove_associated_data");
                Ok(())
            }
            Action::Fault(fault) => self.fault(fault),
            Action::Write(write) => self.timeline_write(write),
        }
    }

    /// A timeline `write`: like a workload's write, skipped unless a VM the disk is attached
    /// to is running and available.
    fn timeline_write(&mut self, write: &model::GuestWrite) -> Result<(), RunError> {
        let Some(disk) = self.world.disk_named(&write.disk) else {
            let detail = format!("disk={} not in the world; skipped", write.disk);
            self.trace
                .record(self.now_ns, "guest_write_skipped", detail);
            return Ok(());
        };
        let writer_running = self.world.disks[disk]
            .attached_to
            .iter()
            .any(|&vm| self.vm_writing(vm));
        let end = write.block.checked_add(write.blocks);
        let inside = end.is_some_and(|end| end <= self.world.disks[disk].sim.block_count());
        if !(writer_running && inside) {
            let detail = format!(
                "disk={} VM not running or unavailable, or blocks outside the disk",
                self.world.disks[disk].instance_id
            );
            self.trace
                .record(self.now_ns, "guest_write_skipped", detail);
            return Ok(());
        }
        self.write_blocks(disk, write.block, write.blocks)
    }

    /// Whether VM `vm` can issue guest writes now.
    fn vm_writing(&self, vm: usize) -> bool {
        let v = &self.world.vms[vm];
        v.power_state == rpsim_export::source::VmPowerState::Running
            && !v.removed
            && self.world.vm_unavailable(vm).is_none()
    }

    /// Writes `count` blocks of `disk` from `first` and records the `guest_write` event.
    fn write_blocks(&mut self, disk: usize, first: u64, count: u64) -> Result<(), RunError> {
        for block in first..first + count {
            self.world.disks[disk].sim.write_block(block).map_err(|_| {
                RunError::DiskHistoryFull {
                    disk: self.world.disks[disk].name.clone(),
                    time_ns: self.now_ns,
                }
            })?;
        }
        let detail = format!(
            "disk={} blocks={first}+{count}",
            self.world.disks[disk].instance_id
        );
        self.trace.record(self.now_ns, "guest_write", detail);
        Ok(())
    }

    fn destroy(&mut self, name: &str, kind: &str) {
        let (code, gone) = self.world.destroy_reference_point(name);
        let gone: Vec<String> = gone.iter().map(Guid::to_string).collect();
        let detail = format!(
            "name={name} return_code={code} destroyed=[{}]",
            gone.join(",")
        );
        self.trace.record(self.now_ns, kind, detail);
    }

    fn remove_log(&mut self, name: &str, kind: &str) {
        let code = self.world.remove_associated_data(name);
        self.trace
            .record(self.now_ns, kind, format!("name={name} return_code={code}"));
    }

    fn export(&mut self, export: &model::Export) -> Result<(), RunError> {
        let built = call::build(&self.world, export);
        let result = if self
            .world
            .hosts
            .get(self.service_host)
            .is_some_and(|h| h.down)
        {
            // Ours: the service's host is down, nothing answers the call.
            CallResult {
                return_code: return_code::SYSTEM_NOT_AVAILABLE,
                job: None,
                error: None,
            }
        } else {
            let source = self.world.source();
            self.service
                .export_reference_point(&source, &built.call, self.now_ns)
        };
        let detail = format!(
            "name={} reference_point={} base={} directory={} return_code={}",
            export.name,
            built.call.reference_point_collection,
            built.call.base_reference_point_collection,
            built.call.export_directory,
            result.return_code
        );
        self.trace.record(self.now_ns, "export", detail);
        let index = self.exports.len();
        self.exports.push(ExportRecord {
            name: export.name.clone(),
            real_directory: self.target.real_path(&built.call.export_directory),
            export_directory: built.call.export_directory.clone(),
            call: built.call,
            job_id: result.job,
            result,
            final_properties: None,
            get_error: None,
            get_error_ex: Vec::new(),
            state_change_codes: Vec::new(),
            reference_point: built.reference_point,
            base: built.base,
            finished_at_ns: None,
        });
        self.step_pending.push(false);
        if self.exports[index].job_id.is_some() {
            self.schedule_step(index, self.now_ns)?;
        }
        Ok(())
    }

    fn schedule_step(&mut self, export: usize, time_ns: u64) -> Result<(), RunError> {
        if self.step_pending[export] || self.exports[export].finished_at_ns.is_some() {
            return Ok(());
        }
        self.step_pending[export] = true;
        self.push(time_ns, Event::Step(export))
    }

    fn request_state_change(&mut self, change: &model::RequestStateChange) -> Result<(), RunError> {
        let Some(index) = self.exports.iter().rposition(|e| e.name == change.export) else {
            let detail = format!("export={} no such export yet; skipped", change.export);
            self.trace
                .record(self.now_ns, "request_state_change", detail);
            return Ok(());
        };
        let Some(job) = self.exports[index].job_id else {
            let detail = format!("export={} has no job; skipped", change.export);
            self.trace
                .record(self.now_ns, "request_state_change", detail);
            return Ok(());
        };
        let requested = match change.state {
            model::RequestedState::Start => RequestedState::Start,
            model::RequestedState::Suspend => RequestedState::Suspend,
            model::RequestedState::Terminate => RequestedState::Terminate,
            model::RequestedState::Kill => RequestedState::Kill,
            model::RequestedState::Service => RequestedState::Service,
        };
        let timeout_ns = change.timeout.map_or(0, |t| t.ns());
        let code = self
            .service
            .request_state_change(job, requested, timeout_ns, self.now_ns);
        self.exports[index].state_change_codes.push(code);
        let detail = format!(
            "export={} state={requested:?} timeout_ns={timeout_ns} return_code={code}",
            change.export
        );
        self.trace
            .record(self.now_ns, "request_state_change", detail);
        self.schedule_step(index, self.now_ns)
    }

    fn step(&mut self, export: usize) -> Result<(), RunError> {
        self.step_pending[export] = false;
        let Some(job) = self.exports[export].job_id else {
            return Ok(());
        };
        self.target.set_now(self.now_ns);
        let source = self.world.source();
        let outcome = self
            .service
            .step(job, &source, &mut self.target, self.now_ns);
        let elapsed_ns = self.target.take_elapsed_ns();
        self.last_ops = self.target.take_ops();
        for op in &self.last_ops {
            let detail = format!("{} {} bytes={} {}", op.kind, op.path, op.bytes, op.result);
            self.trace.record(self.now_ns, "target_op", detail);
        }
        let stop_now = self.stop_reached(export);
        let name = self.exports[export].name.clone();
        let detail = format!("export={name} outcome={outcome:?} elapsed_ns={elapsed_ns}");
        self.trace.record(self.now_ns, "job_step", detail);
        let result = match outcome {
            StepOutcome::Progressed => {
                self.schedule_step(export, self.now_ns.saturating_add(elapsed_ns.max(1)))
            }
            StepOutcome::Waiting => Ok(()),
            StepOutcome::Finished => {
                self.record_final(export);
                Ok(())
            }
        };
        result?;
        if stop_now {
            self.apply_stop(export)?;
        }
        Ok(())
    }

    /// Polls the job's properties and errors now; marks the export finished.
    fn record_final(&mut self, export: usize) {
        let Some(job) = self.exports[export].job_id else {
            return;
        };
        let now_ns = self.now_ns;
        let record = &mut self.exports[export];
        record.final_properties = self.service.job_properties(job, now_ns);
        record.get_error = self.service.get_error(job).1;
        record.get_error_ex = self.service.get_error_ex(job).1;
        if record.finished_at_ns.is_none() {
            record.finished_at_ns = Some(now_ns);
        }
        let (state, error_code, percent) =
            record.final_properties.as_ref().map_or((0, 0, 0), |p| {
                (p.job_state, p.error_code, p.percent_complete)
            });
        let detail = format!(
            "export={} job_state={state} error_code={error_code} percent_complete={percent} errors={}",
            record.name,
            record.get_error_ex.len()
        );
        self.trace.record(now_ns, "job_final", detail);
    }

    fn write(&mut self, index: usize, observer: &mut dyn EventObserver) -> Result<(), RunError> {
        let (vm, disk) = (self.writers[index].vm, self.writers[index].disk);
        if self.vm_writing(vm) {
            let (first, count) = self.writers[index].next_blocks();
            self.write_blocks(disk, first, count)?;
            if observer.records_decisions() {
                observer.random_decision(&RandomDecision::Write {
                    at_ns: self.now_ns,
                    disk: self.world.disks[disk].name.clone(),
                    block: first,
                    blocks: count,
                });
            }
        } else {
            let detail = format!(
                "disk={} VM not running or unavailable",
                self.world.disks[disk].instance_id
            );
            self.trace
                .record(self.now_ns, "guest_write_skipped", detail);
        }
        if let Some(next_ns) = self.writers[index].next_write_ns(self.now_ns) {
            self.push(next_ns, Event::Write(index))?;
        }
        Ok(())
    }

    fn finish(mut self) -> RunOutcome {
        for export in 0..self.exports.len() {
            if self.exports[export].job_id.is_some()
                && self.exports[export].finished_at_ns.is_none()
            {
                self.record_final(export);
                self.exports[export].finished_at_ns = None;
            }
        }
        self.trace.record(
            self.now_ns,
            "run_end",
            format!("events={}", self.event_count),
        );
        let mut violations = self.target.violations().to_vec();
        if self.target.violations_dropped() > 0 {
            violations.push(format!(
                "{} more violations not kept",
                self.target.violations_dropped()
            ));
        }
        RunOutcome {
            seed: self.seed,
            trace_hash: self.trace.hash_hex(),
            event_count: self.event_count,
            end_time_ns: self.now_ns,
            trace: self.trace.into_records(),
            exports: self.exports,
            violations,
            world: self.world,
        }
    }
}

impl Run<'_> {
    /// Applies a fixed-time or drawn fault.
    fn fault(&mut self, fault: &model::Fault) -> Result<(), RunError> {
        use model::FaultKind as K;
        match fault.kind {
            K::TargetOutOfSpace | K::TargetIoError | K::TargetSlow | K::TargetStall => {
                self.fault_target(fault)
            }
            K::SourceReadError => self.fault_read_error(fault),
            K::HostCrash => return self.fault_host_crash(fault),
            K::VmRemoved => self.fault_vm_removed(fault),
            K::VmMigrated => return self.fault_vm_migrated(fault),
            K::ReferencePointDestroyed => {
                let name = fault.reference_point.clone().unwrap_or_default();
                self.destroy(&name, "fault_reference_point_destroyed");
            }
            K::LogRemoved => {
                let name = fault.reference_point.clone().unwrap_or_default();
                self.remove_log(&name, "fault_log_removed");
            }
        }
        Ok(())
    }

    /// A `target_*` fault, with its defaults: out of space after 0 more bytes, an I/O error on
    /// the next write, a stall of [`STALL_NS_DEFAULT`].
    fn fault_target(&mut self, fault: &model::Fault) {
        use crate::target::TargetFault;
        use model::FaultKind as K;
        let now_ns = self.now_ns;
        let target_fault = match fault.kind {
            K::TargetOutOfSpace => TargetFault::OutOfSpaceAfter {
                bytes: fault.after_bytes.map_or(0, |b| b.bytes()),
            },
            K::TargetIoError => TargetFault::IoError {
                operation: fault.operation.unwrap_or(model::TargetOperation::Write),
            },
            K::TargetSlow => TargetFault::Slow {
                bandwidth_bytes_per_s: fault.bandwidth.map(|b| b.bytes_per_s()),
                latency_ns: fault.latency.map(|l| l.ns()),
            },
            _ => TargetFault::Stall {
                until_ns: now_ns
                    .saturating_add(fault.duration.map_or(STALL_NS_DEFAULT, |d| d.ns())),
            },
        };
        self.target.inject(target_fault);
        self.trace
            .record(now_ns, "fault", format!("{target_fault:?}"));
    }

    fn ignored(&mut self, fault: &model::Fault, why: &str) {
        self.trace.record(
            self.now_ns,
            "fault_ignored",
            format!("{:?}: {why}", fault.kind),
        );
    }

    fn fault_read_error(&mut self, fault: &model::Fault) {
        let name = fault.disk.as_deref().unwrap_or("");
        match self.world.disk_index_any_group(name) {
            Some(disk) => {
                self.world.disks[disk].read_error = true;
                let detail = format!("disk={}", self.world.disks[disk].instance_id);
                self.trace
                    .record(self.now_ns, "fault_source_read_error", detail);
            }
            None => self.ignored(fault, &format!("no disk `{name}`")),
        }
    }

    fn fault_host_crash(&mut self, fault: &model::Fault) -> Result<(), RunError> {
        let name = fault.host.as_deref().unwrap_or("");
        let Some(host) = self.world.host_index(name) else {
            self.ignored(fault, &format!("no host `{name}`"));
            return Ok(());
        };
        let reset = self.world.host_crash(host);
        let reset: Vec<&str> = reset
            .iter()
            .map(|d| self.world.disks[*d].instance_id.as_str())
            .collect();
        let detail = format!("host={name} rct_reset=[{}]", reset.join(","));
        self.trace.record(self.now_ns, "fault_host_crash", detail);
        if host == self.service_host {
            self.service
                .abandon_all(&format!("host {name} crashed"), self.now_ns);
            for export in 0..self.exports.len() {
                if self.exports[export].job_id.is_some() {
                    self.schedule_step(export, self.now_ns)?;
                }
            }
        }
        let down_ns = fault.duration.map_or(HOST_DOWN_NS_DEFAULT, |d| d.ns());
        self.push(
            self.now_ns.saturating_add(down_ns),
            Event::HostRecover(host),
        )
    }

    fn fault_vm_removed(&mut self, fault: &model::Fault) {
        let name = fault.vm.as_deref().unwrap_or("");
        match self.world.vm_index(fault.group.as_deref(), name) {
            Some(vm) => {
                self.world.vms[vm].removed = true;
                let detail = format!("vm={}", self.world.vms[vm].id);
                self.trace.record(self.now_ns, "fault_vm_removed", detail);
            }
            None => self.ignored(fault, &format!("no VM `{name}`")),
        }
    }

    fn fault_vm_migrated(&mut self, fault: &model::Fault) -> Result<(), RunError> {
        let name = fault.vm.as_deref().unwrap_or("");
        let Some(vm) = self.world.vm_index(fault.group.as_deref(), name) else {
            self.ignored(fault, &format!("no VM `{name}`"));
            return Ok(());
        };
        let to_host = fault
            .to_host
            .as_deref()
            .and_then(|h| self.world.host_index(h));
        self.world.vms[vm].migrating = true;
        let detail = format!(
            "vm={} to_host={}",
            self.world.vms[vm].id,
            fault.to_host.as_deref().unwrap_or("-")
        );
        self.trace.record(self.now_ns, "fault_vm_migrating", detail);
        self.push(
            self.now_ns.saturating_add(MIGRATION_NS),
            Event::MigrationDone { vm, to_host },
        )
    }
}

fn event_kind(event: &Event) -> EventKind {
    match event {
        Event::Timeline(_) => EventKind::Timeline,
        Event::Fault(_) => EventKind::Fault,
        Event::Write(_) => EventKind::Write,
        Event::Step(export) => EventKind::Step(*export),
        Event::HostRecover(_) => EventKind::HostRecover,
        Event::MigrationDone { .. } => EventKind::MigrationDone,
    }
}

impl Run<'_> {
    /// Counts this step's operations for the crash point; true exactly once, on the step that
    /// performed its `after_ops`-th operation.
    fn stop_reached(&mut self, export: usize) -> bool {
        let Some(stop) = &self.stop else {
            return false;
        };
        let first = self.exports.iter().position(|e| e.name == stop.export);
        if first != Some(export) || self.stop_ops_done >= stop.after_ops {
            return false;
        }
        self.stop_ops_done += self.last_ops.len() as u64;
        self.stop_ops_done >= stop.after_ops
    }

    /// Applies the crash point to export `export` right after its step.
    fn apply_stop(&mut self, export: usize) -> Result<(), RunError> {
        let Some(stop) = self.stop.clone() else {
            return Ok(());
        };
        let detail = format!(
            "export={} after_ops={} mode={:?}",
            stop.export, stop.after_ops, stop.mode
        );
        self.trace.record(self.now_ns, "crash_point", detail);
        let Some(job) = self.exports[export].job_id else {
            return Ok(());
        };
        let requested = match stop.mode {
            StopMode::Crash => {
                self.service.abandon_all("crash point", self.now_ns);
                for other in 0..self.exports.len() {
                    if self.exports[other].job_id.is_some() {
                        self.schedule_step(other, self.now_ns)?;
                    }
                }
                return Ok(());
            }
            StopMode::Kill => RequestedState::Kill,
            StopMode::Terminate => RequestedState::Terminate,
        };
        let code = self
            .service
            .request_state_change(job, requested, 0, self.now_ns);
        self.exports[export].state_change_codes.push(code);
        self.schedule_step(export, self.now_ns)
    }
}
