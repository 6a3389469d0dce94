//! The root package's integration tests as one binary (one link instead of one per file): the
//! harness library and the `rpsim` binary as users rely on them, plus the shape of the code.
//! `tests/scenarios.rs` (one test per suite scenario) is the other binary.

mod bench_compare;
mod crashpoints;
mod determinism;
mod layout;
mod minimize;
mod properties;
mod qemu_cross_check;
mod readme;
mod serve;
mod serve_clients;
mod sweep;
mod terminal;
