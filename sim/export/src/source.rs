//! The read side of an export: what the job may learn about reference points, disks and VM
//! files. Owns the trait and the plain data it returns; it must never perform an export or
//! hold simulator state.

use crate::guid::Guid;
use serde::Serialize;

/// Collection `ReferencePointType`: 1 log based, 2 RCT based (0 unknown is never produced).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ReferencePointType {
    Log = 1,
    Rct = 2,
}

/// Collection `ConsistencyLevel`: 1 crash consistent, 2 application consistent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ConsistencyLevel {
    CrashConsistent = 1,
    ApplicationConsistent = 2,
}

/// VM state as it matters to an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum VmPowerState {
    Running,
    Off,
    Saved,
    Paused,
}

/// `Msvm_ReferencePointCollection` as the job sees it, read fresh at each call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionReferencePoint {
    /// `CollectionID`: the reference point group's GUID.
    pub collection_id: Guid,
    pub element_name: String,
    pub reference_point_type: ReferencePointType,
    pub consistency_level: ConsistencyLevel,
    /// `VirtualSystemCollectionId`: the VM group.
    pub virtual_system_collection_id: Guid,
    /// True when every member still has its log (always false for RCT based).
    pub has_associated_log: bool,
    /// Creation order among all reference points of the host; larger is newer.
    pub creation_sequence: u64,
    pub members: Vec<MemberReferencePoint>,
}

/// `Msvm_VirtualSystemReferencePoint` of one member VM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberReferencePoint {
    pub virtual_machine_id: Guid,
    /// VM generation, 1 or 2.
    pub generation: u8,
    /// Power state when the reference point was taken.
    pub power_state: VmPowerState,
    /// False for log-based points whose log was discarded.
    pub has_associated_data: bool,
    /// Disks attached at the reference point, in attachment order.
    pub disks: Vec<DiskAtReferencePoint>,
}

/// One disk as of a reference point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiskAtReferencePoint {
    /// WMI instance ID of the virtual disk (stable across reference points).
    pub instance_id: String,
    /// `ResilientChangeTrackingIdentifiers[]` entry for this disk at that moment.
    pub rct_id: String,
    /// False once the disk's RCT was reset after this reference point was taken.
    pub rct_usable: bool,
    pub virtual_size_bytes: u64,
    pub block_size_bytes: u64,
    /// Attached to several members (a VHD Set); exported once.
    pub shared: bool,
}

/// A byte range of a disk; `offset` and `length` are multiples of the disk's block size except
/// possibly the last extent of a disk whose size is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Extent {
    pub offset_bytes: u64,
    pub length_bytes: u64,
}

impl Extent {
    pub fn end_bytes(&self) -> u64 {
        self.offset_bytes + self.length_bytes
    }
}

/// Which VM file to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum VmFileKind {
    /// `.vmcx`
    Config,
    /// `.vmrs`, meaningful while running or saved.
    RuntimeState,
    /// `.vmgs`, generation 2 only.
    GuestState,
}

/// Why the source could not answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceErrorKind {
    /// The reference point, VM or disk no longer exists.
    NotFound,
    /// The disk could not be read (I/O error on the host).
    ReadFailed,
    /// Change tracking was reset; the base cannot serve a differential.
    RctReset,
    /// A log-based point's log was discarded.
    LogRemoved,
    /// The host or VM is unavailable (crashed, migrating).
    Unavailable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    pub kind: SourceErrorKind,
    pub message: String,
}

impl SourceError {
    pub fn new(kind: SourceErrorKind, message: impl Into<String>) -> SourceError {
        SourceError {
            kind,
            message: message.into(),
        }
    }
}

/// Everything the export job may read. Implemented by the simulator's world and by any real
/// host adapter.
pub trait ExportSource {
    /// The collection reference point with this `CollectionID`, if it exists.
    fn reference_point(&self, collection_id: &Guid) -> Option<CollectionReferencePoint>;

    /// Why the VM group cannot be exported now (a member migrating, its host down), if so.
    fn group_unavailable(&self, virtual_system_collection_id: &Guid) -> Option<String>;

    /// Extents of `disk` that differ between `base` and `target`, sorted and non-overlapping;
    /// with no base, every allocated extent as of `target`.
    fn changed_extents(
        &self,
        disk_instance_id: &str,
        base: Option<&Guid>,
        target: &Guid,
    ) -> Result<Vec<Extent>, SourceError>;

    /// Fills `buf` (of `extent.length_bytes`) with the disk's bytes as of `target`.
    fn read_extent(
        &self,
        disk_instance_id: &str,
        target: &Guid,
        extent: Extent,
        buf: &mut [u8],
    ) -> Result<(), SourceError>;

    /// Whether the volume (`C:`, upper-case letter) or share (`\\server\share`) an
    /// `ExportDirectory` in a Windows form lies on exists on the host. A host that cannot tell
    /// says yes (the default), and the target then answers for the path.
    fn volume_present(&self, _volume: &str) -> bool {
        true
    }

    /// The VM's config, runtime-state or guest-state blob as of `target`.
    fn vm_file(
        &self,
        virtual_machine_id: &Guid,
        target: &Guid,
        kind: VmFileKind,
    ) -> Result<Vec<u8>, SourceError>;
}
