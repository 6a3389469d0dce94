//! Manifest verification: a complete export passes; anything that makes the directory differ
//! from its manifest, or the manifest differ from the grammar, is refused with a reason.

use crate::common::*;
use rpsim_restore::{verify_export, ReferencePointType, RestoreError};
use std::fs;
use std::path::Path;

fn export(root: &Path) -> std::path::PathBuf {
    let spec = ExportSpec::new(guid(100), guid(2), Some(guid(1)))
        .log(LogSpec::differential("disk-a", MIB, guid(1), guid(2)).extent(0, pattern(1, 4096)));
    write_export(root, "inc", &spec)
}

fn refused(dir: &Path) -> String {
    match verify_export(dir) {
        Ok(_) => panic!("`{}` accepted as a complete export", dir.display()),
        Err(e @ RestoreError::Export { .. }) => e.to_string(),
        Err(other) => panic!("expected an export error, got {other}"),
    }
}

#[test]
fn complete_export_is_accepted_with_its_fields() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    let manifest = verify_export(&dir).unwrap();
    assert_eq!(manifest.collection_id, guid(100));
    assert_eq!(manifest.reference_point, guid(2));
    assert_eq!(manifest.base_reference_point, Some(guid(1)));
    assert_eq!(manifest.reference_point_type, ReferencePointType::Rct);
    let paths: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "Virtual Hard Disks/disk0.rplog",
            &format!("Virtual Machines/{}.vmcx", guid(2))
        ]
    );
    assert_eq!(manifest.files[1].size_bytes, 9);
}

#[test]
fn missing_manifest_means_not_complete() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    fs::remove_file(dir.join("export.manifest")).unwrap();
    assert_mentions(&refused(&dir), "no `export.manifest`");
}

#[test]
fn changed_file_content_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    let path = dir
        .join("Virtual Machines")
        .join(format!("{}.vmcx", guid(2)));
    fs::write(&path, b"<CONFIG/>").unwrap();
    assert_mentions(&refused(&dir), "its content changed");
}

#[test]
fn changed_file_size_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    let path = dir
        .join("Virtual Machines")
        .join(format!("{}.vmcx", guid(2)));
    fs::write(&path, b"<config/>!").unwrap();
    assert_mentions(&refused(&dir), "is 10 bytes but its manifest says 9");
}

#[test]
fn missing_and_unlisted_files_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    fs::write(dir.join("Virtual Hard Disks/disk1.rplog.partial"), b"x").unwrap();
    assert_mentions(&refused(&dir), "does not list");
    fs::remove_file(dir.join("Virtual Hard Disks/disk1.rplog.partial")).unwrap();
    fs::remove_file(dir.join("Virtual Hard Disks/disk0.rplog")).unwrap();
    assert_mentions(&refused(&dir), "is missing");
}

#[test]
fn symbolic_link_in_export_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    std::os::unix::fs::symlink("/etc/hostname", dir.join("link")).unwrap();
    assert_mentions(&refused(&dir), "symbolic link");
}

#[test]
fn wrong_end_checksum_and_truncation_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    let text = fs::read_to_string(dir.join("export.manifest")).unwrap();
    fs::write(
        dir.join("export.manifest"),
        text.replace("reference_point_type 2", "reference_point_type 1"),
    )
    .unwrap();
    assert_mentions(&refused(&dir), "`end` checksum");
    fs::write(dir.join("export.manifest"), &text[..text.len() - 1]).unwrap();
    assert_mentions(&refused(&dir), "does not end with a line end");
    let cut = text.rfind("end ").unwrap();
    fs::write(dir.join("export.manifest"), &text[..cut]).unwrap();
    assert_mentions(&refused(&dir), "not an `end` line");
}

#[test]
fn grammar_errors_name_the_line() {
    let cases: [(&str, &str, &str); 6] = [
        (
            "rpsim-export-manifest 2",
            "rpsim-export-manifest-2",
            "line 1",
        ),
        (
            "reference_point_type 2",
            "reference_point_type 3",
            "neither 1 nor 2",
        ),
        ("collection_id ", "collection_ID ", "line 2"),
        ("file 9 ", "file 09 ", "not a decimal number"),
        (
            "Virtual Machines/",
            "../Virtual Machines/",
            "not a plain relative path",
        ),
        ("file 9 ", "file  9 ", "line 7"),
    ];
    for (from, to, needle) in cases {
        let root = tempfile::tempdir().unwrap();
        let dir = export(root.path());
        edit_manifest(&dir, |body| body.replacen(from, to, 1));
        assert_mentions(&refused(&dir), needle);
    }
}

