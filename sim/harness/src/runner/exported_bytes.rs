//! How many bytes completed exports put on disk: the sum of the sizes of the files under each
//! completed export's real directory. Owns that measurement only; it must never decide pass or
//! fail, and it never follows symbolic links.

use rpsim_vfs::{Fs, Kind};
use rpsim_world::run::ExportRecord;
use std::path::Path;

/// `JobState` of a job that completed (CIM_ConcreteJob: 7 = Completed).
pub const JOB_STATE_COMPLETED: u16 = 7;
/// Most directory entries visited per export (a bound, not an expected size).
pub const ENTRIES_PER_EXPORT_MAX: usize = 100_000;
/// Deepest directory nesting visited below an export directory.
pub const DEPTH_MAX: usize = 16;

/// Sum of file sizes of every completed export whose directory still exists; 0 for the rest.
pub fn completed_exports_size_bytes(fs: &dyn Fs, exports: &[ExportRecord]) -> u64 {
    exports
        .iter()
        .filter(|e| {
            e.final_properties
                .as_ref()
                .is_some_and(|p| p.job_state == JOB_STATE_COMPLETED)
        })
        .filter_map(|e| e.real_directory.as_deref())
        .map(|dir| {
            let mut budget = ENTRIES_PER_EXPORT_MAX;
            directory_size_bytes(fs, dir, 0, &mut budget)
        })
        .fold(0u64, u64::saturating_add)
}

fn directory_size_bytes(fs: &dyn Fs, dir: &Path, depth: usize, budget: &mut usize) -> u64 {
    assert!(depth <= DEPTH_MAX);
    let Ok(Some(names)) = fs.read_dir_names(dir, ENTRIES_PER_EXPORT_MAX + 1) else {
        return 0;
    };
    let mut total_bytes = 0u64;
    for name in names {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        let path = dir.join(name);
        let Ok(Some(kind)) = fs.kind_at(&path) else {
            continue;
        };
        if kind == Kind::File {
            total_bytes = total_bytes.saturating_add(fs.len_at(&path).unwrap_or(0));
        } else if kind == Kind::Dir && depth < DEPTH_MAX {
            let inner = directory_size_bytes(fs, &path, depth + 1, budget);
            total_bytes = total_bytes.saturating_add(inner);
        }
    }
    total_bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_files_are_summed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), [0u8; 10]).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b"), [0u8; 5]).unwrap();
        let mut budget = ENTRIES_PER_EXPORT_MAX;
        assert_eq!(
            directory_size_bytes(&rpsim_vfs::RealFs, dir.path(), 0, &mut budget),
            15
        );
    }
}
