//! One `Msvm_CollectionReferencePointExportJob`: its state machine, advanced by `step` calls
//! (each performing at most one target operation), its reaction to `RequestStateChange`, and
//! its all-or-nothing cleanup. Owns the job's progress, listed files and errors; it must never
//! read a clock or touch anything but the target it is handed.

use crate::call::{ExportCall, StepOutcome};
use crate::errors::{self, cim_status, error_type, probable_cause, Cause, Failure};
use crate::guid::Guid;
use crate::layout;
use crate::manifest::{self, Manifest, ManifestFile};
use crate::plan::{self, Content, FileKind, Plan, PlannedFile, WRITE_BYTES_MAX};
use crate::planted::{self, PlantedBug};
use crate::source::ExportSource;
use crate::states;
use crate::stream::{new_writing, produce, Writing};
use crate::target::{DirProbe, ExportTarget, FileHandle};
use crate::validate::{self, ValidatedCall};
use crate::wmi::{return_code, state_change_code, CimError, JobState, RequestedState};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the job is in its work (JobState is what clients see; this is what `step` does next).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Re-validate the call and plan the files (no target operation).
    Start,
    Probe,
    /// Create the export directory (if missing) then each subdirectory.
    MakeDirs {
        next: usize,
    },
    File {
        index: usize,
        stage: FileStage,
    },
    /// Finalisation: sync each subdirectory, write the manifest as `.partial`, sync the export
    /// directory, then rename the manifest (the commit point: Completed in the same step).
    SyncSubdirs {
        next: usize,
    },
    SyncExportDir,
    /// Remove what was created, one operation per step, then end.
    Cleanup,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FileStage {
    Create,
    Write,
    Sync,
    Close,
    Rename,
}

/// How a cleaning-up job ends: Terminate cleans up in ShuttingDown, a failure while Running.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ending {
    Terminate,
    Fail(Failure),
}

/// A complete file: named in `Exported*` and in the manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletedFile {
    pub kind: FileKind,
    pub relative: String,
    pub listed_path: String,
    pub disk_instance_id: Option<String>,
    pub size_bytes: u64,
    pub xxh3_128: u128,
}

/// Times of the job, all from `now_ns` arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobTimes {
    pub submitted_ns: u64,
    /// The job starts when it is created (it is born Running).
    pub start_ns: u64,
    /// `None` until the state first changes (`TimeOfLastStateChange` is then a zero interval).
    pub last_change_ns: Option<u64>,
    pub finish_ns: Option<u64>,
}

/// What a job is doing, for `JobStatus` (JobState alone does not say it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    /// Re-validating, planning and probing the directory (before the first file).
    Starting,
    Copying,
    /// Syncing and writing the manifest: a cancel is no longer possible.
    Finalising,
    /// Removing what it created after a failure, then Exception.
    RemovingAfterFailure,
    /// Removing what it created after Terminate, then Terminated.
    RemovingAfterTerminate,
    Ended,
}

#[derive(Debug)]
pub struct Job {
    pub instance_id: Guid,
    call: ExportCall,
    pub validated: ValidatedCall,
    state: JobState,
    phase: Phase,
    /// Set when finalisation starts; a cancel is refused from then on.
    finalising: bool,
    /// Shared: a step holds the file it works on (no clone outlives a step, so make_mut is free).
    plan: Option<Arc<Plan>>,
    writing: Option<Writing>,
    pub completed: Vec<CompletedFile>,
    created_files: Vec<PathBuf>,
    created_dirs: Vec<PathBuf>,
    ending: Option<Ending>,
    /// Set when the job ends in Exception.
    pub failure: Option<Failure>,
    pub warnings: Vec<CimError>,
    /// Removals that failed during cleanup (reported after the main chain).
    pub cleanup_errors: Vec<CimError>,
    pub bytes_done: u64,
    percent_complete: u16,
    pub times: JobTimes,
}

