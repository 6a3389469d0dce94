//! Building `CIM_Error` instances and chains (outermost first) and the job-level failure they
//! describe. Owns the mapping from I/O and source errors to `ErrorCode`, `ProbableCause` and
//! `CIMStatusCode`; it must never decide whether a job fails (the job does).

use crate::source::{SourceError, SourceErrorKind};
use crate::wmi::{return_code, CimError};
use std::io;

pub const OWNING_ENTITY: &str = "rpsim:Msvm_CollectionReferencePointExportJob";

/// `ErrorType` values used here.
pub mod error_type {
    pub const OTHER: u16 = 1;
    pub const SOFTWARE: u16 = 4;
    pub const HARDWARE: u16 = 5;
    pub const ENVIRONMENTAL: u16 = 6;
    pub const UNAVAILABLE_RESOURCE: u16 = 9;
}

/// `PerceivedSeverity` values used here.
pub mod severity {
    pub const INFORMATION: u16 = 2;
    pub const WARNING: u16 = 3;
    pub const MAJOR: u16 = 5;
}

/// `ProbableCause` values used here.
pub mod probable_cause {
    pub const OTHER: u16 = 1;
    pub const IO_DEVICE_ERROR: u16 = 24;
    pub const STORAGE_CAPACITY: u16 = 50;
    pub const RESOURCE_UNAVAILABLE: u16 = 57;
    pub const ELEMENT_MISSING: u16 = 73;
    pub const DATABASE_INCONSISTENCY: u16 = 116;
}

/// `CIMStatusCode` values used here.
pub mod cim_status {
    pub const FAILED: u32 = 1;
    pub const ACCESS_DENIED: u32 = 2;
    pub const INVALID_PARAMETER: u32 = 4;
    pub const NOT_FOUND: u32 = 6;
    pub const ALREADY_EXISTS: u32 = 11;
}

/// Linux `ENOSPC`: treated like `ErrorKind::StorageFull`.
const OS_ERROR_NO_SPACE: i32 = 28;

/// The numbers that classify one error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cause {
    /// The job's `ErrorCode` (32768 family) when this error ends it.
    pub error_code: u32,
    pub error_type: u16,
    pub probable_cause: u16,
    pub cim_status_code: u32,
}

impl Cause {
    pub const fn new(
        error_code: u32,
        error_type: u16,
        probable_cause: u16,
        cim_status: u32,
    ) -> Cause {
        Cause {
            error_code,
            error_type,
            probable_cause,
            cim_status_code: cim_status,
        }
    }
}

/// A failure of the job: its `ErrorCode` and the `GetErrorEx` chain, outermost first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub cause: Cause,
    pub chain: Vec<CimError>,
}

impl Failure {
    /// A failure whose innermost (root) error says `message`.
    pub fn root(cause: Cause, message_id: &str, message: String) -> Failure {
        let error = cim_error(cause, severity::MAJOR, message_id, message);
        Failure {
            cause,
            chain: vec![error],
        }
    }

    /// Wraps the chain in an outer error saying what was being done.
    pub fn within(mut self, message_id: &str, message: String) -> Failure {
        let outer = cim_error(self.cause, severity::MAJOR, message_id, message);
        self.chain.insert(0, outer);
        self
    }

    /// The outermost error (what `GetError` returns).
    pub fn outermost(&self) -> &CimError {
        assert!(
            !self.chain.is_empty(),
            "a failure always has at least one error"
        );
        &self.chain[0]
    }
}

/// A `CIM_Error` with every property filled.
pub fn cim_error(
    cause: Cause,
    perceived_severity: u16,
    message_id: &str,
    message: String,
) -> CimError {
    CimError {
        error_type: cause.error_type,
        other_error_type: None,
        owning_entity: OWNING_ENTITY.to_string(),
        message_id: message_id.to_string(),
        message_arguments: vec![],
        message,
        perceived_severity,
        probable_cause: cause.probable_cause,
        probable_cause_description: probable_cause_description(cause.probable_cause).to_string(),
        recommended_actions: recommended_actions(cause),
        error_source: "Msvm_CollectionReferencePointExportJob".to_string(),
        // Msvm_Error: ErrorSourceFormat is always 0 (unknown); OtherErrorSourceFormat is null.
        error_source_format: 0,
        other_error_source_format: None,
        cim_status_code: cause.cim_status_code,
        cim_status_code_description: cim_status_description(cause.cim_status_code).to_string(),
    }
}

pub fn probable_cause_description(probable_cause: u16) -> &'static str {
    match probable_cause {
        probable_cause::OTHER => "Other",
        probable_cause::IO_DEVICE_ERROR => "Input/Output Device Error",
        probable_cause::STORAGE_CAPACITY => "Storage Capacity Problem",
        probable_cause::RESOURCE_UNAVAILABLE => "Underlying Resource Unavailable",
        probable_cause::ELEMENT_MISSING => "Element Missing",
        probable_cause::DATABASE_INCONSISTENCY => "Database Inconsistency",
        _ => "Unknown",
    }
}

pub fn cim_status_description(code: u32) -> &'static str {
    match code {
        cim_status::FAILED => "CIM_ERR_FAILED",
        cim_status::ACCESS_DENIED => "CIM_ERR_ACCESS_DENIED",
        cim_status::INVALID_PARAMETER => "CIM_ERR_INVALID_PARAMETER",
        cim_status::NOT_FOUND => "CIM_ERR_NOT_FOUND",
        cim_status::ALREADY_EXISTS => "CIM_ERR_ALREADY_EXISTS",
        _ => "CIM_ERR_FAILED",
    }
}

