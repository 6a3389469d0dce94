//! Test fixtures: an in-memory `ExportSource` (disks of versioned blocks, reference points that
//! freeze block versions), a fault-injecting `ExportTarget` over `PlainDirectory`, and helpers
//! to run a job to its end. Owns nothing the export job uses outside tests.
#![allow(dead_code)]

use rpsim_export::guid::Guid;
use rpsim_export::service::{ExportCall, ExportService, JobId, StepOutcome};
use rpsim_export::source::*;
use rpsim_export::target::{DirProbe, ExportTarget, FileHandle, PlainDirectory};
use rpsim_export::wmi::JobProperties;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

/// Block versions of every disk, frozen by a reference point.
pub type Snapshot = BTreeMap<String, BTreeMap<u64, u64>>;

pub const BLOCK_BYTES: u64 = 64 * 1024;
pub const DISK_BYTES: u64 = 16 * BLOCK_BYTES;
pub const STEPS_MAX: usize = 100_000;
pub const GROUP: Guid = Guid([0x10; 16]);
pub const VM1: Guid = Guid([0x01; 16]);
pub const VM2: Guid = Guid([0x02; 16]);
pub const DISK1: &str = "Microsoft:VM1\\disk1";
pub const DISK2: &str = "Microsoft:VM2\\disk2";
pub const SHARED: &str = "Microsoft:shared.vhds";

#[derive(Clone, Debug)]
pub struct FakeVm {
    pub id: Guid,
    pub generation: u8,
    pub power_state: VmPowerState,
    pub disks: Vec<String>,
}

/// A VM group whose disks are maps block -> version; a block's bytes derive from
/// (disk, block, version), version 0 meaning unallocated (zeros).
#[derive(Clone, Debug)]
pub struct FakeSource {
    pub vms: Vec<FakeVm>,
    pub current: BTreeMap<String, BTreeMap<u64, u64>>,
    pub points: BTreeMap<Guid, (CollectionReferencePoint, Snapshot)>,
    pub sequence: u64,
    pub unavailable: Option<String>,
    pub read_error: Option<SourceErrorKind>,
    pub reads: std::cell::Cell<usize>,
}

impl FakeSource {
    /// VM1 (generation 2, running): DISK1 + SHARED; VM2 (generation 1, off): DISK2 + SHARED.
    pub fn two_vm_group() -> FakeSource {
        let vms = vec![
            FakeVm {
                id: VM1,
                generation: 2,
                power_state: VmPowerState::Running,
                disks: vec![DISK1.into(), SHARED.into()],
            },
            FakeVm {
                id: VM2,
                generation: 1,
                power_state: VmPowerState::Off,
                disks: vec![DISK2.into(), SHARED.into()],
            },
        ];
        let mut s = FakeSource {
            vms,
            current: BTreeMap::new(),
            points: BTreeMap::new(),
            sequence: 0,
            unavailable: None,
            read_error: None,
            reads: std::cell::Cell::new(0),
        };
        for d in [DISK1, DISK2, SHARED] {
            s.current.insert(d.to_string(), BTreeMap::new());
        }
        s
    }

    pub fn write(&mut self, disk: &str, block: u64) {
        assert!(block * BLOCK_BYTES < DISK_BYTES);
        let blocks = self.current.get_mut(disk).expect("known disk");
        *blocks.entry(block).or_insert(0) += 1;
    }

    pub fn take(&mut self, id_seed: u8, kind: ReferencePointType) -> Guid {
        self.sequence += 1;
        let id = Guid([id_seed; 16]);
        let members = self
            .vms
            .iter()
            .map(|vm| MemberReferencePoint {
                virtual_machine_id: vm.id,
                generation: vm.generation,
                power_state: vm.power_state,
                has_associated_data: true,
                disks: vm
                    .disks
                    .iter()
                    .map(|d| DiskAtReferencePoint {
                        instance_id: d.clone(),
                        rct_id: format!("rct:{d}:{}", self.sequence),
                        rct_usable: true,
                        virtual_size_bytes: DISK_BYTES,
                        block_size_bytes: BLOCK_BYTES,
                        shared: d == SHARED,
                    })
                    .collect(),
            })
            .collect();
        let rp = CollectionReferencePoint {
            collection_id: id,
            element_name: format!("rp{id_seed}"),
            reference_point_type: kind,
            consistency_level: ConsistencyLevel::CrashConsistent,
            virtual_system_collection_id: GROUP,
            has_associated_log: kind == ReferencePointType::Log,
            creation_sequence: self.sequence,
            members,
        };
        self.points.insert(id, (rp, self.current.clone()));
        id
    }

