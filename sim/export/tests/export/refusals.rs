//! Synchronous refusals of `ExportReferencePoint`: each returns its documented code, starts no
//! job and touches nothing on disk.

use crate::common::*;
use rpsim_export::guid::Guid;
use rpsim_export::service::{ExportCall, ExportService};
use rpsim_export::source::ReferencePointType;

type Mutation = Box<dyn Fn(&mut ExportCall)>;

struct Fixture {
    source: FakeSource,
    base: Guid,
    rp: Guid,
    tmp: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let mut source = FakeSource::two_vm_group();
    source.write(DISK1, 1);
    let base = source.take(0x50, ReferencePointType::Rct);
    source.write(DISK1, 2);
    let rp = source.take(0x51, ReferencePointType::Rct);
    Fixture {
        source,
        base,
        rp,
        tmp: tempfile::tempdir().unwrap(),
    }
}

impl Fixture {
    fn dir(&self) -> std::path::PathBuf {
        self.tmp.path().join("export")
    }
    fn call(&self) -> ExportCall {
        call(&self.rp, Some(&self.base), &self.dir())
    }
}

fn assert_refused(f: &Fixture, service: &mut ExportService, c: &ExportCall, code: u32, why: &str) {
    let result = service.export_reference_point(&f.source, c, 1_000);
    assert_eq!(result.return_code, code, "{why}: {:?}", result.error);
    assert!(result.job.is_none(), "{why}: a refused call started a job");
    let error = result
        .error
        .unwrap_or_else(|| panic!("{why}: no error explains the refusal"));
    assert!(!error.message.is_empty());
    assert!(
        !f.dir().exists(),
        "{why}: the refused call created the directory"
    );
}

#[test]
fn malformed_or_unknown_arguments_return_32773() {
    let f = fixture();
    let mut service = ExportService::new("h");
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "malformed reference point",
            Box::new(|c| c.reference_point_collection = "nope".into()),
        ),
        (
            "unknown reference point",
            Box::new(|c| c.reference_point_collection = Guid([9; 16]).to_string()),
        ),
        (
            "relative directory",
            Box::new(|c| c.export_directory = "relative/dir".into()),
        ),
        (
            "empty directory",
            Box::new(|c| c.export_directory = String::new()),
        ),
        (
            "dot-dot directory",
            Box::new(|c| c.export_directory = "/tmp/../etc".into()),
        ),
        (
            "NUL in directory",
            Box::new(|c| c.export_directory = "/tmp/a\0b".into()),
        ),
        (
            "malformed base",
            Box::new(|c| c.base_reference_point_collection = "{xyz}".into()),
        ),
        (
            "unknown base",
            Box::new(|c| c.base_reference_point_collection = Guid([8; 16]).to_string()),
        ),
        (
            "malformed selection",
            Box::new(|c| c.virtual_machines_to_disks_to_export = vec!["garbage".into()]),
        ),
        (
            "VM not a member",
            Box::new(|c| c.virtual_machines_to_disks_to_export = vec![Guid([7; 16]).to_string()]),
        ),
        (
            "disk not attached to that VM",
            Box::new(|c| c.virtual_machines_to_disks_to_export = vec![format!("{VM1}:{DISK2}")]),
        ),
    ];
    for (why, mutate) in cases {
        let mut c = f.call();
        mutate(&mut c);
        assert_refused(&f, &mut service, &c, 32773, why);
    }
}

#[test]
fn unsuitable_bases_return_32773() {
    let mut f = fixture();
    let mut service = ExportService::new("h");
    let newer = call(&f.base, Some(&f.rp), &f.dir());
    assert_refused(
        &f,
        &mut service,
        &newer,
        32773,
        "base newer than the reference point",
    );
    let itself = call(&f.rp, Some(&f.rp), &f.dir());
    assert_refused(
        &f,
        &mut service,
        &itself,
        32773,
        "base equal to the reference point",
    );
    f.source.point_mut(&f.base).virtual_system_collection_id = Guid([0x77; 16]);
    assert_refused(
        &f,
        &mut service,
        &f.call(),
        32773,
        "base from another VM group",
    );
    f.source.point_mut(&f.base).virtual_system_collection_id = GROUP;
    f.source.point_mut(&f.base).reference_point_type = ReferencePointType::Log;
    assert_refused(&f, &mut service, &f.call(), 32773, "base of another type");
}

#[test]
fn removed_logs_and_reset_change_tracking_return_32775() {
    let mut f = fixture();
    let mut service = ExportService::new("h");
    let log_rp = f.source.take(0x60, ReferencePointType::Log);
    f.source.point_mut(&log_rp).has_associated_log = false;
    assert_refused(
        &f,
        &mut service,
        &call(&log_rp, None, &f.dir()),
        32775,
        "log-based target whose log was removed",
    );

    let log_base = f.source.take(0x61, ReferencePointType::Log);
    let log_target = f.source.take(0x62, ReferencePointType::Log);
    f.source.point_mut(&log_base).has_associated_log = false;
    assert_refused(
        &f,
        &mut service,
        &call(&log_target, Some(&log_base), &f.dir()),
        32775,
        "log-based base whose log was removed",
    );

    f.source.point_mut(&f.base).members[0].disks[0].rct_usable = false;
    assert_refused(
        &f,
        &mut service,
        &f.call(),
        32775,
        "base whose RCT was reset",
    );
}

#[test]
fn busy_group_or_directory_returns_32774() {
    let mut f = fixture();
    let mut service = ExportService::new("h");
    f.source.unavailable = Some("VM1 is migrating".into());
    assert_refused(&f, &mut service, &f.call(), 32774, "group unavailable");
    f.source.unavailable = None;

    let first = start(
        &mut service,
        &f.source,
        &call(&f.rp, None, &f.tmp.path().join("first")),
    );
    assert_refused(
        &f,
        &mut service,
        &f.call(),
        32774,
        "another export of the same group is running",
    );

    // A reference point of another group, into the directory the first job uses.
    let other = f.source.take(0x70, ReferencePointType::Rct);
    f.source.point_mut(&other).virtual_system_collection_id = Guid([0x71; 16]);
    let same_dir = call(&other, None, &f.tmp.path().join("first/"));
    assert_refused(
        &f,
        &mut service,
        &same_dir,
        32774,
        "another export writes to the same directory",
    );
    let nested = call(&other, None, &f.tmp.path().join("first/inner"));
    assert_refused(
        &f,
        &mut service,
        &nested,
        32774,
        "another export writes to an enclosing directory",
    );

    // Once the first job is final, both calls are accepted.
    assert_eq!(
        service.request_state_change(
            first,
            rpsim_export::wmi::RequestedState::Kill.code(),
            0,
            2_000
        ),
        Ok(0)
    );
    start(&mut service, &f.source, &same_dir);
}
