//! Restore equivalence: an image equal to the disk passes; a flipped byte or stray data outside
//! the disk's extents fails naming the offset; qemu-img, when installed, agrees.

use rpsim_checks::equivalence::{check_restored_disk, write_reference_image, Mismatch};
use rpsim_checks::qemu::qemu_img_compare;
use rpsim_export::guid::Guid;
use rpsim_export::source::{
    CollectionReferencePoint, ExportSource, Extent, SourceError, SourceErrorKind, VmFileKind,
};
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::FileExt;
use std::path::Path;

const MIB: u64 = 1024 * 1024;
const DISK: &str = "disk-0";

/// One disk at one reference point: allocated extents keyed by offset.
struct FakeSource {
    reference_point: Guid,
    extents: BTreeMap<u64, Vec<u8>>,
}

impl FakeSource {
    fn new() -> FakeSource {
        let mut extents = BTreeMap::new();
        extents.insert(4096, pattern(1, 8192));
        extents.insert(3 * MIB - 100, pattern(2, 2 * MIB as usize + 100));
        extents.insert(7 * MIB, vec![0; 4096]);
        FakeSource {
            reference_point: Guid::from_u128(5),
            extents,
        }
    }
}

fn pattern(seed: u8, length_bytes: usize) -> Vec<u8> {
    (0..length_bytes)
        .map(|i| (i as u8).wrapping_mul(13).wrapping_add(seed) | 0x80)
        .collect()
}

fn not_found() -> SourceError {
    SourceError::new(SourceErrorKind::NotFound, "no such disk or reference point")
}

impl ExportSource for FakeSource {
    fn reference_point(&self, _: &Guid) -> Option<CollectionReferencePoint> {
        None
    }
    fn group_unavailable(&self, _: &Guid) -> Option<String> {
        None
    }
    fn changed_extents(
        &self,
        disk: &str,
        base: Option<&Guid>,
        target: &Guid,
    ) -> Result<Vec<Extent>, SourceError> {
        if disk != DISK || base.is_some() || *target != self.reference_point {
            return Err(not_found());
        }
        Ok(self
            .extents
            .iter()
            .map(|(&offset_bytes, d)| Extent {
                offset_bytes,
                length_bytes: d.len() as u64,
            })
            .collect())
    }
    fn read_extent(
        &self,
        disk: &str,
        target: &Guid,
        extent: Extent,
        buf: &mut [u8],
    ) -> Result<(), SourceError> {
        if disk != DISK
            || *target != self.reference_point
            || buf.len() as u64 != extent.length_bytes
        {
            return Err(not_found());
        }
        buf.fill(0);
        for (&offset_bytes, data) in &self.extents {
            let start = offset_bytes.max(extent.offset_bytes);
            let end = (offset_bytes + data.len() as u64).min(extent.end_bytes());
            if start < end {
                let (from, to) = (
                    (start - offset_bytes) as usize,
                    (start - extent.offset_bytes) as usize,
                );
                let n = (end - start) as usize;
                buf[to..to + n].copy_from_slice(&data[from..from + n]);
            }
        }
        Ok(())
    }
    fn vm_file(&self, _: &Guid, _: &Guid, _: VmFileKind) -> Result<Vec<u8>, SourceError> {
        Err(not_found())
    }
}

const SIZE_BYTES: u64 = 16 * MIB;

/// Writes the fake disk by hand (not through `write_reference_image`).
fn hand_written_image(source: &FakeSource, path: &Path) {
    let file = fs::File::create(path).unwrap();
    file.set_len(SIZE_BYTES).unwrap();
    for (&offset_bytes, data) in &source.extents {
        file.write_all_at(data, offset_bytes).unwrap();
    }
}

fn patch(path: &Path, offset_bytes: u64, bytes: &[u8]) {
    let file = fs::OpenOptions::new().write(true).open(path).unwrap();
    file.write_all_at(bytes, offset_bytes).unwrap();
}

fn check(
    source: &FakeSource,
    path: &Path,
) -> Result<rpsim_checks::equivalence::EquivalenceStats, Mismatch> {
    check_restored_disk(source, DISK, &source.reference_point, path, SIZE_BYTES)
}

#[test]
fn identical_image_passes_and_every_extent_is_compared() {
    let source = FakeSource::new();
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("d.raw");
    hand_written_image(&source, &image);
    let stats = check(&source, &image).unwrap();
    assert_eq!(stats.extents_compared, 3);
    assert_eq!(stats.extent_bytes_compared, 8192 + 2 * MIB + 100 + 4096);
    assert!(stats.data_regions_scanned >= 1);
    assert_eq!(
        stats.compared_bytes,
        stats.extent_bytes_compared + stats.outside_bytes_checked
    );
}

