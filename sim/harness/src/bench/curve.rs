//! The cost curve of `rpsim bench --curve`: the full export and the differential (with
//! `changed_per_mille` of the blocks changed) of a fully allocated disk at 256 MiB, 1 GiB and
//! 4 GiB, each timed against a sequential write of the same bytes in the same run, so that a
//! cost linear in the bytes exported shows as the same ratio and the same seconds per GiB at
//! every size. Owns those phases; it must never feed a clock into the simulator.

use crate::bench::plan::{
    full_shape, ratio_figure, scratch_dir, write_file, BenchPlan, BENCH_BLOCK_SIZE_BYTES,
};
use crate::bench::record::{Better, Figure};
use crate::bench::spread::Spread;
use crate::bench::workload;
use rpsim_scenario::units::ByteSize;
use std::time::Instant;

/// Allocated data of each point of the curve.
pub const CURVE_SIZES_BYTES: [u64; 3] = [256 << 20, 1 << 30, 4 << 30];

/// One size of the curve: seconds of each timing over the repeats.
pub struct CurvePoint {
    pub size_bytes: u64,
    pub full_s: Spread,
    pub full_seq_s: Spread,
    pub changed_bytes: u64,
    pub diff_s: Spread,
    pub diff_seq_s: Spread,
}

/// Every point of the curve, smallest first.
pub fn time_curve(plan: &BenchPlan) -> Result<Vec<CurvePoint>, String> {
    CURVE_SIZES_BYTES
        .iter()
        .map(|&size| time_point(plan, size))
        .collect()
}

fn time_point(plan: &BenchPlan, size_bytes: u64) -> Result<CurvePoint, String> {
    let mut world = workload::world_with_disk(&full_shape(size_bytes, size_bytes, false))?;
    let base = workload::freeze(&mut world, "base")?;
    let changed_blocks = workload::change_blocks(&mut world, plan.changed_per_mille)?;
    let point = workload::freeze(&mut world, "target")?;
    let changed_bytes = changed_blocks * BENCH_BLOCK_SIZE_BYTES;
    let (mut full, mut full_seq, mut diff, mut diff_seq) = (vec![], vec![], vec![], vec![]);
    for _ in 0..plan.repeats {
        full.push(timed(plan, |dir| {
            workload::export(&world, &base, None, &dir.join("export"))
        })?);
        full_seq.push(timed(plan, |dir| {
            write_file(&dir.join("seq.bin"), size_bytes, 6)
        })?);
        diff.push(timed(plan, |dir| {
            workload::export(&world, &point, Some(&base), &dir.join("export"))
        })?);
        diff_seq.push(timed(plan, |dir| {
            write_file(&dir.join("seq.bin"), changed_bytes, 6)
        })?);
    }
    Ok(CurvePoint {
        size_bytes,
        full_s: Spread::of(&full),
        full_seq_s: Spread::of(&full_seq),
        changed_bytes,
        diff_s: Spread::of(&diff),
        diff_seq_s: Spread::of(&diff_seq),
    })
}

/// Seconds of `f` run in a fresh scratch directory (removed afterwards, untimed).
fn timed(
    plan: &BenchPlan,
    f: impl FnOnce(&std::path::Path) -> Result<(), String>,
) -> Result<f64, String> {
    let scratch = scratch_dir(&plan.work_dir)?;
    let start = Instant::now();
    f(scratch.path())?;
    Ok(start.elapsed().as_secs_f64().max(1e-9))
}

/// Per size: the full export's and the differential's rate against a sequential write of the
/// same bytes; then how far apart the sizes' seconds per GiB are (1.0: exactly linear).
pub fn figures(points: &[CurvePoint]) -> Vec<Figure> {
    let mut out = Vec::new();
    for p in points {
        let size = ByteSize(p.size_bytes).to_string();
        let (full, changed) = (p.size_bytes as f64, p.changed_bytes as f64);
        out.push(ratio_figure(
            &format!("curve_full_export_{size}"),
            p.full_s.inverse_times(full),
            "bytes/s",
            ("seq_write", p.full_seq_s.inverse_times(full)),
            Better::Higher,
            format!("full export of a fully allocated {size} disk"),
        ));
        out.push(ratio_figure(
            &format!("curve_differential_{size}"),
            p.diff_s.inverse_times(changed),
            "bytes/s",
            (
                "seq_write_of_changed_bytes",
                p.diff_seq_s.inverse_times(changed),
            ),
            Better::Higher,
            format!(
                "differential of that disk, {} changed bytes",
                p.changed_bytes
            ),
        ));
    }
    if points.len() >= 2 {
        out.push(linearity("curve_full_export_linearity", points, |p| {
            (p.full_s.median, p.size_bytes)
        }));
        out.push(linearity("curve_differential_linearity", points, |p| {
            (p.diff_s.median, p.changed_bytes)
        }));
    }
    out
}

/// Largest over smallest seconds per GiB across the sizes (median timings): 1.0 when the
/// cost is exactly linear in the bytes.
fn linearity(name: &str, points: &[CurvePoint], of: impl Fn(&CurvePoint) -> (f64, u64)) -> Figure {
    let per_gib: Vec<f64> = points
        .iter()
        .map(|p| {
            let (seconds, bytes) = of(p);
            seconds / (bytes as f64 / f64::from(1u32 << 30))
        })
        .collect();
    let max = per_gib.iter().cloned().fold(f64::MIN, f64::max);
    let min = per_gib.iter().cloned().fold(f64::MAX, f64::min);
    let shown: Vec<String> = per_gib.iter().map(|s| format!("{s:.3}")).collect();
    Figure {
        name: name.into(),
        value: max / min,
        unit: "ratio".into(),
        baseline: None,
        baseline_value: None,
        ratio: None,
        better: Better::Lower,
        note: format!(
            "largest / smallest seconds per GiB over the sizes (1.0 = linear); s/GiB smallest size first: {}",
            shown.join(", ")
        ),
        value_spread: None,
        ratio_spread: None,
    }
}
