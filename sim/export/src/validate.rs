//! The synchronous checks of `ExportReferencePoint` (also re-run by the job when it starts).
//! Owns what makes a call acceptable and the selection of VMs and disks it resolves to; it must
//! never touch the target or know about other jobs (the service checks conflicts).

use crate::call::ExportCall;
use crate::errors::{self, cim_status, error_type, probable_cause, Cause, Failure};
use crate::guid::Guid;
use crate::layout;
use crate::logfile::{BLOCK_SIZE_BYTES_MAX, BLOCK_SIZE_BYTES_MIN, STRING_BYTES_MAX};
use crate::planted::{self, PlantedBug};
use crate::selection::{self, VmSelection};
use crate::source::{
    CollectionReferencePoint, DiskAtReferencePoint, ExportSource, MemberReferencePoint,
    ReferencePointType,
};
use crate::winpath;
use crate::wmi::{return_code, CimError};
use std::collections::BTreeSet;

/// Bound on member VMs of one export.
pub const MEMBERS_MAX: usize = 256;
/// Bound on disks of one export.
pub const DISKS_MAX: usize = 1024;
/// Bound on the length of `ExportDirectory`.
pub const DIRECTORY_BYTES_MAX: usize = 4096;

/// Why a call is refused (or a starting job fails).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalKind {
    InvalidParameter,
    ReferencePointMissing,
    BaseMissing,
    VmMissing,
    DiskMissing,
    LogRemoved,
    RctReset,
    GroupUnavailable,
    InUse,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub message: String,
}

impl Refusal {
    pub fn new(kind: RefusalKind, message: impl Into<String>) -> Refusal {
        Refusal {
            kind,
            message: message.into(),
        }
    }

    /// The synchronous return code of the call.
    pub fn return_code(&self) -> u32 {
        match self.kind {
            RefusalKind::InvalidParameter
            | RefusalKind::ReferencePointMissing
            | RefusalKind::BaseMissing
            | RefusalKind::VmMissing
            | RefusalKind::DiskMissing => return_code::INVALID_PARAMETER,
            RefusalKind::LogRemoved | RefusalKind::RctReset => return_code::INVALID_STATE,
            RefusalKind::GroupUnavailable | RefusalKind::InUse => return_code::SYSTEM_IN_USE,
        }
    }

    /// The classification when a job discovers this at start.
    pub fn job_cause(&self) -> Cause {
        use RefusalKind::*;
        match self.kind {
            ReferencePointMissing | BaseMissing | DiskMissing => Cause::new(
                return_code::FILE_NOT_FOUND,
                error_type::UNAVAILABLE_RESOURCE,
                probable_cause::ELEMENT_MISSING,
                cim_status::NOT_FOUND,
            ),
            VmMissing | GroupUnavailable | InUse => Cause::new(
                return_code::SYSTEM_NOT_AVAILABLE,
                error_type::UNAVAILABLE_RESOURCE,
                probable_cause::RESOURCE_UNAVAILABLE,
                cim_status::FAILED,
            ),
            LogRemoved => Cause::new(
                return_code::INVALID_STATE,
                error_type::SOFTWARE,
                probable_cause::ELEMENT_MISSING,
                cim_status::NOT_FOUND,
            ),
            RctReset => Cause::new(
                return_code::INVALID_STATE,
                error_type::SOFTWARE,
                probable_cause::DATABASE_INCONSISTENCY,
                cim_status::FAILED,
            ),
            InvalidParameter => Cause::new(
                return_code::INVALID_PARAMETER,
                error_type::SOFTWARE,
                probable_cause::OTHER,
                cim_status::INVALID_PARAMETER,
            ),
        }
    }

    /// The error reported with a refused call.
    pub fn cim_error(&self) -> CimError {
        let mut cause = self.job_cause();
        cause.error_code = self.return_code();
        if self.return_code() == return_code::INVALID_PARAMETER {
            cause.cim_status_code = cim_status::INVALID_PARAMETER;
        }
        errors::cim_error(
            cause,
            errors::severity::MAJOR,
            "RPSIM-CALL",
            self.message.clone(),
        )
    }

    /// The failure of a job that found this when it started.
    pub fn job_failure(&self) -> Failure {
        Failure::root(self.job_cause(), "RPSIM-START", self.message.clone())
    }
}

/// One disk to export, in export order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectedDisk {
    pub disk: DiskAtReferencePoint,
    /// The first selected VM found with this disk.
    pub virtual_machine_id: Guid,
    /// The same disk at the base; `None` for a full export, a disk added after the base, or a
    /// disk resized since the base.
    pub base_disk: Option<DiskAtReferencePoint>,
    /// The disk's virtual size at the base when it was resized since (exported in full).
    pub resized_from_bytes: Option<u64>,
}

