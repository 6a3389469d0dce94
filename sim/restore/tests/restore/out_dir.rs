//! Output directories: `--out` may never land inside, on, or around an export of the chain,
//! however it is spelled (missing parents, `..`, a symbolic link to the export); the refusal
//! leaves the export intact.

use crate::common::*;
use rpsim_restore::{restore_chain, verify_export, ErrorClass, RestoreError};
use std::path::{Path, PathBuf};

const GROUP: u128 = 100;

fn export(root: &Path) -> PathBuf {
    let spec = ExportSpec::new(guid(GROUP), guid(1), None)
        .log(LogSpec::full("d", MIB, guid(1)).extent(0, pattern(1, 4096)));
    write_export(root, "full", &spec)
}

fn assert_refused_as_inside(dirs: &[PathBuf], out: &Path) {
    assert_refused_as_inside_of(dirs, out, dirs);
}

/// Like [`assert_refused_as_inside`]; `real` are the export directories themselves.
fn assert_refused_as_inside_of(dirs: &[PathBuf], out: &Path, real: &[PathBuf]) {
    match restore_chain(dirs, out) {
        Ok(_) => panic!("restore into `{}` was accepted", out.display()),
        Err(e @ RestoreError::Output { .. }) => {
            assert_mentions(&e.to_string(), "export directory");
            assert_eq!(e.class(), ErrorClass::BadInput, "{e}");
        }
        Err(e) => panic!(
            "restore into `{}`: expected an output refusal, got {e}",
            out.display()
        ),
    }
    for dir in real {
        if let Err(e) = verify_export(dir) {
            panic!("restore into `{}` changed the export: {e}", out.display());
        }
    }
}

#[test]
fn output_under_missing_folders_inside_an_export_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let full = export(root.path());
    assert_refused_as_inside(std::slice::from_ref(&full), &full.join("new").join("sub"));
    assert_refused_as_inside(
        std::slice::from_ref(&full),
        &full.join("Virtual Hard Disks/new"),
    );
}

#[test]
fn output_spelled_with_dot_dot_inside_an_export_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let full = export(root.path());
    assert_refused_as_inside(std::slice::from_ref(&full), &full.join("../full/a/b/c"));
    assert_refused_as_inside(std::slice::from_ref(&full), &full.join("new/../../full/x"));
    assert_refused_as_inside(
        std::slice::from_ref(&full),
        &root.path().join("elsewhere/../full/x"),
    );
}

#[test]
fn output_through_a_symlink_to_an_export_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let full = export(root.path());
    let link = root.path().join("link-to-full");
    std::os::unix::fs::symlink(&full, &link).unwrap();
    assert_refused_as_inside(std::slice::from_ref(&full), &link.join("new/sub"));
    assert_refused_as_inside_of(
        std::slice::from_ref(&link),
        &full.join("new/sub"),
        std::slice::from_ref(&full),
    );
}

#[test]
fn output_equal_to_an_export_is_refused_as_an_export() {
    let root = tempfile::tempdir().unwrap();
    let full = export(root.path());
    assert_refused_as_inside(std::slice::from_ref(&full), &full);
    assert_refused_as_inside(std::slice::from_ref(&full), &full.join("."));
}

#[test]
fn output_that_leaves_the_export_by_dot_dot_is_accepted() {
    let root = tempfile::tempdir().unwrap();
    let full = export(root.path());
    let out = full.join("new/../../restored");
    let summary = restore_chain(std::slice::from_ref(&full), &out).unwrap();
    assert_eq!(summary.disks.len(), 1);
    assert!(root.path().join("restored/d.raw").is_file());
    assert!(
        !full.join("new").exists(),
        "the restore created a folder inside the export"
    );
    verify_export(&full).unwrap();
}
