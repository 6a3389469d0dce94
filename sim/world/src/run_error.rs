//! [`RunError`]: why a run ended without an outcome (the world could not be built, a bound was
//! hit, the scenario is inconsistent, an observer saw a violation), and [`EVENTS_MAX`], the
//! bound it names. Owns these typed errors, which the run and the writer builder return; it must
//! never print them (only the CLI decides how) or name a real path.

use crate::world::WorldError;

/// Most events one run may process.
pub const EVENTS_MAX: u64 = 20_000_000;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("building the world: {0}")]
    World(#[from] WorldError),
    #[error("opening the export root: {0}")]
    Target(std::io::Error),
    #[error("the run processed {EVENTS_MAX} events by sim time {time_ns} ns; shorten stop_at or slow the workloads")]
    EventsMax { time_ns: u64 },
    #[error("the event queue is full at sim time {time_ns} ns")]
    QueueFull { time_ns: u64 },
    #[error("disk `{disk}` reached its history limit at sim time {time_ns} ns; fewer or larger writes are needed")]
    DiskHistoryFull { disk: String, time_ns: u64 },
    #[error("scenario: {0}")]
    Scenario(String),
    #[error(
        "invariant violated at event {event_number}, sim time {time_ns} ns, seed {seed}: {message}"
    )]
    Invariant {
        event_number: u64,
        time_ns: u64,
        seed: u64,
        message: String,
    },
}
