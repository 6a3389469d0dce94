//! What one export will write, decided when the job starts: the files in order, their sizes
//! (for PercentComplete), the extent records of each disk log and the warnings (disks exported
//! in full despite a base). Owns the reading of extents lists and VM blobs from the source; it
//! must never touch the target.

use crate::errors::{self, cim_status, error_type, probable_cause, Cause, Failure};
use crate::guid::Guid;
use crate::layout::{self, StemAllocator};
use crate::logfile::{self, LogHeader};
use crate::planted::{self, PlantedBug};
use crate::source::{ExportSource, Extent, MemberReferencePoint, VmFileKind, VmPowerState};
use crate::validate::{SelectedDisk, ValidatedCall};
use crate::wmi::{return_code, CimError};

/// Largest extent record (data bytes) the job produces, and largest slice of a VM blob
/// written at once.
pub const WRITE_CHUNK_BYTES_MAX: u64 = 4 * 1024 * 1024;
/// Largest single write to the target: one whole extent record, its 24-byte head and its
/// data in one buffer (so a record costs one target write, not two).
pub const WRITE_BYTES_MAX: u64 = logfile::RECORD_HEAD_BYTES + WRITE_CHUNK_BYTES_MAX;
/// Bound on the size of one VM blob (config, runtime or guest state).
pub const BLOB_BYTES_MAX: usize = 256 * 1024 * 1024;
/// Bound on extent records of one export.
pub const RECORDS_MAX: usize = 1 << 20;

/// The role of a file; decides which `Exported*` array lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    Config,
    RuntimeState,
    GuestState,
    Log,
    Manifest,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    Blob(Vec<u8>),
    /// A disk log: its header and records (each at most WRITE_CHUNK_BYTES_MAX).
    Log {
        header: LogHeader,
        records: Vec<Extent>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedFile {
    pub kind: FileKind,
    /// Relative to the export directory.
    pub relative: String,
    /// What the file is about, for error messages: a VM GUID or a disk instance ID.
    pub subject: String,
    /// The disk instance ID of a log.
    pub disk_instance_id: Option<String>,
    pub size_bytes: u64,
    pub content: Content,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
    /// Subdirectories to create, relative (`Virtual Machines`, `Virtual Hard Disks`).
    pub subdirs: Vec<String>,
    pub total_bytes: u64,
    /// Warnings to report at completion (severity 3).
    pub warnings: Vec<CimError>,
}

/// Reads extents and blobs and lays out every file.
pub fn build(source: &dyn ExportSource, call: &ValidatedCall) -> Result<Plan, Failure> {
    let target = call.reference_point.collection_id;
    let base = call.base.as_ref().map(|b| b.collection_id);
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    let mut stems = StemAllocator::default();
    let mut records_total = 0usize;
    for vm in &call.vms {
        for kind in vm_file_kinds(vm) {
            files.push(plan_blob(source, vm, &target, kind)?);
        }
        for disk in call
            .disks
            .iter()
            .filter(|d| d.virtual_machine_id == vm.virtual_machine_id)
        {
            if let (Some(b), None) = (base, &disk.base_disk) {
                warnings.push(full_export_warning(disk, &b));
            }
            let file = plan_log(source, disk, &target, base, &mut stems)?;
            if let Content::Log { records, .. } = &file.content {
                records_total += records.len();
            }
            if records_total > RECORDS_MAX {
                return Err(Failure::root(
                    too_big(),
                    "RPSIM-PLAN",
                    format!("more than {RECORDS_MAX} extent records"),
                ));
            }
            files.push(file);
        }
    }
    let mut subdirs: Vec<String> = Vec::new();
    for f in &files {
        let dir = f.relative.split('/').next().unwrap_or_default().to_string();
        if !subdirs.contains(&dir) {
            subdirs.push(dir);
        }
    }
    let total_bytes = files.iter().map(|f| f.size_bytes).sum();
    Ok(Plan {
        files,
        subdirs,
        total_bytes,
        warnings,
    })
}

/// `.vmcx` always; `.vmrs` when running or saved at the reference point; `.vmgs` for generation 2.
pub fn vm_file_kinds(vm: &MemberReferencePoint) -> Vec<VmFileKind> {
    let mut kinds = vec![VmFileKind::Config];
    if matches!(vm.power_state, VmPowerState::Running | VmPowerState::Saved) {
        kinds.push(VmFileKind::RuntimeState);
    }
    if vm.generation == 2 {
        kinds.push(VmFileKind::GuestState);
    }
    kinds
}

fn plan_blob(
    source: &dyn ExportSource,
    vm: &MemberReferencePoint,
    target: &Guid,
    kind: VmFileKind,
) -> Result<PlannedFile, Failure> {
    let vm_id = vm.virtual_machine_id;
    let what = format!("reading the {} of VM {vm_id}", kind_name(kind));
    let blob = source
        .vm_file(&vm_id, target, kind)
        .map_err(|e| errors::source_failure(&what, &e))?;
    if blob.len() > BLOB_BYTES_MAX {
        return Err(Failure::root(
            too_big(),
            "RPSIM-PLAN",
            format!("{what}: more than {BLOB_BYTES_MAX} bytes"),
        ));
    }
    let file_kind = match kind {
        VmFileKind::Config => FileKind::Config,
        VmFileKind::RuntimeState => FileKind::RuntimeState,
        VmFileKind::GuestState => FileKind::GuestState,
    };
    Ok(PlannedFile {
        kind: file_kind,
        relative: layout::vm_file_relative(&vm_id, kind),
        subject: vm_id.to_string(),
        disk_instance_id: None,
        size_bytes: blob.len() as u64,
        content: Content::Blob(blob),
    })
}

pub fn kind_name(kind: VmFileKind) -> &'static str {
    match kind {
        VmFileKind::Config => "configuration file",
        VmFileKind::RuntimeState => "runtime state file",
        VmFileKind::GuestState => "guest state file",
    }
}

