//! Error classes, which the CLI turns into exit codes: an export that was read and is damaged,
//! incomplete or not a chain is `NotIntact` (exit 1); input that cannot be used at all (a
//! missing path, a plain file, a refused `--out`) is `BadInput` (exit 2).

use crate::common::*;
use rpsim_restore::{restore_chain, verify_chain, verify_export, ErrorClass};
use std::fs;
use std::path::{Path, PathBuf};

const GROUP: u128 = 100;

fn export(root: &Path) -> PathBuf {
    let spec = ExportSpec::new(guid(GROUP), guid(1), None)
        .log(LogSpec::full("d", MIB, guid(1)).extent(0, pattern(1, 4096)));
    write_export(root, "full", &spec)
}

#[test]
fn missing_path_and_plain_file_are_bad_input() {
    let root = tempfile::tempdir().unwrap();
    let missing = verify_export(&root.path().join("missing")).unwrap_err();
    assert_eq!(missing.class(), ErrorClass::BadInput, "{missing}");
    let file = root.path().join("file");
    fs::write(&file, b"x").unwrap();
    let plain = verify_export(&file).unwrap_err();
    assert_eq!(plain.class(), ErrorClass::BadInput, "{plain}");
    let link = root.path().join("link");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    let linked = verify_export(&link).unwrap_err();
    assert_eq!(linked.class(), ErrorClass::BadInput, "{linked}");
}

#[test]
fn damaged_or_incomplete_export_is_not_intact() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    fs::write(
        dir.join("Virtual Hard Disks/disk0.rplog"),
        b"RPSIMLOG garbage",
    )
    .unwrap();
    let damaged = verify_export(&dir).unwrap_err();
    assert_eq!(damaged.class(), ErrorClass::NotIntact, "{damaged}");
    fs::remove_file(dir.join("export.manifest")).unwrap();
    let incomplete = verify_export(&dir).unwrap_err();
    assert_eq!(incomplete.class(), ErrorClass::NotIntact, "{incomplete}");
}

#[test]
fn broken_chain_is_not_intact() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    let twice = verify_chain(&[dir.clone(), dir]).unwrap_err();
    assert_eq!(twice.class(), ErrorClass::NotIntact, "{twice}");
}

#[test]
fn refused_output_directory_is_bad_input() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    let out = root.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("keep"), b"x").unwrap();
    let not_empty = restore_chain(std::slice::from_ref(&dir), &out).unwrap_err();
    assert_eq!(not_empty.class(), ErrorClass::BadInput, "{not_empty}");
    let inside = restore_chain(std::slice::from_ref(&dir), &dir.join("x")).unwrap_err();
    assert_eq!(inside.class(), ErrorClass::BadInput, "{inside}");
}
