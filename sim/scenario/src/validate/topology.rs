//! Validation of what exists before the timeline starts: hosts, storage, VM groups, VMs, their
//! disks, shared disks and workloads. Owns those rules and the name tables later checks resolve
//! against; it must never look at the timeline.

use super::{
    listing, Problems, BLOCK_SIZE_BYTES_MAX, BLOCK_SIZE_BYTES_MIN, DISKS_MAX, DISK_SIZE_BYTES_MAX,
    FILL_EXPLICIT_BLOCKS_MAX, FILL_RUNS_MAX, HOSTS_MAX, INSTANCE_ID_BYTES_MAX, VMS_MAX,
    VM_GROUPS_MAX, WRITE_RATE_BYTES_PER_S_MAX, WRITE_SIZE_BYTES_MAX,
};
use crate::model::{Fill, FillLayout, Scenario, VmGroup, Workload, WritePattern};
use crate::path::NodePath;
use crate::units::ByteSize;
use std::collections::{BTreeMap, BTreeSet};

/// Name tables of the topology, first definition wins.
#[derive(Debug, Default)]
pub(crate) struct World<'s> {
    pub hosts: BTreeSet<&'s str>,
    /// Group name → names of its VMs.
    pub groups: BTreeMap<&'s str, BTreeSet<&'s str>>,
    /// VM name → its group.
    pub vm_group: BTreeMap<&'s str, &'s str>,
    /// VM name → names of its disks, own and attached shared ones.
    pub vm_disks: BTreeMap<&'s str, BTreeSet<&'s str>>,
    /// Shared disk name → its group.
    pub shared_disks: BTreeMap<&'s str, &'s str>,
    /// Disk (`vm/disk` or a shared disk's name) → its number of blocks, when its shape is valid.
    pub disk_blocks: BTreeMap<String, u64>,
    /// (size, block size) in bytes of each disk of valid shape, by the same names.
    pub disk_geometry: BTreeMap<String, (u64, u64)>,
    /// Blocks listed by `explicit` fills so far, over all disks.
    pub explicit_fill_blocks: u64,
    /// Disk instance IDs given in the file so far.
    pub instance_ids: BTreeSet<String>,
}

impl World<'_> {
    /// The block count of a disk named as in a fault or a write: `vm/disk` (the VM's own disk
    /// or a shared disk attached to it) or a shared disk's name.
    pub fn blocks_of(&self, disk: &str) -> Option<u64> {
        if let Some(blocks) = self.disk_blocks.get(disk) {
            return Some(*blocks);
        }
        disk.match_indices('/').find_map(|(i, _)| {
            let (vm, rest) = (&disk[..i], &disk[i + 1..]);
            let attached = self.vm_disks.get(vm)?.contains(rest);
            let shared = self.shared_disks.contains_key(rest);
            if attached && shared {
                self.disk_blocks.get(rest).copied()
            } else {
                None
            }
        })
    }
}

pub(crate) fn check<'s>(scenario: &'s Scenario, problems: &mut Problems) -> World<'s> {
    let root = NodePath::root();
    let mut world = World::default();
    check_hosts(scenario, &mut world, problems);
    if scenario.storage.capacity.bytes() == 0 {
        problems.at(
            &root.key("storage").key("capacity"),
            "storage capacity is 0; give the target a positive size such as `1TiB`",
        );
    }
    let groups = root.key("vm_groups");
    if scenario.vm_groups.is_empty() {
        problems.at(&groups, "vm_groups is empty; define at least one VM group");
    }
    if !problems.count(
        &groups,
        "VM groups",
        scenario.vm_groups.len(),
        VM_GROUPS_MAX,
    ) {
        return world;
    }
    let vm_count: usize = scenario.vm_groups.iter().map(|g| g.vms.len()).sum();
    let disk_count: usize = scenario
        .vm_groups
        .iter()
        .map(|g| g.shared_disks.len() + g.vms.iter().map(|v| v.disks.len()).sum::<usize>())
        .sum();
    let vms_fit = problems.count(&groups, "VMs in all groups", vm_count, VMS_MAX);
    let disks_fit = problems.count(&groups, "disks in all groups", disk_count, DISKS_MAX);
    if !(vms_fit && disks_fit) {
        return world;
    }
    for (i, group) in scenario.vm_groups.iter().enumerate() {
        check_group(group, &groups.index(i), &mut world, problems);
    }
    world
}

