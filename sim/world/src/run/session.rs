//! [`Session`]: the same run as [`crate::run`], driven call by call. A client adds timeline
//! entries at the session's current time ([`Session::call`]) and moves sim time only with
//! [`Session::wait`]; [`Session::finish`] runs the rest of the event loop exactly as a scenario
//! run ends. Owns when queued events are handled relative to a client's calls; it must never
//! handle an event itself (the run's own dispatch does) or read a wall clock.
//!
//! The order rule that makes a session equal to a scenario run: a scenario whose timeline is
//! the session's scenario timeline followed by the client's entries (each at the time it was
//! called) handles every event in the same order. At one sim time T the queue pops the
//! scenario's own entries at T first, then the client's entries at T (in call order), then
//! everything else at T (pushed later, so numbered later). So before a call at T the session
//! handles every event before T and the scenario's own entries at T; a wait up to T handles
//! events before T only. A wait also stops handling events once only guest writes are queued
//! (as the run loop does); the writes before the next call are handled right before that call,
//! where a scenario run would handle them too.

use super::config::{RunConfig, RunOutcome};
use super::state::{Event, Run};
use crate::export_record::ExportRecord;
use crate::observe::EventObserver;
use crate::run_error::RunError;
use crate::world::World;
use rpsim_export::service::ExportService;
use rpsim_scenario::model::{Scenario, TimelineEntry};
use rpsim_scenario::units::SimDuration;

/// A run driven by a client: calls become timeline entries, waits move time.
pub struct Session<'s> {
    run: Run<'s>,
    /// The client's clock: where the last wait ended (never before the last event).
    now_ns: u64,
}

/// What a finished session produced: the run's outcome and the entries the client added.
#[derive(Debug)]
pub struct SessionOutcome {
    pub outcome: RunOutcome,
    /// The client's calls as timeline entries, in call order, each `at` the time of the call.
    pub client_timeline: Vec<TimelineEntry>,
}

impl<'s> Session<'s> {
    /// Builds the world and schedules the scenario's own timeline, random faults and writes,
    /// like a scenario run before its first event.
    pub fn start(
        scenario: &'s Scenario,
        config: &RunConfig,
        observer: &mut dyn EventObserver,
    ) -> Result<Session<'s>, RunError> {
        let mut run = Run::new(scenario, config)?;
        run.schedule_start(observer)?;
        Ok(Session { run, now_ns: 0 })
    }

    /// The session's sim time in nanoseconds.
    pub fn now_ns(&self) -> u64 {
        self.now_ns
    }

    /// The run's `stop_at` (a wait may not pass it).
    pub fn stop_at_ns(&self) -> u64 {
        self.run.stop_at_ns
    }

    pub fn world(&self) -> &World {
        &self.run.world
    }

    pub fn service(&self) -> &ExportService {
        &self.run.service
    }

    /// Every export entry so far (the scenario's and the client's), in the order they ran.
    pub fn exports(&self) -> &[ExportRecord] {
        &self.run.exports
    }

    /// Events handled so far.
    pub fn event_count(&self) -> u64 {
        self.run.event_count
    }

    /// The client's entries so far.
    pub fn client_timeline(&self) -> &[TimelineEntry] {
        &self.run.client_timeline
    }

    /// Carries out `entry` now (its `at` is replaced by the session's time), as the timeline
    /// entry it becomes; the observer sees the world after it like after any event. Returns the
    /// return code of a reference point action (create, destroy, remove associated data).
    pub fn call(
        &mut self,
        mut entry: TimelineEntry,
        observer: &mut dyn EventObserver,
    ) -> Result<Option<u32>, RunError> {
        self.catch_up(observer)?;
        entry.at = SimDuration(self.now_ns);
        let index = self.run.scenario.timeline.len() + self.run.client_timeline.len();
        self.run.client_timeline.push(entry);
        // Counted as if queued, as the scenario run it converts to queues it.
        self.run.significant_pending += 1;
        self.run.last_call_code = None;
        self.run
            .dispatch(self.now_ns, Event::Timeline(index), observer)?;
        Ok(self.run.last_call_code)
    }

    /// Moves sim time forward by `duration_ns`, handling the events before the new time while
    /// any but guest writes are queued. Refused past `stop_at`.
    pub fn wait(
        &mut self,
        duration_ns: u64,
        observer: &mut dyn EventObserver,
    ) -> Result<(), RunError> {
        let end_ns = self
            .now_ns
            .checked_add(duration_ns)
            .filter(|end| *end <= self.run.stop_at_ns)
            .ok_or_else(|| {
                RunError::Scenario(format!(
                    "a wait to {} ns would pass stop_at ({} ns)",
                    self.now_ns.saturating_add(duration_ns),
                    self.run.stop_at_ns
                ))
            })?;
        while self.run.significant_pending > 0 {
            match self.run.queue.peek_time_ns() {
                Some(time_ns) if time_ns < end_ns => {
                    let (time_ns, event) = self.run.queue.pop().expect("peeked");
                    self.run.dispatch(time_ns, event, observer)?;
                }
                _ => break,
            }
        }
        self.now_ns = end_ns;
        Ok(())
    }

    /// Ends the session: the rest of the event loop runs as a scenario run's does (until only
    /// guest writes remain, or `stop_at`), then the outcome is built.
    pub fn finish(mut self, observer: &mut dyn EventObserver) -> Result<SessionOutcome, RunError> {
        self.run.event_loop(observer)?;
        let client_timeline = std::mem::take(&mut self.run.client_timeline);
        Ok(SessionOutcome {
            outcome: self.run.finish(),
            client_timeline,
        })
    }

    /// Handles every queued event before now, then the scenario's own entries at now.
    fn catch_up(&mut self, observer: &mut dyn EventObserver) -> Result<(), RunError> {
        let own = self.run.scenario.timeline.len();
        loop {
            let due = match self.run.queue.iter().next() {
                Some((time_ns, _)) if time_ns < self.now_ns => true,
                Some((time_ns, Event::Timeline(index))) => time_ns == self.now_ns && *index < own,
                _ => false,
            };
            if !due {
                return Ok(());
            }
            let (time_ns, event) = self.run.queue.pop().expect("peeked");
            self.run.dispatch(time_ns, event, observer)?;
        }
    }
}
