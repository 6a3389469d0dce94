//! Random faults: turns a scenario's `random_faults` section and one random stream into a
//! list of concrete, timed faults ([`DrawnFault`]) whose fields name things that exist in the
//! scenario.
//!
//! Owns the arrival process (Poisson: exponential gaps at `rate_per_s`, integer nanoseconds,
//! inside the window), the bound on how many faults a run gets, and the choice of each fault's
//! fields. It must never apply a fault, never read a clock, and never use a random algorithm
//! whose output could change with a crate version: only `RngCore::next_u64` is called, range
//! reduction and the logarithm are our own, using only IEEE-754 basic operations (exactly
//! rounded, hence the same on every machine).
//!
//! Decisions (ours):
//! - An arrival whose kind cannot be filled from the scenario (a migration with one host, a
//!   `source_read_error` with no disk, a reference-point fault before any point was created,
//!   `log_removed` with no log-based point) is dropped; the next arrival is drawn as usual.
//! - Reference-point faults name a point created by the timeline at or before the fault's time;
//!   `log_removed` names a log-based one.
//! - `target_slow` divides the storage bandwidth by 2..=100 and adds 1ms..=100ms of latency;
//!   `target_stall` and `host_crash` last 100ms..=10s.

use rpsim_scenario::model::{
    Fault, FaultKind, RandomFaults, ReferencePointKind, Scenario, TargetOperation,
};
use rpsim_scenario::units::{ByteRate, ByteSize, SimDuration};

/// Faults a run gets when the scenario gives no `max`.
pub const RANDOM_FAULTS_DEFAULT: u32 = 8;
/// Hard cap on faults in one run, whatever the scenario says.
pub const RANDOM_FAULTS_MAX: u32 = 1_000;
/// Bound on arrivals drawn (kept or dropped) in one call.
pub const ARRIVALS_MAX: u32 = 4 * RANDOM_FAULTS_MAX;
/// Bound on rejection-sampling rounds for one uniform draw.
const UNIFORM_ROUNDS_MAX: u32 = 64;
/// Terms of the `atanh` series in [`ln`]; enough for full f64 precision on [√½, √2].
const LN_SERIES_TERMS: u32 = 16;

const DURATION_NS_MIN: u64 = 100_000_000;
const DURATION_NS_MAX: u64 = 10_000_000_000;
const SLOW_DIVISOR_MIN: u64 = 2;
const SLOW_DIVISOR_MAX: u64 = 100;
const SLOW_LATENCY_NS_MIN: u64 = 1_000_000;
const SLOW_LATENCY_NS_MAX: u64 = 100_000_000;
const OPERATIONS: [TargetOperation; 4] = [
    TargetOperation::Write,
    TargetOperation::Sync,
    TargetOperation::Rename,
    TargetOperation::Create,
];

/// One fault and the sim time it strikes.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnFault {
    pub at_ns: u64,
    pub fault: Fault,
}

