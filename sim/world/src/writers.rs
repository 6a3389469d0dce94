//! Turns the scenario's workloads into [`Writer`]s, one per (VM or shared disk, disk), each with
//! its own stream: `workload/<group>/<vm>/<disk>` for a VM's workload (own or shared disk),
//! `workload/<group>/shared/<disk>` for a shared disk's own workload. Owns that mapping; it
//! must never issue writes.

use crate::rng::Streams;
use crate::run_error::RunError;
use crate::workload::Writer;
use crate::world::World;
use rpsim_scenario::model::Scenario;

/// Every writer of the scenario, in scenario order.
pub fn build(scenario: &Scenario, world: &World) -> Result<Vec<Writer>, RunError> {
    let streams = Streams::new(world.seed);
    let mut writers = Vec::new();
    for group in &scenario.vm_groups {
        for vm in &group.vms {
            let Some(spec) = &vm.workload else { continue };
            let vm_index = world
                .vm_index(Some(&group.name), &vm.name)
                .ok_or_else(|| RunError::Scenario(format!("VM `{}` not in the world", vm.name)))?;
            let names: Vec<&str> = if spec.disks.is_empty() {
                vm.disks.iter().map(|d| d.name.as_str()).collect()
            } else {
                spec.disks.iter().map(String::as_str).collect()
            };
            for disk_name in names {
                let own = world.disk_index(&group.name, &format!("{}/{disk_name}", vm.name));
                let disk = own
                    .or_else(|| world.disk_index(&group.name, disk_name))
                    .filter(|d| world.disks[*d].attached_to.contains(&vm_index))
                    .ok_or_else(|| {
                        RunError::Scenario(format!(
                            "workload of VM `{}` names disk `{disk_name}`, which is not attached to it",
                            vm.name
                        ))
                    })?;
                let stream =
                    streams.stream(&format!("workload/{}/{}/{disk_name}", group.name, vm.name));
                let sim = &world.disks[disk].sim;
                let shape = (sim.block_count(), sim.block_size_bytes());
                writers.extend(Writer::new(spec, disk, vm_index, shape, stream));
            }
        }
        for shared in &group.shared_disks {
            let Some(spec) = &shared.workload else {
                continue;
            };
            let disk = world.disk_index(&group.name, &shared.name);
            let Some(disk) = disk else { continue };
            let Some(&vm_index) = world.disks[disk].attached_to.first() else {
                continue;
            };
            let stream = streams.stream(&format!("workload/{}/shared/{}", group.name, shared.name));
            let sim = &world.disks[disk].sim;
            let shape = (sim.block_count(), sim.block_size_bytes());
            writers.extend(Writer::new(spec, disk, vm_index, shape, stream));
        }
    }
    Ok(writers)
}
