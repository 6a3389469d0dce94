//! Validation of the timeline and of the expectations on its exports: one action per entry,
//! names created before use (in the world's order: by time, then file order), unique reference
//! point and export names, export targets and disk selections. Owns those rules; it must never
//! check the topology itself (that is `topology`) nor a fault's fields (that is `fault`).

use super::topology::World;
use super::world_actions;
use super::{
    fault, listing, poll, Problems, EXPECTATIONS_MAX, EXPECTED_FILES_MAX, EXPECTED_FILE_BYTES_MAX,
    EXPORT_DIRECTORY_BYTES_MAX, NAME_BYTES_MAX, TIMELINE_ENTRIES_MAX, WRITE_BLOCKS_MAX,
};
use crate::model::{Action, DiskSelection, Export, GuestWrite, Scenario, TimelineEntry};
use crate::path::NodePath;
use crate::units::SimDuration;
use std::collections::{BTreeMap, BTreeSet};

/// Names the timeline creates, as known at a point of the walk.
#[derive(Debug, Default)]
pub(crate) struct Names<'s> {
    /// Reference point → its group.
    pub reference_points: BTreeMap<&'s str, &'s str>,
    pub exports: BTreeSet<&'s str>,
    /// Exports some `poll` entry reads.
    pub polled: BTreeSet<&'s str>,
}

/// Field name of an action, as written in the file.
fn action_field(action: &Action<'_>) -> &'static str {
    match action {
        Action::CreateReferencePoint(_) => "create_reference_point",
        Action::Export(_) => "export",
        Action::RequestStateChange(_) => "request_state_change",
        Action::DestroyReferencePoint(_) => "destroy_reference_point",
        Action::RemoveAssociatedData(_) => "remove_associated_data",
        Action::Fault(_) => "fault",
        Action::Write(_) => "write",
        Action::Poll(_) => "poll",
        Action::AttachDisk(_) => "attach_disk",
        Action::DetachDisk(_) => "detach_disk",
        Action::ResizeDisk(_) => "resize_disk",
        Action::RctReset(_) => "rct_reset",
        Action::FreeSpace(_) => "free_space",
    }
}

const ACTION_FIELDS: &str = "create_reference_point, export, request_state_change, \
                             destroy_reference_point, remove_associated_data, fault, write, poll";

pub(crate) fn check<'s>(
    scenario: &'s Scenario,
    world: &World<'s>,
    problems: &mut Problems,
) -> Names<'s> {
    let path = NodePath::root().key("timeline");
    let timeline = &scenario.timeline;
    let mut names = Names::default();
    if !problems.count(
        &path,
        "timeline entries",
        timeline.len(),
        TIMELINE_ENTRIES_MAX,
    ) {
        return names;
    }
    // The world runs entries by (time, file order); names must exist in that order.
    let mut order: Vec<usize> = (0..timeline.len()).collect();
    order.sort_by_key(|&i| (timeline[i].at, i));
    let mut walk = Walk {
        world,
        names: &mut names,
        first_use: first_definitions(timeline),
        problems,
    };
    for i in order {
        if !walk.problems.has_room() {
            break;
        }
        walk.entry(&timeline[i], &path.index(i));
    }
    names
}

/// When each reference point / export is first created, for "created later" hints.
fn first_definitions(timeline: &[TimelineEntry]) -> BTreeMap<&str, SimDuration> {
    let mut first = BTreeMap::new();
    for entry in timeline {
        let name = match (&entry.create_reference_point, &entry.export) {
            (Some(create), _) => create.name.as_str(),
            (None, Some(export)) => export.name.as_str(),
            (None, None) => continue,
        };
        let at = first.entry(name).or_insert(entry.at);
        *at = (*at).min(entry.at);
    }
    first
}

struct Walk<'w, 's> {
    world: &'w World<'s>,
    names: &'w mut Names<'s>,
    first_use: BTreeMap<&'s str, SimDuration>,
    problems: &'w mut Problems,
}