/// What the scenario offers to fill fault fields, in scenario order.
struct Choices<'a> {
    hosts: Vec<&'a str>,
    /// (group, VM, host).
    vms: Vec<(&'a str, &'a str, &'a str)>,
    /// `vm/disk` for own disks, the bare name for shared disks.
    disks: Vec<String>,
    /// (creation time, name, type).
    reference_points: Vec<(u64, &'a str, ReferencePointKind)>,
    capacity_bytes: u64,
    bandwidth_bytes_per_s: u64,
    latency_ns: u64,
}

impl<'a> Choices<'a> {
    fn of(scenario: &'a Scenario) -> Choices<'a> {
        let mut vms = Vec::new();
        let mut disks = Vec::new();
        for group in &scenario.vm_groups {
            for vm in &group.vms {
                vms.push((group.name.as_str(), vm.name.as_str(), vm.host.as_str()));
                for disk in &vm.disks {
                    disks.push(format!("{}/{}", vm.name, disk.name));
                }
            }
            for shared in &group.shared_disks {
                disks.push(shared.name.clone());
            }
        }
        let reference_points = scenario
            .timeline
            .iter()
            .filter_map(|entry| {
                let create = entry.create_reference_point.as_ref()?;
                Some((
                    entry.at.ns(),
                    create.name.as_str(),
                    create.reference_point_type,
                ))
            })
            .collect();
        Choices {
            hosts: scenario.hosts.iter().map(|h| h.name.as_str()).collect(),
            vms,
            disks,
            reference_points,
            capacity_bytes: scenario.storage.capacity.bytes(),
            bandwidth_bytes_per_s: scenario.storage.bandwidth.bytes_per_s(),
            latency_ns: scenario.storage.latency.ns(),
        }
    }
}

/// Draws the run's random faults, ordered by time. Empty when the rate is not a positive
/// finite number, `kinds` is empty or the window is empty. The window is `[from, to)`, by
/// default `[0, default_window_end_ns)`.
pub fn draw_random_faults(
    spec: &RandomFaults,
    scenario: &Scenario,
    stream: &mut impl rand::RngCore,
    default_window_end_ns: u64,
) -> Vec<DrawnFault> {
    let (from_ns, to_ns) = match &spec.window {
        Some(window) => (window.from.ns(), window.to.ns()),
        None => (0, default_window_end_ns),
    };
    let count_max = spec
        .max
        .unwrap_or(RANDOM_FAULTS_DEFAULT)
        .min(RANDOM_FAULTS_MAX) as usize;
    let rate_ok = spec.rate_per_s.is_finite() && spec.rate_per_s > 0.0;
    if !rate_ok || spec.kinds.is_empty() || from_ns >= to_ns || count_max == 0 {
        return Vec::new();
    }
    let gap_ns_mean = 1e9 / spec.rate_per_s;
    let choices = Choices::of(scenario);
    let mut drawn: Vec<DrawnFault> = Vec::new();
    let mut at_ns = from_ns;
    for _ in 0..ARRIVALS_MAX {
        at_ns = at_ns.saturating_add(exponential_ns(stream, gap_ns_mean));
        if at_ns >= to_ns || drawn.len() >= count_max {
            break;
        }
        let kind = spec.kinds[uniform_below(stream, spec.kinds.len() as u64) as usize];
        if let Some(fault) = fill(kind, at_ns, &choices, stream) {
            drawn.push(DrawnFault { at_ns, fault });
        }
    }
    assert!(drawn.len() <= count_max);
    assert!(drawn.windows(2).all(|w| w[0].at_ns <= w[1].at_ns));
    drawn
}

/// A fault of `kind` with every field it needs, or `None` if the scenario cannot supply one.
fn fill(
    kind: FaultKind,
    at_ns: u64,
    choices: &Choices,
    stream: &mut impl rand::RngCore,
) -> Option<Fault> {
    let mut fault = bare_fault(kind);
    match kind {
        FaultKind::TargetOutOfSpace => {
            fault.after_bytes = Some(ByteSize(uniform_inclusive(
                stream,
                0,
                choices.capacity_bytes,
            )));
        }
        FaultKind::TargetIoError => fault.operation = Some(*pick(stream, &OPERATIONS)?),
        FaultKind::TargetSlow => {
            let divisor = uniform_inclusive(stream, SLOW_DIVISOR_MIN, SLOW_DIVISOR_MAX);
            let bandwidth = (choices.bandwidth_bytes_per_s / divisor).max(1);
            let extra_ns = uniform_inclusive(stream, SLOW_LATENCY_NS_MIN, SLOW_LATENCY_NS_MAX);
            fault.bandwidth = Some(ByteRate(bandwidth));
            fault.latency = Some(SimDuration(choices.latency_ns.saturating_add(extra_ns)));
        }
        FaultKind::TargetStall => fault.duration = Some(draw_duration(stream)),
        FaultKind::SourceReadError => fault.disk = Some(pick(stream, &choices.disks)?.clone()),
        FaultKind::HostCrash => {
            fault.host = Some(pick(stream, &choices.hosts)?.to_string());
            fault.duration = Some(draw_duration(stream));
        }
        FaultKind::VmRemoved => {
            let (group, vm, _) = pick(stream, &choices.vms)?;
            fault.group = Some(group.to_string());
            fault.vm = Some(vm.to_string());
        }
        FaultKind::VmMigrated => {
            let (_, vm, host) = *pick(stream, &choices.vms)?;
            let others: Vec<&str> = choices
                .hosts
                .iter()
                .copied()
                .filter(|h| *h != host)
                .collect();
            fault.to_host = Some(pick(stream, &others)?.to_string());
            fault.vm = Some(vm.to_string());
        }
        FaultKind::ReferencePointDestroyed | FaultKind::LogRemoved => {
            let log_only = kind == FaultKind::LogRemoved;
            let names: Vec<&str> = choices
                .reference_points
                .iter()
                .filter(|(created_ns, _, rp_kind)| {
                    *created_ns <= at_ns && (!log_only || *rp_kind == ReferencePointKind::Log)
                })
                .map(|(_, name, _)| *name)
                .collect();
            fault.reference_point = Some(pick(stream, &names)?.to_string());
        }
    }
    Some(fault)
}

fn bare_fault(kind: FaultKind) -> Fault {
    Fault {
        kind,
        host: None,
        vm: None,
        to_host: None,
        disk: None,
        group: None,
        reference_point: None,
        after_bytes: None,
        operation: None,
        bandwidth: None,
        latency: None,
        duration: None,
    }
}

fn draw_duration(stream: &mut impl rand::RngCore) -> SimDuration {
    SimDuration(uniform_inclusive(stream, DURATION_NS_MIN, DURATION_NS_MAX))
}

/// A uniformly chosen element; `None` for an empty slice (nothing is drawn then).
fn pick<'s, T>(stream: &mut impl rand::RngCore, items: &'s [T]) -> Option<&'s T> {
    if items.is_empty() {
        return None;
    }
    items.get(uniform_below(stream, items.len() as u64) as usize)
}

