//! rpsim-restore: the independent reader of exports. It verifies log files, manifests and
//! chains against `sim/export/FORMAT.md` (never against the writer's code) and restores each
//! disk of a full export plus its differentials into a sparse raw image. It must never modify
//! an export directory nor overwrite a file.

pub mod chain;
pub mod error;
pub mod export;
pub mod extent_map;
pub mod image;
pub mod logfile;
pub mod manifest;
pub mod names;
pub mod outdir;
pub mod plan;
mod stream;

pub use chain::{check_chain, verify_chain};
pub use error::{ErrorClass, RestoreError};
pub use export::{verify_export, verify_export_in};
pub use extent_map::MappedExtent;
pub use image::{DiskSummary, RestoreSummary};
pub use logfile::{read_log, read_log_in, LogExtent, LogFile, LogHandle, LogHeader};
pub use manifest::{parse_manifest, ExportManifest, ManifestFile, ReferencePointType};
pub use outdir::{check_out_dir, check_out_dir_in};
pub use stream::{HOLES_PER_FILE_MAX, HOLE_BYTES_MAX};

use plan::{DiskPlan, Plan};
use std::path::{Path, PathBuf};

/// Restores the chain `export_dirs` (a full export, then its differentials in order) into
/// `out_dir`, which must be missing or empty and lie outside every export. Everything is
/// verified, and the output file system's limits checked, before the first image is created;
/// on any refusal or failure `out_dir` is left as it was.
pub fn restore_chain(
    export_dirs: &[PathBuf],
    out_dir: &Path,
) -> Result<RestoreSummary, RestoreError> {
    check_out_dir(out_dir, export_dirs)?;
    open_chain(export_dirs)?.restore_into(out_dir)
}

/// A chain whose every export and log was verified and whose restore is planned. Each log
/// keeps the one open handle it was verified from: a restore applies those bytes, whatever
/// has since happened to the paths.
#[derive(Debug)]
pub struct VerifiedChain {
    export_dirs: Vec<PathBuf>,
    manifests: Vec<ExportManifest>,
    plan: Plan,
}

/// Verifies the chain `export_dirs` (see [`verify_chain`]) and plans its restore, refusing
/// any break in a disk's history. Writes nothing.
pub fn open_chain(export_dirs: &[PathBuf]) -> Result<VerifiedChain, RestoreError> {
    let manifests = verify_chain(export_dirs)?;
    let plan = plan::plan_restore(&manifests)?;
    Ok(VerifiedChain {
        export_dirs: export_dirs.to_vec(),
        manifests,
        plan,
    })
}

/// Plans the restore of a chain whose exports were each verified by [`verify_export`]
/// (their manifests hold the handles verified): the chain rules are checked here, the
/// exports are not read again. Writes nothing.
pub fn open_verified_chain(manifests: Vec<ExportManifest>) -> Result<VerifiedChain, RestoreError> {
    check_chain(&manifests)?;
    let plan = plan::plan_restore(&manifests)?;
    Ok(VerifiedChain {
        export_dirs: manifests.iter().map(|m| m.dir.clone()).collect(),
        manifests,
        plan,
    })
}

impl VerifiedChain {
    /// The verified manifests, in chain order.
    pub fn manifests(&self) -> &[ExportManifest] {
        &self.manifests
    }

    /// What each disk's image will be, by disk instance id.
    pub fn disks(&self) -> impl Iterator<Item = &DiskPlan> {
        self.plan.disks.values()
    }

    /// Where each byte of `disk_instance_id`'s image comes from (see [`extent_map::extent_map`]).
    pub fn extent_map(&self, disk_instance_id: &str) -> Vec<MappedExtent> {
        extent_map::extent_map(&self.plan, &self.manifests, disk_instance_id)
    }

    /// Writes the images into `out_dir` (checked again: missing or empty, outside every
    /// export); on any error, removes what it created.
    pub fn restore_into(&self, out_dir: &Path) -> Result<RestoreSummary, RestoreError> {
        self.restore_into_in(&rpsim_vfs::RealFs, out_dir)
    }

    /// [`VerifiedChain::restore_into`] on the file system `fs`, which holds the exports (their
    /// logs were verified from it) and receives the images.
    pub fn restore_into_in(
        &self,
        fs: &dyn rpsim_vfs::Fs,
        out_dir: &Path,
    ) -> Result<RestoreSummary, RestoreError> {
        let real = check_out_dir_in(fs, out_dir, &self.export_dirs)?;
        let mut output = outdir::Output::open(fs, out_dir, &real)?;
        let summary = image::apply_plan(&self.plan, &self.manifests, &mut output)?;
        output.keep();
        assert_eq!(summary.disks.len(), self.plan.disks.len());
        Ok(summary)
    }
}
