//! The scenario types for a client reading an export's job object: the `poll` timeline action
//! and the `expect` fields judged on what was read. Owns the shape of those fields (serde,
//! unknown fields refused); it must never decide when a reading happens (the world does) or
//! judge a reading (the checks do).

use crate::units::SimDuration;
use serde::{Deserialize, Serialize};

/// `poll: {export: NAME}` reads the export's job object once at the entry's time;
/// `poll: {export: NAME, every: 100ms}` reads it again every `every` until a reading finds the
/// job final or gone (or a cap on readings is reached).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Poll {
    /// The export (a scenario-local name) whose job is read.
    pub export: String,
    /// Read again after this much sim time, until the job is final or gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<SimDuration>,
}

/// What the first reading at or after `at` must show.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReadingExpectation {
    /// The reading judged is the first one taken at or after this sim time.
    pub at: SimDuration,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_state: Option<u16>,
    /// Exactly this `PercentComplete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_complete: Option<u16>,
    /// `PercentComplete` at least / at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_complete_min: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_complete_max: Option<u16>,
}
