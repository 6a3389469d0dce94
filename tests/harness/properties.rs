//! Property tests over small random scenarios (1–2 VMs, 1–2 disks each, random workload rates,
//! a full and a differential export at random times, or a cancel at a random time). They
//! protect three properties: the same scenario and seed give the same trace hash; every
//! completed export (with its chain) restores to the world's disk and every check passes; and a
//! cancel (terminate, kill, suspend then start) at any time leaves a state the invariants
//! accept. The proptest seed and case count are fixed so CI is deterministic; a failure is
//! saved under `tests/regressions/` (never committed) and printed with its scenario YAML.

use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, RngSeed};
use rpsim_scenario::model::Scenario;
use rpsim_world::{RunConfig, RunOutcome};
use std::fmt::Write as _;

/// Cases per property: each case runs the simulator once or twice.
const CASES_PER_PROPERTY: u32 = 10;
/// Fixed proptest seed (CI must see the same cases every time).
const PROPTEST_SEED: u64 = 0x0005_eed6_2026;
/// Bound on shrinking steps after a failure (each step is a whole simulation).
const SHRINK_ITERS_MAX: u32 = 64;
/// Every generated scenario stops by this sim time.
const STOP_AT_S: u64 = 60;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES_PER_PROPERTY,
        rng_seed: RngSeed::Fixed(PROPTEST_SEED),
        max_shrink_iters: SHRINK_ITERS_MAX,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    }
}

/// One VM of a generated scenario.
#[derive(Clone, Debug)]
struct VmSpec {
    /// Disk sizes in MiB (1 or 2 disks).
    disk_sizes_mib: Vec<u64>,
    /// Allocated MiB per disk at the start.
    allocated_mib: u64,
    /// 0 means no workload.
    write_rate_kib_per_s: u64,
    write_size_kib: u64,
    pattern: &'static str,
}

/// How a job is cancelled in the cancel property.
#[derive(Clone, Copy, Debug)]
enum Cancel {
    Terminate,
    Kill,
    SuspendThenStart { resume_after_ms: u64 },
}

/// A generated scenario, rendered as scenario YAML.
#[derive(Clone, Debug)]
struct Spec {
    seed: u64,
    vms: Vec<VmSpec>,
    full_at_ms: u64,
    /// The second reference point is created this long after the full export starts; the
    /// differential starts at the same time (the full export of these small disks is long done).
    diff_after_ms: u64,
    cancel: Option<(Cancel, u64)>,
}

fn vm_spec() -> impl Strategy<Value = VmSpec> {
    (
        prop::collection::vec(prop::sample::select(vec![64u64, 128, 256]), 1..=2),
        1u64..=4,
        prop_oneof![Just(0u64), 256u64..=4_096],
        prop::sample::select(vec![4u64, 64, 256]),
        prop::sample::select(vec!["sequential", "random", "hot_spot"]),
    )
        .prop_map(
            |(disk_sizes_mib, allocated_mib, rate, write_size_kib, pattern)| VmSpec {
                disk_sizes_mib,
                allocated_mib,
                write_rate_kib_per_s: rate,
                write_size_kib,
                pattern,
            },
        )
}

fn chain_spec() -> impl Strategy<Value = Spec> {
    (
        any::<u64>(),
        prop::collection::vec(vm_spec(), 1..=2),
        100u64..=3_000,
        1_000u64..=3_000,
    )
        .prop_map(|(seed, vms, full_at_ms, diff_after_ms)| Spec {
            seed,
            vms,
            full_at_ms,
            diff_after_ms,
            cancel: None,
        })
}

fn cancel_spec() -> impl Strategy<Value = Spec> {
    let cancel = prop_oneof![
        Just(Cancel::Terminate),
        Just(Cancel::Kill),
        (0u64..=3_000).prop_map(|resume_after_ms| Cancel::SuspendThenStart { resume_after_ms }),
    ];
    (chain_spec(), cancel, 0u64..=400).prop_map(|(spec, cancel, after_ms)| Spec {
        cancel: Some((cancel, after_ms)),
        ..spec
    })
}

impl Spec {
    fn yaml(&self) -> String {
        let mut y = String::new();
        let _ = writeln!(y, "version: 1\nname: property\nseed: {}", self.seed);
        let _ = writeln!(y, "stop_at: {STOP_AT_S}s\nhosts:\n  - name: host-a");
        y += "storage: { capacity: 10GiB, bandwidth: 300MiB/s, latency: 200us }\n";
        y += "vm_groups:\n  - name: g\n    vms:\n";
        for (v, vm) in self.vms.iter().enumerate() {
            let _ = writeln!(y, "      - name: vm-{v}\n        host: host-a\n        generation: 2\n        state: running\n        disks:");
            for (d, size_mib) in vm.disk_sizes_mib.iter().enumerate() {
                let _ = writeln!(
                    y,
                    "          - {{ name: d{d}, size: {size_mib}MiB, block_size: 64KiB, fill: {{ allocated: {}MiB, layout: random }} }}",
                    vm.allocated_mib
                );
            }
            if vm.write_rate_kib_per_s > 0 {
                let _ = writeln!(
                    y,
                    "        workload: {{ write_rate: {}KiB/s, write_size: {}KiB, pattern: {} }}",
                    vm.write_rate_kib_per_s, vm.write_size_kib, vm.pattern
                );
            }
        }
        y += "timeline:\n";
        let full = self.full_at_ms;
        let _ = writeln!(
            y,
            "  - {{ at: {full}ms, create_reference_point: {{ name: rp1, group: g, type: rct }} }}"
        );
        let _ = writeln!(y, "  - {{ at: {full}ms, export: {{ name: full, reference_point: rp1, target_dir: full }} }}");
        match self.cancel {
            None => {
                let diff = full + self.diff_after_ms;
                let _ = writeln!(y, "  - {{ at: {diff}ms, create_reference_point: {{ name: rp2, group: g, type: rct }} }}");
                let _ = writeln!(y, "  - {{ at: {diff}ms, export: {{ name: diff, reference_point: rp2, base: rp1, target_dir: diff }} }}");
            }
            Some((cancel, after_ms)) => {
                let at = full + after_ms;
                let mut change = |at_ms: u64, state: &str| {
                    let _ = writeln!(y, "  - {{ at: {at_ms}ms, request_state_change: {{ export: full, state: {state} }} }}");
                };
                match cancel {
                    Cancel::Terminate => change(at, "terminate"),
                    Cancel::Kill => change(at, "kill"),
                    Cancel::SuspendThenStart { resume_after_ms } => {
                        change(at, "suspend");
                        change(at + resume_after_ms, "start");
                    }
                }
            }
        }
        y
    }

