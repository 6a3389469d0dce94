//! The simulated cluster: hosts, VM groups, VMs and their disks, the reference point registry,
//! and the operations the timeline and faults apply to them. Owns the live state and the
//! scenario-name → object lookups; it must never schedule events or call the export job
//! (`run` decides when things happen, `source` answers the job).

use crate::disk::SimDisk;
use crate::ids;
use crate::refpoints::{DiskPoint, MemberPoint, RefPoint, Registry};
use crate::rng::{below, Streams};
use rpsim_export::guid::Guid;
use rpsim_export::source::{
    ConsistencyLevel, DiskAtReferencePoint, ReferencePointType, VmPowerState,
};
use rpsim_export::wmi::return_code;
use rpsim_scenario::model::{self, Consistency, FillLayout, ReferencePointKind, Scenario};
use std::collections::BTreeMap;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Most blocks a random initial fill may place, over all disks (each costs a history entry).
pub const FILL_RANDOM_BLOCKS_MAX: u64 = 1 << 20;
/// Most hosts, VMs or disks a world may hold.
pub const OBJECTS_MAX: usize = 4096;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WorldError {
    #[error("VM `{vm}` names host `{host}`, which the scenario does not declare")]
    UnknownHost { vm: String, host: String },
    #[error("shared disk `{disk}` names VM `{vm}`, which is not a member of group `{group}`")]
    UnknownSharedMember {
        disk: String,
        vm: String,
        group: String,
    },
    #[error("disk `{disk}`: {reason}")]
    BadDisk { disk: String, reason: String },
    #[error("the scenario declares more than {OBJECTS_MAX} hosts, VMs or disks")]
    TooManyObjects,
}

#[derive(Clone, Debug)]
pub struct Host {
    pub name: String,
    pub id: Guid,
    pub down: bool,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    pub id: Guid,
    /// VM indices in scenario order (removed VMs stay listed, flagged on the VM).
    pub vms: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct Vm {
    pub name: String,
    pub id: Guid,
    pub group: usize,
    pub host: usize,
    pub generation: u8,
    pub power_state: VmPowerState,
    /// Disk indices in attachment order: own disks, then shared disks.
    pub disks: Vec<usize>,
    pub removed: bool,
    pub migrating: bool,
}

#[derive(Clone, Debug)]
pub struct VirtualDisk {
    /// `vm/disk` for a VM's own disk, the shared disk's name for a shared one.
    pub name: String,
    pub group: usize,
    pub id: Guid,
    pub instance_id: String,
    pub shared: bool,
    /// VM indices the disk is attached to.
    pub attached_to: Vec<usize>,
    /// Injected source read error: every read fails.
    pub read_error: bool,
    pub sim: SimDisk,
}

/// The whole simulated cluster.
#[derive(Clone, Debug)]
pub struct World {
    pub seed: u64,
    pub hosts: Vec<Host>,
    pub groups: Vec<Group>,
    pub vms: Vec<Vm>,
    pub disks: Vec<VirtualDisk>,
    pub refpoints: Registry,
    /// The export storage's mount points (`C:`, `\\\\srv\\share`) as the scenario declares them.
    pub volumes: Vec<String>,
    disk_by_instance_id: BTreeMap<String, usize>,
}

fn power_state(state: model::VmState) -> VmPowerState {
    match state {
        model::VmState::Running => VmPowerState::Running,
        model::VmState::Off => VmPowerState::Off,
        model::VmState::Saved => VmPowerState::Saved,
        model::VmState::Paused => VmPowerState::Paused,
    }
}

impl World {
    /// Builds the world of `scenario` with its initial fill drawn from `fill/...` streams.
    pub fn new(scenario: &Scenario, seed: u64) -> Result<World, WorldError> {
        let mut world = World {
            seed,
            hosts: Vec::new(),
            groups: Vec::new(),
            vms: Vec::new(),
            disks: Vec::new(),
            refpoints: Registry::new(),
            volumes: scenario.storage.mounts.clone(),
            disk_by_instance_id: BTreeMap::new(),
        };
        for host in &scenario.hosts {
            world.hosts.push(Host {
                name: host.name.clone(),
                id: ids::guid(seed, "host", &host.name),
                down: host.state == model::HostState::Down,
            });
        }
        for group in &scenario.vm_groups {
            world.add_group(group)?;
        }
        if world.hosts.len() + world.vms.len() + world.disks.len() > OBJECTS_MAX {
            return Err(WorldError::TooManyObjects);
        }
        world.fill(scenario)?;
        Ok(world)
    }