impl Job {
    pub fn new(instance_id: Guid, call: ExportCall, validated: ValidatedCall, now_ns: u64) -> Job {
        let times = JobTimes {
            submitted_ns: now_ns,
            start_ns: now_ns,
            last_change_ns: None,
            finish_ns: None,
        };
        Job {
            instance_id,
            call,
            validated,
            state: states::INITIAL,
            phase: Phase::Start,
            finalising: false,
            plan: None,
            writing: None,
            completed: vec![],
            created_files: vec![],
            created_dirs: vec![],
            ending: None,
            failure: None,
            warnings: vec![],
            cleanup_errors: vec![],
            bytes_done: 0,
            percent_complete: 0,
            times,
        }
    }

    pub fn state(&self) -> JobState {
        self.state
    }

    /// 0..=100, monotonic; 100 only when Completed.
    pub fn percent_complete(&self) -> u16 {
        self.percent_complete
    }

    /// True when the job ended by Terminate.
    pub fn terminated(&self) -> bool {
        self.state == JobState::Terminated
    }

    /// `Cancellable`: whether a Terminate or Kill would be accepted now (Running, Suspended or
    /// Service, neither finalising nor cleaning up after a failure).
    pub fn cancellable(&self) -> bool {
        matches!(
            self.state,
            JobState::Running | JobState::Suspended | JobState::Service
        ) && !self.finalising
            && self.ending.is_none()
    }

    /// What the job is doing now.
    pub fn activity(&self) -> Activity {
        match (&self.ending, self.phase) {
            _ if self.state.is_final() => Activity::Ended,
            (Some(Ending::Terminate), _) => Activity::RemovingAfterTerminate,
            (Some(Ending::Fail(_)), _) => Activity::RemovingAfterFailure,
            (None, Phase::Start | Phase::Probe | Phase::MakeDirs { .. }) => Activity::Starting,
            _ if self.finalising => Activity::Finalising,
            _ => Activity::Copying,
        }
    }

    fn move_to(&mut self, to: JobState, now_ns: u64) {
        states::assert_transition(self.state, to);
        self.enter(to, now_ns);
    }

    fn enter(&mut self, to: JobState, now_ns: u64) {
        self.state = to;
        self.times.last_change_ns = Some(now_ns);
        if to.is_final() {
            self.times.finish_ns = Some(now_ns);
            self.writing = None;
        }
        if to == JobState::Completed {
            self.percent_complete = 100;
        }
        assert!(self.percent_complete <= 100);
        assert!(self.percent_complete < 100 || self.state == JobState::Completed);
    }

    /// `RequestStateChange(RequestedState, TimeoutPeriod)` with the uint16 as WMI passes it;
    /// see README.md for the table.
    pub fn request(&mut self, requested: u16, timeout_ns: u64, now_ns: u64) -> u32 {
        use JobState::*;
        let Some(requested) = RequestedState::from_code(requested) else {
            return state_change_code::INVALID_PARAMETER;
        };
        if timeout_ns != 0 {
            return state_change_code::TIMEOUT_NOT_SUPPORTED;
        }
        if self.state.is_final() {
            return state_change_code::INVALID_STATE_TRANSITION;
        }
        if self.state == ShuttingDown {
            return state_change_code::BUSY;
        }
        let cancellable = self.cancellable();
        let (to, code) = match (requested, self.state) {
            // CIM: Start changes the state to Running; a running job already is (no change).
            (RequestedState::Start, Running) => return state_change_code::COMPLETED,
            (RequestedState::Start, Suspended | Service) => (Running, state_change_code::COMPLETED),
            (RequestedState::Suspend, Running) => (Suspended, state_change_code::COMPLETED),
            (RequestedState::Service, Running | Suspended) => {
                (JobState::Service, state_change_code::COMPLETED)
            }
            // PLANTED BUG kill-suspended-refused / terminate-suspended-refused
            (RequestedState::Kill, Suspended)
                if planted::active(PlantedBug::KillSuspendedRefused) =>
            {
                return state_change_code::INVALID_STATE_TRANSITION
            }
            (RequestedState::Terminate, Suspended)
                if planted::active(PlantedBug::TerminateSuspendedRefused) =>
            {
                return state_change_code::INVALID_STATE_TRANSITION
            }
            (RequestedState::Kill, _) if cancellable => (Killed, state_change_code::COMPLETED),
            (RequestedState::Terminate, _) if cancellable => {
                self.ending = Some(Ending::Terminate);
                self.phase = Phase::Cleanup;
                (ShuttingDown, state_change_code::TRANSITION_STARTED)
            }
            // PLANTED BUG terminate-accepted-while-finalising
            (RequestedState::Terminate, Running)
                if planted::active(PlantedBug::TerminateAcceptedWhileFinalising) =>
            {
                return state_change_code::TRANSITION_STARTED
            }
            _ => return state_change_code::INVALID_STATE_TRANSITION,
        };
        self.move_to(to, now_ns);
        assert_eq!(self.state, to);
        code
    }

