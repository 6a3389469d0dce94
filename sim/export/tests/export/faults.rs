//! Failures: a non-empty directory, out of space mid-copy, access denied, source errors, the
//! base destroyed or its RCT reset between the call and the start, and a service crash. Each
//! ends in Exception (10) with the documented ErrorCode and CIM_Error chain, and leaves nothing
//! listed.

use crate::common::*;
use rpsim_export::guid::Guid;
use rpsim_export::service::ExportService;
use rpsim_export::source::{ReferencePointType, SourceErrorKind};
use rpsim_export::wmi::{CimError, JobProperties};

struct Setup {
    source: FakeSource,
    base: Guid,
    rp: Guid,
    tmp: tempfile::TempDir,
    service: ExportService,
}

fn setup() -> Setup {
    let mut source = FakeSource::two_vm_group();
    for b in 0..6 {
        source.write(DISK1, b);
        source.write(DISK2, b);
    }
    let base = source.take(0x30, ReferencePointType::Rct);
    for b in 6..12 {
        source.write(DISK1, b);
    }
    let rp = source.take(0x31, ReferencePointType::Rct);
    Setup {
        source,
        base,
        rp,
        tmp: tempfile::tempdir().unwrap(),
        service: ExportService::new("h"),
    }
}

impl Setup {
    fn dir(&self) -> std::path::PathBuf {
        self.tmp.path().join("e")
    }
    fn run_with(
        &mut self,
        base: bool,
        target: &mut FaultyTarget,
    ) -> (JobProperties, Vec<CimError>) {
        let b = self.base;
        let c = call(&self.rp, base.then_some(&b), &self.dir());
        let job = start(&mut self.service, &self.source, &c);
        let last = run(&mut self.service, job, &self.source, target)
            .pop()
            .unwrap();
        let (code, chain) = self.service.get_error_ex(job, 0).unwrap();
        assert_eq!(code, 0);
        assert_eq!(
            self.service.get_error(job, 0).unwrap().1.as_ref(),
            chain.first(),
            "GetError is the outermost error"
        );
        (last, chain)
    }
}

fn assert_nothing_listed(p: &JobProperties) {
    let lists = [
        &p.exported_disks,
        &p.exported_log_file_paths,
        &p.exported_config_file_paths,
        &p.exported_runtime_file_paths,
        &p.exported_guest_state_file_paths,
    ];
    assert!(
        lists.iter().all(|l| l.is_empty()),
        "files listed by a failed job: {p:#?}"
    );
}

#[test]
fn not_empty_directory_fails_with_already_exists_and_touches_nothing() {
    let mut s = setup();
    std::fs::create_dir(s.dir()).unwrap();
    std::fs::write(s.dir().join("keep.txt"), b"precious").unwrap();
    let (last, chain) = s.run_with(false, &mut FaultyTarget::new());
    assert_eq!(last.job_state, 10);
    assert_eq!(chain.last().unwrap().cim_status_code, 11, "{chain:#?}");
    assert_eq!(list_files(&s.dir()), vec!["keep.txt".to_string()]);
    assert_eq!(
        std::fs::read(s.dir().join("keep.txt")).unwrap(),
        b"precious"
    );
    assert_nothing_listed(&last);
}

#[test]
fn target_full_mid_copy_fails_with_capacity_problem_and_removes_everything() {
    let mut s = setup();
    let mut target = FaultyTarget::new();
    target.space_bytes = Some(300 * 1024);
    let (last, chain) = s.run_with(true, &mut target);
    assert_eq!((last.job_state, last.error_code), (10, 32768));
    assert_eq!(
        last.operational_status,
        vec![2],
        "Msvm_ConcreteJob: always OK"
    );
    assert_eq!(last.health_state, 5);
    assert!(
        last.error_description
            .starts_with("export of reference point")
            && last.error_description.contains("No space left on device"),
        "ErrorDescription names the cause: {}",
        last.error_description
    );
    assert!(
        chain.len() >= 3,
        "job, file and I/O errors expected: {chain:#?}"
    );
    assert!(chain[0].message.contains("export of reference point"));
    assert!(
        chain[1].message.contains("export of"),
        "{}",
        chain[1].message
    );
    assert_eq!(chain.last().unwrap().probable_cause, 50);
    assert!(chain
        .last()
        .unwrap()
        .message
        .to_lowercase()
        .contains("no space left"));
    assert!(
        !last.error_summary_description.is_empty()
            && !last.error_summary_description.contains('\n')
    );
    assert!(!s.dir().exists(), "left behind: {:?}", list_files(&s.dir()));
    assert_nothing_listed(&last);
    assert!(last.percent_complete < 100);
    // The base is still usable: the same differential succeeds once space is back.
    let (again, _) = s.run_with(true, &mut FaultyTarget::new());
    assert_eq!(again.job_state, 7);
}

