//! Golden listings: a readable, stably ordered text rendering of what one run produced (per
//! export: return code, final job object, GetError, GetErrorEx chain, RequestStateChange codes,
//! the job's history and `poll` readings (`observed`), and the files on disk with size and
//! xxh3-128), and the unified diff between two listings. Owns the golden format and its
//! comparison; it must never write a golden file or decide to bless.

mod observed;

use rpsim_vfs::{Fs, Kind};
use rpsim_world::{ExportRecord, RunOutcome};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use similar::TextDiff;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::Xxh3Default;

/// First line of every golden file; bump the number when the layout changes.
pub const GOLDEN_FIRST_LINE: &str = "rpsim-golden 2";
/// Bound on files listed per export directory (a listing with more is truncated and says so).
pub const GOLDEN_FILES_MAX: usize = 10_000;
/// Bound on directory nesting walked below an export directory.
pub const GOLDEN_DEPTH_MAX: usize = 16;
/// Bound on properties rendered per WMI object.
const PROPERTIES_MAX: usize = 256;
/// Read buffer for hashing files.
const HASH_BUFFER_BYTES: usize = 1 << 20;
/// Lines of context around each change in a golden diff.
const DIFF_CONTEXT_LINES: usize = 3;

/// The golden listing of one run at `seed`.
pub fn render_golden(scenario_name: &str, seed: u64, outcome: &RunOutcome) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "{GOLDEN_FIRST_LINE}");
    let _ = writeln!(text, "scenario: {scenario_name}");
    let _ = writeln!(text, "seed: {seed}");
    let _ = writeln!(text, "trace_hash: {}", outcome.trace_hash);
    let _ = writeln!(text, "exports: {}", outcome.exports.len());
    for record in &outcome.exports {
        text.push('\n');
        render_export(&mut text, outcome.fs.as_ref(), record);
    }
    assert!(text.starts_with(GOLDEN_FIRST_LINE));
    assert!(text.ends_with('\n'));
    text
}

fn render_export(text: &mut String, fs: &dyn Fs, record: &ExportRecord) {
    let _ = writeln!(text, "== export {}", record.name);
    let _ = writeln!(text, "ReturnValue: {}", record.result.return_code);
    let _ = writeln!(text, "-- job");
    match &record.final_properties {
        Some(properties) => render_properties(text, properties),
        None => text.push_str("(no job)\n"),
    }
    match &record.get_error {
        Some(error) => {
            let _ = writeln!(text, "-- GetError: {}", error.message_id);
        }
        None => text.push_str("-- GetError: (none)\n"),
    }
    let _ = writeln!(text, "-- GetErrorEx ({})", record.get_error_ex.len());
    for (index, error) in record.get_error_ex.iter().enumerate() {
        let _ = writeln!(text, "[{index}] MessageID: {}", error.message_id);
        let _ = writeln!(text, "[{index}] Message: {}", one_line(&error.message));
        let _ = writeln!(text, "[{index}] ProbableCause: {}", error.probable_cause);
        let _ = writeln!(text, "[{index}] CIMStatusCode: {}", error.cim_status_code);
    }
    let codes: Vec<String> = record
        .state_change_codes
        .iter()
        .map(u32::to_string)
        .collect();
    let _ = writeln!(text, "-- RequestStateChange: [{}]", codes.join(", "));
    observed::render_observed(text, record);
    render_files(text, fs, record.real_directory.as_deref());
}

/// Every property under its WMI name, in the struct's order; arrays one element per line.
fn render_properties<T: serde::Serialize>(text: &mut String, value: &T) {
    match ordered_properties(value) {
        Ok(properties) => render_members(text, &properties),
        Err(message) => {
            let _ = writeln!(text, "(cannot render: {message})");
        }
    }
}

/// `Name: value` lines of `properties`; arrays one element per line.
fn render_members(text: &mut String, properties: &[(String, serde_json::Value)]) {
    for (name, value) in properties.iter().take(PROPERTIES_MAX) {
        match value {
            serde_json::Value::Array(items) => {
                let _ = writeln!(text, "{name}: ({} item(s))", items.len());
                for item in items {
                    let _ = writeln!(text, "  - {}", scalar(item));
                }
            }
            other => {
                let _ = writeln!(text, "{name}: {}", scalar(other));
            }
        }
    }
}

