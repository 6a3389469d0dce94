//! Happy paths: the files of a full and a differential export, their content, shared disks,
//! VM file presence rules, disk selection, progress and job properties.

use crate::common::*;
use rpsim_export::guid::Guid;
use rpsim_export::logfile;
use rpsim_export::manifest;
use rpsim_export::service::ExportService;
use rpsim_export::source::{ReferencePointType, VmPowerState};
use rpsim_export::wmi::JobProperties;
use std::path::Path;
use xxhash_rust::xxh3::xxh3_128;

fn seeded_source() -> FakeSource {
    let mut s = FakeSource::two_vm_group();
    for b in [0, 1, 2, 7] {
        s.write(DISK1, b);
    }
    s.write(DISK2, 15);
    s.write(SHARED, 4);
    s
}

/// Rebuilds a disk image from a log on top of `start`.
fn apply_log(start: &mut [u8], log: &logfile::DecodedLog) {
    for e in &log.extents {
        let at = e.offset_bytes as usize;
        start[at..at + e.data.len()].copy_from_slice(&e.data);
    }
}

fn read_log(dir: &Path, stem: &str) -> logfile::DecodedLog {
    let bytes =
        std::fs::read(dir.join("Virtual Hard Disks").join(format!("{stem}.rplog"))).unwrap();
    logfile::decode(&bytes).unwrap_or_else(|e| panic!("log {stem} does not decode: {e}"))
}

#[test]
fn full_export_writes_every_file_lists_them_and_manifests_them() {
    let mut source = seeded_source();
    let rp = source.take(0xA1, ReferencePointType::Rct);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("export");
    let mut service = ExportService::new("host-a");
    let job = start(&mut service, &source, &call(&rp, None, &dir));
    let mut target = FaultyTarget::new();
    let polls = run(&mut service, job, &source, &mut target);
    let last = polls.last().unwrap();
    assert_eq!(
        (last.job_state, last.percent_complete, last.error_code),
        (7, 100, 0),
        "{last:#?}"
    );
    assert_eq!(last.operational_status, vec![2]);
    assert_eq!(last.status_descriptions, vec!["OK".to_string()]);
    assert!(service.get_error_ex(job, 0).unwrap().1.is_empty());
    assert_eq!(service.get_error(job, 0), Ok((0, None)));
    assert_eq!(last.error_description, "");

    let expected = full_export_files();
    assert_eq!(list_files(&dir), expected);
    assert_full_export_listed(last, &dir);
    assert_manifest_names(&dir, rp, &expected[..7]);
    assert_full_logs_restore(&dir, &source, rp);
}

/// Every file of the full export of `two_vm_group`, sorted, the manifest last.
fn full_export_files() -> Vec<String> {
    let vm1 = VM1.to_string();
    let vm2 = VM2.to_string();
    vec![
        format!("Virtual Hard Disks/Microsoft_VM1_disk1.rplog"),
        format!("Virtual Hard Disks/Microsoft_VM2_disk2.rplog"),
        format!("Virtual Hard Disks/Microsoft_shared.vhds.rplog"),
        format!("Virtual Machines/{vm1}.vmcx"),
        format!("Virtual Machines/{vm1}.vmgs"),
        format!("Virtual Machines/{vm1}.vmrs"),
        format!("Virtual Machines/{vm2}.vmcx"),
        "export.manifest".to_string(),
    ]
}

/// The `Exported*` properties of a full export of `two_vm_group` into `dir`.
fn assert_full_export_listed(last: &JobProperties, dir: &Path) {
    let vm1 = VM1.to_string();
    let vm2 = VM2.to_string();
    let d = dir.to_string_lossy();
    assert_eq!(
        last.exported_disks,
        vec![DISK1, SHARED, DISK2],
        "shared disk listed once, in export order"
    );
    assert_eq!(
        last.exported_config_file_paths,
        vec![
            format!("{d}/Virtual Machines/{vm1}.vmcx"),
            format!("{d}/Virtual Machines/{vm2}.vmcx")
        ]
    );
    assert_eq!(
        last.exported_runtime_file_paths,
        vec![format!("{d}/Virtual Machines/{vm1}.vmrs")]
    );
    assert_eq!(
        last.exported_guest_state_file_paths,
        vec![format!("{d}/Virtual Machines/{vm1}.vmgs")]
    );
    assert_eq!(last.exported_log_file_paths.len(), 3);
    for p in last
        .exported_log_file_paths
        .iter()
        .chain(&last.exported_config_file_paths)
    {
        assert!(
            p.starts_with(&*d) && Path::new(p).is_file(),
            "{p} listed but not a file in the export"
        );
    }
}

