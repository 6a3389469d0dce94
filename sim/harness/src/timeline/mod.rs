//! `rpsim run --timeline FILE.html`: a picture of one run over sim time. The scenario is run
//! again at the same seed with an observer that notes each job's `JobState` and
//! `PercentComplete` whenever either changes (the run is deterministic: its trace hash must
//! equal the checked run's), and the trace gives the calls, the `RequestStateChange` codes, the
//! faults and the guest writes. Owns that recording, its aggregation (one lane per export, its
//! state spans and progress; faults as markers on the lanes of the jobs running when they hit;
//! write volume per disk in at most [`WRITE_BUCKETS`] buckets, so 100,000 events make a small
//! page) and the file names; it must never judge a run, and the page is drawn by [`html`].

pub mod html;

use rpsim_world::observe::{EventObserver, RunView};
use rpsim_world::TraceRecord;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Most buckets of a disk's write volume.
pub const WRITE_BUCKETS: u64 = 240;
/// Most markers kept per lane (the rest are counted).
pub const MARKERS_PER_LANE_MAX: usize = 2000;

/// Something that happened at one instant on a lane.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Marker {
    pub at_ns: u64,
    /// `fault`, `request_state_change`, `world` (a world action) or `call`.
    pub kind: &'static str,
    pub text: String,
}

/// One export: its call, each (time, JobState, PercentComplete) when either changed, markers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lane {
    pub export: String,
    pub called_at_ns: u64,
    pub return_code: Option<u32>,
    pub samples: Vec<(u64, u16, u16)>,
    pub markers: Vec<Marker>,
    pub markers_dropped: u64,
}

/// Bytes a disk's guests wrote, per bucket of `bucket_ns`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiskWrites {
    pub disk: String,
    pub bytes: Vec<u64>,
}

/// Everything the page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Timeline {
    pub scenario: String,
    pub seed: u64,
    pub trace_hash: String,
    pub events: u64,
    pub end_ns: u64,
    pub bucket_ns: u64,
    pub lanes: Vec<Lane>,
    /// Faults and world actions while no job ran.
    pub world: Vec<Marker>,
    pub disks: Vec<DiskWrites>,
}

/// Each export's (time, state, progress) whenever they change.
#[derive(Default)]
struct Glances {
    samples: Vec<Vec<(u64, u16, u16)>>,
}

impl EventObserver for Glances {
    fn after_event(&mut self, view: &RunView) -> Result<(), String> {
        if self.samples.len() < view.exports.len() {
            self.samples.resize(view.exports.len(), Vec::new());
        }
        for (index, samples) in self.samples.iter_mut().enumerate() {
            let Some(glance) = view.job_glance(index) else {
                continue;
            };
            let now = (glance.job_state, glance.percent_complete);
            if samples.last().map(|s| (s.1, s.2)) != Some(now) {
                samples.push((view.now_ns, now.0, now.1));
            }
        }
        Ok(())
    }
}

/// Where the timeline of scenario `name` goes: `path` itself for one scenario, else
/// `<stem>.<name>.html` beside it.
pub fn path_for(path: &Path, name: &str, several: bool) -> PathBuf {
    if !several {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map_or("timeline".into(), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!(
        "{stem}.{}.html",
        crate::suite::discover::scenario_stem(Path::new(name))
    ))
}

/// Runs scenario `file` at `seed` again, recording its timeline; refuses when the run does not
/// end with `trace_hash` (it would not picture the checked run).
pub fn record(file: &Path, seed: u64, trace_hash: &str) -> Result<Timeline, String> {
    let scenario = rpsim_scenario::load_scenario(file).map_err(|e| e.to_string())?;
    let mut glances = Glances::default();
    let (outcome, _scratch) = crate::runner::observed::run_in_scratch(
        crate::runner::storage::Storage::Memory,
        "rpsim-timeline-",
        &scenario,
        seed,
        &mut glances,
        None,
        true,
    )?;
    let outcome = outcome.map_err(|e| e.to_string())?;
    if outcome.trace_hash != trace_hash {
        return Err(format!(
            "the run drawn ended with trace hash {}, the checked run with {trace_hash}",
            outcome.trace_hash
        ));
    }
    let block_size = |instance_id: &str| {
        let disk = outcome.world.disk_by_instance_id(instance_id)?;
        let disk = &outcome.world.disks[disk];
        Some((disk.name.clone(), disk.sim.block_size_bytes()))
    };
    let mut timeline = build(
        &outcome.trace,
        glances.samples,
        outcome.end_ns_or_last(),
        &block_size,
    );
    timeline.scenario = scenario.name.clone();
    timeline.seed = seed;
    timeline.trace_hash = outcome.trace_hash.clone();
    timeline.events = outcome.event_count;
    Ok(timeline)
}

trait EndTime {
    fn end_ns_or_last(&self) -> u64;
}

impl EndTime for rpsim_world::RunOutcome {
    fn end_ns_or_last(&self) -> u64 {
        self.end_time_ns
            .max(self.trace.last().map_or(0, |r| r.time_ns))
            .max(1)
    }
}

/// `key=value` from a trace detail (values end at the next space).
fn field<'d>(detail: &'d str, key: &str) -> Option<&'d str> {
    detail
        .split(' ')
        .find_map(|word| word.strip_prefix(key)?.strip_prefix('='))
}