    /// The service stopped: Exception at once, no cleanup.
    pub fn abandon(&mut self, reason: &str, now_ns: u64) {
        if self.state.is_final() {
            return;
        }
        let cause = Cause::new(
            return_code::SYSTEM_NOT_AVAILABLE,
            error_type::UNAVAILABLE_RESOURCE,
            probable_cause::RESOURCE_UNAVAILABLE,
            cim_status::FAILED,
        );
        let failure = Failure::root(
            cause,
            "RPSIM-VMMS",
            format!("the Virtual Machine Management service stopped: {reason}"),
        );
        self.failure = Some(self.wrap_job(failure));
        states::assert_service_stop_transition(self.state, JobState::Exception);
        self.enter(JobState::Exception, now_ns);
    }

    fn wrap_job(&self, failure: Failure) -> Failure {
        let rp = self.validated.reference_point.collection_id;
        failure.within(
            "RPSIM-JOB",
            format!("export of reference point {rp} failed"),
        )
    }

    /// Advances by at most one target operation or one state move.
    pub fn step(
        &mut self,
        source: &dyn ExportSource,
        target: &mut dyn ExportTarget,
        now_ns: u64,
    ) -> StepOutcome {
        if self.state.is_final() {
            return StepOutcome::Finished;
        }
        if matches!(self.state, JobState::Suspended | JobState::Service) {
            return StepOutcome::Waiting;
        }
        let result = match self.phase {
            Phase::Start => self.step_start(source),
            Phase::Probe => self.step_probe(target),
            Phase::MakeDirs { next } => self.step_make_dirs(target, next),
            Phase::File { index, stage } => self.step_file(source, target, index, stage, now_ns),
            Phase::SyncSubdirs { next } => self.step_sync_subdirs(target, next),
            Phase::SyncExportDir => self.step_sync_export_dir(target),
            Phase::Cleanup => {
                self.step_cleanup(target, now_ns);
                Ok(())
            }
        };
        if let Err(failure) = result {
            self.fail(failure, now_ns);
        }
        if self.state.is_final() {
            StepOutcome::Finished
        } else {
            StepOutcome::Progressed
        }
    }

    /// A failure: Exception at once when nothing was created, else the job stays Running
    /// (not cancellable) while it removes what it created, then Exception — never through
    /// ShuttingDown, which CIM reserves for moves to Completed, Terminated or Killed.
    fn fail(&mut self, failure: Failure, now_ns: u64) {
        assert_eq!(
            self.state,
            JobState::Running,
            "only a running job does work"
        );
        let failure = self.wrap_job(failure);
        if self.created_files.is_empty() && self.created_dirs.is_empty() && self.writing.is_none() {
            self.failure = Some(failure);
            self.move_to(JobState::Exception, now_ns);
        } else {
            self.ending = Some(Ending::Fail(failure));
            self.phase = Phase::Cleanup;
        }
    }

