//! `Msvm_CollectionReferencePointService.ExportReferencePoint` and the jobs it owns: synchronous
//! validation with the documented return codes, then the job objects, stepped by the caller.
//! Owns the registry of running exports (directories in use); it must never touch files
//! itself (jobs do, through the target) nor read a clock. The values of the API (`ExportCall`,
//! `CallResult`, `JobId`, `StepOutcome`) live in `call.rs` and are re-exported here.
//!
//! API CONTRACT (fixed; implementations fill the bodies).

pub use crate::call::{CallResult, ExportCall, JobId, StepOutcome};
use crate::cimtime::TIME_BEFORE_REMOVAL_NS;
use crate::errors::{self, cim_status, error_type, probable_cause, Cause};
use crate::guid::Guid;
use crate::job::Job;
use crate::probes;
use crate::properties;
use crate::source::ExportSource;
use crate::target::ExportTarget;
use crate::validate::{self, Refusal, RefusalKind, ValidatedCall};
use crate::wmi::{return_code, CimError, JobProperties, WmiError};
use rpsim_probe::{Probe, ProbeHits};
use std::collections::BTreeMap;
use xxhash_rust::xxh3::xxh3_128;

/// Bound on jobs a service remembers (finished jobs are forgotten after TimeBeforeRemoval).
pub const JOBS_MAX: usize = 4096;

/// The service. Fields are private to this module.
#[derive(Debug)]
pub struct ExportService {
    host_name: String,
    jobs: BTreeMap<JobId, Job>,
    next_sequence: u64,
    /// Coverage probes the calls and steps reached (write-only here: never read to decide).
    probes: ProbeHits,
}

impl ExportService {
    /// A service on the named host (the name seeds job `InstanceID`s deterministically).
    pub fn new(host_name: &str) -> ExportService {
        ExportService {
            host_name: host_name.to_string(),
            jobs: BTreeMap::new(),
            next_sequence: 1,
            probes: ProbeHits::off(),
        }
    }

    /// Counts the coverage probes reached from now on (see [`ExportService::probe_hits`]).
    pub fn observe_probes(&mut self) {
        self.probes = ProbeHits::observing();
    }

    /// The coverage probes reached so far (all zero unless [`ExportService::observe_probes`]).
    pub fn probe_hits(&self) -> &ProbeHits {
        &self.probes
    }

    /// `ExportReferencePoint`: validates synchronously; returns 4096 and a job, or an error code
    /// and no job.
    pub fn export_reference_point(
        &mut self,
        source: &dyn ExportSource,
        call: &ExportCall,
        now_ns: u64,
    ) -> CallResult {
        self.forget_removed(now_ns);
        let validated = match validate::validate(source, call).and_then(|v| self.check_conflicts(v))
        {
            Ok(v) => v,
            Err(refusal) => {
                self.probes.hit(probes::refusal(&refusal));
                return CallResult {
                    return_code: refusal.return_code(),
                    job: None,
                    error: Some(refusal.cim_error()),
                };
            }
        };
        if self.jobs.len() >= JOBS_MAX {
            self.probes.hit(Probe::CallTooManyJobs);
            let cause = Cause::new(
                return_code::OUT_OF_MEMORY,
                error_type::SOFTWARE,
                probable_cause::OTHER,
                cim_status::FAILED,
            );
            let message = format!("the service already holds {JOBS_MAX} jobs");
            let error = errors::cim_error(cause, errors::severity::MAJOR, "RPSIM-CALL", message);
            return CallResult {
                return_code: return_code::OUT_OF_MEMORY,
                job: None,
                error: Some(error),
            };
        }
        if validated.base.is_some() {
            self.probes.hit(Probe::CallDifferentialStarted);
        }
        if !call.virtual_machines_to_disks_to_export.is_empty() {
            self.probes.hit(Probe::CallSelectionStarted);
        }
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        let id = JobId(sequence);
        let job = Job::new(
            self.derive_instance_id(sequence),
            call.clone(),
            validated,
            now_ns,
        );
        assert!(
            self.jobs.insert(id, job).is_none(),
            "job ids are never reused"
        );
        CallResult {
            return_code: return_code::JOB_STARTED,
            job: Some(id),
            error: None,
        }
    }

