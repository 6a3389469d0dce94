//! Tests of path confinement and of what the target logs: escaping paths and symbolic links
//! are refused and recorded, accepted paths land under the real root, and the operations log
//! holds only virtual paths, identical across temporary directories.

use super::test_support::{entries, p, target, write_file, MIB};
use super::TargetOp;
use rpsim_export::target::{DirProbe, ExportTarget, FileHandle};
use std::io;

#[test]
fn escaping_paths_are_refused_recorded_and_create_nothing() {
    let (outer, mut t) = target(MIB);
    let escapes = [
        "/exports/../etc/passwd",
        "/exports/../escaped",
        "/etc/x",
        "/exports/a/../../b",
        "/exports/./../escaped",
        "exports/relative",
        "relative",
        "",
        "/exports",
        "/exports/",
        "/exportsx/a",
        "/exports/nul\0byte",
    ];
    for (index, path) in escapes.iter().enumerate() {
        let error = t.create_new(p(path)).expect_err(path);
        assert_eq!(error.kind(), io::ErrorKind::PermissionDenied, "{path:?}");
        assert_eq!(t.violations().len(), index + 1, "{path:?} not recorded");
    }
    let error = t.create_dir_all(p("/exports/../escaped_dir")).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::PermissionDenied);
    assert!(t.violations()[0].contains("/exports/../etc/passwd"));
    assert!(t.violations()[0].contains("`..`"));
    assert_eq!(
        entries(outer.path()),
        ["root"],
        "something escaped the root"
    );
    assert!(entries(&outer.path().join("root")).is_empty());
    assert_eq!(t.used_bytes(), 0);
}

#[cfg(unix)]
#[test]
fn symlink_inside_root_pointing_outside_is_never_followed() {
    let (outer, mut t) = target(MIB);
    let outside = outer.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("secret"), b"12345").unwrap();
    std::os::unix::fs::symlink(&outside, outer.path().join("root/link")).unwrap();
    let denied = io::ErrorKind::PermissionDenied;
    assert_eq!(
        t.create_new(p("/exports/link/f")).unwrap_err().kind(),
        denied
    );
    assert_eq!(
        t.create_dir_all(p("/exports/link/sub")).unwrap_err().kind(),
        denied
    );
    assert_eq!(t.probe_dir(p("/exports/link")).unwrap_err().kind(), denied);
    assert_eq!(
        t.remove_file(p("/exports/link/secret")).unwrap_err().kind(),
        denied
    );
    assert_eq!(
        t.remove_file(p("/exports/link")).unwrap_err().kind(),
        denied
    );
    let renamed = t.rename_no_replace(p("/exports/link/secret"), p("/exports/stolen"));
    assert_eq!(renamed.unwrap_err().kind(), denied);
    assert_eq!(t.violations().len(), 6);
    assert!(t.violations().iter().all(|v| v.contains("symbolic link")));
    assert_eq!(entries(&outside), ["secret"], "the link target was touched");
    assert_eq!(std::fs::read(outside.join("secret")).unwrap(), b"12345");
    assert_eq!(t.real_path("/exports/link/secret"), None);
}

#[test]
fn files_land_under_the_real_root_at_their_virtual_path() {
    let (outer, mut t) = target(MIB);
    assert_eq!(t.probe_dir(p("/exports/job")).unwrap(), DirProbe::Missing);
    t.create_dir_all(p("/exports/job/Virtual Machines"))
        .unwrap();
    assert_eq!(t.probe_dir(p("/exports/job")).unwrap(), DirProbe::NotEmpty);
    let handle = write_file(&mut t, "/exports/job/Virtual Machines/a.vmcx", b"abc");
    t.write(handle, b"de").unwrap();
    t.sync(handle).unwrap();
    t.close(handle).unwrap();
    let real = t
        .real_path("/exports/job//./Virtual Machines/a.vmcx")
        .unwrap();
    assert_eq!(real, outer.path().join("root/job/Virtual Machines/a.vmcx"));
    assert_eq!(std::fs::read(real).unwrap(), b"abcde");
    assert_eq!(t.used_bytes(), 5);
    let probe = t.probe_dir(p("/exports/job/Virtual Machines/a.vmcx"));
    assert_eq!(probe.unwrap(), DirProbe::NotADirectory);
    assert!(t.violations().is_empty());
}

