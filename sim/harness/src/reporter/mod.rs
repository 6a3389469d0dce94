//! Reporting: the harness's commands emit [`events::HarnessEvent`]s, and reporters consume
//! them — the human one prints lines for people, the others write JSON, JUnit and Markdown/HTML
//! files. Adding a format touches no runner code. Declares and re-exports only.

pub mod events;
pub mod fanout;
pub mod files;
pub mod human;
pub mod json;
pub mod junit;
pub mod summary;

pub use events::{HarnessEvent, Reporter};
pub use fanout::Fanout;
pub use files::ReportFiles;
pub use human::HumanReporter;
