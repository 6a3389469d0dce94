//! File names of restored images. Owns the disk-id sanitiser (the rule of `sim/export/FORMAT.md`,
//! reimplemented) and collision suffixes; it must never let a disk id place a file outside the
//! output directory.

use std::collections::BTreeSet;

/// Longest stem kept from a disk instance id.
pub const STEM_LENGTH_MAX_BYTES: usize = 120;
/// Extension of a restored raw image.
pub const IMAGE_EXTENSION: &str = "raw";
/// Most images one restore produces (also bounds the collision suffix search).
pub const IMAGES_MAX: usize = 4096;

/// `disk_instance_id` with every character outside `[A-Za-z0-9._-]` replaced by `_`, a
/// leading `.` replaced by `_`, cut to 120 bytes, `disk` when empty.
pub fn sanitise(disk_instance_id: &str) -> String {
    let mut stem: String = disk_instance_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.starts_with('.') {
        stem.replace_range(0..1, "_");
    }
    stem.truncate(STEM_LENGTH_MAX_BYTES);
    if stem.is_empty() {
        stem.push_str("disk");
    }
    assert!(!stem.contains('/') && !stem.starts_with('.'));
    stem
}

/// A file name `<stem>.raw` not yet in `used` (`<stem>-2.raw`, `-3`, ... on collision); it is
/// added to `used`. `None` when `IMAGES_MAX` names are taken.
pub fn unique_image_name(disk_instance_id: &str, used: &mut BTreeSet<String>) -> Option<String> {
    if used.len() >= IMAGES_MAX {
        return None;
    }
    let stem = sanitise(disk_instance_id);
    let name = (1..=IMAGES_MAX + 1)
        .map(|n| {
            if n == 1 {
                format!("{stem}.{IMAGE_EXTENSION}")
            } else {
                format!("{stem}-{n}.{IMAGE_EXTENSION}")
            }
        })
        .find(|candidate| !used.contains(candidate))?;
    used.insert(name.clone());
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitise_keeps_names_inside_the_directory() {
        assert_eq!(sanitise("../../etc/passwd"), "_._.._etc_passwd");
        assert_eq!(sanitise(".hidden"), "_hidden");
        assert_eq!(sanitise(""), "disk");
        assert_eq!(sanitise("Microsoft:ABC\\0"), "Microsoft_ABC_0");
        assert_eq!(sanitise(&"x".repeat(500)).len(), STEM_LENGTH_MAX_BYTES);
        assert_eq!(sanitise("é"), "_");
    }

    #[test]
    fn colliding_stems_get_numbered_suffixes() {
        let mut used = BTreeSet::new();
        assert_eq!(
            unique_image_name("a/b", &mut used).as_deref(),
            Some("a_b.raw")
        );
        assert_eq!(
            unique_image_name("a:b", &mut used).as_deref(),
            Some("a_b-2.raw")
        );
        assert_eq!(
            unique_image_name("a?b", &mut used).as_deref(),
            Some("a_b-3.raw")
        );
        assert_eq!(used.len(), 3);
    }
}
