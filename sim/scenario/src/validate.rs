//! Semantic validation of a deserialised scenario: names unique and resolvable, sizes and
//! rates within limits, every timeline entry and fault well-formed. Owns the rules of format v1
//! that serde cannot express, and reports each broken rule with the path of the offending node;
//! it must never parse text or touch positions (that is `locate`), and never change the
//! scenario.

mod explore;
mod fault;
mod poll;
mod storage;
mod timeline;
mod topology;
mod world_actions;

use crate::locate::Anchor;
use crate::model::{RandomFaults, Scenario};
use crate::path::NodePath;
use crate::units::BYTE_SIZE_MAX;
pub use explore::{RANDOM_ACTIONS_MAX, SWARM_LATENCY_NS_MAX};

/// Problems reported at most; the rest are counted in a closing note.
pub const PROBLEMS_MAX: usize = 20;
/// Longest name (host, group, VM, disk, reference point, export), in bytes.
pub const NAME_BYTES_MAX: usize = 128;
pub const HOSTS_MAX: usize = 64;
pub const VM_GROUPS_MAX: usize = 64;
/// VMs over all groups.
pub const VMS_MAX: usize = 256;
/// Disks over all VMs, shared disks included.
pub const DISKS_MAX: usize = 1024;
pub const TIMELINE_ENTRIES_MAX: usize = 100_000;
pub const EXPECTATIONS_MAX: usize = 10_000;
/// Paths in one `files_present` / `files_absent` list, and their length in bytes.
pub const EXPECTED_FILES_MAX: usize = 10_000;
pub const EXPECTED_FILE_BYTES_MAX: usize = 1024;
/// Smallest and largest disk block size.
pub const BLOCK_SIZE_BYTES_MIN: u64 = 4 << 10;
pub const BLOCK_SIZE_BYTES_MAX: u64 = 256 << 20;
/// Largest disk: 64 TiB (also the largest byte size the units accept).
pub const DISK_SIZE_BYTES_MAX: u64 = BYTE_SIZE_MAX;
pub const WRITE_SIZE_BYTES_MAX: u64 = 64 << 20;
pub const WRITE_RATE_BYTES_PER_S_MAX: u64 = 10 << 30;
pub const RANDOM_FAULT_RATE_PER_S_MAX: f64 = 100.0;
pub const RANDOM_FAULTS_MAX: u32 = 1000;
/// Entries in `random_faults.kinds`.
pub const RANDOM_FAULT_KINDS_MAX: usize = 64;
/// Longest disk `instance_id` given in a scenario, in bytes.
pub const INSTANCE_ID_BYTES_MAX: usize = 256;
/// Runs in one `explicit` fill's `blocks` list.
pub const FILL_RUNS_MAX: usize = 100_000;
/// Blocks listed by `explicit` fills over all disks (the world's random-fill bound).
pub const FILL_EXPLICIT_BLOCKS_MAX: u64 = 1 << 20;
/// Blocks one timeline `write` may cover (the largest workload write at the smallest block).
pub const WRITE_BLOCKS_MAX: u64 = WRITE_SIZE_BYTES_MAX / BLOCK_SIZE_BYTES_MIN;
/// Longest raw `export_directory` string, in bytes.
pub const EXPORT_DIRECTORY_BYTES_MAX: usize = 4096;

/// One broken rule: where (a path and whether the key or the value is at fault) and what is
/// wrong, with what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: NodePath,
    pub anchor: Anchor,
    pub message: String,
}

/// Collects problems up to [`PROBLEMS_MAX`] and counts the rest.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<Problem>,
    dropped: usize,
}

impl Problems {
    pub fn at(&mut self, path: &NodePath, message: impl Into<String>) {
        self.push(path, Anchor::Value, message.into());
    }

    pub fn at_key(&mut self, path: &NodePath, message: impl Into<String>) {
        self.push(path, Anchor::Key, message.into());
    }

    fn push(&mut self, path: &NodePath, anchor: Anchor, message: String) {
        if self.list.len() >= PROBLEMS_MAX {
            self.dropped += 1;
            return;
        }
        self.list.push(Problem {
            path: path.clone(),
            anchor,
            message,
        });
    }

    /// False once the cap is reached, so callers can stop costly walks early (which counts as
    /// dropping problems).
    pub fn has_room(&mut self) -> bool {
        let room = self.list.len() < PROBLEMS_MAX;
        if !room {
            self.dropped = self.dropped.max(1);
        }
        room
    }

