//! Sparse files in an export: verification costs what is stored, not what a file claims. A
//! terabyte hole listed in a manifest is refused before it is read or hashed (the old reader
//! hashed it at its apparent size: about 18 minutes per TiB).

use crate::common::*;
use rpsim_restore::verify_export;
use std::fs::{self, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const GROUP: u128 = 100;
const TIB: u64 = 1 << 40;
const LOG: &str = "Virtual Hard Disks/disk0.rplog";

fn export(root: &Path, virtual_size_bytes: u64) -> PathBuf {
    let spec = ExportSpec::new(guid(GROUP), guid(1), None)
        .log(LogSpec::full("d", virtual_size_bytes, guid(1)).extent(0, pattern(1, 4096)));
    write_export(root, "full", &spec)
}

/// Makes `relative` a sparse file of `size_bytes` (its bytes kept, a hole after them) and
/// lists it with that size; its checksum stays the old one (computing the right one would
/// mean hashing a terabyte).
fn grow_sparse(dir: &Path, relative: &str, size_bytes: u64) {
    let file = OpenOptions::new()
        .write(true)
        .open(dir.join(relative))
        .unwrap();
    file.set_len(size_bytes).unwrap();
    edit_manifest(dir, |body| {
        body.lines()
            .map(|line| match line.strip_suffix(relative) {
                Some(head) if line.starts_with("file ") => {
                    let hash = head.split(' ').nth(2).unwrap();
                    format!("file {size_bytes} {hash} {relative}\n")
                }
                _ => format!("{line}\n"),
            })
            .collect()
    });
}

#[test]
fn terabyte_hole_after_a_listed_log_is_refused_without_hashing_it() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path(), 2 * TIB);
    grow_sparse(&dir, LOG, TIB);
    let message = verify_export(&dir).unwrap_err().to_string();
    assert_mentions(&message, "disk0.rplog");
}

#[test]
fn terabyte_sparse_vm_file_is_refused_without_hashing_it() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path(), 2 * TIB);
    let vmcx = format!("Virtual Machines/{}.vmcx", guid(1));
    grow_sparse(&dir, &vmcx, TIB);
    let message = verify_export(&dir).unwrap_err().to_string();
    assert_mentions(&message, ".vmcx");
    assert_mentions(&message, "hole");
}

/// A log whose record headers are all in place but whose 16 384 extents of 64 MiB are holes:
/// its structure is valid, only its data (a terabyte of it) is missing.
#[test]
fn log_whose_terabyte_of_extent_data_is_holes_is_refused_without_hashing_it() {
    const EXTENT_BYTES: u64 = 64 * MIB;
    // ext4 takes about 25 s to remove a file with 16 384 scattered blocks; tmpfs does not.
    let shm = Path::new("/dev/shm");
    let root = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let dir = export(root.path(), 2 * TIB);
    let spec = LogSpec::full("d", 2 * TIB, guid(1));
    let header = encode_header(&spec);
    let count = TIB / EXTENT_BYTES;
    let file = fs::File::create(dir.join(LOG)).unwrap();
    file.write_all_at(&header, 0).unwrap();
    let mut at = header.len() as u64;
    for i in 0..count {
        let mut record = b"EXTN\0\0\0\0".to_vec();
        record.extend_from_slice(&(i * EXTENT_BYTES).to_le_bytes());
        record.extend_from_slice(&EXTENT_BYTES.to_le_bytes());
        file.write_all_at(&record, at).unwrap();
        at += 24 + EXTENT_BYTES;
    }
    let mut footer = b"RPLOGEND".to_vec();
    footer.extend_from_slice(&count.to_le_bytes());
    footer.extend_from_slice(&TIB.to_le_bytes());
    footer.extend_from_slice(&[0; 16]);
    let footer_checksum = xxhash_rust::xxh3::xxh3_64(&footer);
    footer.extend_from_slice(&footer_checksum.to_le_bytes());
    file.write_all_at(&footer, at).unwrap();
    drop(file);
    let size_bytes = at + 48;
    grow_sparse(&dir, LOG, size_bytes);
    let message = verify_export(&dir).unwrap_err().to_string();
    assert_mentions(&message, "disk0.rplog");
    assert_mentions(&message, "hole");
}
