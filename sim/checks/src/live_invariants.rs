//! Invariants checked after EVERY event of a run, through [`rpsim_world::observe`]: a job's
//! first read is Running (or reachable from it), JobState moves only along the table of
//! `rpsim_export::states`, PercentComplete never decreases, Cancellable is false in Shutting
//! Down and in final states, no unexpected target violation appears, a manifest exists only
//! for a Completed job, `Exported*` paths name existing files inside ExportDirectory once
//! Completed, and no differential completes against a base whose change tracking was unusable
//! when the export was called; and, through `live_readings`, the invariants over `poll`
//! readings. Owns the per-job memory these checks need; it must never change the run, and
//! walks no directory unless the event touched the target.

use crate::exported_paths::{self, PathProblem};
use crate::invariants::{inside_requested_directory, MANIFEST_FILE_NAME};
use rpsim_export::states::INITIAL;
use rpsim_export::wmi::{JobProperties, JobState};
use rpsim_world::observe::{EventKind, EventObserver, RunView};
use rpsim_world::poll::Reading;
use rpsim_world::ExportRecord;

pub use crate::transitions::reachable;

/// Most exports one run may have for live checking (beyond it, later exports are not tracked).
pub const TRACKED_EXPORTS_MAX: usize = 4096;

/// What the observer remembers about one export.
#[derive(Clone, Debug, Default)]
struct Tracked {
    state: Option<JobState>,
    percent_complete: u16,
    /// Base disks (instance id) whose change tracking was unusable when the export was called.
    base_unusable_at_call: Vec<String>,
    completed_seen: bool,
}

/// The live-invariant observer; see the module documentation.
#[derive(Debug, Default)]
pub struct LiveInvariants {
    tracked: Vec<Tracked>,
    violations_seen: usize,
    /// Events observed (for reports and tests).
    pub events_checked: u64,
    /// The invariants over `poll` readings.
    pub readings: crate::live_readings::ReadingInvariants,
}

impl LiveInvariants {
    pub fn new() -> LiveInvariants {
        LiveInvariants::default()
    }

    fn track_new_exports(&mut self, view: &RunView) {
        while self.tracked.len() < view.exports.len().min(TRACKED_EXPORTS_MAX) {
            let record = &view.exports[self.tracked.len()];
            let base_unusable_at_call = record
                .base
                .and_then(|b| view.world.reference_point_disks(&b))
                .map(|disks| {
                    disks
                        .into_iter()
                        .filter(|d| !d.rct_usable)
                        .map(|d| d.instance_id)
                        .collect()
                })
                .unwrap_or_default();
            self.tracked.push(Tracked {
                base_unusable_at_call,
                ..Tracked::default()
            });
        }
    }

    fn check_violations(&mut self, view: &RunView) -> Result<(), String> {
        let violations = view.target.violations();
        assert!(self.violations_seen <= violations.len());
        for violation in &violations[self.violations_seen..] {
            if !inside_requested_directory(violation, view.exports) {
                return Err(format!("target violation: {violation}"));
            }
        }
        self.violations_seen = violations.len();
        Ok(())
    }

    fn check_job(&mut self, view: &RunView, index: usize) -> Result<(), String> {
        // The glance after every event; the whole job object only when it is needed.
        let Some(properties) = view.job_glance(index) else {
            return Ok(());
        };
        let name = &view.exports[index].name;
        let tracked = &mut self.tracked[index];
        let state = JobState::from_code(properties.job_state)
            .ok_or_else(|| format!("export `{name}`: unknown JobState {}", properties.job_state))?;
        match tracked.state {
            Some(previous) if previous != state && !reachable(previous, state) => {
                return Err(format!(
                    "export `{name}`: JobState moved {previous:?} -> {state:?}, not a path of the transition table"
                ));
            }
            // The first read after 4096: Running (both client loop styles rely on it) or a
            // state the job reached from Running within the same event.
            None if state != INITIAL && !reachable(INITIAL, state) => {
                return Err(format!(
                    "export `{name}`: first read JobState {state:?}, neither {INITIAL:?} nor reachable from it"
                ));
            }
            _ => {}
        }
        if properties.percent_complete < tracked.percent_complete {
            return Err(format!(
                "export `{name}`: PercentComplete decreased {} -> {}",
                tracked.percent_complete, properties.percent_complete
            ));
        }
        if (state.is_final() || state == JobState::ShuttingDown) && properties.cancellable {
            return Err(format!(
                "export `{name}`: Cancellable is true in JobState {state:?}, where a cancel is refused"
            ));
        }
        tracked.state = Some(state);
        tracked.percent_complete = properties.percent_complete;
        if state == JobState::Completed && !tracked.completed_seen {
            tracked.completed_seen = true;
            let properties = view
                .job_properties(index)
                .expect("a job glanced at is there");
            assert_eq!(properties.job_state, state.code());
            check_base_was_usable(name, &properties, &tracked.base_unusable_at_call)?;
            check_exported_paths(view, index, &properties)?;
        }
        Ok(())
    }

