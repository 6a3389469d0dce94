//! Fuzz target for the export reader: the input is a small archive of a directory tree (files,
//! folders, symbolic links and FIFOs under up to three export directories), written into a
//! scratch directory; `verify_export` runs on each export and `restore_chain` restores the
//! chain into a second scratch directory. Invariants: no panic; a restore succeeds only when
//! every export of the chain verifies; nothing outside `--out` changes; a refused restore
//! leaves no `--out` behind; a successful one leaves exactly one image per disk, each of its
//! disk's virtual size.
//!
//! Archive: one mode byte, then entries of `kind u8, path_len u16 le, path, data_len u32 le,
//! data` until the input ends. Kind 0 file (data: bytes), 1 folder, 2 symbolic link (data:
//! target), 3 FIFO. Paths are `/`-separated below the scratch root; the exports are the folders
//! `0`, `1`, `2` present. Mode bit 0 recomputes the checksums of every `.rplog` (header, file,
//! footer) and bit 1 rewrites every manifest's `file` and `end` lines for the files present, so
//! that mutations get past the checksums into the chain, plan and restore logic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Most entries one input may create.
const ENTRIES_MAX: usize = 64;
/// Deepest path an entry may have.
const DEPTH_MAX: usize = 6;
/// Export directories looked for, in chain order.
const EXPORT_NAMES: [&str; 3] = ["0", "1", "2"];

/// Mode bit: recompute log checksums.
const RESEAL_LOGS: u8 = 1;
/// Mode bit: rewrite manifests for the files present.
const RESEAL_MANIFESTS: u8 = 2;

fuzz_target!(|input: &[u8]| {
    let Some((&mode, input)) = input.split_first() else {
        return;
    };
    let Some(mut entries) = parse(input) else {
        return;
    };
    if mode & RESEAL_LOGS != 0 {
        for entry in entries.iter_mut().filter(|e| e.kind == 0) {
            if entry.path.last().is_some_and(|n| n.ends_with(".rplog")) {
                reseal_log(&mut entry.data);
            }
        }
    }
    let scratch = scratch_dir();
    let tree = scratch.path().join("tree");
    let outputs = scratch.path().join("outputs");
    fs::create_dir(&tree).unwrap();
    fs::create_dir(&outputs).unwrap();
    // A file outside every export: a link pointing at it must never be followed into an image.
    fs::write(scratch.path().join("outside"), b"outside bytes, never to be read").unwrap();
    for entry in &entries {
        materialise(&tree, entry);
    }
    if mode & RESEAL_MANIFESTS != 0 {
        for name in EXPORT_NAMES {
            reseal_manifest(&tree.join(name));
        }
    }
    let chain: Vec<PathBuf> = EXPORT_NAMES
        .iter()
        .map(|name| tree.join(name))
        .filter(|dir| dir.is_dir())
        .collect();
    let before = snapshot(scratch.path(), &outputs);
    let verified: Vec<bool> = chain
        .iter()
        .map(|dir| rpsim_restore::verify_export(dir).is_ok())
        .collect();
    let out = outputs.join("out");
    let restored = rpsim_restore::restore_chain(&chain, &out);
    assert_eq!(
        before,
        snapshot(scratch.path(), &outputs),
        "verify or restore changed something outside `--out`"
    );
    match restored {
        Ok(summary) => {
            assert!(
                verified.iter().all(|&ok| ok) && !chain.is_empty(),
                "a restore succeeded although an export of its chain does not verify"
            );
            let images = fs::read_dir(&out).unwrap().count();
            assert_eq!(images, summary.disks.len(), "`--out` holds more than the images");
            for disk in &summary.disks {
                assert!(disk.image_path.starts_with(&out), "an image outside `--out`");
                let size = fs::symlink_metadata(&disk.image_path).unwrap().len();
                assert_eq!(size, disk.virtual_size_bytes);
            }
        }
        Err(_) => {
            assert!(!out.exists(), "a refused restore left `--out` behind");
        }
    }
    let left: Vec<_> = fs::read_dir(&outputs).unwrap().collect();
    assert!(left.len() <= 1, "the restore wrote beside `--out`");
});

struct Entry {
    kind: u8,
    path: Vec<String>,
    data: Vec<u8>,
}

/// The entries of the archive, or `None` when it is not one.
fn parse(mut input: &[u8]) -> Option<Vec<Entry>> {
    let mut entries = Vec::new();
    while !input.is_empty() {
        if entries.len() >= ENTRIES_MAX || input.len() < 3 {
            return None;
        }
        let kind = input[0] % 4;
        let path_len = u16::from_le_bytes([input[1], input[2]]) as usize;
        input = &input[3..];
        let path = std::str::from_utf8(input.get(..path_len)?).ok()?;
        input = &input[path_len..];
        let data_len = u32::from_le_bytes(input.get(..4)?.try_into().ok()?) as usize;
        input = &input[4..];
        let data = input.get(..data_len)?.to_vec();
        input = &input[data_len..];
        let components: Vec<String> = path.split('/').map(str::to_string).collect();
        let plain = components.iter().all(|c| {
            !c.is_empty() && c != "." && c != ".." && !c.contains('\0') && c.len() < 200
        });
        if !plain || components.len() > DEPTH_MAX {
            return None;
        }
        entries.push(Entry {
            kind,
            path: components,
            data,
        });
    }
    Some(entries)
}