/// The same operations in two different temp dirs, including failures.
fn scripted_ops() -> (String, Vec<TargetOp>, Vec<String>) {
    let (outer, mut t) = target(10);
    t.create_dir_all(p("/exports/job/Virtual Hard Disks"))
        .unwrap();
    let handle = write_file(&mut t, "/exports/job/Virtual Hard Disks/d.rplog", b"12345");
    let _ = t.write(handle, &[0; 6]);
    let _ = t.create_new(p("/exports/job/Virtual Hard Disks/d.rplog"));
    let _ = t.create_new(p("/exports/../outside"));
    t.close(handle).unwrap();
    let _ = t.remove_file(p("/exports/job/missing"));
    let _ = t.write(FileHandle(99), b"x");
    let from = p("/exports/job/Virtual Hard Disks/d.rplog");
    t.rename_no_replace(from, p("/exports/job/final")).unwrap();
    t.remove_file(p("/exports/job/final")).unwrap();
    t.remove_dir(p("/exports/job/Virtual Hard Disks")).unwrap();
    t.sync_dir(p("/exports/job")).unwrap();
    let root = outer.path().to_string_lossy().into_owned();
    (root, t.take_ops(), t.violations().to_vec())
}

#[test]
fn ops_log_uses_virtual_paths_and_is_identical_across_temp_dirs() {
    let (root_a, ops_a, violations_a) = scripted_ops();
    let (root_b, ops_b, violations_b) = scripted_ops();
    assert_ne!(root_a, root_b);
    assert_eq!(ops_a, ops_b);
    assert_eq!(violations_a, violations_b);
    let text = format!("{ops_a:?} {violations_a:?}");
    assert!(!text.contains(&root_a), "real root leaked: {text}");
    assert!(ops_a
        .iter()
        .all(|op| op.path.starts_with("/exports/") || op.path.starts_with('<')));
    let kinds: Vec<&str> = ops_a.iter().map(|op| op.kind).collect();
    assert_eq!(
        kinds[..4],
        ["create_dir_all", "create_new", "write", "write"]
    );
    assert_eq!((ops_a[2].bytes, ops_a[2].result.as_str()), (5, "ok"));
    assert_eq!(ops_a[3].bytes, 0, "a refused write moved no bytes");
    assert!(
        ops_a[3].result.starts_with("StorageFull"),
        "{}",
        ops_a[3].result
    );
    assert_eq!(ops_a[4].result, "AlreadyExists");
    assert!(ops_a[5].result.starts_with("PermissionDenied"));
    assert_eq!(ops_a[7].result, "NotFound");
    assert_eq!(ops_a[8].path, "<unknown handle 99>");
    assert_eq!(
        ops_a[9].path,
        "/exports/job/Virtual Hard Disks/d.rplog -> /exports/job/final"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Whatever path the job builds from these pieces, nothing appears outside the root,
    /// and an accepted path maps strictly below it.
    #[test]
    fn no_path_reaches_outside_the_root(
        pieces in proptest::collection::vec(
            proptest::sample::select(vec!["exports", "..", ".", "", "a", "etc", "/"]),
            0..8,
        ),
        absolute in proptest::bool::ANY,
    ) {
        let (outer, mut t) = target(MIB);
        let joined = pieces.join("/");
        let text = if absolute { format!("/{joined}") } else { joined };
        let accepted = t.real_path(&text);
        let dir = t.create_dir_all(p(&text));
        let _ = t.create_new(&p(&text).join("f"));
        proptest::prop_assert_eq!(entries(outer.path()), ["root"]);
        if let Some(real) = accepted {
            let root = outer.path().join("root");
            proptest::prop_assert!(real.starts_with(&root) && real != root, "{real:?}");
            proptest::prop_assert!(!text.split('/').any(|c| c == ".."));
            proptest::prop_assert!(dir.is_ok() && t.violations().is_empty());
        } else {
            let kind = dir.map_err(|e| e.kind()).err();
            proptest::prop_assert_eq!(kind, Some(io::ErrorKind::PermissionDenied));
            proptest::prop_assert!(t.violations()[0].starts_with("create_dir_all "));
        }
    }
}
