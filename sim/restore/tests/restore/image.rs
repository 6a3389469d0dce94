//! Restoring images: a chain yields each disk's bytes as of its last reference point, images
//! stay sparse, and broken disk histories or unsafe output directories are refused.

use crate::common::*;
use rpsim_restore::{restore_chain, RestoreError};
use std::fs;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

const GROUP: u128 = 100;
const DISK_BYTES: u64 = MIB;

/// An in-memory disk the test edits alongside the logs it writes: the independent expectation.
struct ModelDisk(Vec<u8>);

impl ModelDisk {
    fn new() -> ModelDisk {
        ModelDisk(vec![0; DISK_BYTES as usize])
    }
    /// Writes `data` at `offset` in the model and returns the extent for a log.
    fn write(&mut self, offset_bytes: u64, data: Vec<u8>) -> (u64, Vec<u8>) {
        let at = offset_bytes as usize;
        self.0[at..at + data.len()].copy_from_slice(&data);
        (offset_bytes, data)
    }
}

fn with(mut log: LogSpec, extents: Vec<(u64, Vec<u8>)>) -> LogSpec {
    log.extents = extents;
    log
}

fn refused(dirs: &[PathBuf], out: &Path) -> String {
    match restore_chain(dirs, out) {
        Ok(summary) => panic!("restore accepted: {summary:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn chain_restores_each_disk_as_of_its_last_reference_point() {
    let root = tempfile::tempdir().unwrap();
    let (mut a, mut b, mut c) = (ModelDisk::new(), ModelDisk::new(), ModelDisk::new());
    let a1 = vec![
        a.write(0, pattern(1, 4096)),
        a.write(64 * KIB, pattern(2, 8192)),
    ];
    let b1 = vec![b.write(DISK_BYTES - 4096, pattern(3, 4096))];
    let full = ExportSpec::new(guid(GROUP), guid(1), None)
        .log(with(LogSpec::full("disk/A", DISK_BYTES, guid(1)), a1))
        .log(with(LogSpec::full("disk:B", DISK_BYTES, guid(1)), b1));
    let a2 = vec![
        a.write(0, pattern(4, 4096)),
        a.write(4096, pattern(5, 4096)),
    ];
    let inc1 = ExportSpec::new(guid(GROUP), guid(2), Some(guid(1)))
        .log(with(
            LogSpec::differential("disk/A", DISK_BYTES, guid(1), guid(2)),
            a2,
        ))
        .log(LogSpec::differential(
            "disk:B",
            DISK_BYTES,
            guid(1),
            guid(2),
        ));
    let a3 = vec![a.write(64 * KIB, vec![0; 4096])];
    let c3 = vec![c.write(12_345, pattern(6, 777))];
    let inc2 = ExportSpec::new(guid(GROUP), guid(3), Some(guid(2)))
        .log(with(
            LogSpec::differential("disk/A", DISK_BYTES, guid(2), guid(3)),
            a3,
        ))
        .log(with(LogSpec::full("disk C", DISK_BYTES, guid(3)), c3));
    let dirs = vec![
        write_export(root.path(), "full", &full),
        write_export(root.path(), "inc1", &inc1),
        write_export(root.path(), "inc2", &inc2),
    ];
    let out = root.path().join("out");
    let summary = restore_chain(&dirs, &out).unwrap();

    let ids: Vec<&str> = summary
        .disks
        .iter()
        .map(|d| d.disk_instance_id.as_str())
        .collect();
    assert_eq!(ids, ["disk C", "disk/A", "disk:B"]);
    let expected = [
        (&c, "disk_C.raw", 1, 777, 3),
        (&a, "disk_A.raw", 3, 4096 + 8192 + 8192 + 4096, 3),
        (&b, "disk_B.raw", 2, 4096, 2),
    ];
    for (disk, (model, name, logs, written, rp)) in summary.disks.iter().zip(expected) {
        assert_eq!(disk.image_path, out.join(name));
        assert_eq!(disk.virtual_size_bytes, DISK_BYTES);
        assert_eq!(
            (disk.logs_applied, disk.bytes_written),
            (logs, written),
            "{}",
            disk.disk_instance_id
        );
        assert_eq!(disk.reference_point, guid(rp));
        let image = fs::read(&disk.image_path).unwrap();
        let first_difference = image.iter().zip(&model.0).position(|(x, y)| x != y);
        assert_eq!(
            first_difference, None,
            "{} differs from the model",
            disk.disk_instance_id
        );
        assert_eq!(image.len(), model.0.len());
    }
}

#[test]
fn terabyte_image_with_one_mebibyte_written_stays_sparse() {
    const TIB: u64 = 1024 * 1024 * MIB;
    let root = tempfile::tempdir().unwrap();
    let data = pattern(9, MIB as usize);
    let full = ExportSpec::new(guid(GROUP), guid(1), None)
        .log(LogSpec::full("big", TIB, guid(1)).extent(TIB / 2, data.clone()));
    let dirs = vec![write_export(root.path(), "full", &full)];
    let summary = restore_chain(&dirs, &root.path().join("out")).unwrap();
    let image = fs::File::open(&summary.disks[0].image_path).unwrap();
    let metadata = image.metadata().unwrap();
    assert_eq!(metadata.len(), TIB);
    let allocated_bytes = metadata.blocks() * 512;
    assert!(
        allocated_bytes <= 8 * MIB,
        "a 1 TiB image with 1 MiB written allocates {allocated_bytes} bytes"
    );
    let mut back = vec![0u8; MIB as usize];
    image.read_exact_at(&mut back, TIB / 2).unwrap();
    assert!(back == data, "the extent's bytes are not at its offset");
}

#[test]
fn full_log_in_a_differential_export_restarts_the_disk() {
    let root = tempfile::tempdir().unwrap();
    let full = ExportSpec::new(guid(GROUP), guid(1), None)
        .log(LogSpec::full("d", DISK_BYTES, guid(1)).extent(0, pattern(1, 4096)));
    let inc = ExportSpec::new(guid(GROUP), guid(2), Some(guid(1)))
        .log(LogSpec::full("d", DISK_BYTES, guid(2)).extent(8192, pattern(2, 4096)));
    let dirs = vec![
        write_export(root.path(), "full", &full),
        write_export(root.path(), "inc", &inc),
    ];
    let summary = restore_chain(&dirs, &root.path().join("out")).unwrap();
    let image = fs::read(&summary.disks[0].image_path).unwrap();
    assert!(
        image[..4096].iter().all(|&b| b == 0),
        "data of the older chain survived a restart"
    );
    assert_eq!(&image[8192..12288], &pattern(2, 4096)[..]);
    assert_eq!(summary.disks[0].logs_applied, 1);
}

#[test]
fn differential_log_for_an_unknown_disk_is_a_broken_chain() {
    let root = tempfile::tempdir().unwrap();
    let full =
        ExportSpec::new(guid(GROUP), guid(1), None).log(LogSpec::full("d", DISK_BYTES, guid(1)));
    let inc = ExportSpec::new(guid(GROUP), guid(2), Some(guid(1)))
        .log(LogSpec::differential("new", DISK_BYTES, guid(1), guid(2)).extent(0, pattern(1, 10)));
    let dirs = vec![
        write_export(root.path(), "full", &full),
        write_export(root.path(), "inc", &inc),
    ];
    let out = root.path().join("out");
    let message = refused(&dirs, &out);
    assert_mentions(&message, "no earlier export of the chain holds that disk");
    assert!(
        !out.exists(),
        "a refused restore created its output directory"
    );
}

#[test]
fn disk_missing_from_an_export_in_between_is_a_broken_chain() {
    let root = tempfile::tempdir().unwrap();
    let full =
        ExportSpec::new(guid(GROUP), guid(1), None).log(LogSpec::full("d", DISK_BYTES, guid(1)));
    let inc1 = ExportSpec::new(guid(GROUP), guid(2), Some(guid(1)));
    let inc2 = ExportSpec::new(guid(GROUP), guid(3), Some(guid(2))).log(LogSpec::differential(
        "d",
        DISK_BYTES,
        guid(2),
        guid(3),
    ));
    let dirs = vec![
        write_export(root.path(), "full", &full),
        write_export(root.path(), "inc1", &inc1),
        write_export(root.path(), "inc2", &inc2),
    ];
    assert_mentions(
        &refused(&dirs, &root.path().join("out")),
        "missing from an export in between",
    );
}

#[test]
fn differential_cannot_change_the_disk_geometry() {
    let root = tempfile::tempdir().unwrap();
    let full =
        ExportSpec::new(guid(GROUP), guid(1), None).log(LogSpec::full("d", DISK_BYTES, guid(1)));
    let inc = ExportSpec::new(guid(GROUP), guid(2), Some(guid(1))).log(LogSpec::differential(
        "d",
        2 * DISK_BYTES,
        guid(1),
        guid(2),
    ));
    let dirs = vec![
        write_export(root.path(), "full", &full),
        write_export(root.path(), "inc", &inc),
    ];
    assert_mentions(&refused(&dirs, &root.path().join("out")), "geometry");
}

#[test]
fn log_of_another_reference_point_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let full =
        ExportSpec::new(guid(GROUP), guid(1), None).log(LogSpec::full("d", DISK_BYTES, guid(9)));
    let dirs = vec![write_export(root.path(), "full", &full)];
    assert_mentions(
        &refused(&dirs, &root.path().join("out")),
        "but the export's manifest says",
    );
}

#[test]
fn non_empty_output_directory_is_refused_and_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let full = ExportSpec::new(guid(GROUP), guid(1), None)
        .log(LogSpec::full("d", DISK_BYTES, guid(1)).extent(0, pattern(1, 10)));
    let dirs = vec![write_export(root.path(), "full", &full)];
    let out = root.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("d.raw"), b"user data").unwrap();
    let message = refused(&dirs, &out);
    assert_mentions(&message, "not empty");
    assert_eq!(fs::read(out.join("d.raw")).unwrap(), b"user data");
    let file_out = root.path().join("a-file");
    fs::write(&file_out, b"x").unwrap();
    assert_mentions(&refused(&dirs, &file_out), "not a directory");
}

