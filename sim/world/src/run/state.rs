//! [`Run`], the state of one run (world, service, target, queue, trace, writers, export records,
//! counters), and the [`Event`]s its queue holds. Owns building that state and queueing events
//! (counting the ones that keep the run going); it must never handle an event (its sibling
//! modules do) or read a wall clock.

use super::config::RunConfig;
use crate::events::EventQueue;
use crate::export_record::ExportRecord;
use crate::observe::StopAfterOps;
use crate::poll::Polls;
use crate::run_error::RunError;
use crate::target::{SimTarget, StorageSpec, TargetOp};
use crate::trace::Trace;
use crate::workload::Writer;
use crate::world::World;
use rpsim_export::service::ExportService;
use rpsim_scenario::model::{self, Scenario};

/// Run length when the scenario names no `stop_at`: one sim hour.
pub const STOP_AT_NS_DEFAULT: u64 = 3_600_000_000_000;

/// What the queue holds; every kind but [`Event::Write`] keeps the run going.
#[derive(Clone, Debug)]
pub(super) enum Event {
    Timeline(usize),
    Fault(Box<model::Fault>),
    Write(usize),
    Step(usize),
    HostRecover(usize),
    MigrationDone { vm: usize, to_host: Option<usize> },
}

pub(super) struct Run<'s> {
    pub(super) scenario: &'s Scenario,
    pub(super) world: World,
    pub(super) service: ExportService,
    /// Index of the host the service runs on (the first host).
    pub(super) service_host: usize,
    pub(super) target: SimTarget,
    pub(super) queue: EventQueue<Event>,
    pub(super) trace: Trace,
    pub(super) writers: Vec<Writer>,
    pub(super) exports: Vec<ExportRecord>,
    /// Per export: a step event is queued.
    pub(super) step_pending: Vec<bool>,
    /// Events other than guest writes still queued.
    pub(super) significant_pending: u64,
    pub(super) now_ns: u64,
    pub(super) stop_at_ns: u64,
    pub(super) event_count: u64,
    pub(super) seed: u64,
    /// The crash point to apply, if any, and the target operations its job performed so far.
    pub(super) stop: Option<StopAfterOps>,
    pub(super) stop_ops_done: u64,
    /// Target operations of the event being handled (for the observer).
    pub(super) last_ops: Vec<TargetOp>,
    /// Readings of `poll` entries still to take (never queued: a reading is not an event).
    pub(super) polls: Polls,
    /// Entries a client session added after the scenario's own (`Event::Timeline(i)` with
    /// `i >= scenario.timeline.len()` names `client_timeline[i - scenario.timeline.len()]`).
    pub(super) client_timeline: Vec<model::TimelineEntry>,
    /// Return code of the last reference point action (create, destroy, remove associated
    /// data), for a client session's answer.
    pub(super) last_call_code: Option<u32>,
    /// Coverage probes the world's own paths reached (the service and the target count theirs).
    pub(super) probes: rpsim_probe::ProbeHits,
}

impl<'s> Run<'s> {
    pub(super) fn new(scenario: &'s Scenario, config: &RunConfig) -> Result<Run<'s>, RunError> {
        let world = World::new(scenario, config.seed)?;
        let storage = StorageSpec {
            capacity_bytes: scenario.storage.capacity.bytes(),
            bandwidth_bytes_per_s: scenario.storage.bandwidth.bytes_per_s(),
            latency_ns: scenario.storage.latency.ns(),
        };
        let target = SimTarget::on(
            config.fs.clone(),
            &config.export_root,
            storage,
            &scenario.storage.mounts,
        )
        .map_err(RunError::Target)?;
        let host_name = scenario.hosts.first().map_or("host", |h| h.name.as_str());
        let mut service = ExportService::new(host_name);
        let mut target = target;
        let mut probes = rpsim_probe::ProbeHits::off();
        if config.observe_probes {
            service.observe_probes();
            target.observe_probes();
            probes = rpsim_probe::ProbeHits::observing();
        }
        Ok(Run {
            scenario,
            world,
            service,
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
            polls: Polls::default(),
            client_timeline: Vec::new(),
            last_call_code: None,
            probes,
        })
    }

    pub(super) fn push(&mut self, time_ns: u64, event: Event) -> Result<(), RunError> {
        if !matches!(event, Event::Write(_)) {
            self.significant_pending += 1;
        }
        self.queue
            .push(time_ns, event)
            .map_err(|_| RunError::QueueFull {
                time_ns: self.now_ns,
            })
    }
}