/// The manifest of a full export in `dir` names `rp`, no base, and every file but itself,
/// with sizes and checksums that match the files on disk.
fn assert_manifest_names(dir: &Path, rp: Guid, files: &[String]) {
    let text = std::fs::read_to_string(dir.join("export.manifest")).unwrap();
    let m = manifest::parse(&text).unwrap();
    assert_eq!(m.reference_point, rp);
    assert_eq!(m.base_reference_point, None);
    assert_eq!(
        m.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
        files.to_vec()
    );
    for f in &m.files {
        let bytes = std::fs::read(dir.join(&f.path)).unwrap();
        // Manifest v2: a log's checksum is its footer's file checksum (every byte before it).
        let hashed = if f.path.ends_with(".rplog") {
            &bytes[..bytes.len() - rpsim_export::logfile::FOOTER_BYTES as usize]
        } else {
            &bytes[..]
        };
        assert_eq!(
            (bytes.len() as u64, xxh3_128(hashed)),
            (f.size_bytes, f.xxh3_128),
            "manifest entry {}",
            f.path
        );
    }
}

/// Each full log of `two_vm_group` restores its disk's image at `rp` onto zeros.
fn assert_full_logs_restore(dir: &Path, source: &FakeSource, rp: Guid) {
    for (disk, stem) in [
        (DISK1, "Microsoft_VM1_disk1"),
        (DISK2, "Microsoft_VM2_disk2"),
        (SHARED, "Microsoft_shared.vhds"),
    ] {
        let log = read_log(dir, stem);
        assert_eq!(log.header.base_reference_point, None);
        let mut image = vec![0u8; DISK_BYTES as usize];
        apply_log(&mut image, &log);
        assert!(
            image == source.image(disk, &rp),
            "full log of {disk} does not restore the image"
        );
    }
}

#[test]
fn differential_holds_only_changed_extents_with_content_as_of_the_reference_point() {
    let mut source = seeded_source();
    let base = source.take(0xB0, ReferencePointType::Rct);
    for b in [3, 4, 9] {
        source.write(DISK1, b);
    }
    let rp = source.take(0xB1, ReferencePointType::Rct);
    for b in [3, 5, 9] {
        source.write(DISK1, b); // the VM keeps writing during the export
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("diff");
    let mut service = ExportService::new("host-a");
    let job = start(&mut service, &source, &call(&rp, Some(&base), &dir));
    let last = run(&mut service, job, &source, &mut FaultyTarget::new())
        .pop()
        .unwrap();
    assert_eq!(last.job_state, 7);
    assert_eq!(last.base_reference_point_group_id, base.to_string());

    let log = read_log(&dir, "Microsoft_VM1_disk1");
    assert_eq!(log.header.base_reference_point, Some(base));
    let ranges: Vec<(u64, u64)> = log
        .extents
        .iter()
        .map(|e| (e.offset_bytes, e.data.len() as u64))
        .collect();
    assert_eq!(
        ranges,
        vec![
            (3 * BLOCK_BYTES, 2 * BLOCK_BYTES),
            (9 * BLOCK_BYTES, BLOCK_BYTES)
        ]
    );
    let mut image = source.image(DISK1, &base);
    apply_log(&mut image, &log);
    assert!(
        image == source.image(DISK1, &rp),
        "base + differential != image at the reference point"
    );
    assert!(
        read_log(&dir, "Microsoft_VM2_disk2").extents.is_empty(),
        "unchanged disk has no extents"
    );
}

#[test]
fn runtime_and_guest_state_follow_power_state_and_generation() {
    let mut source = seeded_source();
    source.vms[0].power_state = VmPowerState::Off;
    source.vms[0].generation = 1;
    source.vms[1].power_state = VmPowerState::Saved;
    source.vms[1].generation = 2;
    let rp = source.take(0xC1, ReferencePointType::Rct);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("e");
    let mut service = ExportService::new("h");
    let job = start(&mut service, &source, &call(&rp, None, &dir));
    let last = run(&mut service, job, &source, &mut FaultyTarget::new())
        .pop()
        .unwrap();
    let files = list_files(&dir.join("Virtual Machines"));
    let (vm1, vm2) = (VM1.to_string(), VM2.to_string());
    assert_eq!(
        files,
        vec![
            format!("{vm1}.vmcx"),
            format!("{vm2}.vmcx"),
            format!("{vm2}.vmgs"),
            format!("{vm2}.vmrs")
        ]
    );
    assert_eq!(last.exported_runtime_file_paths.len(), 1);
}

#[test]
fn disk_added_after_the_base_is_exported_in_full_with_a_warning() {
    let mut source = seeded_source();
    let base = source.take(0xD0, ReferencePointType::Rct);
    source.vms[1].disks.push("new-disk".into());
    source.current.insert("new-disk".into(), Default::default());
    source.write("new-disk", 2);
    let rp = source.take(0xD1, ReferencePointType::Rct);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("e");
    let mut service = ExportService::new("h");
    let job = start(&mut service, &source, &call(&rp, Some(&base), &dir));
    let last = run(&mut service, job, &source, &mut FaultyTarget::new())
        .pop()
        .unwrap();
    assert_eq!((last.job_state, last.error_code), (7, 0));
    assert_eq!(last.job_status, "Job completed with warnings");
    let warnings = service.get_error_ex(job, 0).unwrap().1;
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].perceived_severity, 3);
    assert!(warnings[0].message.contains("new-disk"));
    assert_eq!(
        service.get_error(job, 0).unwrap().1,
        None,
        "a warning is not an error"
    );
    let log = read_log(&dir, "new-disk");
    assert_eq!(
        log.header.base_reference_point, None,
        "new disk's log is full"
    );
    assert_eq!(log.extents.len(), 1);
}

