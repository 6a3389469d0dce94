//! The exploration sections of a scenario as Rust types: `swarm` (per seed, which fault kinds
//! are on and their rate, storage and workload parameters, each drawn within a declared range)
//! and `random_actions` (the client's calls drawn from the seed). Owns the shape of these two
//! sections only; it must never draw anything (that is `rpsim_world::explore`) nor hold run
//! state.

use super::{FaultKind, ReferencePointKind, Window, WritePattern};
use crate::units::{ByteRate, Percent, SimDuration};
use serde::{Deserialize, Serialize};

/// Options drawn per seed (swarm testing: each seed turns features on and off at random).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Swarm {
    /// Which fault kinds are on for a seed, and their rate: becomes `random_faults`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<SwarmFaults>,
    /// The export target's bandwidth and latency, drawn per seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<SwarmStorage>,
    /// Every guest workload's write rate and pattern, drawn per seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<SwarmWorkload>,
}

/// Candidate fault kinds; each is on for a seed with probability `on` (default 50%).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SwarmFaults {
    pub kinds: Vec<FaultKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<Percent>,
    /// Faults per sim second, drawn uniformly in `[min, max]`.
    pub rate_per_s: RateSpan,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// At most this many faults in a run (as `random_faults.max`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

/// A range of rates per second, `{min: 0.01, max: 0.5}`.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RateSpan {
    pub min: f64,
    pub max: f64,
}

/// A range of values with units, `{min: 10MiB/s, max: 400MiB/s}`; drawn uniformly, inclusive.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Span<T> {
    pub min: T,
    pub max: T,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SwarmStorage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth: Option<Span<ByteRate>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Span<SimDuration>>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SwarmWorkload {
    /// Each workload's `write_rate`, drawn per workload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_rate: Option<Span<ByteRate>>,
    /// Each workload's `pattern`, one of these per workload (empty: unchanged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<WritePattern>,
}

/// The client's calls drawn from the seed.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RandomActions {
    /// How many actions are drawn (at most 200).
    pub count: u32,
    /// Their times are drawn uniformly in `[from, to)`.
    pub window: Window,
    /// Which kinds to draw from (uniformly); default: every kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<RandomActionKind>,
    /// VM groups the actions act on; default: every group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Types of the reference points created; default `[rct]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference_point_types: Vec<ReferencePointKind>,
}

/// One kind of drawn client call.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum RandomActionKind {
    /// A new reference point of a group.
    CreateReferencePoint,
    /// One of the points created so far (possibly a base in use).
    DestroyReferencePoint,
    /// A full export of the group's latest point, every disk or a drawn selection.
    FullExport,
    /// A differential of a new point on the group's latest exported point.
    DifferentialExport,
    /// An export that collides: the group of a recent export, or its directory.
    CollidingExport,
    Suspend,
    Start,
    Terminate,
    Kill,
}

impl RandomActionKind {
    /// Every kind, in declaration order.
    pub const ALL: [RandomActionKind; 9] = [
        RandomActionKind::CreateReferencePoint,
        RandomActionKind::DestroyReferencePoint,
        RandomActionKind::FullExport,
        RandomActionKind::DifferentialExport,
        RandomActionKind::CollidingExport,
        RandomActionKind::Suspend,
        RandomActionKind::Start,
        RandomActionKind::Terminate,
        RandomActionKind::Kill,
    ];
}
