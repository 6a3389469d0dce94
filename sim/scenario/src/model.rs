//! The scenario file format v1 as Rust types: what a YAML scenario may say, field by field.
//! Owns the shape of the format (serde, unknown fields refused); it must never hold simulation
//! state or decide anything about a run. Semantic rules (names resolve, sizes fit) live in
//! `validate`.

pub use crate::requested_state::RequestedState;
use crate::units::{ByteRate, ByteSize, Percent, SimDuration};
use serde::{Deserialize, Serialize};

mod explore;
mod poll;
pub use explore::{
    RandomActionKind, RandomActions, RateSpan, Span, Swarm, SwarmFaults, SwarmStorage,
    SwarmWorkload,
};
pub use poll::{Poll, ReadingExpectation};

/// A whole scenario file.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Format version; only `1` exists.
    pub version: u32,
    /// Short name used in reports and test names.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Seed used when the CLI gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    pub hosts: Vec<Host>,
    pub storage: Storage,
    pub vm_groups: Vec<VmGroup>,
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_faults: Option<RandomFaults>,
    /// Options drawn per seed (fault kinds and rates, storage, workloads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swarm: Option<Swarm>,
    /// Client calls drawn per seed, added to the timeline before the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_actions: Option<RandomActions>,
    #[serde(default)]
    pub expect: Vec<Expectation>,
    /// Sim time at which the run stops even if jobs are still running (default: 1h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_at: Option<SimDuration>,
    /// Set on scenarios written by `rpsim minimize`: the failure this scenario reproduces.
    /// Runs ignore it; regression tests read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression: Option<Regression>,
}

/// What a minimized scenario reproduces (written by `rpsim minimize`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Regression {
    /// The failing check (`restore`, `invariant`, `expect`, `run_error`, `panic`, ...).
    pub check: String,
    /// The export the failing check was about, when it was about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<String>,
    /// The planted bug that made it fail, when it was found with `--plant-bug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planted_bug: Option<String>,
    /// Where it came from: the original scenario file and seed.
    pub origin: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Host {
    pub name: String,
    #[serde(default)]
    pub state: HostState,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum HostState {
    #[default]
    Up,
    Down,
}

/// The export target's storage.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub capacity: ByteSize,
    pub bandwidth: ByteRate,
    #[serde(default)]
    pub latency: SimDuration,
    /// Where the storage is mounted on the Windows host besides the simulated `/exports`: drive
    /// letters (`C:`) and UNC shares (`\\\\backup-srv\\share`). An `export_directory` on one of
    /// them (`C:\\Backups\\rp1`) is accepted; one on no mount is refused by the job.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VmGroup {
    pub name: String,
    pub vms: Vec<Vm>,
    /// Disks attached to several member VMs at once (a VHD Set).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_disks: Vec<SharedDisk>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Vm {
    pub name: String,
    pub host: String,
    pub generation: u8,
    pub state: VmState,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disks: Vec<Disk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<Workload>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum VmState {
    Running,
    Off,
    Saved,
    Paused,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Disk {
    pub name: String,
    pub size: ByteSize,
    #[serde(default = "default_block_size")]
    pub block_size: ByteSize,
    #[serde(default)]
    pub fill: Fill,
    /// The `InstanceID` the host reports for the disk (default: derived from the seed and the
    /// names). For testing how the export job treats hostile IDs (`../x`, `/`, `\`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SharedDisk {
    pub name: String,
    pub size: ByteSize,
    #[serde(default = "default_block_size")]
    pub block_size: ByteSize,
    #[serde(default)]
    pub fill: Fill,
    /// As for [`Disk::instance_id`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// Names of member VMs (at least two) the disk is attached to.
    pub attached_to: Vec<String>,
    /// Writes to the shared disk (issued by the first attached VM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<Workload>,
}

/// 2 MiB, a common VHDX block size.
pub fn default_block_size() -> ByteSize {
    ByteSize(2 << 20)
}

/// What a disk holds before the timeline starts.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fill {
    /// Bytes allocated (rounded up to whole blocks); 0 leaves the disk empty. Not used with
    /// the `explicit` layout.
    #[serde(default, skip_serializing_if = "ByteSize::is_zero")]
    pub allocated: ByteSize,
    #[serde(default)]
    pub layout: FillLayout,
    /// For `explicit`: the allocated blocks as runs written `FIRST+COUNT` (or `FIRST` for one
    /// block), in increasing order without overlap.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<BlockRun>,
}

/// `count` blocks from block `first`, written `FIRST+COUNT` (`100+2`), or `FIRST` for one block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BlockRun(pub u64, pub u64);

impl std::fmt::Display for BlockRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.1 == 1 {
            write!(f, "{}", self.0)
        } else {
            write!(f, "{}+{}", self.0, self.1)
        }
    }
}

