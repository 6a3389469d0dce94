//! Planted bugs: deliberate, named defects in the export job that a test (or `rpsim run
//! --plant-bug NAME`) switches on to prove the harness catches them. Owns the bug names and the
//! per-thread activation; it must never be compiled into a release build (the feature refuses
//! to build without debug assertions) and, with the `planted-bugs` feature off, [`active`] is a
//! constant `false` so every planted branch vanishes.
//!
//! Activation is per thread, not per process: `with_bug` arms one bug for the closure it runs,
//! and the world creates and steps the `ExportService` on the calling thread, so parallel tests
//! cannot see each other's bugs.

#[cfg(all(feature = "planted-bugs", not(debug_assertions)))]
compile_error!(
    "the `planted-bugs` feature of rpsim-export plants defects in the export job; it must never \
     be built without debug assertions (release builds). Build it only for tests."
);

/// One planted defect. Each is a small `if planted::active(..)` branch in the real code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlantedBug {
    /// plan.rs: a differential log drops the disk's last changed extent.
    DropBoundaryExtent,
    /// stream.rs: a differential reads extent data as of the base instead of the target.
    ReadBaseExtents,
    /// plan.rs: a differential log's header names no base, so it reads as a full export.
    DiffHeaderWithoutBase,
    /// validate.rs: a disk shared by several VMs is exported once per VM.
    SharedDiskTwice,
    /// validate.rs: a base whose change tracking was reset (`rct_usable == false`) is accepted.
    AcceptResetBase,
    /// job.rs: Terminate's cleanup skips the `.partial` file being written.
    TerminateLeavesPartial,
    /// job.rs: the manifest (of the planned files) is written before any data is copied.
    ManifestBeforeData,
    /// job.rs: a file is listed in `Exported*FilePaths` when it is created, before its rename.
    ExportedBeforeRename,
    /// layout.rs: the disk-stem sanitiser keeps `/` and `..` of a disk instance ID.
    SanitiserDotdot,
    /// layout.rs: the disk-stem sanitiser ignores NTFS's rules (reserved device names pass,
    /// stems are unique only with their case).
    SanitiserNtfs,
    /// service.rs: the VM-group busy check skips Suspended jobs, so a second export of the
    /// group starts beside a suspended one (a race between two exports).
    BusyIgnoresSuspended,
    /// service.rs: the directory check is skipped, so exports of two groups write into one
    /// directory at once (a race between two exports).
    DirectoryCheckSkipped,
    /// service.rs: a Killed job still counts as running, so later exports of its group are
    /// refused 32774 (a refusal code in the wrong state).
    ConflictCountsKilled,
    /// service.rs: a differential whose base has a failed or cancelled differential is
    /// refused 32775 (chain management: the failure "used up" the base).
    FailedDiffPoisonsBase,
    /// job.rs: Terminate while finalising (Cancellable false) answers 4096 and does nothing
    /// (cancel against finalise).
    TerminateAcceptedWhileFinalising,
    /// job.rs: Kill of a Suspended job is refused 4097 although it is Cancellable (a refusal
    /// code in the wrong state).
    KillSuspendedRefused,
    /// job.rs: Terminate of a Suspended (cancellable) job is refused 4097 (a refusal code in
    /// the wrong state).
    TerminateSuspendedRefused,
    /// service.rs: the busy check skips differential jobs, so a second export of the group
    /// starts beside a running differential (a race between two exports).
    BusyIgnoresDifferentials,
}

/// Bound on planted bugs (the catalogue is a fixed list).
pub const PLANTED_BUGS_MAX: usize = 24;

/// Every planted bug, in catalogue order.
pub const ALL: [PlantedBug; 18] = [
    PlantedBug::DropBoundaryExtent,
    PlantedBug::ReadBaseExtents,
    PlantedBug::DiffHeaderWithoutBase,
    PlantedBug::SharedDiskTwice,
    PlantedBug::AcceptResetBase,
    PlantedBug::TerminateLeavesPartial,
    PlantedBug::ManifestBeforeData,
    PlantedBug::ExportedBeforeRename,
    PlantedBug::SanitiserDotdot,
    PlantedBug::SanitiserNtfs,
    PlantedBug::BusyIgnoresSuspended,
    PlantedBug::DirectoryCheckSkipped,
    PlantedBug::ConflictCountsKilled,
    PlantedBug::FailedDiffPoisonsBase,
    PlantedBug::TerminateAcceptedWhileFinalising,
    PlantedBug::KillSuspendedRefused,
    PlantedBug::TerminateSuspendedRefused,
    PlantedBug::BusyIgnoresDifferentials,
];
const _: () = assert!(ALL.len() <= PLANTED_BUGS_MAX);