#[test]
fn selection_exports_only_the_named_vm_and_disk() {
    let mut source = seeded_source();
    let rp = source.take(0xE1, ReferencePointType::Rct);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("e");
    let mut c = call(&rp, None, &dir);
    c.virtual_machines_to_disks_to_export = vec![format!("{VM2}:{DISK2}")];
    let mut service = ExportService::new("h");
    let job = start(&mut service, &source, &c);
    let last = run(&mut service, job, &source, &mut FaultyTarget::new())
        .pop()
        .unwrap();
    assert_eq!(last.virtual_machine_id, vec![VM2.to_string()]);
    assert_eq!(last.exported_disks, vec![DISK2]);
    assert_eq!(
        list_files(&dir),
        vec![
            "Virtual Hard Disks/Microsoft_VM2_disk2.rplog".to_string(),
            format!("Virtual Machines/{VM2}.vmcx"),
            "export.manifest".into()
        ]
    );
}

#[test]
fn percent_complete_is_monotonic_and_reaches_100_only_when_completed() {
    let mut source = seeded_source();
    for b in 0..16 {
        source.write(SHARED, b);
    }
    let rp = source.take(0xF1, ReferencePointType::Rct);
    let tmp = tempfile::tempdir().unwrap();
    let mut service = ExportService::new("h");
    let job = start(
        &mut service,
        &source,
        &call(&rp, None, &tmp.path().join("e")),
    );
    let polls = run(&mut service, job, &source, &mut FaultyTarget::new());
    assert!(polls.len() > 20, "expected many steps, got {}", polls.len());
    let mut previous = 0;
    for p in &polls {
        assert!(
            p.percent_complete >= previous,
            "PercentComplete went back from {previous} to {}",
            p.percent_complete
        );
        assert_eq!(
            p.percent_complete == 100,
            p.job_state == 7,
            "100% exactly when Completed"
        );
        previous = p.percent_complete;
    }
    assert!(
        polls.iter().any(|p| (1..99).contains(&p.percent_complete)),
        "progress is reported in between"
    );
}

#[test]
fn job_properties_are_filled_and_instance_ids_are_deterministic() {
    let mut source = seeded_source();
    let rp = source.take(0xA2, ReferencePointType::Rct);
    let tmp = tempfile::tempdir().unwrap();
    let c = call(&rp, None, &tmp.path().join("e"));
    let mut a = ExportService::new("host-a");
    let mut b = ExportService::new("host-a");
    let mut other = ExportService::new("host-b");
    let (ja, jb, jo) = (
        start(&mut a, &source, &c),
        start(&mut b, &source, &c),
        start(&mut other, &source, &c),
    );
    assert_eq!(a.instance_id(ja), b.instance_id(jb));
    assert_ne!(a.instance_id(ja), other.instance_id(jo));
    let p = a.job_properties(ja, 1_000).unwrap();
    assert_eq!(
        (p.job_type, p.job_state, p.name.as_str()),
        (206, 4, "Export Reference Point")
    );
    assert_eq!(p.time_before_removal, "00000000000500.000000:000");
    assert_eq!(p.time_submitted, "20260101000000.000001+000");
    assert!(p.cancellable && p.delete_on_completion);
    assert_eq!((p.health_state, p.local_or_utc_time), (5, 2));
    assert!(p.description.contains(&rp.to_string()) && !p.owner.is_empty());
    assert_eq!(p.reference_point_group_id, rp.to_string());
    assert_eq!(p.collection_id, GROUP.to_string());
    let polls = run(&mut a, ja, &source, &mut FaultyTarget::new());
    let finish_ns = 2_000 + (polls.len() as u64 - 1) * 1_000;
    assert!(
        a.job_properties(ja, finish_ns + 300_000_000_000).is_some(),
        "visible for 5 minutes"
    );
    assert!(
        a.job_properties(ja, finish_ns + 300_000_000_001).is_none(),
        "gone after TimeBeforeRemoval"
    );
}

