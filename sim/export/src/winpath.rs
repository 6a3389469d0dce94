//! `ExportDirectory` in the forms a Hyper-V host receives: a POSIX path (`/exports/x`, the
//! simulator's own form), a drive path (`C:\Backups\rp1`, `c:/Backups/rp1`) or a UNC path
//! (`\\backup-srv\share\rp1`). Owns parsing and checking that text, the NTFS name rules the
//! job applies to names it writes (reserved device names, trailing dot or space, illegal
//! characters), the path handed to the target for a layout file, and the string listed in
//! `Exported*FilePaths[]`. It must never touch a file system, and never accept a directory
//! with a `.`/`..` component, a NUL or a name NTFS refuses.
//!
//! Rules (source: Microsoft, "Naming Files, Paths, and Namespaces", learn.microsoft.com/windows/
//! win32/fileio/naming-a-file, unless marked *ours*):
//! - A drive path is a letter `A`-`Z` (either case), `:` and a separator; both `\` and `/` are
//!   separators. `C:` alone or `C:dir` is relative to the drive's current directory: refused.
//!   Anything else before a `:` (`CC:\`, `1:\`) is a malformed drive letter: refused.
//! - A UNC path is `\\server\share\...` (or with `/`). `\\?\` and `\\.\` device paths are refused
//!   (*ours*: Hyper-V's export takes a directory, not a device namespace).
//! - A name must not use `< > : " / \ | ? *` or characters 0-31, must not be a reserved device
//!   name (`CON`, `PRN`, `AUX`, `NUL`, `COM0`-`COM9`, `LPT0`-`LPT9`, also followed by an
//!   extension, any case), and must not end in a dot or a space (Windows strips those, so the
//!   name would not round-trip: *ours* to refuse rather than strip).
//! - Listed paths keep the client's form (*ours*, as Hyper-V echoes the directory it was
//!   given): the trimmed `ExportDirectory`, then the layout path with `\` between components
//!   when the directory is written with `\`, else `/`.
//! - The target receives drive and UNC paths with `/` separators (`C:/Backups/rp1/...`,
//!   `//backup-srv/share/rp1/...`), which Windows' file API accepts as they are; POSIX paths
//!   are passed unchanged.

/// Device names Windows reserves, with or without an extension (the base name before the
/// first `.` is compared ignoring case).
/// `COM0`/`LPT0` and the superscript digits are listed by the page's newer revisions.
pub const RESERVED_DEVICE_NAMES: [&str; 30] = [
    "CON", "PRN", "AUX", "NUL", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
    "COM8", "COM9", "COM¹", "COM²", "COM³", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6",
    "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
];
/// Characters NTFS names never hold (besides 0-31).
pub const NTFS_ILLEGAL_CHARACTERS: [char; 9] = ['<', '>', ':', '"', '/', '\\', '|', '?', '*'];
/// Most components an `ExportDirectory` may have below its root.
pub const DIRECTORY_DEPTH_MAX: usize = 64;

/// Where an `ExportDirectory` is rooted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Root {
    /// `/...`: the simulator's POSIX form.
    Posix,
    /// `X:\...`; the letter as given.
    Drive(char),
    /// `\\server\share\...`.
    Unc { server: String, share: String },
}

/// A checked `ExportDirectory`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportDirectory {
    pub root: Root,
    /// Components below the root, as given.
    pub components: Vec<String>,
    /// `\` or `/`: what listed paths put between components.
    pub separator: char,
}

/// `text` for a message: control characters escaped (`\0`, `\u{1b}`), backslashes kept as
/// they are so that Windows paths read as the client wrote them.
pub fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Why a name cannot be a file or directory name on NTFS, if it cannot.
pub fn ntfs_name_problem(name: &str) -> Option<String> {
    if let Some(c) = name
        .chars()
        .find(|c| (*c as u32) < 32 || NTFS_ILLEGAL_CHARACTERS.contains(c))
    {
        return Some(format!(
            "name `{}` holds the character {:?}, which NTFS does not allow",
            shown(name),
            c
        ));
    }
    if name.ends_with(['.', ' ']) {
        return Some(format!("name `{}` ends in a dot or a space", shown(name)));
    }
    is_reserved_device_name(name)
        .then(|| format!("name `{}` is a reserved device name", shown(name)))
}

/// True for `CON`, `aux.txt`, `Com1.tar.gz`, ...: a reserved device name before the first dot
/// (trailing spaces of that base ignored, as Windows ignores them).
pub fn is_reserved_device_name(name: &str) -> bool {
    let base = name.split('.').next().unwrap_or("").trim_end_matches(' ');
    RESERVED_DEVICE_NAMES
        .iter()
        .any(|r| r.to_uppercase() == base.to_uppercase())
}

