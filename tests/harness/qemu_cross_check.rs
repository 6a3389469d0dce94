//! rpsim's own image comparison agrees with `qemu-img compare -f raw -F raw` on a restored image
//! (equal) and on the same image with one byte changed (different). Skipped with a message when
//! qemu-img is not installed (`.ci/run` installs it).

use rpsim_checks::equivalence::{check_restored_disk, write_reference_image};
use rpsim_checks::qemu::qemu_img_compare;
use rpsim_harness::runner::{run_scenario_file, RunOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

#[test]
fn qemu_img_and_rpsim_agree_on_a_restored_differential_chain() {
    let kept = tempfile::tempdir().unwrap();
    let options = RunOptions {
        keep_exports: Some(kept.path().to_path_buf()),
        ..RunOptions::default()
    };
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/differential-rct.yaml");
    let run = run_scenario_file(&file, &options).expect("scenario runs");
    assert!(run.passed(), "{:?}", run.checks.failures);
    let dir = |name: &str| {
        let record = run.outcome.exports.iter().find(|e| e.name == name).unwrap();
        record.real_directory.clone().unwrap()
    };
    let out = tempfile::tempdir().unwrap();
    let images = out.path().join("images");
    let summary = rpsim_restore::restore_chain(&[dir("full"), dir("diff")], &images).unwrap();
    // The smallest disk (`log`, filled from offset 0) keeps the byte search short.
    let disk = summary
        .disks
        .iter()
        .min_by_key(|d| d.virtual_size_bytes)
        .unwrap();
    let oracle = run.outcome.world.oracle();
    let reference = out.path().join("reference.raw");
    write_reference_image(
        &oracle,
        &disk.disk_instance_id,
        &disk.reference_point,
        disk.virtual_size_bytes,
        &reference,
    )
    .unwrap();

    let ours = check_restored_disk(
        &oracle,
        &disk.disk_instance_id,
        &disk.reference_point,
        &disk.image_path,
        disk.virtual_size_bytes,
    );
    let Some(qemu_equal) = qemu_img_compare(&disk.image_path, &reference).unwrap() else {
        eprintln!("qemu-img is not installed; cross-check skipped");
        return;
    };
    assert!(
        ours.is_ok(),
        "rpsim says the restored image differs: {ours:?}"
    );
    assert!(qemu_equal, "qemu-img says the restored image differs");

    flip_first_data_byte(&disk.image_path);
    let ours = check_restored_disk(
        &oracle,
        &disk.disk_instance_id,
        &disk.reference_point,
        &disk.image_path,
        disk.virtual_size_bytes,
    );
    let qemu_equal = qemu_img_compare(&disk.image_path, &reference)
        .unwrap()
        .unwrap();
    assert!(ours.is_err(), "rpsim missed a changed byte");
    assert!(!qemu_equal, "qemu-img missed a changed byte");
}

/// Changes the first non-zero byte of the image (an allocated block starts with data).
fn flip_first_data_byte(image: &Path) {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(image)
        .unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let mut offset = 0u64;
    loop {
        let n = file.read(&mut buf).unwrap();
        assert!(n > 0, "image holds no data");
        if let Some(i) = buf[..n].iter().position(|b| *b != 0) {
            let at = offset + i as u64;
            file.seek(SeekFrom::Start(at)).unwrap();
            file.write_all(&[buf[i] ^ 0xff]).unwrap();
            return;
        }
        offset += n as u64;
    }
}
