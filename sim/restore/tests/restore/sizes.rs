//! Sizes the reader cannot honour are refused before anything is written: a virtual size past
//! the VHDX maximum (64 TiB) or past what `off_t` holds is refused by verify, and a restore
//! the output file system cannot hold is refused up front, leaving `--out` exactly as it was.
//! A 64 TiB disk, the largest legal one, verifies.

use crate::common::*;
use rpsim_restore::{restore_chain, verify_export, ErrorClass, RestoreError};
use std::fs;
use std::path::{Path, PathBuf};

const GROUP: u128 = 100;
const TIB: u64 = 1 << 40;
/// The VHDX maximum, the largest disk an export may hold.
const VHDX_MAX_BYTES: u64 = 64 * TIB;

fn export(root: &Path, disks: &[(&str, u64)]) -> PathBuf {
    let mut spec = ExportSpec::new(guid(GROUP), guid(1), None);
    for &(disk, size_bytes) in disks {
        let end = size_bytes.min(1 << 62);
        spec =
            spec.log(LogSpec::full(disk, size_bytes, guid(1)).extent(end - 4096, pattern(3, 4096)));
    }
    write_export(root, "full", &spec)
}

/// A scratch folder on the file system of the build directory (not a tmpfs), so that the file
/// system's largest file is the one a user's disk has.
fn disk_backed_tempdir() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

#[test]
fn virtual_size_past_the_vhdx_maximum_is_refused_by_verify() {
    for size_bytes in [VHDX_MAX_BYTES + 4096, 1 << 63, u64::MAX - 4095] {
        let root = tempfile::tempdir().unwrap();
        let dir = export(root.path(), &[("big", size_bytes)]);
        let err = verify_export(&dir).unwrap_err();
        assert!(matches!(err, RestoreError::Log { .. }), "{err}");
        let message = err.to_string();
        assert_mentions(&message, "virtual size");
        assert_mentions(&message, &size_bytes.to_string());
        assert_mentions(&message, "64 TiB");
    }
}

#[test]
fn disk_of_the_vhdx_maximum_verifies() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path(), &[("big", VHDX_MAX_BYTES)]);
    let manifest = verify_export(&dir).unwrap();
    assert_eq!(manifest.logs[0].header.virtual_size_bytes, VHDX_MAX_BYTES);
}

/// Restores a small disk and a 64 TiB one into `out`: either the file system holds both (the
/// images are right), or the restore is refused as bad input naming the big disk, and `out`
/// is as before (`existed_empty`: an empty folder; else missing).
fn restore_or_refuse_cleanly(dirs: &[PathBuf], out: &Path, existed_empty: bool) {
    match restore_chain(dirs, out) {
        Ok(summary) => {
            assert_eq!(summary.disks.len(), 2);
            let big = fs::metadata(&summary.disks[0].image_path).unwrap();
            assert_eq!(big.len(), VHDX_MAX_BYTES);
        }
        Err(e) => {
            assert_eq!(e.class(), ErrorClass::BadInput, "{e}");
            let message = e.to_string();
            assert_mentions(&message, "big");
            assert_mentions(&message, "virtual size");
            if existed_empty {
                let left: Vec<_> = fs::read_dir(out).unwrap().collect();
                assert!(
                    left.is_empty(),
                    "a refused restore left {left:?} in `--out`"
                );
            } else {
                assert!(
                    !out.exists(),
                    "a refused restore created `{}`",
                    out.display()
                );
            }
        }
    }
}

#[test]
fn restore_the_output_file_system_cannot_hold_leaves_a_missing_out_missing() {
    let root = disk_backed_tempdir();
    let dirs = vec![export(
        root.path(),
        &[("big", VHDX_MAX_BYTES), ("small", MIB)],
    )];
    restore_or_refuse_cleanly(&dirs, &root.path().join("new/out"), false);
    assert!(
        !root.path().join("new").exists(),
        "a refused restore left the parent it created"
    );
}

#[test]
fn restore_the_output_file_system_cannot_hold_leaves_an_empty_out_empty() {
    let root = disk_backed_tempdir();
    let dirs = vec![export(
        root.path(),
        &[("big", VHDX_MAX_BYTES), ("small", MIB)],
    )];
    let out = root.path().join("out");
    fs::create_dir(&out).unwrap();
    restore_or_refuse_cleanly(&dirs, &out, true);
}