    fn add_group(&mut self, group: &model::VmGroup) -> Result<(), WorldError> {
        let group_index = self.groups.len();
        let group_id = ids::guid(self.seed, "group", &group.name);
        self.groups.push(Group {
            name: group.name.clone(),
            id: group_id,
            vms: Vec::new(),
        });
        for vm in &group.vms {
            let host = self
                .host_index(&vm.host)
                .ok_or_else(|| WorldError::UnknownHost {
                    vm: vm.name.clone(),
                    host: vm.host.clone(),
                })?;
            let vm_index = self.vms.len();
            let vm_id = ids::guid(self.seed, "vm", &format!("{}/{}", group.name, vm.name));
            self.vms.push(Vm {
                name: vm.name.clone(),
                id: vm_id,
                group: group_index,
                host,
                generation: vm.generation,
                power_state: power_state(vm.state),
                disks: Vec::new(),
                removed: false,
                migrating: false,
            });
            self.groups[group_index].vms.push(vm_index);
            for disk in &vm.disks {
                let name = format!("{}/{}", vm.name, disk.name);
                let spec = (disk.size.bytes(), disk.block_size.bytes());
                let instance_id = disk.instance_id.as_deref();
                let index = self.add_disk(group_index, &name, (vm_id, instance_id), spec, false)?;
                self.disks[index].attached_to.push(vm_index);
                self.vms[vm_index].disks.push(index);
            }
        }
        for shared in &group.shared_disks {
            let spec = (shared.size.bytes(), shared.block_size.bytes());
            let owner = (group_id, shared.instance_id.as_deref());
            let index = self.add_disk(group_index, &shared.name, owner, spec, true)?;
            for member in &shared.attached_to {
                let vm_index = self.groups[group_index]
                    .vms
                    .iter()
                    .copied()
                    .find(|v| self.vms[*v].name == *member)
                    .ok_or_else(|| WorldError::UnknownSharedMember {
                        disk: shared.name.clone(),
                        vm: member.clone(),
                        group: group.name.clone(),
                    })?;
                self.disks[index].attached_to.push(vm_index);
                self.vms[vm_index].disks.push(index);
            }
        }
        Ok(())
    }

    pub(crate) fn add_disk(
        &mut self,
        group: usize,
        name: &str,
        (owner, instance_id): (Guid, Option<&str>),
        (size_bytes, block_size_bytes): (u64, u64),
        shared: bool,
    ) -> Result<usize, WorldError> {
        if size_bytes == 0 || block_size_bytes == 0 {
            return Err(WorldError::BadDisk {
                disk: name.to_string(),
                reason: "size and block size must be positive".into(),
            });
        }
        let qualified = format!("{}/{}", self.groups[group].name, name);
        let id = ids::guid(self.seed, "disk", &qualified);
        let instance_id = instance_id.map_or_else(
            || ids::disk_instance_id(&owner, &id),
            std::string::ToString::to_string,
        );
        let key = xxh3_64_with_seed(&id.0, self.seed);
        let index = self.disks.len();
        if self
            .disk_by_instance_id
            .insert(instance_id.clone(), index)
            .is_some()
        {
            return Err(WorldError::BadDisk {
                disk: name.to_string(),
                reason: "its instance ID is already another disk's".into(),
            });
        }
        self.disks.push(VirtualDisk {
            name: name.to_string(),
            group,
            id,
            instance_id,
            shared,
            attached_to: Vec::new(),
            read_error: false,
            sim: SimDisk::new(key, size_bytes, block_size_bytes),
        });
        Ok(index)
    }