/// Uniform in `0..n` (`n > 0`) by rejection of the biased top of the u64 range.
pub(crate) fn uniform_below(stream: &mut impl rand::RngCore, n: u64) -> u64 {
    assert!(n > 0);
    // Largest multiple of n that fits, minus one: values above it would bias the modulo.
    let zone = u64::MAX - (u64::MAX - n + 1) % n;
    let mut value = stream.next_u64();
    for _ in 0..UNIFORM_ROUNDS_MAX {
        if value <= zone {
            break;
        }
        value = stream.next_u64();
    }
    let result = value % n;
    assert!(result < n);
    result
}

/// Uniform in `low..=high` (`low <= high`).
pub(crate) fn uniform_inclusive(stream: &mut impl rand::RngCore, low: u64, high: u64) -> u64 {
    assert!(low <= high);
    let span = high - low;
    if span == u64::MAX {
        return stream.next_u64();
    }
    low + uniform_below(stream, span + 1)
}

/// An exponential gap with the given mean, in whole nanoseconds (saturating).
fn exponential_ns(stream: &mut impl rand::RngCore, mean_ns: f64) -> u64 {
    assert!(mean_ns.is_finite() && mean_ns > 0.0);
    // Uniform in (0, 1]: 53 random bits, plus one so that ln never sees 0.
    let unit = ((stream.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64;
    let gap_ns = -ln(unit) * mean_ns;
    assert!(gap_ns >= 0.0);
    gap_ns as u64
}

/// Natural logarithm of a positive normal `x` from basic operations only (no libm, whose last
/// bits differ between platforms): x = m·2^e with m in [√½, √2), ln m = 2·atanh((m-1)/(m+1)).
fn ln(x: f64) -> f64 {
    assert!(x.is_normal() && x > 0.0);
    let bits = x.to_bits();
    let mut exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut mantissa = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    if mantissa > std::f64::consts::SQRT_2 {
        mantissa /= 2.0;
        exponent += 1;
    }
    let s = (mantissa - 1.0) / (mantissa + 1.0);
    let s_squared = s * s;
    let mut power = s;
    let mut sum = 0.0;
    for k in 0..LN_SERIES_TERMS {
        sum += power / (2 * k + 1) as f64;
        power *= s_squared;
    }
    exponent as f64 * std::f64::consts::LN_2 + 2.0 * sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    const S: u64 = 1_000_000_000;
    const ALL_KINDS: [FaultKind; 10] = FaultKind::ALL;

    const SCENARIO: &str = r#"
version: 1
name: faults
hosts: [{name: h1}, {name: h2}]
storage: {capacity: 1GiB, bandwidth: 100MiB/s, latency: 1ms}
vm_groups:
  - name: g
    vms:
      - {name: vm1, host: h1, generation: 2, state: running, disks: [{name: os, size: 1GiB}]}
      - {name: vm2, host: h2, generation: 1, state: off, disks: [{name: data, size: 1GiB}]}
    shared_disks: [{name: quorum, size: 1GiB, attached_to: [vm1, vm2]}]
timeline:
  - {at: 1s, create_reference_point: {name: rp_rct, group: g, type: rct}}
  - {at: 5s, create_reference_point: {name: rp_log, group: g, type: log}}
"#;

    fn scenario() -> Scenario {
        serde_norway::from_str(SCENARIO).expect("test scenario parses")
    }

    fn spec(rate_per_s: f64, kinds: &[FaultKind], max: Option<u32>) -> RandomFaults {
        RandomFaults {
            rate_per_s,
            kinds: kinds.to_vec(),
            window: None,
            max,
        }
    }

    fn draw(spec: &RandomFaults, seed: u64, window_end_ns: u64) -> Vec<DrawnFault> {
        let mut stream = ChaCha8Rng::seed_from_u64(seed);
        draw_random_faults(spec, &scenario(), &mut stream, window_end_ns)
    }

    #[test]
    fn the_same_seed_draws_the_same_faults() {
        let spec = spec(1.0, &ALL_KINDS, Some(50));
        let first = draw(&spec, 42, 60 * S);
        assert!(
            first.len() >= 10,
            "too few faults to compare: {}",
            first.len()
        );
        assert_eq!(first, draw(&spec, 42, 60 * S));
    }

    #[test]
    fn different_seeds_draw_different_faults() {
        let spec = spec(1.0, &ALL_KINDS, None);
        let lists: Vec<Vec<DrawnFault>> = (0..8).map(|seed| draw(&spec, seed, 60 * S)).collect();
        for (i, a) in lists.iter().enumerate() {
            for b in &lists[i + 1..] {
                assert_ne!(a, b, "two seeds drew the same faults");
            }
        }
    }

    #[test]
    fn the_count_is_bounded_by_max_default_and_hard_cap() {
        let dense = |max| spec(1e6, &[FaultKind::TargetStall], max);
        assert_eq!(draw(&dense(Some(3)), 1, 3600 * S).len(), 3);
        assert_eq!(
            draw(&dense(None), 1, 3600 * S).len(),
            RANDOM_FAULTS_DEFAULT as usize
        );
        let capped = draw(&dense(Some(u32::MAX)), 1, 3600 * S);
        assert_eq!(capped.len(), RANDOM_FAULTS_MAX as usize);
        assert!(draw(&dense(Some(0)), 1, 3600 * S).is_empty());
    }

    #[test]
    fn times_ascend_inside_the_window() {
        let mut spec = spec(2.0, &[FaultKind::TargetStall], Some(1_000));
        spec.window = Some(rpsim_scenario::model::Window {
            from: SimDuration(10 * S),
            to: SimDuration(20 * S),
        });
        let drawn = draw(&spec, 3, 5 * S);
        assert!(drawn.len() > 5, "window ignored? {} faults", drawn.len());
        assert!(drawn.iter().all(|f| (10 * S..20 * S).contains(&f.at_ns)));
        assert!(drawn.windows(2).all(|w| w[0].at_ns <= w[1].at_ns));
    }

    #[test]
    fn arrivals_follow_the_rate_on_average() {
        // 0.5/s over 1000 s: 500 expected, standard deviation about 22.
        let spec = spec(0.5, &[FaultKind::TargetStall], Some(1_000));
        for seed in 0..4 {
            let count = draw(&spec, seed, 1_000 * S).len();
            assert!((400..=600).contains(&count), "seed {seed}: {count} faults");
        }
    }

    #[test]
    fn kinds_are_drawn_uniformly() {
        let spec = spec(
            1e3,
            &[FaultKind::TargetStall, FaultKind::TargetIoError],
            Some(1_000),
        );
        let drawn = draw(&spec, 9, 3600 * S);
        let stalls = drawn
            .iter()
            .filter(|f| f.fault.kind == FaultKind::TargetStall)
            .count();
        assert_eq!(drawn.len(), 1_000);
        assert!((430..=570).contains(&stalls), "{stalls} stalls of 1000");
    }

    #[test]
    fn nothing_is_drawn_from_a_bad_rate_no_kinds_or_an_empty_window() {
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(
                draw(&spec(rate, &ALL_KINDS, None), 1, 60 * S).is_empty(),
                "{rate}"
            );
        }
        assert!(draw(&spec(1.0, &[], None), 1, 60 * S).is_empty());
        assert!(draw(&spec(1.0, &ALL_KINDS, None), 1, 0).is_empty());
    }

    #[test]
    fn infeasible_kinds_are_dropped() {
        let mut scenario = scenario();
        scenario.hosts.truncate(1);
        scenario.vm_groups[0].vms[1].host = "h1".to_string();
        let spec = spec(10.0, &[FaultKind::VmMigrated], Some(100));
        let mut stream = ChaCha8Rng::seed_from_u64(5);
        assert!(draw_random_faults(&spec, &scenario, &mut stream, 60 * S).is_empty());
        // Reference points are only named once the timeline created them.
        let destroyed = draw(&spec_kind(FaultKind::ReferencePointDestroyed), 5, 60 * S);
        assert!(!destroyed.is_empty() && destroyed.iter().all(|f| f.at_ns >= S));
    }

    fn spec_kind(kind: FaultKind) -> RandomFaults {
        spec(10.0, &[kind], Some(100))
    }

    /// Checks that `fault` names things that exist and fills what its kind needs.
    fn assert_valid(drawn: &DrawnFault) {
        let f = &drawn.fault;
        let vm_host = |vm: &str| match vm {
            "vm1" => "h1",
            "vm2" => "h2",
            other => panic!("unknown VM {other}"),
        };
        match f.kind {
            FaultKind::TargetOutOfSpace => assert!(f.after_bytes.unwrap().bytes() <= 1 << 30),
            FaultKind::TargetIoError => assert!(f.operation.is_some()),
            FaultKind::TargetSlow => {
                let bandwidth = f.bandwidth.unwrap().bytes_per_s();
                assert!((1..=(100 << 20) / 2).contains(&bandwidth), "{bandwidth}");
                assert!(f.latency.unwrap().ns() > 1_000_000);
            }
            FaultKind::TargetStall => {
                assert!((DURATION_NS_MIN..=DURATION_NS_MAX).contains(&f.duration.unwrap().ns()))
            }
            FaultKind::SourceReadError => {
                let disk = f.disk.as_deref().unwrap();
                assert!(["vm1/os", "vm2/data", "quorum"].contains(&disk), "{disk}");
            }
            FaultKind::HostCrash => {
                assert!(["h1", "h2"].contains(&f.host.as_deref().unwrap()));
                assert!(f.duration.is_some());
            }
            FaultKind::VmRemoved => {
                assert_eq!(f.group.as_deref(), Some("g"));
                vm_host(f.vm.as_deref().unwrap());
            }
            FaultKind::VmMigrated => {
                let from = vm_host(f.vm.as_deref().unwrap());
                let to = f.to_host.as_deref().unwrap();
                assert!(["h1", "h2"].contains(&to) && to != from, "{from} -> {to}");
            }
            FaultKind::ReferencePointDestroyed => {
                let name = f.reference_point.as_deref().unwrap();
                let created_ns = if name == "rp_rct" { S } else { 5 * S };
                assert!(drawn.at_ns >= created_ns, "{name} named before it exists");
            }
            FaultKind::LogRemoved => {
                assert_eq!(f.reference_point.as_deref(), Some("rp_log"));
                assert!(drawn.at_ns >= 5 * S);
            }
        }
    }

    #[test]
    fn every_kind_gets_valid_fields_from_the_scenario() {
        let drawn = draw(&spec(5.0, &ALL_KINDS, Some(1_000)), 11, 100 * S);
        for kind in ALL_KINDS {
            let count = drawn.iter().filter(|f| f.fault.kind == kind).count();
            assert!(count > 5, "{kind:?} drawn only {count} times");
        }
        drawn.iter().for_each(assert_valid);
    }

    #[test]
    fn drawn_faults_pass_scenario_validation_as_timeline_entries() {
        let mut scenario = scenario();
        let base_problems = rpsim_scenario::validate(&scenario);
        assert!(
            base_problems.is_empty(),
            "test scenario invalid: {base_problems:?}"
        );
        let drawn = draw(&spec(5.0, &ALL_KINDS, Some(200)), 12, 100 * S);
        assert!(drawn.len() == 200, "{} faults", drawn.len());
        for fault in drawn {
            scenario
                .timeline
                .push(rpsim_scenario::model::TimelineEntry {
                    at: SimDuration(fault.at_ns),
                    fault: Some(fault.fault),
                    ..Default::default()
                });
        }
        scenario.timeline.sort_by_key(|entry| entry.at);
        let problems = rpsim_scenario::validate(&scenario);
        assert!(problems.is_empty(), "drawn faults refused: {problems:?}");
    }

    #[test]
    fn own_logarithm_matches_the_platform_one() {
        for x in [
            1e-300,
            2f64.powi(-53),
            1e-9,
            0.1,
            0.25,
            0.5,
            0.7,
            0.999_999,
            1.0,
            3.5,
        ] {
            let error = (ln(x) - x.ln()).abs();
            assert!(
                error <= 1e-14 * x.ln().abs().max(1.0),
                "ln({x}): {} vs {}",
                ln(x),
                x.ln()
            );
        }
    }

    #[test]
    fn uniform_draws_stay_in_range_and_reach_every_value() {
        let mut stream = ChaCha8Rng::seed_from_u64(0);
        let mut seen = [0u32; 7];
        for _ in 0..7_000 {
            seen[uniform_below(&mut stream, 7) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| (850..=1150).contains(&n)), "{seen:?}");
        for _ in 0..100 {
            assert!((5..=6).contains(&uniform_inclusive(&mut stream, 5, 6)));
            assert_eq!(uniform_inclusive(&mut stream, 9, 9), 9);
        }
        let _ = uniform_inclusive(&mut stream, 0, u64::MAX);
    }
}
