//! [`SimTarget`]: the simulator's export storage, an
//! [`ExportTarget`](rpsim_export::target::ExportTarget) over a real directory.
//!
//! Owns the mapping of the simulated root `/exports` and of the scenario's mount points (drive
//! letters, UNC shares) onto one real directory, NTFS's name rules and case-insensitive names
//! (`ntfs`), the refusal (and recording) of every path that is not strictly inside a mount, the storage model (capacity, used
//! bytes, bandwidth, latency, the sim time each operation costs) and the injection of target
//! faults (out of space, I/O errors, slowness, stalls). It must never touch the real file system
//! outside its root, never follow a symbolic link, never decide what the job writes, and never
//! let the real root path reach anything it returns (ops log, violations, errors): traces must
//! be identical across runs in different temporary directories.
//!
//! Decisions (ours):
//! - Any symbolic link on the way to a path, or at it, is refused, even one pointing inside the
//!   root: the target never follows links, so it never has to judge where one leads.
//! - `sync` and `sync_dir` are simulated (cost and faults) but not passed on to the real file
//!   system: the temporary directory does not need to survive a real crash of the simulator.
//! - `TargetOperation::Sync` faults hit `sync` and `sync_dir`; `Create` hits `create_new` only.
//! - Every operation costs sim time, including refused and failed ones (the request still
//!   reaches the storage stack); only bytes actually written cost bandwidth.
//!
//! Modules: `sim_target` (the type and what the run asks of it), `export_target` (the trait:
//! each operation timed and logged), `file_ops` (each operation's work on the real root),
//! `paths` (mounts, confinement and violations), `ntfs` (name rules, case-insensitive lookup), `storage` (capacity, cost, faults), `files` (open
//! files), `ops_log` (the log the trace shows).

mod export_target;
mod file_ops;
mod files;
mod ntfs;
mod ops_log;
mod paths;
mod sim_target;
mod storage;

#[cfg(test)]
mod confinement_tests;
#[cfg(test)]
mod ntfs_tests;
#[cfg(test)]
mod storage_tests;
#[cfg(test)]
mod test_support;

pub use files::OPEN_FILES_MAX;
pub use ntfs::{LOOKUP_ENTRIES_MAX, NAME_UTF16_UNITS_MAX};
pub use ops_log::{TargetOp, OPS_LOG_MAX};
pub use paths::{MOUNTS_MAX, PATH_BYTES_MAX, PATH_DEPTH_MAX, VIOLATIONS_MAX, VIRTUAL_ROOT};
pub use sim_target::{SimTarget, SCAN_ENTRIES_MAX};
pub use storage::{StorageSpec, TargetFault, IO_ERRORS_PENDING_MAX};