#[test]
fn unsorted_file_lines_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    edit_manifest(&dir, |body| {
        let mut lines: Vec<&str> = body.lines().collect();
        lines.swap(5, 6);
        lines.join("\n") + "\n"
    });
    assert_mentions(&refused(&dir), "not sorted");
}

#[test]
fn listing_the_manifest_itself_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    edit_manifest(&dir, |body| {
        body + "file 1 00000000000000000000000000000000 export.manifest\n"
    });
    assert_mentions(&refused(&dir), "the manifest itself");
}

#[test]
fn a_plain_file_is_not_an_export() {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join("f");
    fs::write(&path, b"x").unwrap();
    // Unusable input (exit code 2), not an incomplete export.
    let err = verify_export(&path).unwrap_err();
    assert!(matches!(err, RestoreError::Input { .. }), "{err}");
    assert_mentions(&err.to_string(), "not a directory");
}

#[test]
fn damaged_log_listed_with_its_own_checksum_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    let log_path = dir.join("Virtual Hard Disks/disk0.rplog");
    let mut bytes = fs::read(&log_path).unwrap();
    let at = bytes.len() - 100;
    bytes[at] ^= 1;
    fs::write(&log_path, bytes).unwrap();
    let text = manifest_text(&dir, guid(100), guid(2), Some(guid(1)), 2);
    fs::write(dir.join("export.manifest"), text).unwrap();
    let err = verify_export(&dir).unwrap_err();
    assert!(matches!(err, RestoreError::Log { .. }), "{err}");
    assert!(err.to_string().contains("file checksum"), "{err}");
}

#[test]
fn full_export_holding_a_differential_log_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let spec = ExportSpec::new(guid(100), guid(2), None).log(LogSpec::differential(
        "d",
        MIB,
        guid(1),
        guid(2),
    ));
    let dir = write_export(root.path(), "full", &spec);
    assert_mentions(&refused(&dir), "but the export's base is - (a full export)");
}

#[test]
fn two_logs_of_one_disk_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let spec = ExportSpec::new(guid(100), guid(2), None)
        .log(LogSpec::full("d", MIB, guid(2)))
        .log(LogSpec::full("d", MIB, guid(2)));
    let dir = write_export(root.path(), "full", &spec);
    assert_mentions(&refused(&dir), "more than one log");
}

#[test]
fn verified_export_carries_its_logs() {
    let root = tempfile::tempdir().unwrap();
    let manifest = verify_export(&export(root.path())).unwrap();
    assert_eq!(manifest.logs.len(), 1);
    assert_eq!(manifest.logs[0].header.disk_instance_id, "disk-a");
    assert_eq!(manifest.logs[0].extents.len(), 1);
}

#[test]
fn a_version_1_manifest_is_refused_naming_its_version() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    let text = fs::read_to_string(dir.join("export.manifest")).unwrap();
    let body = &text[..text.rfind("end ").unwrap()];
    // A v1 manifest listed the XXH3-128 of each whole log file (footer included).
    let log = fs::read(dir.join("Virtual Hard Disks/disk0.rplog")).unwrap();
    let v2_line = listed_checksum("disk0.rplog", &log);
    let v1 = body
        .replace("rpsim-export-manifest 2", "rpsim-export-manifest 1")
        .replace(
            &format!("{v2_line:032x}"),
            &format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&log)),
        );
    fs::write(dir.join("export.manifest"), seal(v1)).unwrap();
    let message = refused(&dir);
    assert_mentions(&message, "manifest is version 1");
    assert_mentions(&message, "take the export again");
}

#[test]
fn a_log_listed_with_its_whole_file_hash_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    let text = fs::read_to_string(dir.join("export.manifest")).unwrap();
    let log = fs::read(dir.join("Virtual Hard Disks/disk0.rplog")).unwrap();
    let body = text[..text.rfind("end ").unwrap()].replace(
        &format!("{:032x}", listed_checksum("disk0.rplog", &log)),
        &format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&log)),
    );
    fs::write(dir.join("export.manifest"), seal(body)).unwrap();
    assert_mentions(&refused(&dir), "disk0.rplog` hashes to");
}