/// A call that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatedCall {
    pub reference_point: CollectionReferencePoint,
    pub base: Option<CollectionReferencePoint>,
    /// Without trailing slashes.
    pub export_directory: String,
    /// Selected members in member order.
    pub vms: Vec<MemberReferencePoint>,
    /// Selected disks, each once, in export order.
    pub disks: Vec<SelectedDisk>,
}

/// Every synchronous check except conflicts with other jobs.
pub fn validate(source: &dyn ExportSource, call: &ExportCall) -> Result<ValidatedCall, Refusal> {
    use RefusalKind::*;
    let rp_id: Guid = call
        .reference_point_collection
        .parse()
        .map_err(|e| Refusal::new(InvalidParameter, format!("ReferencePointCollection: {e}")))?;
    let reference_point = source.reference_point(&rp_id).ok_or_else(|| {
        Refusal::new(
            ReferencePointMissing,
            format!("reference point {rp_id} does not exist"),
        )
    })?;
    let export_directory = check_directory(source, &call.export_directory)?;
    let base = resolve_base(source, call, &reference_point)?;
    let selections =
        selection::parse_all(&call.virtual_machines_to_disks_to_export).map_err(|e| {
            Refusal::new(
                InvalidParameter,
                format!("VirtualMachinesToDisksToExport: {e}"),
            )
        })?;
    let vms = select_vms(&reference_point, &selections)?;
    let disks = select_disks(&vms, &selections, base.as_ref())?;
    check_usable(&reference_point, base.as_ref(), &disks)?;
    if let Some(why) = source.group_unavailable(&reference_point.virtual_system_collection_id) {
        return Err(Refusal::new(
            GroupUnavailable,
            format!("VM group is unavailable: {why}"),
        ));
    }
    Ok(ValidatedCall {
        reference_point,
        base,
        export_directory,
        vms,
        disks,
    })
}

fn check_directory(source: &dyn ExportSource, dir: &str) -> Result<String, Refusal> {
    if dir.len() <= DIRECTORY_BYTES_MAX {
        if let Some(reason) = layout::windows_directory_problem(dir) {
            let message = format!("ExportDirectory `{}`: {reason}", winpath::shown(dir));
            return Err(Refusal::new(RefusalKind::InvalidParameter, message));
        }
        if let Some(volume) = winpath::volume_of(dir).filter(|v| !source.volume_present(v)) {
            let message = format!(
                "ExportDirectory `{}` is on `{}`, which is no volume or share of this host",
                winpath::shown(dir),
                winpath::shown(&volume)
            );
            return Err(Refusal::new(RefusalKind::InvalidParameter, message));
        }
    }
    if dir.len() > DIRECTORY_BYTES_MAX || !layout::directory_is_valid(dir) {
        return Err(Refusal::new(
            RefusalKind::InvalidParameter,
            format!(
                "ExportDirectory `{}` must be an absolute path without `.` or `..` components",
                dir.escape_debug()
            ),
        ));
    }
    Ok(layout::trim_directory(dir).to_string())
}

fn resolve_base(
    source: &dyn ExportSource,
    call: &ExportCall,
    rp: &CollectionReferencePoint,
) -> Result<Option<CollectionReferencePoint>, Refusal> {
    use RefusalKind::*;
    if call.base_reference_point_collection.is_empty() {
        return Ok(None);
    }
    let base_id: Guid = call.base_reference_point_collection.parse().map_err(|e| {
        Refusal::new(
            InvalidParameter,
            format!("BaseReferencePointCollection: {e}"),
        )
    })?;
    let base = source.reference_point(&base_id).ok_or_else(|| {
        Refusal::new(
            BaseMissing,
            format!("base reference point {base_id} does not exist"),
        )
    })?;
    if base.virtual_system_collection_id != rp.virtual_system_collection_id {
        return Err(Refusal::new(
            InvalidParameter,
            format!("base {base_id} belongs to another VM group"),
        ));
    }
    if base.creation_sequence >= rp.creation_sequence {
        return Err(Refusal::new(
            InvalidParameter,
            format!("base {base_id} is not older than {}", rp.collection_id),
        ));
    }
    if base.reference_point_type != rp.reference_point_type {
        return Err(Refusal::new(
            InvalidParameter,
            format!("base {base_id} is of another ReferencePointType"),
        ));
    }
    Ok(Some(base))
}

fn select_vms(
    rp: &CollectionReferencePoint,
    selections: &[VmSelection],
) -> Result<Vec<MemberReferencePoint>, Refusal> {
    if rp.members.len() > MEMBERS_MAX {
        return Err(Refusal::new(
            RefusalKind::InvalidParameter,
            format!("more than {MEMBERS_MAX} member VMs"),
        ));
    }
    for s in selections {
        if !rp
            .members
            .iter()
            .any(|m| m.virtual_machine_id == s.virtual_machine_id)
        {
            return Err(Refusal::new(
                RefusalKind::VmMissing,
                format!("VM {} is not a member", s.virtual_machine_id),
            ));
        }
    }
    let chosen = |m: &&MemberReferencePoint| {
        selections.is_empty()
            || selections
                .iter()
                .any(|s| s.virtual_machine_id == m.virtual_machine_id)
    };
    Ok(rp.members.iter().filter(chosen).cloned().collect())
}

