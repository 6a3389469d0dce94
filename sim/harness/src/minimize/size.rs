//! How big a scenario is, for the before/after line of `rpsim minimize`: timeline entries
//! ("events"), VMs, disks, the disks' virtual bytes and the bytes of data the scenario puts on
//! them (fills plus timeline writes). Owns that measure; it must never change a scenario.

use super::shrink::{disks, writes_to};
use rpsim_scenario::model::{FillLayout, Scenario};
use std::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScenarioSize {
    pub events: usize,
    pub vms: usize,
    pub disks: usize,
    pub disk_bytes: u64,
    pub data_bytes: u64,
}

pub fn measure(scenario: &Scenario) -> ScenarioSize {
    let all = disks(scenario);
    let mut size = ScenarioSize {
        events: scenario.timeline.len(),
        vms: scenario.vm_groups.iter().map(|g| g.vms.len()).sum(),
        disks: all.len(),
        ..ScenarioSize::default()
    };
    for (name, _, shape) in &all {
        let block = shape.block_size.bytes();
        size.disk_bytes = size.disk_bytes.saturating_add(shape.size.bytes());
        let fill_bytes = match shape.fill.layout {
            FillLayout::Explicit => shape
                .fill
                .blocks
                .iter()
                .map(|r| r.count().saturating_mul(block))
                .fold(0u64, u64::saturating_add),
            _ => shape.fill.allocated.bytes().div_ceil(block.max(1)) * block,
        };
        let written = writes_to(scenario, name)
            .map(|w| w.blocks.saturating_mul(block))
            .fold(0u64, u64::saturating_add);
        size.data_bytes = size
            .data_bytes
            .saturating_add(fill_bytes)
            .saturating_add(written);
    }
    size
}

impl fmt::Display for ScenarioSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "{}, {}, {}, {} of disks, {} of data",
            plural(self.events, "event", "events"),
            plural(self.vms, "VM", "VMs"),
            plural(self.disks, "disk", "disks"),
            rpsim_scenario::units::ByteSize(self.disk_bytes),
            rpsim_scenario::units::ByteSize(self.data_bytes)
        )
    }
}
