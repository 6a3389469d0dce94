//! Validation of the exploration sections, `swarm` and `random_actions`: every range ordered
//! and within the limits the fixed fields have, every named group existing, no option drawn
//! twice (`swarm.faults` beside `random_faults`), and an export's base either named or chosen
//! at the call (`base_latest_completed`), not both. Owns these rules; it must never draw
//! anything nor change the scenario.

use super::WRITE_RATE_BYTES_PER_S_MAX;
use super::{Problems, RANDOM_FAULTS_MAX, RANDOM_FAULT_KINDS_MAX, RANDOM_FAULT_RATE_PER_S_MAX};
use crate::model::{RandomActions, Scenario, Span, Swarm, Window};
use crate::path::NodePath;
use crate::units::{ByteRate, SimDuration};

/// Most actions one `random_actions` section draws.
pub const RANDOM_ACTIONS_MAX: u32 = 200;
/// Largest drawn storage latency.
pub const SWARM_LATENCY_NS_MAX: u64 = 10_000_000_000;

pub(crate) fn check(scenario: &Scenario, problems: &mut Problems) {
    let root = NodePath::root();
    if let Some(swarm) = &scenario.swarm {
        check_swarm(scenario, swarm, &root.key("swarm"), problems);
    }
    if let Some(actions) = &scenario.random_actions {
        check_actions(scenario, actions, &root.key("random_actions"), problems);
    }
    for (i, entry) in scenario.timeline.iter().enumerate() {
        if let Some(export) = &entry.export {
            if export.base_latest_completed && export.base.is_some() {
                problems.at(
                    &root
                        .key("timeline")
                        .index(i)
                        .key("export")
                        .key("base_latest_completed"),
                    "base_latest_completed chooses the base when the call is made; remove \
                     `base` or this field",
                );
            }
        }
    }
}

fn check_swarm(scenario: &Scenario, swarm: &Swarm, path: &NodePath, problems: &mut Problems) {
    if let Some(faults) = &swarm.faults {
        let path = path.key("faults");
        if scenario.random_faults.is_some() {
            problems.at_key(
                &path,
                "swarm.faults and random_faults both decide the random faults; keep one of them",
            );
        }
        let kinds = path.key("kinds");
        if faults.kinds.is_empty() {
            problems.at(
                &kinds,
                "kinds is empty; list the fault kinds a seed may turn on",
            );
        }
        problems.count(&kinds, "kinds", faults.kinds.len(), RANDOM_FAULT_KINDS_MAX);
        if let Some(on) = faults.on {
            if on.basis_points() > 10_000 {
                problems.at(
                    &path.key("on"),
                    format!("on is {on}; at most 100% is allowed"),
                );
            }
        }
        let rate = faults.rate_per_s;
        let in_range = |r: f64| r > 0.0 && r <= RANDOM_FAULT_RATE_PER_S_MAX;
        if !in_range(rate.min) || !in_range(rate.max) || rate.min > rate.max {
            problems.at(
                &path.key("rate_per_s"),
                format!(
                    "rate_per_s {{min: {}, max: {}}} is not a range; allowed: more than 0, at \
                     most {RANDOM_FAULT_RATE_PER_S_MAX}, min not above max",
                    rate.min, rate.max
                ),
            );
        }
        if let Some(window) = &faults.window {
            check_window(window, &path.key("window"), problems);
        }
        if let Some(max) = faults.max {
            if max > RANDOM_FAULTS_MAX {
                problems.at(
                    &path.key("max"),
                    format!("max {max} is more than the limit of {RANDOM_FAULTS_MAX}"),
                );
            }
        }
    }
    if let Some(storage) = &swarm.storage {
        let path = path.key("storage");
        if let Some(span) = storage.bandwidth {
            check_rate_span(span, &path.key("bandwidth"), u64::MAX, problems);
        }
        if let Some(span) = storage.latency {
            check_duration_span(span, &path.key("latency"), problems);
        }
    }
    if let Some(workload) = &swarm.workload {
        if let Some(span) = workload.write_rate {
            let path = path.key("workload").key("write_rate");
            check_rate_span(span, &path, WRITE_RATE_BYTES_PER_S_MAX, problems);
        }
    }
}

fn check_rate_span(span: Span<ByteRate>, path: &NodePath, max: u64, problems: &mut Problems) {
    let (low, high) = (span.min.bytes_per_s(), span.max.bytes_per_s());
    if low == 0 || low > high || high > max {
        problems.at(
            path,
            format!(
                "{{min: {}, max: {}}} is not a range of rates; min must be more than 0 and not \
                 above max{}",
                span.min,
                span.max,
                if max == u64::MAX {
                    String::new()
                } else {
                    format!(", max at most {}", ByteRate(max))
                }
            ),
        );
    }
}

fn check_duration_span(span: Span<SimDuration>, path: &NodePath, problems: &mut Problems) {
    if span.min > span.max || span.max.ns() > SWARM_LATENCY_NS_MAX {
        problems.at(
            path,
            format!(
                "{{min: {}, max: {}}} is not a range; min must not be above max, max at most {}",
                span.min,
                span.max,
                SimDuration(SWARM_LATENCY_NS_MAX)
            ),
        );
    }
}

fn check_window(window: &Window, path: &NodePath, problems: &mut Problems) {
    if window.from >= window.to {
        problems.at(
            &path.key("to"),
            format!(
                "window ends at {} but starts at {}; `to` must be later than `from`",
                window.to, window.from
            ),
        );
    }
}

fn check_actions(
    scenario: &Scenario,
    actions: &RandomActions,
    path: &NodePath,
    problems: &mut Problems,
) {
    if actions.count == 0 || actions.count > RANDOM_ACTIONS_MAX {
        problems.at(
            &path.key("count"),
            format!(
                "count {} is out of range; allowed: 1 to {RANDOM_ACTIONS_MAX}",
                actions.count
            ),
        );
    }
    check_window(&actions.window, &path.key("window"), problems);
    for (i, group) in actions.groups.iter().enumerate() {
        if !scenario.vm_groups.iter().any(|g| &g.name == group) {
            problems.at(
                &path.key("groups").index(i),
                format!(
                    "VM group `{group}` is not defined; defined groups: {}",
                    super::listing(scenario.vm_groups.iter().map(|g| g.name.as_str()))
                ),
            );
        }
    }
    problems.count(
        &path.key("kinds"),
        "kinds",
        actions.kinds.len(),
        RANDOM_FAULT_KINDS_MAX,
    );
}
