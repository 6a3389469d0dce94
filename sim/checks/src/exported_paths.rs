//! The rule both invariant checkers apply to a job's `Exported*FilePaths[]`: every entry lies
//! inside `ExportDirectory` as a plain relative path and names an existing file. Owns that rule
//! and its verdict per path; it must never format messages (each checker words its own) nor
//! change the directory.

use rpsim_export::wmi::JobProperties;
use std::path::Path;

/// What is wrong with one reported path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathProblem {
    /// It does not start with `ExportDirectory/`.
    Outside,
    /// It does, but holds `..` or an empty component.
    NotPlain,
    /// It is a plain path inside the export, but no file is there.
    Missing,
}

/// Every reported path with its problem (`None`: fine), in property order (log, config,
/// runtime, guest state).
pub fn verdicts<'p>(
    properties: &'p JobProperties,
    real_dir: &Path,
) -> Vec<(&'p str, Option<PathProblem>)> {
    let prefix = format!("{}/", properties.export_directory.trim_end_matches('/'));
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
            let problem = match path.strip_prefix(&prefix) {
                None => Some(PathProblem::Outside),
                Some(relative) if relative.split('/').any(|c| c == ".." || c.is_empty()) => {
                    Some(PathProblem::NotPlain)
                }
                Some(relative) => {
                    (!real_dir.join(relative).is_file()).then_some(PathProblem::Missing)
                }
            };
            (path.as_str(), problem)
        })
        .collect()
}
