//! Where each byte of a disk's restored image comes from once a plan is applied: the chain
//! folded into one sorted list of ranges, each pointing into the log (and the open handle) that
//! wrote it last. Owns that folding; it reads no data and writes nothing. It lets a caller size
//! what a restore writes, or compare a chain with a disk without materialising an image.

use crate::logfile::LogHandle;
use crate::manifest::ExportManifest;
use crate::plan::Plan;
use rpsim_export::source::Extent;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One range of the image and the log bytes it holds; unlisted ranges are zero.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappedExtent {
    pub extent: Extent,
    /// The log whose bytes the range holds, opened once when it was verified.
    pub log: LogHandle,
    pub log_path: PathBuf,
    /// Where `extent.offset_bytes` is in that log.
    pub data_offset_bytes: u64,
}

impl MappedExtent {
    /// The part of this range inside `[start, end)` (which must overlap it).
    fn clipped(&self, start_bytes: u64, end_bytes: u64) -> MappedExtent {
        let from = self.extent.offset_bytes.max(start_bytes);
        let to = self.extent.end_bytes().min(end_bytes);
        assert!(from < to, "clipping to a range that does not overlap");
        MappedExtent {
            extent: Extent {
                offset_bytes: from,
                length_bytes: to - from,
            },
            log: self.log.clone(),
            log_path: self.log_path.clone(),
            data_offset_bytes: self.data_offset_bytes + (from - self.extent.offset_bytes),
        }
    }
}

/// The ranges of `disk_instance_id`'s image after every step of `plan` (over the logs of
/// `manifests`), sorted and non-overlapping (empty for a disk the plan does not hold).
pub fn extent_map(
    plan: &Plan,
    manifests: &[ExportManifest],
    disk_instance_id: &str,
) -> Vec<MappedExtent> {
    let mut ranges: BTreeMap<u64, MappedExtent> = BTreeMap::new();
    for step in &plan.steps {
        let log = step.log(manifests);
        if log.header.disk_instance_id != disk_instance_id {
            continue;
        }
        if step.restart {
            ranges.clear();
        }
        for log_extent in &log.extents {
            let new = MappedExtent {
                extent: log_extent.extent,
                log: log.handle.clone(),
                log_path: log.path.clone(),
                data_offset_bytes: log_extent.data_offset_bytes,
            };
            overwrite(&mut ranges, new);
        }
    }
    let map: Vec<MappedExtent> = ranges.into_values().collect();
    assert!(map
        .windows(2)
        .all(|w| w[0].extent.end_bytes() <= w[1].extent.offset_bytes));
    map
}

/// Puts `new` into `ranges`, cutting away what it covers of older ranges.
fn overwrite(ranges: &mut BTreeMap<u64, MappedExtent>, new: MappedExtent) {
    let (start, end) = (new.extent.offset_bytes, new.extent.end_bytes());
    let overlapping: Vec<u64> = ranges
        .range(..end)
        .rev()
        .take_while(|(_, old)| old.extent.end_bytes() > start)
        .map(|(&at, _)| at)
        .collect();
    for at in overlapping {
        let old = ranges.remove(&at).expect("key listed just above");
        if old.extent.offset_bytes < start {
            let left = old.clipped(old.extent.offset_bytes, start);
            ranges.insert(left.extent.offset_bytes, left);
        }
        if old.extent.end_bytes() > end {
            let right = old.clipped(end, old.extent.end_bytes());
            ranges.insert(right.extent.offset_bytes, right);
        }
    }
    ranges.insert(start, new);
}
