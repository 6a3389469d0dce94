//! The storage model behind the target: [`StorageSpec`] (capacity, bandwidth, latency), the
//! bytes in use, the sim time each operation costs (stalls included), and the [`TargetFault`]s
//! injected into it (out of space, one-shot I/O errors, slowness, stalls). Owns these numbers and
//! the decision whether an operation fails by injection; it must never touch the file system or
//! read a wall clock (the run tells it the sim time).

use rpsim_scenario::model::TargetOperation;
use std::collections::BTreeMap;
use std::io;

/// Injected I/O errors that may wait for one kind of operation.
pub const IO_ERRORS_PENDING_MAX: u32 = 1_000;

const NS_PER_S: u128 = 1_000_000_000;
const STORAGE_FULL_MESSAGE: &str = "not enough space on the export target";
/// The operations an I/O error can be injected into.
pub(super) const OPERATIONS: [TargetOperation; 4] = [
    TargetOperation::Write,
    TargetOperation::Sync,
    TargetOperation::Rename,
    TargetOperation::Create,
];

/// The export storage as the scenario describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageSpec {
    pub capacity_bytes: u64,
    pub bandwidth_bytes_per_s: u64,
    pub latency_ns: u64,
}

/// A fault applied to the target from the moment it is injected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetFault {
    /// The storage fills up once `bytes` more bytes were written.
    OutOfSpaceAfter { bytes: u64 },
    /// The next operation of that kind fails once.
    IoError { operation: TargetOperation },
    /// New storage numbers; `None` keeps the current one.
    Slow {
        bandwidth_bytes_per_s: Option<u64>,
        latency_ns: Option<u64>,
    },
    /// Every operation before `until_ns` (sim time) waits until then.
    Stall { until_ns: u64 },
}

/// The storage's state: numbers in force, bytes in use, time spent, faults waiting.
#[derive(Debug)]
pub(super) struct Storage {
    spec: StorageSpec,
    capacity_bytes_effective: u64,
    used_bytes: u64,
    now_ns: u64,
    elapsed_ns: u64,
    stall_until_ns: u64,
    io_errors_pending: BTreeMap<TargetOperation, u32>,
}

impl Storage {
    /// `used_bytes` already in use; `spec.bandwidth_bytes_per_s` must be positive.
    pub(super) fn new(spec: StorageSpec, used_bytes: u64) -> Storage {
        assert!(spec.bandwidth_bytes_per_s > 0);
        Storage {
            spec,
            capacity_bytes_effective: spec.capacity_bytes,
            used_bytes,
            now_ns: 0,
            elapsed_ns: 0,
            stall_until_ns: 0,
            io_errors_pending: BTreeMap::new(),
        }
    }

    /// The storage numbers in force (after any `Slow` fault).
    pub(super) fn spec(&self) -> StorageSpec {
        self.spec
    }

    pub(super) fn used_bytes(&self) -> u64 {
        self.used_bytes
    }

    pub(super) fn set_now(&mut self, now_ns: u64) {
        self.now_ns = now_ns;
    }

    /// Sim time spent by operations since the last call; resets it.
    pub(super) fn take_elapsed_ns(&mut self) -> u64 {
        std::mem::take(&mut self.elapsed_ns)
    }

    /// Applies `fault` from now on.
    pub(super) fn inject(&mut self, fault: TargetFault) {
        match fault {
            TargetFault::OutOfSpaceAfter { bytes } => {
                let limit = self.used_bytes.saturating_add(bytes);
                self.capacity_bytes_effective = self.capacity_bytes_effective.min(limit);
            }
            TargetFault::IoError { operation } => {
                let pending = self.io_errors_pending.entry(operation).or_insert(0);
                *pending = (*pending + 1).min(IO_ERRORS_PENDING_MAX);
            }
            TargetFault::Slow {
                bandwidth_bytes_per_s,
                latency_ns,
            } => {
                if let Some(bandwidth) = bandwidth_bytes_per_s {
                    self.spec.bandwidth_bytes_per_s = bandwidth.max(1);
                }
                if let Some(latency) = latency_ns {
                    self.spec.latency_ns = latency;
                }
            }
            TargetFault::Stall { until_ns } => {
                self.stall_until_ns = self.stall_until_ns.max(until_ns);
            }
        }
        assert!(self.spec.bandwidth_bytes_per_s > 0);
    }

    /// Space freed by others: an out-of-space limit rises by `bytes`, never above the declared
    /// capacity. Returns the free bytes after.
    pub(super) fn free_space(&mut self, bytes: u64) -> u64 {
        self.capacity_bytes_effective = self
            .capacity_bytes_effective
            .saturating_add(bytes)
            .min(self.spec.capacity_bytes);
        assert!(self.capacity_bytes_effective <= self.spec.capacity_bytes);
        self.free_bytes()
    }

    pub(super) fn space_limited(&self) -> bool {
        self.capacity_bytes_effective < self.spec.capacity_bytes
    }

    pub(super) fn free_bytes(&self) -> u64 {
        self.capacity_bytes_effective
            .saturating_sub(self.used_bytes)
    }

    /// Bytes now held by a file.
    pub(super) fn occupy(&mut self, bytes: u64) {
        self.used_bytes += bytes;
    }

    /// Bytes of a closed unlinked file, which were counted as used.
    pub(super) fn release(&mut self, bytes: u64) {
        assert!(self.used_bytes >= bytes);
        self.used_bytes -= bytes;
    }

    /// Bytes of a removed file as the file system reports them (not necessarily counted).
    pub(super) fn release_saturating(&mut self, bytes: u64) {
        self.used_bytes = self.used_bytes.saturating_sub(bytes);
    }

    /// Charges one operation moving `bytes`: its cost is added to the elapsed time.
    pub(super) fn charge(&mut self, bytes: u64) {
        let cost_ns = self.cost_ns(bytes);
        self.elapsed_ns = self.elapsed_ns.saturating_add(cost_ns);
    }

    /// Sim time one operation moving `bytes` costs now, stall included.
    fn cost_ns(&self, bytes: u64) -> u64 {
        assert!(self.spec.bandwidth_bytes_per_s > 0);
        let at_ns = self.now_ns.saturating_add(self.elapsed_ns);
        let stall_ns = self.stall_until_ns.saturating_sub(at_ns);
        let transfer_ns = bytes as u128 * NS_PER_S / self.spec.bandwidth_bytes_per_s as u128;
        let total_ns = stall_ns as u128 + self.spec.latency_ns as u128 + transfer_ns;
        u64::try_from(total_ns).unwrap_or(u64::MAX)
    }

    /// Fails once if an I/O error was injected for `operation`.
    pub(super) fn take_injected(&mut self, operation: TargetOperation) -> io::Result<()> {
        match self.io_errors_pending.get_mut(&operation) {
            Some(pending) if *pending > 0 => {
                *pending -= 1;
                Err(io::Error::other(format!(
                    "injected I/O error on {}",
                    operation_name(operation)
                )))
            }
            _ => Ok(()),
        }
    }
}

/// `StorageFull` is stable since Rust 1.83; the workspace still declares 1.80 (bump requested).
#[allow(clippy::incompatible_msrv)]
pub(super) fn storage_full() -> io::Error {
    io::Error::new(io::ErrorKind::StorageFull, STORAGE_FULL_MESSAGE)
}

fn operation_name(operation: TargetOperation) -> &'static str {
    assert!(OPERATIONS.contains(&operation));
    match operation {
        TargetOperation::Write => "write",
        TargetOperation::Sync => "sync",
        TargetOperation::Rename => "rename",
        TargetOperation::Create => "create",
    }
}
