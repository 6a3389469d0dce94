//! `RequestStateChange`: Suspend/Start, Service, Terminate (cleanup, 8), Kill (9, never a
//! manifest), Terminate and Kill while finalising (4097, still Completed), Start on a running
//! job (0, no change), values outside the defined ones (5), 4098, 4099, and the not-found
//! answer once the job is removed; `Cancellable` says whether a cancel is accepted now.

use crate::common::*;
use rpsim_export::guid::Guid;
use rpsim_export::service::{ExportService, JobId, StepOutcome};
use rpsim_export::source::ReferencePointType;
use rpsim_export::wmi::RequestedState::{self, *};
use rpsim_export::wmi::WmiError;

struct Run {
    source: FakeSource,
    service: ExportService,
    job: JobId,
    target: FaultyTarget,
    tmp: tempfile::TempDir,
    now: u64,
}

fn begin() -> Run {
    begin_with(8)
}

/// A run whose DISK1 and SHARED each have `blocks` written blocks.
fn begin_with(blocks: u64) -> Run {
    let mut source = FakeSource::two_vm_group();
    for b in 0..blocks {
        source.write(DISK1, b);
        source.write(SHARED, b + 8);
    }
    let rp: Guid = source.take(0x21, ReferencePointType::Rct);
    let tmp = tempfile::tempdir().unwrap();
    let mut service = ExportService::new("h");
    let job = start(
        &mut service,
        &source,
        &call(&rp, None, &tmp.path().join("e")),
    );
    Run {
        source,
        service,
        job,
        target: FaultyTarget::new(),
        tmp,
        now: 2_000,
    }
}

impl Run {
    fn step(&mut self) -> StepOutcome {
        self.now += 1_000;
        self.service
            .step(self.job, &self.source, &mut self.target, self.now)
    }
    fn steps(&mut self, n: usize) {
        for _ in 0..n {
            assert_eq!(self.step(), StepOutcome::Progressed);
        }
    }
    fn request(&mut self, r: RequestedState) -> u32 {
        self.request_code(r.code())
    }
    fn request_code(&mut self, code: u16) -> u32 {
        self.service
            .request_state_change(self.job, code, 0, self.now)
            .expect("the job exists")
    }
    fn cancellable(&self) -> bool {
        self.service
            .job_properties(self.job, self.now)
            .unwrap()
            .cancellable
    }
    fn state(&self) -> u16 {
        self.service
            .job_properties(self.job, self.now)
            .unwrap()
            .job_state
    }
    fn finish(&mut self) -> rpsim_export::wmi::JobProperties {
        run(&mut self.service, self.job, &self.source, &mut self.target)
            .pop()
            .unwrap()
    }
    fn files(&self) -> Vec<String> {
        list_files(&self.tmp.path().join("e"))
    }
}

#[test]
fn suspend_waits_and_start_resumes_to_completion() {
    let mut r = begin();
    r.steps(6);
    assert_eq!(r.request(Suspend), 0);
    assert_eq!(r.state(), 5);
    let ops = r.target.ops;
    assert_eq!(r.step(), StepOutcome::Waiting);
    assert_eq!(
        r.target.ops, ops,
        "a suspended job performs no target operation"
    );
    assert_eq!(r.request(Suspend), 4097, "already suspended");
    assert_eq!(r.request(Service), 0);
    assert_eq!(r.state(), 11);
    assert_eq!(r.step(), StepOutcome::Waiting);
    assert_eq!(r.request(Start), 0);
    assert_eq!(r.state(), 4);
    let changed = r.service.job_properties(r.job, r.now).unwrap();
    r.now += 1_000;
    assert_eq!(
        r.request(Start),
        0,
        "CIM: Start on a running job leaves it running"
    );
    let after = r.service.job_properties(r.job, r.now).unwrap();
    assert_eq!(
        after.time_of_last_state_change, changed.time_of_last_state_change,
        "no state change happened"
    );
    assert_eq!(r.finish().job_state, 7);
}

#[test]
fn suspend_before_the_first_step_then_start_still_completes() {
    let mut r = begin();
    assert_eq!(r.request(Suspend), 0);
    assert_eq!(r.step(), StepOutcome::Waiting);
    assert_eq!(r.request(Start), 0);
    let last = r.finish();
    assert_eq!((last.job_state, last.percent_complete), (7, 100));
    assert!(!last.start_time.is_empty());
}