fn plan_log(
    source: &dyn ExportSource,
    selected: &SelectedDisk,
    target: &Guid,
    base: Option<Guid>,
    stems: &mut StemAllocator,
) -> Result<PlannedFile, Failure> {
    let disk = &selected.disk;
    let disk_base = selected.base_disk.as_ref().and(base);
    let what = format!("listing the changed extents of disk `{}`", disk.instance_id);
    let mut extents = source
        .changed_extents(&disk.instance_id, disk_base.as_ref(), target)
        .map_err(|e| errors::source_failure(&what, &e))?;
    if planted::active(PlantedBug::DropBoundaryExtent) && disk_base.is_some() {
        extents.pop(); // PLANTED BUG drop-boundary-extent: the last changed extent is lost.
    }
    check_extents(&extents, disk.virtual_size_bytes)
        .map_err(|m| inconsistent(&format!("{what}: {m}")))?;
    let records = split_extents(&extents);
    // PLANTED BUG diff-header-without-base: the log of a differential claims to be full.
    let header_base = if planted::active(PlantedBug::DiffHeaderWithoutBase) {
        None
    } else {
        disk_base
    };
    let header = LogHeader {
        virtual_size_bytes: disk.virtual_size_bytes,
        block_size_bytes: disk.block_size_bytes,
        target_reference_point: *target,
        base_reference_point: header_base,
        disk_instance_id: disk.instance_id.clone(),
        target_rct_id: disk.rct_id.clone(),
        base_rct_id: selected
            .base_disk
            .as_ref()
            .filter(|_| header_base.is_some())
            .map(|d| d.rct_id.clone())
            .unwrap_or_default(),
    };
    header
        .check()
        .map_err(|m| inconsistent(&format!("disk `{}`: {m}", disk.instance_id)))?;
    let size_bytes = logfile::log_len_bytes(&header, records.iter().map(|r| r.length_bytes));
    Ok(PlannedFile {
        kind: FileKind::Log,
        relative: layout::disk_log_relative(&stems.allocate(&disk.instance_id)),
        subject: disk.instance_id.clone(),
        disk_instance_id: Some(disk.instance_id.clone()),
        size_bytes,
        content: Content::Log { header, records },
    })
}

