//! The `random_actions` section drawn for one seed: the client's calls as ordinary timeline
//! entries (create and destroy reference points, full and differential exports with disk
//! selections, colliding exports, `RequestStateChange` suspend/start/terminate/kill), appended
//! to the timeline before the run so they go through the same action code as written ones.
//! Owns these draws and the generator's bookkeeping (which points exist, which were exported);
//! it must never run anything nor see how a call turned out (the run decides that).
//!
//! Decisions (ours): a differential is drawn with `base_latest_completed` (the run picks the
//! point of the group's latest completed export and its disk selection when the call is made,
//! as a chaining client does) and its target is a point created at the same instant; an action that cannot be carried out yet (a differential with nothing
//! exported, a state change with no export) becomes a full export; a colliding export either
//! exports the group of the latest export again, or writes into the latest export's directory
//! from a drawn group.

use crate::faults::{uniform_below, uniform_inclusive};
use rpsim_scenario::model::{
    CreateReferencePoint, DiskSelection, Export, RandomActionKind, RandomActions,
    ReferencePointKind, ReferencePointRef, RequestStateChange, RequestedState, Scenario,
    TimelineEntry,
};
use rpsim_scenario::units::SimDuration;
use serde::Serialize;
use std::collections::BTreeMap;

/// Every name the generator gives starts with this (points `ra-rp-N`, exports `ra-exp-N`).
pub const ACTION_NAME_PREFIX: &str = "ra-";

/// What the random actions section drew.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ActionsDrawn {
    /// Timeline entries added.
    pub entries: usize,
    /// Actions carried out per kind (`full_export`, `kill`, ...), in name order.
    pub kinds: BTreeMap<String, usize>,
}

struct Point {
    name: String,
    live: bool,
}

struct Group {
    name: String,
    points: Vec<Point>,
    /// Whether the group was exported yet (a differential needs an earlier export).
    exported: bool,
    /// (VM, the disks it may select: its own and the shared ones attached to it).
    vms: Vec<(String, Vec<String>)>,
}

struct Drawer<'r, R: rand::RngCore> {
    stream: &'r mut R,
    groups: Vec<Group>,
    types: Vec<ReferencePointKind>,
    /// (export name, group index, target_dir).
    exports: Vec<(String, usize, String)>,
    entries: Vec<TimelineEntry>,
    account: ActionsDrawn,
    points_made: usize,
}

/// The drawn timeline entries, in time order, and their account.
pub(super) fn draw(
    spec: &RandomActions,
    scenario: &Scenario,
    stream: &mut impl rand::RngCore,
) -> (Vec<TimelineEntry>, ActionsDrawn) {
    let groups: Vec<Group> = scenario
        .vm_groups
        .iter()
        .filter(|g| spec.groups.is_empty() || spec.groups.contains(&g.name))
        .map(|g| Group {
            name: g.name.clone(),
            points: Vec::new(),
            exported: false,
            vms: g
                .vms
                .iter()
                .map(|vm| {
                    let mut disks: Vec<String> = vm.disks.iter().map(|d| d.name.clone()).collect();
                    for shared in &g.shared_disks {
                        if shared.attached_to.contains(&vm.name) {
                            disks.push(shared.name.clone());
                        }
                    }
                    (vm.name.clone(), disks)
                })
                .collect(),
        })
        .collect();
    let kinds: Vec<RandomActionKind> = if spec.kinds.is_empty() {
        RandomActionKind::ALL.to_vec()
    } else {
        spec.kinds.clone()
    };
    let types = if spec.reference_point_types.is_empty() {
        vec![ReferencePointKind::Rct]
    } else {
        spec.reference_point_types.clone()
    };
    let (from, to) = (spec.window.from.ns(), spec.window.to.ns());
    let mut drawer = Drawer {
        stream,
        groups,
        types,
        exports: Vec::new(),
        entries: Vec::new(),
        account: ActionsDrawn::default(),
        points_made: 0,
    };
    if drawer.groups.is_empty() || from >= to {
        return (Vec::new(), ActionsDrawn::default());
    }
    let mut times: Vec<u64> = (0..spec.count)
        .map(|_| uniform_inclusive(drawer.stream, from, to - 1))
        .collect();
    times.sort_unstable();
    for at in times {
        let kind = kinds[drawer.below(kinds.len()) as usize];
        drawer.action(kind, at);
    }
    drawer.account.entries = drawer.entries.len();
    (drawer.entries, drawer.account)
}

