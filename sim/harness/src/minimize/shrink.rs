//! The shrinking passes over a derandomized scenario: delta debugging over timeline entries and
//! expectations, then removing VMs, disks, shared disks and hosts one at a time, then smaller
//! fills, disks and storage latency, repeated until a round changes nothing. Every step keeps a
//! candidate only when the probe says it still reproduces. Owns the edits; it must never run
//! anything itself nor keep a candidate the probe rejected.

use super::ddmin::ddmin;
use super::probe::Probe;
use rpsim_scenario::model::{BlockRun, Fault, FillLayout, GuestWrite, Scenario};
use rpsim_scenario::units::{ByteSize, SimDuration};

/// Most rounds of all passes (each round that changes something shrinks the scenario).
pub const ROUNDS_MAX: usize = 8;

/// Shrinks `scenario`, which must reproduce, as far as the passes and the budget allow.
pub fn shrink(scenario: Scenario, probe: &mut Probe) -> Scenario {
    let mut current = scenario;
    for _ in 0..ROUNDS_MAX {
        let before = current.clone();
        current = timeline(current, probe);
        current = expectations(current, probe);
        current = topology(current, probe);
        current = sizes(current, probe);
        if current == before || probe.spent().is_some() {
            break;
        }
    }
    current
}

/// Keeps the first of `candidates` that reproduces, else `current`.
fn first_reproducing(
    current: Scenario,
    candidates: impl IntoIterator<Item = Scenario>,
    probe: &mut Probe,
) -> (Scenario, bool) {
    for candidate in candidates {
        if candidate != current && probe.reproduces(&candidate) {
            return (candidate, true);
        }
    }
    (current, false)
}

/// Delta debugging over the timeline; expectations on exports that no longer exist go too.
fn timeline(scenario: Scenario, probe: &mut Probe) -> Scenario {
    let indices: Vec<usize> = (0..scenario.timeline.len()).collect();
    let with = |keep: &[usize]| {
        let mut candidate = scenario.clone();
        candidate.timeline = keep.iter().map(|&i| scenario.timeline[i].clone()).collect();
        drop_dangling_expectations(&mut candidate);
        candidate
    };
    // ddmin returns the input or a sub-list that reproduced.
    let kept = ddmin(&indices, &mut |keep| probe.reproduces(&with(keep)));
    with(&kept)
}

fn expectations(scenario: Scenario, probe: &mut Probe) -> Scenario {
    let indices: Vec<usize> = (0..scenario.expect.len()).collect();
    let with = |keep: &[usize]| {
        let mut candidate = scenario.clone();
        candidate.expect = keep.iter().map(|&i| scenario.expect[i].clone()).collect();
        candidate
    };
    // ddmin returns the input or a sub-list that reproduced.
    let kept = ddmin(&indices, &mut |keep| probe.reproduces(&with(keep)));
    with(&kept)
}

fn drop_dangling_expectations(scenario: &mut Scenario) {
    let exports: Vec<String> = scenario
        .timeline
        .iter()
        .filter_map(|e| e.export.as_ref().map(|x| x.name.clone()))
        .collect();
    scenario.expect.retain(|e| exports.contains(&e.export));
}

/// Removes VMs, own disks, shared disks and hosts, one at a time, while it still reproduces.
fn topology(scenario: Scenario, probe: &mut Probe) -> Scenario {
    let mut current = scenario;
    loop {
        let candidates = removals(&current);
        let (next, changed) = first_reproducing(current, candidates, probe);
        current = next;
        if !changed {
            return current;
        }
    }
}

