//! Turns a verified chain into an ordered list of log applications and checks that each
//! disk's history is continuous: a full log starts (or restarts) a disk, a differential log
//! must follow the reference point the disk's image is at, with the same geometry. Owns those
//! rules; it must never write a byte, nor copy a log's extent list (a step names its log by
//! position in the manifests, which hold the one copy).

use crate::error::RestoreError;
use crate::logfile::LogFile;
use crate::manifest::ExportManifest;
use crate::names::{unique_image_name, IMAGES_MAX};
use rpsim_export::guid::Guid;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// What the image of one disk will be once the plan is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiskPlan {
    pub disk_instance_id: String,
    /// File name inside the output directory.
    pub image_name: String,
    pub virtual_size_bytes: u64,
    pub block_size_bytes: u64,
    /// The reference point the image is at after the last step that touched it.
    pub reference_point: Guid,
    /// The target RCT id of that step's log: the next differential's base RCT id.
    pub rct_id: String,
    /// That step's log, named when a link to it is broken.
    pub last_log: PathBuf,
}

/// One log to apply: `manifests[export].logs[log]`; `restart` when it is a full log (the image
/// starts from zeros). Steps a later full log of the same disk supersedes are dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub export: usize,
    pub log: usize,
    pub restart: bool,
}

impl Step {
    /// The log this step applies.
    pub fn log<'a>(&self, manifests: &'a [ExportManifest]) -> &'a LogFile {
        &manifests[self.export].logs[self.log]
    }
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Keyed by disk instance id.
    pub disks: BTreeMap<String, DiskPlan>,
    pub steps: Vec<Step>,
}

/// Builds the plan from the verified logs of every export (in chain order, each export's logs
/// in manifest order), refusing any break in a disk's chain.
pub fn plan_restore(manifests: &[ExportManifest]) -> Result<Plan, RestoreError> {
    let mut plan = Plan::default();
    let mut image_names = BTreeSet::new();
    for (export, manifest) in manifests.iter().enumerate() {
        for (index, log) in manifest.logs.iter().enumerate() {
            assert_eq!(log.header.target_reference_point, manifest.reference_point);
            let restart = plan_step(&mut plan.disks, &mut image_names, log)?;
            if restart {
                let disk_id = &log.header.disk_instance_id;
                plan.steps
                    .retain(|s| &s.log(manifests).header.disk_instance_id != disk_id);
            }
            plan.steps.push(Step {
                export,
                log: index,
                restart,
            });
        }
    }
    assert!(plan.disks.len() <= IMAGES_MAX);
    Ok(plan)
}

/// Checks one log against its disk's plan and moves the plan on; true when it is a full log.
fn plan_step(
    disks: &mut BTreeMap<String, DiskPlan>,
    image_names: &mut BTreeSet<String>,
    log: &LogFile,
) -> Result<bool, RestoreError> {
    let header = &log.header;
    let disk_id = header.disk_instance_id.clone();
    if !header.differential {
        let image_name = match disks.get(&disk_id) {
            Some(existing) => existing.image_name.clone(),
            None => {
                unique_image_name(&disk_id, image_names).ok_or_else(|| RestoreError::Chain {
                    problem: format!("the chain holds more than {IMAGES_MAX} disks"),
                })?
            }
        };
        disks.insert(
            disk_id.clone(),
            DiskPlan {
                disk_instance_id: disk_id,
                image_name,
                virtual_size_bytes: header.virtual_size_bytes,
                block_size_bytes: header.block_size_bytes,
                reference_point: header.target_reference_point,
                rct_id: header.target_rct_id.clone(),
                last_log: log.path.clone(),
            },
        );
        return Ok(true);
    }
    let Some(disk) = disks.get_mut(&disk_id) else {
        return Err(RestoreError::Chain {
            problem: format!(
                "`{}` is a differential log for disk `{disk_id}`, but no earlier export of the chain holds that disk: \
                 the chain is broken (pass the full export that holds the disk first)",
                log.path.display()
            ),
        });
    };
    if Some(disk.reference_point) != header.base_reference_point {
        return Err(RestoreError::Chain {
            problem: format!(
                "`{}` changes disk `{disk_id}` from reference point {}, but the disk's image is at {}: \
                 the disk was missing from an export in between, so the chain is broken for it",
                log.path.display(),
                header.base_reference_point.unwrap_or(Guid::NIL),
                disk.reference_point
            ),
        });
    }
    if (disk.virtual_size_bytes, disk.block_size_bytes)
        != (header.virtual_size_bytes, header.block_size_bytes)
    {
        return Err(RestoreError::Chain {
            problem: format!(
                "`{}` says disk `{disk_id}` has virtual size {} and block size {}, but earlier logs say {} and {}: \
                 a differential cannot change a disk's geometry",
                log.path.display(),
                header.virtual_size_bytes,
                header.block_size_bytes,
                disk.virtual_size_bytes,
                disk.block_size_bytes
            ),
        });
    }
    if header.base_rct_id != disk.rct_id {
        return Err(RestoreError::Chain {
            problem: format!(
                "`{}` changes disk `{disk_id}` from base RCT id `{}`, but the disk's previous log `{}` has target RCT id `{}`: \
                 the two were not taken one after the other, so the chain is broken for it",
                log.path.display(),
                header.base_rct_id,
                disk.last_log.display(),
                disk.rct_id
            ),
        });
    }
    assert!(
        !header.target_rct_id.is_empty(),
        "verified logs have a target RCT id"
    );
    disk.reference_point = header.target_reference_point;
    disk.rct_id = header.target_rct_id.clone();
    disk.last_log = log.path.clone();
    Ok(false)
}