fn scalar(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => one_line(s),
        serde_json::Value::Null => "(null)".into(),
        other => other.to_string(),
    }
}

/// Text kept on one line so every property stays one `Name: value` line (line breaks and every
/// other control character shown as escapes such as `\n`, `\x1b`, so a golden or its diff is
/// safe to print); an empty string is shown as `""` so no line ends in a space.
fn one_line(text: &str) -> String {
    if text.is_empty() {
        return "\"\"".into();
    }
    rpsim_scenario::text::one_line(text).into_owned()
}

/// A JSON object's members in document order (serde_json's `Map` sorts them).
struct Ordered(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor;
        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, serde_json::Value>()? {
                    if members.len() == PROPERTIES_MAX {
                        break;
                    }
                    members.push(member);
                }
                Ok(Ordered(members))
            }
        }
        deserializer.deserialize_map(OrderedVisitor)
    }
}

/// Serialises through JSON text, which keeps the struct's field order.
fn ordered_properties<T: serde::Serialize>(
    value: &T,
) -> Result<Vec<(String, serde_json::Value)>, String> {
    let json = serde_json::to_string(value).map_err(|e| e.to_string())?;
    let ordered: Ordered = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    Ok(ordered.0)
}

fn render_files(text: &mut String, fs: &dyn Fs, dir: Option<&Path>) {
    let Some(dir) = dir else {
        text.push_str("-- files: (no directory)\n");
        return;
    };
    if !matches!(fs.kind_at(dir), Ok(Some(Kind::Dir))) {
        text.push_str("-- files: (directory absent)\n");
        return;
    }
    let mut files = Vec::new();
    let truncated = list_files(fs, dir, &mut files);
    files.sort();
    let _ = writeln!(text, "-- files ({})", files.len());
    for relative in &files {
        let path = dir.join(relative);
        let shown = rpsim_scenario::text::one_line(relative);
        match hash_file(fs, &path) {
            Ok((size_bytes, hash)) => {
                let _ = writeln!(text, "{shown} {size_bytes} {hash:032x}");
            }
            Err(e) => {
                let _ = writeln!(text, "{shown} (unreadable: {})", e.kind());
            }
        }
    }
    if truncated {
        let _ = writeln!(text, "(truncated at {GOLDEN_FILES_MAX} files)");
    }
}

/// Relative `/`-separated paths of regular files under `root`; true when a bound was hit.
fn list_files(fs: &dyn Fs, root: &Path, files: &mut Vec<String>) -> bool {
    let mut pending: Vec<(PathBuf, usize)> = vec![(root.to_path_buf(), 0)];
    let mut truncated = false;
    while let Some((dir, depth)) = pending.pop() {
        let Ok(names) = fs.read_dir_names(&dir, GOLDEN_FILES_MAX + 1) else {
            continue;
        };
        let Some(names) = names else {
            truncated = true;
            continue;
        };
        for name in names {
            let path = dir.join(name);
            let Ok(Some(kind)) = fs.kind_at(&path) else {
                continue;
            };
            if kind == Kind::Dir {
                if depth + 1 < GOLDEN_DEPTH_MAX {
                    pending.push((path, depth + 1));
                } else {
                    truncated = true;
                }
            } else if files.len() < GOLDEN_FILES_MAX {
                files.push(relative_path(root, &path));
            } else {
                truncated = true;
            }
        }
    }
    truncated
}

fn relative_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

fn hash_file(fs: &dyn Fs, path: &Path) -> std::io::Result<(u64, u128)> {
    let file = fs
        .open_regular_file(path)
        .map_err(rpsim_vfs::OpenError::into_io)?;
    let mut hasher = Xxh3Default::new();
    let length_bytes = file.len_bytes()?;
    let mut buffer = vec![0u8; HASH_BUFFER_BYTES.min(length_bytes.max(1) as usize)];
    let mut size_bytes = 0u64;
    loop {
        let read = file.read_at(&mut buffer, size_bytes)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size_bytes += read as u64;
    }
    Ok((size_bytes, hasher.digest128()))
}

