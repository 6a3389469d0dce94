//! Checks that a list of export directories forms one chain: each a complete export of the
//! same VM group and reference point type, the first full, each next one a differential whose
//! base is the previous one's reference point. Owns the chain rules only; it must never read
//! disk logs or write anything.

use crate::error::RestoreError;
use crate::export::verify_export;
use crate::manifest::ExportManifest;
use std::path::PathBuf;

/// Longest chain (full plus differentials) accepted.
pub const CHAIN_LENGTH_MAX: usize = 1024;

/// Verifies every export of the chain, in the order given, and returns their manifests.
pub fn verify_chain(export_dirs: &[PathBuf]) -> Result<Vec<ExportManifest>, RestoreError> {
    check_length(export_dirs.len())?;
    let mut manifests: Vec<ExportManifest> = Vec::with_capacity(export_dirs.len());
    for dir in export_dirs {
        let manifest = verify_export(dir)?;
        check_next(manifests.last(), &manifest)?;
        manifests.push(manifest);
    }
    assert_eq!(manifests.len(), export_dirs.len());
    Ok(manifests)
}

/// The chain rules alone, over exports each already verified by [`verify_export`] (for a
/// caller that restores several chains sharing exports and verifies each export once).
pub fn check_chain(manifests: &[ExportManifest]) -> Result<(), RestoreError> {
    check_length(manifests.len())?;
    for (index, manifest) in manifests.iter().enumerate() {
        check_next(index.checked_sub(1).map(|i| &manifests[i]), manifest)?;
    }
    Ok(())
}

fn check_next(
    previous: Option<&ExportManifest>,
    next: &ExportManifest,
) -> Result<(), RestoreError> {
    match previous {
        None => check_first(next),
        Some(previous) => check_link(previous, next),
    }
}

fn check_length(exports: usize) -> Result<(), RestoreError> {
    if exports == 0 {
        return Err(RestoreError::Chain {
            problem: "no export directory was given; pass a full export first".to_string(),
        });
    }
    if exports > CHAIN_LENGTH_MAX {
        return Err(RestoreError::Chain {
            problem: format!(
                "{exports} exports were given; at most {CHAIN_LENGTH_MAX} are accepted"
            ),
        });
    }
    Ok(())
}

fn check_first(first: &ExportManifest) -> Result<(), RestoreError> {
    match first.base_reference_point {
        None => Ok(()),
        Some(base) => Err(RestoreError::Chain {
            problem: format!(
                "the first export `{}` is a differential against {base}; a chain must start with a full export \
                 (pass the full export, then its differentials in order)",
                first.dir.display()
            ),
        }),
    }
}

fn check_link(previous: &ExportManifest, next: &ExportManifest) -> Result<(), RestoreError> {
    let chain = |problem: String| Err(RestoreError::Chain { problem });
    if next.collection_id != previous.collection_id {
        return chain(format!(
            "`{}` exports VM group {}, but `{}` exports VM group {}: every export of a chain must come from one VM group",
            next.dir.display(),
            next.collection_id,
            previous.dir.display(),
            previous.collection_id
        ));
    }
    if next.reference_point_type != previous.reference_point_type {
        return chain(format!(
            "`{}` has reference point type {:?}, but `{}` has {:?}: a chain cannot mix log-based and RCT-based exports",
            next.dir.display(),
            next.reference_point_type,
            previous.dir.display(),
            previous.reference_point_type
        ));
    }
    let Some(base) = next.base_reference_point else {
        return chain(format!(
            "`{}` is a full export; it can only start a chain (restore it on its own, or drop the exports before it)",
            next.dir.display()
        ));
    };
    if base != previous.reference_point {
        return chain(format!(
            "differential `{}` has base {base}, but the previous export in the chain `{}` is reference point {}: \
             the chain has a gap or is out of order",
            next.dir.display(),
            previous.dir.display(),
            previous.reference_point
        ));
    }
    Ok(())
}
