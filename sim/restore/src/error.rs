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

    /// The output directory cannot receive the restored images.
    #[error("cannot restore into `{path}`: {problem}")]
    Output { path: PathBuf, problem: String },
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
    /// Classifies the refusal.
    pub fn class(&self) -> ErrorClass {
        ErrorClass::NotIntact
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
