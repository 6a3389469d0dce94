//! A tiny test-only writer of exports, written from `sim/export/FORMAT.md` alone, so that the
//! reader's tests do not depend on the export job. Never used outside tests.
#![allow(dead_code)]

use rpsim_export::guid::Guid;
use std::fs;
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

pub const KIB: u64 = 1024;
pub const MIB: u64 = 1024 * 1024;

pub fn guid(n: u128) -> Guid {
    Guid::from_u128(n)
}

/// One disk log to write.
#[derive(Clone, Debug)]
pub struct LogSpec {
    pub disk: String,
    pub virtual_size_bytes: u64,
    pub block_size_bytes: u64,
    pub target: Guid,
    pub base: Option<Guid>,
    pub extents: Vec<(u64, Vec<u8>)>,
    /// RCT ids written instead of `rct-<target>` / `rct-<base>` when set.
    pub rct_ids: Option<(String, String)>,
}

impl LogSpec {
    pub fn full(disk: &str, virtual_size_bytes: u64, target: Guid) -> LogSpec {
        LogSpec {
            disk: disk.to_string(),
            virtual_size_bytes,
            block_size_bytes: 4 * KIB,
            target,
            base: None,
            extents: Vec::new(),
            rct_ids: None,
        }
    }

    pub fn differential(disk: &str, virtual_size_bytes: u64, base: Guid, target: Guid) -> LogSpec {
        LogSpec {
            base: Some(base),
            ..LogSpec::full(disk, virtual_size_bytes, target)
        }
    }

    /// Writes `target` and `base` as the log's target and base RCT ids.
    pub fn rct(mut self, target: &str, base: &str) -> LogSpec {
        self.rct_ids = Some((target.to_string(), base.to_string()));
        self
    }

    pub fn extent(mut self, offset_bytes: u64, data: Vec<u8>) -> LogSpec {
        self.extents.push((offset_bytes, data));
        self
    }
}

fn put_string(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u16).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// Header bytes including the header checksum.
pub fn encode_header(spec: &LogSpec) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"RPSIMLOG");
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&(spec.base.is_some() as u32).to_le_bytes());
    out.extend_from_slice(&spec.virtual_size_bytes.to_le_bytes());
    out.extend_from_slice(&spec.block_size_bytes.to_le_bytes());
    out.extend_from_slice(&spec.target.0);
    out.extend_from_slice(&spec.base.unwrap_or(Guid::NIL).0);
    put_string(&mut out, &spec.disk);
    let (target_rct, base_rct) = spec.rct_ids.clone().unwrap_or_else(|| {
        (
            format!("rct-{}", spec.target),
            spec.base.map(|b| format!("rct-{b}")).unwrap_or_default(),
        )
    });
    put_string(&mut out, &target_rct);
    put_string(&mut out, &base_rct);
    let checksum = xxh3_64(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    out
}

/// A valid log for `spec` (extents written in the order given, valid or not).
pub fn encode_log(spec: &LogSpec) -> Vec<u8> {
    let mut out = encode_header(spec);
    let mut data_bytes = 0u64;
    for (offset_bytes, data) in &spec.extents {
        out.extend_from_slice(b"EXTN");
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&offset_bytes.to_le_bytes());
        out.extend_from_slice(&(data.len() as u64).to_le_bytes());
        out.extend_from_slice(data);
        data_bytes += data.len() as u64;
    }
    let file_checksum = xxh3_128(&out);
    let mut footer = Vec::new();
    footer.extend_from_slice(b"RPLOGEND");
    footer.extend_from_slice(&(spec.extents.len() as u64).to_le_bytes());
    footer.extend_from_slice(&data_bytes.to_le_bytes());
    footer.extend_from_slice(&file_checksum.to_le_bytes());
    let footer_checksum = xxh3_64(&footer);
    footer.extend_from_slice(&footer_checksum.to_le_bytes());
    assert_eq!(footer.len(), 48);
    out.extend_from_slice(&footer);
    out
}

pub fn assert_mentions(message: &str, needle: &str) {
    assert!(
        message.contains(needle),
        "message `{message}` does not mention `{needle}`"
    );
}

/// Bytes derived from a seed, never all zero.
pub fn pattern(seed: u8, length_bytes: usize) -> Vec<u8> {
    (0..length_bytes)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) | 1)
        .collect()
}

