//! The export layout of FORMAT.md: relative file names from IDs, the disk-stem sanitiser, and
//! joining onto the export directory. Owns every path the job hands to the target; it must
//! never build a path from a user-supplied name, and every path it returns lies inside the
//! export directory (asserted).

use crate::guid::Guid;
use crate::planted::{self, PlantedBug};
use crate::source::VmFileKind;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

pub const VM_DIR: &str = "Virtual Machines";
pub const DISK_DIR: &str = "Virtual Hard Disks";
pub const MANIFEST_NAME: &str = "export.manifest";
pub const PARTIAL_SUFFIX: &str = ".partial";
pub const LOG_EXTENSION: &str = ".rplog";
/// Longest disk stem before a collision suffix, per FORMAT.md.
pub const STEM_BYTES_MAX: usize = 120;
/// Bound on collision suffixes tried for one stem (`-2` .. `-N`).
pub const STEM_SUFFIX_MAX: usize = 100_000;

/// `<VirtualMachineId>.vmcx|.vmrs|.vmgs` under `Virtual Machines/`.
pub fn vm_file_relative(vm: &Guid, kind: VmFileKind) -> String {
    let extension = match kind {
        VmFileKind::Config => "vmcx",
        VmFileKind::RuntimeState => "vmrs",
        VmFileKind::GuestState => "vmgs",
    };
    format!("{VM_DIR}/{vm}.{extension}")
}

/// `Virtual Hard Disks/<stem>.rplog`.
pub fn disk_log_relative(stem: &str) -> String {
    assert!(is_safe_component(stem), "unsafe disk stem {stem:?}");
    format!("{DISK_DIR}/{stem}{LOG_EXTENSION}")
}

/// FORMAT.md's sanitiser: every char outside `[A-Za-z0-9._-]` becomes `_`, a leading `.`
/// becomes `_`, cut to 120 bytes, empty becomes `disk`.
pub fn sanitise_stem(instance_id: &str) -> String {
    // PLANTED BUG sanitiser-dotdot: `/` is kept, so `../../x` stays a path.
    let keep_slash = planted::active(PlantedBug::SanitiserDotdot);
    let mut stem: String = instance_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') || (keep_slash && c == '/')
            {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.starts_with('.') {
        stem.replace_range(0..1, "_");
    }
    stem.truncate(STEM_BYTES_MAX); // ASCII only: any byte index is a char boundary.
    if stem.is_empty() {
        stem.push_str("disk");
    }
    assert!(is_safe_component(&stem));
    stem
}

/// Hands out unique disk stems in export order (`x`, `x-2`, `x-3`, ...).
#[derive(Debug, Default)]
pub struct StemAllocator {
    used: BTreeSet<String>,
}

impl StemAllocator {
    pub fn allocate(&mut self, instance_id: &str) -> String {
        let base = sanitise_stem(instance_id);
        let mut candidate = base.clone();
        for n in 2..=STEM_SUFFIX_MAX {
            if !self.used.contains(&candidate) {
                break;
            }
            candidate = format!("{base}-{n}");
        }
        assert!(
            !self.used.contains(&candidate),
            "more than {STEM_SUFFIX_MAX} disks share a stem"
        );
        self.used.insert(candidate.clone());
        candidate
    }
}

/// A path component that cannot escape or confuse a directory.
pub fn is_safe_component(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/') && !name.contains('\0')
}

/// The export directory as given, without trailing slashes (root stays `/`).
pub fn trim_directory(export_directory: &str) -> &str {
    let trimmed = export_directory.trim_end_matches('/');
    if trimmed.is_empty() {
        "/"
    } else {
        trimmed
    }
}

/// True when `dir` is an acceptable `ExportDirectory`: absolute, no NUL, no `.`/`..` components.
pub fn directory_is_valid(dir: &str) -> bool {
    let path = Path::new(dir);
    !dir.is_empty()
        && !dir.contains('\0')
        && path.is_absolute()
        && !dir.split('/').any(|c| c == ".." || c == ".")
        && path
            .components()
            .all(|c| matches!(c, Component::RootDir | Component::Normal(_)))
}

/// The absolute path of a layout file, asserted to lie inside the export directory.
pub fn target_path(export_directory: &Path, relative: &str) -> PathBuf {
    assert!(export_directory.is_absolute());
    assert!(
        !relative.starts_with('/') && !relative.is_empty(),
        "layout path {relative:?} is not relative"
    );
    assert!(
        relative.split('/').all(is_safe_component),
        "layout path {relative:?} has an unsafe component"
    );
    let path = export_directory.join(relative);
    assert!(path.starts_with(export_directory));
    assert!(path
        .components()
        .all(|c| !matches!(c, Component::ParentDir)));
    path
}

/// The string listed in `Exported*FilePaths[]`: ExportDirectory + "/" + relative path.
pub fn listed_path(export_directory: &str, relative: &str) -> String {
    let dir = trim_directory(export_directory);
    if dir == "/" {
        format!("/{relative}")
    } else {
        format!("{dir}/{relative}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sanitiser_examples() {
        assert_eq!(
            sanitise_stem("Microsoft:1234\\5678\\0\\0\\D"),
            "Microsoft_1234_5678_0_0_D"
        );
        assert_eq!(sanitise_stem("../../x"), "_._.._x");
        assert_eq!(sanitise_stem(""), "disk");
        assert_eq!(sanitise_stem(".hidden"), "_hidden");
        assert_eq!(sanitise_stem(&"a".repeat(300)).len(), STEM_BYTES_MAX);
    }

    #[test]
    fn colliding_stems_get_suffixes_in_order() {
        let mut stems = StemAllocator::default();
        assert_eq!(stems.allocate("a:b"), "a_b");
        assert_eq!(stems.allocate("a/b"), "a_b-2");
        assert_eq!(stems.allocate("a_b-2"), "a_b-2-2");
        assert_eq!(stems.allocate("a?b"), "a_b-3");
    }

    #[test]
    fn directory_rules() {
        assert!(directory_is_valid("/tmp/x"));
        assert!(directory_is_valid("/tmp/x/"));
        assert!(!directory_is_valid("tmp/x"));
        assert!(!directory_is_valid(""));
        assert!(!directory_is_valid("/tmp/../etc"));
        assert!(!directory_is_valid("/tmp/./x"));
        assert!(!directory_is_valid("/tmp/\0x"));
    }

    #[test]
    fn listed_paths_join_with_one_slash() {
        assert_eq!(listed_path("/e/", "export.manifest"), "/e/export.manifest");
        assert_eq!(
            listed_path("/e", "Virtual Machines/x.vmcx"),
            "/e/Virtual Machines/x.vmcx"
        );
    }

    proptest! {
        #[test]
        fn sanitiser_never_yields_an_unsafe_component(input in any::<String>()) {
            let stem = sanitise_stem(&input);
            prop_assert!(stem != "." && stem != "..");
            prop_assert!(!stem.contains('/') && !stem.contains('\0') && !stem.is_empty());
            prop_assert!(stem.len() <= STEM_BYTES_MAX);
            let relative = disk_log_relative(&stem);
            let path = target_path(Path::new("/export"), &relative);
            prop_assert!(path.starts_with("/export"));
        }

        #[test]
        fn sanitiser_handles_dot_heavy_input(input in "[./\\x00a]{0,12}") {
            let stem = sanitise_stem(&input);
            prop_assert!(is_safe_component(&stem));
        }
    }
}
