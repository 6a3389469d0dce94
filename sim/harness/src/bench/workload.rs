//! The workloads that `rpsim bench` and `benches/throughput.rs` measure: a one-VM world with one
//! big disk, reference points frozen on it, a fraction of its blocks rewritten, and an export
//! driven to completion through `ExportService` into a plain directory. Owns building those
//! inputs and stepping the job; it must never read a clock (callers time it) nor print.

use rpsim_export::guid::Guid;
use rpsim_export::service::{ExportCall, ExportService, StepOutcome};
use rpsim_export::target::{ExportTarget, PlainDirectory};
use rpsim_scenario::model::{Consistency, ReferencePointKind};
use rpsim_world::World;
use std::path::{Path, PathBuf};

/// Steps one export may take before the driver gives up (one step is one target operation; a
/// 64 GiB export in 4 MiB chunks takes about 16 Ki data steps).
pub const EXPORT_STEPS_MAX: u64 = 1 << 26;
/// Seed of every bench world: the figures must not depend on anything but the sizes.
pub const BENCH_SEED: u64 = 8;
/// Name of the group, VM and disk in a bench world.
const GROUP_NAME: &str = "bench";
/// `JobState` Completed.
const JOB_STATE_COMPLETED: u16 = 7;
/// Simulated time stamp the driver passes to the job (it never advances: nothing times out).
const NOW_NS: u64 = 1_000_000_000;

/// The shape of a bench disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiskShape {
    pub virtual_size_bytes: u64,
    pub allocated_bytes: u64,
    pub block_size_bytes: u64,
    /// Allocated blocks spread over the disk (true) or packed from its start (false).
    pub random_layout: bool,
}

/// The scenario text of a world with one running VM holding one disk of `shape`.
pub fn scenario_yaml(shape: &DiskShape) -> String {
    assert!(shape.allocated_bytes <= shape.virtual_size_bytes);
    assert!(shape.block_size_bytes > 0);
    let layout = if shape.random_layout {
        "random"
    } else {
        "sequential"
    };
    format!(
        "version: 1\nname: bench\nhosts: [ {{ name: host-a }} ]\n\
         storage: {{ capacity: 64TiB, bandwidth: 1GiB/s }}\n\
         vm_groups:\n  - name: {GROUP_NAME}\n    vms:\n      - name: vm-1\n        host: host-a\n\
         \x20       generation: 2\n        state: running\n\
         \x20       disks: [ {{ name: data, size: {}, block_size: {}, fill: {{ allocated: {}, layout: {layout} }} }} ]\n",
        shape.virtual_size_bytes, shape.block_size_bytes, shape.allocated_bytes
    )
}

/// A world holding one disk of `shape`.
pub fn world_with_disk(shape: &DiskShape) -> Result<World, String> {
    let text = scenario_yaml(shape);
    let scenario = rpsim_scenario::parse_scenario("bench.yaml", &text)
        .map_err(|e| format!("bench scenario does not load: {e}"))?;
    World::new(&scenario, BENCH_SEED).map_err(|e| format!("bench world: {e}"))
}

/// Freezes an RCT reference point of the bench group named `name`.
pub fn freeze(world: &mut World, name: &str) -> Result<Guid, String> {
    world
        .create_reference_point(
            name,
            GROUP_NAME,
            ReferencePointKind::Rct,
            Consistency::CrashConsistent,
            NOW_NS,
        )
        .map_err(|code| format!("CreateReferencePoint `{name}` returned {code}"))
}

/// Rewrites `changed_per_mille`/1000 of the first disk's blocks, spread evenly over the disk;
/// returns how many blocks were written.
pub fn change_blocks(world: &mut World, changed_per_mille: u64) -> Result<u64, String> {
    assert!(changed_per_mille <= 1000);
    let disk = &mut world
        .disks
        .first_mut()
        .ok_or("the bench world has no disk")?
        .sim;
    let blocks_total = disk.block_count();
    let count = (blocks_total * changed_per_mille).div_ceil(1000).max(1);
    let stride = (blocks_total / count).max(1);
    for index in 0..count.min(blocks_total) {
        disk.write_block(index * stride)
            .map_err(|_| "the disk's write history is full".to_string())?;
    }
    assert!(count <= blocks_total);
    Ok(count)
}