impl std::str::FromStr for BlockRun {
    type Err = String;

    fn from_str(text: &str) -> Result<BlockRun, String> {
        let number = |s: &str| s.trim().parse::<u64>().ok();
        let run = match text.split_once('+') {
            None => number(text).map(|first| BlockRun(first, 1)),
            Some((first, count)) => number(first)
                .zip(number(count))
                .map(|(f, c)| BlockRun(f, c)),
        };
        run.ok_or_else(|| {
            format!("block run `{text}`: expected FIRST or FIRST+COUNT, e.g. `100+2`")
        })
    }
}

impl Serialize for BlockRun {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BlockRun {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<BlockRun, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = BlockRun;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a block run: FIRST or FIRST+COUNT, e.g. `100+2`")
            }
            fn visit_u64<E: serde::de::Error>(self, first: u64) -> Result<BlockRun, E> {
                Ok(BlockRun(first, 1))
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<BlockRun, E> {
                text.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl BlockRun {
    pub fn first(self) -> u64 {
        self.0
    }
    pub fn count(self) -> u64 {
        self.1
    }
    /// One past the last block, or `None` on overflow.
    pub fn end(self) -> Option<u64> {
        self.0.checked_add(self.1)
    }
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FillLayout {
    /// Allocated blocks from the start of the disk.
    #[default]
    Sequential,
    /// Allocated blocks spread over the disk, drawn from the seed.
    Random,
    /// Exactly the blocks listed in `blocks` (no randomness; `rpsim minimize` writes these).
    Explicit,
}

/// A guest that keeps writing, including while exports run.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    pub write_rate: ByteRate,
    /// Size of each write (rounded up to whole blocks).
    pub write_size: ByteSize,
    pub pattern: WritePattern,
    /// For `hot_spot`: share of the disk that receives most writes (default 10%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hot_spot_size: Option<Percent>,
    /// For `hot_spot`: share of writes that land in the hot spot (default 90%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hot_spot_share: Option<Percent>,
    /// Which of the VM's disks receive writes (default: all of them).
    #[serde(default)]
    pub disks: Vec<String>,
    /// Sim time when writing starts (default 0) and stops (default: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<SimDuration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<SimDuration>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WritePattern {
    Sequential,
    Random,
    HotSpot,
}

/// One timed action. Exactly one action field must be set.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TimelineEntry {
    pub at: SimDuration,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_reference_point: Option<CreateReferencePoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<Export>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state_change: Option<RequestStateChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destroy_reference_point: Option<ReferencePointRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_associated_data: Option<ReferencePointRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write: Option<GuestWrite>,
    /// A client reading an export's job object (a pure read: it never changes the run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<Poll>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach_disk: Option<AttachDisk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detach_disk: Option<DiskRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resize_disk: Option<ResizeDisk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rct_reset: Option<DiskRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_space: Option<FreeSpace>,
}

/// The action of a timeline entry, once validation has checked exactly one is set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Action<'a> {
    CreateReferencePoint(&'a CreateReferencePoint),
    Export(&'a Export),
    RequestStateChange(&'a RequestStateChange),
    DestroyReferencePoint(&'a ReferencePointRef),
    RemoveAssociatedData(&'a ReferencePointRef),
    Fault(&'a Fault),
    Write(&'a GuestWrite),
    Poll(&'a Poll),
    AttachDisk(&'a AttachDisk),
    DetachDisk(&'a DiskRef),
    ResizeDisk(&'a ResizeDisk),
    RctReset(&'a DiskRef),
    FreeSpace(&'a FreeSpace),
}

impl TimelineEntry {
    /// Every action set on this entry (validation requires exactly one).
    pub fn actions(&self) -> Vec<Action<'_>> {
        let mut actions = Vec::new();
        if let Some(a) = &self.create_reference_point {
            actions.push(Action::CreateReferencePoint(a));
        }
        if let Some(a) = &self.export {
            actions.push(Action::Export(a));
        }
        if let Some(a) = &self.request_state_change {
            actions.push(Action::RequestStateChange(a));
        }
        if let Some(a) = &self.destroy_reference_point {
            actions.push(Action::DestroyReferencePoint(a));
        }
        if let Some(a) = &self.remove_associated_data {
            actions.push(Action::RemoveAssociatedData(a));
        }
        if let Some(a) = &self.fault {
            actions.push(Action::Fault(a));
        }
        if let Some(a) = &self.write {
            actions.push(Action::Write(a));
        }
        if let Some(a) = &self.poll {
            actions.push(Action::Poll(a));
        }
        if let Some(a) = &self.attach_disk {
            actions.push(Action::AttachDisk(a));
        }
        if let Some(a) = &self.detach_disk {
            actions.push(Action::DetachDisk(a));
        }
        if let Some(a) = &self.resize_disk {
            actions.push(Action::ResizeDisk(a));
        }
        if let Some(a) = &self.rct_reset {
            actions.push(Action::RctReset(a));
        }
        if let Some(a) = &self.free_space {
            actions.push(Action::FreeSpace(a));
        }
        actions
    }

    /// The single action of a validated entry.
    pub fn action(&self) -> Action<'_> {
        let actions = self.actions();
        assert_eq!(actions.len(), 1, "validated timeline entry has one action");
        actions[0]
    }
}

/// One guest write at a fixed time: new contents for `blocks` blocks from `block` of `disk`.
/// Skipped (like a workload's write) when no VM the disk is attached to is running.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct GuestWrite {
    /// `vm/disk` for a VM's own disk, or a shared disk's name.
    pub disk: String,
    /// First block written.
    pub block: u64,
    /// Blocks written (default 1).
    #[serde(default = "one_block")]
    pub blocks: u64,
}

fn one_block() -> u64 {
    1
}

/// A new disk attached to a running or stopped VM (e.g. after a base reference point was
/// taken). It starts with a sequential fill; workloads do not write to it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AttachDisk {
    pub vm: String,
    pub disk: Disk,
}

/// A disk named `vm/disk` (or a shared disk's name), for `detach_disk` and `rct_reset`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DiskRef {
    pub disk: String,
}

/// A disk grown to a new virtual size (whole blocks; growing only).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResizeDisk {
    pub disk: String,
    pub size: ByteSize,
}

/// Space freed on the export target (someone deleted other files): lifts an out-of-space limit
/// by `size`, never above the storage's declared capacity.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FreeSpace {
    pub size: ByteSize,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CreateReferencePoint {
    /// Scenario-local name used by later entries.
    pub name: String,
    pub group: String,
    #[serde(rename = "type")]
    pub reference_point_type: ReferencePointKind,
    #[serde(default)]
    pub consistency: Consistency,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReferencePointKind {
    Log,
    Rct,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Consistency {
    #[default]
    CrashConsistent,
    ApplicationConsistent,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Export {
    /// Scenario-local name of this export, used by `expect` and `request_state_change`.
    pub name: String,
    pub reference_point: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// `true`: the base is chosen when the call is made, as a client chaining differentials
    /// does: the point of the group's latest export that completed (of the same type), with
    /// that export's disk selection; with none completed, the export is a full one. Not with
    /// `base`. `random_actions` writes these; `rpsim minimize` turns them into fixed bases.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub base_latest_completed: bool,
    /// Directory name under the simulated export root `/exports/`. Mutually exclusive with
    /// `export_directory`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_dir: Option<String>,
    /// Raw `ExportDirectory` string passed to the call, for testing validation (relative paths,
    /// odd characters). Mutually exclusive with `target_dir`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_directory: Option<String>,
    /// Disk selection: VM name → disk names. Absent exports every disk of every VM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disks: Option<Vec<DiskSelection>>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DiskSelection {
    pub vm: String,
    /// Disk names of that VM (its own or shared); empty selects none of its disks.
    #[serde(default)]
    pub disks: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RequestStateChange {
    pub export: String,
    /// A CIM name or any uint16 (`7`, `32768`, ...: the job answers 5, invalid parameter).
    pub state: RequestedState,
    /// `TimeoutPeriod`; absent or `0` means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<SimDuration>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReferencePointRef {
    pub reference_point: String,
}

/// A fault injected at a fixed time.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub kind: FaultKind,
    /// Host for `host_crash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// VM for `vm_removed` / `vm_migrated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm: Option<String>,
    /// Destination host for `vm_migrated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_host: Option<String>,
    /// Disk (`vm/disk` or a shared disk name) for `source_read_error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<String>,
    /// Group for `vm_removed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Reference point for `reference_point_destroyed` / `log_removed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_point: Option<String>,
    /// For `target_out_of_space`: fail once this many more bytes were written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_bytes: Option<ByteSize>,
    /// For `target_io_error`: which operation fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<TargetOperation>,
    /// For `target_slow`: new bandwidth and latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth: Option<ByteRate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<SimDuration>,
    /// For `target_stall` / `host_crash`: how long until recovery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<SimDuration>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    TargetOutOfSpace,
    TargetIoError,
    TargetSlow,
    TargetStall,
    SourceReadError,
    HostCrash,
    VmRemoved,
    VmMigrated,
    ReferencePointDestroyed,
    LogRemoved,
}

impl FaultKind {
    /// Every kind, in declaration order.
    pub const ALL: [FaultKind; 10] = [
        FaultKind::TargetOutOfSpace,
        FaultKind::TargetIoError,
        FaultKind::TargetSlow,
        FaultKind::TargetStall,
        FaultKind::SourceReadError,
        FaultKind::HostCrash,
        FaultKind::VmRemoved,
        FaultKind::VmMigrated,
        FaultKind::ReferencePointDestroyed,
        FaultKind::LogRemoved,
    ];
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum TargetOperation {
    Write,
    Sync,
    Rename,
    Create,
}

/// Faults drawn from the seed.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RandomFaults {
    /// Expected faults per sim second, e.g. `0.5`.
    pub rate_per_s: f64,
    /// Kinds to draw from (uniformly).
    pub kinds: Vec<FaultKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// At most this many faults in a run (default 8, max 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub from: SimDuration,
    pub to: SimDuration,
}

/// What must be true of one export at the end of the run.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub export: String,
    /// Return code of `ExportReferencePoint` (4096 job started, 32773 invalid parameter, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_code: Option<u32>,
    /// Final `JobState` (7 Completed, 8 Terminated, 9 Killed, 10 Exception).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_state: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<u32>,
    /// Text the job's `ErrorDescription` or any `GetErrorEx` message must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_contains: Option<String>,
    /// Paths relative to the export directory that must exist / must not exist.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files_present: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files_absent: Vec<String>,
    /// Expected return codes of `request_state_change` entries on this export, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_change_codes: Option<Vec<u32>>,
    /// Judged on the readings of this export's `poll` entries: each entry on the first reading
    /// at or after its `at`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readings: Vec<ReadingExpectation>,
    /// The `JobState` values the readings found, in order, repeats collapsed (`[4, 7]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub states_seen: Option<Vec<u16>>,
    /// `true`: `PercentComplete` never decreases from one reading to the next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_complete_monotonic: Option<bool>,
}
