//! The world as the export job's [`ExportSource`]: reference points from the live registry,
//! extents and reads as of a reference point, VM files. [`World::source`] honours faults
//! (destroyed points, removed VMs, hosts down, migrations, injected read errors, RCT resets,
//! removed logs); [`World::oracle`] ignores them all and still answers for destroyed points —
//! the checks' fault-free view of history. It must never change the world.

use crate::refpoints::RefPoint;
use crate::vmfiles;
use crate::world::World;
use rpsim_export::guid::Guid;
use rpsim_export::source::{
    CollectionReferencePoint, ExportSource, Extent, MemberReferencePoint, SourceError,
    SourceErrorKind, VmFileKind,
};

/// A read-only view of the world implementing [`ExportSource`].
#[derive(Clone, Copy, Debug)]
pub struct WorldSource<'a> {
    world: &'a World,
    faults: bool,
}

impl World {
    /// The job's view: faults apply.
    pub fn source(&self) -> WorldSource<'_> {
        WorldSource {
            world: self,
            faults: true,
        }
    }

    /// The checker's fault-free view of history.
    pub fn oracle(&self) -> WorldSource<'_> {
        WorldSource {
            world: self,
            faults: false,
        }
    }
}

fn error(kind: SourceErrorKind, message: String) -> SourceError {
    SourceError::new(kind, message)
}

impl<'a> WorldSource<'a> {
    fn point(&self, id: &Guid) -> Result<&'a RefPoint, SourceError> {
        match self.world.refpoints.get(id) {
            Some(p) if !(self.faults && p.destroyed) => Ok(p),
            Some(_) => Err(error(
                SourceErrorKind::NotFound,
                format!("reference point {id} was destroyed"),
            )),
            None => Err(error(
                SourceErrorKind::NotFound,
                format!("no reference point {id}"),
            )),
        }
    }

    /// The disk's slot in `point`, after the fault checks that apply to any read.
    fn readable_disk(&self, instance_id: &str, point: &RefPoint) -> Result<usize, SourceError> {
        let slot = self
            .world
            .disk_by_instance_id(instance_id)
            .and_then(|d| point.disks.iter().position(|p| p.disk == d))
            .ok_or_else(|| {
                error(
                    SourceErrorKind::NotFound,
                    format!(
                        "disk {instance_id} is not part of reference point {}",
                        point.collection_id
                    ),
                )
            })?;
        if !self.faults {
            return Ok(slot);
        }
        let disk = point.disks[slot].disk;
        if let Some((not_found, reason)) = self.world.disk_unreadable(disk) {
            let kind = if not_found {
                SourceErrorKind::NotFound
            } else {
                SourceErrorKind::Unavailable
            };
            return Err(error(kind, reason));
        }
        if self.world.disks[disk].read_error {
            return Err(error(
                SourceErrorKind::ReadFailed,
                format!("I/O error reading disk {instance_id}"),
            ));
        }
        if point.log_removed {
            return Err(error(
                SourceErrorKind::LogRemoved,
                format!(
                    "the log of reference point {} was removed",
                    point.collection_id
                ),
            ));
        }
        Ok(slot)
    }
}