/// Sorted, non-overlapping, non-empty and inside the disk: the source's promise, checked.
fn check_extents(extents: &[Extent], virtual_size_bytes: u64) -> Result<(), String> {
    let mut end_min = 0u64;
    for e in extents {
        let end = e
            .offset_bytes
            .checked_add(e.length_bytes)
            .ok_or("extent overflows")?;
        if e.length_bytes == 0 || e.offset_bytes < end_min || end > virtual_size_bytes {
            return Err(format!(
                "extent {}+{} is empty, out of order or beyond the disk",
                e.offset_bytes, e.length_bytes
            ));
        }
        end_min = end;
    }
    Ok(())
}

/// Cuts extents into records of at most WRITE_CHUNK_BYTES_MAX.
pub fn split_extents(extents: &[Extent]) -> Vec<Extent> {
    let mut out = Vec::new();
    for e in extents {
        let mut offset_bytes = e.offset_bytes;
        while offset_bytes < e.end_bytes() {
            let length_bytes = (e.end_bytes() - offset_bytes).min(WRITE_CHUNK_BYTES_MAX);
            out.push(Extent {
                offset_bytes,
                length_bytes,
            });
            offset_bytes += length_bytes;
        }
    }
    assert_eq!(
        out.iter().map(|r| r.length_bytes).sum::<u64>(),
        extents.iter().map(|e| e.length_bytes).sum::<u64>()
    );
    out
}

fn inconsistent(message: &str) -> Failure {
    let cause = Cause::new(
        return_code::GENERIC_FAILED,
        error_type::SOFTWARE,
        probable_cause::DATABASE_INCONSISTENCY,
        cim_status::FAILED,
    );
    Failure::root(cause, "RPSIM-PLAN", message.to_string())
}

fn too_big() -> Cause {
    Cause::new(
        return_code::OUT_OF_MEMORY,
        error_type::SOFTWARE,
        probable_cause::OTHER,
        cim_status::FAILED,
    )
}

fn full_export_warning(disk: &SelectedDisk, base: &Guid) -> CimError {
    let cause = Cause::new(
        0,
        error_type::SOFTWARE,
        probable_cause::ELEMENT_MISSING,
        cim_status::NOT_FOUND,
    );
    let message = match disk.resized_from_bytes {
        Some(old_bytes) => format!(
            "disk `{}` was resized since base {base} ({old_bytes} to {} bytes); it was exported in full",
            disk.disk.instance_id, disk.disk.virtual_size_bytes
        ),
        None => format!(
            "disk `{}` did not exist at base {base}; it was exported in full",
            disk.disk.instance_id
        ),
    };
    errors::cim_error(cause, errors::severity::WARNING, "RPSIM-FULL-DISK", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_caps_records_and_keeps_bytes() {
        let big = Extent {
            offset_bytes: 65536,
            length_bytes: 2 * WRITE_CHUNK_BYTES_MAX + 10,
        };
        let records = split_extents(&[big]);
        assert_eq!(records.len(), 3);
        assert!(records
            .iter()
            .all(|r| r.length_bytes <= WRITE_CHUNK_BYTES_MAX));
        assert_eq!(records[2].end_bytes(), big.end_bytes());
    }

    #[test]
    fn bad_extent_lists_are_caught() {
        let e = |o, l| Extent {
            offset_bytes: o,
            length_bytes: l,
        };
        assert!(check_extents(&[e(0, 10), e(20, 10)], 100).is_ok());
        assert!(check_extents(&[e(0, 10), e(5, 10)], 100).is_err());
        assert!(check_extents(&[e(0, 0)], 100).is_err());
        assert!(check_extents(&[e(90, 20)], 100).is_err());
    }
}