    fn export_dir(&self) -> PathBuf {
        PathBuf::from(crate::winpath::target_directory(
            &self.validated.export_directory,
        ))
    }

    fn step_start(&mut self, source: &dyn ExportSource) -> Result<(), Failure> {
        assert!(self.plan.is_none());
        let validated = validate::validate(source, &self.call).map_err(|r| r.job_failure())?;
        let plan = plan::build(source, &validated)?;
        self.validated = validated;
        self.warnings = plan.warnings.clone();
        self.plan = Some(Arc::new(plan));
        self.phase = Phase::Probe;
        Ok(())
    }

    fn step_probe(&mut self, target: &mut dyn ExportTarget) -> Result<(), Failure> {
        let dir = self.export_dir();
        let probe = target.probe_dir(&dir).map_err(|e| {
            errors::io_failure(&format!("probing export directory `{}`", dir.display()), &e)
        })?;
        match probe {
            DirProbe::Missing => self.phase = Phase::MakeDirs { next: 0 },
            DirProbe::Empty => self.phase = Phase::MakeDirs { next: 1 },
            DirProbe::NotEmpty | DirProbe::NotADirectory => {
                let cause = Cause::new(
                    return_code::GENERIC_FAILED,
                    error_type::ENVIRONMENTAL,
                    probable_cause::OTHER,
                    cim_status::ALREADY_EXISTS,
                );
                let what = if probe == DirProbe::NotEmpty {
                    "is not empty"
                } else {
                    "is not a directory"
                };
                let message = format!(
                    "export directory `{}` {what}; nothing was overwritten",
                    dir.display()
                );
                return Err(Failure::root(cause, "RPSIM-EXISTS", message));
            }
        }
        Ok(())
    }

    fn plan(&self) -> &Arc<Plan> {
        self.plan
            .as_ref()
            .expect("the plan exists once the job has started")
    }

    /// `next == 0` is the export directory itself; `next == i + 1` is subdirectory `i`.
    fn step_make_dirs(
        &mut self,
        target: &mut dyn ExportTarget,
        next: usize,
    ) -> Result<(), Failure> {
        let subdirs = self.plan().subdirs.clone();
        if next > subdirs.len() {
            if planted::active(PlantedBug::ManifestBeforeData) {
                self.planted_manifest_before_data(target)?;
            }
            self.phase = Phase::File {
                index: 0,
                stage: FileStage::Create,
            };
            return Ok(());
        }
        let path = if next == 0 {
            self.export_dir()
        } else {
            layout::target_path(&self.export_dir(), &subdirs[next - 1])
        };
        target.create_dir_all(&path).map_err(|e| {
            errors::io_failure(&format!("creating directory `{}`", path.display()), &e).within(
                "RPSIM-DIR",
                "creating the export directory failed".to_string(),
            )
        })?;
        self.created_dirs.push(path);
        self.phase = Phase::MakeDirs { next: next + 1 };
        Ok(())
    }

    fn step_file(
        &mut self,
        source: &dyn ExportSource,
        target: &mut dyn ExportTarget,
        index: usize,
        stage: FileStage,
        now_ns: u64,
    ) -> Result<(), Failure> {
        if index == self.plan().files.len() {
            crate::recheck::base_still_usable(source, &self.validated)?;
            self.finalising = true;
            self.phase = Phase::SyncSubdirs { next: 0 };
            return Ok(());
        }
        let plan = Arc::clone(self.plan());
        let file = &plan.files[index];
        let result = self.file_operation(source, target, file, stage);
        result.map_err(|f| f.within("RPSIM-FILE", describe(file)))?;
        self.phase = match stage {
            FileStage::Create => Phase::File {
                index,
                stage: FileStage::Write,
            },
            FileStage::Write if self.writing_finished() => Phase::File {
                index,
                stage: FileStage::Sync,
            },
            FileStage::Write => Phase::File {
                index,
                stage: FileStage::Write,
            },
            FileStage::Sync => Phase::File {
                index,
                stage: FileStage::Close,
            },
            FileStage::Close if file.kind == FileKind::Manifest => Phase::SyncExportDir,
            FileStage::Close => Phase::File {
                index,
                stage: FileStage::Rename,
            },
            FileStage::Rename if file.kind == FileKind::Manifest => {
                // The commit point: the manifest appears and the job completes in one step.
                self.move_to(JobState::Completed, now_ns);
                self.phase
            }
            FileStage::Rename => Phase::File {
                index: index + 1,
                stage: FileStage::Create,
            },
        };
        Ok(())
    }

