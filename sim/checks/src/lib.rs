//! rpsim-checks (being built).
