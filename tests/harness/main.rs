//! The root package's integration tests as one binary (one link instead of one per file): the
//! harness library and the `rpsim` binary as users rely on them, plus the shape of the code.
//! `tests/scenarios.rs` (one test per suite scenario) is the other binary.

mod bench_compare;
mod client_loops;
mod coverage;
mod crashpoints;
mod deploy;
mod determinism;
mod export_writes;
mod layout;
mod merge;
mod minimize;
mod properties;
mod qemu_cross_check;
mod readings;
mod readme;
mod review;
mod serve;
mod serve_clients;
mod support;
mod sweep;
mod terminal;
mod test_seeds;
mod timeline;
