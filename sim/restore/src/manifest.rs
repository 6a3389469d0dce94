//! Reader and verifier of an export's `export.manifest` (format v2 of `sim/export/FORMAT.md`)
//! against the directory it describes. Owns the manifest grammar and the rule "a directory is
//! a complete export only if its manifest is intact and lists exactly the files present, with
//! their sizes and checksums". It must never write into an export directory and never follow a
//! symbolic link out of it.

use crate::error::RestoreError;
use crate::logfile::LogFile;
use rpsim_export::guid::Guid;
use rpsim_vfs::{Kind, OpenError, VDir};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::xxh3_128;

pub const MANIFEST_FILE_NAME: &str = "export.manifest";
pub const MANIFEST_HEADER_LINE: &str = "rpsim-export-manifest 2";
/// What the first line of a manifest starts with, whatever its version.
const MANIFEST_HEADER_PREFIX: &str = "rpsim-export-manifest ";
/// Largest manifest this reader accepts.
pub const MANIFEST_SIZE_MAX_BYTES: u64 = 16 * 1024 * 1024;
/// Most `file` lines one manifest may hold (also the most files an export directory may hold).
pub const MANIFEST_FILES_MAX: usize = 100_000;
/// Deepest folder nesting looked at inside an export directory.
pub const EXPORT_DIR_DEPTH_MAX: usize = 8;

/// Collection `ReferencePointType` as written in a manifest: 1 log based, 2 RCT based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReferencePointType {
    Log = 1,
    Rct = 2,
}

/// One `file` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestFile {
    /// Relative to the export directory, `/`-separated.
    pub path: String,
    pub size_bytes: u64,
    /// A disk log's footer `file_checksum`; any other file's XXH3-128.
    pub xxh3_128: u128,
}

/// A manifest that was parsed and checked against its directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportManifest {
    pub dir: PathBuf,
    /// The VM group (`VirtualSystemCollectionId`).
    pub collection_id: Guid,
    /// `CollectionID` of the exported reference point.
    pub reference_point: Guid,
    /// `None` for a full export.
    pub base_reference_point: Option<Guid>,
    pub reference_point_type: ReferencePointType,
    /// Sorted by path, byte order.
    pub files: Vec<ManifestFile>,
    /// The export's disk logs, verified, in `files` order (filled by `verify_export`), each
    /// holding the one open handle it was verified from.
    pub logs: Vec<LogFile>,
}

/// Reads `export.manifest` from the open export folder `root` (at `dir`), refusing anything
/// but a regular file of at most `MANIFEST_SIZE_MAX_BYTES`.
pub(crate) fn read_manifest(root: &dyn VDir, dir: &Path) -> Result<Vec<u8>, RestoreError> {
    let path = dir.join(MANIFEST_FILE_NAME);
    let file = match root.open_file(MANIFEST_FILE_NAME) {
        Ok(file) => file,
        Err(OpenError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(RestoreError::export(
                dir,
                format!("it has no `{MANIFEST_FILE_NAME}` (an export that failed, was cancelled or killed has none)"),
            ))
        }
        Err(OpenError::Io(e)) => return Err(RestoreError::io("open manifest", path, e)),
        Err(OpenError::Kind(kind)) => {
            return Err(RestoreError::export(
                dir,
                format!("`{MANIFEST_FILE_NAME}` is {}, not a regular file", kind.describe()),
            ))
        }
    };
    let mut text = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    while text.len() as u64 <= MANIFEST_SIZE_MAX_BYTES {
        let n = file
            .read_at(&mut chunk, text.len() as u64)
            .map_err(|e| RestoreError::io("read manifest", &path, e))?;
        if n == 0 {
            break;
        }
        text.extend_from_slice(&chunk[..n]);
    }
    if text.len() as u64 > MANIFEST_SIZE_MAX_BYTES {
        return Err(RestoreError::export(
            dir,
            format!("its manifest is larger than {MANIFEST_SIZE_MAX_BYTES} bytes"),
        ));
    }
    Ok(text)
}

/// Refuses a directory whose files are not exactly the ones its manifest lists.
pub(crate) fn check_listing(
    root: &dyn VDir,
    manifest: &ExportManifest,
) -> Result<(), RestoreError> {
    let dir = &manifest.dir;
    let present = list_files(root, dir)?;
    let listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    if let Some(missing) = listed.iter().find(|p| !present.contains(**p)) {
        return Err(RestoreError::export(
            dir,
            format!("its manifest lists `{missing}` but that file is missing"),
        ));
    }
    if let Some(extra) = present.iter().find(|p| !listed.contains(p.as_str())) {
        return Err(RestoreError::export(
            dir,
            format!("it holds `{extra}`, which its manifest does not list (debris of an unfinished export, or a file added later)"),
        ));
    }
    Ok(())
}

