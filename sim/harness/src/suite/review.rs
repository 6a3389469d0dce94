//! Pending goldens (`<scenario>.golden.new`, written when a run differs from its golden) and
//! their review: listing them, the diff against the golden with each hunk naming the export it
//! falls in, accepting (the pending file replaces the golden) and rejecting (it is removed).
//! Owns those file operations; it must never print, never touch a file that is not a pending
//! golden or its golden, and never accept anything by itself.

use crate::suite::goldens::{GOLDEN_DIR_ENTRIES_MAX, GOLDEN_EXTENSION, PENDING_SUFFIX};
use similar::{DiffTag, TextDiff};
use std::path::{Path, PathBuf};

/// Lines of context around each change in a review diff.
pub const REVIEW_CONTEXT_LINES: usize = 3;

/// One pending golden.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingGolden {
    /// The scenario name (the golden's file stem).
    pub scenario: String,
    /// `<dir>/<scenario>.golden` (it may not exist: a new golden).
    pub golden: PathBuf,
    /// `<dir>/<scenario>.golden.new`.
    pub pending: PathBuf,
}

/// Every pending golden in `dir`, sorted by scenario name (none when `dir` does not exist).
pub fn pending_goldens(dir: &Path) -> Result<Vec<PendingGolden>, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let suffix = format!(".{GOLDEN_EXTENSION}{PENDING_SUFFIX}");
    let mut found = Vec::new();
    for entry in entries.take(GOLDEN_DIR_ENTRIES_MAX) {
        let entry = entry.map_err(|e| format!("{}: cannot list: {e}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(scenario) = name.strip_suffix(&suffix) else {
            continue;
        };
        found.push(PendingGolden {
            scenario: scenario.to_string(),
            golden: dir.join(format!("{scenario}.{GOLDEN_EXTENSION}")),
            pending: entry.path(),
        });
    }
    found.sort_by(|a, b| a.scenario.cmp(&b.scenario));
    Ok(found)
}

/// The unified diff from the golden (empty when missing) to the pending listing; each hunk
/// header names the export whose section the hunk's first change lies in (`@@ -a,b +c,d @@ export full`).
pub fn review_diff(pending: &PendingGolden) -> Result<String, String> {
    let old = std::fs::read_to_string(&pending.golden).unwrap_or_default();
    let new = std::fs::read_to_string(&pending.pending)
        .map_err(|e| format!("{}: cannot read: {e}", pending.pending.display()))?;
    Ok(labelled_diff(&old, &new))
}

/// As [`review_diff`], on texts.
pub fn labelled_diff(old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let mut out = String::from("--- golden\n+++ pending (this run)\n");
    let mut unified = diff.unified_diff();
    unified.context_radius(REVIEW_CONTEXT_LINES);
    for hunk in unified.iter_hunks() {
        let text = hunk.to_string();
        let (header, body) = text.split_once('\n').unwrap_or((&text, ""));
        // The section of the first changed line, not of the context before it.
        let first = hunk.ops().iter().find(|op| op.tag() != DiffTag::Equal);
        let section = first.and_then(|op| {
            section_at(&old_lines, op.old_range().start)
                .or_else(|| section_at(&new_lines, op.new_range().start))
        });
        let label = section.map_or_else(|| "header".to_string(), |s| s.to_string());
        out.push_str(&format!("{header} {label}\n{body}"));
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The `export NAME` section that line `index` (0-based) of a listing lies in.
fn section_at<'a>(lines: &[&'a str], index: usize) -> Option<&'a str> {
    let end = (index + 1).min(lines.len());
    lines[..end]
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("== ").filter(|s| s.starts_with("export ")))
}

/// Accepts: the pending listing replaces the golden (one rename).
pub fn accept(pending: &PendingGolden) -> Result<(), String> {
    std::fs::rename(&pending.pending, &pending.golden).map_err(|e| {
        format!(
            "cannot move {} to {}: {e}",
            pending.pending.display(),
            pending.golden.display()
        )
    })
}

/// Rejects: the pending listing is removed, the golden stays.
pub fn reject(pending: &PendingGolden) -> Result<(), String> {
    std::fs::remove_file(&pending.pending)
        .map_err(|e| format!("cannot remove {}: {e}", pending.pending.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_name_the_export_they_fall_in() {
        let old = "rpsim-golden 1\nscenario: s\n== export full\nReturnValue: 4096\nJobState: 7\n\
                   a\nb\nc\nd\ne\nf\n== export diff\nReturnValue: 4096\nJobState: 7\n";
        let new = old.replacen("JobState: 7\n", "JobState: 10\n", 1).replace(
            "== export diff\nReturnValue: 4096",
            "== export diff\nReturnValue: 32773",
        );
        let diff = labelled_diff(old, &new);
        let headers: Vec<&str> = diff.lines().filter(|l| l.starts_with("@@")).collect();
        assert_eq!(headers.len(), 2, "{diff}");
        assert!(headers[0].ends_with("@@ export full"), "{diff}");
        assert!(headers[1].ends_with("@@ export diff"), "{diff}");
        assert!(diff.contains("-JobState: 7\n+JobState: 10\n"), "{diff}");
        let head = labelled_diff("rpsim-golden 1\nseed: 1\n", "rpsim-golden 1\nseed: 2\n");
        assert!(head.contains("@@ header"), "{head}");
    }

    #[test]
    fn accept_replaces_the_golden_and_reject_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [("a.golden", "old a\n"), ("a.golden.new", "new a\n")] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        std::fs::write(dir.path().join("b.golden"), "old b\n").unwrap();
        std::fs::write(dir.path().join("b.golden.new"), "new b\n").unwrap();
        std::fs::write(dir.path().join("c.golden.new"), "new c\n").unwrap();
        std::fs::write(dir.path().join("notes.new"), "x\n").unwrap();
        let pending = pending_goldens(dir.path()).unwrap();
        let names: Vec<&str> = pending.iter().map(|p| p.scenario.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        accept(&pending[0]).unwrap();
        reject(&pending[1]).unwrap();
        accept(&pending[2]).unwrap();
        let read = |n: &str| std::fs::read_to_string(dir.path().join(n)).unwrap();
        assert_eq!(read("a.golden"), "new a\n");
        assert_eq!(read("b.golden"), "old b\n");
        assert_eq!(read("c.golden"), "new c\n");
        assert!(pending_goldens(dir.path()).unwrap().is_empty());
        assert!(reject(&pending[1]).is_err(), "rejecting twice is an error");
    }
}
