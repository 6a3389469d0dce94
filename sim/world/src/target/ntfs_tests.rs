//! Tests of the target as NTFS and of its mount points: names that differ only in case are one
//! file (a no-replace create or rename onto one fails), reserved and malformed names are refused
//! and recorded, and drive and UNC paths land in their mount's directory in either separator.

use super::test_support::{entries, p, spec, write_file, MIB};
use super::SimTarget;
use rpsim_export::target::ExportTarget;
use std::io;

fn mounted() -> (tempfile::TempDir, SimTarget) {
    let outer = tempfile::tempdir().expect("temp dir");
    let mounts = ["C:".to_string(), "\\\\backup-srv\\share".to_string()];
    let target = SimTarget::with_mounts(&outer.path().join("root"), spec(MIB), &mounts)
        .expect("target with mounts");
    (outer, target)
}

#[test]
fn names_differing_only_in_case_are_one_file() {
    let (_outer, mut t) = super::test_support::target(MIB);
    t.create_dir_all(p("/exports/d")).unwrap();
    let handle = write_file(&mut t, "/exports/d/Disk.rplog", b"one");
    t.close(handle).unwrap();
    let error = t.create_new(p("/exports/d/disk.rplog")).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::AlreadyExists);
    let other = write_file(&mut t, "/exports/d/x.partial", b"two");
    t.close(other).unwrap();
    let rename = t.rename_no_replace(p("/exports/d/x.partial"), p("/exports/D/DISK.RPLOG"));
    assert_eq!(rename.unwrap_err().kind(), io::ErrorKind::AlreadyExists);
    assert_eq!(
        std::fs::read(t.real_path("/exports/D/disk.RPLOG").unwrap()).unwrap(),
        b"one",
        "the existing spelling is found and kept"
    );
    assert!(t.violations().is_empty(), "{:?}", t.violations());
}

#[test]
fn reserved_and_malformed_names_are_refused_and_recorded() {
    let (outer, mut t) = super::test_support::target(MIB);
    let refused = [
        "/exports/CON",
        "/exports/d/aux.rplog",
        "/exports/d/Lpt1.txt",
        "/exports/d/name.",
        "/exports/d/name ",
        "/exports/d/a:b",
        "/exports/d/a|b",
    ];
    for (index, path) in refused.iter().enumerate() {
        let error = t.create_new(p(path)).expect_err(path);
        assert_eq!(error.kind(), io::ErrorKind::PermissionDenied, "{path:?}");
        assert_eq!(t.violations().len(), index + 1, "{path:?} not recorded");
        assert!(
            t.violations()[index].contains("NTFS refuses"),
            "{:?}",
            t.violations()
        );
    }
    assert!(entries(&outer.path().join("root")).is_empty());
}

#[test]
fn drive_and_unc_paths_land_in_their_mounts_in_either_form() {
    let (outer, mut t) = mounted();
    t.create_dir_all(p("C:/Backups/rp1")).unwrap();
    let handle = write_file(&mut t, "C:/Backups/rp1/f", b"abc");
    t.close(handle).unwrap();
    let root = outer.path().join("root");
    assert_eq!(std::fs::read(root.join("C/Backups/rp1/f")).unwrap(), b"abc");
    let real = t
        .real_path("c:\\backups\\RP1\\F")
        .expect("either case and separator");
    assert_eq!(real, root.join("C/Backups/rp1/f"));
    t.create_dir_all(p("//BACKUP-SRV/Share/x")).unwrap();
    assert!(root.join("UNC/backup-srv/share/x").is_dir());
    assert!(t.real_path("\\\\backup-srv\\share\\x").is_some());
    for path in ["D:/x", "//other/share/x", "C:x", "C:/", "/exports"] {
        let error = t.create_dir_all(p(path)).expect_err(path);
        assert_eq!(error.kind(), io::ErrorKind::PermissionDenied, "{path:?}");
    }
    assert!(
        t.violations()[0].contains("no mount point"),
        "{:?}",
        t.violations()
    );
    assert_eq!(entries(&root), ["C", "UNC", "exports"]);
}

#[test]
fn malformed_or_repeated_mount_points_are_refused() {
    let outer = tempfile::tempdir().unwrap();
    for mounts in [
        vec!["CC:".to_string()],
        vec!["\\\\srv".to_string()],
        vec!["C:".to_string(), "c:".to_string()],
        vec!["\\\\a\\b".to_string(), "\\\\A\\B".to_string()],
    ] {
        let result = SimTarget::with_mounts(&outer.path().join("r"), spec(MIB), &mounts);
        assert_eq!(
            result.unwrap_err().kind(),
            io::ErrorKind::InvalidInput,
            "{mounts:?}"
        );
    }
}