fn check_hosts<'s>(scenario: &'s Scenario, world: &mut World<'s>, problems: &mut Problems) {
    let hosts = NodePath::root().key("hosts");
    if scenario.hosts.is_empty() {
        problems.at(&hosts, "hosts is empty; define at least one host");
    }
    if !problems.count(&hosts, "hosts", scenario.hosts.len(), HOSTS_MAX) {
        return;
    }
    for (i, host) in scenario.hosts.iter().enumerate() {
        let path = hosts.index(i).key("name");
        problems.name(&path, "host", &host.name);
        if !world.hosts.insert(&host.name) {
            problems.at(&path, format!("host `{}` is defined twice", host.name));
        }
    }
}

fn check_group<'s>(
    group: &'s VmGroup,
    path: &NodePath,
    world: &mut World<'s>,
    problems: &mut Problems,
) {
    problems.name(&path.key("name"), "VM group", &group.name);
    if world.groups.contains_key(group.name.as_str()) {
        problems.at(
            &path.key("name"),
            format!("VM group `{}` is defined twice", group.name),
        );
        return;
    }
    let mut members = BTreeSet::new();
    if group.vms.is_empty() {
        problems.at(
            &path.key("vms"),
            format!("VM group `{}` has no VMs", group.name),
        );
    }
    for (i, vm) in group.vms.iter().enumerate() {
        let vm_path = path.key("vms").index(i);
        problems.name(&vm_path.key("name"), "VM", &vm.name);
        if world.vm_group.contains_key(vm.name.as_str()) {
            problems.at(
                &vm_path.key("name"),
                format!(
                    "VM `{}` is defined twice; VM names must be unique in the scenario",
                    vm.name
                ),
            );
            continue;
        }
        world.vm_group.insert(&vm.name, &group.name);
        members.insert(vm.name.as_str());
        if !world.hosts.contains(vm.host.as_str()) {
            problems.at(
                &vm_path.key("host"),
                format!(
                    "host `{}` is not defined; defined hosts: {}",
                    vm.host,
                    listing(world.hosts.iter().copied())
                ),
            );
        }
        if !(1..=2).contains(&vm.generation) {
            problems.at(
                &vm_path.key("generation"),
                format!("generation {} does not exist; allowed: 1, 2", vm.generation),
            );
        }
        let mut disks = BTreeSet::new();
        for (d, disk) in vm.disks.iter().enumerate() {
            let disk_path = vm_path.key("disks").index(d);
            problems.name(&disk_path.key("name"), "disk", &disk.name);
            if !disks.insert(disk.name.as_str()) {
                problems.at(
                    &disk_path.key("name"),
                    format!("disk `{}` is defined twice on VM `{}`", disk.name, vm.name),
                );
            }
            check_instance_id(disk.instance_id.as_deref(), &disk_path, world, problems);
            let shape = Shape {
                size: disk.size,
                block_size: disk.block_size,
                fill: &disk.fill,
            };
            if let Some(blocks) = check_disk_shape(&shape, &disk_path, world, problems) {
                let name = format!("{}/{}", vm.name, disk.name);
                let geometry = (disk.size.bytes(), disk.block_size.bytes());
                world.disk_geometry.insert(name.clone(), geometry);
                world.disk_blocks.insert(name, blocks);
            }
        }
        world.vm_disks.insert(&vm.name, disks);
    }
    world.groups.insert(&group.name, members);
    check_shared_disks(group, path, world, problems);
    for (i, vm) in group.vms.iter().enumerate() {
        if let Some(workload) = &vm.workload {
            let own = world
                .vm_disks
                .get(vm.name.as_str())
                .cloned()
                .unwrap_or_default();
            let vm_path = path.key("vms").index(i);
            check_workload(workload, &vm_path.key("workload"), Some(&own), problems);
        }
    }
}

fn check_shared_disks<'s>(
    group: &'s VmGroup,
    path: &NodePath,
    world: &mut World<'s>,
    problems: &mut Problems,
) {
    for (i, shared) in group.shared_disks.iter().enumerate() {
        let disk_path = path.key("shared_disks").index(i);
        problems.name(&disk_path.key("name"), "shared disk", &shared.name);
        if world.shared_disks.contains_key(shared.name.as_str()) {
            problems.at(
                &disk_path.key("name"),
                format!(
                    "shared disk `{}` is defined twice; shared disk names must be unique in \
                     the scenario",
                    shared.name
                ),
            );
            continue;
        }
        world.shared_disks.insert(&shared.name, &group.name);
        check_instance_id(shared.instance_id.as_deref(), &disk_path, world, problems);
        let shape = Shape {
            size: shared.size,
            block_size: shared.block_size,
            fill: &shared.fill,
        };
        if let Some(blocks) = check_disk_shape(&shape, &disk_path, world, problems) {
            let geometry = (shared.size.bytes(), shared.block_size.bytes());
            world.disk_geometry.insert(shared.name.clone(), geometry);
            world.disk_blocks.insert(shared.name.clone(), blocks);
        }
        let attached = disk_path.key("attached_to");
        if shared.attached_to.len() < 2 {
            problems.at(
                &attached,
                format!(
                    "shared disk `{}` is attached to {} VM(s); a shared disk needs at least two \
                     VMs of group `{}`",
                    shared.name,
                    shared.attached_to.len(),
                    group.name
                ),
            );
        }
        attach(
            group,
            shared.name.as_str(),
            &shared.attached_to,
            &attached,
            world,
            problems,
        );
        if let Some(workload) = &shared.workload {
            check_workload(workload, &disk_path.key("workload"), None, problems);
        }
    }
}

