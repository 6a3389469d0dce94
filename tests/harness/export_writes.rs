//! The export's write path as the bench measures it: each extent record (its 24-byte head and
//! up to 4 MiB of data) reaches the target in one write, so a full export costs one write per
//! record plus a header and a footer per log.

use rpsim_export::target::{DirProbe, ExportTarget, FileHandle, PlainDirectory};
use rpsim_harness::bench::workload::{self, DiskShape};
use std::io;
use std::path::Path;

/// A plain directory that remembers the length of every write.
struct CountingTarget {
    inner: PlainDirectory,
    write_lengths_bytes: Vec<usize>,
}

impl ExportTarget for CountingTarget {
    fn probe_dir(&mut self, path: &Path) -> io::Result<DirProbe> {
        self.inner.probe_dir(path)
    }
    fn create_dir_all(&mut self, path: &Path) -> io::Result<()> {
        self.inner.create_dir_all(path)
    }
    fn create_new(&mut self, path: &Path) -> io::Result<FileHandle> {
        self.inner.create_new(path)
    }
    fn write(&mut self, file: FileHandle, bytes: &[u8]) -> io::Result<()> {
        self.write_lengths_bytes.push(bytes.len());
        self.inner.write(file, bytes)
    }
    fn sync(&mut self, file: FileHandle) -> io::Result<()> {
        self.inner.sync(file)
    }
    fn close(&mut self, file: FileHandle) -> io::Result<()> {
        self.inner.close(file)
    }
    fn rename_no_replace(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        self.inner.rename_no_replace(from, to)
    }
    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        self.inner.remove_file(path)
    }
    fn remove_dir(&mut self, path: &Path) -> io::Result<()> {
        self.inner.remove_dir(path)
    }
    fn sync_dir(&mut self, path: &Path) -> io::Result<()> {
        self.inner.sync_dir(path)
    }
    fn free_space_bytes(&mut self, path: &Path) -> io::Result<u64> {
        self.inner.free_space_bytes(path)
    }
}

#[test]
fn a_full_export_writes_each_four_mebibyte_record_in_one_target_write() {
    const MIB: u64 = 1 << 20;
    let shape = DiskShape {
        virtual_size_bytes: 64 * MIB,
        allocated_bytes: 16 * MIB,
        block_size_bytes: 2 * MIB,
        random_layout: false,
    };
    let mut world = workload::world_with_disk(&shape).unwrap();
    let point = workload::freeze(&mut world, "rp").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut target = CountingTarget {
        inner: PlainDirectory::new(),
        write_lengths_bytes: Vec::new(),
    };
    workload::export_into(&world, &point, None, &tmp.path().join("e"), &mut target).unwrap();
    let record_bytes = (24 + 4 * MIB) as usize;
    let records = target
        .write_lengths_bytes
        .iter()
        .filter(|&&l| l == record_bytes)
        .count();
    assert_eq!(
        records, 4,
        "16 MiB allocated is four whole 4 MiB records, each one write: {:?}",
        target.write_lengths_bytes
    );
    assert!(
        target
            .write_lengths_bytes
            .iter()
            .all(|&l| l != 24 && l <= record_bytes),
        "no record head written alone, no write past one record: {:?}",
        target.write_lengths_bytes
    );
}
