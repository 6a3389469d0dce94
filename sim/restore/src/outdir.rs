//! The output directory: where `--out` really is (the longest existing prefix canonicalised,
//! the rest resolved lexically), the rule that it may not lie inside, on or around an export
//! of the chain, and the promise that a refused or failed restore leaves it as it was: what a
//! restore creates (missing folders, images, a probe file) is removed again unless the restore
//! completes. Owns those rules; it must never remove anything it did not create.

use crate::error::RestoreError;
use rpsim_vfs::{Fs, Kind, OpenError, VDir, VFile};
use std::io;
use std::path::{Component, Path, PathBuf};

/// Most path components `--out` may have.
pub const OUT_COMPONENTS_MAX: usize = 256;
/// Name of the scratch file that probes the output file system's largest file.
pub const PROBE_FILE_NAME: &str = ".rpsim-restore-probe";

/// Refuses an output directory that exists and is not an empty directory, or that lies
/// inside, is, or holds one of `export_dirs` (restoring there would change an export),
/// however it is spelled. Returns where it really is.
pub fn check_out_dir(out_dir: &Path, export_dirs: &[PathBuf]) -> Result<PathBuf, RestoreError> {
    check_out_dir_in(&rpsim_vfs::RealFs, out_dir, export_dirs)
}

/// [`check_out_dir`] on the file system `fs` (which holds the exports and the output alike).
pub fn check_out_dir_in(
    fs: &dyn Fs,
    out_dir: &Path,
    export_dirs: &[PathBuf],
) -> Result<PathBuf, RestoreError> {
    let real = resolve(fs, out_dir)?;
    let refuse = |problem: String| {
        Err(RestoreError::Output {
            path: out_dir.to_path_buf(),
            problem,
        })
    };
    for dir in export_dirs {
        let Ok(export_real) = fs.canonicalize(dir) else {
            continue; // verification names a missing export
        };
        let shown = dir.display();
        if real == export_real {
            return refuse(format!(
                "it is the export directory `{shown}`; give a directory elsewhere"
            ));
        }
        if real.starts_with(&export_real) {
            return refuse(format!(
                "it lies inside an export directory of the chain, `{shown}` (it resolves to `{}`); give a directory elsewhere",
                real.display()
            ));
        }
        if export_real.starts_with(&real) {
            return refuse(format!(
                "it holds the export directory `{shown}`; give a directory elsewhere"
            ));
        }
    }
    match fs.kind_at(&real) {
        Ok(None) => {}
        Err(e) => return Err(RestoreError::io("look at output directory", out_dir, e)),
        Ok(Some(kind)) if kind != Kind::Dir => {
            return refuse(
                "it exists and is not a directory; give a new or empty directory".to_string(),
            )
        }
        Ok(Some(_)) => {
            let entries = fs
                .read_dir_names(&real, 1)
                .map_err(|e| RestoreError::io("list output directory", out_dir, e))?;
            if entries.is_none() {
                return refuse(
                    "it is not empty; restore never overwrites files, give a new or empty directory"
                        .to_string(),
                );
            }
        }
    }
    Ok(real)
}

/// `path` made absolute, its longest existing prefix canonicalised and the rest (which does
/// not exist yet) applied lexically, `..` removing the component before it. Done twice, so
/// that a `..` that walked back into existing folders is resolved through their links too.
fn resolve(fs: &dyn Fs, path: &Path) -> Result<PathBuf, RestoreError> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| RestoreError::io("find the current directory for", path, e))?
            .join(path)
    };
    let once = resolve_once(fs, path, &absolute)?;
    let twice = resolve_once(fs, path, &once)?;
    assert!(twice.is_absolute());
    Ok(twice)
}

fn resolve_once(fs: &dyn Fs, shown: &Path, absolute: &Path) -> Result<PathBuf, RestoreError> {
    let components: Vec<Component> = absolute.components().collect();
    if components.len() > OUT_COMPONENTS_MAX {
        return Err(RestoreError::Output {
            path: shown.to_path_buf(),
            problem: format!("it has more than {OUT_COMPONENTS_MAX} components"),
        });
    }
    for existing in (1..=components.len()).rev() {
        let prefix: PathBuf = components[..existing].iter().collect();
        let mut real = match fs.canonicalize(&prefix) {
            Ok(real) => real,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                continue
            }
            Err(e) => return Err(RestoreError::io("resolve output directory", shown, e)),
        };
        for component in &components[existing..] {
            match component {
                Component::ParentDir => {
                    real.pop();
                }
                Component::Normal(name) => real.push(name),
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            }
        }
        return Ok(real);
    }
    unreachable!("the root directory always canonicalises")
}

