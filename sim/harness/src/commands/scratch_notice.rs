//! The one note every running command gives when its runs' scratch files go to a disk-backed
//! directory (see [`crate::runner::scratch`]). Owns only that message's delivery; it must never
//! choose the location.

use crate::reporter::{HarnessEvent, Reporter};

/// Reports, as a warning, that scratch is disk-backed and how to change it; silent otherwise.
pub fn announce(reporter: &mut dyn Reporter) {
    if let Some(message) = crate::runner::scratch::location().disk_notice() {
        reporter.event(&HarnessEvent::Warning { message: &message });
    }
}
