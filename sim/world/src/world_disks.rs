//! The world actions that change disks after time 0: attach a new disk to a VM, detach one,
//! grow one, reset one's change tracking. Owns those changes to the live state; it must never
//! touch a reference point already taken (each froze what it saw: disks, sizes, epochs) and
//! never schedule anything.
//!
//! Rules (ours; DOMAIN.md is silent except where noted):
//! - An attached disk starts with a sequential fill and joins every reference point taken
//!   after it; a differential against an older base exports it in full with a warning
//!   (DOMAIN.md: "disk added to a VM after the base: 7 (warning), that disk exported in full").
//! - A detached disk leaves the VM (and every later reference point); older points still read
//!   it, since its file stays on the host. A shared disk detached leaves every member.
//! - A resize grows the disk; points taken earlier keep their size, so a differential against
//!   an older base sees a disk of another geometry and exports it in full with a warning.
//! - `rct_reset` resets one disk's change tracking, as a disk taken offline or moved does
//!   (DOMAIN.md: after that no older RCT ID can serve as a base).

use crate::world::{World, WorldError, OBJECTS_MAX};
use rpsim_scenario::model::{AttachDisk, FillLayout};

impl World {
    /// Attaches a new disk to `vm` (by name); returns its index.
    pub fn attach_disk(&mut self, attach: &AttachDisk) -> Result<usize, WorldError> {
        let bad = |reason: &str| WorldError::BadDisk {
            disk: format!("{}/{}", attach.vm, attach.disk.name),
            reason: reason.to_string(),
        };
        let vm = self
            .vm_index(None, &attach.vm)
            .ok_or_else(|| bad("its VM does not exist"))?;
        if self.hosts.len() + self.vms.len() + self.disks.len() >= OBJECTS_MAX {
            return Err(WorldError::TooManyObjects);
        }
        if attach.disk.fill.layout != FillLayout::Sequential {
            return Err(bad("an attached disk takes a sequential fill only"));
        }
        let name = format!("{}/{}", attach.vm, attach.disk.name);
        if self.disk_index_any_group(&name).is_some() {
            return Err(bad("the VM already has a disk of that name"));
        }
        let (group, vm_id) = (self.vms[vm].group, self.vms[vm].id);
        let spec = (attach.disk.size.bytes(), attach.disk.block_size.bytes());
        let instance_id = attach.disk.instance_id.as_deref();
        let index = self.add_disk(group, &name, (vm_id, instance_id), spec, false)?;
        let sim = &mut self.disks[index].sim;
        let blocks = attach
            .disk
            .fill
            .allocated
            .bytes()
            .div_ceil(sim.block_size_bytes());
        sim.fill_sequential(blocks.min(sim.block_count()));
        self.disks[index].attached_to.push(vm);
        self.vms[vm].disks.push(index);
        assert!(self.vms[vm].disks.contains(&index));
        Ok(index)
    }

    /// Detaches disk `index` from every VM it is attached to; returns how many.
    pub fn detach_disk(&mut self, index: usize) -> usize {
        let attached = std::mem::take(&mut self.disks[index].attached_to);
        for &vm in &attached {
            self.vms[vm].disks.retain(|d| *d != index);
        }
        assert!(self.vms.iter().all(|v| !v.disks.contains(&index)));
        attached.len()
    }

    /// Grows disk `index` to `size_bytes` (validated: larger, whole blocks).
    pub fn resize_disk(&mut self, index: usize, size_bytes: u64) {
        self.disks[index].sim.grow(size_bytes);
    }

    /// Resets the change tracking of disk `index`.
    pub fn rct_reset(&mut self, index: usize) {
        let before = self.disks[index].sim.reset_generation();
        self.disks[index].sim.reset_rct();
        assert!(self.disks[index].sim.reset_generation() > before);
    }
}
