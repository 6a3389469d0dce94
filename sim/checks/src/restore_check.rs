//! Restore equivalence, the main correctness oracle: every completed export, with the chain of
//! completed exports it is based on, is restored by the independent reader (`rpsim-restore`) and
//! each image is compared byte for byte with the world's disk at that reference point (or,
//! when the scratch file system cannot hold an image, the chain's extent map is). Owns chain
//! assembly from a run's records; it must never read the job's own account of the data.

use crate::equivalence::{check_mapped_disk, check_restored_disk_in};
use crate::report::CheckReport;
use crate::verified_exports::VerifiedExports;
use rpsim_export::guid::Guid;
use rpsim_export::source::ExportSource;
use rpsim_export::wmi::JobState;
use rpsim_restore::RestoreError;
use rpsim_vfs::Fs;
use rpsim_world::{ExportRecord, RunOutcome};
use std::path::{Path, PathBuf};

/// Restores and compares every completed export of the run, using `scratch` (a directory of
/// the run's file system, `outcome.fs`) for images (each restore's images are removed once
/// compared).
pub fn check_restores(outcome: &RunOutcome, scratch: &Path, report: &mut CheckReport) {
    check_restores_with(outcome, scratch, &mut VerifiedExports::default(), report);
}

/// [`check_restores`], each export verified once through `verified` (shared with the
/// invariants): a chain is planned from the verified manifests and their handles.
pub fn check_restores_with(
    outcome: &RunOutcome,
    scratch: &Path,
    verified: &mut VerifiedExports,
    report: &mut CheckReport,
) {
    let oracle = outcome.world.oracle();
    let fs = outcome.fs.as_ref();
    for (index, record) in outcome.exports.iter().enumerate() {
        if !is_completed(record) {
            continue;
        }
        let name = Some(record.name.as_str());
        let chain = match chain_for(&outcome.exports, index) {
            Ok(chain) => chain,
            Err(message) => {
                report.record("restore", name, Some(message));
                continue;
            }
        };
        let out_dir = scratch.join(format!("restore-{index}"));
        let opened = match verified.chain(fs, &chain) {
            Ok(manifests) => rpsim_restore::open_verified_chain(manifests),
            Err(message) => {
                report.record("restore", name, Some(format!("restore refused: {message}")));
                continue;
            }
        };
        let opened = match opened {
            Ok(opened) => opened,
            Err(e) => {
                report.record("restore", name, Some(format!("restore refused: {e}")));
                continue;
            }
        };
        match opened.restore_into_in(fs, &out_dir) {
            Err(RestoreError::Capacity { .. }) => {
                compare_without_images(&oracle, &opened, name, report)
            }
            Err(e) => report.record("restore", name, Some(format!("restore refused: {e}"))),
            Ok(summary) => {
                report.record("restore", name, None);
                for disk in &summary.disks {
                    let failure = compare_disk(fs, &oracle, disk, report);
                    report.record("restore", name, failure);
                }
            }
        }
        // Images can be large; nothing else needs them.
        let _ = fs.remove_dir_all(&out_dir);
    }
}

/// The scratch file system cannot hold the images (a 64 TiB disk on ext4, which holds 16 TiB):
/// a correct export is not a failure, so each disk's extent map (of the chain already
/// verified) is compared with the world instead.
fn compare_without_images(
    oracle: &dyn ExportSource,
    verified: &rpsim_restore::VerifiedChain,
    name: Option<&str>,
    report: &mut CheckReport,
) {
    report.record("restore", name, None);
    for disk in verified.disks() {
        let map = verified.extent_map(&disk.disk_instance_id);
        let failure = match check_mapped_disk(
            oracle,
            &disk.disk_instance_id,
            &disk.reference_point,
            disk.virtual_size_bytes,
            &map,
        ) {
            Ok(stats) => {
                report.restored_disks += 1;
                report.compared_bytes += stats.compared_bytes;
                None
            }
            Err(mismatch) => Some(format!(
                "the chain restores disk {} differently from the world at reference point {}: {mismatch}",
                disk.disk_instance_id, disk.reference_point
            )),
        };
        report.record("restore", name, failure);
    }
}

fn compare_disk(
    fs: &dyn Fs,
    oracle: &dyn ExportSource,
    disk: &rpsim_restore::DiskSummary,
    report: &mut CheckReport,
) -> Option<String> {
    match check_restored_disk_in(
        fs,
        oracle,
        (&disk.disk_instance_id, &disk.reference_point),
        &disk.image_path,
        disk.virtual_size_bytes,
    ) {
        Ok(stats) => {
            report.restored_disks += 1;
            report.compared_bytes += stats.compared_bytes;
            None
        }
        Err(mismatch) => Some(format!(
            "restored image of disk {} differs from the world at reference point {}: {mismatch}",
            disk.disk_instance_id, disk.reference_point
        )),
    }
}

fn is_completed(record: &ExportRecord) -> bool {
    record
        .final_properties
        .as_ref()
        .is_some_and(|p| p.job_state == JobState::Completed.code())
}

/// The export directories to restore `records[index]`: the full export it rests on first, then
/// each differential in order, ending with `records[index]` itself.
pub fn chain_for(records: &[ExportRecord], index: usize) -> Result<Vec<PathBuf>, String> {
    let mut chain: Vec<&ExportRecord> = vec![&records[index]];
    let mut base: Option<Guid> = records[index].base;
    let mut before = index;
    while let Some(base_id) = base {
        assert!(chain.len() <= records.len(), "chain longer than the run");
        let found = records[..before]
            .iter()
            .rposition(|r| is_completed(r) && r.reference_point == Some(base_id));
        let Some(position) = found else {
            return Err(format!(
                "the base reference point {base_id} of `{}` was never exported to completion \
                 earlier in this run, so the differential cannot be restored",
                chain[chain.len() - 1].name
            ));
        };
        chain.push(&records[position]);
        base = records[position].base;
        before = position;
    }
    chain.reverse();
    chain
        .iter()
        .map(|r| {
            r.real_directory
                .clone()
                .ok_or_else(|| format!("export `{}` has no directory on disk", r.name))
        })
        .collect()
}