    /// After a step that touched the target: a manifest in the directory means a Completed job.
    fn check_manifest(&self, view: &RunView, index: usize) -> Result<(), String> {
        let record = &view.exports[index];
        let Some(real_dir) = &record.real_directory else {
            return Ok(());
        };
        let manifest = real_dir.join(MANIFEST_FILE_NAME);
        if !matches!(view.target.fs().kind_at(&manifest), Ok(Some(_))) {
            return Ok(());
        }
        let owned = view.exports.iter().enumerate().any(|(i, other)| {
            other.real_directory.as_ref() == Some(real_dir)
                && self
                    .tracked
                    .get(i)
                    .is_some_and(|t| t.state == Some(JobState::Completed))
        });
        if owned {
            return Ok(());
        }
        Err(format!(
            "export `{}`: a manifest exists in its directory but no job that wrote there is Completed",
            record.name
        ))
    }
}

impl EventObserver for LiveInvariants {
    fn after_event(&mut self, view: &RunView) -> Result<(), String> {
        self.events_checked += 1;
        if view.kind == EventKind::Write {
            // A guest write changes neither a job nor the export storage.
            return Ok(());
        }
        self.track_new_exports(view);
        self.check_violations(view)?;
        for index in 0..self.tracked.len() {
            self.check_job(view, index)?;
        }
        if let EventKind::Step(index) = view.kind {
            if !view.ops.is_empty() && index < self.tracked.len() {
                self.check_manifest(view, index)?;
            }
        }
        Ok(())
    }

    fn after_reading(&mut self, export: &ExportRecord, reading: &Reading) -> Result<(), String> {
        self.readings.check(export, reading)
    }
}

fn check_base_was_usable(
    name: &str,
    properties: &JobProperties,
    base_unusable_at_call: &[String],
) -> Result<(), String> {
    if properties.base_reference_point_group_id.is_empty() {
        return Ok(());
    }
    match properties
        .exported_disks
        .iter()
        .find(|d| base_unusable_at_call.contains(d))
    {
        Some(disk) => Err(format!(
            "export `{name}`: a differential of disk {disk} completed against base {} whose change tracking was already reset when the export was called",
            properties.base_reference_point_group_id
        )),
        None => Ok(()),
    }
}

/// Every `Exported*FilePaths[]` entry names an existing file inside ExportDirectory.
fn check_exported_paths(
    view: &RunView,
    index: usize,
    properties: &JobProperties,
) -> Result<(), String> {
    let name = &view.exports[index].name;
    let Some(real_dir) = &view.exports[index].real_directory else {
        return Ok(());
    };
    let first = exported_paths::verdicts(view.target.fs().as_ref(), properties, real_dir)
        .into_iter()
        .find_map(|(path, problem)| problem.map(|p| (path, p)));
    match first {
        None => Ok(()),
        Some((path, PathProblem::Missing)) => Err(format!(
            "export `{name}`: reported path `{path}` does not exist at completion"
        )),
        Some((path, PathProblem::Outside | PathProblem::NotPlain)) => Err(format!(
            "export `{name}`: reported path `{path}` is not inside ExportDirectory"
        )),
    }
}