/// Manifest text for the files of `dir` (recursively, the manifest excluded).
pub fn manifest_text(
    dir: &Path,
    collection: Guid,
    rp: Guid,
    base: Option<Guid>,
    rp_type: u8,
) -> String {
    let mut files = Vec::new();
    collect(dir, "", &mut files);
    files.sort();
    let mut text = format!(
        "rpsim-export-manifest 2\ncollection_id {collection}\nreference_point {rp}\nbase_reference_point {}\nreference_point_type {rp_type}\n",
        base.map_or("-".to_string(), |b| b.to_string())
    );
    for relative in files {
        let bytes = fs::read(dir.join(&relative)).unwrap();
        text.push_str(&format!(
            "file {} {:032x} {relative}\n",
            bytes.len(),
            listed_checksum(&relative, &bytes)
        ));
    }
    seal(text)
}

/// The checksum a v2 manifest lists: a log's footer checksum (the XXH3-128 of every byte
/// before its 48-byte footer), any other file's XXH3-128.
pub fn listed_checksum(relative: &str, bytes: &[u8]) -> u128 {
    match relative.strip_suffix(".rplog") {
        Some(_) if bytes.len() >= 48 => xxh3_128(&bytes[..bytes.len() - 48]),
        _ => xxh3_128(bytes),
    }
}

/// Rewrites the manifest of `dir` for the files it holds now.
pub fn reseal(dir: &Path, base: Option<Guid>) {
    let old = fs::read_to_string(dir.join("export.manifest")).unwrap();
    let field = |key: &str| {
        old.lines()
            .find_map(|l| l.strip_prefix(&format!("{key} ")).map(str::to_string))
            .unwrap()
    };
    let collection: Guid = field("collection_id").parse().unwrap();
    let rp: Guid = field("reference_point").parse().unwrap();
    let rp_type: u8 = field("reference_point_type").parse().unwrap();
    let text = manifest_text(dir, collection, rp, base, rp_type);
    fs::write(dir.join("export.manifest"), text).unwrap();
}

/// Rewrites the manifest with `edit` applied to its text before the `end` line, resealed.
pub fn edit_manifest(dir: &Path, edit: impl Fn(String) -> String) {
    let text = fs::read_to_string(dir.join("export.manifest")).unwrap();
    let body = &text[..text.rfind("end ").unwrap()];
    fs::write(dir.join("export.manifest"), seal(edit(body.to_string()))).unwrap();
}

/// Appends the `end` line to manifest text.
pub fn seal(text: String) -> String {
    let end = xxh3_128(text.as_bytes());
    format!("{text}end {end:032x}\n")
}

fn collect(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if entry.file_type().unwrap().is_dir() {
            collect(&entry.path(), &format!("{prefix}{name}/"), out);
        } else if !(prefix.is_empty() && name == "export.manifest") {
            out.push(format!("{prefix}{name}"));
        }
    }
}

/// Describes one export to write.
pub struct ExportSpec {
    pub collection: Guid,
    pub rp: Guid,
    pub base: Option<Guid>,
    pub rp_type: u8,
    pub logs: Vec<LogSpec>,
}

impl ExportSpec {
    pub fn new(collection: Guid, rp: Guid, base: Option<Guid>) -> ExportSpec {
        ExportSpec {
            collection,
            rp,
            base,
            rp_type: 2,
            logs: Vec::new(),
        }
    }

    pub fn log(mut self, log: LogSpec) -> ExportSpec {
        self.logs.push(log);
        self
    }
}

/// Writes a complete export (a VM config, the logs, the manifest) into `root/name`.
pub fn write_export(root: &Path, name: &str, spec: &ExportSpec) -> PathBuf {
    let dir = root.join(name);
    fs::create_dir_all(dir.join("Virtual Machines")).unwrap();
    fs::create_dir_all(dir.join("Virtual Hard Disks")).unwrap();
    fs::write(
        dir.join("Virtual Machines")
            .join(format!("{}.vmcx", spec.rp)),
        b"<config/>",
    )
    .unwrap();
    for (i, log) in spec.logs.iter().enumerate() {
        let path = dir
            .join("Virtual Hard Disks")
            .join(format!("disk{i}.rplog"));
        fs::write(path, encode_log(log)).unwrap();
    }
    let text = manifest_text(&dir, spec.collection, spec.rp, spec.base, spec.rp_type);
    fs::write(dir.join("export.manifest"), text).unwrap();
    dir
}
