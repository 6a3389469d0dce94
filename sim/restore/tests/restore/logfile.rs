//! Log-file reader: valid logs round trip; every kind of damage is refused with a message that
//! says what is wrong.

use crate::common::*;
use rpsim_export::guid::Guid;
use rpsim_restore::{read_log, RestoreError};
use std::fs;
use std::path::PathBuf;

fn sample() -> LogSpec {
    LogSpec::differential("Microsoft:DISK/0", 64 * MIB, guid(1), guid(2))
        .extent(0, pattern(1, 4096))
        .extent(8192, pattern(2, 10_000))
        .extent(64 * MIB - 512, pattern(3, 512))
}

fn write(dir: &tempfile::TempDir, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join("d.rplog");
    fs::write(&path, bytes).unwrap();
    path
}

/// Reads `bytes` as a log and returns the error message, failing when it is accepted.
fn refused(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    match read_log(&write(&dir, bytes)) {
        Ok(log) => panic!("damaged log accepted: {:?}", log.header),
        Err(e @ RestoreError::Log { .. }) => e.to_string(),
        Err(other) => panic!("expected a log error, got {other}"),
    }
}

#[test]
fn valid_log_round_trips_header_and_extents() {
    let spec = sample();
    let bytes = encode_log(&spec);
    let dir = tempfile::tempdir().unwrap();
    let log = read_log(&write(&dir, &bytes)).unwrap();
    assert!(log.header.differential);
    assert_eq!(log.header.disk_instance_id, "Microsoft:DISK/0");
    assert_eq!(log.header.virtual_size_bytes, 64 * MIB);
    assert_eq!(log.header.block_size_bytes, 4 * KIB);
    assert_eq!(log.header.target_reference_point, guid(2));
    assert_eq!(log.header.base_reference_point, Some(guid(1)));
    assert_eq!(log.header.base_rct_id, format!("rct-{}", guid(1)));
    assert_eq!(log.file_size_bytes, bytes.len() as u64);
    assert_eq!(log.data_bytes, 4096 + 10_000 + 512);
    assert_eq!(log.extents.len(), 3);
    for (found, (offset_bytes, data)) in log.extents.iter().zip(&spec.extents) {
        assert_eq!(found.extent.offset_bytes, *offset_bytes);
        assert_eq!(found.extent.length_bytes, data.len() as u64);
        let start = found.data_offset_bytes as usize;
        assert_eq!(
            &bytes[start..start + data.len()],
            &data[..],
            "data offset points at the extent's bytes"
        );
    }
}

#[test]
fn full_log_without_extents_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let log = read_log(&write(&dir, &encode_log(&LogSpec::full("d", MIB, guid(7))))).unwrap();
    assert!(!log.header.differential);
    assert_eq!(log.header.base_reference_point, None);
    assert!(log.extents.is_empty());
}

#[test]
fn flipped_header_bytes_are_refused() {
    let bytes = encode_log(&sample());
    let header_len = encode_header(&sample()).len();
    let cases = [
        (0, "magic"),
        (8, "version"),
        (20, "header checksum"),
        (70, "header checksum"),
        (header_len - 1, "header checksum"),
    ];
    for (at, needle) in cases {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x40;
        assert_mentions(&refused(&damaged), needle);
    }
}

#[test]
fn flipped_data_byte_is_refused_by_the_file_checksum() {
    let mut bytes = encode_log(&sample());
    let at = encode_header(&sample()).len() + 24 + 100;
    bytes[at] ^= 1;
    assert_mentions(&refused(&bytes), "file checksum");
}

#[test]
fn flipped_footer_bytes_are_refused() {
    let bytes = encode_log(&sample());
    let footer_at = bytes.len() - 48;
    for (at, needle) in [
        (0, "footer magic"),
        (8, "footer checksum"),
        (30, "footer checksum"),
        (47, "footer checksum"),
    ] {
        let mut damaged = bytes.clone();
        damaged[footer_at + at] ^= 0x10;
        assert_mentions(&refused(&damaged), needle);
    }
}

#[test]
fn truncated_logs_are_refused_at_every_cut() {
    let bytes = encode_log(&sample());
    let header_len = encode_header(&sample()).len();
    let cuts = [
        0,
        10,
        63,
        header_len - 3,
        header_len + 10,
        header_len + 24 + 4000,
        bytes.len() - 48,
        bytes.len() - 1,
    ];
    for cut in cuts {
        let message = refused(&bytes[..cut]);
        assert!(
            message.contains("truncated")
                || message.contains("footer")
                || message.contains("checksum"),
            "cut at {cut}: `{message}` does not explain the truncation"
        );
    }
}

#[test]
fn trailing_bytes_after_the_footer_are_refused() {
    for extra in [1usize, 7, 30, 100] {
        let mut bytes = encode_log(&sample());
        bytes.resize(bytes.len() + extra, 0xaa);
        let message = refused(&bytes);
        assert!(
            message.contains("trailing") || message.contains("too few"),
            "{extra} extra bytes: `{message}` does not name trailing bytes"
        );
    }
}