/// The timeline of `trace` with the observed `samples` (per export, in call order).
pub fn build(
    trace: &[TraceRecord],
    mut samples: Vec<Vec<(u64, u16, u16)>>,
    end_ns: u64,
    disk_of: &dyn Fn(&str) -> Option<(String, u64)>,
) -> Timeline {
    let bucket_ns = end_ns.div_ceil(WRITE_BUCKETS).max(1);
    let mut lanes: Vec<Lane> = Vec::new();
    let mut world = Vec::new();
    let mut disks: Vec<DiskWrites> = Vec::new();
    let running = |lane: &Lane, at: u64| {
        let state = lane
            .samples
            .iter()
            .take_while(|s| s.0 <= at)
            .last()
            .map(|s| s.1);
        lane.called_at_ns <= at && state.is_some_and(|s| !(7..=10).contains(&s))
    };
    for record in trace {
        let text = rpsim_scenario::text::one_line(&record.detail).into_owned();
        let at = record.time_ns;
        match record.kind.as_str() {
            "export" => {
                let index = lanes.len();
                lanes.push(Lane {
                    export: field(&record.detail, "name").unwrap_or("?").to_string(),
                    called_at_ns: at,
                    return_code: field(&record.detail, "return_code").and_then(|c| c.parse().ok()),
                    samples: samples
                        .get_mut(index)
                        .map(std::mem::take)
                        .unwrap_or_default(),
                    markers: Vec::new(),
                    markers_dropped: 0,
                });
            }
            "request_state_change" => {
                let name = field(&record.detail, "export").unwrap_or("");
                let state = field(&record.detail, "state").unwrap_or("?");
                let code = field(&record.detail, "return_code").unwrap_or("?");
                let marker = Marker {
                    at_ns: at,
                    kind: "request_state_change",
                    text: format!("RequestStateChange({state}) = {code}"),
                };
                match lanes.iter_mut().rev().find(|l| l.export == name) {
                    Some(lane) => push_marker(lane, marker),
                    None => world.push(marker),
                }
            }
            "guest_write" => {
                let (Some(disk), Some(blocks)) = (
                    field(&record.detail, "disk"),
                    field(&record.detail, "blocks"),
                ) else {
                    continue;
                };
                let count: u64 = blocks
                    .split_once('+')
                    .and_then(|(_, n)| n.parse().ok())
                    .unwrap_or(1);
                let (name, block_size) = disk_of(disk).unwrap_or_else(|| (disk.to_string(), 1));
                let index = match disks.iter().position(|d| d.disk == name) {
                    Some(index) => index,
                    None => {
                        disks.push(DiskWrites {
                            disk: name,
                            bytes: vec![0; WRITE_BUCKETS as usize],
                        });
                        disks.len() - 1
                    }
                };
                let bucket = ((at / bucket_ns) as usize).min(WRITE_BUCKETS as usize - 1);
                disks[index].bytes[bucket] += count.saturating_mul(block_size);
            }
            kind if kind.starts_with("fault")
                || [
                    "attach_disk",
                    "detach_disk",
                    "resize_disk",
                    "rct_reset",
                    "free_space",
                ]
                .contains(&kind) =>
            {
                let marker = Marker {
                    at_ns: at,
                    kind: if kind.starts_with("fault") {
                        "fault"
                    } else {
                        "world"
                    },
                    text: format!("{kind} {text}"),
                };
                let hit: Vec<usize> = (0..lanes.len())
                    .filter(|&i| running(&lanes[i], at))
                    .collect();
                for &index in &hit {
                    push_marker(&mut lanes[index], marker.clone());
                }
                if hit.is_empty() {
                    world.push(marker);
                }
            }
            _ => {}
        }
    }
    world.truncate(MARKERS_PER_LANE_MAX);
    Timeline {
        scenario: String::new(),
        seed: 0,
        trace_hash: String::new(),
        events: trace.len() as u64,
        end_ns,
        bucket_ns,
        lanes,
        world,
        disks,
    }
}

fn push_marker(lane: &mut Lane, marker: Marker) {
    if lane.markers.len() < MARKERS_PER_LANE_MAX {
        lane.markers.push(marker);
    } else {
        lane.markers_dropped += 1;
    }
}