/// Records `disk` on each VM of `vm_names`, which must be distinct members of `group`.
fn attach<'s>(
    group: &'s VmGroup,
    disk: &'s str,
    vm_names: &'s [String],
    path: &NodePath,
    world: &mut World<'s>,
    problems: &mut Problems,
) {
    let members: Vec<&str> = group.vms.iter().map(|v| v.name.as_str()).collect();
    let mut seen = BTreeSet::new();
    for (i, vm) in vm_names.iter().enumerate() {
        if !members.contains(&vm.as_str()) {
            problems.at(
                &path.index(i),
                format!(
                    "VM `{vm}` is not a member of group `{}`; members: {}",
                    group.name,
                    listing(members.iter().copied())
                ),
            );
            continue;
        }
        if !seen.insert(vm.as_str()) {
            problems.at(&path.index(i), format!("VM `{vm}` is listed twice"));
            continue;
        }
        let disks = world.vm_disks.entry(vm.as_str()).or_default();
        if !disks.insert(disk) {
            problems.at(
                &path.index(i),
                format!("VM `{vm}` already has a disk named `{disk}`; rename one of them"),
            );
        }
    }
}

/// A given `instance_id`: 1 to [`INSTANCE_ID_BYTES_MAX`] bytes, no control characters (any
/// other text is allowed: hostile IDs are what it is for), not another disk's.
fn check_instance_id(
    instance_id: Option<&str>,
    disk_path: &NodePath,
    world: &mut World<'_>,
    problems: &mut Problems,
) {
    let Some(id) = instance_id else { return };
    let path = disk_path.key("instance_id");
    if id.is_empty() || id.len() > INSTANCE_ID_BYTES_MAX || id.chars().any(char::is_control) {
        problems.at(
            &path,
            format!(
                "instance_id must be 1 to {INSTANCE_ID_BYTES_MAX} bytes without control \
                 characters"
            ),
        );
    } else if !world.instance_ids.insert(id.to_string()) {
        problems.at(
            &path,
            format!("instance_id `{id}` is already another disk's; instance IDs are unique"),
        );
    }
}

/// The fields of a disk or shared disk that give it its shape and initial contents.
struct Shape<'a> {
    size: ByteSize,
    block_size: ByteSize,
    fill: &'a Fill,
}

/// Checks size, block size and fill; returns the disk's block count when size and block size
/// are valid.
fn check_disk_shape(
    shape: &Shape<'_>,
    path: &NodePath,
    world: &mut World<'_>,
    problems: &mut Problems,
) -> Option<u64> {
    let Shape {
        size,
        block_size,
        fill,
    } = *shape;
    let mut valid = true;
    if size.bytes() == 0 || size.bytes() > DISK_SIZE_BYTES_MAX {
        valid = false;
        problems.at(
            &path.key("size"),
            format!("disk size {size} is out of range; allowed: more than 0, at most 64TiB"),
        );
    }
    let block = block_size.bytes();
    if !block.is_power_of_two() || !(BLOCK_SIZE_BYTES_MIN..=BLOCK_SIZE_BYTES_MAX).contains(&block) {
        valid = false;
        problems.at(
            &path.key("block_size"),
            format!(
                "block size {block_size} is not allowed; a block size is a power of two from \
                 4KiB to 256MiB"
            ),
        );
    }
    if fill.allocated > size {
        problems.at(
            &path.key("fill").key("allocated"),
            format!(
                "fill.allocated {} is more than the disk size {size}",
                fill.allocated
            ),
        );
    }
    let blocks = valid.then(|| size.bytes().div_ceil(block));
    check_fill_blocks(fill, blocks, &path.key("fill"), world, problems);
    blocks
}

