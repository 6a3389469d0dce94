//! rpsim-checks: the oracles that judge an export without trusting the job. They compare what
//! is on disk with what the world (through [`rpsim_export::source::ExportSource`]) knows, and
//! must never change either.

pub mod equivalence;
pub mod qemu;
