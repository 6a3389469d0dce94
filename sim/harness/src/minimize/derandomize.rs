//! Turns a scenario and one seed into an equivalent scenario with nothing left to draw: random
//! fills become `explicit` block lists, drawn faults and the workloads' writes (as recorded
//! during the failing run) become timeline entries, the `swarm` and `random_actions` sections
//! become the values and entries they drew, and `random_faults`, the workloads and the seed are
//! removed. Owns that rewrite; it must never run a scenario (the caller records the
//! decisions) nor keep anything that would make the result depend on a seed.

use rpsim_scenario::model::{
    BlockRun, Fill, FillLayout, GuestWrite, Scenario, TimelineEntry, VmGroup,
};
use rpsim_scenario::units::SimDuration;
use rpsim_world::observe::RandomDecision;
use rpsim_world::World;

/// How many entries each source contributed to the derandomized timeline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    pub original_entries: usize,
    pub faults: usize,
    pub writes: usize,
    /// Disks whose random fill became an explicit block list.
    pub fills: usize,
}

/// `scenario` at `seed`, with `decisions` (drawn during a run at that seed) made explicit.
pub fn derandomize(
    scenario: &Scenario,
    seed: u64,
    decisions: &[RandomDecision],
) -> Result<(Scenario, Recorded), String> {
    // `swarm` and `random_actions` become their drawn values and timeline entries first (as
    // the run at `seed` saw them); the result has neither section.
    let (mut out, _drawn) = rpsim_world::explore::expand(scenario, seed);
    let mut recorded = Recorded {
        original_entries: out.timeline.len(),
        ..Recorded::default()
    };
    recorded.fills = explicit_fills(&mut out, seed)?;
    out.seed = None;
    out.random_faults = None;
    for group in &mut out.vm_groups {
        remove_workloads(group);
    }
    for decision in decisions {
        let entry = match decision {
            RandomDecision::Base { entry, base, disks } => {
                // A chained export gets the base its run chose (entries keep their indices
                // until the sort below).
                if let Some(export) = out.timeline.get_mut(*entry).and_then(|e| e.export.as_mut()) {
                    export.base = base.clone();
                    export.disks = disks.clone();
                    export.base_latest_completed = false;
                }
                continue;
            }
            RandomDecision::Fault { at_ns, fault } => {
                recorded.faults += 1;
                TimelineEntry {
                    at: SimDuration(*at_ns),
                    fault: Some(fault.clone()),
                    ..TimelineEntry::default()
                }
            }
            RandomDecision::Write {
                at_ns,
                disk,
                block,
                blocks,
            } => {
                recorded.writes += 1;
                TimelineEntry {
                    at: SimDuration(*at_ns),
                    write: Some(GuestWrite {
                        disk: disk.clone(),
                        block: *block,
                        blocks: *blocks,
                    }),
                    ..TimelineEntry::default()
                }
            }
        };
        out.timeline.push(entry);
    }
    // Stable: at equal times, original entries stay before faults, and faults before writes,
    // the order in which the run scheduled them.
    out.timeline.sort_by_key(|entry| entry.at);
    Ok((out, recorded))
}

fn remove_workloads(group: &mut VmGroup) {
    for vm in &mut group.vms {
        vm.workload = None;
    }
    for shared in &mut group.shared_disks {
        shared.workload = None;
    }
}

/// Replaces every random fill by the blocks the world places at `seed`; returns how many.
fn explicit_fills(scenario: &mut Scenario, seed: u64) -> Result<usize, String> {
    let world = World::new(scenario, seed).map_err(|e| format!("building the world: {e}"))?;
    let mut count = 0;
    for group in &mut scenario.vm_groups {
        let group_name = group.name.clone();
        for vm in &mut group.vms {
            for disk in &mut vm.disks {
                let name = format!("{}/{}", vm.name, disk.name);
                count += make_explicit(&world, &group_name, &name, &mut disk.fill)?;
            }
        }
        for shared in &mut group.shared_disks {
            let name = shared.name.clone();
            count += make_explicit(&world, &group_name, &name, &mut shared.fill)?;
        }
    }
    Ok(count)
}

fn make_explicit(world: &World, group: &str, disk: &str, fill: &mut Fill) -> Result<usize, String> {
    if fill.layout != FillLayout::Random {
        return Ok(0);
    }
    let index = world
        .disk_index(group, disk)
        .ok_or_else(|| format!("disk `{disk}` of group `{group}` is not in the world"))?;
    let sim = &world.disks[index].sim;
    let block_size = sim.block_size_bytes();
    let mut runs: Vec<BlockRun> = Vec::new();
    for extent in sim.allocated_extents(sim.epoch()) {
        let first = extent.offset_bytes / block_size;
        let end = extent.end_bytes().div_ceil(block_size);
        match runs.last_mut() {
            Some(last) if last.0 + last.1 == first => last.1 += end - first,
            _ => runs.push(BlockRun(first, end - first)),
        }
    }
    *fill = Fill {
        allocated: Default::default(),
        layout: FillLayout::Explicit,
        blocks: runs,
    };
    Ok(1)
}