/// True when `text` is written in a Windows form (drive or UNC), not as a POSIX path.
pub fn is_windows_form(text: &str) -> bool {
    text.starts_with('\\')
        || text.starts_with("//")
        || text
            .split(['\\', '/'])
            .next()
            .is_some_and(|first| first.contains(':'))
}

/// Parses and checks an `ExportDirectory` written in a Windows form; POSIX paths are the
/// caller's (layout's) to check. Trailing separators are ignored.
pub fn parse_windows(text: &str) -> Result<ExportDirectory, String> {
    if text.contains('\0') {
        return Err("it contains a NUL character".into());
    }
    let is_separator = |c: char| c == '\\' || c == '/';
    let separator = if text.contains('\\') { '\\' } else { '/' };
    let (root, rest) = if text.starts_with("\\\\") || text.starts_with("//") {
        parse_unc(&text[2..])?
    } else {
        parse_drive(text)?
    };
    let mut components = Vec::new();
    for component in rest.split(is_separator).filter(|c| !c.is_empty()) {
        if component == "." || component == ".." {
            return Err(format!("it has a `{component}` component"));
        }
        if let Some(problem) = ntfs_name_problem(component) {
            return Err(problem);
        }
        components.push(component.to_string());
        if components.len() > DIRECTORY_DEPTH_MAX {
            return Err(format!(
                "it is deeper than {DIRECTORY_DEPTH_MAX} components"
            ));
        }
    }
    Ok(ExportDirectory {
        root,
        components,
        separator,
    })
}

fn parse_drive(text: &str) -> Result<(Root, &str), String> {
    let Some((before, after)) = text.split_once(':') else {
        return Err("it is not absolute (no drive letter or `\\\\server\\share`)".into());
    };
    let mut letters = before.chars();
    let letter = match (letters.next(), letters.next()) {
        (Some(l), None) if l.is_ascii_alphabetic() => l,
        _ => {
            return Err(format!(
                "`{}:` is not a drive letter (one letter A-Z, then `:`)",
                shown(before)
            ))
        }
    };
    if !after.starts_with(['\\', '/']) {
        return Err(format!(
            "`{letter}:` without a separator is relative to the drive's current directory"
        ));
    }
    Ok((Root::Drive(letter), after))
}

fn parse_unc(text: &str) -> Result<(Root, &str), String> {
    let mut parts = text.splitn(3, ['\\', '/']);
    let server = parts.next().unwrap_or("");
    let share = parts.next().unwrap_or("");
    let rest = parts.next().unwrap_or("");
    if server == "?" || server == "." {
        return Err("device namespace paths (`\\\\?\\`, `\\\\.\\`) are not supported".into());
    }
    if server.is_empty() || share.is_empty() {
        return Err("a UNC path needs `\\\\server\\share`".into());
    }
    for name in [server, share] {
        if let Some(problem) = ntfs_name_problem(name) {
            return Err(problem);
        }
    }
    let root = Root::Unc {
        server: server.to_string(),
        share: share.to_string(),
    };
    Ok((root, rest))
}

impl ExportDirectory {
    /// The volume or share the directory lies on: `C:`, `\\server\share`.
    pub fn volume(&self) -> String {
        match &self.root {
            Root::Posix => "/".into(),
            Root::Drive(letter) => format!("{}:", letter.to_ascii_uppercase()),
            Root::Unc { server, share } => format!("\\\\{server}\\{share}"),
        }
    }

    /// The directory as the target receives it (`C:/a/b`, `//server/share/a`).
    pub fn target_form(&self) -> String {
        let root = match &self.root {
            Root::Posix => String::new(),
            Root::Drive(letter) => format!("{letter}:"),
            Root::Unc { server, share } => format!("//{server}/{share}"),
        };
        let mut text = root;
        for component in &self.components {
            text.push('/');
            text.push_str(component);
        }
        if self.components.is_empty() {
            text.push('/');
        }
        text
    }
}

/// The directory the target receives for a checked `ExportDirectory` (trimmed of trailing
/// separators): POSIX text unchanged, Windows forms with `/`.
pub fn target_directory(export_directory: &str) -> String {
    if !is_windows_form(export_directory) {
        return export_directory.to_string();
    }
    parse_windows(export_directory)
        .expect("a validated ExportDirectory parses")
        .target_form()
}

/// The volume (`C:`) or share (`\\server\share`) of a Windows-form directory that parses;
/// `None` for POSIX paths and malformed ones.
pub fn volume_of(export_directory: &str) -> Option<String> {
    if !is_windows_form(export_directory) {
        return None;
    }
    parse_windows(export_directory).ok().map(|d| d.volume())
}