    pub fn point_mut(&mut self, id: &Guid) -> &mut CollectionReferencePoint {
        &mut self.points.get_mut(id).expect("known point").0
    }

    /// The disk's bytes as of a reference point.
    pub fn image(&self, disk: &str, rp: &Guid) -> Vec<u8> {
        let mut buf = vec![0u8; DISK_BYTES as usize];
        self.read_extent(
            disk,
            rp,
            Extent {
                offset_bytes: 0,
                length_bytes: DISK_BYTES,
            },
            &mut buf,
        )
        .unwrap();
        buf
    }
}

pub fn block_byte(disk: &str, block: u64, version: u64, i: u64) -> u8 {
    if version == 0 {
        return 0;
    }
    let seed = disk.bytes().fold(block * 31 + version * 7, |a, b| {
        a.wrapping_mul(131).wrapping_add(u64::from(b))
    });
    (seed.wrapping_add(i * 13) % 251) as u8 + 1
}

impl ExportSource for FakeSource {
    fn reference_point(&self, id: &Guid) -> Option<CollectionReferencePoint> {
        self.points.get(id).map(|p| p.0.clone())
    }

    fn group_unavailable(&self, _group: &Guid) -> Option<String> {
        self.unavailable.clone()
    }

    fn changed_extents(
        &self,
        disk: &str,
        base: Option<&Guid>,
        target: &Guid,
    ) -> Result<Vec<Extent>, SourceError> {
        let not_found =
            || SourceError::new(SourceErrorKind::NotFound, "no such reference point or disk");
        let t = self
            .points
            .get(target)
            .ok_or_else(not_found)?
            .1
            .get(disk)
            .ok_or_else(not_found)?;
        let empty = BTreeMap::new();
        let b = match base {
            Some(b) => self
                .points
                .get(b)
                .ok_or_else(not_found)?
                .1
                .get(disk)
                .unwrap_or(&empty),
            None => &empty,
        };
        let blocks: BTreeSet<u64> = t
            .iter()
            .filter(|(k, v)| b.get(k) != Some(v))
            .map(|(k, _)| *k)
            .collect();
        let mut out: Vec<Extent> = Vec::new();
        for block in blocks {
            let offset_bytes = block * BLOCK_BYTES;
            match out.last_mut() {
                Some(e) if e.end_bytes() == offset_bytes => e.length_bytes += BLOCK_BYTES,
                _ => out.push(Extent {
                    offset_bytes,
                    length_bytes: BLOCK_BYTES,
                }),
            }
        }
        Ok(out)
    }

    fn read_extent(
        &self,
        disk: &str,
        target: &Guid,
        extent: Extent,
        buf: &mut [u8],
    ) -> Result<(), SourceError> {
        self.reads.set(self.reads.get() + 1);
        if let Some(kind) = &self.read_error {
            return Err(SourceError::new(kind.clone(), "injected read failure"));
        }
        let blocks = self
            .points
            .get(target)
            .and_then(|p| p.1.get(disk))
            .ok_or_else(|| SourceError::new(SourceErrorKind::NotFound, "gone"))?;
        assert_eq!(buf.len() as u64, extent.length_bytes);
        for (i, byte) in buf.iter_mut().enumerate() {
            let pos = extent.offset_bytes + i as u64;
            let block = pos / BLOCK_BYTES;
            *byte = block_byte(
                disk,
                block,
                blocks.get(&block).copied().unwrap_or(0),
                pos % BLOCK_BYTES,
            );
        }
        Ok(())
    }

    fn vm_file(&self, vm: &Guid, target: &Guid, kind: VmFileKind) -> Result<Vec<u8>, SourceError> {
        if !self.points.contains_key(target) {
            return Err(SourceError::new(SourceErrorKind::NotFound, "gone"));
        }
        Ok(format!("{kind:?} of {vm} at {target}\n")
            .repeat(50)
            .into_bytes())
    }
}

/// A target that injects faults at the operation level; counts every operation.
#[derive(Debug, Default)]
pub struct FaultyTarget {
    pub inner: PlainDirectory,
    /// Writes fail with StorageFull once this many bytes were written.
    pub space_bytes: Option<u64>,
    pub written_bytes: u64,
    pub deny_create_dir: bool,
    pub ops: usize,
    /// The length of every write, in order.
    pub write_lengths_bytes: Vec<usize>,
    /// Every path handed to the target, in order.
    pub paths: Vec<PathBuf>,
}