#[test]
fn flipped_byte_inside_an_extent_fails_naming_its_offset() {
    let source = FakeSource::new();
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("d.raw");
    hand_written_image(&source, &image);
    let offset_bytes = 3 * MIB + 12_345;
    let original = source.extents[&(3 * MIB - 100)][12_445];
    patch(&image, offset_bytes, &[original ^ 0xff]);
    match check(&source, &image) {
        Err(Mismatch::Bytes {
            disk_instance_id,
            offset_bytes: found,
            expected_hex,
            actual_hex,
            ..
        }) => {
            assert_eq!(disk_instance_id, DISK);
            assert_eq!(found, offset_bytes);
            assert!(
                expected_hex.starts_with(&format!("{original:02x}")),
                "{expected_hex}"
            );
            assert!(
                actual_hex.starts_with(&format!("{:02x}", original ^ 0xff)),
                "{actual_hex}"
            );
            assert_eq!(expected_hex.split(' ').count(), 16);
        }
        other => panic!("expected a byte mismatch, got {other:?}"),
    }
}

#[test]
fn stray_data_outside_the_extents_fails() {
    let source = FakeSource::new();
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("d.raw");
    hand_written_image(&source, &image);
    patch(&image, 12 * MIB + 7, &[0x42]);
    let err = check(&source, &image).unwrap_err();
    assert!(
        matches!(err, Mismatch::Bytes { offset_bytes, .. } if offset_bytes == 12 * MIB + 7),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains("must be zero") && message.contains("found 42"),
        "{message}"
    );
}

#[test]
fn zeros_written_outside_the_extents_are_accepted() {
    let source = FakeSource::new();
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("d.raw");
    hand_written_image(&source, &image);
    patch(&image, 10 * MIB, &vec![0; MIB as usize]);
    let stats = check(&source, &image).unwrap();
    assert!(
        stats.outside_bytes_checked >= MIB,
        "the allocated zero region was not scanned: {stats:?}"
    );
}

