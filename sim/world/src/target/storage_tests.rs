//! Tests of the storage model and the open files: capacity and its release, the cost of each
//! operation, injected faults (out of space, I/O errors, slowness, stalls), rename without
//! replace, and the bound on open files.

use super::storage::OPERATIONS;
use super::test_support::{p, spec, target, write_file, MIB};
use super::{SimTarget, StorageSpec, TargetFault, OPEN_FILES_MAX};
use rpsim_export::target::ExportTarget;
use rpsim_scenario::model::TargetOperation;
use std::io;
use std::path::PathBuf;

#[test]
fn capacity_is_enforced_and_freed_on_remove() {
    let (_outer, mut t) = target(100);
    let handle = write_file(&mut t, "/exports/a", &[7; 60]);
    let error = t.write(handle, &[7; 41]).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::StorageFull);
    assert_eq!(error.to_string(), "not enough space on the export target");
    let real = t.real_path("/exports/a").unwrap();
    assert_eq!(
        std::fs::metadata(&real).unwrap().len(),
        60,
        "a refused write wrote"
    );
    assert_eq!(t.free_space_bytes(p("/exports/a")).unwrap(), 40);
    t.write(handle, &[7; 40]).unwrap();
    assert_eq!(t.free_space_bytes(p("/exports/x")).unwrap(), 0);
    t.close(handle).unwrap();
    t.remove_file(p("/exports/a")).unwrap();
    assert_eq!(t.used_bytes(), 0);
    assert_eq!(t.free_space_bytes(p("/exports/x")).unwrap(), 100);
    let again = write_file(&mut t, "/exports/b", &[1; 100]);
    t.close(again).unwrap();
    assert_eq!(t.used_bytes(), 100);
}

#[test]
fn a_file_removed_while_open_is_freed_when_closed() {
    let (_outer, mut t) = target(100);
    let handle = write_file(&mut t, "/exports/a", &[1; 30]);
    t.remove_file(p("/exports/a")).unwrap();
    t.write(handle, &[1; 10]).unwrap();
    assert_eq!(
        t.used_bytes(),
        40,
        "an open unlinked file still holds space"
    );
    t.close(handle).unwrap();
    assert_eq!(t.used_bytes(), 0);
}

#[test]
fn files_already_in_the_root_count_as_used() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("root");
    std::fs::create_dir_all(root.join("old")).unwrap();
    std::fs::write(root.join("old/f"), [0u8; 25]).unwrap();
    let mut t = SimTarget::new(&root, spec(100)).unwrap();
    assert_eq!(t.used_bytes(), 25);
    t.remove_file(p("/exports/old/f")).unwrap();
    assert_eq!(t.used_bytes(), 0);
}

#[test]
fn zero_bandwidth_storage_is_refused() {
    let outer = tempfile::tempdir().unwrap();
    let storage = StorageSpec {
        bandwidth_bytes_per_s: 0,
        ..spec(1)
    };
    let error = SimTarget::new(outer.path(), storage).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
}

#[test]
fn each_operation_costs_latency_plus_bytes_over_bandwidth() {
    let (_outer, mut t) = target(u64::MAX);
    let handle = t.create_new(p("/exports/a")).unwrap();
    assert_eq!(t.take_elapsed_ns(), 1_000);
    assert_eq!(t.take_elapsed_ns(), 0, "take resets");
    t.write(handle, &[0; 1_500]).unwrap();
    t.sync(handle).unwrap();
    // 1_500 bytes at 1_000_000 B/s = 1_500_000 ns, plus two latencies.
    assert_eq!(t.take_elapsed_ns(), 1_500_000 + 2 * 1_000);
    t.inject(TargetFault::Slow {
        bandwidth_bytes_per_s: Some(3),
        latency_ns: None,
    });
    t.write(handle, &[0; 2]).unwrap();
    // Integer division: 2 * 1e9 / 3 = 666_666_666 (rounded down).
    assert_eq!(t.take_elapsed_ns(), 666_666_666 + 1_000);
    t.inject(TargetFault::Slow {
        bandwidth_bytes_per_s: Some(0),
        latency_ns: Some(7),
    });
    assert_eq!(
        t.storage().bandwidth_bytes_per_s,
        1,
        "zero bandwidth clamped"
    );
    t.write(handle, &[0; 2]).unwrap();
    assert_eq!(t.take_elapsed_ns(), 2_000_000_000 + 7);
}

#[test]
fn huge_costs_saturate_instead_of_overflowing() {
    let outer = tempfile::tempdir().unwrap();
    let storage = StorageSpec {
        capacity_bytes: u64::MAX,
        bandwidth_bytes_per_s: 1,
        latency_ns: u64::MAX,
    };
    let mut t = SimTarget::new(outer.path(), storage).unwrap();
    let handle = t.create_new(p("/exports/a")).unwrap();
    t.write(handle, &[0; 10]).unwrap();
    assert_eq!(t.take_elapsed_ns(), u64::MAX);
}