/// True when `path` (as handed to the target) is absolute in either form.
pub fn is_target_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/') || (bytes.len() >= 3 && bytes[1] == b':' && bytes[2] == b'/')
}

/// The separator listed paths use after `export_directory`.
pub fn listed_separator(export_directory: &str) -> char {
    if is_windows_form(export_directory) && export_directory.contains('\\') {
        '\\'
    } else {
        '/'
    }
}

/// Trims trailing separators of a Windows-form directory (a drive root keeps its one).
pub fn trim_windows(text: &str) -> &str {
    let trimmed = text.trim_end_matches(['\\', '/']);
    if trimmed.len() == 2 && trimmed.as_bytes()[1] == b':' {
        &text[..3.min(text.len())]
    } else {
        trimmed
    }
}

/// True when two directories as the target receives them overlap (one inside the other),
/// ignoring case for Windows forms (NTFS is case-insensitive).
pub fn directories_overlap(a: &str, b: &str) -> bool {
    let fold = |text: &str| -> Vec<String> {
        let windows = is_windows_form(text);
        text.split(['/', '\\'])
            .filter(|c| !c.is_empty())
            .map(|c| {
                if windows {
                    c.to_uppercase()
                } else {
                    c.to_string()
                }
            })
            .collect()
    };
    let (a, b) = (fold(&target_directory(a)), fold(&target_directory(b)));
    a.starts_with(&b) || b.starts_with(&a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_client_forms_parse() {
        let drive = parse_windows("C:\\Backups\\rp1").unwrap();
        assert_eq!(drive.root, Root::Drive('C'));
        assert_eq!(drive.components, ["Backups", "rp1"]);
        assert_eq!(drive.separator, '\\');
        assert_eq!(drive.target_form(), "C:/Backups/rp1");
        let slashes = parse_windows("c:/Backups/rp1/").unwrap();
        assert_eq!(slashes.volume(), "C:");
        assert_eq!(slashes.separator, '/');
        let unc = parse_windows("\\\\backup-srv\\share\\rp1").unwrap();
        assert_eq!(unc.volume(), "\\\\backup-srv\\share");
        assert_eq!(unc.target_form(), "//backup-srv/share/rp1");
    }

    #[test]
    fn malformed_windows_directories_say_why() {
        let cases = [
            ("CC:\\x", "not a drive letter"),
            ("1:\\x", "not a drive letter"),
            ("C:x", "relative to the drive"),
            ("C:", "relative to the drive"),
            ("\\\\srv", "needs"),
            ("\\\\?\\C:\\x", "device namespace"),
            ("C:\\a\\..\\b", "`..`"),
            ("C:\\a\\.\\b", "`.`"),
            ("C:\\a\0b", "NUL"),
            ("C:\\CON\\x", "reserved device name"),
            ("C:\\aux.txt", "reserved device name"),
            ("C:\\dir.", "ends in a dot"),
            ("C:\\dir \\x", "ends in a dot or a space"),
            ("C:\\a|b", "NTFS does not allow"),
            ("relative\\path", "not absolute"),
        ];
        for (text, reason) in cases {
            let error = parse_windows(text).expect_err(text);
            assert!(error.contains(reason), "{text:?}: {error}");
        }
    }

    #[test]
    fn reserved_names_ignore_case_and_extensions() {
        for name in [
            "CON",
            "con",
            "Aux.txt",
            "nul.tar.gz",
            "COM9",
            "lpt1",
            "PRN ",
        ] {
            assert!(is_reserved_device_name(name), "{name}");
        }
        for name in ["CONSOLE", "COM10", "LPTX", "xCON", "_CON", "com"] {
            assert!(!is_reserved_device_name(name), "{name}");
        }
    }

    #[test]
    fn listed_separators_follow_the_client() {
        assert_eq!(listed_separator("C:\\Backups\\rp1"), '\\');
        assert_eq!(listed_separator("c:/Backups/rp1"), '/');
        assert_eq!(listed_separator("\\\\srv\\share\\x"), '\\');
        assert_eq!(listed_separator("/exports/x"), '/');
        assert_eq!(trim_windows("C:\\Backups\\"), "C:\\Backups");
        assert_eq!(trim_windows("C:\\\\"), "C:\\");
    }

    #[test]
    fn overlapping_directories_ignore_case_on_windows_only() {
        assert!(directories_overlap("C:\\Backups", "c:/backups/RP1"));
        assert!(!directories_overlap("C:\\Backups\\a", "C:\\Backups\\b"));
        assert!(!directories_overlap("D:\\x", "C:\\x"));
        assert!(directories_overlap("/exports/a", "/exports/a/b"));
        assert!(!directories_overlap("/exports/A", "/exports/a"));
    }
}