impl PlantedBug {
    /// The name a user types (`--plant-bug NAME`).
    pub fn name(self) -> &'static str {
        match self {
            PlantedBug::DropBoundaryExtent => "drop-boundary-extent",
            PlantedBug::ReadBaseExtents => "read-base-extents",
            PlantedBug::DiffHeaderWithoutBase => "diff-header-without-base",
            PlantedBug::SharedDiskTwice => "shared-disk-twice",
            PlantedBug::AcceptResetBase => "accept-reset-base",
            PlantedBug::TerminateLeavesPartial => "terminate-leaves-partial",
            PlantedBug::ManifestBeforeData => "manifest-before-data",
            PlantedBug::ExportedBeforeRename => "exported-before-rename",
            PlantedBug::SanitiserDotdot => "sanitiser-dotdot",
            PlantedBug::SanitiserNtfs => "sanitiser-ntfs",
            PlantedBug::BusyIgnoresSuspended => "busy-ignores-suspended",
            PlantedBug::DirectoryCheckSkipped => "directory-check-skipped",
            PlantedBug::ConflictCountsKilled => "conflict-counts-killed",
            PlantedBug::FailedDiffPoisonsBase => "failed-diff-poisons-base",
            PlantedBug::TerminateAcceptedWhileFinalising => "terminate-accepted-while-finalising",
            PlantedBug::KillSuspendedRefused => "kill-suspended-refused",
            PlantedBug::TerminateSuspendedRefused => "terminate-suspended-refused",
            PlantedBug::BusyIgnoresDifferentials => "busy-ignores-differentials",
        }
    }

    /// The bug with this name; `None` for an unknown name.
    pub fn from_name(name: &str) -> Option<PlantedBug> {
        ALL.into_iter().find(|b| b.name() == name)
    }
}

/// True when the planted-bugs feature is compiled in.
pub const COMPILED_IN: bool = cfg!(feature = "planted-bugs");

#[cfg(feature = "planted-bugs")]
mod armed {
    use super::PlantedBug;
    use std::cell::Cell;

    thread_local! {
        pub static BUG: Cell<Option<PlantedBug>> = const { Cell::new(None) };
    }
}

/// True when `bug` is planted on this thread.
#[cfg(feature = "planted-bugs")]
pub fn active(bug: PlantedBug) -> bool {
    armed::BUG.with(|b| b.get() == Some(bug))
}

/// Always false: the feature is off, so every planted branch is dead code.
#[cfg(not(feature = "planted-bugs"))]
#[inline(always)]
pub const fn active(_bug: PlantedBug) -> bool {
    false
}

/// Runs `f` with `bug` planted on this thread (and only this thread), then disarms it, even
/// when `f` panics.
#[cfg(feature = "planted-bugs")]
pub fn with_bug<R>(bug: PlantedBug, f: impl FnOnce() -> R) -> R {
    struct Disarm(Option<PlantedBug>);
    impl Drop for Disarm {
        fn drop(&mut self) {
            armed::BUG.with(|b| b.set(self.0));
        }
    }
    let previous = armed::BUG.with(|b| b.replace(Some(bug)));
    let _disarm = Disarm(previous);
    assert!(active(bug));
    f()
}

/// `with_bug` when the feature is compiled in; otherwise `None` and `f` does not run (for
/// callers such as the CLI that are built either way).
pub fn try_with_bug<R>(bug: PlantedBug, f: impl FnOnce() -> R) -> Option<R> {
    #[cfg(feature = "planted-bugs")]
    {
        Some(with_bug(bug, f))
    }
    #[cfg(not(feature = "planted-bugs"))]
    {
        let _ = (bug, f);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for bug in ALL {
            assert_eq!(PlantedBug::from_name(bug.name()), Some(bug));
        }
        let mut names: Vec<&str> = ALL.iter().map(|b| b.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert_eq!(PlantedBug::from_name("no-such-bug"), None);
    }

    #[cfg(feature = "planted-bugs")]
    #[test]
    fn with_bug_arms_only_its_thread_and_disarms() {
        with_bug(PlantedBug::SharedDiskTwice, || {
            assert!(active(PlantedBug::SharedDiskTwice));
            assert!(!active(PlantedBug::AcceptResetBase));
            let other = std::thread::spawn(|| active(PlantedBug::SharedDiskTwice));
            assert!(!other.join().unwrap());
        });
        assert!(!active(PlantedBug::SharedDiskTwice));
    }

    #[cfg(not(feature = "planted-bugs"))]
    #[test]
    fn without_the_feature_nothing_is_active() {
        assert!(ALL.iter().all(|b| !active(*b)));
    }
}
