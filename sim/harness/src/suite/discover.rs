//! Finding scenario files: expands the paths given on the command line into a sorted list of
//! `*.yaml` files. Owns discovery only; it must never parse or run a scenario.

use std::path::{Path, PathBuf};

/// The built-in suite, relative to the working directory.
pub const DEFAULT_SUITE_DIR: &str = "scenarios";
/// Upper bound on scenarios in one invocation.
pub const SCENARIO_FILES_MAX: usize = 10_000;

/// Expands files and directories (a directory contributes the `*.yaml` files directly inside it,
/// not its subdirectories, so `scenarios/invalid/` is never part of the suite). An empty list
/// means the built-in suite.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let defaults = [PathBuf::from(DEFAULT_SUITE_DIR)];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for path in paths {
        let meta =
            std::fs::metadata(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        if meta.is_dir() {
            files.extend(yaml_files_in(path)?);
        } else {
            files.push(path.clone());
        }
        if files.len() > SCENARIO_FILES_MAX {
            return Err(format!(
                "more than {SCENARIO_FILES_MAX} scenario files; run them in smaller batches"
            ));
        }
    }
    if files.is_empty() {
        return Err(format!(
            "no scenario files (*.yaml) found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(files)
}

fn yaml_files_in(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("{}: cannot list: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: cannot list: {e}", dir.display()))?;
        let path = entry.path();
        let is_yaml = path
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml");
        if is_yaml && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The scenario's test name: its file stem.
pub fn scenario_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_contribute_sorted_yaml_files_but_not_subdirectories() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.yaml"), "").unwrap();
        std::fs::write(dir.path().join("a.yaml"), "").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "").unwrap();
        std::fs::create_dir(dir.path().join("invalid")).unwrap();
        std::fs::write(dir.path().join("invalid/c.yaml"), "").unwrap();
        let files = discover(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> = files.iter().map(|p| scenario_stem(p)).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn a_missing_path_is_an_error_naming_it() {
        let err = discover(&[PathBuf::from("/no/such/dir")]).unwrap_err();
        assert!(err.contains("/no/such/dir"), "{err}");
    }
}