#[test]
fn earliest_difference_is_reported_when_there_are_several() {
    let source = FakeSource::new();
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("d.raw");
    hand_written_image(&source, &image);
    patch(&image, 100, &[1]);
    patch(&image, 4096 + 10, &[0]);
    let err = check(&source, &image).unwrap_err();
    assert!(
        matches!(
            err,
            Mismatch::Bytes {
                offset_bytes: 100,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn wrong_length_fails() {
    let source = FakeSource::new();
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("d.raw");
    hand_written_image(&source, &image);
    fs::OpenOptions::new()
        .write(true)
        .open(&image)
        .unwrap()
        .set_len(SIZE_BYTES + 1)
        .unwrap();
    let err = check(&source, &image).unwrap_err();
    assert_eq!(
        err,
        Mismatch::Length {
            disk_instance_id: DISK.to_string(),
            expected_bytes: SIZE_BYTES,
            actual_bytes: SIZE_BYTES + 1
        }
    );
}

#[test]
fn unknown_disk_is_unreadable_not_equal() {
    let source = FakeSource::new();
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("d.raw");
    hand_written_image(&source, &image);
    let err = check_restored_disk(
        &source,
        "other",
        &source.reference_point,
        &image,
        SIZE_BYTES,
    )
    .unwrap_err();
    assert!(matches!(err, Mismatch::Unreadable { .. }), "{err}");
}

#[test]
fn reference_image_equals_the_disk_and_is_sparse() {
    let source = FakeSource::new();
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("ref.raw");
    write_reference_image(
        &source,
        DISK,
        &source.reference_point,
        SIZE_BYTES,
        &reference,
    )
    .unwrap();
    check(&source, &reference).unwrap();
    let hand = dir.path().join("hand.raw");
    hand_written_image(&source, &hand);
    assert!(fs::read(&reference).unwrap() == fs::read(&hand).unwrap());
    let allocated_bytes =
        std::os::unix::fs::MetadataExt::blocks(&fs::metadata(&reference).unwrap()) * 512;
    assert!(
        allocated_bytes < 4 * MIB,
        "reference image allocates {allocated_bytes} bytes"
    );
    let again = write_reference_image(
        &source,
        DISK,
        &source.reference_point,
        SIZE_BYTES,
        &reference,
    );
    assert_eq!(again.unwrap_err().kind(), std::io::ErrorKind::AlreadyExists);
}

#[test]
fn qemu_img_agrees_with_the_oracle() {
    let source = FakeSource::new();
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("ref.raw");
    write_reference_image(
        &source,
        DISK,
        &source.reference_point,
        SIZE_BYTES,
        &reference,
    )
    .unwrap();
    let good = dir.path().join("good.raw");
    hand_written_image(&source, &good);
    let bad = dir.path().join("bad.raw");
    hand_written_image(&source, &bad);
    patch(&bad, 5 * MIB, &[9]);
    let Some(equal) = qemu_img_compare(&reference, &good).unwrap() else {
        eprintln!("qemu-img is not installed; skipping the cross-check");
        return;
    };
    assert!(equal, "qemu-img finds a difference the oracle does not");
    assert!(check(&source, &good).is_ok());
    assert_eq!(qemu_img_compare(&reference, &bad).unwrap(), Some(false));
    assert!(check(&source, &bad).is_err());
}

#[test]
fn qemu_img_error_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.raw");
    let present = dir.path().join("present.raw");
    fs::write(&present, [0u8; 512]).unwrap();
    match qemu_img_compare(&missing, &present) {
        Ok(None) => eprintln!("qemu-img is not installed"),
        Ok(Some(answer)) => panic!("qemu-img compared a missing file: {answer}"),
        Err(message) => assert!(message.contains("missing.raw"), "{message}"),
    }
}

#[test]
fn terabyte_sparse_image_is_checked_through_its_holes() {
    const TIB: u64 = 1024 * 1024 * MIB;
    let mut source = FakeSource::new();
    source.extents.insert(TIB - MIB, pattern(7, MIB as usize));
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("big.raw");
    write_reference_image(&source, DISK, &source.reference_point, TIB, &image).unwrap();
    let stats = check_restored_disk(&source, DISK, &source.reference_point, &image, TIB).unwrap();
    assert_eq!(stats.extents_compared, 4);
    assert!(
        stats.outside_bytes_checked < 64 * MIB,
        "holes were read: {stats:?}"
    );
    patch(&image, TIB - 1, &[0]);
    let err = check_restored_disk(&source, DISK, &source.reference_point, &image, TIB).unwrap_err();
    assert!(
        matches!(err, Mismatch::Bytes { offset_bytes, .. } if offset_bytes == TIB - 1),
        "{err}"
    );
}

/// A run with one 64 TiB disk (the VHDX maximum) holding a little data: a full export and a
/// differential. The images are too large for many file systems (ext4 holds 16 TiB), so
/// equivalence must hold without one file that large.
const SIXTY_FOUR_TIB_SCENARIO: &str = r#"
version: 1
name: sixty-four-tib-disk
description: The largest legal disk, with a little data.
hosts:
  - name: host-a
storage: { capacity: 1GiB, bandwidth: 100MiB/s, latency: 100us }
vm_groups:
  - name: big
    vms:
      - name: big-1
        host: host-a
        generation: 2
        state: running
        disks: [ { name: huge, size: 64TiB, block_size: 1MiB, fill: { allocated: 4MiB, layout: random } } ]
        workload: { write_rate: 1MiB/s, write_size: 64KiB, pattern: random }
timeline:
  - { at: 1s, create_reference_point: { name: rp1, group: big, type: rct } }
  - { at: 1s, export: { name: full, reference_point: rp1, target_dir: full } }
  - { at: 4s, create_reference_point: { name: rp2, group: big, type: rct } }
  - { at: 4s, export: { name: diff, reference_point: rp2, base: rp1, target_dir: diff } }
expect:
  - { export: full, job_state: 7 }
  - { export: diff, job_state: 7 }
"#;

#[test]
fn correct_export_of_a_64_tib_disk_passes_restore_equivalence_on_any_file_system() {
    let scenario =
        rpsim_scenario::parse_scenario("sixty-four-tib-disk.yaml", SIXTY_FOUR_TIB_SCENARIO)
            .unwrap();
    // On the build directory's file system (ext4 here), not a tmpfs, which holds any size.
    let root = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let exports = root.path().join("exports");
    let scratch = root.path().join("scratch");
    fs::create_dir(&exports).unwrap();
    fs::create_dir(&scratch).unwrap();
    let config = rpsim_world::RunConfig {
        seed: 1,
        fs: std::sync::Arc::new(rpsim_vfs::RealFs),
        export_root: exports,
        keep_trace_records: false,
        observe_probes: false,
    };
    let outcome = rpsim_world::run(&scenario, &config).unwrap();
    let report = rpsim_checks::check_run(&scenario, &outcome, &scratch);
    assert!(
        report.ok(),
        "a correct export of a 64 TiB disk failed: {:#?}",
        report.failures
    );
    assert_eq!(report.restored_disks, 2, "both exports' disk was compared");
}
