//! One export job's steps: scheduling at most one queued step per export, stepping the job
//! against the world's source and the target (tracing every target operation), polling its
//! final properties, and the crash point ([`crate::observe::StopAfterOps`]) that stops the job
//! right after its n-th target operation. Owns when a job steps and how it is stopped; it must
//! never judge what the job wrote.

use super::state::{Event, Run};
use crate::observe::StopMode;
use crate::run_error::RunError;
use rpsim_export::service::StepOutcome;
use rpsim_export::wmi::RequestedState;

impl Run<'_> {
    /// Queues a step of `export` at `time_ns` unless one is queued or the export finished.
    pub(super) fn schedule_step(&mut self, export: usize, time_ns: u64) -> Result<(), RunError> {
        if self.step_pending[export] || self.exports[export].finished_at_ns.is_some() {
            return Ok(());
        }
        self.step_pending[export] = true;
        self.push(time_ns, Event::Step(export))
    }

    pub(super) fn step(&mut self, export: usize) -> Result<(), RunError> {
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
    pub(super) fn record_final(&mut self, export: usize) {
        let Some(job) = self.exports[export].job_id else {
            return;
        };
        let now_ns = self.now_ns;
        let record = &mut self.exports[export];
        record.final_properties = self.service.job_properties(job, now_ns);
        record.get_error = self
            .service
            .get_error(job, now_ns)
            .ok()
            .and_then(|(_, e)| e);
        record.get_error_ex = self
            .service
            .get_error_ex(job, now_ns)
            .map_or_else(|_| Vec::new(), |(_, errors)| errors);
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

    /// Queues a step of every export that has a job (after the service abandoned them all).
    pub(super) fn schedule_every_job(&mut self) -> Result<(), RunError> {
        for export in 0..self.exports.len() {
            if self.exports[export].job_id.is_some() {
                self.schedule_step(export, self.now_ns)?;
            }
        }
        Ok(())
    }

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
                return self.schedule_every_job();
            }
            StopMode::Kill => RequestedState::Kill,
            StopMode::Terminate => RequestedState::Terminate,
        };
        let code = super::actions::answer(self.service.request_state_change(
            job,
            requested.code(),
            0,
            self.now_ns,
        ));
        self.exports[export].state_change_codes.push(code);
        self.schedule_step(export, self.now_ns)
    }
}