#[test]
fn unwritable_directory_fails_with_access_denied() {
    let mut s = setup();
    let mut target = FaultyTarget::new();
    target.deny_create_dir = true;
    let (last, chain) = s.run_with(false, &mut target);
    assert_eq!((last.job_state, last.error_code), (10, 32769));
    assert_eq!(chain.last().unwrap().cim_status_code, 2);
    assert!(!s.dir().exists());
}

#[test]
fn base_destroyed_before_start_fails_not_found() {
    let mut s = setup();
    let c = call(&s.rp, Some(&s.base), &s.dir());
    let job = start(&mut s.service, &s.source, &c);
    s.source.points.remove(&s.base);
    let last = run(&mut s.service, job, &s.source, &mut FaultyTarget::new())
        .pop()
        .unwrap();
    assert_eq!((last.job_state, last.error_code), (10, 32779));
    let chain = s.service.get_error_ex(job, 0).unwrap().1;
    assert_eq!(chain.last().unwrap().probable_cause, 73);
    assert_eq!(chain.last().unwrap().cim_status_code, 6);
    assert!(!s.dir().exists());
}

#[test]
fn rct_reset_between_call_and_start_fails_with_database_inconsistency() {
    let mut s = setup();
    let c = call(&s.rp, Some(&s.base), &s.dir());
    let job = start(&mut s.service, &s.source, &c);
    s.source.point_mut(&s.base).members[0].disks[0].rct_usable = false;
    let last = run(&mut s.service, job, &s.source, &mut FaultyTarget::new())
        .pop()
        .unwrap();
    assert_eq!((last.job_state, last.error_code), (10, 32775));
    assert_eq!(
        s.service
            .get_error_ex(job, 0)
            .unwrap()
            .1
            .last()
            .unwrap()
            .probable_cause,
        116
    );
    assert_nothing_listed(&last);
}

#[test]
fn source_errors_mid_run_map_to_their_codes_and_clean_up() {
    for (kind, code, cause) in [
        (SourceErrorKind::ReadFailed, 32768, 24),
        (SourceErrorKind::NotFound, 32779, 73),
        (SourceErrorKind::Unavailable, 32777, 57),
    ] {
        let mut s = setup();
        s.source.read_error = Some(kind.clone());
        let (last, chain) = s.run_with(false, &mut FaultyTarget::new());
        assert_eq!((last.job_state, last.error_code), (10, code), "{kind:?}");
        assert_eq!(chain.last().unwrap().probable_cause, cause, "{kind:?}");
        assert!(
            chain.iter().any(|e| e.message.contains("export of disk")),
            "{kind:?}: {chain:#?}"
        );
        assert!(
            !s.dir().exists(),
            "{kind:?} left {:?}",
            list_files(&s.dir())
        );
        assert_nothing_listed(&last);
    }
}

#[test]
fn service_crash_abandons_jobs_without_a_manifest() {
    let mut s = setup();
    let c = call(&s.rp, None, &s.dir());
    let job = start(&mut s.service, &s.source, &c);
    let mut target = FaultyTarget::new();
    for i in 0..20 {
        s.service.step(job, &s.source, &mut target, 2_000 + i);
    }
    s.service.abandon_all("host crashed", 50_000);
    let p = s.service.job_properties(job, 50_000).unwrap();
    assert_eq!((p.job_state, p.error_code), (10, 32777));
    assert_eq!(
        s.service
            .get_error(job, 50_000)
            .unwrap()
            .1
            .unwrap()
            .probable_cause,
        57
    );
    assert!(!list_files(&s.dir()).iter().any(|f| f == "export.manifest"));
    assert_eq!(
        s.service.request_state_change(
            job,
            rpsim_export::wmi::RequestedState::Start.code(),
            0,
            50_001
        ),
        Ok(4097)
    );
}