impl<'s> Walk<'_, 's> {
    fn entry(&mut self, entry: &'s TimelineEntry, path: &NodePath) {
        let actions = entry.actions();
        if actions.is_empty() {
            self.problems.at(
                path,
                format!("timeline entry has no action; give exactly one of: {ACTION_FIELDS}"),
            );
            return;
        }
        if actions.len() > 1 {
            let fields: Vec<&str> = actions.iter().map(action_field).collect();
            self.problems.at_key(
                &path.key(fields[1]),
                format!(
                    "timeline entry has {} actions (`{}`); give exactly one per entry",
                    fields.len(),
                    fields.join("`, `")
                ),
            );
            return;
        }
        let action_path = path.key(action_field(&actions[0]));
        match actions[0] {
            Action::CreateReferencePoint(create) => {
                let name_path = action_path.key("name");
                self.problems
                    .name(&name_path, "reference point", &create.name);
                if self
                    .names
                    .reference_points
                    .contains_key(create.name.as_str())
                {
                    self.problems.at(
                        &name_path,
                        format!("reference point `{}` is created twice", create.name),
                    );
                }
                if !self.world.groups.contains_key(create.group.as_str()) {
                    self.problems.at(
                        &action_path.key("group"),
                        format!(
                            "VM group `{}` is not defined; defined groups: {}",
                            create.group,
                            listing(self.world.groups.keys().copied())
                        ),
                    );
                }
                self.names
                    .reference_points
                    .entry(&create.name)
                    .or_insert(&create.group);
            }
            Action::Export(export) => self.export(export, entry.at, &action_path),
            Action::RequestStateChange(change) => {
                if !self.names.exports.contains(change.export.as_str()) {
                    let message = self.undefined("export", &change.export, entry.at);
                    self.problems.at(&action_path.key("export"), message);
                }
            }
            Action::DestroyReferencePoint(rp) | Action::RemoveAssociatedData(rp) => {
                self.reference_point(&rp.reference_point, entry.at, &action_path);
            }
            Action::Fault(f) => {
                let known = &self.names.reference_points;
                if let Some(rp) = &f.reference_point {
                    if !known.contains_key(rp.as_str()) {
                        let message = self.undefined("reference point", rp, entry.at);
                        self.problems
                            .at(&action_path.key("reference_point"), message);
                    }
                }
                fault::check(f, &action_path, self.world, self.problems);
            }
            Action::Write(write) => check_write(write, &action_path, self.world, self.problems),
            Action::Poll(read) => {
                if self.names.exports.contains(read.export.as_str()) {
                    self.names.polled.insert(&read.export);
                } else {
                    let message = self.undefined("export", &read.export, entry.at);
                    self.problems.at(&action_path.key("export"), message);
                }
                poll::check_entry(read, &action_path, self.problems);
            }
            Action::AttachDisk(attach) => {
                world_actions::check_attach(attach, &action_path, self.world, self.problems);
            }
            Action::DetachDisk(disk) | Action::RctReset(disk) => {
                world_actions::check_disk_ref(disk, &action_path, self.world, self.problems);
            }
            Action::ResizeDisk(resize) => {
                world_actions::check_resize(resize, &action_path, self.world, self.problems);
            }
            Action::FreeSpace(free) => {
                world_actions::check_free_space(free, &action_path, self.problems);
            }
        }
    }

    /// Message for a name used before (or without) being created.
    fn undefined(&self, what: &str, name: &str, at: SimDuration) -> String {
        let known: Vec<&str> = if what == "export" {
            self.names.exports.iter().copied().collect()
        } else {
            self.names.reference_points.keys().copied().collect()
        };
        let later = match self.first_use.get(name) {
            Some(created) => format!(" (it is created later, at {created})"),
            None => String::new(),
        };
        format!(
            "{what} `{name}` is not created before this entry at {at}{later}; created so far: {}",
            listing(known)
        )
    }

    /// A reference to a reference point under `path.reference_point`.
    fn reference_point(&mut self, name: &str, at: SimDuration, path: &NodePath) {
        if !self.names.reference_points.contains_key(name) {
            let message = self.undefined("reference point", name, at);
            self.problems.at(&path.key("reference_point"), message);
        }
    }

    fn export(&mut self, export: &'s Export, at: SimDuration, path: &NodePath) {
        let name_path = path.key("name");
        self.problems.name(&name_path, "export", &export.name);
        if !self.names.exports.insert(&export.name) {
            self.problems.at(
                &name_path,
                format!("export `{}` is defined twice", export.name),
            );
        }
        self.reference_point(&export.reference_point, at, path);
        if let Some(base) = &export.base {
            if !self.names.reference_points.contains_key(base.as_str()) {
                let message = self.undefined("reference point", base, at);
                self.problems.at(&path.key("base"), message);
            }
        }
        check_target(export, path, self.problems);
        if let Some(selection) = &export.disks {
            let group = self
                .names
                .reference_points
                .get(export.reference_point.as_str());
            if let Some(group) = group.copied() {
                self.selection(selection, group, &path.key("disks"));
            }
        }
    }

    fn selection(&mut self, selection: &[DiskSelection], group: &str, path: &NodePath) {
        let members = self.world.groups.get(group).cloned().unwrap_or_default();
        let mut seen = BTreeSet::new();
        for (i, choice) in selection.iter().enumerate() {
            let vm_path = path.index(i).key("vm");
            // A VM of another group is allowed on purpose: the export job must refuse it
            // (32773), and scenarios test that. A VM that exists nowhere is a scenario error.
            if !members.contains(choice.vm.as_str())
                && !self.world.vm_disks.contains_key(choice.vm.as_str())
            {
                self.problems.at(
                    &vm_path,
                    format!(
                        "VM `{}` is not defined; members of group `{group}`: {}",
                        choice.vm,
                        listing(members.iter().copied())
                    ),
                );
                continue;
            }
            if !seen.insert(choice.vm.as_str()) {
                self.problems
                    .at(&vm_path, format!("VM `{}` is selected twice", choice.vm));
            }
            let disks = self.world.vm_disks.get(choice.vm.as_str());
            let disks = disks.cloned().unwrap_or_default();
            for (d, disk) in choice.disks.iter().enumerate() {
                if !disks.contains(disk.as_str()) {
                    self.problems.at(
                        &path.index(i).key("disks").index(d),
                        format!(
                            "disk `{disk}` is not attached to VM `{}`; its disks: {}",
                            choice.vm,
                            listing(disks.iter().copied())
                        ),
                    );
                }
            }
        }
    }
}