/// Exports `reference_point` (a differential against `base` when given) into the new
/// directory `export_dir`, stepping the job until it finishes; fails unless it completed.
pub fn export(
    world: &World,
    reference_point: &Guid,
    base: Option<&Guid>,
    export_dir: &Path,
) -> Result<(), String> {
    export_into(
        world,
        reference_point,
        base,
        export_dir,
        &mut PlainDirectory::new(),
    )
}

/// [`export`] through `target` (a plain directory, or a wrapper that watches it).
pub fn export_into(
    world: &World,
    reference_point: &Guid,
    base: Option<&Guid>,
    export_dir: &Path,
    target: &mut dyn ExportTarget,
) -> Result<(), String> {
    assert!(export_dir.is_absolute(), "export directories are absolute");
    let source = world.source();
    let mut service = ExportService::new("host-a");
    let call = ExportCall {
        reference_point_collection: reference_point.to_string(),
        export_directory: export_dir.display().to_string(),
        base_reference_point_collection: base.map(|b| b.to_string()).unwrap_or_default(),
        virtual_machines_to_disks_to_export: Vec::new(),
    };
    let started = service.export_reference_point(&source, &call, NOW_NS);
    let job = started
        .job
        .ok_or_else(|| format!("ExportReferencePoint returned {}", started.return_code))?;
    let mut steps = 0u64;
    while service.step(job, &source, target, NOW_NS) != StepOutcome::Finished {
        steps += 1;
        if steps >= EXPORT_STEPS_MAX {
            return Err(format!("export did not finish in {EXPORT_STEPS_MAX} steps"));
        }
    }
    let properties = service
        .job_properties(job, NOW_NS)
        .ok_or("the finished job vanished")?;
    if properties.job_state != JOB_STATE_COMPLETED {
        let errors = service.get_error_ex(job, NOW_NS).map(|(_, errors)| errors);
        return Err(format!(
            "export ended in JobState {}: {errors:?}",
            properties.job_state
        ));
    }
    Ok(())
}

/// A full export plus `count` differentials, each after `changed_per_mille` of the blocks were
/// rewritten, under `root` (`root/0` full, `root/1`.. differentials); returns the directories
/// in chain order.
pub fn export_chain(
    shape: &DiskShape,
    count: usize,
    changed_per_mille: u64,
    root: &Path,
) -> Result<Vec<PathBuf>, String> {
    let mut world = world_with_disk(shape)?;
    let mut previous = freeze(&mut world, "rp0")?;
    let mut dirs = vec![root.join("0")];
    export(&world, &previous, None, &dirs[0])?;
    for index in 1..=count {
        change_blocks(&mut world, changed_per_mille)?;
        let point = freeze(&mut world, &format!("rp{index}"))?;
        let dir = root.join(index.to_string());
        export(&world, &point, Some(&previous), &dir)?;
        dirs.push(dir);
        previous = point;
    }
    assert_eq!(dirs.len(), count + 1);
    Ok(dirs)
}

/// The text of a scenario with `vm_count` VMs (4 disks each) and `timeline_count` timeline
/// entries, for measuring how fast scenarios load.
pub fn large_scenario_yaml(vm_count: usize, timeline_count: usize) -> String {
    let mut text = String::from(
        "version: 1\nname: large\nhosts: [ { name: host-a }, { name: host-b } ]\n\
         storage: { capacity: 64TiB, bandwidth: 1GiB/s }\nvm_groups:\n  - name: g\n    vms:\n",
    );
    for vm in 0..vm_count {
        let host = if vm % 2 == 0 { "host-a" } else { "host-b" };
        text.push_str(&format!(
            "      - name: vm-{vm}\n        host: {host}\n        generation: 2\n        state: running\n        disks:\n"
        ));
        for disk in 0..4 {
            text.push_str(&format!(
                "          - {{ name: d{disk}, size: 64GiB, block_size: 2MiB, fill: {{ allocated: 64MiB, layout: random }} }}\n"
            ));
        }
    }
    text.push_str("timeline:\n");
    for entry in 0..timeline_count {
        text.push_str(&format!(
            "  - {{ at: {}ms, create_reference_point: {{ name: rp{entry}, group: g, type: rct }} }}\n",
            entry + 1
        ));
    }
    text
}
