//! Dispatch of one timeline entry: the entry's single action goes to the module that owns it
//! (reference point and export actions, faults, timeline writes); an entry without exactly one
//! action is traced as `timeline_invalid` and skipped. Entries a client session added
//! (`rpsim serve`) come after the scenario's own and are dispatched the same way. Owns that
//! dispatch; it must never carry out an action itself.

use super::state::Run;
use crate::run_error::RunError;
use rpsim_scenario::model::{Action, TimelineEntry};

impl Run<'_> {
    /// Carries out timeline entry `index` (the scenario's own, then a client session's).
    pub(super) fn timeline(
        &mut self,
        index: usize,
        observer: &mut dyn crate::observe::EventObserver,
    ) -> Result<(), RunError> {
        let scenario = self.scenario;
        match scenario.timeline.get(index) {
            Some(entry) => self.entry(index, entry, observer),
            None => {
                let entry = self.client_timeline[index - scenario.timeline.len()].clone();
                self.entry(index, &entry, observer)
            }
        }
    }

    fn entry(
        &mut self,
        index: usize,
        entry: &TimelineEntry,
        observer: &mut dyn crate::observe::EventObserver,
    ) -> Result<(), RunError> {
        let actions = entry.actions();
        let [action] = actions.as_slice() else {
            let detail = format!("entry {index} has {} actions; skipped", actions.len());
            self.trace.record(self.now_ns, "timeline_invalid", detail);
            return Ok(());
        };
        match *action {
            Action::CreateReferencePoint(create) => {
                self.create_reference_point(create);
                Ok(())
            }
            Action::Export(export) if export.base_latest_completed => {
                let chained = self.chain_on_latest_completed(export, index, observer);
                self.export(&chained)
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
            // Never queued: `readings` takes polls between events, outside the trace.
            Action::Poll(_) => Ok(()),
            Action::AttachDisk(attach) => self.attach_disk(attach),
            Action::DetachDisk(disk) => {
                self.detach_disk(disk);
                Ok(())
            }
            Action::ResizeDisk(resize) => {
                self.resize_disk(resize);
                Ok(())
            }
            Action::RctReset(disk) => {
                self.rct_reset(disk);
                Ok(())
            }
            Action::FreeSpace(free) => {
                self.free_space(free);
                Ok(())
            }
        }
    }
}