/// Exactly one of `target_dir` (a safe single path component) and `export_directory`.
/// A timed guest write: a known disk, at least one block and at most [`WRITE_BLOCKS_MAX`],
/// all inside the disk.
fn check_write(write: &GuestWrite, path: &NodePath, world: &World<'_>, problems: &mut Problems) {
    let Some(disk_blocks) = world.blocks_of(&write.disk) else {
        if !fault::disk_exists(&write.disk, world) {
            problems.at(
                &path.key("disk"),
                format!(
                    "disk `{}` is not defined; write `vm/disk` for a VM's disk or the name of a \
                     shared disk ({})",
                    write.disk,
                    listing(world.shared_disks.keys().copied())
                ),
            );
        }
        return;
    };
    if write.blocks == 0 || write.blocks > WRITE_BLOCKS_MAX {
        problems.at(
            &path.key("blocks"),
            format!(
                "a write of {} blocks; allowed: 1 to {WRITE_BLOCKS_MAX}",
                write.blocks
            ),
        );
        return;
    }
    if write.block.saturating_add(write.blocks) > disk_blocks {
        problems.at(
            &path.key("block"),
            format!(
                "a write of blocks {}..{} ends past the last block of disk `{}` ({disk_blocks} \
                 blocks)",
                write.block,
                write.block.saturating_add(write.blocks),
                write.disk
            ),
        );
    }
}

