//! The limits of a client session (`rpsim serve`), each documented in PROTOCOL.md. Owns these
//! numbers only; it must never enforce them (the session and the line reader do).

/// Longest request line, in bytes (the newline not counted). A longer line is answered with
/// `WBEM_E_QUOTA_VIOLATION` and skipped to its end; it is never held in memory whole.
pub const LINE_BYTES_MAX: usize = 1 << 20;

/// Most requests between two `Wait`s (a client polling a job without sleeping would never let
/// sim time move: it gets `WBEM_E_QUOTA_VIOLATION` instead of spinning for ever).
pub const CALLS_BETWEEN_WAITS_MAX: u64 = 10_000;

/// Most requests in one session (bounds the transcript).
pub const REQUESTS_MAX: u64 = 1_000_000;

/// Most calls that change the world in one session (each becomes a timeline entry).
pub const WORLD_CALLS_MAX: usize = 10_000;

/// Most entries of `VirtualMachinesToDisksToExport[]`.
pub const SELECTION_ENTRIES_MAX: usize = 1024;
