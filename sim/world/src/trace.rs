//! The run's trace: every event as a [`TraceRecord`] with a running hash
//! `hash_n = xxh3_128(hash_{n-1} (16 bytes, little-endian) ‖ canonical record bytes)`, where the
//! canonical bytes are `seq \t time_ns \t kind \t detail` (decimal numbers, UTF-8). Owns the
//! hash and the JSON-lines format; it must never record anything nondeterministic (real temp
//! paths, wall-clock times, addresses) — callers pass only virtual paths, GUIDs and numbers.

use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;
use xxhash_rust::xxh3::xxh3_128;

/// One event of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceRecord {
    pub seq: u64,
    pub time_ns: u64,
    pub kind: String,
    pub detail: String,
    /// The running hash after this record, 32 lower-case hex digits.
    pub hash: String,
}

/// The running trace of one run.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    hash: u128,
    count: u64,
    keep: bool,
    records: Vec<TraceRecord>,
}

fn canonical_bytes(seq: u64, time_ns: u64, kind: &str, detail: &str) -> Vec<u8> {
    format!("{seq}\t{time_ns}\t{kind}\t{detail}").into_bytes()
}

pub fn hex(hash: u128) -> String {
    format!("{hash:032x}")
}

impl Trace {
    /// A trace that keeps its records in memory when `keep` (else only the hash and count).
    pub fn new(keep: bool) -> Trace {
        Trace {
            keep,
            ..Trace::default()
        }
    }

    /// Appends an event and returns the new running hash.
    pub fn record(&mut self, time_ns: u64, kind: &str, detail: impl Into<String>) -> u128 {
        let detail = detail.into();
        assert!(
            !kind.is_empty() && !kind.contains('\t'),
            "kinds are short identifiers"
        );
        let seq = self.count;
        let mut bytes = self.hash.to_le_bytes().to_vec();
        bytes.extend_from_slice(&canonical_bytes(seq, time_ns, kind, &detail));
        self.hash = xxh3_128(&bytes);
        self.count += 1;
        if self.keep {
            let hash = hex(self.hash);
            self.records.push(TraceRecord {
                seq,
                time_ns,
                kind: kind.to_string(),
                detail,
                hash,
            });
        }
        self.hash
    }

    pub fn hash_hex(&self) -> String {
        hex(self.hash)
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn records(&self) -> &[TraceRecord] {
        &self.records
    }

    pub fn into_records(self) -> Vec<TraceRecord> {
        self.records
    }

    /// Writes the kept records as JSON lines (see [`write_json_lines`]).
    pub fn write_json_lines(&self, path: &Path) -> io::Result<()> {
        write_json_lines(&self.records, path)
    }
}

/// Writes one JSON object per line: `{"seq":..,"time_ns":..,"kind":..,"detail":..,"hash":..}`.
pub fn write_json_lines(records: &[TraceRecord], path: &Path) -> io::Result<()> {
    let mut out = io::BufWriter::new(std::fs::File::create(path)?);
    for record in records {
        serde_json::to_writer(&mut out, record)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// The `seq` of the first record where two traces differ (content or hash), or where one ends
/// early; `None` when identical.
pub fn first_difference(a: &[TraceRecord], b: &[TraceRecord]) -> Option<u64> {
    let common = a.len().min(b.len());
    if let Some(i) = (0..common).find(|i| a[*i] != b[*i]) {
        return Some(a[i].seq);
    }
    (a.len() != b.len()).then_some(common as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(events: &[(u64, &str, &str)]) -> Trace {
        let mut t = Trace::new(true);
        for (time, kind, detail) in events {
            t.record(*time, kind, *detail);
        }
        t
    }

    #[test]
    fn same_events_give_the_same_hash_and_any_change_alters_it() {
        let base = trace(&[(0, "a", "x"), (5, "b", "y")]);
        assert_eq!(
            base.hash_hex(),
            trace(&[(0, "a", "x"), (5, "b", "y")]).hash_hex()
        );
        assert_ne!(
            base.hash_hex(),
            trace(&[(0, "a", "x"), (6, "b", "y")]).hash_hex()
        );
        assert_ne!(
            base.hash_hex(),
            trace(&[(0, "a", "x"), (5, "b", "z")]).hash_hex()
        );
        assert_ne!(
            base.hash_hex(),
            trace(&[(5, "b", "y"), (0, "a", "x")]).hash_hex()
        );
        assert_eq!(base.records()[1].hash, base.hash_hex());
        assert_eq!(base.count(), 2);
    }

    #[test]
    fn first_difference_names_the_first_differing_event() {
        let a = trace(&[(0, "a", "x"), (5, "b", "y"), (7, "c", "z")]).into_records();
        let b = trace(&[(0, "a", "x"), (5, "b", "Y"), (7, "c", "z")]).into_records();
        assert_eq!(first_difference(&a, &b), Some(1));
        assert_eq!(first_difference(&a, &a), None);
        assert_eq!(first_difference(&a, &a[..2]), Some(2));
    }

    #[test]
    fn json_lines_hold_one_object_per_record() {
        let t = trace(&[(0, "a", "x \"quoted\""), (5, "b", "y")]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trace.jsonl");
        t.write_json_lines(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(first["detail"], "x \"quoted\"");
        assert_eq!(first["seq"], 0);
        assert_eq!(first["hash"], t.records()[0].hash.as_str());
    }
}
