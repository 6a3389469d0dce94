//! The check a differential repeats before it finalises: the base's change tracking is still
//! valid for every disk exported against it. Owns that rule; it must never write, and never
//! judge a full export or a disk exported in full (those do not depend on the base).
//!
//! Rule (DOMAIN.md's row "base RCT reset / change tracking invalid: 4096 or 32775, job ends in
//! 10; the client re-exports without a base"; the moment of the check is *ours*): a reset that
//! happens while the differential runs is noticed once every data file is written, before the
//! manifest, so the job ends in Exception (ErrorCode 32775 invalid state, ProbableCause 116),
//! its files are removed and nothing reads as complete. On a real host the changed ranges are
//! queried while copying, so a reset mid-copy leaves the change list untrustworthy.

use crate::errors::{self, Failure};
use crate::source::{ExportSource, SourceError, SourceErrorKind};
use crate::validate::ValidatedCall;

/// `Err` when a disk exported as a differential lost its base's change tracking since the call.
pub fn base_still_usable(source: &dyn ExportSource, call: &ValidatedCall) -> Result<(), Failure> {
    let Some(base) = &call.base else {
        return Ok(());
    };
    // A base that vanished meanwhile was read already; its absence is not this check's to judge.
    let Some(fresh) = source.reference_point(&base.collection_id) else {
        return Ok(());
    };
    let reset = call
        .disks
        .iter()
        .filter(|d| d.base_disk.is_some())
        .find(|d| {
            fresh
                .members
                .iter()
                .flat_map(|m| &m.disks)
                .any(|b| b.instance_id == d.disk.instance_id && !b.rct_usable)
        });
    let Some(disk) = reset else {
        return Ok(());
    };
    let message = format!(
        "change tracking of disk `{}` was reset while the differential against base {} ran; export again without a base",
        disk.disk.instance_id, base.collection_id
    );
    let error = SourceError::new(SourceErrorKind::RctReset, message);
    Err(errors::source_failure(
        "checking the base before finalising",
        &error,
    ))
}
