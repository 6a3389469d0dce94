//! The one entry point: [`run`] and [`run_observed`] build a [`Run`] from a scenario and a seed,
//! schedule the timeline, drawn random faults and guest writes, pop events in (time, sequence)
//! order until only guest writes remain (or `stop_at`), show the observer the world after each
//! event and hand back the [`RunOutcome`]. Owns the loop, its order and its bounds; it must never
//! decide what one event does (that is dispatched to the sibling modules) or read a wall clock.

use super::config::{RunConfig, RunOutcome};
use super::state::{Event, Run};
use crate::faults::draw_random_faults;
use crate::observe::{EventKind, EventObserver, NoObserver, RandomDecision, RunView, StopAfterOps};
use crate::rng::Streams;
use crate::run_error::{RunError, EVENTS_MAX};
use rpsim_scenario::model::Scenario;

/// Most guest writers (VM × disk) in one run.
pub const WRITERS_MAX: usize = 4096;

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

impl Run<'_> {
    pub(super) fn schedule_start(
        &mut self,
        observer: &mut dyn EventObserver,
    ) -> Result<(), RunError> {
        let mut order: Vec<usize> = (0..self.scenario.timeline.len()).collect();
        order.sort_by_key(|i| (self.scenario.timeline[*i].at.ns(), *i));
        for index in order {
            let entry = &self.scenario.timeline[index];
            if let Some(poll) = super::readings::poll_only(entry) {
                let every_ns = poll.every.map(|every| every.ns());
                self.polls.add(entry.at.ns(), index, &poll.export, every_ns);
                continue;
            }
            self.push(entry.at.ns(), Event::Timeline(index))?;
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

    pub(super) fn event_loop(&mut self, observer: &mut dyn EventObserver) -> Result<(), RunError> {
        self.events(observer)?;
        // Readings after the last event (or up to stop_at): the jobs no longer change.
        self.readings_until(self.stop_at_ns, observer)
    }

    fn events(&mut self, observer: &mut dyn EventObserver) -> Result<(), RunError> {
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
            let timeline = match event {
                Event::Timeline(index) => Some(index),
                _ => None,
            };
            self.readings_before(time_ns, timeline, observer)?;
            self.dispatch(time_ns, event, observer)?;
        }
        Ok(())
    }

    /// Handles one event at `time_ns` (popped from the queue, or a client session's call) and
    /// shows the observer the world after it.
    pub(super) fn dispatch(
        &mut self,
        time_ns: u64,
        event: Event,
        observer: &mut dyn EventObserver,
    ) -> Result<(), RunError> {
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
        if kind != EventKind::Write {
            self.record_history();
        }
        self.observe(observer, kind)
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

    /// Hands one event to the module that owns what it does.
    fn handle(&mut self, event: Event, observer: &mut dyn EventObserver) -> Result<(), RunError> {
        match event {
            Event::Timeline(index) => self.timeline(index, observer),
            Event::Fault(fault) => self.fault(&fault),
            Event::Write(index) => self.write(index, observer),
            Event::Step(export) => self.step(export),
            Event::HostRecover(host) => {
                self.host_recover(host);
                Ok(())
            }
            Event::MigrationDone { vm, to_host } => {
                self.migration_done(vm, to_host);
                Ok(())
            }
        }
    }

    pub(super) fn finish(mut self) -> RunOutcome {
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
        let mut probes = self.probes.clone();
        probes.absorb(self.service.probe_hits());
        probes.absorb(self.target.probe_hits());
        RunOutcome {
            probes,
            seed: self.seed,
            trace_hash: self.trace.hash_hex(),
            event_count: self.event_count,
            end_time_ns: self.now_ns,
            trace: self.trace.into_records(),
            exports: self.exports,
            violations,
            world: self.world,
            fs: self.target.fs().clone(),
        }
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
