//! The log of target operations the run traces: [`TargetOp`] (kind, virtual path, bytes moved,
//! result) and the bounded [`OpsLog`] between two takes. Owns how an operation and its error
//! are written down, the same on every machine; it must never hold a real path or an OS error
//! message (those come from the C library and differ between machines).

use serde::Serialize;
use std::io;

/// Operations kept in the log between two [`super::SimTarget::take_ops`]; later ones are
/// counted only.
pub const OPS_LOG_MAX: usize = 1 << 20;

/// One operation as recorded for the trace. `path` is always the virtual path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetOp {
    pub kind: &'static str,
    pub path: String,
    pub bytes: u64,
    /// `ok` or a description of the error that contains no real path.
    pub result: String,
}

/// Operations since the last take, at most [`OPS_LOG_MAX`].
#[derive(Debug, Default)]
pub(super) struct OpsLog {
    ops: Vec<TargetOp>,
    dropped: u64,
}

impl OpsLog {
    /// Logs one operation, or counts it if the log is full.
    pub(super) fn record<T>(
        &mut self,
        kind: &'static str,
        path: String,
        bytes: u64,
        result: &io::Result<T>,
    ) {
        if self.ops.len() >= OPS_LOG_MAX {
            self.dropped += 1;
            return;
        }
        let result = match result {
            Ok(_) => "ok".to_string(),
            Err(e) => describe_error(e),
        };
        self.ops.push(TargetOp {
            kind,
            path,
            bytes,
            result,
        });
        assert!(self.ops.len() <= OPS_LOG_MAX);
    }

    /// Operations since the last call, in order; resets the log.
    pub(super) fn take(&mut self) -> Vec<TargetOp> {
        std::mem::take(&mut self.ops)
    }

    /// Operations not logged (since construction) because the log was full.
    pub(super) fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// An error as text that is the same on every machine: OS errors by kind only (their messages
/// come from the C library), our own errors by kind and message.
fn describe_error(e: &io::Error) -> String {
    if e.raw_os_error().is_some() {
        format!("{:?}", e.kind())
    } else {
        format!("{:?}: {e}", e.kind())
    }
}
