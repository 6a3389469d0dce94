//! rpsim-restore: the independent reader of exports. It verifies log files, manifests and
//! chains against `sim/export/FORMAT.md` (never against the writer's code) and restores each
//! disk of a full export plus its differentials into a sparse raw image. It must never modify
//! an export directory nor overwrite a file.

pub mod chain;
pub mod error;
pub mod export;
pub mod image;
pub mod logfile;
pub mod manifest;
pub mod names;
pub mod plan;
mod stream;

pub use chain::verify_chain;
pub use error::{ErrorClass, RestoreError};
pub use export::verify_export;
pub use image::{DiskSummary, RestoreSummary};
pub use logfile::{read_log, LogExtent, LogFile, LogHeader};
pub use manifest::{verify_manifest, ExportManifest, ManifestFile, ReferencePointType};

use std::path::{Path, PathBuf};

/// Restores the chain `export_dirs` (a full export, then its differentials in order) into
/// `out_dir`, which must be missing or empty. Everything is verified before the first image
/// is created.
pub fn restore_chain(
    export_dirs: &[PathBuf],
    out_dir: &Path,
) -> Result<RestoreSummary, RestoreError> {
    image::check_out_dir(out_dir, export_dirs)?;
    open_chain(export_dirs)?.restore_into(out_dir)
}

/// A verified chain, ready to restore.
pub struct VerifiedChain {
    export_dirs: Vec<PathBuf>,
    pub manifests: Vec<ExportManifest>,
    pub plan: plan::Plan,
}

/// Verifies the chain and plans its restore.
pub fn open_chain(export_dirs: &[PathBuf]) -> Result<VerifiedChain, RestoreError> {
    let manifests = verify_chain(export_dirs)?;
    let plan = plan::plan_restore(&manifests)?;
    Ok(VerifiedChain { export_dirs: export_dirs.to_vec(), manifests, plan })
}

impl VerifiedChain {
    /// Writes the images into `out_dir`.
    pub fn restore_into(&self, out_dir: &Path) -> Result<RestoreSummary, RestoreError> {
        image::check_out_dir(out_dir, &self.export_dirs)?;
        let summary = image::apply_plan(&self.plan, out_dir)?;
        assert_eq!(summary.disks.len(), self.plan.disks.len());
        Ok(summary)
    }
}
