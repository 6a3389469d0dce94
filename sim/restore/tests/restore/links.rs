//! Chain links per disk: a differential log restores only when its base RCT id is the target
//! RCT id of the disk's previous log, and no log has an empty RCT id.

use crate::common::*;
use rpsim_restore::{restore_chain, RestoreError};
use std::path::{Path, PathBuf};

const GROUP: u128 = 100;

/// full(rp1) then inc(rp2) of disk `d`, with the RCT ids given as (target, base) per log.
fn chain(root: &Path, full_rct: (&str, &str), inc_rct: (&str, &str)) -> Vec<PathBuf> {
    let full = LogSpec::full("d", MIB, guid(1))
        .extent(0, pattern(1, 4096))
        .rct(full_rct.0, full_rct.1);
    let inc = LogSpec::differential("d", MIB, guid(1), guid(2))
        .extent(0, pattern(2, 4096))
        .rct(inc_rct.0, inc_rct.1);
    vec![
        write_export(
            root,
            "full",
            &ExportSpec::new(guid(GROUP), guid(1), None).log(full),
        ),
        write_export(
            root,
            "inc",
            &ExportSpec::new(guid(GROUP), guid(2), Some(guid(1))).log(inc),
        ),
    ]
}

fn refused(dirs: &[PathBuf], root: &Path) -> RestoreError {
    let out = root.join("out");
    match restore_chain(dirs, &out) {
        Ok(summary) => panic!("a broken link restored: {summary:?}"),
        Err(e) => {
            assert!(!out.exists(), "a refused restore created `--out`");
            e
        }
    }
}

#[test]
fn matching_rct_ids_restore() {
    let root = tempfile::tempdir().unwrap();
    let dirs = chain(root.path(), ("rct-a", ""), ("rct-b", "rct-a"));
    restore_chain(&dirs, &root.path().join("out")).unwrap();
}

#[test]
fn differential_whose_base_rct_id_is_not_the_previous_target_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let dirs = chain(root.path(), ("rct-a", ""), ("rct-b", "rct-other"));
    let err = refused(&dirs, root.path());
    assert!(matches!(err, RestoreError::Chain { .. }), "{err}");
    let message = err.to_string();
    assert_mentions(&message, "base RCT id `rct-other`");
    assert_mentions(&message, "`rct-a`");
    assert_mentions(&message, "inc");
}

#[test]
fn differential_with_an_empty_base_rct_id_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let dirs = chain(root.path(), ("rct-a", ""), ("rct-b", ""));
    assert_mentions(
        &refused(&dirs, root.path()).to_string(),
        "base RCT id is empty",
    );
}

#[test]
fn log_with_an_empty_target_rct_id_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let dirs = chain(root.path(), ("", ""), ("rct-b", ""));
    assert_mentions(
        &refused(&dirs, root.path()).to_string(),
        "target RCT id is empty",
    );
    let root = tempfile::tempdir().unwrap();
    let dirs = chain(root.path(), ("rct-a", ""), ("", "rct-a"));
    assert_mentions(
        &refused(&dirs, root.path()).to_string(),
        "target RCT id is empty",
    );
}