#[test]
fn output_inside_an_export_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let full =
        ExportSpec::new(guid(GROUP), guid(1), None).log(LogSpec::full("d", DISK_BYTES, guid(1)));
    let dirs = vec![write_export(root.path(), "full", &full)];
    let err = restore_chain(&dirs, &dirs[0].join("restored")).unwrap_err();
    assert!(matches!(err, RestoreError::Output { .. }), "{err}");
    assert_mentions(&err.to_string(), "inside an export directory");
}

#[test]
fn empty_existing_output_directory_is_used() {
    let root = tempfile::tempdir().unwrap();
    let full = ExportSpec::new(guid(GROUP), guid(1), None).log(LogSpec::full(
        "../escape",
        DISK_BYTES,
        guid(1),
    ));
    let dirs = vec![write_export(root.path(), "full", &full)];
    let out = root.path().join("out");
    fs::create_dir(&out).unwrap();
    let summary = restore_chain(&dirs, &out).unwrap();
    assert_eq!(summary.disks[0].image_path, out.join("_._escape.raw"));
    assert_eq!(
        fs::metadata(&summary.disks[0].image_path).unwrap().len(),
        DISK_BYTES
    );
}

#[test]
fn a_log_written_to_between_verify_and_restore_is_refused_and_nothing_is_kept() {
    // The apply pass hashes every byte before the footer once more (the record heads too),
    // so a change anywhere in the body after verification is caught.
    for (what, offset_from_record_bytes) in [("record head", 9i64), ("data", 24 + 100)] {
        let root = tempfile::tempdir().unwrap();
        let full = ExportSpec::new(guid(GROUP), guid(1), None).log(
            LogSpec::full("d", DISK_BYTES, guid(1))
                .extent(0, pattern(1, 4096))
                .extent(8192, pattern(2, 4096)),
        );
        let dirs = vec![write_export(root.path(), "full", &full)];
        let chain = rpsim_restore::open_chain(&dirs).unwrap();
        let log = &chain.manifests()[0].logs[0];
        let second_record_bytes = log.extents[1].data_offset_bytes - 24;
        let at = (second_record_bytes as i64 + offset_from_record_bytes) as u64;
        let file = fs::OpenOptions::new().write(true).open(&log.path).unwrap();
        file.write_all_at(b"\xff", at).unwrap();
        let out = root.path().join("out");
        let error = chain.restore_into(&out).expect_err(what).to_string();
        assert_mentions(&error, "changed after it was verified");
        assert!(
            !out.exists(),
            "a refused restore ({what}) left --out behind"
        );
    }
}
