//! The timeline entries that change the world's disks and storage after time 0 (`attach_disk`,
//! `detach_disk`, `resize_disk`, `rct_reset`, `free_space`): each carried out on the world or
//! the target and traced. Owns that dispatch and its trace records; it must never decide the
//! rules of each change (`world_disks`, the target's storage do) or step a job.

use super::state::Run;
use crate::run_error::RunError;
use rpsim_probe::Probe;
use rpsim_scenario::model::{AttachDisk, DiskRef, FreeSpace, ResizeDisk};

impl Run<'_> {
    pub(super) fn attach_disk(&mut self, attach: &AttachDisk) -> Result<(), RunError> {
        self.probe_during_export(Probe::WorldAttachDuringExport);
        let index = self.world.attach_disk(attach)?;
        let disk = &self.world.disks[index];
        let detail = format!(
            "vm={} disk={} instance_id={} size_bytes={}",
            attach.vm,
            disk.name,
            disk.instance_id,
            disk.sim.virtual_size_bytes()
        );
        self.trace.record(self.now_ns, "attach_disk", detail);
        Ok(())
    }

    pub(super) fn detach_disk(&mut self, disk: &DiskRef) {
        self.probe_during_export(Probe::WorldDetachDuringExport);
        let detail = match self.world.disk_named(&disk.disk) {
            Some(index) => {
                let vms = self.world.detach_disk(index);
                format!("disk={} detached_from_vms={vms}", disk.disk)
            }
            None => format!("disk={} no such disk; skipped", disk.disk),
        };
        self.trace.record(self.now_ns, "detach_disk", detail);
    }

    pub(super) fn resize_disk(&mut self, resize: &ResizeDisk) {
        self.probe_during_export(Probe::WorldResizeDuringExport);
        let detail = match self.world.disk_named(&resize.disk) {
            Some(index) => {
                self.world.resize_disk(index, resize.size.bytes());
                format!("disk={} size_bytes={}", resize.disk, resize.size.bytes())
            }
            None => format!("disk={} no such disk; skipped", resize.disk),
        };
        self.trace.record(self.now_ns, "resize_disk", detail);
    }

    pub(super) fn rct_reset(&mut self, disk: &DiskRef) {
        self.probe_during_export(Probe::WorldRctResetDuringExport);
        let detail = match self.world.disk_named(&disk.disk) {
            Some(index) => {
                self.world.rct_reset(index);
                let generation = self.world.disks[index].sim.reset_generation();
                format!("disk={} reset_generation={generation}", disk.disk)
            }
            None => format!("disk={} no such disk; skipped", disk.disk),
        };
        self.trace.record(self.now_ns, "rct_reset", detail);
    }

    pub(super) fn free_space(&mut self, free: &FreeSpace) {
        if self.target.space_limited() {
            self.probes.hit(Probe::WorldFreeSpaceAfterOutOfSpace);
        }
        let free_bytes = self.target.free_space(free.size.bytes());
        let detail = format!("size_bytes={} free_bytes={free_bytes}", free.size.bytes());
        self.trace.record(self.now_ns, "free_space", detail);
    }
}