/// Every single-object removal of `scenario`, in file order: VMs, their disks, shared disks,
/// then hosts no VM runs on.
fn removals(scenario: &Scenario) -> Vec<Scenario> {
    let mut out = Vec::new();
    for (g, group) in scenario.vm_groups.iter().enumerate() {
        for (v, vm) in group.vms.iter().enumerate() {
            out.push(without_vm(scenario, g, v));
            for d in 0..vm.disks.len() {
                out.push(without_disk(scenario, g, v, d));
            }
        }
        for s in 0..group.shared_disks.len() {
            out.push(without_shared_disk(scenario, g, s));
        }
    }
    for host in &scenario.hosts {
        let used = scenario
            .vm_groups
            .iter()
            .flat_map(|g| &g.vms)
            .any(|vm| vm.host == host.name);
        if !used {
            let mut candidate = scenario.clone();
            candidate.hosts.retain(|h| h.name != host.name);
            drop_entries(&mut candidate, |f| {
                f.host.as_deref() == Some(host.name.as_str())
                    || f.to_host.as_deref() == Some(host.name.as_str())
            });
            out.push(candidate);
        }
    }
    out
}

fn without_vm(scenario: &Scenario, g: usize, v: usize) -> Scenario {
    let mut out = scenario.clone();
    let name = out.vm_groups[g].vms.remove(v).name;
    let prefix = format!("{name}/");
    let group = &mut out.vm_groups[g];
    for shared in &mut group.shared_disks {
        shared.attached_to.retain(|vm| *vm != name);
    }
    let gone: Vec<String> = group
        .shared_disks
        .iter()
        .filter(|s| s.attached_to.len() < 2)
        .map(|s| s.name.clone())
        .collect();
    group.shared_disks.retain(|s| s.attached_to.len() >= 2);
    let names_gone_disk = |disk: &str| {
        disk.starts_with(&prefix)
            || gone
                .iter()
                .any(|s| disk == s || disk.ends_with(&format!("/{s}")))
    };
    out.timeline.retain(|entry| {
        let fault_hits = entry.fault.as_ref().is_some_and(|f| {
            f.vm.as_deref() == Some(name.as_str()) || f.disk.as_deref().is_some_and(names_gone_disk)
        });
        let write_hits = entry
            .write
            .as_ref()
            .is_some_and(|w| names_gone_disk(&w.disk));
        !(fault_hits || write_hits)
    });
    for entry in &mut out.timeline {
        if let Some(selection) = entry.export.as_mut().and_then(|e| e.disks.as_mut()) {
            selection.retain(|s| s.vm != name);
            for s in selection.iter_mut() {
                s.disks.retain(|d| !gone.contains(d));
            }
        }
    }
    out
}

fn without_disk(scenario: &Scenario, g: usize, v: usize, d: usize) -> Scenario {
    let mut out = scenario.clone();
    let vm = &mut out.vm_groups[g].vms[v];
    let disk = vm.disks.remove(d).name;
    let vm_name = vm.name.clone();
    let full = format!("{vm_name}/{disk}");
    drop_disk_references(&mut out, &full, &vm_name, &disk);
    out
}

fn without_shared_disk(scenario: &Scenario, g: usize, s: usize) -> Scenario {
    let mut out = scenario.clone();
    let shared = out.vm_groups[g].shared_disks.remove(s);
    let suffix = format!("/{}", shared.name);
    out.timeline.retain(|entry| {
        let names = |disk: &str| disk == shared.name || disk.ends_with(&suffix);
        let fault_hits = entry
            .fault
            .as_ref()
            .is_some_and(|f| f.disk.as_deref().is_some_and(names));
        let write_hits = entry.write.as_ref().is_some_and(|w| names(&w.disk));
        !(fault_hits || write_hits)
    });
    for entry in &mut out.timeline {
        if let Some(selection) = entry.export.as_mut().and_then(|e| e.disks.as_mut()) {
            for s in selection.iter_mut() {
                s.disks.retain(|d| *d != shared.name);
            }
        }
    }
    out
}

