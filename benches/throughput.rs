//! Criterion benchmarks of the export pipeline: full export throughput, a 1% differential of a
//! 64 GiB disk, restoring a chain of five differentials, loading a large scenario, a seed
//! sweep of a small scenario, and the golden-style listing + checksum of an export tree.
//! Owns only the measurement setup (sizes below); the workloads come from
//! `rpsim_harness::bench::workload`. Run with `cargo bench --bench throughput`; `cargo test` only builds
//! it, and `cargo bench -- --test` runs every bench once.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rpsim_harness::bench::workload::{self as workload, DiskShape};
use rpsim_harness::runner::{run_scenario_file, RunOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

const GIB_BYTES: u64 = 1 << 30;
const BLOCK_SIZE_BYTES: u64 = 2 << 20;
/// Allocated data of the full-export bench.
const FULL_SIZE_BYTES: u64 = GIB_BYTES;
/// Virtual size of the differential bench's disk and its changed share (1%).
const DIFF_DISK_SIZE_BYTES: u64 = 64 * GIB_BYTES;
const DIFF_CHANGED_PER_MILLE: u64 = 10;
/// The restore chain: a 256 MiB disk, five differentials of 5% each.
const CHAIN_DISK_SIZE_BYTES: u64 = 256 << 20;
const CHAIN_DIFFERENTIALS: usize = 5;
const CHAIN_CHANGED_PER_MILLE: u64 = 50;
/// The large scenario: VMs (4 disks each) and timeline entries.
const LARGE_SCENARIO_VMS: usize = 250;
const LARGE_SCENARIO_TIMELINE_ENTRIES: usize = 5_000;
/// Seeds per sweep iteration.
const SWEEP_SEEDS: u64 = 8;
/// Most files the listing bench reads.
const LISTING_FILES_MAX: usize = 4096;

fn shape(virtual_size_bytes: u64, allocated_bytes: u64) -> DiskShape {
    DiskShape {
        virtual_size_bytes,
        allocated_bytes,
        block_size_bytes: BLOCK_SIZE_BYTES,
        random_layout: false,
    }
}

fn quick(c: &mut Criterion) -> criterion::BenchmarkGroup<'_, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group("rpsim");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    group
}

fn full_export(c: &mut Criterion) {
    let mut world = workload::world_with_disk(&shape(FULL_SIZE_BYTES, FULL_SIZE_BYTES)).unwrap();
    let point = workload::freeze(&mut world, "rp").unwrap();
    let mut group = quick(c);
    group.throughput(Throughput::Bytes(FULL_SIZE_BYTES));
    group.bench_function("full_export_1gib", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| workload::export(&world, &point, None, &dir.path().join("e")).unwrap(),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn differential_export(c: &mut Criterion) {
    let size = DIFF_DISK_SIZE_BYTES;
    let mut world = workload::world_with_disk(&shape(size, size)).unwrap();
    let base = workload::freeze(&mut world, "base").unwrap();
    let blocks = workload::change_blocks(&mut world, DIFF_CHANGED_PER_MILLE).unwrap();
    let point = workload::freeze(&mut world, "target").unwrap();
    let mut group = quick(c);
    group.throughput(Throughput::Bytes(blocks * BLOCK_SIZE_BYTES));
    group.bench_function("differential_1pct_of_64gib", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| workload::export(&world, &point, Some(&base), &dir.path().join("e")).unwrap(),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn restore_chain(c: &mut Criterion) {
    let root = tempfile::tempdir().unwrap();
    let chain_shape = shape(CHAIN_DISK_SIZE_BYTES, CHAIN_DISK_SIZE_BYTES);
    let dirs = workload::export_chain(
        &chain_shape,
        CHAIN_DIFFERENTIALS,
        CHAIN_CHANGED_PER_MILLE,
        root.path(),
    )
    .unwrap();
    let mut group = quick(c);
    group.throughput(Throughput::Bytes(CHAIN_DISK_SIZE_BYTES));
    group.bench_function("restore_chain_of_5_differentials", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |out| rpsim_restore::restore_chain(&dirs, &out.path().join("images")).unwrap(),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn load_large_scenario(c: &mut Criterion) {
    let text = workload::large_scenario_yaml(LARGE_SCENARIO_VMS, LARGE_SCENARIO_TIMELINE_ENTRIES);
    assert!(rpsim_scenario::parse_scenario("large.yaml", &text).is_ok());
    let mut group = quick(c);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse_large_scenario", |b| {
        b.iter(|| rpsim_scenario::parse_scenario("large.yaml", &text).unwrap())
    });
    group.finish();
}

fn seed_sweep(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kill-mid-copy.yaml");
    let mut group = quick(c);
    group.throughput(Throughput::Elements(SWEEP_SEEDS));
    group.bench_function("seed_sweep_kill_mid_copy", |b| {
        b.iter(|| {
            for seed in 0..SWEEP_SEEDS {
                let options = RunOptions {
                    seed: Some(seed),
                    ..RunOptions::default()
                };
                let run = run_scenario_file(&file, &options).unwrap();
                assert!(run.passed(), "seed {seed} failed");
            }
        })
    });
    group.finish();
}

/// Every file under `root`, sorted, with its size and xxh3-128.
fn listing(root: &Path) -> Vec<(PathBuf, u64, u128)> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                assert!(files.len() < LISTING_FILES_MAX, "export tree too large");
                let bytes = std::fs::read(&path).unwrap();
                let hash = xxhash_rust::xxh3::xxh3_128(&bytes);
                files.push((path, bytes.len() as u64, hash));
            }
        }
    }
    files.sort();
    files
}

fn listing_checksums(c: &mut Criterion) {
    let root = tempfile::tempdir().unwrap();
    let dirs = workload::export_chain(
        &shape(FULL_SIZE_BYTES / 4, FULL_SIZE_BYTES / 4),
        1,
        100,
        root.path(),
    )
    .unwrap();
    let total_bytes: u64 = listing(root.path()).iter().map(|f| f.1).sum();
    assert!(dirs.len() == 2 && total_bytes > 0);
    let mut group = quick(c);
    group.throughput(Throughput::Bytes(total_bytes));
    group.bench_function("listing_and_xxh3_checksums", |b| {
        b.iter(|| listing(root.path()))
    });
    group.finish();
}

criterion_group!(
    benches,
    full_export,
    differential_export,
    restore_chain,
    load_large_scenario,
    seed_sweep,
    listing_checksums
);
criterion_main!(benches);
