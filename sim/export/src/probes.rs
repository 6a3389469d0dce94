//! Which coverage probe (`rpsim_probe::Probe`) each thing the service sees is: a refused call,
//! a `RequestStateChange` and its answer, and what one step of a job changed (judged from the
//! job's public account before and after the step). Owns those mappings; it must never change
//! a job or a call's answer (it only reads them and counts into the service's hits).

use crate::job::{Activity, Job};
use crate::validate::{Refusal, RefusalKind};
use crate::wmi::{state_change_code as code, JobState, RequestedState};
use rpsim_probe::{Probe, ProbeHits};

/// The probe of a refused `ExportReferencePoint` call.
pub fn refusal(refusal: &Refusal) -> Probe {
    let message = refusal.message.as_str();
    match refusal.kind {
        RefusalKind::ReferencePointMissing => Probe::CallInvalidReferencePoint,
        RefusalKind::BaseMissing => Probe::CallInvalidBase,
        RefusalKind::VmMissing | RefusalKind::DiskMissing => Probe::CallInvalidSelection,
        RefusalKind::LogRemoved => Probe::CallLogRemoved,
        RefusalKind::RctReset => Probe::CallRctResetBase,
        RefusalKind::GroupUnavailable => Probe::CallGroupUnavailable,
        RefusalKind::InUse if message.contains("is already exporting this VM group") => {
            Probe::CallGroupBusy
        }
        RefusalKind::InUse => Probe::CallDirectoryBusy,
        RefusalKind::InvalidParameter => invalid_parameter(message),
    }
}

/// 32773 cases tell themselves apart by the parameter their message names first.
fn invalid_parameter(message: &str) -> Probe {
    let ntfs = ["NTFS", "reserved device name", "ends in a dot or a space"];
    if message.starts_with("ExportDirectory") && ntfs.iter().any(|n| message.contains(n)) {
        Probe::CallNtfsName
    } else if message.starts_with("ExportDirectory") {
        Probe::CallInvalidDirectory
    } else if message.starts_with("base ") || message.starts_with("BaseReferencePoint") {
        Probe::CallInvalidBase
    } else if message.starts_with("ReferencePointCollection") {
        Probe::CallInvalidReferencePoint
    } else {
        Probe::CallInvalidSelection
    }
}

/// What a job looked like before a call or a step, for judging what it changed.
#[derive(Clone, Copy, Debug)]
pub struct Before {
    state: JobState,
    activity: Activity,
    warnings: usize,
    cleanup_errors: usize,
}

impl Before {
    pub fn of(job: &Job) -> Before {
        Before {
            state: job.state(),
            activity: job.activity(),
            warnings: job.warnings.len(),
            cleanup_errors: job.cleanup_errors.len(),
        }
    }
}

/// `RequestStateChange(requested)` answered `answer` on a job that was as `before`.
pub fn state_change(before: Before, requested: u16, answer: u32, hits: &mut ProbeHits) {
    use JobState::*;
    let requested = RequestedState::from_code(requested);
    let probe = match (answer, requested, before.state, before.activity) {
        (code::INVALID_PARAMETER, ..) => Probe::RscUndefinedState,
        (code::TIMEOUT_NOT_SUPPORTED, ..) => Probe::RscTimeout,
        (code::BUSY, ..) => Probe::RscShuttingDown,
        (code::INVALID_STATE_TRANSITION, _, state, _) if state.is_final() => Probe::RscFinal,
        (code::INVALID_STATE_TRANSITION, Some(cancel), _, Activity::Finalising) => match cancel {
            RequestedState::Kill => Probe::CancelKillRefusedFinalising,
            RequestedState::Terminate => Probe::CancelTerminateRefusedFinalising,
            _ => Probe::RscIllegal,
        },
        (
            code::INVALID_STATE_TRANSITION,
            Some(RequestedState::Kill | RequestedState::Terminate),
            _,
            Activity::RemovingAfterFailure,
        ) => Probe::CancelRefusedFailing,
        (code::INVALID_STATE_TRANSITION, ..) => Probe::RscIllegal,
        (_, Some(RequestedState::Kill), state, activity) => cancel(true, state, activity),
        (_, Some(RequestedState::Terminate), state, activity) => cancel(false, state, activity),
        (_, Some(RequestedState::Start), Running, _) => Probe::RscStartRunning,
        (_, Some(RequestedState::Start), ..) => Probe::RscResume,
        (_, Some(RequestedState::Suspend), ..) => Probe::RscSuspend,
        (_, Some(RequestedState::Service), ..) => Probe::RscService,
        _ => return,
    };
    hits.hit(probe);
}

/// An accepted Kill (`kill`) or Terminate, by the state it was made in.
fn cancel(kill: bool, state: JobState, activity: Activity) -> Probe {
    match (kill, state, activity) {
        (true, JobState::Suspended, _) => Probe::CancelKillSuspended,
        (true, JobState::Service, _) => Probe::CancelKillService,
        (true, _, Activity::Starting) => Probe::CancelKillStarting,
        (true, ..) => Probe::CancelKillCopying,
        (false, JobState::Suspended, _) => Probe::CancelTerminateSuspended,
        (false, JobState::Service, _) => Probe::CancelTerminateService,
        (false, _, Activity::Starting) => Probe::CancelTerminateStarting,
        (false, ..) => Probe::CancelTerminateCopying,
    }
}

/// What one step changed in `job`, which was as `before`.
pub fn step(before: Before, job: &Job, hits: &mut ProbeHits) {
    for warning in &job.warnings[before.warnings.min(job.warnings.len())..] {
        if warning.message.contains("exported in full") {
            hits.hit(Probe::JobDiskFullInDifferential);
        }
    }
    for _ in before.cleanup_errors..job.cleanup_errors.len() {
        hits.hit(Probe::JobCleanupError);
    }
    let failed_now = job.activity() == Activity::RemovingAfterFailure
        || (job.state() == JobState::Exception && before.state != JobState::Exception);
    if failed_now && before.activity != Activity::RemovingAfterFailure {
        hits.hit(match before.activity {
            Activity::Starting => Probe::JobFailedStarting,
            Activity::Finalising => Probe::JobFailedFinalising,
            _ => Probe::JobFailedCopying,
        });
    }
    if job.state() == before.state || !job.state().is_final() {
        return;
    }
    match job.state() {
        JobState::Completed if job.validated.base.is_some() => {
            hits.hit(Probe::JobCompletedDifferential)
        }
        JobState::Completed => hits.hit(Probe::JobCompletedFull),
        JobState::Terminated => hits.hit(Probe::JobTerminated),
        JobState::Exception => exception(before, job, hits),
        _ => {}
    }
}

/// A job that just ended in Exception: why, as far as its errors say.
fn exception(before: Before, job: &Job, hits: &mut ProbeHits) {
    if before.activity == Activity::RemovingAfterFailure {
        hits.hit(Probe::JobFailedCleanedUp);
    }
    let said = |text: &str| {
        job.failure
            .iter()
            .flat_map(|f| &f.chain)
            .any(|e| e.message.contains(text))
    };
    if said("is not empty; nothing was overwritten") {
        hits.hit(Probe::JobDirNotEmpty);
    }
    if said("is not a directory; nothing was overwritten") {
        hits.hit(Probe::JobDirNotADirectory);
    }
    if said("was reset while the differential") {
        hits.hit(Probe::JobBaseResetCaught);
    }
}
