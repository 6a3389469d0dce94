//! Files swapped under the reader: a log (or the folder that holds it) turned into a symbolic
//! link or a FIFO after it was verified is never followed nor waited on, so an image holds
//! the verified bytes; a link or FIFO present from the start is refused with a clear message.

use crate::common::*;
use rpsim_restore::{open_chain, read_log, verify_export};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

const GROUP: u128 = 100;
const DISK_BYTES: u64 = MIB;
/// How long a call may take before the test calls it blocked (a FIFO open blocks forever).
const BLOCKED_AFTER: Duration = Duration::from_secs(20);
const LOG: &str = "Virtual Hard Disks/disk0.rplog";

fn log_spec(seed: u8) -> LogSpec {
    LogSpec::full("d", DISK_BYTES, guid(1)).extent(4096, pattern(seed, 8192))
}

/// A full export of one disk whose extent holds `pattern(1, ..)`.
fn export(root: &Path) -> PathBuf {
    let spec = ExportSpec::new(guid(GROUP), guid(1), None).log(log_spec(1));
    write_export(root, "full", &spec)
}

/// A log of the same shape as the export's, with other bytes: what a swapped-in link names.
fn outside_log(root: &Path) -> PathBuf {
    let path = root.join("outside.rplog");
    fs::write(&path, encode_log(&log_spec(2))).unwrap();
    path
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {} failed", path.display());
}

/// Runs `f` on another thread; fails the test when it has not returned after `BLOCKED_AFTER`.
fn within_deadline<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(f());
    });
    receive
        .recv_timeout(BLOCKED_AFTER)
        .unwrap_or_else(|_| panic!("{what} was still blocked after {BLOCKED_AFTER:?}"))
}

/// Restores the verified `chain` after `swap` changed the export, in at most `BLOCKED_AFTER`;
/// the image must hold the verified bytes (or the restore must refuse).
fn restore_after_swap(root: &Path, dir: PathBuf, swap: impl FnOnce()) {
    let chain = open_chain(&[dir]).unwrap();
    swap();
    let out = root.join("out");
    let result = within_deadline("the restore", move || {
        chain
            .restore_into(&out)
            .map(|summary| summary.disks[0].image_path.clone())
    });
    match result {
        Ok(image) => {
            let bytes = fs::read(image).unwrap();
            assert!(
                bytes[4096..4096 + 8192] == pattern(1, 8192)[..],
                "the image holds bytes that were never verified (the swapped-in file's)"
            );
        }
        Err(e) => panic!("the verified log could not be applied: {e}"),
    }
}

#[test]
fn log_swapped_for_a_symlink_after_verification_is_not_followed() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    let outside = outside_log(root.path());
    let log = dir.join(LOG);
    restore_after_swap(root.path(), dir, || {
        fs::remove_file(&log).unwrap();
        std::os::unix::fs::symlink(&outside, &log).unwrap();
    });
}

#[test]
fn log_swapped_for_a_fifo_after_verification_does_not_block_the_restore() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    let log = dir.join(LOG);
    restore_after_swap(root.path(), dir, || {
        fs::remove_file(&log).unwrap();
        mkfifo(&log);
    });
}

#[test]
fn folder_swapped_for_a_symlink_after_verification_is_not_followed() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    let elsewhere = root.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    fs::rename(outside_log(root.path()), elsewhere.join("disk0.rplog")).unwrap();
    let folder = dir.join("Virtual Hard Disks");
    restore_after_swap(root.path(), dir.clone(), || {
        fs::rename(&folder, dir.join("moved away")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &folder).unwrap();
    });
}

#[test]
fn symlinked_log_in_an_export_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    let log = dir.join(LOG);
    let copy = root.path().join("copy.rplog");
    fs::rename(&log, &copy).unwrap();
    std::os::unix::fs::symlink(&copy, &log).unwrap();
    let message = verify_export(&dir).unwrap_err().to_string();
    assert_mentions(&message, "symbolic link");
    assert_mentions(&message, "disk0.rplog");
}

#[test]
fn fifo_listed_in_an_export_is_refused_without_blocking() {
    let root = tempfile::tempdir().unwrap();
    let dir = export(root.path());
    let log = dir.join(LOG);
    fs::remove_file(&log).unwrap();
    mkfifo(&log);
    let message = within_deadline("verify", move || {
        verify_export(&dir).unwrap_err().to_string()
    });
    assert_mentions(&message, "disk0.rplog");
    assert_mentions(&message, "FIFO");
}

#[test]
fn read_log_refuses_a_symlink_and_a_fifo_without_blocking() {
    let root = tempfile::tempdir().unwrap();
    let outside = outside_log(root.path());
    let link = root.path().join("link.rplog");
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    assert_mentions(&read_log(&link).unwrap_err().to_string(), "symbolic link");
    let fifo = root.path().join("fifo.rplog");
    mkfifo(&fifo);
    let message = within_deadline("read_log", move || read_log(&fifo).unwrap_err().to_string());
    assert_mentions(&message, "FIFO");
}