impl ExportSource for WorldSource<'_> {
    fn reference_point(&self, collection_id: &Guid) -> Option<CollectionReferencePoint> {
        let point = self.point(collection_id).ok()?;
        let world = self.world;
        let members = point
            .members
            .iter()
            .map(|m| MemberReferencePoint {
                virtual_machine_id: world.vms[m.vm].id,
                generation: world.vms[m.vm].generation,
                power_state: m.power_state,
                has_associated_data: point.has_associated_log(),
                disks: m
                    .disks
                    .iter()
                    .map(|s| world.disk_at(&point.disks[*s]))
                    .collect(),
            })
            .collect();
        Some(CollectionReferencePoint {
            collection_id: point.collection_id,
            element_name: point.name.clone(),
            reference_point_type: point.reference_point_type,
            consistency_level: point.consistency_level,
            virtual_system_collection_id: world.groups[point.group].id,
            has_associated_log: point.has_associated_log(),
            creation_sequence: point.creation_sequence,
            members,
        })
    }

    fn group_unavailable(&self, virtual_system_collection_id: &Guid) -> Option<String> {
        if !self.faults {
            return None;
        }
        let group = self.world.group_by_id(virtual_system_collection_id)?;
        self.world.group_unavailable(group)
    }

    /// The host's volumes are the storage's mount points; Windows compares them ignoring case.
    fn volume_present(&self, volume: &str) -> bool {
        self.world
            .volumes
            .iter()
            .any(|v| v.to_uppercase() == volume.to_uppercase())
    }

    fn changed_extents(
        &self,
        disk_instance_id: &str,
        base: Option<&Guid>,
        target: &Guid,
    ) -> Result<Vec<Extent>, SourceError> {
        let target_point = self.point(target)?;
        let slot = self.readable_disk(disk_instance_id, target_point)?;
        let disk_point = &target_point.disks[slot];
        let sim = &self.world.disks[disk_point.disk].sim;
        let Some(base) = base else {
            return Ok(sim.allocated_extents(disk_point.epoch));
        };
        let base_point = self.point(base)?;
        let Some(base_disk) = base_point.disks.iter().find(|p| p.disk == disk_point.disk) else {
            // The disk did not exist at the base: everything allocated is a change.
            return Ok(sim.allocated_extents(disk_point.epoch));
        };
        if self.faults && base_point.log_removed {
            return Err(error(
                SourceErrorKind::LogRemoved,
                format!("the log of base {base} was removed"),
            ));
        }
        if self.faults && !self.world.rct_usable(base_disk) {
            return Err(error(
                SourceErrorKind::RctReset,
                format!("change tracking of disk {disk_instance_id} was reset after base {base}"),
            ));
        }
        Ok(sim.changed_extents(base_disk.epoch, disk_point.epoch))
    }

    fn read_extent(
        &self,
        disk_instance_id: &str,
        target: &Guid,
        extent: Extent,
        buf: &mut [u8],
    ) -> Result<(), SourceError> {
        let point = self.point(target)?;
        let slot = self.readable_disk(disk_instance_id, point)?;
        if buf.len() as u64 != extent.length_bytes {
            return Err(error(
                SourceErrorKind::ReadFailed,
                format!(
                    "buffer of {} bytes for an extent of {}",
                    buf.len(),
                    extent.length_bytes
                ),
            ));
        }
        let disk_point = &point.disks[slot];
        self.world.disks[disk_point.disk]
            .sim
            .read(disk_point.epoch, extent.offset_bytes, buf)
            .map_err(|m| {
                error(
                    SourceErrorKind::ReadFailed,
                    format!("disk {disk_instance_id}: {m}"),
                )
            })
    }

    fn vm_file(
        &self,
        virtual_machine_id: &Guid,
        target: &Guid,
        kind: VmFileKind,
    ) -> Result<Vec<u8>, SourceError> {
        let point = self.point(target)?;
        let member = self
            .world
            .vm_by_id(virtual_machine_id)
            .and_then(|vm| point.members.iter().position(|m| m.vm == vm))
            .ok_or_else(|| {
                error(
                    SourceErrorKind::NotFound,
                    format!("VM {virtual_machine_id} is not in reference point {target}"),
                )
            })?;
        let m = &point.members[member];
        if self.faults {
            if self.world.vms[m.vm].removed {
                return Err(error(
                    SourceErrorKind::NotFound,
                    format!("VM {virtual_machine_id} was removed"),
                ));
            }
            if let Some(reason) = self.world.vm_unavailable(m.vm) {
                return Err(error(SourceErrorKind::Unavailable, reason));
            }
        }
        let generation = self.world.vms[m.vm].generation;
        if let Some(reason) = vmfiles::absent_reason(generation, m.power_state, kind) {
            return Err(error(
                SourceErrorKind::NotFound,
                format!("VM {virtual_machine_id}: {reason}"),
            ));
        }
        Ok(vmfiles::vm_file(self.world, point, member, kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::tests::scenario;

    fn world_with_points() -> (World, Guid, Guid) {
        let mut w = World::new(&scenario(), 3).unwrap();
        let base = crate::world::tests::rct_point(&mut w, "base", 0);
        let a_os = w.disk_index("cluster", "a/os").unwrap();
        w.disks[a_os].sim.write_block(20).unwrap();
        let target = crate::world::tests::rct_point(&mut w, "target", 1);
        (w, base, target)
    }

    #[test]
    fn differential_lists_the_writes_between_base_and_target() {
        let (w, base, target) = world_with_points();
        let a_os = w.disks[w.disk_index("cluster", "a/os").unwrap()]
            .instance_id
            .clone();
        let changed = w
            .source()
            .changed_extents(&a_os, Some(&base), &target)
            .unwrap();
        assert_eq!(
            changed,
            vec![Extent {
                offset_bytes: 20 << 20,
                length_bytes: 1 << 20
            }]
        );
        let full = w.source().changed_extents(&a_os, None, &target).unwrap();
        assert_eq!(full.iter().map(|e| e.length_bytes).sum::<u64>(), 9 << 20);
    }

    #[test]
    fn destroyed_points_vanish_for_the_job_but_not_for_the_oracle() {
        let (mut w, base, target) = world_with_points();
        assert_eq!(w.destroy_reference_point("base").0, 0);
        assert!(w.source().reference_point(&base).is_none());
        assert!(w.oracle().reference_point(&base).is_some());
        let a_os = w.disks[0].instance_id.clone();
        let err = w
            .source()
            .changed_extents(&a_os, Some(&base), &target)
            .unwrap_err();
        assert_eq!(err.kind, SourceErrorKind::NotFound);
        assert!(w
            .oracle()
            .changed_extents(&a_os, Some(&base), &target)
            .is_ok());
    }

    #[test]
    fn faults_reach_the_job_with_their_kind() {
        let (mut w, base, target) = world_with_points();
        let a_os = w.disks[0].instance_id.clone();
        let mut buf = vec![0u8; 4096];
        let extent = Extent {
            offset_bytes: 0,
            length_bytes: 4096,
        };
        w.disks[0].read_error = true;
        let err = w
            .source()
            .read_extent(&a_os, &target, extent, &mut buf)
            .unwrap_err();
        assert_eq!(err.kind, SourceErrorKind::ReadFailed);
        assert!(w
            .oracle()
            .read_extent(&a_os, &target, extent, &mut buf)
            .is_ok());
        w.disks[0].read_error = false;
        w.host_crash(0);
        let err = w
            .source()
            .read_extent(&a_os, &target, extent, &mut buf)
            .unwrap_err();
        assert_eq!(err.kind, SourceErrorKind::Unavailable);
        assert!(w.source().group_unavailable(&w.groups[0].id).is_some());
        w.host_recover(0);
        let err = w
            .source()
            .changed_extents(&a_os, Some(&base), &target)
            .unwrap_err();
        assert_eq!(err.kind, SourceErrorKind::RctReset);
        w.vms[0].removed = true;
        let err = w
            .source()
            .read_extent(&a_os, &target, extent, &mut buf)
            .unwrap_err();
        assert_eq!(err.kind, SourceErrorKind::NotFound);
    }

    #[test]
    fn reads_are_as_of_the_target_while_the_guest_keeps_writing() {
        let (mut w, _, target) = world_with_points();
        let a_os = w.disks[0].instance_id.clone();
        let extent = Extent {
            offset_bytes: 20 << 20,
            length_bytes: 1 << 20,
        };
        let mut before = vec![0u8; 1 << 20];
        w.source()
            .read_extent(&a_os, &target, extent, &mut before)
            .unwrap();
        w.disks[0].sim.write_block(20).unwrap();
        let mut after = vec![0u8; 1 << 20];
        w.source()
            .read_extent(&a_os, &target, extent, &mut after)
            .unwrap();
        assert_eq!(before, after);
        assert!(before.iter().any(|b| *b != 0));
    }

    #[test]
    fn vm_files_follow_generation_and_power_state() {
        let (w, _, target) = world_with_points();
        let (a, b) = (w.vms[0].id, w.vms[1].id);
        let config = w.source().vm_file(&a, &target, VmFileKind::Config).unwrap();
        assert!(String::from_utf8(config).unwrap().contains(&a.to_string()));
        let runtime = w
            .source()
            .vm_file(&a, &target, VmFileKind::RuntimeState)
            .unwrap();
        assert_eq!(runtime.len(), vmfiles::RUNTIME_STATE_SIZE_BYTES);
        assert_eq!(
            w.source()
                .vm_file(&a, &target, VmFileKind::GuestState)
                .unwrap()
                .len(),
            vmfiles::GUEST_STATE_SIZE_BYTES
        );
        let err = w
            .source()
            .vm_file(&b, &target, VmFileKind::GuestState)
            .unwrap_err();
        assert_eq!(err.kind, SourceErrorKind::NotFound, "b is generation 1");
        assert!(
            w.source()
                .vm_file(&b, &target, VmFileKind::RuntimeState)
                .is_err(),
            "b is off"
        );
    }
}