/// Parses manifest text; the error names the line and what is wrong. `dir` is left empty.
pub fn parse_manifest(text: &[u8]) -> Result<ExportManifest, String> {
    let text = std::str::from_utf8(text).map_err(|e| format!("its manifest is not UTF-8 ({e})"))?;
    let Some(body) = text.strip_suffix('\n') else {
        return Err("its manifest does not end with a line end; it is truncated".to_string());
    };
    let end_start = body.rfind('\n').map_or(0, |i| i + 1);
    let end_line = &body[end_start..];
    let Some(end_hex) = end_line.strip_prefix("end ") else {
        return Err(format!(
            "the last line of its manifest is `{}`, not an `end` line; the manifest is truncated",
            shorten(end_line)
        ));
    };
    let stored = parse_hex128(end_hex).ok_or_else(|| {
        format!(
            "the `end` line `{}` does not hold 32 lower-case hex digits",
            shorten(end_line)
        )
    })?;
    let computed = xxh3_128(&text.as_bytes()[..end_start]);
    if stored != computed {
        return Err(format!("its manifest's `end` checksum is {stored:032x} but the manifest hashes to {computed:032x}"));
    }
    let lines: Vec<&str> = if end_start == 0 {
        Vec::new()
    } else {
        body[..end_start - 1].split('\n').collect()
    };
    parse_lines(&lines)
}

fn parse_lines(lines: &[&str]) -> Result<ExportManifest, String> {
    if lines.len() < 5 {
        return Err(format!(
            "its manifest has {} lines before `end`; at least 5 are required",
            lines.len()
        ));
    }
    if let Some(version) = lines[0].strip_prefix(MANIFEST_HEADER_PREFIX) {
        if lines[0] != MANIFEST_HEADER_LINE {
            return Err(format!(
                "its manifest is version {}, but this reader reads version 2 only (rpsim 0.2.0 and later; \
                 version 1 listed another checksum for each disk log): take the export again with this rpsim",
                shorten(version)
            ));
        }
    }
    if lines[0] != MANIFEST_HEADER_LINE {
        return Err(format!(
            "manifest line 1 is `{}`, not `{MANIFEST_HEADER_LINE}`",
            shorten(lines[0])
        ));
    }
    let collection_id = parse_guid(field(lines[1], 2, "collection_id")?, 2)?;
    let reference_point = parse_guid(field(lines[2], 3, "reference_point")?, 3)?;
    let base_text = field(lines[3], 4, "base_reference_point")?;
    let base_reference_point = if base_text == "-" {
        None
    } else {
        Some(parse_guid(base_text, 4)?)
    };
    let reference_point_type = match field(lines[4], 5, "reference_point_type")? {
        "1" => ReferencePointType::Log,
        "2" => ReferencePointType::Rct,
        other => {
            return Err(format!(
                "manifest line 5: reference_point_type `{}` is neither 1 nor 2",
                shorten(other)
            ))
        }
    };
    if base_reference_point == Some(reference_point) {
        return Err("its manifest names the exported reference point as its own base".to_string());
    }
    if lines.len() - 5 > MANIFEST_FILES_MAX {
        return Err(format!(
            "its manifest lists more than {MANIFEST_FILES_MAX} files"
        ));
    }
    let mut files: Vec<ManifestFile> = Vec::with_capacity(lines.len() - 5);
    for (index, line) in lines.iter().enumerate().skip(5) {
        let file = parse_file_line(line, index + 1)?;
        if let Some(previous) = files.last() {
            if previous.path.as_bytes() >= file.path.as_bytes() {
                return Err(format!(
                    "manifest line {}: `{}` is not sorted after `{}` (or repeats it)",
                    index + 1,
                    file.path,
                    previous.path
                ));
            }
        }
        files.push(file);
    }
    Ok(ExportManifest {
        dir: PathBuf::new(),
        collection_id,
        reference_point,
        base_reference_point,
        reference_point_type,
        files,
        logs: Vec::new(),
    })
}

fn field<'a>(line: &'a str, number: usize, key: &str) -> Result<&'a str, String> {
    match line.split_once(' ') {
        Some((k, value)) if k == key && !value.is_empty() => Ok(value),
        _ => Err(format!(
            "manifest line {number} is `{}`, expected `{key} <value>`",
            shorten(line)
        )),
    }
}

fn parse_guid(text: &str, number: usize) -> Result<Guid, String> {
    if text.len() != 36 {
        return Err(format!(
            "manifest line {number}: `{}` is not a GUID",
            shorten(text)
        ));
    }
    text.parse::<Guid>()
        .map_err(|e| format!("manifest line {number}: {e}"))
}

