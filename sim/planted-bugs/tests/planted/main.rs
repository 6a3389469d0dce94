//! The planted-bugs package's one test binary: every planted bug of the export job is caught by
//! the scenarios that expose it (`planted_bugs`), and every regression scenario that names a
//! planted bug still catches it (`regressions`).

mod planted_bugs;
mod regressions;
