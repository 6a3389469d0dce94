//! The catalogue: every probe, its name and its one-line meaning, in one list. Owns the
//! names and their order (the `fault.<kind>.<phase>` rows are a block in [`FAULT_KINDS`] ×
//! [`JOB_PHASES`] order); it must never count (the crate root does).

/// Fault kinds as the scenario format names them, in the order of the `fault.*` block.
pub const FAULT_KINDS: [&str; 10] = [
    "target_out_of_space",
    "target_io_error",
    "target_slow",
    "target_stall",
    "source_read_error",
    "host_crash",
    "vm_removed",
    "vm_migrated",
    "reference_point_destroyed",
    "log_removed",
];

/// What an export job is doing when a fault is applied, in the order of the `fault.*` block:
/// starting (validating, planning, making directories), copying (or suspended while
/// copying), finalising (syncs and the manifest), cleanup (removing its files after a failure
/// or a Terminate).
pub const JOB_PHASES: [&str; 4] = ["starting", "copying", "finalising", "cleanup"];

macro_rules! catalogue {
    ($($variant:ident = $name:literal : $meaning:literal,)*) => {
        /// One named rare path. See [`Probe::name`] and [`Probe::meaning`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Probe {
            $(#[doc = $meaning] $variant,)*
        }

        impl Probe {
            /// Every probe, in catalogue order.
            pub const ALL: &'static [Probe] = &[$(Probe::$variant,)*];

            /// The probe's name (`area.what`).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Probe::$variant => $name,)*
                }
            }

            /// What reaching it means, in one line.
            pub const fn meaning(self) -> &'static str {
                match self {
                    $(Probe::$variant => $meaning,)*
                }
            }
        }
    };
}

impl Probe {
    /// The probe named `name`; `None` for a name not in the catalogue.
    pub fn from_name(name: &str) -> Option<Probe> {
        Probe::ALL.iter().copied().find(|p| p.name() == name)
    }

    /// `fault.<FAULT_KINDS[kind]>.<JOB_PHASES[phase]>`; `None` out of range.
    pub fn fault_in_phase(kind: usize, phase: usize) -> Option<Probe> {
        if kind >= FAULT_KINDS.len() || phase >= JOB_PHASES.len() {
            return None;
        }
        let first = Probe::FaultTargetOutOfSpaceStarting as usize;
        Probe::ALL
            .get(first + kind * JOB_PHASES.len() + phase)
            .copied()
    }
}

