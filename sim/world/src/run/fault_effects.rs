//! What a fault (from the timeline or drawn from the seed) does: `target_*` faults go to the
//! target, `source_read_error` marks a disk, `host_crash` resets RCT, takes the host down (and,
//! on the service's host, abandons every job) until its recovery event, `vm_removed` and
//! `vm_migrated` change the VM, `reference_point_destroyed` and `log_removed` act like their
//! timeline actions; a fault naming nothing known is traced as `fault_ignored`. Owns applying
//! faults and ending their effects; it must never draw randomness (faults arrive already drawn).

use super::state::{Event, Run};
use crate::run_error::RunError;
use crate::target::TargetFault;
use rpsim_scenario::model::{self, FaultKind as K};

/// How long a crashed host stays down when the fault names no `duration`.
pub const HOST_DOWN_NS_DEFAULT: u64 = 10_000_000_000;
/// How long a VM migration makes its group unavailable.
pub const MIGRATION_NS: u64 = 2_000_000_000;
/// How long a target stall lasts when the fault names no `duration`.
pub const STALL_NS_DEFAULT: u64 = 10_000_000_000;

impl Run<'_> {
    /// Applies a fixed-time or drawn fault.
    pub(super) fn fault(&mut self, fault: &model::Fault) -> Result<(), RunError> {
        self.probe_fault(fault.kind);
        match fault.kind {
            K::TargetOutOfSpace | K::TargetIoError | K::TargetSlow | K::TargetStall => {
                self.fault_target(fault)
            }
            K::SourceReadError => self.fault_read_error(fault),
            K::HostCrash => return self.fault_host_crash(fault),
            K::VmRemoved => self.fault_vm_removed(fault),
            K::VmMigrated => return self.fault_vm_migrated(fault),
            K::ReferencePointDestroyed => {
                let name = fault.reference_point.clone().unwrap_or_default();
                self.destroy(&name, "fault_reference_point_destroyed");
            }
            K::LogRemoved => {
                let name = fault.reference_point.clone().unwrap_or_default();
                self.remove_log(&name, "fault_log_removed");
            }
        }
        Ok(())
    }

    /// The end of a host crash: host `host` is up again.
    pub(super) fn host_recover(&mut self, host: usize) {
        self.world.host_recover(host);
        let name = self.world.hosts[host].name.clone();
        self.trace
            .record(self.now_ns, "host_recovered", format!("host={name}"));
    }

    /// The end of a migration: VM `vm` is available again, on `to_host` if it names one.
    pub(super) fn migration_done(&mut self, vm: usize, to_host: Option<usize>) {
        let v = &mut self.world.vms[vm];
        v.migrating = false;
        v.host = to_host.unwrap_or(v.host);
        let detail = format!("vm={} host={}", v.id, self.world.hosts[v.host].name);
        self.trace.record(self.now_ns, "vm_migrated", detail);
    }

    /// A `target_*` fault, with its defaults: out of space after 0 more bytes, an I/O error on
    /// the next write, a stall of [`STALL_NS_DEFAULT`].
    fn fault_target(&mut self, fault: &model::Fault) {
        let now_ns = self.now_ns;
        let target_fault = match fault.kind {
            K::TargetOutOfSpace => TargetFault::OutOfSpaceAfter {
                bytes: fault.after_bytes.map_or(0, |b| b.bytes()),
            },
            K::TargetIoError => TargetFault::IoError {
                operation: fault.operation.unwrap_or(model::TargetOperation::Write),
            },
            K::TargetSlow => TargetFault::Slow {
                bandwidth_bytes_per_s: fault.bandwidth.map(|b| b.bytes_per_s()),
                latency_ns: fault.latency.map(|l| l.ns()),
            },
            _ => TargetFault::Stall {
                until_ns: now_ns
                    .saturating_add(fault.duration.map_or(STALL_NS_DEFAULT, |d| d.ns())),
            },
        };
        self.target.inject(target_fault);
        self.trace
            .record(now_ns, "fault", format!("{target_fault:?}"));
    }

    fn ignored(&mut self, fault: &model::Fault, why: &str) {
        self.probes.hit(rpsim_probe::Probe::WorldFaultIgnored);
        self.trace.record(
            self.now_ns,
            "fault_ignored",
            format!("{:?}: {why}", fault.kind),
        );
    }

    fn fault_read_error(&mut self, fault: &model::Fault) {
        let name = fault.disk.as_deref().unwrap_or("");
        match self.world.disk_index_any_group(name) {
            Some(disk) => {
                self.world.disks[disk].read_error = true;
                let detail = format!("disk={}", self.world.disks[disk].instance_id);
                self.trace
                    .record(self.now_ns, "fault_source_read_error", detail);
            }
            None => self.ignored(fault, &format!("no disk `{name}`")),
        }
    }

    fn fault_host_crash(&mut self, fault: &model::Fault) -> Result<(), RunError> {
        let name = fault.host.as_deref().unwrap_or("");
        let Some(host) = self.world.host_index(name) else {
            self.ignored(fault, &format!("no host `{name}`"));
            return Ok(());
        };
        if host != self.service_host {
            self.probes.hit(rpsim_probe::Probe::WorldHostCrashOtherHost);
        }
        let reset = self.world.host_crash(host);
        let reset: Vec<&str> = reset
            .iter()
            .map(|d| self.world.disks[*d].instance_id.as_str())
            .collect();
        let detail = format!("host={name} rct_reset=[{}]", reset.join(","));
        self.trace.record(self.now_ns, "fault_host_crash", detail);
        if host == self.service_host {
            self.service
                .abandon_all(&format!("host {name} crashed"), self.now_ns);
            self.schedule_every_job()?;
        }
        let down_ns = fault.duration.map_or(HOST_DOWN_NS_DEFAULT, |d| d.ns());
        self.push(
            self.now_ns.saturating_add(down_ns),
            Event::HostRecover(host),
        )
    }

    fn fault_vm_removed(&mut self, fault: &model::Fault) {
        let name = fault.vm.as_deref().unwrap_or("");
        match self.world.vm_index(fault.group.as_deref(), name) {
            Some(vm) => {
                self.world.vms[vm].removed = true;
                let detail = format!("vm={}", self.world.vms[vm].id);
                self.trace.record(self.now_ns, "fault_vm_removed", detail);
            }
            None => self.ignored(fault, &format!("no VM `{name}`")),
        }
    }

    fn fault_vm_migrated(&mut self, fault: &model::Fault) -> Result<(), RunError> {
        let name = fault.vm.as_deref().unwrap_or("");
        let Some(vm) = self.world.vm_index(fault.group.as_deref(), name) else {
            self.ignored(fault, &format!("no VM `{name}`"));
            return Ok(());
        };
        let to_host = fault
            .to_host
            .as_deref()
            .and_then(|h| self.world.host_index(h));
        self.world.vms[vm].migrating = true;
        let detail = format!(
            "vm={} to_host={}",
            self.world.vms[vm].id,
            fault.to_host.as_deref().unwrap_or("-")
        );
        self.trace.record(self.now_ns, "fault_vm_migrating", detail);
        self.push(
            self.now_ns.saturating_add(MIGRATION_NS),
            Event::MigrationDone { vm, to_host },
        )
    }
}
