//! rpsim-world: the deterministic simulator. Owns sim time, the event queue, hosts, VM groups,
//! VMs, sparse disks, reference points, guest workloads, faults and the trace; it implements
//! the export job's source trait and drives the job through [`run::run`]. It must never read a
//! wall clock, use unordered iteration in decisions, or trust the job's own account of itself.

pub mod call;
pub mod content;
pub mod disk;
pub mod events;
pub mod explore;
pub mod export_record;
pub mod faults;
pub mod ids;
pub mod observe;
pub mod poll;
pub mod refpoints;
pub mod rng;
pub mod run;
pub mod run_error;
pub mod source;
pub mod target;
pub mod trace;
pub mod vmfiles;
pub mod workload;
pub mod world;
pub mod world_disks;
pub mod writers;

pub use run::{
    run, run_observed, ExportRecord, RunConfig, RunError, RunOutcome, Session, SessionOutcome,
    EVENTS_MAX,
};
pub use trace::TraceRecord;
pub use world::World;