    /// The initial fill of every disk, before any event.
    fn fill(&mut self, scenario: &Scenario) -> Result<(), WorldError> {
        let streams = Streams::new(self.seed);
        let mut random_blocks_total = 0u64;
        for (index, fill) in self.fills(scenario) {
            let stream_name = self.stream_name("fill", index);
            let disk = &mut self.disks[index];
            let blocks = fill.allocated.bytes().div_ceil(disk.sim.block_size_bytes());
            let blocks = blocks.min(disk.sim.block_count());
            match fill.layout {
                FillLayout::Sequential => disk.sim.fill_sequential(blocks),
                FillLayout::Explicit => {
                    let listed: u64 = fill.blocks.iter().map(|run| run.count()).sum();
                    random_blocks_total = random_blocks_total.saturating_add(listed);
                    if random_blocks_total > FILL_RANDOM_BLOCKS_MAX {
                        return Err(WorldError::BadDisk {
                            disk: disk.name.clone(),
                            reason: format!(
                                "random and explicit fills may place at most {FILL_RANDOM_BLOCKS_MAX} blocks in all"
                            ),
                        });
                    }
                    fill_explicit(disk, fill)?;
                }
                FillLayout::Random => {
                    random_blocks_total += blocks;
                    if random_blocks_total > FILL_RANDOM_BLOCKS_MAX {
                        return Err(WorldError::BadDisk {
                            disk: disk.name.clone(),
                            reason: format!(
                                "random fills may place at most {FILL_RANDOM_BLOCKS_MAX} blocks in all; use a sequential layout or larger blocks"
                            ),
                        });
                    }
                    let mut rng = streams.stream(&stream_name);
                    let chosen = choose_distinct(&mut rng, disk.sim.block_count(), blocks);
                    for block in chosen {
                        fill_block(disk, block)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Every disk's index and fill, in scenario order (each VM's own disks, then the group's
    /// shared disks).
    fn fills<'a>(&self, scenario: &'a Scenario) -> Vec<(usize, &'a model::Fill)> {
        let mut fills: Vec<(usize, &model::Fill)> = Vec::new();
        for group in &scenario.vm_groups {
            for vm in &group.vms {
                for disk in &vm.disks {
                    let name = format!("{}/{}", vm.name, disk.name);
                    fills.extend(self.disk_index(&group.name, &name).map(|i| (i, &disk.fill)));
                }
            }
            for shared in &group.shared_disks {
                fills.extend(
                    self.disk_index(&group.name, &shared.name)
                        .map(|i| (i, &shared.fill)),
                );
            }
        }
        fills
    }

    /// `<prefix>/<group>/<vm>/<disk>` for a VM's own disk, `<prefix>/<group>/shared/<disk>`
    /// for a shared one.
    pub fn stream_name(&self, prefix: &str, disk: usize) -> String {
        let d = &self.disks[disk];
        let group = &self.groups[d.group].name;
        if d.shared {
            format!("{prefix}/{group}/shared/{}", d.name)
        } else {
            format!("{prefix}/{group}/{}", d.name)
        }
    }

    pub fn host_index(&self, name: &str) -> Option<usize> {
        self.hosts.iter().position(|h| h.name == name)
    }

    pub fn group_index(&self, name: &str) -> Option<usize> {
        self.groups.iter().position(|g| g.name == name)
    }

    /// The VM called `name`, searched in `group` when given, else in every group (first match).
    pub fn vm_index(&self, group: Option<&str>, name: &str) -> Option<usize> {
        self.vms
            .iter()
            .position(|v| v.name == name && group.iter().all(|g| self.groups[v.group].name == *g))
    }

    /// The disk of `group` called `name` (`vm/disk` or a shared disk's name).
    pub fn disk_index(&self, group: &str, name: &str) -> Option<usize> {
        self.disks
            .iter()
            .position(|d| d.name == name && self.groups[d.group].name == group)
    }

    /// A disk named as in a fault (`vm/disk` or a shared disk name), in any group.
    pub fn disk_index_any_group(&self, name: &str) -> Option<usize> {
        self.disks.iter().position(|d| d.name == name)
    }

    /// A disk named as in a timeline `write`: `vm/disk` (the VM's own disk, or a shared disk
    /// attached to it) or a shared disk's name.
    pub fn disk_named(&self, name: &str) -> Option<usize> {
        self.disk_index_any_group(name).or_else(|| {
            name.match_indices('/').find_map(|(i, _)| {
                let (vm, rest) = (&name[..i], &name[i + 1..]);
                let vm = self.vm_index(None, vm)?;
                self.disks
                    .iter()
                    .position(|d| d.shared && d.name == rest && d.attached_to.contains(&vm))
            })
        })
    }

    pub fn disk_by_instance_id(&self, instance_id: &str) -> Option<usize> {
        self.disk_by_instance_id.get(instance_id).copied()
    }

    pub fn vm_by_id(&self, id: &Guid) -> Option<usize> {
        self.vms.iter().position(|v| v.id == *id)
    }

    pub fn group_by_id(&self, id: &Guid) -> Option<usize> {
        self.groups.iter().position(|g| g.id == *id)
    }

    /// The `CollectionID` of the latest reference point created under a scenario name.
    pub fn reference_point_id(&self, scenario_name: &str) -> Option<Guid> {
        self.refpoints
            .by_name(scenario_name)
            .map(|p| p.collection_id)
    }

    /// Why the VM can not be read or snapshotted now, if so.
    pub fn vm_unavailable(&self, vm: usize) -> Option<String> {
        let v = &self.vms[vm];
        if v.migrating {
            return Some(format!("VM {} is migrating", v.id));
        }
        let host = &self.hosts[v.host];
        host.down
            .then(|| format!("host {} of VM {} is down", host.name, v.id))
    }

    /// Why the group's members can not be snapshotted or exported now, if so.
    pub fn group_unavailable(&self, group: usize) -> Option<String> {
        self.groups[group]
            .vms
            .iter()
            .filter(|v| !self.vms[**v].removed)
            .find_map(|v| self.vm_unavailable(*v))
    }

    /// Why the disk can not be read now: (NotFound?, reason).
    pub fn disk_unreadable(&self, disk: usize) -> Option<(bool, String)> {
        let d = &self.disks[disk];
        let live: Vec<usize> = d
            .attached_to
            .iter()
            .copied()
            .filter(|v| !self.vms[*v].removed)
            .collect();
        if live.is_empty() {
            return Some((
                true,
                format!(
                    "disk {} belongs to no VM of the group any more",
                    d.instance_id
                ),
            ));
        }
        if live.iter().all(|v| self.vm_unavailable(*v).is_some()) {
            let reason = self.vm_unavailable(live[0]).unwrap_or_default();
            return Some((false, format!("disk {}: {reason}", d.instance_id)));
        }
        None
    }

    /// `CreateReferencePoint` of `group` at `now_ns`: the new `CollectionID`, or a return code.
    pub fn create_reference_point(
        &mut self,
        name: &str,
        group_name: &str,
        kind: ReferencePointKind,
        consistency: Consistency,
        now_ns: u64,
    ) -> Result<Guid, u32> {
        let group = self
            .group_index(group_name)
            .ok_or(return_code::INVALID_PARAMETER)?;
        if self.group_unavailable(group).is_some() {
            return Err(return_code::INVALID_STATE);
        }
        if self.refpoints.is_full() {
            return Err(return_code::GENERIC_FAILED);
        }
        let sequence = self.refpoints.sequence_next();
        let collection_id = ids::guid(self.seed, "reference_point", &format!("{name}#{sequence}"));
        let mut point = RefPoint {
            collection_id,
            name: name.to_string(),
            group,
            reference_point_type: match kind {
                ReferencePointKind::Log => ReferencePointType::Log,
                ReferencePointKind::Rct => ReferencePointType::Rct,
            },
            consistency_level: match consistency {
                Consistency::CrashConsistent => ConsistencyLevel::CrashConsistent,
                Consistency::ApplicationConsistent => ConsistencyLevel::ApplicationConsistent,
            },
            creation_sequence: sequence,
            taken_at_ns: now_ns,
            destroyed: false,
            log_removed: false,
            members: Vec::new(),
            disks: Vec::new(),
        };
        self.freeze_members(group, &mut point);
        self.refpoints.add(point);
        Ok(collection_id)
    }

    /// Records each member VM of `group` (not removed) in `point`, freezing each distinct disk
    /// once (a shared disk once).
    fn freeze_members(&mut self, group: usize, point: &mut RefPoint) {
        let members: Vec<usize> = self.groups[group]
            .vms
            .iter()
            .copied()
            .filter(|v| !self.vms[*v].removed)
            .collect();
        for vm in members {
            let mut member = MemberPoint {
                vm,
                power_state: self.vms[vm].power_state,
                disks: Vec::new(),
            };
            for &disk in &self.vms[vm].disks {
                let slot = match point.disks.iter().position(|p| p.disk == disk) {
                    Some(slot) => slot,
                    None => {
                        let d = &mut self.disks[disk];
                        let epoch = d.sim.freeze();
                        let reset_generation = d.sim.reset_generation();
                        let rct_id = ids::rct_id(&d.id, reset_generation, epoch);
                        point.disks.push(DiskPoint {
                            disk,
                            epoch,
                            reset_generation,
                            rct_id,
                            virtual_size_bytes: d.sim.virtual_size_bytes(),
                        });
                        point.disks.len() - 1
                    }
                };
                member.disks.push(slot);
            }
            point.members.push(member);
        }
    }

    /// `DestroyReferencePoint` by scenario name: (return code, destroyed `CollectionID`s).
    pub fn destroy_reference_point(&mut self, name: &str) -> (u32, Vec<Guid>) {
        match self.reference_point_id(name) {
            Some(id) => self.refpoints.destroy(&id),
            None => (return_code::INVALID_PARAMETER, Vec::new()),
        }
    }

    /// `RemoveAssociatedData` by scenario name: the return code.
    pub fn remove_associated_data(&mut self, name: &str) -> u32 {
        match self.reference_point_id(name) {
            Some(id) => self.refpoints.remove_associated_data(&id),
            None => return_code::INVALID_PARAMETER,
        }
    }

    /// A host crashed: every disk of its VMs has its RCT reset and the host goes down. Returns
    /// the disks reset.
    pub fn host_crash(&mut self, host: usize) -> Vec<usize> {
        self.hosts[host].down = true;
        let mut reset: Vec<usize> = self
            .vms
            .iter()
            .filter(|v| v.host == host)
            .flat_map(|v| v.disks.iter().copied())
            .collect();
        reset.sort_unstable();
        reset.dedup();
        for &disk in &reset {
            self.disks[disk].sim.reset_rct();
        }
        assert!(self.hosts[host].down);
        reset
    }

    pub fn host_recover(&mut self, host: usize) {
        self.hosts[host].down = false;
    }

    /// `rct_usable` of a frozen disk: no RCT reset since the point was taken.
    pub fn rct_usable(&self, point: &DiskPoint) -> bool {
        self.disks[point.disk].sim.reset_generation() == point.reset_generation
    }

    /// The disks of a reference point as the checks see them (each distinct disk once, in
    /// member order), whether or not the point was destroyed since.
    pub fn reference_point_disks(&self, id: &Guid) -> Option<Vec<DiskAtReferencePoint>> {
        let point = self.refpoints.get(id)?;
        Some(point.disks.iter().map(|p| self.disk_at(p)).collect())
    }

    pub fn disk_at(&self, point: &DiskPoint) -> DiskAtReferencePoint {
        let d = &self.disks[point.disk];
        DiskAtReferencePoint {
            instance_id: d.instance_id.clone(),
            rct_id: point.rct_id.clone(),
            rct_usable: self.rct_usable(point),
            virtual_size_bytes: point.virtual_size_bytes,
            block_size_bytes: d.sim.block_size_bytes(),
            shared: d.shared,
        }
    }

    /// Total history entries over every disk (the world's metadata cost).
    pub fn history_entry_count(&self) -> u64 {
        self.disks.iter().map(|d| d.sim.history_entry_count()).sum()
    }

    /// Approximate heap bytes of every disk's block map.
    pub fn approx_metadata_bytes(&self) -> u64 {
        self.disks
            .iter()
            .map(|d| d.sim.approx_metadata_bytes())
            .sum()
    }
}

/// `count` distinct values of `0..n`, ascending: a sparse partial Fisher–Yates shuffle.
fn choose_distinct(rng: &mut impl rand::RngCore, n: u64, count: u64) -> Vec<u64> {
    assert!(count <= n);
    let mut swapped: BTreeMap<u64, u64> = BTreeMap::new();
    let mut chosen = Vec::with_capacity(count as usize);
    for i in 0..count {
        let j = i + below(rng, n - i);
        let at_j = swapped.get(&j).copied().unwrap_or(j);
        let at_i = swapped.get(&i).copied().unwrap_or(i);
        swapped.insert(j, at_i);
        chosen.push(at_j);
    }
    chosen.sort_unstable();
    chosen
}

/// An explicit fill: exactly the listed block runs, each inside the disk.
fn fill_explicit(disk: &mut VirtualDisk, fill: &model::Fill) -> Result<(), WorldError> {
    for run in &fill.blocks {
        let end = run.end().filter(|end| *end <= disk.sim.block_count());
        let end = end.ok_or_else(|| WorldError::BadDisk {
            disk: disk.name.clone(),
            reason: format!(
                "fill block run [{}, {}] is outside the disk",
                run.first(),
                run.count()
            ),
        })?;
        for block in run.first()..end {
            fill_block(disk, block)?;
        }
    }
    Ok(())
}

/// One block of an initial fill, refused once the disk's history is full.
fn fill_block(disk: &mut VirtualDisk, block: u64) -> Result<(), WorldError> {
    disk.sim
        .write_block(block)
        .map(|_| ())
        .map_err(|_| WorldError::BadDisk {
            disk: disk.name.clone(),
            reason: "fill exceeds the disk's history limit".into(),
        })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const SCENARIO: &str = r#"
version: 1
name: two-node
hosts: [{name: h1}, {name: h2}]
storage: {capacity: 1TiB, bandwidth: 1GiB/s}
vm_groups:
  - name: cluster
    vms:
      - name: a
        host: h1
        generation: 2
        state: running
        disks: [{name: os, size: 64MiB, block_size: 1MiB, fill: {allocated: 8MiB}}]
      - name: b
        host: h2
        generation: 1
        state: off
        disks: [{name: os, size: 64MiB, block_size: 1MiB, fill: {allocated: 8MiB, layout: random}}]
    shared_disks:
      - {name: quorum, size: 2TiB, attached_to: [a, b], fill: {allocated: 4MiB, layout: random}}
"#;

    /// Takes a crash-consistent RCT reference point of the test group `cluster`.
    pub(crate) fn rct_point(w: &mut World, name: &str, at_ns: u64) -> Guid {
        w.create_reference_point(
            name,
            "cluster",
            ReferencePointKind::Rct,
            Consistency::CrashConsistent,
            at_ns,
        )
        .unwrap()
    }

    pub(crate) fn scenario() -> Scenario {
        serde_norway::from_str(SCENARIO).expect("test scenario parses")
    }

    #[test]
    fn builds_hosts_vms_and_shared_disks() {
        let w = World::new(&scenario(), 1).unwrap();
        assert_eq!(w.vms.len(), 2);
        assert_eq!(w.disks.len(), 3);
        let quorum = w.disk_index("cluster", "quorum").unwrap();
        assert!(w.disks[quorum].shared);
        assert_eq!(w.disks[quorum].attached_to, vec![0, 1]);
        assert_eq!(w.vms[0].disks.last(), Some(&quorum));
        assert!(w.disks[quorum]
            .instance_id
            .contains(&w.groups[0].id.to_string()));
        assert_eq!(
            w.disk_by_instance_id(&w.disks[quorum].instance_id),
            Some(quorum)
        );
    }

    #[test]
    fn random_fill_depends_on_the_seed_and_places_the_requested_blocks() {
        let a = World::new(&scenario(), 1).unwrap();
        let b = World::new(&scenario(), 2).unwrap();
        let disk = a.disk_index("cluster", "b/os").unwrap();
        let extents = |w: &World| w.disks[disk].sim.allocated_extents(0);
        assert_eq!(
            extents(&a).iter().map(|e| e.length_bytes).sum::<u64>(),
            8 << 20
        );
        assert_ne!(extents(&a), extents(&b));
        assert_eq!(extents(&a), extents(&World::new(&scenario(), 1).unwrap()));
    }

    #[test]
    fn a_shared_disk_is_frozen_once_per_reference_point() {
        let mut w = World::new(&scenario(), 1).unwrap();
        let id = crate::world::tests::rct_point(&mut w, "rp", 5);
        let point = w.refpoints.get(&id).unwrap();
        assert_eq!(point.disks.len(), 3);
        assert_eq!(point.members.len(), 2);
        let quorum = w.disk_index("cluster", "quorum").unwrap();
        assert_eq!(w.disks[quorum].sim.epoch(), 1);
        assert_eq!(w.reference_point_id("rp"), Some(id));
        assert_eq!(
            w.create_reference_point(
                "x",
                "nope",
                ReferencePointKind::Rct,
                Consistency::CrashConsistent,
                5
            ),
            Err(return_code::INVALID_PARAMETER)
        );
    }

    #[test]
    fn host_crash_resets_rct_of_earlier_points_and_blocks_new_ones() {
        let mut w = World::new(&scenario(), 1).unwrap();
        let id = crate::world::tests::rct_point(&mut w, "rp", 0);
        assert!(w
            .reference_point_disks(&id)
            .unwrap()
            .iter()
            .all(|d| d.rct_usable));
        let reset = w.host_crash(0);
        assert_eq!(reset.len(), 2, "a's own disk and the shared disk");
        let disks = w.reference_point_disks(&id).unwrap();
        let usable: Vec<bool> = disks.iter().map(|d| d.rct_usable).collect();
        // Frozen in member order: a/os, quorum (a's), b/os.
        assert_eq!(usable, vec![false, false, true]);
        assert!(w.group_unavailable(0).is_some());
        assert_eq!(
            w.create_reference_point(
                "rp2",
                "cluster",
                ReferencePointKind::Rct,
                Consistency::CrashConsistent,
                1
            ),
            Err(return_code::INVALID_STATE)
        );
        w.host_recover(0);
        let later = crate::world::tests::rct_point(&mut w, "rp2", 2);
        let rct = &w.reference_point_disks(&later).unwrap()[0].rct_id;
        assert!(rct.ends_with(":1:1"), "reset generation 1, epoch 1: {rct}");
    }
}
