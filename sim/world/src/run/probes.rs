//! The world's coverage probes: a fault applied while an export job is in each phase
//! (`fault.<kind>.<phase>`, once per phase that some unfinished job is in), and a world action
//! made while an export job is unfinished. Owns judging those moments from the service's
//! account of its jobs; it must never change the world, a job or the trace (it only counts).

use super::state::Run;
use rpsim_export::job::Activity;
use rpsim_probe::Probe;
use rpsim_scenario::model::FaultKind;

/// The index in [`rpsim_probe::JOB_PHASES`] of what a job is doing; `None` once it ended.
fn phase_index(activity: Activity) -> Option<usize> {
    match activity {
        Activity::Starting => Some(0),
        Activity::Copying => Some(1),
        Activity::Finalising => Some(2),
        Activity::RemovingAfterFailure | Activity::RemovingAfterTerminate => Some(3),
        Activity::Ended => None,
    }
}

impl Run<'_> {
    /// The phases (indices) some unfinished export job is in now, each once, in order.
    fn phases_now(&self) -> [bool; rpsim_probe::JOB_PHASES.len()] {
        let mut phases = [false; rpsim_probe::JOB_PHASES.len()];
        let jobs = self.exports.iter().filter_map(|e| e.job_id);
        for activity in jobs.filter_map(|job| self.service.activity(job)) {
            if let Some(phase) = phase_index(activity) {
                phases[phase] = true;
            }
        }
        phases
    }

    /// A fault of `kind` is about to be applied.
    pub(super) fn probe_fault(&mut self, kind: FaultKind) {
        let Some(k) = FaultKind::ALL.iter().position(|x| *x == kind) else {
            return;
        };
        for (phase, _) in self.phases_now().iter().enumerate().filter(|(_, on)| **on) {
            if let Some(probe) = Probe::fault_in_phase(k, phase) {
                self.probes.hit(probe);
            }
        }
    }

    /// A world action is about to be made: `probe` when an export job is unfinished.
    pub(super) fn probe_during_export(&mut self, probe: Probe) {
        if self.phases_now().iter().any(|on| *on) {
            self.probes.hit(probe);
        }
    }
}

#[cfg(test)]
mod tests {
    use rpsim_scenario::model::FaultKind;

    #[test]
    fn the_fault_block_of_the_catalogue_follows_the_scenario_fault_kinds() {
        assert_eq!(FaultKind::ALL.len(), rpsim_probe::FAULT_KINDS.len());
        for (kind, name) in FaultKind::ALL.iter().zip(rpsim_probe::FAULT_KINDS) {
            let serde_name = serde_json::to_value(kind).expect("serialises");
            assert_eq!(serde_name, serde_json::Value::from(name));
        }
    }
}
