//! rpsim-restore (being built).