    /// InstanceID = xxh3-128 of (host name, 0, job sequence), as a version-8 GUID.
    fn derive_instance_id(&self, sequence: u64) -> Guid {
        let mut bytes = self.host_name.as_bytes().to_vec();
        bytes.push(0);
        bytes.extend_from_slice(&sequence.to_le_bytes());
        Guid::from_u128(xxh3_128(&bytes))
    }

    /// 32774 when an unfinished job exports the same VM group or into an overlapping directory.
    fn check_conflicts(&self, v: ValidatedCall) -> Result<ValidatedCall, Refusal> {
        use crate::planted::{active, PlantedBug};
        use crate::wmi::JobState;
        if active(PlantedBug::FailedDiffPoisonsBase) {
            // PLANTED BUG failed-diff-poisons-base
            if let Some(base) = &v.base {
                let failed_on_base = self.jobs.values().any(|j| {
                    matches!(
                        j.state(),
                        JobState::Terminated | JobState::Killed | JobState::Exception
                    ) && j
                        .validated
                        .base
                        .as_ref()
                        .is_some_and(|b| b.collection_id == base.collection_id)
                });
                if failed_on_base {
                    let message = "a differential on this base failed".to_string();
                    return Err(Refusal::new(RefusalKind::RctReset, message));
                }
            }
        }
        let unfinished = |j: &&Job| {
            // PLANTED BUG conflict-counts-killed / busy-ignores-suspended /
            // busy-ignores-differentials
            (!j.state().is_final()
                || (active(PlantedBug::ConflictCountsKilled) && j.state() == JobState::Killed))
                && !(active(PlantedBug::BusyIgnoresSuspended) && j.state() == JobState::Suspended)
                && !(active(PlantedBug::BusyIgnoresDifferentials) && j.validated.base.is_some())
        };
        for job in self.jobs.values().filter(unfinished) {
            let other = &job.validated;
            if other.reference_point.virtual_system_collection_id
                == v.reference_point.virtual_system_collection_id
            {
                let message = format!("job {} is already exporting this VM group", job.instance_id);
                return Err(Refusal::new(RefusalKind::InUse, message));
            }
            // PLANTED BUG directory-check-skipped
            if !active(PlantedBug::DirectoryCheckSkipped)
                && crate::winpath::directories_overlap(&other.export_directory, &v.export_directory)
            {
                let message = format!(
                    "job {} is already writing to `{}`",
                    job.instance_id, other.export_directory
                );
                return Err(Refusal::new(RefusalKind::InUse, message));
            }
        }
        Ok(v)
    }

    fn forget_removed(&mut self, now_ns: u64) {
        self.jobs.retain(|_, job| !removed(job, now_ns));
    }

    /// Advances the job by one target operation (or one state move).
    pub fn step(
        &mut self,
        job: JobId,
        source: &dyn ExportSource,
        target: &mut dyn ExportTarget,
        now_ns: u64,
    ) -> StepOutcome {
        match self.jobs.get_mut(&job) {
            Some(j) => {
                let before = probes::Before::of(j);
                let outcome = j.step(source, target, now_ns);
                probes::step(before, j, &mut self.probes);
                outcome
            }
            None => StepOutcome::Finished,
        }
    }

    /// `RequestStateChange(RequestedState, TimeoutPeriod)` with `RequestedState` as the uint16
    /// WMI passes (`RequestedState::code`); `timeout_ns == 0` means none. A job that does not
    /// exist (removed `TimeBeforeRemoval` after it ended, or never created) is WMI's not-found.
    pub fn request_state_change(
        &mut self,
        job: JobId,
        requested: u16,
        timeout_ns: u64,
        now_ns: u64,
    ) -> Result<u32, WmiError> {
        let Ok(j) = self.live_job_mut(job, now_ns) else {
            self.probes.hit(Probe::RscNotFound);
            return Err(WmiError::NotFound);
        };
        let before = probes::Before::of(j);
        let answer = j.request(requested, timeout_ns, now_ns);
        probes::state_change(before, requested, answer, &mut self.probes);
        Ok(answer)
    }

