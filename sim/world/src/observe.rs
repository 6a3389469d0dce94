//! Hooks into a run: [`EventObserver`] sees the world after every event through a read-only
//! [`RunView`] and may stop the run with a violation; [`StopAfterOps`] asks the run to stop one
//! export job right after its n-th target operation (a crash point). Owns these types and the
//! per-event view; it must never change the world, the service or the target.

use crate::export_record::ExportRecord;
use crate::poll::Reading;
use crate::target::{SimTarget, TargetOp};
use crate::world::World;
use rpsim_export::service::ExportService;
use rpsim_export::wmi::JobProperties;

/// What kind of event just ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Timeline,
    Fault,
    /// A guest write: never changes a job or the export target.
    Write,
    /// One step of the export with this index in [`RunView::exports`].
    Step(usize),
    HostRecover,
    MigrationDone,
}

/// Read-only view of a run right after one event.
pub struct RunView<'a> {
    /// 1-based number of the event just handled.
    pub event_number: u64,
    pub now_ns: u64,
    pub seed: u64,
    pub kind: EventKind,
    pub world: &'a World,
    pub target: &'a SimTarget,
    pub service: &'a ExportService,
    /// Every export timeline entry so far, in order.
    pub exports: &'a [ExportRecord],
    /// Target operations the event performed (empty unless a step).
    pub ops: &'a [TargetOp],
}

impl RunView<'_> {
    /// The job properties of export `index` as polled now; `None` without a job or once the
    /// service forgot it.
    pub fn job_properties(&self, index: usize) -> Option<JobProperties> {
        let job = self.exports.get(index)?.job_id?;
        self.service.job_properties(job, self.now_ns)
    }

    /// The job's state, progress and cancellability now (see [`ExportService::job_glance`]).
    pub fn job_glance(&self, index: usize) -> Option<rpsim_export::wmi::JobGlance> {
        let job = self.exports.get(index)?.job_id?;
        self.service.job_glance(job, self.now_ns)
    }
}

/// One decision the run drew from its seed, in the terms of a timeline entry that would make
/// the same thing happen without randomness (`rpsim minimize` turns them into entries).
#[derive(Clone, Debug, PartialEq)]
pub enum RandomDecision {
    /// A fault drawn by `random_faults`, to happen at `at_ns`.
    Fault {
        at_ns: u64,
        fault: rpsim_scenario::model::Fault,
    },
    /// A workload's write that happened (its VM was running): `blocks` blocks from `block`.
    Write {
        at_ns: u64,
        /// `vm/disk` or a shared disk's name, as a timeline `write` names it.
        disk: String,
        block: u64,
        blocks: u64,
    },
    /// The base an export with `base_latest_completed` got when it was called (timeline entry
    /// `entry`): a point's scenario name and the disk selection, or `None` (a full export).
    Base {
        entry: usize,
        base: Option<String>,
        disks: Option<Vec<rpsim_scenario::model::DiskSelection>>,
    },
}

/// Sees the run after every event; an `Err` stops the run with [`crate::RunError::Invariant`].
pub trait EventObserver {
    fn after_event(&mut self, view: &RunView) -> Result<(), String>;

    /// Whether this observer wants [`EventObserver::random_decision`] calls; the run builds no
    /// decision (a guest write would cost a string) for observers that do not.
    fn records_decisions(&self) -> bool {
        false
    }

    /// Called for each decision drawn from the seed, when it is drawn (faults at the start,
    /// writes when they happen), if [`EventObserver::records_decisions`].
    fn random_decision(&mut self, _decision: &RandomDecision) {}

    /// Called for each reading a `poll` entry takes, with the export it read (the reading is
    /// not in `export.readings` yet); an `Err` stops the run with [`crate::RunError::Invariant`].
    fn after_reading(&mut self, _export: &ExportRecord, _reading: &Reading) -> Result<(), String> {
        Ok(())
    }
}

/// Observes nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoObserver;

impl EventObserver for NoObserver {
    fn after_event(&mut self, _view: &RunView) -> Result<(), String> {
        Ok(())
    }
}

/// How a stopped job is stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopMode {
    /// The service process dies: `ExportService::abandon_all`, no cleanup.
    Crash,
    /// `RequestStateChange(Kill)`.
    Kill,
    /// `RequestStateChange(Terminate)`.
    Terminate,
}

/// Stop the job of export `export` (timeline name; its first run) right after its
/// `after_ops`-th target operation (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StopAfterOps {
    pub export: String,
    pub after_ops: u64,
    pub mode: StopMode,
}