/// Drops writes and faults naming disk `full` (`vm/disk`) and the disk from `vm`'s selections.
fn drop_disk_references(scenario: &mut Scenario, full: &str, vm: &str, disk: &str) {
    scenario.timeline.retain(|entry| {
        let fault_hits = entry
            .fault
            .as_ref()
            .is_some_and(|f| f.disk.as_deref() == Some(full));
        let write_hits = entry.write.as_ref().is_some_and(|w| w.disk == full);
        !(fault_hits || write_hits)
    });
    for entry in &mut scenario.timeline {
        if let Some(selection) = entry.export.as_mut().and_then(|e| e.disks.as_mut()) {
            for s in selection.iter_mut().filter(|s| s.vm == vm) {
                s.disks.retain(|d| d != disk);
            }
        }
    }
}

fn drop_entries(scenario: &mut Scenario, hits: impl Fn(&Fault) -> bool) {
    scenario
        .timeline
        .retain(|entry| !entry.fault.as_ref().is_some_and(&hits));
}

/// Smaller fills and disks, and no storage latency.
fn sizes(scenario: Scenario, probe: &mut Probe) -> Scenario {
    let mut current = scenario;
    let disk_count = disk_slots(&current).len();
    for slot in 0..disk_count {
        current = fill_runs(current, slot, probe);
        current = packed_fill(current, slot, probe);
        current = smaller(current, probe, |s, step| {
            let block = disk_slots(s)[slot].2.block_size.bytes();
            halve_sequential_fill(disk_mut(s, slot).fill, block, step)
        });
        current = smaller(current, probe, |s, step| {
            let (size, block_size) = {
                let slots = disk_slots(s);
                let (_, _, disk) = &slots[slot];
                (disk.size.bytes(), disk.block_size.bytes())
            };
            let needed = blocks_needed(s, slot).max(1).saturating_mul(block_size);
            let target = needed.max(size >> step);
            if target >= size {
                return false;
            }
            *disk_mut(s, slot).size = ByteSize(target);
            true
        });
    }
    if current.storage.latency.ns() == 0 {
        return current;
    }
    let mut candidate = current.clone();
    candidate.storage.latency = SimDuration(0);
    first_reproducing(current, [candidate], probe).0
}

/// Tries `edit(scenario, step)` for step 1, 2, ... (each a bigger cut) on a copy and keeps the
/// biggest cut that reproduces; stops at the first step whose edit is not possible.
fn smaller(
    scenario: Scenario,
    probe: &mut Probe,
    edit: impl Fn(&mut Scenario, u32) -> bool,
) -> Scenario {
    let mut best = scenario.clone();
    for step in (1..=16).rev() {
        let mut candidate = scenario.clone();
        if edit(&mut candidate, step) && probe.reproduces(&candidate) {
            best = candidate;
            break;
        }
    }
    best
}

/// A sequential fill of `blocks >> step` whole blocks (of `block` bytes).
fn halve_sequential_fill(fill: &mut rpsim_scenario::model::Fill, block: u64, step: u32) -> bool {
    if fill.layout != FillLayout::Sequential || fill.allocated.is_zero() || block == 0 {
        return false;
    }
    let blocks = fill.allocated.bytes().div_ceil(block);
    fill.allocated = ByteSize((blocks >> step).saturating_mul(block));
    true
}

fn fill_runs(scenario: Scenario, slot: usize, probe: &mut Probe) -> Scenario {
    let runs: Vec<BlockRun> = disk_slots(&scenario)[slot].2.fill.blocks.clone();
    if runs.is_empty() {
        return scenario;
    }
    let with = |keep: &[BlockRun]| {
        let mut candidate = scenario.clone();
        disk_mut(&mut candidate, slot).fill.blocks = keep.to_vec();
        candidate
    };
    // ddmin returns the input or a sub-list that reproduced.
    let kept = ddmin(&runs, &mut |keep| probe.reproduces(&with(keep)));
    with(&kept)
}