#[test]
fn properties_and_errors_serialise_under_wmi_names() {
    let mut source = seeded_source();
    let rp = source.take(0xA3, ReferencePointType::Rct);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("e");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("x"), b"x").unwrap();
    let mut service = ExportService::new("h");
    let job = start(&mut service, &source, &call(&rp, None, &dir));
    let last = run(&mut service, job, &source, &mut FaultyTarget::new())
        .pop()
        .unwrap();
    let json = serde_json::to_value(&last).unwrap();
    for key in [
        "InstanceID",
        "JobState",
        "PercentComplete",
        "ExportedDisks",
        "ReferencePointGroupId",
        "TimeBeforeRemoval",
    ] {
        assert!(
            json.get(key).is_some(),
            "JobProperties has no `{key}`: {json}"
        );
    }
    let error = serde_json::to_value(service.get_error(job, 0).unwrap().1.unwrap()).unwrap();
    assert_eq!(error["ErrorSourceFormat"], 0, "Msvm_Error: always 0");
    assert!(error["OtherErrorSourceFormat"].is_null());
    assert_eq!(error["CIMStatusCode"], 11);
    assert!(error.get("MessageID").is_some() && error.get("ProbableCauseDescription").is_some());
}

#[test]
fn hostile_disk_ids_stay_inside_the_export_directory_one_operation_per_step() {
    let mut source = seeded_source();
    for evil in ["../../evil", "..", "/etc/passwd", ""] {
        source.vms[0].disks.push(evil.to_string());
        source.current.insert(evil.to_string(), Default::default());
        source.write(evil, 1);
    }
    let rp = source.take(0xA4, ReferencePointType::Rct);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("e");
    let mut service = ExportService::new("h");
    let job = start(&mut service, &source, &call(&rp, None, &dir));
    let mut target = FaultyTarget::new();
    for i in 0..STEPS_MAX {
        let before = target.ops;
        let outcome = service.step(job, &source, &mut target, 2_000 + i as u64);
        assert!(
            target.ops - before <= 1,
            "step {i} performed {} target operations",
            target.ops - before
        );
        if outcome == rpsim_export::service::StepOutcome::Finished {
            break;
        }
    }
    assert_eq!(service.job_properties(job, 0).unwrap().job_state, 7);
    for p in &target.paths {
        assert!(
            p.starts_with(&dir),
            "{} is outside the export directory",
            p.display()
        );
        assert!(!p.components().any(|c| c == std::path::Component::ParentDir));
    }
    let logs = list_files(&dir.join("Virtual Hard Disks"));
    for stem in ["_._.._evil", "_.", "_etc_passwd", "disk"] {
        assert!(
            logs.contains(&format!("{stem}.rplog")),
            "{stem}.rplog missing from {logs:?}"
        );
    }
}

#[test]
fn each_extent_record_is_one_target_write_head_and_data_together() {
    let mut source = seeded_source();
    let rp = source.take(0xB1, ReferencePointType::Rct);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("e");
    let mut service = ExportService::new("h");
    let job = start(&mut service, &source, &call(&rp, None, &dir));
    let mut target = FaultyTarget::new();
    run(&mut service, job, &source, &mut target);
    assert_eq!(service.job_properties(job, 0).unwrap().job_state, 7);
    let disks = dir.join("Virtual Hard Disks");
    let mut record_lengths_bytes = Vec::new();
    for stem in list_files(&disks) {
        let stem = stem
            .strip_suffix(".rplog")
            .expect("only logs here")
            .to_string();
        let log = read_log(&dir, &stem);
        record_lengths_bytes.extend(log.extents.iter().map(|e| 24 + e.data.len()));
    }
    assert!(record_lengths_bytes.len() >= 3, "the logs hold records");
    let logs = list_files(&disks).len();
    let blobs = list_files(&dir).len() - logs; // VM files and the manifest, one write each
    assert_eq!(
        target.write_lengths_bytes.len(),
        blobs + logs * 2 + record_lengths_bytes.len(),
        "writes: one per blob, a header and a footer per log, one per record: {:?}",
        target.write_lengths_bytes
    );
    for length in &record_lengths_bytes {
        assert!(
            target.write_lengths_bytes.contains(length),
            "no single write of a whole {length}-byte record: {:?}",
            target.write_lengths_bytes
        );
    }
    assert!(
        !target.write_lengths_bytes.contains(&24),
        "a record head written alone"
    );
}
