//! `--storage memory|disk`, shared by `run`, `sweep`, `coverage`, `crashpoints` and `minimize`:
//! its clap argument and handing the choice to the harness. Owns only that parsing; the rule
//! (default, `RPSIM_STORAGE`, disk for `--keep-exports`) is `rpsim_harness::runner::storage`'s.

use rpsim_harness::reporter::{Fanout, HarnessEvent, Reporter};
use rpsim_harness::runner::storage::{set_process_storage, Storage};
use rpsim_harness::Outcome;

#[derive(Debug, Default, clap::Args)]
pub struct StorageArgs {
    /// Where runs keep their exports and restored images: `memory` (the default; an in-memory
    /// file system per run) or `disk` (the scratch directory; the default with --keep-exports).
    /// Overrides RPSIM_STORAGE.
    #[arg(long, value_name = "memory|disk")]
    pub storage: Option<String>,
}

impl StorageArgs {
    /// Applies the choice to every run of this process; bad input when it is neither.
    pub fn apply(&self, reporter: &mut Fanout) -> Result<(), Outcome> {
        let Some(text) = &self.storage else {
            return Ok(());
        };
        match Storage::parse(text) {
            Ok(storage) => {
                set_process_storage(storage);
                Ok(())
            }
            Err(message) => {
                reporter.event(&HarnessEvent::Error { message: &message });
                Err(Outcome::BadInput)
            }
        }
    }
}
