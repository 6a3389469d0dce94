//! What makes a directory a complete export: an intact manifest that lists exactly the files
//! present, and disk logs that are each intact and belong to the exported reference point (and
//! its base). Owns that decision; it must never write anything nor judge a chain of exports.

use crate::error::RestoreError;
use crate::logfile::{read_log, LogFile};
use crate::manifest::{verify_manifest, ExportManifest};
use rpsim_export::guid::Guid;
use std::collections::BTreeSet;
use std::path::Path;

/// Extension of a disk log in an export.
pub const LOG_EXTENSION: &str = ".rplog";

/// Checks that `dir` is a complete export: manifest, files, and every disk log.
pub fn verify_export(dir: &Path) -> Result<ExportManifest, RestoreError> {
    let mut manifest = verify_manifest(dir)?;
    let mut disks = BTreeSet::new();
    let mut logs = Vec::new();
    for file in manifest
        .files
        .iter()
        .filter(|f| f.path.ends_with(LOG_EXTENSION))
    {
        let log = read_log(&dir.join(&file.path))?;
        check_log(&manifest, &log)?;
        if !disks.insert(log.header.disk_instance_id.clone()) {
            return Err(RestoreError::export(
                dir,
                format!(
                    "disk `{}` has more than one log (`{}` is the second)",
                    log.header.disk_instance_id, file.path
                ),
            ));
        }
        logs.push(log);
    }
    assert!(logs.len() <= manifest.files.len());
    manifest.logs = logs;
    Ok(manifest)
}

/// A log must hold the exported reference point; a differential log must be against the
/// export's base (so a full export holds only full logs).
fn check_log(manifest: &ExportManifest, log: &LogFile) -> Result<(), RestoreError> {
    let header = &log.header;
    let problem = if header.target_reference_point != manifest.reference_point {
        format!(
            "holds reference point {}, but the export's manifest says {}",
            header.target_reference_point, manifest.reference_point
        )
    } else if header.differential && header.base_reference_point != manifest.base_reference_point {
        format!(
            "is a differential against {}, but the export's base is {}",
            header.base_reference_point.unwrap_or(Guid::NIL),
            manifest
                .base_reference_point
                .map_or("- (a full export)".to_string(), |g| g.to_string())
        )
    } else {
        return Ok(());
    };
    Err(RestoreError::export(
        &manifest.dir,
        format!("log `{}` {problem}", log.path.display()),
    ))
}