/// The open output directory of a restore under way. Everything it created is removed when it
/// is dropped before [`Output::keep`].
pub(crate) struct Output {
    pub(crate) path: PathBuf,
    pub(crate) dir: Box<dyn VDir>,
    /// Folders created for `--out`, outermost first, each with its open parent.
    created_dirs: Vec<(Box<dyn VDir>, String)>,
    created_files: Vec<String>,
    kept: bool,
}

impl Output {
    /// Opens `real` (from [`check_out_dir`]), creating it and its missing parents one folder at
    /// a time without following links; refuses it again when it is not empty.
    pub(crate) fn open(fs: &dyn Fs, shown: &Path, real: &Path) -> Result<Output, RestoreError> {
        let output_error = |problem: String| RestoreError::Output {
            path: shown.to_path_buf(),
            problem,
        };
        let mut missing = Vec::new();
        let mut existing = real.to_path_buf();
        while !matches!(fs.kind_at(&existing), Ok(Some(_))) {
            let name = existing
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| output_error("a folder to create is not UTF-8".to_string()))?
                .to_string();
            missing.push(name);
            existing.pop();
        }
        let mut dir = fs
            .open_dir(&existing)
            .map_err(|e| open_error(shown, &existing, e))?;
        let mut output = Output {
            path: real.to_path_buf(),
            dir: fs
                .open_dir(&existing)
                .map_err(|e| open_error(shown, &existing, e))?,
            created_dirs: Vec::new(),
            created_files: Vec::new(),
            kept: false,
        };
        for name in missing.into_iter().rev() {
            dir.create_dir(&name)
                .map_err(|e| open_error(shown, &existing.join(&name), e))?;
            let child = dir
                .open_dir(&name)
                .map_err(|e| open_error(shown, &existing.join(&name), e))?;
            existing.push(&name);
            output.created_dirs.push((dir, name));
            dir = child;
        }
        output.dir = dir;
        if !output.created_dirs.is_empty() {
            return Ok(output);
        }
        let entries = output
            .dir
            .entries(1)
            .map_err(|e| RestoreError::io("list output directory", shown, e))?;
        if !matches!(entries, Some(ref e) if e.is_empty()) {
            return Err(output_error(
                "it is not empty (something was put there during the restore)".to_string(),
            ));
        }
        Ok(output)
    }

    /// Creates the new file `name` in the output directory; it is removed again unless kept.
    pub(crate) fn create_file(&mut self, name: &str) -> Result<Box<dyn VFile>, RestoreError> {
        let path = self.path.join(name);
        let file = self.dir.create_file(name).map_err(|e| match e {
            OpenError::Io(e) => RestoreError::io("create image", &path, e),
            OpenError::Kind(kind) => RestoreError::Output {
                path: path.clone(),
                problem: format!("it already exists as {}", kind.describe()),
            },
        })?;
        self.created_files.push(name.to_string());
        Ok(file)
    }

    /// Removes the file `name` created by [`Output::create_file`] now.
    pub(crate) fn remove_file(&mut self, name: &str) {
        if let Some(at) = self.created_files.iter().position(|n| n == name) {
            let _ = self.dir.remove(name, false);
            self.created_files.remove(at);
        }
    }

    /// The restore completed: keep everything.
    pub(crate) fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        for name in self.created_files.drain(..) {
            let _ = self.dir.remove(&name, false);
        }
        while let Some((parent, name)) = self.created_dirs.pop() {
            let _ = parent.remove(&name, true);
        }
    }
}

fn open_error(shown: &Path, at: &Path, e: OpenError) -> RestoreError {
    match e {
        OpenError::Io(e) => RestoreError::io("open output directory", at, e),
        OpenError::Kind(kind) => RestoreError::Output {
            path: shown.to_path_buf(),
            problem: format!("`{}` is {}, not a directory", at.display(), kind.describe()),
        },
    }
}