#[test]
fn out_of_order_and_overlapping_extents_are_refused() {
    let out_of_order = LogSpec::full("d", MIB, guid(2))
        .extent(8192, pattern(1, 10))
        .extent(0, pattern(2, 10));
    assert_mentions(&refused(&encode_log(&out_of_order)), "out of order");
    let overlapping = LogSpec::full("d", MIB, guid(2))
        .extent(0, pattern(1, 100))
        .extent(99, pattern(2, 10));
    assert_mentions(&refused(&encode_log(&overlapping)), "overlaps");
    let adjacent = LogSpec::full("d", MIB, guid(2))
        .extent(0, pattern(1, 100))
        .extent(100, pattern(2, 10));
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        read_log(&write(&dir, &encode_log(&adjacent)))
            .unwrap()
            .extents
            .len(),
        2
    );
}

#[test]
fn extent_past_the_virtual_size_is_refused() {
    let past = LogSpec::full("d", MIB, guid(2)).extent(MIB - 10, pattern(1, 11));
    assert_mentions(&refused(&encode_log(&past)), "past the virtual size");
    let wrapping = LogSpec::full("d", MIB, guid(2)).extent(u64::MAX - 2, pattern(1, 11));
    assert_mentions(&refused(&encode_log(&wrapping)), "past the virtual size");
}

#[test]
fn extent_length_zero_is_refused() {
    let empty = LogSpec::full("d", MIB, guid(2)).extent(0, Vec::new());
    assert_mentions(&refused(&encode_log(&empty)), "outside 1..=");
}

#[test]
fn header_rules_are_enforced() {
    let mut odd_block = LogSpec::full("d", MIB, guid(2));
    odd_block.block_size_bytes = 3 * KIB;
    assert_mentions(&refused(&encode_log(&odd_block)), "block size");
    let no_disk = LogSpec::full("", MIB, guid(2));
    assert_mentions(&refused(&encode_log(&no_disk)), "disk instance id is empty");
    let nil_target = LogSpec::full("d", MIB, Guid::NIL);
    assert_mentions(&refused(&encode_log(&nil_target)), "target reference point");
}

#[test]
fn unknown_flags_and_nonzero_reserved_are_refused() {
    let spec = LogSpec::full("d", MIB, guid(2)).extent(0, pattern(1, 10));
    let mut header = encode_header(&spec);
    header[12] = 0b10;
    let len = header.len();
    let checksum = xxhash_rust::xxh3::xxh3_64(&header[..len - 8]);
    header[len - 8..].copy_from_slice(&checksum.to_le_bytes());
    let mut bytes = header;
    bytes.extend_from_slice(&encode_log(&spec)[encode_header(&spec).len()..]);
    assert_mentions(&refused(&bytes), "flags");

    let mut reserved = encode_log(&spec);
    reserved[encode_header(&spec).len() + 4] = 1;
    assert_mentions(&refused(&reserved), "reserved");
}

#[test]
fn footer_counts_must_match_the_extents() {
    let spec = sample();
    let mut bytes = encode_log(&spec);
    let footer_at = bytes.len() - 48;
    bytes[footer_at + 8] = 9;
    let checksum = xxhash_rust::xxh3::xxh3_64(&bytes[footer_at..footer_at + 40]);
    bytes[footer_at + 40..].copy_from_slice(&checksum.to_le_bytes());
    assert_mentions(&refused(&bytes), "footer counts 9 extents");
}

#[test]
fn error_names_the_file() {
    let message = refused(
        b"not a log at all, just some text that is long enough to hold a header and a footer......",
    );
    assert_mentions(&message, "d.rplog");
    assert_mentions(&message, "magic");
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let err = read_log(std::path::Path::new("/nonexistent/x.rplog")).unwrap_err();
    assert!(matches!(err, RestoreError::Io { .. }));
    assert_mentions(&err.to_string(), "/nonexistent/x.rplog");
}

#[test]
fn every_single_byte_flip_and_every_truncation_of_a_small_log_is_refused() {
    let spec = LogSpec::differential("d", MIB, guid(1), guid(2))
        .extent(0, pattern(1, 40))
        .extent(4096, pattern(2, 33));
    let bytes = encode_log(&spec);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.rplog");
    for at in 0..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x01;
        fs::write(&path, &damaged).unwrap();
        assert!(
            read_log(&path).is_err(),
            "flipping bit 0 of byte {at} went unnoticed"
        );
    }
    for cut in 0..bytes.len() {
        fs::write(&path, &bytes[..cut]).unwrap();
        assert!(
            read_log(&path).is_err(),
            "truncation to {cut} bytes went unnoticed"
        );
    }
    fs::write(&path, &bytes).unwrap();
    assert!(read_log(&path).is_ok(), "the undamaged log must still read");
}