    /// PLANTED BUG manifest-before-data: the manifest is written under its final name before
    /// any data is copied (create, write and close in one step).
    fn planted_manifest_before_data(
        &mut self,
        target: &mut dyn ExportTarget,
    ) -> Result<(), Failure> {
        let Content::Blob(text) = self.manifest_file().content else {
            unreachable!("a manifest is a blob");
        };
        let path = layout::target_path(&self.export_dir(), layout::MANIFEST_NAME);
        let io =
            |e: std::io::Error| errors::io_failure(&format!("writing `{}`", path.display()), &e);
        let handle = target.create_new(&path).map_err(io)?;
        target.write(handle, &text).map_err(io)?;
        target.close(handle).map_err(io)
    }

    fn writing_finished(&self) -> bool {
        self.writing
            .as_ref()
            .is_some_and(|w| w.footer_done && w.pending_pos == w.pending.len())
    }

    fn file_operation(
        &mut self,
        source: &dyn ExportSource,
        target: &mut dyn ExportTarget,
        file: &PlannedFile,
        stage: FileStage,
    ) -> Result<(), Failure> {
        let final_path = layout::target_path(&self.export_dir(), &file.relative);
        let partial_path = layout::target_path(
            &self.export_dir(),
            &format!("{}{}", file.relative, layout::PARTIAL_SUFFIX),
        );
        let io = |what: &str, path: &Path, e: std::io::Error| {
            errors::io_failure(&format!("{what} `{}`", path.display()), &e)
        };
        match stage {
            FileStage::Create => {
                assert!(self.writing.is_none());
                let handle = target
                    .create_new(&partial_path)
                    .map_err(|e| io("creating", &partial_path, e))?;
                self.created_files.push(partial_path);
                self.writing = Some(new_writing(handle));
                if planted::active(PlantedBug::ExportedBeforeRename)
                    && file.kind != FileKind::Manifest
                {
                    self.planted_list_partial(file);
                }
            }
            FileStage::Write => self.write_chunk(source, target, file, &partial_path)?,
            FileStage::Sync => {
                let handle = self.handle();
                target
                    .sync(handle)
                    .map_err(|e| io("syncing", &partial_path, e))?;
            }
            FileStage::Close => {
                let handle = self.handle();
                if let Some(w) = self.writing.as_mut() {
                    w.handle = None; // a failed close is not retried
                }
                target
                    .close(handle)
                    .map_err(|e| io("closing", &partial_path, e))?;
            }
            FileStage::Rename => {
                target
                    .rename_no_replace(&partial_path, &final_path)
                    .map_err(|e| io("renaming", &partial_path, e))?;
                let last = self
                    .created_files
                    .last_mut()
                    .expect("the partial file was recorded");
                assert_eq!(*last, partial_path);
                *last = final_path;
                self.finish_file(file);
            }
        }
        Ok(())
    }

    /// PLANTED BUG exported-before-rename: listed while still `.partial`.
    fn planted_list_partial(&mut self, file: &PlannedFile) {
        self.completed.push(CompletedFile {
            kind: file.kind,
            relative: file.relative.clone(),
            listed_path: layout::listed_path(&self.validated.export_directory, &file.relative),
            disk_instance_id: file.disk_instance_id.clone(),
            size_bytes: file.size_bytes,
            xxh3_128: 0,
        });
    }

