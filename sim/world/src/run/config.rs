//! What a run is given and what it hands back: [`RunConfig`] (seed, export root, whether to keep
//! trace records, whether to count coverage probes) and [`RunOutcome`] (trace hash, exports,
//! violations, probe hits, the final world). Owns
//! these two types; it must never run anything or carry a real path into the trace.

use crate::export_record::ExportRecord;
use crate::trace::TraceRecord;
use crate::world::World;
use std::path::PathBuf;

/// How to run one scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunConfig {
    pub seed: u64,
    /// A real, existing, empty directory mapped to `/exports`.
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
}
