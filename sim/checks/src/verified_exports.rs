//! Each completed export directory verified once per run: the invariants need to know that a
//! completed export verifies, and restore equivalence restores every chain it is part of (a
//! full export under five differentials sits in six chains). Owns that memo; it must never
//! verify by anything but `rpsim_restore::verify_export`, and never outlive the run whose
//! (finished, unchanging) directories it describes.

use rpsim_restore::ExportManifest;
use rpsim_vfs::Fs;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Verification results by export directory, as `verify_export` gave them (errors as text).
#[derive(Debug, Default)]
pub struct VerifiedExports {
    by_dir: BTreeMap<PathBuf, Result<ExportManifest, String>>,
}

impl VerifiedExports {
    /// The verified manifest of `dir` (with the handles it was verified from), or why it does
    /// not verify; verified on the first call only.
    pub fn verify(&mut self, fs: &dyn Fs, dir: &Path) -> Result<&ExportManifest, &str> {
        self.by_dir
            .entry(dir.to_path_buf())
            .or_insert_with(|| rpsim_restore::verify_export_in(fs, dir).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(String::as_str)
    }

    /// The manifests of `chain`, in order, or the first refusal.
    pub fn chain(&mut self, fs: &dyn Fs, chain: &[PathBuf]) -> Result<Vec<ExportManifest>, String> {
        chain
            .iter()
            .map(|dir| self.verify(fs, dir).cloned().map_err(str::to_string))
            .collect()
    }
}