    fn handle(&self) -> FileHandle {
        let handle = self.writing.as_ref().and_then(|w| w.handle);
        handle.expect("a file is open while it is written, synced and closed")
    }

    fn finish_file(&mut self, file: &PlannedFile) {
        let w = self.writing.take().expect("the file was written");
        assert_eq!(
            w.written_bytes, file.size_bytes,
            "{} has the planned size",
            file.relative
        );
        assert!(w.handle.is_none());
        if file.kind == FileKind::Manifest {
            return;
        }
        if planted::active(PlantedBug::ExportedBeforeRename) {
            self.completed.retain(|c| c.relative != file.relative); // listed at create
        }
        self.completed.push(CompletedFile {
            kind: file.kind,
            relative: file.relative.clone(),
            listed_path: layout::listed_path(&self.validated.export_directory, &file.relative),
            disk_instance_id: file.disk_instance_id.clone(),
            size_bytes: w.written_bytes,
            xxh3_128: w.checksum(),
        });
    }

    fn write_chunk(
        &mut self,
        source: &dyn ExportSource,
        target: &mut dyn ExportTarget,
        file: &PlannedFile,
        path: &Path,
    ) -> Result<(), Failure> {
        let rp = self.validated.reference_point.collection_id;
        let mut w = self.writing.take().expect("a file is being written");
        let result = (|| {
            if w.pending_pos == w.pending.len() {
                produce(&mut w, source, file, &rp)?;
            }
            let end = (w.pending_pos + WRITE_BYTES_MAX as usize).min(w.pending.len());
            if end > w.pending_pos {
                let handle = w.handle.expect("open while writing");
                let chunk = &w.pending[w.pending_pos..end];
                target.write(handle, chunk).map_err(|e| {
                    errors::io_failure(&format!("writing to `{}`", path.display()), &e)
                })?;
                if file.kind != FileKind::Manifest {
                    self.bytes_done += chunk.len() as u64;
                }
                w.wrote(end - w.pending_pos);
            }
            Ok(())
        })();
        self.writing = Some(w);
        self.update_percent();
        result
    }

    fn update_percent(&mut self) {
        let total = self.plan().total_bytes.max(1);
        let percent = (u128::from(self.bytes_done) * 100 / u128::from(total)).min(99) as u16;
        self.percent_complete = self.percent_complete.max(percent);
    }

    fn step_sync_subdirs(
        &mut self,
        target: &mut dyn ExportTarget,
        next: usize,
    ) -> Result<(), Failure> {
        assert!(self.finalising && !self.cancellable());
        let subdirs = self.plan().subdirs.clone();
        if next < subdirs.len() {
            let path = layout::target_path(&self.export_dir(), &subdirs[next]);
            target.sync_dir(&path).map_err(|e| {
                errors::io_failure(&format!("syncing directory `{}`", path.display()), &e)
            })?;
            self.phase = Phase::SyncSubdirs { next: next + 1 };
            return Ok(());
        }
        let manifest = self.manifest_file();
        let plan = Arc::make_mut(self.plan.as_mut().expect("planned"));
        plan.files.push(manifest);
        self.phase = Phase::File {
            index: plan.files.len() - 1,
            stage: FileStage::Create,
        };
        Ok(())
    }

    fn manifest_file(&self) -> PlannedFile {
        let rp = &self.validated.reference_point;
        let files = self
            .completed
            .iter()
            .map(|c| ManifestFile {
                path: c.relative.clone(),
                size_bytes: c.size_bytes,
                xxh3_128: c.xxh3_128,
            })
            .collect();
        let text = manifest::encode(&Manifest {
            collection_id: rp.virtual_system_collection_id,
            reference_point: rp.collection_id,
            base_reference_point: self.validated.base.as_ref().map(|b| b.collection_id),
            reference_point_type: rp.reference_point_type as u16,
            files,
        });
        PlannedFile {
            kind: FileKind::Manifest,
            relative: layout::MANIFEST_NAME.to_string(),
            subject: rp.collection_id.to_string(),
            disk_instance_id: None,
            size_bytes: text.len() as u64,
            content: Content::Blob(text.into_bytes()),
        }
    }