#[test]
fn out_of_space_after_bytes_fills_the_storage_then() {
    let (_outer, mut t) = target(1_000);
    let handle = write_file(&mut t, "/exports/a", &[0; 100]);
    t.inject(TargetFault::OutOfSpaceAfter { bytes: 50 });
    assert_eq!(t.free_space_bytes(p("/exports/a")).unwrap(), 50);
    t.write(handle, &[0; 50]).unwrap();
    let error = t.write(handle, &[0; 1]).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::StorageFull);
    t.inject(TargetFault::OutOfSpaceAfter { bytes: 10_000 });
    assert_eq!(
        t.free_space_bytes(p("/exports/a")).unwrap(),
        0,
        "a fault never adds space"
    );
}

#[test]
fn injected_io_error_fails_the_next_operation_of_its_kind_once() {
    let (_outer, mut t) = target(MIB);
    for operation in OPERATIONS {
        t.inject(TargetFault::IoError { operation });
    }
    let expected = |op: &str| format!("injected I/O error on {op}");
    let error = t.create_new(p("/exports/a")).unwrap_err();
    assert_eq!(
        (error.kind(), error.to_string()),
        (io::ErrorKind::Other, expected("create"))
    );
    let handle = t.create_new(p("/exports/a")).unwrap();
    assert_eq!(
        t.write(handle, b"x").unwrap_err().to_string(),
        expected("write")
    );
    t.write(handle, b"x").unwrap();
    assert_eq!(t.sync(handle).unwrap_err().to_string(), expected("sync"));
    t.sync(handle).unwrap();
    t.close(handle).unwrap();
    let rename = t.rename_no_replace(p("/exports/a"), p("/exports/b"));
    assert_eq!(rename.unwrap_err().to_string(), expected("rename"));
    t.rename_no_replace(p("/exports/a"), p("/exports/b"))
        .unwrap();
    assert_eq!(t.used_bytes(), 1, "the failed write moved no bytes");
    assert!(t
        .real_path("/exports/a")
        .unwrap()
        .symlink_metadata()
        .is_err());
}

#[test]
fn injected_sync_error_also_hits_sync_dir() {
    let (_outer, mut t) = target(MIB);
    t.create_dir_all(p("/exports/d")).unwrap();
    t.inject(TargetFault::IoError {
        operation: TargetOperation::Sync,
    });
    assert_eq!(
        t.sync_dir(p("/exports/d")).unwrap_err().kind(),
        io::ErrorKind::Other
    );
    t.sync_dir(p("/exports/d")).unwrap();
}

#[test]
fn stall_delays_operations_until_it_ends() {
    let (_outer, mut t) = target(MIB);
    t.set_now(10_000);
    t.inject(TargetFault::Stall { until_ns: 50_000 });
    t.create_dir_all(p("/exports/d")).unwrap();
    // Waits 40_000 ns for the stall, then its own latency.
    assert_eq!(t.take_elapsed_ns(), 40_000 + 1_000);
    t.set_now(45_000);
    t.create_dir_all(p("/exports/d")).unwrap();
    t.create_dir_all(p("/exports/d")).unwrap();
    // The first waits 5_000; the second starts after the stall and pays latency only.
    assert_eq!(t.take_elapsed_ns(), 5_000 + 1_000 + 1_000);
    t.set_now(60_000);
    t.create_dir_all(p("/exports/d")).unwrap();
    assert_eq!(t.take_elapsed_ns(), 1_000);
}

#[test]
fn rename_never_replaces_an_existing_file() {
    let (_outer, mut t) = target(MIB);
    let a = write_file(&mut t, "/exports/a", b"new");
    let b = write_file(&mut t, "/exports/b", b"old");
    t.close(a).unwrap();
    t.close(b).unwrap();
    let error = t
        .rename_no_replace(p("/exports/a"), p("/exports/b"))
        .unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::AlreadyExists);
    assert_eq!(
        std::fs::read(t.real_path("/exports/b").unwrap()).unwrap(),
        b"old"
    );
    assert_eq!(
        std::fs::read(t.real_path("/exports/a").unwrap()).unwrap(),
        b"new"
    );
    assert_eq!(t.used_bytes(), 6);
}

#[test]
fn open_files_are_bounded() {
    let (_outer, mut t) = target(MIB);
    for index in 0..OPEN_FILES_MAX {
        t.create_new(&PathBuf::from(format!("/exports/f{index}")))
            .unwrap();
    }
    let error = t.create_new(p("/exports/one_too_many")).unwrap_err();
    assert!(error.to_string().contains("too many open files"));
    assert!(t
        .real_path("/exports/one_too_many")
        .unwrap()
        .symlink_metadata()
        .is_err());
}
