//! Chain rules: a full export, then differentials whose base is the previous export, all of one
//! VM group and type; anything else is refused before a byte is restored.

use crate::common::*;
use rpsim_restore::{verify_chain, RestoreError};
use std::fs;
use std::path::{Path, PathBuf};

const GROUP: u128 = 100;

/// Writes full(rp1) → inc(rp2) → inc(rp3) and returns their directories.
fn chain(root: &Path) -> Vec<PathBuf> {
    let disk = |base: Option<u128>, rp: u128| match base {
        None => LogSpec::full("d", MIB, guid(rp)).extent(0, pattern(rp as u8, 100)),
        Some(b) => {
            LogSpec::differential("d", MIB, guid(b), guid(rp)).extent(0, pattern(rp as u8, 100))
        }
    };
    vec![
        write_export(
            root,
            "full",
            &ExportSpec::new(guid(GROUP), guid(1), None).log(disk(None, 1)),
        ),
        write_export(
            root,
            "inc1",
            &ExportSpec::new(guid(GROUP), guid(2), Some(guid(1))).log(disk(Some(1), 2)),
        ),
        write_export(
            root,
            "inc2",
            &ExportSpec::new(guid(GROUP), guid(3), Some(guid(2))).log(disk(Some(2), 3)),
        ),
    ]
}

fn chain_refused(dirs: &[PathBuf]) -> String {
    match verify_chain(dirs) {
        Ok(_) => panic!("broken chain accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn ordered_chain_is_accepted() {
    let root = tempfile::tempdir().unwrap();
    let dirs = chain(root.path());
    let manifests = verify_chain(&dirs).unwrap();
    let rps: Vec<_> = manifests.iter().map(|m| m.reference_point).collect();
    assert_eq!(rps, [guid(1), guid(2), guid(3)]);
}

#[test]
fn gap_in_the_chain_is_refused_naming_both_exports() {
    let root = tempfile::tempdir().unwrap();
    let dirs = chain(root.path());
    let message = chain_refused(&[dirs[0].clone(), dirs[2].clone()]);
    assert_mentions(&message, "gap or is out of order");
    assert_mentions(&message, &format!("has base {}", guid(2)));
    assert_mentions(
        &message,
        &format!("`{}` is reference point {}", dirs[0].display(), guid(1)),
    );
}

#[test]
fn out_of_order_chain_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let dirs = chain(root.path());
    let message = chain_refused(&[dirs[0].clone(), dirs[2].clone(), dirs[1].clone()]);
    assert_mentions(&message, "gap or is out of order");
}

#[test]
fn first_export_must_be_full() {
    let root = tempfile::tempdir().unwrap();
    let dirs = chain(root.path());
    assert_mentions(&chain_refused(&dirs[1..]), "must start with a full export");
    assert_mentions(&chain_refused(&[]), "no export directory");
}

#[test]
fn full_export_cannot_follow_another() {
    let root = tempfile::tempdir().unwrap();
    let dirs = chain(root.path());
    assert_mentions(
        &chain_refused(&[dirs[0].clone(), dirs[0].clone()]),
        "can only start a chain",
    );
}

#[test]
fn export_of_another_group_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let dirs = chain(root.path());
    let other = ExportSpec::new(guid(GROUP + 1), guid(2), Some(guid(1)))
        .log(LogSpec::differential("d", MIB, guid(1), guid(2)));
    let other_dir = write_export(root.path(), "other", &other);
    assert_mentions(
        &chain_refused(&[dirs[0].clone(), other_dir]),
        "one VM group",
    );
}

#[test]
fn mixed_reference_point_types_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let dirs = chain(root.path());
    let mut log_based = ExportSpec::new(guid(GROUP), guid(2), Some(guid(1)));
    log_based.rp_type = 1;
    let log_dir = write_export(root.path(), "log", &log_based);
    assert_mentions(&chain_refused(&[dirs[0].clone(), log_dir]), "cannot mix");
}

#[test]
fn missing_manifest_in_the_middle_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let dirs = chain(root.path());
    fs::remove_file(dirs[1].join("export.manifest")).unwrap();
    let err = verify_chain(&dirs).unwrap_err();
    assert!(matches!(err, RestoreError::Export { .. }), "{err}");
    assert_mentions(&err.to_string(), &dirs[1].display().to_string());
}