fn select_disks(
    vms: &[MemberReferencePoint],
    selections: &[VmSelection],
    base: Option<&CollectionReferencePoint>,
) -> Result<Vec<SelectedDisk>, Refusal> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for vm in vms {
        let wanted = selections
            .iter()
            .find(|s| s.virtual_machine_id == vm.virtual_machine_id);
        if let Some(ids) = wanted.and_then(|s| s.disks_to_export.as_ref()) {
            if let Some(id) = ids
                .iter()
                .find(|id| !vm.disks.iter().any(|d| &d.instance_id == *id))
            {
                let message = format!(
                    "disk `{id}` is not attached to VM {}",
                    vm.virtual_machine_id
                );
                return Err(Refusal::new(RefusalKind::DiskMissing, message));
            }
        }
        for disk in &vm.disks {
            let selected = selected_by(
                wanted.and_then(|s| s.disks_to_export.as_ref()),
                &disk.instance_id,
            );
            // PLANTED BUG shared-disk-twice: a shared disk is exported once per VM.
            if selected
                && (seen.insert(disk.instance_id.clone())
                    || planted::active(PlantedBug::SharedDiskTwice))
            {
                check_disk(disk)?;
                // Ours: a disk whose geometry changed since the base (it was resized) cannot
                // continue the base's log; it is exported in full, like a disk added since.
                let at_base = base.and_then(|b| find_disk(b, &disk.instance_id));
                let resized_from_bytes = at_base
                    .filter(|b| {
                        (b.virtual_size_bytes, b.block_size_bytes)
                            != (disk.virtual_size_bytes, disk.block_size_bytes)
                    })
                    .map(|b| b.virtual_size_bytes);
                out.push(SelectedDisk {
                    disk: disk.clone(),
                    virtual_machine_id: vm.virtual_machine_id,
                    base_disk: at_base.filter(|_| resized_from_bytes.is_none()).cloned(),
                    resized_from_bytes,
                });
            }
            if out.len() > DISKS_MAX {
                return Err(Refusal::new(
                    RefusalKind::InvalidParameter,
                    format!("more than {DISKS_MAX} disks"),
                ));
            }
        }
    }
    Ok(out)
}

/// True when no list was given (every disk) or the list names `id`.
fn selected_by(list: Option<&Vec<String>>, id: &str) -> bool {
    match list {
        None => true,
        Some(ids) => ids.iter().any(|x| x == id),
    }
}

fn check_disk(disk: &DiskAtReferencePoint) -> Result<(), Refusal> {
    let bs = disk.block_size_bytes;
    let block_ok =
        bs.is_power_of_two() && (BLOCK_SIZE_BYTES_MIN..=BLOCK_SIZE_BYTES_MAX).contains(&bs);
    let strings_ok =
        disk.instance_id.len() <= STRING_BYTES_MAX && disk.rct_id.len() <= STRING_BYTES_MAX;
    if !block_ok || !strings_ok {
        return Err(Refusal::new(
            RefusalKind::InvalidParameter,
            format!(
                "disk `{}` cannot be exported (block size {bs})",
                disk.instance_id
            ),
        ));
    }
    Ok(())
}

/// The disk with this instance ID in any member of `rp`.
pub fn find_disk<'a>(
    rp: &'a CollectionReferencePoint,
    instance_id: &str,
) -> Option<&'a DiskAtReferencePoint> {
    rp.members
        .iter()
        .flat_map(|m| m.disks.iter())
        .find(|d| d.instance_id == instance_id)
}

fn check_usable(
    rp: &CollectionReferencePoint,
    base: Option<&CollectionReferencePoint>,
    disks: &[SelectedDisk],
) -> Result<(), Refusal> {
    if rp.reference_point_type == ReferencePointType::Log && !rp.has_associated_log {
        return Err(Refusal::new(
            RefusalKind::LogRemoved,
            format!(
                "the log of reference point {} was removed",
                rp.collection_id
            ),
        ));
    }
    if let Some(b) = base {
        if b.reference_point_type == ReferencePointType::Log && !b.has_associated_log {
            return Err(Refusal::new(
                RefusalKind::LogRemoved,
                format!("the log of base {} was removed", b.collection_id),
            ));
        }
    }
    if let Some(d) = disks
        .iter()
        .filter_map(|d| d.base_disk.as_ref())
        // PLANTED BUG accept-reset-base: a reset change-tracking base is accepted.
        .find(|d| !d.rct_usable && !planted::active(PlantedBug::AcceptResetBase))
    {
        let message = format!(
            "change tracking of disk `{}` was reset since the base; export without a base",
            d.instance_id
        );
        return Err(Refusal::new(RefusalKind::RctReset, message));
    }
    Ok(())
}
