//! Validation of one timed fault: each kind requires some fields, permits a few more and
//! refuses the rest; host, VM, group and disk names resolve against the topology. Owns the
//! per-kind field table; it must never check reference point names (the timeline walk knows
//! which exist at the fault's time).

use super::topology::World;
use super::{listing, Problems};
use crate::model::{Fault, FaultKind};
use crate::path::NodePath;

/// The optional fields of [`Fault`], in file order.
const FIELDS: [&str; 11] = [
    "host",
    "vm",
    "to_host",
    "disk",
    "group",
    "reference_point",
    "after_bytes",
    "operation",
    "bandwidth",
    "latency",
    "duration",
];

/// Fields a kind requires, fields it also permits, and whether it needs one of its permitted
/// fields at least (`target_slow`: bandwidth and/or latency).
struct Rule {
    required: &'static [&'static str],
    permitted: &'static [&'static str],
    one_of_permitted: bool,
}

fn rule(kind: FaultKind) -> Rule {
    let (required, permitted, one_of_permitted): (&[&str], &[&str], bool) = match kind {
        FaultKind::TargetOutOfSpace => (&["after_bytes"], &[], false),
        FaultKind::TargetIoError => (&["operation"], &[], false),
        FaultKind::TargetSlow => (&[], &["bandwidth", "latency"], true),
        FaultKind::TargetStall => (&["duration"], &[], false),
        FaultKind::SourceReadError => (&["disk"], &[], false),
        FaultKind::HostCrash => (&["host"], &["duration"], false),
        FaultKind::VmRemoved => (&["vm"], &["group"], false),
        FaultKind::VmMigrated => (&["vm", "to_host"], &[], false),
        FaultKind::ReferencePointDestroyed | FaultKind::LogRemoved => {
            (&["reference_point"], &[], false)
        }
    };
    Rule {
        required,
        permitted,
        one_of_permitted,
    }
}

/// The YAML name of a kind.
fn kind_name(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::TargetOutOfSpace => "target_out_of_space",
        FaultKind::TargetIoError => "target_io_error",
        FaultKind::TargetSlow => "target_slow",
        FaultKind::TargetStall => "target_stall",
        FaultKind::SourceReadError => "source_read_error",
        FaultKind::HostCrash => "host_crash",
        FaultKind::VmRemoved => "vm_removed",
        FaultKind::VmMigrated => "vm_migrated",
        FaultKind::ReferencePointDestroyed => "reference_point_destroyed",
        FaultKind::LogRemoved => "log_removed",
    }
}

/// Which optional fields are set, aligned with [`FIELDS`].
fn fields_set(fault: &Fault) -> [bool; 11] {
    [
        fault.host.is_some(),
        fault.vm.is_some(),
        fault.to_host.is_some(),
        fault.disk.is_some(),
        fault.group.is_some(),
        fault.reference_point.is_some(),
        fault.after_bytes.is_some(),
        fault.operation.is_some(),
        fault.bandwidth.is_some(),
        fault.latency.is_some(),
        fault.duration.is_some(),
    ]
}

pub(crate) fn check(fault: &Fault, path: &NodePath, world: &World<'_>, problems: &mut Problems) {
    let kind = kind_name(fault.kind);
    let rule = rule(fault.kind);
    let set = fields_set(fault);
    let takes: Vec<&str> = rule
        .required
        .iter()
        .chain(rule.permitted)
        .copied()
        .collect();
    for (field, is_set) in FIELDS.iter().zip(set) {
        if is_set && !takes.contains(field) {
            problems.at_key(
                &path.key(field),
                format!(
                    "field `{field}` is not used by fault kind `{kind}`; it takes: {}",
                    takes.join(", ")
                ),
            );
        }
    }
    let is_set = |field: &str| FIELDS.iter().zip(set).any(|(f, s)| *f == field && s);
    for field in rule.required {
        if !is_set(field) {
            problems.at(
                &path.key("kind"),
                format!("fault kind `{kind}` needs the field `{field}`"),
            );
        }
    }
    if rule.one_of_permitted && !rule.permitted.iter().any(|f| is_set(f)) {
        problems.at(
            &path.key("kind"),
            format!(
                "fault kind `{kind}` needs at least one of: {}",
                rule.permitted.join(", ")
            ),
        );
    }
    resolve_names(fault, path, world, problems);
}

/// Names in the fault's fields exist (checked whether or not the kind takes them).
fn resolve_names(fault: &Fault, path: &NodePath, world: &World<'_>, problems: &mut Problems) {
    let hosts = || listing(world.hosts.iter().copied());
    for (field, host) in [("host", &fault.host), ("to_host", &fault.to_host)] {
        if let Some(host) = host {
            if !world.hosts.contains(host.as_str()) {
                problems.at(
                    &path.key(field),
                    format!("host `{host}` is not defined; defined hosts: {}", hosts()),
                );
            }
        }
    }
    if let Some(vm) = &fault.vm {
        match world.vm_group.get(vm.as_str()) {
            None => problems.at(
                &path.key("vm"),
                format!(
                    "VM `{vm}` is not defined; defined VMs: {}",
                    listing(world.vm_group.keys().copied())
                ),
            ),
            Some(group) => {
                if let Some(named) = &fault.group {
                    if named != group {
                        problems.at(
                            &path.key("group"),
                            format!("VM `{vm}` is a member of group `{group}`, not `{named}`"),
                        );
                    }
                }
            }
        }
    }
    if let Some(disk) = &fault.disk {
        if !disk_exists(disk, world) {
            problems.at(
                &path.key("disk"),
                format!(
                    "disk `{disk}` is not defined; write `vm/disk` for a VM's disk or the name \
                     of a shared disk ({})",
                    listing(world.shared_disks.keys().copied())
                ),
            );
        }
    }
}

/// `vm/disk` (the VM name may itself hold `/`) or a shared disk name.
pub(crate) fn disk_exists(disk: &str, world: &World<'_>) -> bool {
    if world.shared_disks.contains_key(disk) {
        return true;
    }
    disk.match_indices('/').any(|(i, _)| {
        let (vm, rest) = (&disk[..i], &disk[i + 1..]);
        world
            .vm_disks
            .get(vm)
            .is_some_and(|disks| disks.contains(rest))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_requires_or_permits_only_known_fields() {
        for kind in FaultKind::ALL {
            let rule = rule(kind);
            for field in rule.required.iter().chain(rule.permitted) {
                assert!(FIELDS.contains(field), "{field} of {kind:?} is not a field");
            }
            assert!(
                !rule.required.is_empty() || rule.one_of_permitted,
                "{kind:?} takes nothing"
            );
        }
    }
}
