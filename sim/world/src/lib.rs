//! rpsim-world (being built).
