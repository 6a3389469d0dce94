//! What makes a directory a complete export: an intact manifest that lists exactly the files
//! present, and disk logs that are each intact and belong to the exported reference point (and
//! its base). Owns that decision; it must never write anything nor judge a chain of exports.

use crate::error::RestoreError;
use crate::logfile::{verify_log, LogFile};
use crate::manifest::{
    check_listing, open_error, parse_manifest, read_manifest, ExportManifest, ManifestFile,
};
use crate::stream::{find_holes, hash_file, HoleBudget};
use rpsim_export::guid::Guid;
use rpsim_vfs::{Fs, OpenError, RealFs, VDir, VFile};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

/// Extension of a disk log in an export.
pub const LOG_EXTENSION: &str = ".rplog";

/// Checks that `dir` is a complete export: manifest, files, and every disk log. Each file is
/// opened once, relative to the export folder and never through a symbolic link; a log keeps
/// that handle so a restore applies the bytes verified here.
pub fn verify_export(dir: &Path) -> Result<ExportManifest, RestoreError> {
    verify_export_in(&RealFs, dir)
}

/// [`verify_export`] of the directory `dir` of the file system `fs`.
pub fn verify_export_in(fs: &dyn Fs, dir: &Path) -> Result<ExportManifest, RestoreError> {
    let root = open_export_root(fs, dir)?;
    let root = root.as_ref();
    let text = read_manifest(root, dir)?;
    let mut manifest =
        parse_manifest(&text).map_err(|problem| RestoreError::export(dir, problem))?;
    manifest.dir = dir.to_path_buf();
    check_listing(root, &manifest)?;
    let mut budget = HoleBudget::new();
    let mut disks = BTreeSet::new();
    let mut logs = Vec::new();
    for listed in &manifest.files {
        let (file, holes) = open_listed(root, dir, listed, &mut budget)?;
        if !listed.path.ends_with(LOG_EXTENSION) {
            check_vm_file(dir, listed, file, holes)?;
            continue;
        }
        let path = dir.join(&listed.path);
        let log = verify_log(file, &path, listed.size_bytes, holes)?;
        // Manifest v2: a log's listed checksum is its footer's, verified once above.
        check_listed_digest(dir, listed, log.file_xxh3_128)?;
        check_log(&manifest, &log)?;
        if !disks.insert(log.header.disk_instance_id.clone()) {
            return Err(RestoreError::export(
                dir,
                format!(
                    "disk `{}` has more than one log (`{}` is the second)",
                    log.header.disk_instance_id, listed.path
                ),
            ));
        }
        logs.push(log);
    }
    assert!(logs.len() <= manifest.files.len());
    manifest.logs = logs;
    Ok(manifest)
}

/// Opens the export folder itself: a missing path or a permission problem is an I/O error, a
/// path that is not a folder (or is a symbolic link to one) unusable input.
fn open_export_root(fs: &dyn Fs, dir: &Path) -> Result<Box<dyn VDir>, RestoreError> {
    fs.open_dir(dir).map_err(|e| match e {
        OpenError::Kind(kind) => RestoreError::Input {
            path: dir.to_path_buf(),
            problem: format!(
                "it is {}, not a directory; give the export directory itself",
                kind.describe()
            ),
        },
        OpenError::Io(e) if e.raw_os_error() == Some(libc::ENOTDIR) => RestoreError::Input {
            path: dir.to_path_buf(),
            problem: "it is not a directory; give the export directory itself".to_string(),
        },
        OpenError::Io(e) => RestoreError::io("open export directory", dir, e),
    })
}

/// The holes of a file, as (offset, length) byte ranges.
type Holes = Vec<(u64, u64)>;

/// Opens one listed file, checks its size against the manifest before reading a byte, and
/// finds its holes (charged to the export's budget).
fn open_listed(
    root: &dyn VDir,
    dir: &Path,
    listed: &ManifestFile,
    budget: &mut HoleBudget,
) -> Result<(Arc<dyn VFile>, Holes), RestoreError> {
    let file = rpsim_vfs::open_path(root, &listed.path)
        .map_err(|(relative, e)| open_error(dir, &relative, e))?;
    let path = dir.join(&listed.path);
    let size_bytes = file
        .len_bytes()
        .map_err(|e| RestoreError::io("look at exported file", &path, e))?;
    if size_bytes != listed.size_bytes {
        return Err(RestoreError::export(
            dir,
            format!(
                "`{}` is {size_bytes} bytes but its manifest says {}",
                listed.path, listed.size_bytes
            ),
        ));
    }
    let holes = find_holes(file.as_ref(), size_bytes, budget)
        .map_err(|e| crate::stream::hole_error(&path, e))?;
    Ok((Arc::from(file), holes))
}

/// A VM file: its bytes must hash to the listed checksum.
fn check_vm_file(
    dir: &Path,
    listed: &ManifestFile,
    file: Arc<dyn VFile>,
    holes: Vec<(u64, u64)>,
) -> Result<(), RestoreError> {
    let path = dir.join(&listed.path);
    let (size_bytes, digest) = hash_file(file, listed.size_bytes, holes)
        .map_err(|e| RestoreError::io("read exported file", &path, e))?;
    if size_bytes != listed.size_bytes {
        return Err(RestoreError::export(
            dir,
            format!(
                "`{}` changed size while it was read ({size_bytes} bytes read)",
                listed.path
            ),
        ));
    }
    check_listed_digest(dir, listed, digest)
}

fn check_listed_digest(
    dir: &Path,
    listed: &ManifestFile,
    digest: u128,
) -> Result<(), RestoreError> {
    if digest == listed.xxh3_128 {
        return Ok(());
    }
    Err(RestoreError::export(
        dir,
        format!(
            "`{}` hashes to {digest:032x} but its manifest says {:032x}: its content changed",
            listed.path, listed.xxh3_128
        ),
    ))
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
