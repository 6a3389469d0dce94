//! Guest writes: a workload writer's event (write its next blocks if its VM is writing, then
//! queue its next write) and a timeline `write`, both skipped (`guest_write_skipped`) unless a
//! VM the disk is attached to is running and available. Owns changing disk blocks for the run
//! and reporting each workload write as a random decision; it must never touch a job or the
//! export target.

use super::state::{Event, Run};
use crate::observe::{EventObserver, RandomDecision};
use crate::run_error::RunError;
use rpsim_scenario::model;

impl Run<'_> {
    /// Writer `index`'s event.
    pub(super) fn write(
        &mut self,
        index: usize,
        observer: &mut dyn EventObserver,
    ) -> Result<(), RunError> {
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

    /// A timeline `write`: like a workload's write, skipped unless a VM the disk is attached
    /// to is running and available.
    pub(super) fn timeline_write(&mut self, write: &model::GuestWrite) -> Result<(), RunError> {
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
}
