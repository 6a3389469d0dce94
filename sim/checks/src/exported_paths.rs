//! The rule both invariant checkers apply to a job's `Exported*FilePaths[]`: every entry lies
//! inside `ExportDirectory` as a plain relative path and names an existing file. Owns that rule
//! and its verdict per path; it must never format messages (each checker words its own) nor
//! change the directory.

use rpsim_export::wmi::JobProperties;
use rpsim_vfs::{Fs, Kind};
use std::path::{Path, PathBuf};

/// What is wrong with one reported path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathProblem {
    /// It does not start with `ExportDirectory` and its separator (`/`, or `\\` for a
    /// Windows directory written with backslashes).
    Outside,
    /// It does, but holds `..` or an empty component.
    NotPlain,
    /// It is a plain path inside the export, but no file is there.
    Missing,
}

/// The separator a client-given `ExportDirectory` puts between components: `\` for a drive or
/// UNC path written with backslashes (`C:\Backups\rp1`), else `/`. Reported paths must use it.
pub fn separator_of(export_directory: &str) -> char {
    let windows = export_directory.starts_with('\\')
        || export_directory
            .split(['/', '\\'])
            .next()
            .is_some_and(|first| first.contains(':'));
    if windows && export_directory.contains('\\') {
        '\\'
    } else {
        '/'
    }
}

/// The components of a reported path below `ExportDirectory`, or what is wrong with it (the
/// existence of the file is not looked at).
fn components_below<'p>(
    export_directory: &str,
    path: &'p str,
) -> Result<Vec<&'p str>, PathProblem> {
    let separator = separator_of(export_directory);
    let prefix = format!(
        "{}{separator}",
        export_directory.trim_end_matches(['/', '\\'])
    );
    let relative = path.strip_prefix(&prefix).ok_or(PathProblem::Outside)?;
    let components: Vec<&str> = relative.split(separator).collect();
    if components
        .iter()
        .any(|c| *c == ".." || c.is_empty() || c.contains(['/', '\\']))
    {
        return Err(PathProblem::NotPlain);
    }
    Ok(components)
}

/// The real file a reported path names under the export's real directory, when the path is a
/// plain path inside `ExportDirectory` (whether the file exists is not looked at).
pub fn real_file(export_directory: &str, real_dir: &Path, path: &str) -> Option<PathBuf> {
    let components = components_below(export_directory, path).ok()?;
    Some(
        components
            .iter()
            .fold(real_dir.to_path_buf(), |p, c| p.join(c)),
    )
}

/// Every reported path with its problem (`None`: fine), in property order (log, config,
/// runtime, guest state).
pub fn verdicts<'p>(
    fs: &dyn Fs,
    properties: &'p JobProperties,
    real_dir: &Path,
) -> Vec<(&'p str, Option<PathProblem>)> {
    let arrays = [
        &properties.exported_log_file_paths,
        &properties.exported_config_file_paths,
        &properties.exported_runtime_file_paths,
        &properties.exported_guest_state_file_paths,
    ];
    arrays
        .into_iter()
        .flatten()
        .map(|path| {
            let problem = match components_below(&properties.export_directory, path) {
                Err(problem) => Some(problem),
                Ok(components) => {
                    let real = components
                        .iter()
                        .fold(real_dir.to_path_buf(), |p, c| p.join(c));
                    let file = matches!(fs.kind_at(&real), Ok(Some(Kind::File)));
                    (!file).then_some(PathProblem::Missing)
                }
            };
            (path.as_str(), problem)
        })
        .collect()
}