impl FaultyTarget {
    pub fn new() -> FaultyTarget {
        FaultyTarget {
            inner: PlainDirectory::new(),
            ..Default::default()
        }
    }
}

impl ExportTarget for FaultyTarget {
    fn probe_dir(&mut self, p: &Path) -> io::Result<DirProbe> {
        self.ops += 1;
        self.paths.push(p.to_path_buf());
        self.inner.probe_dir(p)
    }
    fn create_dir_all(&mut self, p: &Path) -> io::Result<()> {
        self.ops += 1;
        self.paths.push(p.to_path_buf());
        if self.deny_create_dir {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "injected: access denied",
            ));
        }
        self.inner.create_dir_all(p)
    }
    fn create_new(&mut self, p: &Path) -> io::Result<FileHandle> {
        self.ops += 1;
        self.paths.push(p.to_path_buf());
        self.inner.create_new(p)
    }
    fn write(&mut self, f: FileHandle, bytes: &[u8]) -> io::Result<()> {
        self.ops += 1;
        assert!(
            bytes.len() as u64 <= rpsim_export::plan::WRITE_BYTES_MAX,
            "a write larger than WRITE_BYTES_MAX"
        );
        if self
            .space_bytes
            .is_some_and(|s| self.written_bytes + bytes.len() as u64 > s)
        {
            return Err(io::Error::from_raw_os_error(28)); // ENOSPC
        }
        self.written_bytes += bytes.len() as u64;
        self.write_lengths_bytes.push(bytes.len());
        self.inner.write(f, bytes)
    }
    fn sync(&mut self, f: FileHandle) -> io::Result<()> {
        self.ops += 1;
        self.inner.sync(f)
    }
    fn close(&mut self, f: FileHandle) -> io::Result<()> {
        self.ops += 1;
        self.inner.close(f)
    }
    fn rename_no_replace(&mut self, a: &Path, b: &Path) -> io::Result<()> {
        self.ops += 1;
        self.paths.extend([a.to_path_buf(), b.to_path_buf()]);
        self.inner.rename_no_replace(a, b)
    }
    fn remove_file(&mut self, p: &Path) -> io::Result<()> {
        self.ops += 1;
        self.paths.push(p.to_path_buf());
        self.inner.remove_file(p)
    }
    fn remove_dir(&mut self, p: &Path) -> io::Result<()> {
        self.ops += 1;
        self.paths.push(p.to_path_buf());
        self.inner.remove_dir(p)
    }
    fn sync_dir(&mut self, p: &Path) -> io::Result<()> {
        self.ops += 1;
        self.paths.push(p.to_path_buf());
        self.inner.sync_dir(p)
    }
    fn free_space_bytes(&mut self, p: &Path) -> io::Result<u64> {
        self.inner.free_space_bytes(p)
    }
}

/// A call exporting `rp` (with optional base) into `dir`.
pub fn call(rp: &Guid, base: Option<&Guid>, dir: &Path) -> ExportCall {
    ExportCall {
        reference_point_collection: rp.to_string(),
        export_directory: dir.to_string_lossy().into_owned(),
        base_reference_point_collection: base.map(|b| b.to_string()).unwrap_or_default(),
        virtual_machines_to_disks_to_export: vec![],
    }
}

/// Starts an export that must be accepted.
pub fn start(service: &mut ExportService, source: &FakeSource, call: &ExportCall) -> JobId {
    let result = service.export_reference_point(source, call, 1_000);
    assert_eq!(result.return_code, 4096, "call refused: {:?}", result.error);
    result.job.expect("a job with 4096")
}

/// Steps until the job is final, returning the properties polled after every step.
pub fn run(
    service: &mut ExportService,
    job: JobId,
    source: &FakeSource,
    target: &mut dyn ExportTarget,
) -> Vec<JobProperties> {
    let mut polls = Vec::new();
    for i in 0..STEPS_MAX {
        let now = 2_000 + i as u64 * 1_000;
        let outcome = service.step(job, source, target, now);
        polls.push(service.job_properties(job, now).expect("job visible"));
        match outcome {
            StepOutcome::Finished => return polls,
            StepOutcome::Waiting => panic!("job waits while running to completion"),
            StepOutcome::Progressed => {}
        }
    }
    panic!("job did not finish within {STEPS_MAX} steps");
}

/// Every file under `dir`, relative, sorted.
pub fn list_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}
