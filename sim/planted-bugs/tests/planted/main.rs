//! The planted-bugs package's one test binary: every planted bug of the export job is caught by
//! the scenarios that expose it (`planted_bugs`), the bugs only exploration finds by a sweep of
//! the exploration scenarios (`exploration`), and every regression scenario that names a
//! planted bug still catches it (`regressions`).

mod exploration;
mod planted_bugs;
mod regressions;