    fn finish(mut self) -> Vec<Problem> {
        if self.dropped > 0 {
            let last = self.list.last().map(|p| p.path.clone()).unwrap_or_default();
            self.list.push(Problem {
                path: last,
                anchor: Anchor::Value,
                message: format!(
                    "more problems not shown: only the first {PROBLEMS_MAX} are reported"
                ),
            });
        }
        self.list
    }

    /// A name must be non-empty and at most [`NAME_BYTES_MAX`] bytes.
    pub fn name(&mut self, path: &NodePath, what: &str, name: &str) {
        if name.is_empty() {
            self.at(path, format!("{what} name is empty; give it a name"));
        } else if name.len() > NAME_BYTES_MAX {
            self.at(
                path,
                format!(
                    "{what} name is {} bytes long; at most {NAME_BYTES_MAX} bytes are allowed",
                    name.len()
                ),
            );
        }
    }

    /// A list longer than `max` gets one problem; returns whether it fits.
    pub fn count(&mut self, path: &NodePath, what: &str, len: usize, max: usize) -> bool {
        if len > max {
            self.at(
                path,
                format!("{len} {what} is more than the limit of {max}"),
            );
            return false;
        }
        true
    }
}

/// `names` joined for a message, or `(none)`.
pub(crate) fn listing<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut names: Vec<&str> = names.into_iter().collect();
    names.sort_unstable();
    names.dedup();
    if names.is_empty() {
        return "(none)".to_string();
    }
    const SHOWN_MAX: usize = 16;
    let shown = names.len().min(SHOWN_MAX);
    let mut text = names[..shown].join(", ");
    if names.len() > shown {
        text.push_str(&format!(", ... ({} in all)", names.len()));
    }
    text
}

/// Every broken rule of `scenario`, at most [`PROBLEMS_MAX`] (plus a note when more exist).
/// Order: the topology in file order, then the timeline in run order (time, then file order),
/// then random faults, expectations and `stop_at`. Empty means valid.
pub fn validate(scenario: &Scenario) -> Vec<Problem> {
    let mut problems = Problems::default();
    let root = NodePath::root();
    if scenario.version != 1 {
        problems.at(
            &root.key("version"),
            format!(
                "version {} is not supported; only version 1 exists",
                scenario.version
            ),
        );
    }
    problems.name(&root.key("name"), "scenario", &scenario.name);
    let world = topology::check(scenario, &mut problems);
    storage::check(scenario, &mut problems);
    let names = timeline::check(scenario, &world, &mut problems);
    if let Some(random_faults) = &scenario.random_faults {
        check_random_faults(random_faults, &root.key("random_faults"), &mut problems);
    }
    explore::check(scenario, &mut problems);
    timeline::check_expectations(scenario, &names, &mut problems);
    if let Some(stop_at) = scenario.stop_at {
        if stop_at.ns() == 0 {
            problems.at(
                &root.key("stop_at"),
                "stop_at is 0; give a positive time such as `1h`",
            );
        }
    }
    let problems = problems.finish();
    assert!(problems.len() <= PROBLEMS_MAX + 1, "problems are capped");
    problems
}

fn check_random_faults(random: &RandomFaults, path: &NodePath, problems: &mut Problems) {
    let rate = random.rate_per_s;
    if !(rate > 0.0 && rate <= RANDOM_FAULT_RATE_PER_S_MAX) {
        problems.at(
            &path.key("rate_per_s"),
            format!(
                "rate_per_s {rate} is out of range; allowed: more than 0, at most \
                 {RANDOM_FAULT_RATE_PER_S_MAX}"
            ),
        );
    }
    let kinds = path.key("kinds");
    if random.kinds.is_empty() {
        problems.at(
            &kinds,
            "kinds is empty; list at least one fault kind to draw from",
        );
    }
    problems.count(&kinds, "kinds", random.kinds.len(), RANDOM_FAULT_KINDS_MAX);
    if let Some(window) = &random.window {
        if window.from >= window.to {
            problems.at(
                &path.key("window").key("to"),
                format!(
                    "window ends at {} but starts at {}; `to` must be later than `from`",
                    window.to, window.from
                ),
            );
        }
    }
    if let Some(max) = random.max {
        if max > RANDOM_FAULTS_MAX {
            problems.at(
                &path.key("max"),
                format!("max {max} is more than the limit of {RANDOM_FAULTS_MAX}"),
            );
        }
    }
}