fn parse_file_line(line: &str, number: usize) -> Result<ManifestFile, String> {
    let mut parts = line.splitn(4, ' ');
    let (Some("file"), Some(size), Some(hex), Some(path)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!(
            "manifest line {number} is `{}`, expected `file <size> <xxh3-128> <path>`",
            shorten(line)
        ));
    };
    let size_bytes = size
        .parse::<u64>()
        .ok()
        .filter(|n| n.to_string() == size)
        .ok_or_else(|| {
            format!(
                "manifest line {number}: size `{}` is not a decimal number",
                shorten(size)
            )
        })?;
    let xxh3_128 = parse_hex128(hex).ok_or_else(|| {
        format!(
            "manifest line {number}: checksum `{}` is not 32 lower-case hex digits",
            shorten(hex)
        )
    })?;
    check_relative_path(path)
        .map_err(|problem| format!("manifest line {number}: path `{}` {problem}", shorten(path)))?;
    Ok(ManifestFile {
        path: path.to_string(),
        size_bytes,
        xxh3_128,
    })
}

/// A listed path must stay inside the export directory and name a file other than the manifest.
fn check_relative_path(path: &str) -> Result<(), &'static str> {
    if path == MANIFEST_FILE_NAME {
        return Err("is the manifest itself, which must not be listed");
    }
    if path.chars().any(|c| c.is_control() || c == '\\') {
        return Err("holds a control character or a backslash");
    }
    let mut depth = 0usize;
    for component in path.split('/') {
        depth += 1;
        if component.is_empty() || component == "." || component == ".." {
            return Err(
                "is not a plain relative path (empty, `.` or `..` component, or leading `/`)",
            );
        }
    }
    if depth > EXPORT_DIR_DEPTH_MAX {
        return Err("is nested too deep");
    }
    Ok(())
}

fn parse_hex128(hex: &str) -> Option<u128> {
    let ok = hex.len() == 32
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        u128::from_str_radix(hex, 16).ok()
    } else {
        None
    }
}

fn shorten(text: &str) -> String {
    const SHOWN_CHARS_MAX: usize = 80;
    let shown: String = text.chars().take(SHOWN_CHARS_MAX).collect();
    if shown.len() < text.len() {
        format!("{shown}...")
    } else {
        shown
    }
}

/// Every regular file under the open folder `root` (at `dir`) except the manifest, as
/// `/`-separated relative paths. Symbolic links and special files are refused.
/// A folder still to list: its open handle (`None`: the export root), prefix and depth.
type Pending = (Option<Box<dyn VDir>>, String, usize);

fn list_files(root: &dyn VDir, dir: &Path) -> Result<BTreeSet<String>, RestoreError> {
    let mut files = BTreeSet::new();
    let mut pending: Vec<Pending> = vec![(None, String::new(), 0)];
    while let Some((folder, prefix, depth)) = pending.pop() {
        assert!(depth <= EXPORT_DIR_DEPTH_MAX);
        let folder_ref: &dyn VDir = folder.as_deref().unwrap_or(root);
        let at = dir.join(&prefix);
        let entries = folder_ref
            .entries(MANIFEST_FILES_MAX)
            .map_err(|e| RestoreError::io("list export directory", &at, e))?
            .ok_or_else(|| {
                RestoreError::export(
                    dir,
                    format!("it holds more than {MANIFEST_FILES_MAX} entries"),
                )
            })?;
        for (name, kind) in entries {
            let name = name.into_string().map_err(|name| {
                RestoreError::export(
                    dir,
                    format!(
                        "it holds `{}`, whose name is not UTF-8",
                        name.to_string_lossy()
                    ),
                )
            })?;
            let relative = format!("{prefix}{name}");
            match kind {
                Kind::Dir if depth < EXPORT_DIR_DEPTH_MAX => {
                    let sub = folder_ref
                        .open_dir(&name)
                        .map_err(|e| open_error(dir, &relative, e))?;
                    pending.push((Some(sub), format!("{relative}/"), depth + 1));
                }
                Kind::Dir => {
                    return Err(RestoreError::export(
                        dir,
                        format!("`{relative}` is nested too deep"),
                    ))
                }
                Kind::File => {
                    if relative != MANIFEST_FILE_NAME {
                        files.insert(relative);
                    }
                }
                other => {
                    return Err(RestoreError::export(
                        dir,
                        format!(
                            "`{relative}` is {}; an export holds only regular files and folders",
                            other.describe()
                        ),
                    ))
                }
            }
            if files.len() + pending.len() > MANIFEST_FILES_MAX {
                return Err(RestoreError::export(
                    dir,
                    format!("it holds more than {MANIFEST_FILES_MAX} entries"),
                ));
            }
        }
    }
    Ok(files)
}

/// The refusal for a name inside an export that could not be opened as asked.
pub(crate) fn open_error(dir: &Path, relative: &str, e: OpenError) -> RestoreError {
    match e {
        OpenError::Kind(kind) => RestoreError::export(
            dir,
            format!(
                "`{relative}` is {}; an export holds only regular files and folders, and none is followed or opened",
                kind.describe()
            ),
        ),
        OpenError::Io(e) => RestoreError::io("open", dir.join(relative), e),
    }
}
