//! Planted symbolic links and FIFOs: the in-memory file system reports and refuses them as
//! the real one does (same kind, same refusal), and never follows one.

use rpsim_vfs::{open_path, Fs, Kind, MemFs, OpenError, RealFs};
use std::path::Path;

fn refusal<T>(result: Result<T, OpenError>) -> String {
    match result {
        Ok(_) => "opened".into(),
        Err(OpenError::Kind(kind)) => format!("kind {kind:?}"),
        Err(OpenError::Io(e)) => format!("io {:?} {:?}", e.kind(), e.raw_os_error()),
    }
}

/// Both file systems with `d/` holding a link `d/link` and a FIFO `d/pipe`.
fn planted() -> (tempfile::TempDir, MemFs) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("d")).unwrap();
    std::fs::write(dir.path().join("target"), b"secret").unwrap();
    std::os::unix::fs::symlink(dir.path().join("target"), dir.path().join("d/link")).unwrap();
    let fifo = std::ffi::CString::new(dir.path().join("d/pipe").to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let memfs = MemFs::new();
    memfs.create_dir_all(Path::new("/d")).unwrap();
    memfs.plant(Path::new("/d/link"), Kind::Symlink).unwrap();
    memfs.plant(Path::new("/d/pipe"), Kind::Fifo).unwrap();
    (dir, memfs)
}

#[test]
fn links_and_fifos_are_refused_alike_by_both_readers() {
    let (dir, memfs) = planted();
    let sides: [(&dyn Fs, &Path); 2] = [(&RealFs, dir.path()), (&memfs, Path::new("/"))];
    let answers: Vec<Vec<String>> = sides
        .iter()
        .map(|(fs, root)| {
            let d = fs.open_dir(&root.join("d")).expect("open d");
            let mut entries = d.entries(10).unwrap().unwrap();
            entries.sort();
            vec![
                format!("{entries:?}"),
                refusal(d.open_file("link")),
                refusal(d.open_file("pipe")),
                refusal(d.open_dir("link")),
                refusal(d.open_dir("pipe")),
                refusal(fs.open_regular_file(&root.join("d/link"))),
                refusal(fs.open_regular_file(&root.join("d/pipe"))),
                refusal(fs.open_dir(&root.join("d/link"))),
                refusal(
                    open_path(fs.open_dir(root).unwrap().as_ref(), "d/link").map_err(|(_, e)| e),
                ),
                format!("{:?}", fs.kind_at(&root.join("d/link")).unwrap()),
            ]
        })
        .collect();
    assert_eq!(answers[1], answers[0]);
    assert_eq!(answers[0][1], "kind Symlink");
    assert_eq!(answers[0][2], "kind Fifo");
}

#[test]
fn memfs_never_walks_through_a_planted_link() {
    let (_dir, memfs) = planted();
    let error = memfs
        .create_new(Path::new("/d/link/x"))
        .map(drop)
        .unwrap_err();
    assert_eq!(error.raw_os_error(), Some(libc::ELOOP));
    assert_eq!(
        memfs.kind_at(Path::new("/d/link")).unwrap(),
        Some(Kind::Symlink)
    );
}

#[test]
fn a_removed_file_stays_readable_through_an_open_handle_and_its_bytes_are_freed_after() {
    let memfs = MemFs::new();
    let file = memfs.create_new(Path::new("/f")).unwrap();
    file.write_all_at(&[7u8; 1000], 0).unwrap();
    memfs.hard_link(Path::new("/f"), Path::new("/g")).unwrap();
    memfs.remove_file(Path::new("/f")).unwrap();
    let linked = memfs.open_regular_file(Path::new("/g")).unwrap();
    let mut buf = [0u8; 4];
    linked.read_exact_at(&mut buf, 996).unwrap();
    assert_eq!(buf, [7u8; 4]);
    assert_eq!(memfs.used_bytes(), 1000);
    memfs.remove_file(Path::new("/g")).unwrap();
    drop((file, linked));
    assert_eq!(
        memfs.used_bytes(),
        0,
        "no handle and no name: the bytes are gone"
    );
}

#[test]
fn files_past_the_size_limit_are_refused_with_efbig() {
    let memfs = MemFs::with_limits(1 << 20, 1 << 30);
    let file = memfs.create_new(Path::new("/big")).unwrap();
    assert_eq!(
        file.set_len(1 << 31).unwrap_err().raw_os_error(),
        Some(libc::EFBIG)
    );
    file.set_len(1 << 30).unwrap();
    assert_eq!(
        file.write_all_at(&[1u8; 2 << 20], 0)
            .unwrap_err()
            .raw_os_error(),
        Some(libc::ENOSPC)
    );
}