/// An explicit fill replaced by a sequential one of the same number of blocks (packed at the
/// start of the disk, so that the disk itself can shrink next).
fn packed_fill(scenario: Scenario, slot: usize, probe: &mut Probe) -> Scenario {
    let (block, fill) = {
        let slots = disk_slots(&scenario);
        let shape = &slots[slot].2;
        (shape.block_size.bytes(), shape.fill.clone())
    };
    if fill.layout != FillLayout::Explicit || fill.blocks.is_empty() {
        return scenario;
    }
    let blocks = fill
        .blocks
        .iter()
        .map(|r| r.count())
        .fold(0u64, u64::saturating_add);
    let mut candidate = scenario.clone();
    *disk_mut(&mut candidate, slot).fill = rpsim_scenario::model::Fill {
        allocated: ByteSize(blocks.saturating_mul(block)),
        layout: FillLayout::Sequential,
        blocks: Vec::new(),
    };
    first_reproducing(scenario, [candidate], probe).0
}

/// The disk shape fields shared by own and shared disks.
pub struct DiskShape {
    pub size: ByteSize,
    pub block_size: ByteSize,
    pub fill: rpsim_scenario::model::Fill,
}

/// Every disk of `scenario` with its shape: (name as a write names it, group index, shape).
pub fn disks(scenario: &Scenario) -> Vec<(String, usize, DiskShape)> {
    disk_slots(scenario)
}

/// Every disk as (name as a write names it, group index, shape), own disks first per group.
fn disk_slots(scenario: &Scenario) -> Vec<(String, usize, DiskShape)> {
    let mut out = Vec::new();
    for (g, group) in scenario.vm_groups.iter().enumerate() {
        for vm in &group.vms {
            for disk in &vm.disks {
                let shape = DiskShape {
                    size: disk.size,
                    block_size: disk.block_size,
                    fill: disk.fill.clone(),
                };
                out.push((format!("{}/{}", vm.name, disk.name), g, shape));
            }
        }
        for shared in &group.shared_disks {
            let shape = DiskShape {
                size: shared.size,
                block_size: shared.block_size,
                fill: shared.fill.clone(),
            };
            out.push((shared.name.clone(), g, shape));
        }
    }
    out
}

/// The size and fill of disk `slot`, counted as in [`disk_slots`].
fn disk_mut(scenario: &mut Scenario, slot: usize) -> ShapeMut<'_> {
    let mut shapes = Vec::new();
    for group in &mut scenario.vm_groups {
        for vm in &mut group.vms {
            for disk in &mut vm.disks {
                shapes.push(ShapeMut {
                    size: &mut disk.size,
                    fill: &mut disk.fill,
                });
            }
        }
        for shared in &mut group.shared_disks {
            shapes.push(ShapeMut {
                size: &mut shared.size,
                fill: &mut shared.fill,
            });
        }
    }
    shapes
        .into_iter()
        .nth(slot)
        .expect("slot counted by disk_slots")
}

struct ShapeMut<'a> {
    size: &'a mut ByteSize,
    fill: &'a mut rpsim_scenario::model::Fill,
}

/// The timeline writes to the disk called `name` (as [`disks`] names it): by that name, or as
/// `vm/<name>` for a shared disk.
pub fn writes_to<'s>(scenario: &'s Scenario, name: &str) -> impl Iterator<Item = &'s GuestWrite> {
    let (exact, suffix) = (name.to_string(), format!("/{name}"));
    scenario
        .timeline
        .iter()
        .filter_map(|e| e.write.as_ref())
        .filter(move |w| w.disk == exact || w.disk.ends_with(&suffix))
}

/// Blocks disk `slot` must keep: past its last filled block and its last written block.
fn blocks_needed(scenario: &Scenario, slot: usize) -> u64 {
    let slots = disk_slots(scenario);
    let (name, _, shape) = &slots[slot];
    let block = shape.block_size.bytes().max(1);
    let fill_end = match shape.fill.layout {
        FillLayout::Explicit => shape
            .fill
            .blocks
            .iter()
            .filter_map(|r| r.end())
            .max()
            .unwrap_or(0),
        _ => shape.fill.allocated.bytes().div_ceil(block),
    };
    let write_end = writes_to(scenario, name)
        .map(|w| w.block.saturating_add(w.blocks))
        .max()
        .unwrap_or(0);
    fill_end.max(write_end)
}