    /// Makes every entry durable before the manifest's rename, the last operation.
    fn step_sync_export_dir(&mut self, target: &mut dyn ExportTarget) -> Result<(), Failure> {
        let dir = self.export_dir();
        target.sync_dir(&dir).map_err(|e| {
            errors::io_failure(&format!("syncing directory `{}`", dir.display()), &e)
        })?;
        let manifest_index = self.plan().files.len() - 1;
        assert_eq!(self.plan().files[manifest_index].kind, FileKind::Manifest);
        self.phase = Phase::File {
            index: manifest_index,
            stage: FileStage::Rename,
        };
        Ok(())
    }

    /// One removal per step, best effort; then the final state.
    fn step_cleanup(&mut self, target: &mut dyn ExportTarget, now_ns: u64) {
        match self.ending {
            Some(Ending::Terminate) => assert_eq!(self.state, JobState::ShuttingDown),
            Some(Ending::Fail(_)) => assert_eq!(self.state, JobState::Running),
            None => unreachable!("cleanup always has an ending"),
        }
        if let Some(handle) = self.writing.as_mut().and_then(|w| w.handle.take()) {
            if let Err(e) = target.close(handle) {
                self.record_cleanup_error("closing a partial file", &e);
            }
            return;
        }
        self.writing = None;
        if let Some(path) = self.created_files.pop() {
            let listed =
                layout::listed_path(&self.validated.export_directory, &self.relative_of(&path));
            self.completed.retain(|c| {
                c.listed_path != listed
                    && format!("{}{}", c.listed_path, layout::PARTIAL_SUFFIX) != listed
            });
            let terminating = self.ending == Some(Ending::Terminate);
            let partial = path.to_string_lossy().ends_with(layout::PARTIAL_SUFFIX);
            if planted::active(PlantedBug::TerminateLeavesPartial) && terminating && partial {
                return; // PLANTED BUG terminate-leaves-partial: the `.partial` file stays.
            }
            if let Err(e) = target.remove_file(&path) {
                self.record_cleanup_error(&format!("removing `{}`", path.display()), &e);
            }
            return;
        }
        if let Some(dir) = self.created_dirs.pop() {
            if let Err(e) = target.remove_dir(&dir) {
                self.record_cleanup_error(&format!("removing directory `{}`", dir.display()), &e);
            }
            return;
        }
        assert!(self.completed.is_empty(), "cleanup leaves nothing listed");
        match self.ending.take() {
            Some(Ending::Terminate) => self.move_to(JobState::Terminated, now_ns),
            Some(Ending::Fail(failure)) => {
                self.failure = Some(failure);
                self.move_to(JobState::Exception, now_ns);
            }
            None => unreachable!("cleanup always has an ending"),
        }
    }

    fn relative_of(&self, path: &Path) -> String {
        let rel = path.strip_prefix(self.export_dir()).unwrap_or(path);
        rel.to_string_lossy().into_owned()
    }

    fn record_cleanup_error(&mut self, what: &str, e: &std::io::Error) {
        if e.kind() == std::io::ErrorKind::NotFound {
            return;
        }
        let mut error = errors::io_failure(what, e).chain.remove(0);
        error.perceived_severity = errors::severity::WARNING;
        self.cleanup_errors.push(error);
    }
}

fn describe(file: &PlannedFile) -> String {
    match file.kind {
        FileKind::Log => format!("export of disk `{}` failed", file.subject),
        FileKind::Manifest => "writing the export manifest failed".to_string(),
        FileKind::Config => format!(
            "export of the configuration file of VM {} failed",
            file.subject
        ),
        FileKind::RuntimeState => format!(
            "export of the runtime state file of VM {} failed",
            file.subject
        ),
        FileKind::GuestState => format!(
            "export of the guest state file of VM {} failed",
            file.subject
        ),
    }
}
