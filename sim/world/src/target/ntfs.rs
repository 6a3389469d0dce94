//! NTFS as the export target's file system: the names it refuses (reserved device names, a
//! trailing dot or space, illegal characters, more than 255 UTF-16 units) and its
//! case-insensitive, case-preserving lookup of a name in a directory. Owns those rules, written
//! independently of the job's sanitiser so that a sanitiser regression meets a refusal here; it
//! must never create, change or remove anything, and never follow a symbolic link.
//!
//! Source: Microsoft, "Naming Files, Paths, and Namespaces" (learn.microsoft.com/windows/win32/
//! fileio/naming-a-file): reserved characters `< > : " / \ | ? *` and 0-31; reserved names CON,
//! PRN, AUX, NUL, COM0-COM9, LPT0-LPT9 (COM0/LPT0 and the superscript digits are listed by newer
//! revisions), also followed by an extension; names must not end in a space or a period; NTFS
//! names are case-insensitive and case-preserving. Comparing with Unicode simple upper case
//! stands in for NTFS's `$UpCase` table (*ours*).

use rpsim_vfs::Fs;
use std::io;
use std::path::Path;

/// Longest name, in UTF-16 code units.
pub const NAME_UTF16_UNITS_MAX: usize = 255;
/// Directory entries one case-insensitive lookup may read.
pub const LOOKUP_ENTRIES_MAX: usize = 100_000;

const RESERVED_STEMS: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];
const RESERVED_NUMBERED: [&str; 2] = ["COM", "LPT"];
const ILLEGAL: [char; 9] = ['<', '>', ':', '"', '/', '\\', '|', '?', '*'];

/// Why NTFS refuses `name` as a file or directory name, if it does.
pub fn refusal(name: &str) -> Option<String> {
    if name.encode_utf16().count() > NAME_UTF16_UNITS_MAX {
        return Some(format!(
            "a name longer than {NAME_UTF16_UNITS_MAX} UTF-16 units"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| (*c as u32) < 32 || ILLEGAL.contains(c))
    {
        return Some(format!("the character {c:?} in a name"));
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Some("a name ending in a dot or a space".to_string());
    }
    is_device_name(name).then(|| "a reserved device name".to_string())
}

/// `CON`, `nul.txt`, `Com1.tar.gz`, `LPT¹`: the part before the first dot (trailing spaces
/// dropped) names a device.
fn is_device_name(name: &str) -> bool {
    let base = name.split('.').next().unwrap_or("").trim_end_matches(' ');
    let upper = base.to_uppercase();
    if RESERVED_STEMS.contains(&upper.as_str()) {
        return true;
    }
    RESERVED_NUMBERED.iter().any(|prefix| {
        upper.strip_prefix(prefix).is_some_and(|digit| {
            let mut chars = digit.chars();
            matches!((chars.next(), chars.next()), (Some(d), None)
                if d.is_ascii_digit() || matches!(d, '¹' | '²' | '³'))
        })
    })
}

/// Two names NTFS treats as one.
pub fn same_name(a: &str, b: &str) -> bool {
    a == b || a.to_uppercase() == b.to_uppercase()
}

/// The name of the entry of `dir` that NTFS would find for `name` when no entry is spelled
/// exactly so: the smallest one equal ignoring case. `None` when there is none (or `dir` cannot
/// be read, which the operation itself then reports).
pub fn find_ignoring_case(fs: &dyn Fs, dir: &Path, name: &str) -> io::Result<Option<String>> {
    let Ok(entries) = fs.read_dir_names(dir, LOOKUP_ENTRIES_MAX) else {
        return Ok(None);
    };
    let Some(entries) = entries else {
        return Err(io::Error::other(format!(
            "a directory of the export target holds more than {LOOKUP_ENTRIES_MAX} entries"
        )));
    };
    let mut found: Option<String> = None;
    for entry_name in entries {
        if same_name(&entry_name, name) && found.as_ref().is_none_or(|f| entry_name < *f) {
            found = Some(entry_name);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_device_names_are_refused_in_any_case_and_with_extensions() {
        for name in [
            "CON",
            "con",
            "Aux.txt",
            "nul.tar.gz",
            "COM1",
            "lpt9.rplog",
            "COM²",
            "PRN ",
        ] {
            assert!(refusal(name).is_some(), "{name:?} accepted");
        }
        for name in [
            "CONSOLE",
            "COM10",
            "xNUL",
            "_CON.rplog",
            "disk.rplog",
            "COMA",
        ] {
            assert_eq!(refusal(name), None, "{name:?} refused");
        }
    }

    #[test]
    fn trailing_dots_spaces_and_illegal_characters_are_refused() {
        for name in [
            "x.", "x ", "a:b", "a\\b", "a|b", "a?b", "a*b", "a\"b", "a<b", "a\u{1}b",
        ] {
            assert!(refusal(name).is_some(), "{name:?} accepted");
        }
        assert!(refusal(&"x".repeat(256)).is_some());
        assert_eq!(refusal(&"x".repeat(255)), None);
    }

    #[test]
    fn lookups_ignore_case_and_prefer_the_smallest_spelling() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Disk.rplog"), b"").unwrap();
        assert_eq!(
            find_ignoring_case(&rpsim_vfs::RealFs, dir.path(), "DISK.RPLOG")
                .unwrap()
                .as_deref(),
            Some("Disk.rplog")
        );
        assert_eq!(
            find_ignoring_case(&rpsim_vfs::RealFs, dir.path(), "other").unwrap(),
            None
        );
        assert!(same_name("Virtual Hard Disks", "virtual hard disks"));
    }
}