    /// The job object under its WMI property names, as polled at `now_ns`; `None` (a read
    /// finds nothing) once `TimeBeforeRemoval` has passed after it finished, or for an
    /// unknown id.
    pub fn job_properties(&self, job: JobId, now_ns: u64) -> Option<JobProperties> {
        let j = self.live_job(job, now_ns).ok()?;
        Some(properties::job_properties(j, now_ns))
    }

    /// [`JobGlance`](crate::wmi::JobGlance) of the job at `now_ns` (`None` when a read finds nothing): what
    /// [`Self::job_properties`] would say of its state, progress and cancellability, cheaply.
    pub fn job_glance(&self, job: JobId, now_ns: u64) -> Option<crate::wmi::JobGlance> {
        let j = self.live_job(job, now_ns).ok()?;
        Some(crate::wmi::JobGlance {
            job_state: j.state().code(),
            percent_complete: j.percent_complete(),
            cancellable: j.cancellable(),
        })
    }

    /// `GetError` at `now_ns`: (return code 0, the error when the job failed or a client
    /// ended it), or not-found once the job is gone.
    pub fn get_error(&self, job: JobId, now_ns: u64) -> Result<(u32, Option<CimError>), WmiError> {
        let j = self.live_job(job, now_ns)?;
        Ok((return_code::COMPLETED, properties::errors_of(j).0))
    }

    /// `GetErrorEx` at `now_ns`: (return code 0, every error, outermost first), or not-found
    /// once the job is gone. [`crate::cimxml::msvm_error`] gives each error as the CIM-XML
    /// text WMI hands a client.
    pub fn get_error_ex(&self, job: JobId, now_ns: u64) -> Result<(u32, Vec<CimError>), WmiError> {
        let j = self.live_job(job, now_ns)?;
        Ok((return_code::COMPLETED, properties::errors_of(j).1))
    }

    /// The job if it still exists at `now_ns`.
    fn live_job(&self, job: JobId, now_ns: u64) -> Result<&Job, WmiError> {
        match self.jobs.get(&job) {
            Some(j) if !removed(j, now_ns) => Ok(j),
            _ => Err(WmiError::NotFound),
        }
    }

    fn live_job_mut(&mut self, job: JobId, now_ns: u64) -> Result<&mut Job, WmiError> {
        match self.jobs.get_mut(&job) {
            Some(j) if !removed(j, now_ns) => Ok(j),
            _ => Err(WmiError::NotFound),
        }
    }

    /// The service process died (host crash): every unfinished job ends in Exception at once,
    /// with no cleanup.
    pub fn abandon_all(&mut self, reason: &str, now_ns: u64) {
        for job in self.jobs.values_mut() {
            if !job.state().is_final() {
                self.probes.hit(Probe::JobAbandoned);
            }
            job.abandon(reason, now_ns);
            assert!(job.state().is_final());
        }
    }

    /// What a job is doing now (`Activity::Ended` once final); `None` for an unknown job.
    pub fn activity(&self, job: JobId) -> Option<crate::job::Activity> {
        self.jobs.get(&job).map(Job::activity)
    }

    /// Guid of a job (its `InstanceID`).
    pub fn instance_id(&self, job: JobId) -> Option<Guid> {
        self.jobs.get(&job).map(|j| j.instance_id)
    }

    /// Ids of every job the service remembers, in creation order.
    pub fn job_ids(&self) -> Vec<JobId> {
        self.jobs.keys().copied().collect()
    }
}

/// Finished more than TimeBeforeRemoval ago.
fn removed(job: &Job, now_ns: u64) -> bool {
    job.times
        .finish_ns
        .is_some_and(|f| now_ns > f.saturating_add(TIME_BEFORE_REMOVAL_NS))
}
