//! `rpsim serve`: a client session over a JSON-lines protocol (PROTOCOL.md) that drives the
//! simulated Hyper-V call by call, with sim time moved only by `Wait`. Declares the parts and
//! re-exports the entry points:
//! `limits` (every bound), `protocol` (lines, WBEM errors, typed parameters), `paths` (WMI
//! object paths), `objects` (the instances a client reads), `methods` (calls that become
//! timeline entries), `session` (one client's session and its checks), `report` (the
//! `EndSession` answer), `transcript` (writing, reading, replaying, converting to a scenario),
//! `stdio` (the loop over stdin/stdout) and `client` (a Rust client for tests).

pub mod client;
pub mod limits;
pub mod methods;
pub mod objects;
pub mod paths;
pub mod prepared;
pub mod protocol;
pub mod report;
pub mod session;
pub mod stdio;
pub mod transcript;

pub use client::Client;
pub use prepared::{prepare, Prepared};
pub use session::{ClientSession, SessionEnd};
pub use stdio::{serve, ServeRequest};
