//! The manifest format v2 of FORMAT.md (`export.manifest`): encoding and parsing. Owns the
//! text layout and its `end` checksum; it must never perform I/O, decide which files an
//! export holds or hash a file (each `file` line carries the checksum the writer took).

use crate::guid::Guid;
use xxhash_rust::xxh3::xxh3_128;

/// Version 2: a log's checksum is its footer's `file_checksum` (v1 listed a second hash of
/// the whole log file).
pub const MANIFEST_FIRST_LINE: &str = "rpsim-export-manifest 2";
/// Bound on `file` lines accepted by the parser.
pub const MANIFEST_FILES_MAX: usize = 100_000;

/// One `file` line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ManifestFile {
    /// Relative to ExportDirectory, `/`-separated.
    pub path: String,
    pub size_bytes: u64,
    /// A log's footer `file_checksum`; any other file's xxh3-128.
    pub xxh3_128: u128,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub collection_id: Guid,
    pub reference_point: Guid,
    pub base_reference_point: Option<Guid>,
    /// 1 log, 2 RCT (collection numbering).
    pub reference_point_type: u16,
    /// Any order; encoding sorts them by path bytes.
    pub files: Vec<ManifestFile>,
}

/// The manifest text, `file` lines sorted by path, closed by the `end` checksum line.
pub fn encode(manifest: &Manifest) -> String {
    let mut files = manifest.files.clone();
    files.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    let base = manifest
        .base_reference_point
        .map_or("-".to_string(), |g| g.to_string());
    let mut text = format!(
        "{MANIFEST_FIRST_LINE}\ncollection_id {}\nreference_point {}\nbase_reference_point {base}\nreference_point_type {}\n",
        manifest.collection_id, manifest.reference_point, manifest.reference_point_type
    );
    for f in &files {
        assert!(!f.path.contains('\n') && !f.path.starts_with('/'));
        text.push_str(&format!(
            "file {} {:032x} {}\n",
            f.size_bytes, f.xxh3_128, f.path
        ));
    }
    let end = xxh3_128(text.as_bytes());
    text.push_str(&format!("end {end:032x}\n"));
    text
}

/// Parses a manifest, rejecting it when the `end` line is missing or wrong or any line is malformed.
pub fn parse(text: &str) -> Result<Manifest, String> {
    let end_at = text
        .rfind("end ")
        .filter(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n')
        .ok_or("no end line")?;
    let end_line = text[end_at..]
        .strip_suffix('\n')
        .ok_or("end line not terminated")?;
    let end_hex = end_line.strip_prefix("end ").ok_or("no end line")?;
    if parse_hex128(end_hex)? != xxh3_128(&text.as_bytes()[..end_at]) {
        return Err("end checksum mismatch".to_string());
    }
    let mut lines = text[..end_at].lines();
    if lines.next() != Some(MANIFEST_FIRST_LINE) {
        return Err("not an rpsim manifest v2".to_string());
    }
    let collection_id = field(lines.next(), "collection_id")?.parse()?;
    let reference_point = field(lines.next(), "reference_point")?.parse()?;
    let base_text = field(lines.next(), "base_reference_point")?;
    let base_reference_point = if base_text == "-" {
        None
    } else {
        Some(base_text.parse()?)
    };
    let reference_point_type = match field(lines.next(), "reference_point_type")? {
        "1" => 1,
        "2" => 2,
        other => return Err(format!("bad reference_point_type {other}")),
    };
    let mut files = Vec::new();
    for line in lines {
        if files.len() >= MANIFEST_FILES_MAX {
            return Err(format!("more than {MANIFEST_FILES_MAX} files"));
        }
        files.push(parse_file_line(line)?);
    }
    Ok(Manifest {
        collection_id,
        reference_point,
        base_reference_point,
        reference_point_type,
        files,
    })
}

fn field<'a>(line: Option<&'a str>, name: &str) -> Result<&'a str, String> {
    line.and_then(|l| l.strip_prefix(name))
        .and_then(|l| l.strip_prefix(' '))
        .ok_or(format!("missing {name} line"))
}

fn parse_file_line(line: &str) -> Result<ManifestFile, String> {
    let rest = line
        .strip_prefix("file ")
        .ok_or(format!("unexpected line `{line}`"))?;
    let mut parts = rest.splitn(3, ' ');
    let size_bytes = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or(format!("bad size in `{line}`"))?;
    let xxh3_128 = parse_hex128(parts.next().unwrap_or(""))?;
    let path = parts
        .next()
        .filter(|p| !p.is_empty())
        .ok_or(format!("no path in `{line}`"))?;
    Ok(ManifestFile {
        path: path.to_string(),
        size_bytes,
        xxh3_128,
    })
}

fn parse_hex128(text: &str) -> Result<u128, String> {
    if text.len() != 32
        || !text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(format!("`{text}` is not 32 lower-case hex digits"));
    }
    u128::from_str_radix(text, 16).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        Manifest {
            collection_id: Guid::from_u128(1),
            reference_point: Guid::from_u128(2),
            base_reference_point: None,
            reference_point_type: 2,
            files: vec![
                ManifestFile {
                    path: "Virtual Machines/b.vmcx".into(),
                    size_bytes: 5,
                    xxh3_128: 0xabc,
                },
                ManifestFile {
                    path: "Virtual Hard Disks/a.rplog".into(),
                    size_bytes: 9,
                    xxh3_128: 1,
                },
            ],
        }
    }

    #[test]
    fn encode_sorts_and_parse_round_trips() {
        let text = encode(&sample());
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.files[0].path, "Virtual Hard Disks/a.rplog");
        assert_eq!(parsed.files[1].xxh3_128, 0xabc);
        assert_eq!(parsed.base_reference_point, None);
        assert!(text.contains("file 5 00000000000000000000000000000abc Virtual Machines/b.vmcx\n"));
    }

    #[test]
    fn tampering_or_truncation_is_rejected() {
        let text = encode(&sample());
        assert!(parse(&text.replace("file 5 ", "file 6 ")).is_err());
        let without_end = &text[..text.rfind("end ").unwrap()];
        assert!(parse(without_end).is_err());
        assert!(parse(&text[..text.len() - 1]).is_err());
    }
}