#[test]
fn terminate_removes_every_file_and_ends_terminated() {
    let mut r = begin();
    r.steps(25);
    assert!(
        !r.files().is_empty(),
        "the test terminates after files exist"
    );
    assert!(!r
        .service
        .job_properties(r.job, r.now)
        .unwrap()
        .exported_config_file_paths
        .is_empty());
    assert!(r.cancellable());
    assert_eq!(r.request(Terminate), 4096);
    assert_eq!(r.state(), 6);
    assert!(!r.cancellable(), "a cancel is refused in Shutting Down");
    assert_eq!(r.request(Suspend), 4099, "busy while shutting down");
    assert_eq!(r.request(Terminate), 4099);
    assert_eq!(
        r.request(Kill),
        4099,
        "Kill is refused too: Cancellable is false"
    );
    let last = r.finish();
    assert_eq!((last.job_state, last.error_code), (8, 0));
    assert_eq!(
        last.operational_status,
        vec![2],
        "Msvm_ConcreteJob: always OK"
    );
    assert!(r.files().is_empty(), "left behind: {:?}", r.files());
    assert!(
        !r.tmp.path().join("e").exists(),
        "the directory the job created is removed"
    );
    assert!(
        last.exported_log_file_paths.is_empty()
            && last.exported_config_file_paths.is_empty()
            && last.exported_disks.is_empty()
    );
    let (code, error) = r.service.get_error(r.job, r.now).unwrap();
    assert_eq!(code, 0);
    assert!(error.unwrap().message.contains("terminated by request"));
    assert_eq!(r.service.get_error_ex(r.job, r.now).unwrap().1.len(), 1);
    assert!(last.error_description.contains("terminated by request"));
    assert_eq!(r.request(Start), 4097, "final job");
}

#[test]
fn kill_at_any_step_never_leaves_a_manifest() {
    let mut k = 0;
    loop {
        let mut r = begin_with(2);
        let mut completed = false;
        for _ in 0..k {
            if r.step() == StepOutcome::Finished {
                completed = true;
                break;
            }
        }
        if completed {
            break;
        }
        if !r.cancellable() {
            assert_eq!(r.request(Kill), 4097, "finalising: kill refused");
            assert_eq!(r.finish().job_state, 7, "the export still completes");
            break;
        }
        assert_eq!(r.request(Kill), 0, "kill after {k} steps");
        assert_eq!(r.state(), 9);
        let (_, notice) = r.service.get_error(r.job, r.now).unwrap();
        assert!(notice.unwrap().message.contains("killed by request"));
        assert_eq!(r.step(), StepOutcome::Finished);
        assert!(
            !r.files().contains(&"export.manifest".to_string()),
            "manifest after a kill at step {k}"
        );
        assert_eq!(r.request(Kill), 4097, "a killed job is final");
        k += 1;
        assert!(k < STEPS_MAX);
    }
    assert!(k > 25, "the loop covered the whole run ({k} steps)");
}

#[test]
fn cancels_while_finalising_are_refused_and_the_export_completes() {
    let mut r = begin();
    let mut steps = 0;
    while r.cancellable() {
        assert_eq!(r.step(), StepOutcome::Progressed);
        steps += 1;
        assert!(steps < STEPS_MAX);
    }
    assert_eq!(r.state(), 4, "finalising, still Running");
    assert_eq!(r.request(Terminate), 4097);
    assert_eq!(
        r.request(Kill),
        4097,
        "DOMAIN: cancel while finalising -> 4097"
    );
    let last = r.finish();
    assert_eq!(last.job_state, 7);
    assert!(!last.exported_log_file_paths.is_empty(), "its data is kept");
    assert!(r.files().contains(&"export.manifest".to_string()));
}

#[test]
fn requested_states_outside_the_defined_values_are_invalid_parameters() {
    let mut r = begin();
    r.steps(3);
    for code in [0, 1, 7, 11, 32767, 32768, 65535] {
        assert_eq!(r.request_code(code), 5, "RequestedState {code}");
        assert_eq!(r.state(), 4, "unchanged by {code}");
    }
    assert_eq!(r.finish().job_state, 7);
    assert_eq!(
        r.request_code(7),
        5,
        "the value is checked before the state"
    );
}

#[test]
fn the_first_read_after_4096_is_running_and_time_of_last_state_change_is_zero() {
    let r = begin();
    let p = r.service.job_properties(r.job, r.now).unwrap();
    assert_eq!(p.job_state, 4, "both client loop styles need 4 or final");
    assert_eq!(p.time_of_last_state_change, "00000000000000.000000:000");
    assert!(p.cancellable);
    assert_eq!(p.job_status, "Job is starting");
}

#[test]
fn a_removed_job_answers_not_found() {
    let mut r = begin();
    let end = r.finish();
    assert_eq!(end.job_state, 7);
    r.now += 600_000_000_000;
    assert!(r.service.job_properties(r.job, r.now).is_none());
    assert_eq!(
        r.service.request_state_change(r.job, Kill.code(), 0, r.now),
        Err(WmiError::NotFound)
    );
    assert_eq!(r.service.get_error(r.job, r.now), Err(WmiError::NotFound));
    assert_eq!(
        r.service.get_error_ex(r.job, r.now),
        Err(WmiError::NotFound)
    );
    assert_eq!(WmiError::NotFound.hresult(), 2_147_749_890);
}

#[test]
fn timeouts_are_not_supported_and_leave_the_job_unchanged() {
    let mut r = begin();
    r.steps(3);
    let before = r.state();
    for req in [Start, Suspend, Terminate, Kill, Service] {
        assert_eq!(
            r.service
                .request_state_change(r.job, req.code(), 5_000_000_000, r.now),
            Ok(4098)
        );
        assert_eq!(r.state(), before);
    }
}

#[test]
fn terminate_before_the_first_step_ends_terminated_with_nothing_created() {
    let mut r = begin();
    assert_eq!(r.request(Terminate), 4096);
    assert_eq!(r.finish().job_state, 8);
    assert!(!r.tmp.path().join("e").exists());
}