fn check_target(export: &Export, path: &NodePath, problems: &mut Problems) {
    match (&export.target_dir, &export.export_directory) {
        (None, None) => problems.at(
            path,
            format!(
                "export `{}` has no target; give `target_dir` (a directory name under \
                 /exports/) or `export_directory` (a raw ExportDirectory string)",
                export.name
            ),
        ),
        (Some(_), Some(_)) => problems.at_key(
            &path.key("export_directory"),
            "`target_dir` and `export_directory` are mutually exclusive; give one of them",
        ),
        (Some(dir), None) => {
            let safe = !dir.is_empty()
                && dir.len() <= NAME_BYTES_MAX
                && dir
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                && !dir.contains("..")
                && dir != ".";
            if !safe {
                problems.at(
                    &path.key("target_dir"),
                    format!(
                        "target_dir `{dir}` is not a plain directory name; allowed: 1 to \
                         {NAME_BYTES_MAX} of A-Z a-z 0-9 . _ - without `..` (to pass a raw \
                         hostile path to the job, use `export_directory`)"
                    ),
                );
            }
        }
        (None, Some(raw)) => {
            if raw.len() > EXPORT_DIRECTORY_BYTES_MAX {
                problems.at(
                    &path.key("export_directory"),
                    format!(
                        "export_directory is {} bytes long; at most {EXPORT_DIRECTORY_BYTES_MAX} \
                         bytes are allowed",
                        raw.len()
                    ),
                );
            }
        }
    }
}

/// `expect` entries name exports of the timeline, once each, with plausible values.
pub(crate) fn check_expectations(scenario: &Scenario, names: &Names<'_>, problems: &mut Problems) {
    let path = NodePath::root().key("expect");
    if !problems.count(
        &path,
        "expectations",
        scenario.expect.len(),
        EXPECTATIONS_MAX,
    ) {
        return;
    }
    let mut seen = BTreeSet::new();
    for (i, expectation) in scenario.expect.iter().enumerate() {
        if !problems.has_room() {
            return;
        }
        let entry = path.index(i);
        let export = expectation.export.as_str();
        if !names.exports.contains(export) {
            problems.at(
                &entry.key("export"),
                format!(
                    "export `{export}` is not defined in the timeline; defined exports: {}",
                    listing(names.exports.iter().copied())
                ),
            );
        } else if !seen.insert(export) {
            problems.at(
                &entry.key("export"),
                format!("export `{export}` has two expect entries; merge them"),
            );
        }
        if let Some(state) = expectation.job_state {
            if !(2..=12).contains(&state) {
                problems.at(
                    &entry.key("job_state"),
                    format!(
                        "job_state {state} is not a JobState; allowed: 2 to 12 (7 Completed, \
                         8 Terminated, 9 Killed, 10 Exception)"
                    ),
                );
            }
        }
        poll::check_expectation(expectation, &entry, names, problems);
        for (field, files) in [
            ("files_present", &expectation.files_present),
            ("files_absent", &expectation.files_absent),
        ] {
            check_expected_files(files, &entry.key(field), problems);
        }
    }
}

fn check_expected_files(files: &[String], path: &NodePath, problems: &mut Problems) {
    if !problems.count(path, "paths", files.len(), EXPECTED_FILES_MAX) {
        return;
    }
    for (i, file) in files.iter().enumerate() {
        let relative = !file.is_empty()
            && file.len() <= EXPECTED_FILE_BYTES_MAX
            && !file.starts_with('/')
            && !file.starts_with('\\')
            && !file.contains(':')
            && file.split(['/', '\\']).all(|part| part != "..");
        if !relative {
            problems.at(
                &path.index(i),
                format!(
                    "`{file}` is not a path inside the export directory; write it relative, \
                     without `..`, at most {EXPECTED_FILE_BYTES_MAX} bytes"
                ),
            );
        }
    }
}
