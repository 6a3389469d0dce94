//! The `swarm` section drawn for one seed: which candidate fault kinds are on (each with the
//! section's `on` probability) and their rate, becoming `random_faults`; the target's bandwidth
//! and latency; each workload's write rate and pattern. Owns these draws; it must never run
//! anything. Values are drawn with the world's own range reduction (`faults::uniform_*`), so
//! they are the same on every machine and crate version.

use crate::faults::{uniform_below, uniform_inclusive};
use rpsim_scenario::model::{FaultKind, RandomFaults, Scenario, Swarm, Workload, WritePattern};
use rpsim_scenario::units::{ByteRate, SimDuration};
use serde::Serialize;

/// Probability of a candidate fault kind being on, when the section gives no `on`: 50%.
const ON_DEFAULT_BASIS_POINTS: u32 = 5_000;
/// Drawn rates are rounded to this many steps per unit (0.001 faults/s).
const RATE_STEPS_PER_UNIT: f64 = 1000.0;
/// Drawn bandwidths and write rates are whole KiB/s; latencies whole microseconds.
const RATE_GRAIN: u64 = 1024;
const LATENCY_GRAIN_NS: u64 = 1000;

/// What the swarm section drew.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SwarmDrawn {
    /// The fault kinds on for this seed (empty: no random faults at all).
    pub fault_kinds: Vec<FaultKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault_rate_per_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bandwidth: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workloads: Vec<WorkloadDrawn>,
}

/// One workload's drawn parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkloadDrawn {
    /// The VM (or shared disk) whose workload it is.
    pub owner: String,
    pub write_rate: String,
    pub pattern: WritePattern,
}

impl SwarmDrawn {
    /// `faults=io+slow@0.120/s bw=120MiB/s lat=3ms wl=2`.
    pub fn short(&self) -> String {
        let faults = if self.fault_kinds.is_empty() {
            "none".to_string()
        } else {
            let kinds: Vec<&str> = self.fault_kinds.iter().map(|k| short_kind(*k)).collect();
            format!(
                "{}@{:.3}/s",
                kinds.join("+"),
                self.fault_rate_per_s.unwrap_or(0.0)
            )
        };
        let mut parts = vec![format!("faults={faults}")];
        if let Some(bw) = &self.bandwidth {
            parts.push(format!("bw={bw}"));
        }
        if let Some(lat) = &self.latency {
            parts.push(format!("lat={lat}"));
        }
        if !self.workloads.is_empty() {
            parts.push(format!("wl={}", self.workloads.len()));
        }
        parts.join(" ")
    }
}

/// A short name of a fault kind for the run line.
fn short_kind(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::TargetOutOfSpace => "space",
        FaultKind::TargetIoError => "io",
        FaultKind::TargetSlow => "slow",
        FaultKind::TargetStall => "stall",
        FaultKind::SourceReadError => "read",
        FaultKind::HostCrash => "crash",
        FaultKind::VmRemoved => "vmrm",
        FaultKind::VmMigrated => "migr",
        FaultKind::ReferencePointDestroyed => "rpdel",
        FaultKind::LogRemoved => "logrm",
    }
}

/// Draws `spec` into `scenario` (its `random_faults`, storage and workloads).
pub(super) fn apply(
    spec: &Swarm,
    scenario: &mut Scenario,
    stream: &mut impl rand::RngCore,
) -> SwarmDrawn {
    let mut drawn = SwarmDrawn::default();
    if let Some(faults) = &spec.faults {
        let on = faults
            .on
            .map_or(ON_DEFAULT_BASIS_POINTS, |p| p.basis_points());
        let mut kinds: Vec<FaultKind> = Vec::new();
        for kind in &faults.kinds {
            let is_on = uniform_below(stream, 10_000) < u64::from(on);
            if is_on && !kinds.contains(kind) {
                kinds.push(*kind);
            }
        }
        let rate = draw_rate(stream, faults.rate_per_s.min, faults.rate_per_s.max);
        if !kinds.is_empty() {
            drawn.fault_rate_per_s = Some(rate);
            scenario.random_faults = Some(RandomFaults {
                rate_per_s: rate,
                kinds: kinds.clone(),
                window: faults.window.clone(),
                max: faults.max,
            });
        }
        drawn.fault_kinds = kinds;
    }
    if let Some(storage) = &spec.storage {
        if let Some(span) = storage.bandwidth {
            let rate = draw_grained(stream, span.min.0, span.max.0, RATE_GRAIN).max(1);
            scenario.storage.bandwidth = ByteRate(rate);
            drawn.bandwidth = Some(ByteRate(rate).to_string());
        }
        if let Some(span) = storage.latency {
            let ns = draw_grained(stream, span.min.0, span.max.0, LATENCY_GRAIN_NS);
            scenario.storage.latency = SimDuration(ns);
            drawn.latency = Some(SimDuration(ns).to_string());
        }
    }
    if let Some(spec) = &spec.workload {
        for (owner, workload) in workloads_mut(scenario) {
            if let Some(span) = spec.write_rate {
                let rate = draw_grained(stream, span.min.0, span.max.0, RATE_GRAIN).max(1);
                workload.write_rate = ByteRate(rate);
            }
            if !spec.patterns.is_empty() {
                let pick = uniform_below(stream, spec.patterns.len() as u64) as usize;
                set_pattern(workload, spec.patterns[pick]);
            }
            drawn.workloads.push(WorkloadDrawn {
                owner,
                write_rate: workload.write_rate.to_string(),
                pattern: workload.pattern,
            });
        }
    }
    drawn
}

/// A pattern change keeps the workload valid: the hot-spot fields go with `hot_spot`.
fn set_pattern(workload: &mut Workload, pattern: WritePattern) {
    workload.pattern = pattern;
    if pattern != WritePattern::HotSpot {
        workload.hot_spot_size = None;
        workload.hot_spot_share = None;
    }
}

/// Every workload in scenario order (VMs, then shared disks, group by group), with its owner.
fn workloads_mut(scenario: &mut Scenario) -> Vec<(String, &mut Workload)> {
    let mut all = Vec::new();
    for group in &mut scenario.vm_groups {
        for vm in &mut group.vms {
            if let Some(w) = vm.workload.as_mut() {
                all.push((vm.name.clone(), w));
            }
        }
        for shared in &mut group.shared_disks {
            if let Some(w) = shared.workload.as_mut() {
                all.push((shared.name.clone(), w));
            }
        }
    }
    all
}

/// Uniform in `[low, high]` in steps of `grain` (both ends rounded to the grain, never below
/// `low` rounded down nor above `high`).
fn draw_grained(stream: &mut impl rand::RngCore, low: u64, high: u64, grain: u64) -> u64 {
    let (lo, hi) = (low.div_ceil(grain), high / grain);
    if lo > hi {
        return low;
    }
    uniform_inclusive(stream, lo, hi) * grain
}

/// A rate uniform in `[low, high]` in steps of 0.001 (IEEE basic operations only).
fn draw_rate(stream: &mut impl rand::RngCore, low: f64, high: f64) -> f64 {
    let steps = ((high - low) * RATE_STEPS_PER_UNIT).floor().max(0.0) as u64;
    let step = uniform_inclusive(stream, 0, steps);
    let rate = low + step as f64 / RATE_STEPS_PER_UNIT;
    rate.clamp(low, high)
}
