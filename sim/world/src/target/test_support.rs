//! Helpers for the target's unit tests: a target over a fresh temporary directory (with the
//! directory around it, to watch that nothing lands outside the root), short path and write
//! helpers. Owns no test; it must never be compiled outside `cfg(test)`.

use super::{SimTarget, StorageSpec};
use rpsim_export::target::{ExportTarget, FileHandle};
use std::path::Path;

pub(super) const MIB: u64 = 1 << 20;

pub(super) fn spec(capacity_bytes: u64) -> StorageSpec {
    StorageSpec {
        capacity_bytes,
        bandwidth_bytes_per_s: 1_000_000,
        latency_ns: 1_000,
    }
}

/// A target over `<tmp>/root`, with `<tmp>` returned so tests can watch outside the root.
pub(super) fn target(capacity_bytes: u64) -> (tempfile::TempDir, SimTarget) {
    let outer = tempfile::tempdir().expect("temp dir");
    let target = SimTarget::new(&outer.path().join("root"), spec(capacity_bytes))
        .expect("target over a fresh temp dir");
    (outer, target)
}

pub(super) fn p(text: &str) -> &Path {
    Path::new(text)
}

pub(super) fn write_file(t: &mut SimTarget, path: &str, bytes: &[u8]) -> FileHandle {
    let handle = t.create_new(p(path)).expect("create_new");
    t.write(handle, bytes).expect("write");
    handle
}

pub(super) fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
