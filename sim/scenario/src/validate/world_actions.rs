//! Validation of the timeline entries that change the world's disks and storage:
//! `attach_disk`, `detach_disk`, `resize_disk`, `rct_reset` and `free_space`. Owns their rules
//! (names resolve, sizes in range, growing only, whole blocks) and messages; it must never
//! decide what the world does with them.

use super::topology::World;
use super::{
    fault, Problems, BLOCK_SIZE_BYTES_MAX, BLOCK_SIZE_BYTES_MIN, DISK_SIZE_BYTES_MAX,
    INSTANCE_ID_BYTES_MAX,
};
use crate::model::{AttachDisk, DiskRef, FillLayout, FreeSpace, ResizeDisk};
use crate::path::NodePath;

pub(crate) fn check_attach(
    attach: &AttachDisk,
    path: &NodePath,
    world: &World<'_>,
    problems: &mut Problems,
) {
    let Some(disks) = world.vm_disks.get(attach.vm.as_str()) else {
        problems.at(
            &path.key("vm"),
            format!("VM `{}` is not defined", attach.vm),
        );
        return;
    };
    let disk = &attach.disk;
    let at = path.key("disk");
    problems.name(&at.key("name"), "disk", &disk.name);
    if disks.contains(disk.name.as_str()) {
        problems.at(
            &at.key("name"),
            format!("VM `{}` already has a disk `{}`", attach.vm, disk.name),
        );
    }
    if disk.size.bytes() == 0 || disk.size.bytes() > DISK_SIZE_BYTES_MAX {
        problems.at(
            &at.key("size"),
            format!(
                "disk size {} is out of range; allowed: more than 0, at most 64TiB",
                disk.size
            ),
        );
    }
    let block = disk.block_size.bytes();
    if !block.is_power_of_two() || !(BLOCK_SIZE_BYTES_MIN..=BLOCK_SIZE_BYTES_MAX).contains(&block) {
        problems.at(
            &at.key("block_size"),
            format!(
                "block size {} is not allowed; a block size is a power of two from 4KiB to 256MiB",
                disk.block_size
            ),
        );
    }
    if disk.fill.layout != FillLayout::Sequential || !disk.fill.blocks.is_empty() {
        problems.at(
            &at.key("fill").key("layout"),
            "an attached disk takes a sequential fill only (`fill: { allocated: 1MiB }`)",
        );
    }
    if disk.fill.allocated > disk.size {
        problems.at(
            &at.key("fill").key("allocated"),
            format!(
                "fill.allocated {} is more than the disk size {}",
                disk.fill.allocated, disk.size
            ),
        );
    }
    if let Some(id) = &disk.instance_id {
        if id.len() > INSTANCE_ID_BYTES_MAX || world.instance_ids.contains(id) {
            problems.at(
                &at.key("instance_id"),
                format!("instance_id must be unique and at most {INSTANCE_ID_BYTES_MAX} bytes"),
            );
        }
    }
}

/// `detach_disk` and `rct_reset`: the disk exists.
pub(crate) fn check_disk_ref(
    disk: &DiskRef,
    path: &NodePath,
    world: &World<'_>,
    problems: &mut Problems,
) {
    if !fault::disk_exists(&disk.disk, world) {
        problems.at(
            &path.key("disk"),
            format!("disk `{}` is not defined; write `vm/disk` for a VM's disk or the name of a shared disk", disk.disk),
        );
    }
}

pub(crate) fn check_resize(
    resize: &ResizeDisk,
    path: &NodePath,
    world: &World<'_>,
    problems: &mut Problems,
) {
    let Some((size, block)) = world.disk_geometry.get(resize.disk.as_str()).copied() else {
        check_disk_ref(
            &DiskRef {
                disk: resize.disk.clone(),
            },
            path,
            world,
            problems,
        );
        return;
    };
    let new = resize.size.bytes();
    if new <= size || new > DISK_SIZE_BYTES_MAX {
        problems.at(
            &path.key("size"),
            format!("a resize grows the disk: give more than its {size} bytes, at most 64TiB"),
        );
    } else if size % block != 0 || new % block != 0 {
        problems.at(
            &path.key("size"),
            format!("a resized disk's old and new sizes must be whole blocks of {block} bytes"),
        );
    }
}

pub(crate) fn check_free_space(free: &FreeSpace, path: &NodePath, problems: &mut Problems) {
    if free.size.bytes() == 0 {
        problems.at(
            &path.key("size"),
            "free_space of 0 bytes frees nothing; give a size such as `64MiB`",
        );
    }
}