/// `None` when the listings are equal, else a plain unified diff (expected → actual).
pub fn compare_golden(expected: &str, actual: &str) -> Option<String> {
    compare_golden_coloured(expected, actual, false)
}

/// As [`compare_golden`]; with `colour`, removed lines are red, added green, hunks cyan.
pub fn compare_golden_coloured(expected: &str, actual: &str, colour: bool) -> Option<String> {
    if expected == actual {
        return None;
    }
    let diff = TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(DIFF_CONTEXT_LINES)
        .header("golden (expected)", "this run (actual)")
        .to_string();
    // Differences only in line endings give an empty line diff; say so rather than nothing.
    let diff = if diff.is_empty() {
        "the listings differ only in line endings or a missing final newline\n".to_string()
    } else {
        diff
    };
    Some(if colour { colour_diff(&diff) } else { diff })
}

/// ANSI colours for a unified diff: `---`/`+++` bold, removed lines red, added green, hunk
/// headers cyan.
pub fn colour_diff(diff: &str) -> String {
    use anstyle::{AnsiColor, Style};
    let mut out = String::with_capacity(diff.len() + diff.len() / 4);
    for line in diff.split_inclusive('\n') {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            Style::new().bold()
        } else if line.starts_with('+') {
            AnsiColor::Green.on_default()
        } else if line.starts_with('-') {
            AnsiColor::Red.on_default()
        } else if line.starts_with("@@") {
            AnsiColor::Cyan.on_default()
        } else {
            out.push_str(line);
            continue;
        };
        let body = line.strip_suffix('\n').unwrap_or(line);
        let _ = write!(out, "{style}{body}{style:#}");
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_listings_have_no_diff_and_a_changed_line_shows_both_sides() {
        let expected = "a\nb\nc\n";
        assert_eq!(compare_golden(expected, expected), None);
        let diff = compare_golden(expected, "a\nB\nc\n").expect("listings differ");
        assert!(diff.contains("-b\n"), "{diff}");
        assert!(diff.contains("+B\n"), "{diff}");
        assert!(
            !diff.contains('\x1b'),
            "plain diff has no colour codes: {diff}"
        );
    }

    #[test]
    fn colour_is_added_only_when_asked() {
        let diff = compare_golden_coloured("a\n", "b\n", true).expect("listings differ");
        assert!(diff.contains("\x1b[31m-a\x1b[0m"), "{diff:?}");
        assert!(diff.contains("\x1b[32m+b\x1b[0m"), "{diff:?}");
    }

    #[test]
    fn properties_keep_the_struct_order_and_arrays_go_one_per_line() {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Probe {
            zeta: u16,
            alpha: Vec<String>,
            #[serde(rename = "InstanceID")]
            instance_id: String,
        }
        let mut text = String::new();
        let probe = Probe {
            zeta: 7,
            alpha: vec!["x".into(), "y\nz".into()],
            instance_id: String::new(),
        };
        render_properties(&mut text, &probe);
        assert_eq!(
            text,
            "Zeta: 7\nAlpha: (2 item(s))\n  - x\n  - y\\nz\nInstanceID: \"\"\n"
        );
    }

    #[test]
    fn files_are_listed_sorted_with_size_and_xxh3_128() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        std::fs::write(dir.path().join("b.bin"), b"hello").expect("write");
        std::fs::write(dir.path().join("sub/a.bin"), b"").expect("write");
        let mut text = String::new();
        render_files(&mut text, &rpsim_vfs::RealFs, Some(dir.path()));
        let hello = xxhash_rust::xxh3::xxh3_128(b"hello");
        let empty = xxhash_rust::xxh3::xxh3_128(b"");
        assert_eq!(
            text,
            format!("-- files (2)\nb.bin 5 {hello:032x}\nsub/a.bin 0 {empty:032x}\n")
        );
    }
}
