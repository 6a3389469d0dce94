//! The one entry point: [`run`] builds the world from a scenario and a seed, schedules the
//! timeline, guest writes and drawn random faults, and pops events in (time, sequence) order,
//! driving the export service and recording every event in the trace. Owns the event loop and
//! what each event does; it must never read a wall clock or put a real path in the trace.
//!
//! `event_loop` (entry points, scheduling, the loop, the outcome) hands each event to `timeline`
//! (dispatch of one entry), `actions` (reference points, export calls, state changes),
//! `fault_effects`, `writes` (guest writes) or `step` (job steps, crash points); `readings`
//! takes what `poll` entries read between events and each job's history; `probes` counts the
//! world's coverage probes (a fault in a job phase, world actions during an export); all of them
//! work on the `Run` state that `state` owns. `session` drives the same run call by call for a
//! client (`rpsim serve`). [`ExportRecord`] and [`RunError`] live in
//! modules of their own because observers and the writer builder use them too.

mod actions;
mod config;
mod event_loop;
mod fault_effects;
mod probes;
mod readings;
mod session;
mod state;
mod step;
mod timeline;
mod world_actions;
mod writes;

pub use crate::export_record::ExportRecord;
pub use crate::run_error::{RunError, EVENTS_MAX};
pub use config::{RunConfig, RunOutcome};
pub use event_loop::{run, run_observed, WRITERS_MAX};
pub use fault_effects::{HOST_DOWN_NS_DEFAULT, MIGRATION_NS, STALL_NS_DEFAULT};
pub use session::{Session, SessionOutcome};
pub use state::STOP_AT_NS_DEFAULT;