catalogue! {
    CallInvalidReferencePoint = "call.32773_reference_point":
        "ExportReferencePoint refused with 32773: ReferencePointCollection malformed or unknown",
    CallInvalidBase = "call.32773_base":
        "32773: the base is malformed, unknown, of another VM group or type, or not older",
    CallInvalidDirectory = "call.32773_directory":
        "32773: ExportDirectory relative, malformed, with `..`, or on no volume or share of the host",
    CallNtfsName = "call.32773_ntfs_name":
        "32773: ExportDirectory holds a name NTFS refuses (reserved device name, trailing dot or space, illegal character)",
    CallInvalidSelection = "call.32773_selection":
        "32773: VirtualMachinesToDisksToExport malformed or naming a VM or disk not in the reference point",
    CallGroupBusy = "call.32774_group_busy":
        "32774: another unfinished job exports the same VM group",
    CallDirectoryBusy = "call.32774_directory_busy":
        "32774: another unfinished job writes to an overlapping directory",
    CallGroupUnavailable = "call.32774_group_unavailable":
        "32774: a member VM of the group is migrating or removed",
    CallLogRemoved = "call.32775_log_removed":
        "32775: the log-based reference point's log was removed",
    CallRctResetBase = "call.32775_rct_reset":
        "32775: the base's change tracking was reset before the call (an RCT reset caught before start)",
    CallHostDown = "call.32777_host_down":
        "32777: the service's host is down, nothing answers the call",
    CallTooManyJobs = "call.32778_too_many_jobs":
        "32778: the service already holds its maximum of jobs",
    CallDifferentialStarted = "call.differential_started":
        "4096: a differential export (with a base) started",
    CallSelectionStarted = "call.selection_started":
        "4096: an export with an explicit VM and disk selection started",
    RscUndefinedState = "rsc.5_undefined_state":
        "RequestStateChange answered 5: RequestedState is no state of the job (e.g. 7, 32768)",
    RscTimeout = "rsc.4098_timeout":
        "RequestStateChange answered 4098: a TimeoutPeriod was given",
    RscFinal = "rsc.4097_final":
        "RequestStateChange answered 4097: the job had already ended",
    RscShuttingDown = "rsc.4099_shutting_down":
        "RequestStateChange answered 4099: the job is in Shutting Down (a Terminate's cleanup)",
    RscIllegal = "rsc.4097_illegal":
        "RequestStateChange answered 4097 on a live job for a move the table does not allow (e.g. Suspend while Suspended)",
    RscStartRunning = "rsc.start_running":
        "Start on a running job: 0, no change",
    RscSuspend = "rsc.suspend":
        "Suspend accepted: Running to Suspended",
    RscResume = "rsc.resume":
        "Start accepted on a Suspended or Service job: back to Running",
    RscService = "rsc.service":
        "Service accepted: the job moved to Service",
    RscNotFound = "rsc.not_found":
        "RequestStateChange found no job (WBEM_E_NOT_FOUND): removed TimeBeforeRemoval after it ended",
    RscNoJob = "rsc.no_job":
        "a request_state_change entry named an export whose call returned no job (skipped)",
    CancelKillStarting = "cancel.kill_starting":
        "Kill accepted while the job was starting (validating, planning, making directories)",
    CancelKillCopying = "cancel.kill_copying":
        "Kill accepted while the job was copying",
    CancelKillSuspended = "cancel.kill_suspended":
        "Kill accepted on a Suspended job",
    CancelKillService = "cancel.kill_service":
        "Kill accepted on a job in Service",
    CancelTerminateStarting = "cancel.terminate_starting":
        "Terminate accepted while the job was starting",
    CancelTerminateCopying = "cancel.terminate_copying":
        "Terminate accepted while the job was copying",
    CancelTerminateSuspended = "cancel.terminate_suspended":
        "Terminate accepted on a Suspended job",
    CancelTerminateService = "cancel.terminate_service":
        "Terminate accepted on a job in Service",
    CancelKillRefusedFinalising = "cancel.kill_refused_finalising":
        "Kill refused with 4097 while the job was finalising (Cancellable false)",
    CancelTerminateRefusedFinalising = "cancel.terminate_refused_finalising":
        "Terminate refused with 4097 while the job was finalising",
    CancelRefusedFailing = "cancel.refused_failing":
        "Kill or Terminate refused with 4097 while a failed job removed its files",
    JobDirNotEmpty = "job.dir_not_empty":
        "the export directory was not empty: Exception, nothing overwritten",
    JobDirNotADirectory = "job.dir_not_a_directory":
        "the export directory was a file: Exception",
    JobFailedStarting = "job.failed_starting":
        "the job failed while starting (re-validation, planning, directories)",
    JobFailedCopying = "job.failed_copying":
        "the job failed while copying",
    JobFailedFinalising = "job.failed_finalising":
        "the job failed while finalising (syncs, manifest write or rename)",
    JobBaseResetCaught = "job.base_reset_caught":
        "a differential found its base's change tracking reset before finalising (an RCT reset caught during a differential)",
    JobDiskFullInDifferential = "job.disk_full_in_differential":
        "a differential exported a disk in full (new or resized since the base)",
    JobCleanupError = "job.cleanup_error":
        "a removal failed during cleanup (reported as a warning)",
    JobAbandoned = "job.abandoned":
        "the service stopped (host crash) under an unfinished job: Exception, no cleanup",
    JobCompletedFull = "job.completed_full":
        "a full export completed",
    JobCompletedDifferential = "job.completed_differential":
        "a differential export completed",
    JobTerminated = "job.terminated":
        "a Terminate's cleanup finished: Terminated",
    JobFailedCleanedUp = "job.failed_cleaned_up":
        "a failed job removed what it created, then Exception",
    TargetOutOfSpace = "target.out_of_space":
        "a target operation failed: the storage was full",
    TargetInjectedIoError = "target.injected_io_error":
        "an injected I/O error struck a target operation",
    TargetRenameConflict = "target.rename_conflict":
        "a no-replace rename found its destination taken (in any case)",
    TargetCreateConflict = "target.create_conflict":
        "a no-replace create found the name taken (in any case)",
    TargetNtfsRefused = "target.ntfs_refused":
        "the NTFS target refused a name the job used (a target violation)",
    TargetPathRefused = "target.path_refused":
        "the target refused a path outside the export storage (a target violation)",
    WorldFreeSpaceAfterOutOfSpace = "world.free_space_after_out_of_space":
        "free_space while an out-of-space limit was in force",
    WorldRctResetDuringExport = "world.rct_reset_during_export":
        "rct_reset of a disk while an export job was unfinished",
    WorldAttachDuringExport = "world.attach_during_export":
        "attach_disk while an export job was unfinished",
    WorldDetachDuringExport = "world.detach_during_export":
        "detach_disk while an export job was unfinished",
    WorldResizeDuringExport = "world.resize_during_export":
        "resize_disk while an export job was unfinished",
    WorldHostCrashOtherHost = "world.host_crash_other_host":
        "a host other than the service's crashed",
    WorldFaultIgnored = "world.fault_ignored":
        "a fault named nothing the world knows (traced as fault_ignored)",
    PollJobGone = "poll.job_gone":
        "a poll found the job removed TimeBeforeRemoval after it ended",
    PollNoJob = "poll.no_job":
        "a poll read an export whose call returned no job",
    FaultTargetOutOfSpaceStarting = "fault.target_out_of_space.starting":
        "a target_out_of_space fault applied while an export job was starting",
    FaultTargetOutOfSpaceCopying = "fault.target_out_of_space.copying":
        "a target_out_of_space fault applied while an export job was copying",
    FaultTargetOutOfSpaceFinalising = "fault.target_out_of_space.finalising":
        "a target_out_of_space fault applied while an export job was finalising",
    FaultTargetOutOfSpaceCleanup = "fault.target_out_of_space.cleanup":
        "a target_out_of_space fault applied while an export job was cleanup",
    FaultTargetIoErrorStarting = "fault.target_io_error.starting":
        "a target_io_error fault applied while an export job was starting",
    FaultTargetIoErrorCopying = "fault.target_io_error.copying":
        "a target_io_error fault applied while an export job was copying",
    FaultTargetIoErrorFinalising = "fault.target_io_error.finalising":
        "a target_io_error fault applied while an export job was finalising",
    FaultTargetIoErrorCleanup = "fault.target_io_error.cleanup":
        "a target_io_error fault applied while an export job was cleanup",
    FaultTargetSlowStarting = "fault.target_slow.starting":
        "a target_slow fault applied while an export job was starting",
    FaultTargetSlowCopying = "fault.target_slow.copying":
        "a target_slow fault applied while an export job was copying",
    FaultTargetSlowFinalising = "fault.target_slow.finalising":
        "a target_slow fault applied while an export job was finalising",
    FaultTargetSlowCleanup = "fault.target_slow.cleanup":
        "a target_slow fault applied while an export job was cleanup",
    FaultTargetStallStarting = "fault.target_stall.starting":
        "a target_stall fault applied while an export job was starting",
    FaultTargetStallCopying = "fault.target_stall.copying":
        "a target_stall fault applied while an export job was copying",
    FaultTargetStallFinalising = "fault.target_stall.finalising":
        "a target_stall fault applied while an export job was finalising",
    FaultTargetStallCleanup = "fault.target_stall.cleanup":
        "a target_stall fault applied while an export job was cleanup",
    FaultSourceReadErrorStarting = "fault.source_read_error.starting":
        "a source_read_error fault applied while an export job was starting",
    FaultSourceReadErrorCopying = "fault.source_read_error.copying":
        "a source_read_error fault applied while an export job was copying",
    FaultSourceReadErrorFinalising = "fault.source_read_error.finalising":
        "a source_read_error fault applied while an export job was finalising",
    FaultSourceReadErrorCleanup = "fault.source_read_error.cleanup":
        "a source_read_error fault applied while an export job was cleanup",
    FaultHostCrashStarting = "fault.host_crash.starting":
        "a host_crash fault applied while an export job was starting",
    FaultHostCrashCopying = "fault.host_crash.copying":
        "a host_crash fault applied while an export job was copying",
    FaultHostCrashFinalising = "fault.host_crash.finalising":
        "a host_crash fault applied while an export job was finalising",
    FaultHostCrashCleanup = "fault.host_crash.cleanup":
        "a host_crash fault applied while an export job was cleanup",
    FaultVmRemovedStarting = "fault.vm_removed.starting":
        "a vm_removed fault applied while an export job was starting",
    FaultVmRemovedCopying = "fault.vm_removed.copying":
        "a vm_removed fault applied while an export job was copying",
    FaultVmRemovedFinalising = "fault.vm_removed.finalising":
        "a vm_removed fault applied while an export job was finalising",
    FaultVmRemovedCleanup = "fault.vm_removed.cleanup":
        "a vm_removed fault applied while an export job was cleanup",
    FaultVmMigratedStarting = "fault.vm_migrated.starting":
        "a vm_migrated fault applied while an export job was starting",
    FaultVmMigratedCopying = "fault.vm_migrated.copying":
        "a vm_migrated fault applied while an export job was copying",
    FaultVmMigratedFinalising = "fault.vm_migrated.finalising":
        "a vm_migrated fault applied while an export job was finalising",
    FaultVmMigratedCleanup = "fault.vm_migrated.cleanup":
        "a vm_migrated fault applied while an export job was cleanup",
    FaultReferencePointDestroyedStarting = "fault.reference_point_destroyed.starting":
        "a reference_point_destroyed fault applied while an export job was starting",
    FaultReferencePointDestroyedCopying = "fault.reference_point_destroyed.copying":
        "a reference_point_destroyed fault applied while an export job was copying",
    FaultReferencePointDestroyedFinalising = "fault.reference_point_destroyed.finalising":
        "a reference_point_destroyed fault applied while an export job was finalising",
    FaultReferencePointDestroyedCleanup = "fault.reference_point_destroyed.cleanup":
        "a reference_point_destroyed fault applied while an export job was cleanup",
    FaultLogRemovedStarting = "fault.log_removed.starting":
        "a log_removed fault applied while an export job was starting",
    FaultLogRemovedCopying = "fault.log_removed.copying":
        "a log_removed fault applied while an export job was copying",
    FaultLogRemovedFinalising = "fault.log_removed.finalising":
        "a log_removed fault applied while an export job was finalising",
    FaultLogRemovedCleanup = "fault.log_removed.cleanup":
        "a log_removed fault applied while an export job was cleanup",
}