    fn scenario(&self) -> Scenario {
        let yaml = self.yaml();
        match rpsim_scenario::parse_scenario("property.yaml", &yaml) {
            Ok(scenario) => scenario,
            Err(e) => panic!("generated scenario is invalid: {e}\n{yaml}"),
        }
    }
}

/// Runs `scenario` at its seed in a fresh scratch directory; the directory stays alive with the
/// outcome (its export directories are on disk).
fn run(scenario: &Scenario, keep_trace: bool) -> (tempfile::TempDir, RunOutcome) {
    let scratch = tempfile::tempdir().expect("scratch directory");
    let export_root = scratch.path().join("exports");
    std::fs::create_dir(&export_root).expect("export root");
    let config = RunConfig {
        seed: rpsim_scenario::effective_seed(scenario, None),
        fs: std::sync::Arc::new(rpsim_vfs::RealFs),
        export_root,
        keep_trace_records: keep_trace,
        observe_probes: false,
    };
    let outcome = rpsim_world::run(scenario, &config).expect("the run completes");
    (scratch, outcome)
}

fn failures(scenario: &Scenario, outcome: &RunOutcome, scratch: &tempfile::TempDir) -> String {
    let report = rpsim_checks::check_run(scenario, outcome, &scratch.path().join("restore"));
    let mut text = String::new();
    for f in &report.failures {
        let _ = writeln!(
            text,
            "{} [{}]: {}",
            f.check,
            f.export.as_deref().unwrap_or("-"),
            f.message
        );
    }
    text
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn same_scenario_and_seed_give_the_same_trace_hash(spec in chain_spec()) {
        let scenario = spec.scenario();
        let (_a, first) = run(&scenario, true);
        let (_b, second) = run(&scenario, true);
        let at = rpsim_world::trace::first_difference(&first.trace, &second.trace);
        prop_assert_eq!(at, None, "traces differ\n{}", spec.yaml());
        prop_assert_eq!(&first.trace_hash, &second.trace_hash, "{}", spec.yaml());
        prop_assert_eq!(first.event_count, second.event_count);
    }

    #[test]
    fn full_and_differential_exports_restore_to_the_disks_they_captured(spec in chain_spec()) {
        let scenario = spec.scenario();
        let (scratch, outcome) = run(&scenario, false);
        let failures = failures(&scenario, &outcome, &scratch);
        prop_assert!(failures.is_empty(), "checks failed:\n{}\n{}", failures, spec.yaml());
    }

    #[test]
    fn a_cancel_at_any_time_leaves_a_state_the_invariants_accept(spec in cancel_spec()) {
        let scenario = spec.scenario();
        let (scratch, outcome) = run(&scenario, false);
        let failures = failures(&scenario, &outcome, &scratch);
        let invariant_failures: Vec<&str> =
            failures.lines().filter(|l| l.starts_with("invariant")).collect();
        prop_assert!(
            invariant_failures.is_empty(),
            "invariants failed:\n{}\n{}",
            invariant_failures.join("\n"),
            spec.yaml()
        );
        let full = outcome.exports.iter().find(|e| e.name == "full");
        prop_assert!(full.is_some(), "the export ran");
    }
}

/// The generator itself: its YAML must always be a valid scenario, or the properties above
/// would pass by never running anything.
#[test]
fn generated_scenarios_are_valid_and_run_their_exports() {
    let spec = Spec {
        seed: 3,
        vms: vec![VmSpec {
            disk_sizes_mib: vec![64, 128],
            allocated_mib: 4,
            write_rate_kib_per_s: 4096,
            write_size_kib: 64,
            pattern: "hot_spot",
        }],
        full_at_ms: 500,
        diff_after_ms: 2_000,
        cancel: None,
    };
    let scenario = spec.scenario();
    let (scratch, outcome) = run(&scenario, false);
    let names: Vec<&str> = outcome.exports.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["full", "diff"]);
    let completed = outcome
        .exports
        .iter()
        .filter(|e| {
            e.final_properties
                .as_ref()
                .is_some_and(|p| p.job_state == 7)
        })
        .count();
    assert_eq!(completed, 2, "both exports complete:\n{}", spec.yaml());
    assert_eq!(failures(&scenario, &outcome, &scratch), "");
}
