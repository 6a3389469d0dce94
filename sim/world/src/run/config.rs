//! What a run is given and what it hands back: [`RunConfig`] (seed, file system and export
//! root, whether to keep trace records, whether to count coverage probes) and [`RunOutcome`]
//! (trace hash, exports, violations, probe hits, the final world, the file system its exports
//! are on). Owns
//! these two types; it must never run anything or carry a real path into the trace.

use crate::export_record::ExportRecord;
use crate::trace::TraceRecord;
use crate::world::World;
use rpsim_vfs::SharedFs;
use std::path::PathBuf;

/// How to run one scenario.
#[derive(Clone, Debug)]
pub struct RunConfig {
    pub seed: u64,
    /// The file system the export storage's bytes go to (real or in memory; the run is the
    /// same run on either).
    pub fs: SharedFs,
    /// An existing, empty directory of `fs` mapped to `/exports`.
    pub export_root: PathBuf,
    /// Keep every trace record in [`RunOutcome::trace`] (the hash is always computed).
    pub keep_trace_records: bool,
    /// Count the coverage probes the run reaches ([`RunOutcome::probes`]); a run is the same
    /// run either way (same trace, same outcome but the counts).
    pub observe_probes: bool,
}

/// What one run produced.
#[derive(Debug)]
pub struct RunOutcome {
    pub seed: u64,
    pub trace_hash: String,
    pub event_count: u64,
    pub end_time_ns: u64,
    /// Empty unless [`RunConfig::keep_trace_records`].
    pub trace: Vec<TraceRecord>,
    pub exports: Vec<ExportRecord>,
    /// Paths the job tried to use outside `/exports` (from the target).
    pub violations: Vec<String>,
    /// Coverage probes reached, by the service, the target and the world (all zero unless
    /// [`RunConfig::observe_probes`]).
    pub probes: rpsim_probe::ProbeHits,
    pub world: World,
    /// The file system the exports are on (`ExportRecord::real_directory` names paths in it).
    pub fs: SharedFs,
}

impl RunConfig {
    /// Seed `seed`, exports under `export_root` on the real file system, no trace records, no
    /// probes.
    pub fn on_disk(seed: u64, export_root: PathBuf) -> RunConfig {
        RunConfig {
            seed,
            fs: std::sync::Arc::new(rpsim_vfs::RealFs),
            export_root,
            keep_trace_records: false,
            observe_probes: false,
        }
    }
}