fn recommended_actions(cause: Cause) -> Vec<String> {
    let action = match cause.probable_cause {
        probable_cause::STORAGE_CAPACITY => "Free space on the export target and export again.",
        probable_cause::DATABASE_INCONSISTENCY => {
            "Export again without a base reference point (full export)."
        }
        probable_cause::ELEMENT_MISSING => {
            "Check that the reference points still exist, then export again."
        }
        probable_cause::RESOURCE_UNAVAILABLE => {
            "Wait until every VM of the group is available, then export again."
        }
        _ if cause.cim_status_code == cim_status::ALREADY_EXISTS => {
            "Export into a new or empty directory."
        }
        _ if cause.cim_status_code == cim_status::ACCESS_DENIED => {
            "Grant write access to the export directory."
        }
        _ => "Check the export target and export again.",
    };
    vec![action.to_string()]
}

/// `ErrorKind::StorageFull` (named through its Debug text: the variant is stable only since
/// Rust 1.83, above the workspace's MSRV) or Linux `ENOSPC`.
pub fn is_storage_full(error: &io::Error) -> bool {
    error.raw_os_error() == Some(OS_ERROR_NO_SPACE)
        || format!("{:?}", error.kind()) == "StorageFull"
}

/// Classifies an I/O error of the export target.
pub fn io_cause(error: &io::Error) -> Cause {
    if is_storage_full(error) {
        Cause::new(
            return_code::GENERIC_FAILED,
            error_type::ENVIRONMENTAL,
            probable_cause::STORAGE_CAPACITY,
            cim_status::FAILED,
        )
    } else if error.kind() == io::ErrorKind::PermissionDenied {
        Cause::new(
            return_code::ACCESS_DENIED,
            error_type::ENVIRONMENTAL,
            probable_cause::IO_DEVICE_ERROR,
            cim_status::ACCESS_DENIED,
        )
    } else if error.kind() == io::ErrorKind::AlreadyExists {
        Cause::new(
            return_code::GENERIC_FAILED,
            error_type::ENVIRONMENTAL,
            probable_cause::IO_DEVICE_ERROR,
            cim_status::ALREADY_EXISTS,
        )
    } else {
        Cause::new(
            return_code::GENERIC_FAILED,
            error_type::HARDWARE,
            probable_cause::IO_DEVICE_ERROR,
            cim_status::FAILED,
        )
    }
}

/// Classifies an error of the export source.
pub fn source_cause(error: &SourceError) -> Cause {
    match error.kind {
        SourceErrorKind::NotFound => Cause::new(
            return_code::FILE_NOT_FOUND,
            error_type::UNAVAILABLE_RESOURCE,
            probable_cause::ELEMENT_MISSING,
            cim_status::NOT_FOUND,
        ),
        SourceErrorKind::ReadFailed => Cause::new(
            return_code::GENERIC_FAILED,
            error_type::HARDWARE,
            probable_cause::IO_DEVICE_ERROR,
            cim_status::FAILED,
        ),
        SourceErrorKind::RctReset => Cause::new(
            return_code::INVALID_STATE,
            error_type::SOFTWARE,
            probable_cause::DATABASE_INCONSISTENCY,
            cim_status::FAILED,
        ),
        SourceErrorKind::LogRemoved => Cause::new(
            return_code::INVALID_STATE,
            error_type::SOFTWARE,
            probable_cause::ELEMENT_MISSING,
            cim_status::NOT_FOUND,
        ),
        SourceErrorKind::Unavailable => Cause::new(
            return_code::SYSTEM_NOT_AVAILABLE,
            error_type::UNAVAILABLE_RESOURCE,
            probable_cause::RESOURCE_UNAVAILABLE,
            cim_status::FAILED,
        ),
    }
}

/// A failure caused by a target I/O error while doing `what` (e.g. `write to <path>`).
pub fn io_failure(what: &str, error: &io::Error) -> Failure {
    Failure::root(
        io_cause(error),
        "RPSIM-IO",
        format!("{what} failed: {error}"),
    )
}

/// A failure caused by a source error while doing `what`.
pub fn source_failure(what: &str, error: &SourceError) -> Failure {
    Failure::root(
        source_cause(error),
        "RPSIM-SOURCE",
        format!("{what} failed: {}", error.message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_full_and_enospc_are_capacity_problems() {
        let enospc = io::Error::from_raw_os_error(OS_ERROR_NO_SPACE);
        let from_kind = io::Error::new(enospc.kind(), "disk full");
        for e in [enospc, from_kind] {
            let cause = io_cause(&e);
            assert_eq!(cause.probable_cause, probable_cause::STORAGE_CAPACITY);
            assert_eq!(cause.error_code, return_code::GENERIC_FAILED);
        }
        let denied = io::Error::new(io::ErrorKind::PermissionDenied, "no");
        assert_eq!(io_cause(&denied).error_code, return_code::ACCESS_DENIED);
    }

    #[test]
    fn chain_is_outermost_first() {
        let e = io::Error::new(
            io::Error::from_raw_os_error(OS_ERROR_NO_SPACE).kind(),
            "disk full",
        );
        let f = io_failure("write", &e).within("RPSIM-DISK", "export of disk D failed".into());
        assert_eq!(f.chain.len(), 2);
        assert_eq!(f.outermost().message, "export of disk D failed");
        assert!(f.chain[1].message.contains("disk full"));
        assert_eq!(f.chain[1].probable_cause, 50);
    }
}
