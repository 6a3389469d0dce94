//! The one error type of the restore tool. Owns the wording a person reads when a restore is
//! refused: which file, what is wrong, what to do. It must never decide anything itself.

use std::io;
use std::path::PathBuf;

/// Why a log, a manifest, a chain or a restore was refused.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The operating system refused an operation on a file.
    #[error("could not {action} `{path}`: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// A `.rplog` file breaks the log-file format v1.
    #[error(
        "log file `{path}` is damaged at byte {offset_bytes}: {problem}; \
         the export that holds it cannot be restored, take a new export"
    )]
    Log {
        path: PathBuf,
        offset_bytes: u64,
        problem: String,
    },

    /// An export directory is not a complete, intact export.
    #[error(
        "export `{dir}` is not a complete export: {problem}; \
         do not restore from it, take a new export"
    )]
    Export { dir: PathBuf, problem: String },

    /// The exports given do not form one chain (full, then differentials in order).
    #[error("the exports do not form a chain: {problem}")]
    Chain { problem: String },

    /// A path given as an export cannot be used as one (not a directory, a symbolic link).
    #[error("cannot use `{path}` as an export: {problem}")]
    Input { path: PathBuf, problem: String },

    /// The output directory cannot receive the restored images.
    #[error("cannot restore into `{path}`: {problem}")]
    Output { path: PathBuf, problem: String },

    /// The output file system cannot hold the images: a file larger than it allows, or more
    /// bytes than it has free. Checked before anything is written; `--out` is left as it was.
    #[error("cannot restore into `{path}`: {problem}")]
    Capacity { path: PathBuf, problem: String },
}

/// What a refusal means for the person who asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// The input was read and is not an intact, restorable export or chain (exit code 1).
    NotIntact,
    /// The input could not be used at all (exit code 2).
    BadInput,
}

impl RestoreError {
    /// Classifies the refusal: a damaged, incomplete or unchained export is `NotIntact`; an
    /// operating-system refusal (missing path, permission denied), a path that is not an
    /// export directory, a refused `--out` and a file system too small are `BadInput`.
    pub fn class(&self) -> ErrorClass {
        match self {
            RestoreError::Log { .. } | RestoreError::Export { .. } | RestoreError::Chain { .. } => {
                ErrorClass::NotIntact
            }
            RestoreError::Io { .. }
            | RestoreError::Input { .. }
            | RestoreError::Output { .. }
            | RestoreError::Capacity { .. } => ErrorClass::BadInput,
        }
    }

    /// True when the input could not be used at all (exit code 2), false when it was read and
    /// is not intact (exit code 1).
    pub fn is_bad_input(&self) -> bool {
        self.class() == ErrorClass::BadInput
    }

    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        RestoreError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn export(dir: impl Into<PathBuf>, problem: impl Into<String>) -> Self {
        RestoreError::Export {
            dir: dir.into(),
            problem: problem.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> PathBuf {
        PathBuf::from("/x")
    }

    #[test]
    fn io_error_is_bad_input() {
        let e = RestoreError::io("open", path(), io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(e.class(), ErrorClass::BadInput);
        assert!(e.is_bad_input());
    }

    #[test]
    fn damaged_log_is_not_intact() {
        let e = RestoreError::Log {
            path: path(),
            offset_bytes: 0,
            problem: "x".into(),
        };
        assert_eq!(e.class(), ErrorClass::NotIntact);
        assert!(!e.is_bad_input());
    }

    #[test]
    fn incomplete_export_is_not_intact() {
        assert_eq!(
            RestoreError::export(path(), "x").class(),
            ErrorClass::NotIntact
        );
    }

    #[test]
    fn broken_chain_is_not_intact() {
        let e = RestoreError::Chain {
            problem: "x".into(),
        };
        assert_eq!(e.class(), ErrorClass::NotIntact);
    }

    #[test]
    fn path_that_is_not_an_export_directory_is_bad_input() {
        let e = RestoreError::Input {
            path: path(),
            problem: "x".into(),
        };
        assert_eq!(e.class(), ErrorClass::BadInput);
    }

    #[test]
    fn refused_output_directory_is_bad_input() {
        let e = RestoreError::Output {
            path: path(),
            problem: "x".into(),
        };
        assert_eq!(e.class(), ErrorClass::BadInput);
    }

    #[test]
    fn file_system_too_small_is_bad_input() {
        let e = RestoreError::Capacity {
            path: path(),
            problem: "x".into(),
        };
        assert_eq!(e.class(), ErrorClass::BadInput);
    }
}