impl<R: rand::RngCore> Drawer<'_, R> {
    fn below(&mut self, n: usize) -> u64 {
        uniform_below(self.stream, n as u64)
    }

    fn point_type(&mut self) -> ReferencePointKind {
        let i = self.below(self.types.len()) as usize;
        self.types[i]
    }

    fn coin(&mut self) -> bool {
        self.below(2) == 1
    }

    fn count(&mut self, kind: &str) {
        *self.account.kinds.entry(kind.to_string()).or_insert(0) += 1;
    }

    fn push(&mut self, at: u64, entry: TimelineEntry) {
        self.entries.push(TimelineEntry {
            at: SimDuration(at),
            ..entry
        });
    }

    fn action(&mut self, kind: RandomActionKind, at: u64) {
        match kind {
            RandomActionKind::CreateReferencePoint => {
                let g = self.below(self.groups.len()) as usize;
                let point_type = self.point_type();
                self.create(g, point_type, at);
            }
            RandomActionKind::DestroyReferencePoint => self.destroy(at),
            RandomActionKind::FullExport => self.full(at),
            RandomActionKind::DifferentialExport => self.differential(at),
            RandomActionKind::CollidingExport => self.colliding(at),
            RandomActionKind::Suspend => self.state_change(RequestedState::Suspend, at),
            RandomActionKind::Start => self.state_change(RequestedState::Start, at),
            RandomActionKind::Terminate => self.state_change(RequestedState::Terminate, at),
            RandomActionKind::Kill => self.state_change(RequestedState::Kill, at),
        }
    }

    /// A new point of group `g`; returns its index in the group.
    fn create(&mut self, g: usize, point_type: ReferencePointKind, at: u64) -> usize {
        let name = format!("{ACTION_NAME_PREFIX}rp-{}", self.points_made);
        self.points_made += 1;
        self.count("create_reference_point");
        self.push(
            at,
            TimelineEntry {
                create_reference_point: Some(CreateReferencePoint {
                    name: name.clone(),
                    group: self.groups[g].name.clone(),
                    reference_point_type: point_type,
                    consistency: Default::default(),
                }),
                ..TimelineEntry::default()
            },
        );
        let group = &mut self.groups[g];
        group.points.push(Point { name, live: true });
        group.points.len() - 1
    }

    fn destroy(&mut self, at: u64) {
        let live: Vec<(usize, usize)> = self
            .groups
            .iter()
            .enumerate()
            .flat_map(|(g, group)| {
                group
                    .points
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.live)
                    .map(move |(p, _)| (g, p))
            })
            .collect();
        if live.is_empty() {
            let g = self.below(self.groups.len()) as usize;
            self.create(g, self.types[0], at);
            return;
        }
        let (g, p) = live[self.below(live.len()) as usize];
        self.groups[g].points[p].live = false;
        self.count("destroy_reference_point");
        let name = self.groups[g].points[p].name.clone();
        self.push(
            at,
            TimelineEntry {
                destroy_reference_point: Some(ReferencePointRef {
                    reference_point: name,
                }),
                ..TimelineEntry::default()
            },
        );
    }

    /// The group's latest live point, created now when it has none.
    fn latest_point(&mut self, g: usize, at: u64) -> usize {
        match self.groups[g].points.iter().rposition(|p| p.live) {
            Some(p) => p,
            None => {
                let point_type = self.point_type();
                self.create(g, point_type, at)
            }
        }
    }

    fn full(&mut self, at: u64) {
        let g = self.below(self.groups.len()) as usize;
        let p = self.latest_point(g, at);
        let disks = self.selection(g);
        let dir = format!("{ACTION_NAME_PREFIX}exp-{}", self.exports.len());
        self.count("full_export");
        self.export(g, p, false, disks, dir, at);
    }

    fn differential(&mut self, at: u64) {
        let g = self.below(self.groups.len()) as usize;
        if !self.groups[g].exported {
            return self.full(at);
        }
        let point_type = self.point_type();
        let target = self.create(g, point_type, at);
        let disks = self.selection(g);
        let dir = format!("{ACTION_NAME_PREFIX}exp-{}", self.exports.len());
        self.count("differential_export");
        self.export(g, target, true, disks, dir, at);
    }

    fn colliding(&mut self, at: u64) {
        let Some((_, last_group, last_dir)) = self.exports.last().cloned() else {
            return self.full(at);
        };
        self.count("colliding_export");
        if self.coin() {
            // The same group again, into a directory of its own.
            let p = self.latest_point(last_group, at);
            let dir = format!("{ACTION_NAME_PREFIX}exp-{}", self.exports.len());
            self.export(last_group, p, false, None, dir, at);
        } else {
            // Another (or the same) group into the latest export's directory.
            let g = self.below(self.groups.len()) as usize;
            let p = self.latest_point(g, at);
            self.export(g, p, false, None, last_dir, at);
        }
    }

    fn export(
        &mut self,
        g: usize,
        point: usize,
        chained: bool,
        disks: Option<Vec<DiskSelection>>,
        dir: String,
        at: u64,
    ) {
        let name = format!("{ACTION_NAME_PREFIX}exp-{}", self.exports.len());
        let group = &self.groups[g];
        let export = Export {
            name: name.clone(),
            reference_point: group.points[point].name.clone(),
            base: None,
            base_latest_completed: chained,
            target_dir: Some(dir.clone()),
            export_directory: None,
            disks: disks.clone(),
        };
        self.groups[g].exported = true;
        self.exports.push((name, g, dir));
        self.push(
            at,
            TimelineEntry {
                export: Some(export),
                ..TimelineEntry::default()
            },
        );
    }

    /// Every disk (half the time), or a drawn non-empty selection of VMs and their disks.
    fn selection(&mut self, g: usize) -> Option<Vec<DiskSelection>> {
        if self.coin() {
            return None;
        }
        let vms = self.groups[g].vms.clone();
        let mut chosen = Vec::new();
        for (vm, disks) in &vms {
            if disks.is_empty() || !self.coin() {
                continue;
            }
            let mut picked: Vec<String> = disks.iter().filter(|_| self.coin()).cloned().collect();
            if picked.is_empty() {
                picked.push(disks[self.below(disks.len()) as usize].clone());
            }
            chosen.push(DiskSelection {
                vm: vm.clone(),
                disks: picked,
            });
        }
        if chosen.is_empty() {
            None
        } else {
            Some(chosen)
        }
    }

    /// A state change of a recent export: the latest one three times in four, else any.
    fn state_change(&mut self, state: RequestedState, at: u64) {
        if self.exports.is_empty() {
            return self.full(at);
        }
        let index = if self.below(4) < 3 {
            self.exports.len() - 1
        } else {
            self.below(self.exports.len()) as usize
        };
        let kind = match state {
            RequestedState::Suspend => "suspend",
            RequestedState::Start => "start",
            RequestedState::Terminate => "terminate",
            _ => "kill",
        };
        self.count(kind);
        let export = self.exports[index].0.clone();
        self.push(
            at,
            TimelineEntry {
                request_state_change: Some(RequestStateChange {
                    export,
                    state,
                    timeout: None,
                }),
                ..TimelineEntry::default()
            },
        );
    }
}