/// Creates one entry (and its missing folders); an entry that clashes with an earlier one is
/// skipped.
fn materialise(tree: &Path, entry: &Entry) {
    let mut path = tree.to_path_buf();
    for folder in &entry.path[..entry.path.len() - 1] {
        path.push(folder);
        if fs::symlink_metadata(&path).is_err() && fs::create_dir(&path).is_err() {
            return;
        }
    }
    path.push(&entry.path[entry.path.len() - 1]);
    if fs::symlink_metadata(&path).is_ok() {
        return;
    }
    let _ = match entry.kind {
        0 => fs::write(&path, &entry.data),
        1 => fs::create_dir(&path),
        2 => {
            use std::os::unix::ffi::OsStrExt;
            let target = std::ffi::OsStr::from_bytes(&entry.data);
            if target.is_empty() || entry.data.contains(&0) {
                return;
            }
            std::os::unix::fs::symlink(target, &path)
        }
        _ => mkfifo(&path),
    };
}

/// Recomputes a log's header checksum, file checksum and footer checksum where the bytes are
/// long enough to hold them (everything else as the input has it).
fn reseal_log(bytes: &mut [u8]) {
    use xxhash_rust::xxh3::{xxh3_128, xxh3_64};
    let mut at = 64usize;
    for _ in 0..3 {
        let Some(len) = bytes.get(at..at + 2) else {
            return;
        };
        at += 2 + u16::from_le_bytes([len[0], len[1]]) as usize;
    }
    if at + 8 + 48 > bytes.len() {
        return;
    }
    let header = xxh3_64(&bytes[..at]);
    bytes[at..at + 8].copy_from_slice(&header.to_le_bytes());
    let footer_at = bytes.len() - 48;
    let file = xxh3_128(&bytes[..footer_at]);
    bytes[footer_at + 24..footer_at + 40].copy_from_slice(&file.to_le_bytes());
    let footer = xxh3_64(&bytes[footer_at..footer_at + 40]);
    bytes[footer_at + 40..].copy_from_slice(&footer.to_le_bytes());
}

/// Rewrites the `file` and `end` lines of `dir/export.manifest` (when it is a regular UTF-8
/// file) for the regular files present under `dir`, keeping the lines before them.
fn reseal_manifest(dir: &Path) {
    let path = dir.join("export.manifest");
    let is_file = fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
    let Some(text) = is_file.then(|| fs::read_to_string(&path).ok()).flatten() else {
        return;
    };
    let mut out: String = text
        .lines()
        .take_while(|l| !l.starts_with("file ") && !l.starts_with("end "))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut files = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((folder, prefix)) = pending.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                pending.push((entry.path(), format!("{prefix}{name}/")));
            } else if kind.is_file() && !(prefix.is_empty() && name == "export.manifest") {
                files.push(format!("{prefix}{name}"));
            }
        }
    }
    files.sort();
    for relative in files {
        let bytes = fs::read(dir.join(&relative)).unwrap_or_default();
        // Manifest v2: a log is listed with its footer checksum (every byte before the footer).
        let hashed = match relative.ends_with(".rplog") && bytes.len() >= 48 {
            true => &bytes[..bytes.len() - 48],
            false => &bytes[..],
        };
        let hash = xxhash_rust::xxh3::xxh3_128(hashed);
        out.push_str(&format!("file {} {hash:032x} {relative}\n", bytes.len()));
    }
    let end = xxhash_rust::xxh3::xxh3_128(out.as_bytes());
    out.push_str(&format!("end {end:032x}\n"));
    let _ = fs::write(&path, out);
}

fn mkfifo(path: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    if unsafe { libc_mkfifo(c.as_ptr(), 0o644) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

extern "C" {
    #[link_name = "mkfifo"]
    fn libc_mkfifo(path: *const std::ffi::c_char, mode: u32) -> i32;
}

/// Every name under `root` except `skip` (the outputs), with its kind, size and content hash.
fn snapshot(root: &Path, skip: &Path) -> BTreeMap<PathBuf, (u8, u64, u128)> {
    let mut seen = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path == skip {
                continue;
            }
            let metadata = fs::symlink_metadata(&path).unwrap();
            let kind = metadata.file_type();
            let record = if kind.is_dir() {
                pending.push(path.clone());
                (1, 0, 0)
            } else if kind.is_file() {
                let bytes = fs::read(&path).unwrap();
                (0, metadata.len(), xxhash_rust::xxh3::xxh3_128(&bytes))
            } else if kind.is_symlink() {
                let target = fs::read_link(&path).unwrap();
                use std::os::unix::ffi::OsStrExt;
                (2, 0, xxhash_rust::xxh3::xxh3_128(target.as_os_str().as_bytes()))
            } else {
                (3, 0, 0)
            };
            seen.insert(path, record);
        }
    }
    seen
}

/// A scratch directory, in `/dev/shm` when there is one (the target writes many small trees).
fn scratch_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    }
}
