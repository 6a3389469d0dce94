//! `RequestStateChange`: Suspend/Start, Service, Terminate (cleanup, 8), Kill (9, never a
//! manifest), Terminate while finalising (4097, still Completed), 4098 and 4099.

use crate::common::*;
use rpsim_export::guid::Guid;
use rpsim_export::service::{ExportService, JobId, StepOutcome};
use rpsim_export::source::ReferencePointType;
use rpsim_export::wmi::RequestedState::{self, *};

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
        self.service.request_state_change(self.job, r, 0, self.now)
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
    assert_eq!(r.request(Start), 4097, "already running");
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
    assert_eq!(r.request(Terminate), 4096);
    assert_eq!(r.state(), 6);
    assert_eq!(r.request(Suspend), 4099, "busy while shutting down");
    assert_eq!(r.request(Terminate), 4099);
    let last = r.finish();
    assert_eq!((last.job_state, last.error_code), (8, 0));
    assert_eq!(last.operational_status, vec![10]);
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
    let (code, error) = r.service.get_error(r.job);
    assert_eq!(code, 0);
    assert!(error.unwrap().message.contains("terminated by request"));
    assert_eq!(r.service.get_error_ex(r.job).1.len(), 1);
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
        assert_eq!(r.request(Kill), 0, "kill after {k} steps");
        assert_eq!(r.state(), 9);
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
fn terminate_while_finalising_is_refused_and_the_export_completes() {
    let mut r = begin();
    let mut steps = 0;
    while r.service.job_properties(r.job, r.now).unwrap().cancellable {
        assert_eq!(r.step(), StepOutcome::Progressed);
        steps += 1;
        assert!(steps < STEPS_MAX);
    }
    assert_eq!(r.request(Terminate), 4097);
    let last = r.finish();
    assert_eq!(last.job_state, 7);
    assert!(r.files().contains(&"export.manifest".to_string()));
}

#[test]
fn timeouts_are_not_supported_and_leave_the_job_unchanged() {
    let mut r = begin();
    r.steps(3);
    let before = r.state();
    for req in [Start, Suspend, Terminate, Kill, Service] {
        assert_eq!(
            r.service
                .request_state_change(r.job, req, 5_000_000_000, r.now),
            4098
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