/// The `blocks` list of an `explicit` fill: only with that layout, in increasing order without
/// overlap, inside the disk, and at most [`FILL_EXPLICIT_BLOCKS_MAX`] blocks over all disks.
fn check_fill_blocks(
    fill: &Fill,
    disk_blocks: Option<u64>,
    path: &NodePath,
    world: &mut World<'_>,
    problems: &mut Problems,
) {
    let list = path.key("blocks");
    if fill.layout != FillLayout::Explicit {
        if !fill.blocks.is_empty() {
            problems.at_key(
                &list,
                "fill.blocks is only read with `layout: explicit`; remove it or set the layout",
            );
        }
        return;
    }
    if !fill.allocated.is_zero() {
        problems.at_key(
            &path.key("allocated"),
            "an explicit fill lists its blocks in `blocks`; remove `allocated`",
        );
    }
    if !problems.count(&list, "block runs", fill.blocks.len(), FILL_RUNS_MAX) {
        return;
    }
    let mut previous_end = 0u64;
    for (i, run) in fill.blocks.iter().enumerate() {
        let end = run.end();
        let problem = if run.count() == 0 {
            Some("a block run of 0 blocks; give FIRST+COUNT with COUNT >= 1".to_string())
        } else if i > 0 && run.first() < previous_end {
            Some(format!(
                "block run {run} starts before the previous run ends (block {previous_end}); \
                 list runs in increasing order without overlap"
            ))
        } else {
            match (end, disk_blocks) {
                (None, _) => Some(format!("block run {run} overflows")),
                (Some(end), Some(blocks)) if end > blocks => Some(format!(
                    "block run {run} ends past the disk's last block ({blocks} blocks)"
                )),
                _ => None,
            }
        };
        if let Some(message) = problem {
            problems.at(&list.index(i), message);
            return;
        }
        previous_end = end.unwrap_or(u64::MAX);
        world.explicit_fill_blocks = world.explicit_fill_blocks.saturating_add(run.count());
        if world.explicit_fill_blocks > FILL_EXPLICIT_BLOCKS_MAX {
            problems.at(
                &list.index(i),
                format!(
                    "explicit fills list more than {FILL_EXPLICIT_BLOCKS_MAX} blocks over all \
                     disks; use larger blocks or a sequential fill"
                ),
            );
            return;
        }
    }
}

/// `own_disks` is the VM's disk table, or `None` for a shared disk's workload.
fn check_workload(
    workload: &Workload,
    path: &NodePath,
    own_disks: Option<&BTreeSet<&str>>,
    problems: &mut Problems,
) {
    let write_size = workload.write_size.bytes();
    if write_size == 0 || write_size > WRITE_SIZE_BYTES_MAX {
        problems.at(
            &path.key("write_size"),
            format!(
                "write_size {} is out of range; allowed: more than 0, at most 64MiB",
                workload.write_size
            ),
        );
    }
    if workload.write_rate.bytes_per_s() > WRITE_RATE_BYTES_PER_S_MAX {
        problems.at(
            &path.key("write_rate"),
            format!(
                "write_rate {} is more than the limit of 10GiB/s",
                workload.write_rate
            ),
        );
    }
    if workload.pattern != WritePattern::HotSpot {
        for (field, set) in [
            ("hot_spot_size", workload.hot_spot_size.is_some()),
            ("hot_spot_share", workload.hot_spot_share.is_some()),
        ] {
            if set {
                problems.at_key(
                    &path.key(field),
                    format!("{field} is only allowed with `pattern: hot_spot`"),
                );
            }
        }
    }
    if let (Some(start), Some(stop)) = (workload.start, workload.stop) {
        if stop <= start {
            problems.at(
                &path.key("stop"),
                format!("workload stops at {stop} but starts at {start}; stop must be later"),
            );
        }
    }
    check_workload_disks(workload, path, own_disks, problems);
}

fn check_workload_disks(
    workload: &Workload,
    path: &NodePath,
    own_disks: Option<&BTreeSet<&str>>,
    problems: &mut Problems,
) {
    let Some(own) = own_disks else {
        if !workload.disks.is_empty() {
            problems.at_key(
                &path.key("disks"),
                "a shared disk's workload writes to that disk; `disks` is not allowed here",
            );
        }
        return;
    };
    let mut seen = BTreeSet::new();
    for (i, disk) in workload.disks.iter().enumerate() {
        if !own.contains(disk.as_str()) {
            problems.at(
                &path.key("disks").index(i),
                format!(
                    "disk `{disk}` is not a disk of this VM; its disks: {}",
                    listing(own.iter().copied())
                ),
            );
        } else if !seen.insert(disk.as_str()) {
            problems.at(
                &path.key("disks").index(i),
                format!("disk `{disk}` is listed twice"),
            );
        }
    }
}
