//! The export layout of FORMAT.md: relative file names from IDs, the disk-stem sanitiser, and
//! joining onto the export directory. Owns every path the job hands to the target; it must
//! never build a path from a user-supplied name, and every path it returns lies inside the
//! export directory (asserted).

use crate::guid::Guid;
use crate::planted::{self, PlantedBug};
use crate::source::VmFileKind;
use crate::winpath;
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
/// becomes `_`, cut to 120 bytes, empty becomes `disk`, and a stem whose file name would be a
/// reserved device name on NTFS (`CON`, `aux.txt`, any case) gets a leading `_`.
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
    // PLANTED BUG sanitiser-ntfs: reserved device names pass through.
    if winpath::is_reserved_device_name(&stem) && !planted::active(PlantedBug::SanitiserNtfs) {
        stem.insert(0, '_');
        stem.truncate(STEM_BYTES_MAX);
    }
    assert!(is_safe_component(&stem));
    stem
}

/// A stem as NTFS compares names: ignoring case.
fn folded(stem: &str) -> String {
    // PLANTED BUG sanitiser-ntfs: stems are compared with their case, so `Disk` and `disk`
    // become two files that NTFS sees as one.
    if planted::active(PlantedBug::SanitiserNtfs) {
        return stem.to_string();
    }
    stem.to_ascii_uppercase()
}

/// Hands out disk stems in export order (`x`, `x-2`, `x-3`, ...), unique ignoring case as
/// NTFS compares names (`Disk` then `disk` gives `Disk`, `disk-2`).
#[derive(Debug, Default)]
pub struct StemAllocator {
    /// Stems handed out, folded to upper case.
    used: BTreeSet<String>,
}

impl StemAllocator {
    pub fn allocate(&mut self, instance_id: &str) -> String {
        let base = sanitise_stem(instance_id);
        let mut candidate = base.clone();
        for n in 2..=STEM_SUFFIX_MAX {
            if !self.used.contains(&folded(&candidate)) {
                break;
            }
            candidate = format!("{base}-{n}");
        }
        assert!(
            !self.used.contains(&folded(&candidate)),
            "more than {STEM_SUFFIX_MAX} disks share a stem"
        );
        self.used.insert(folded(&candidate));
        candidate
    }
}

/// A path component that cannot escape or confuse a directory.
pub fn is_safe_component(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/') && !name.contains('\0')
}

/// The export directory as given, without trailing separators (a root keeps its one).
pub fn trim_directory(export_directory: &str) -> &str {
    if winpath::is_windows_form(export_directory) {
        return winpath::trim_windows(export_directory);
    }
    let trimmed = export_directory.trim_end_matches('/');
    if trimmed.is_empty() {
        "/"
    } else {
        trimmed
    }
}

/// Why `dir` is not an acceptable `ExportDirectory` in a Windows form (see `winpath`), or
/// `None` when it is acceptable or is a POSIX path (see [`directory_is_valid`]).
pub fn windows_directory_problem(dir: &str) -> Option<String> {
    if !winpath::is_windows_form(dir) {
        return None;
    }
    winpath::parse_windows(dir).err()
}

/// True when `dir` is an acceptable `ExportDirectory`: a checked Windows form, or absolute with
/// no NUL and no `.`/`..` components.
pub fn directory_is_valid(dir: &str) -> bool {
    if winpath::is_windows_form(dir) {
        return winpath::parse_windows(dir).is_ok();
    }
    let path = Path::new(dir);
    !dir.is_empty()
        && !dir.contains('\0')
        && path.is_absolute()
        && !dir.split('/').any(|c| c == ".." || c == ".")
        && path
            .components()
            .all(|c| matches!(c, Component::RootDir | Component::Normal(_)))
}

/// The absolute path of a layout file, asserted to lie inside the export directory (given as
/// the target receives it, see [`winpath::target_directory`]).
pub fn target_path(export_directory: &Path, relative: &str) -> PathBuf {
    assert!(winpath::is_target_absolute(
        &export_directory.to_string_lossy()
    ));
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

/// The string listed in `Exported*FilePaths[]`: ExportDirectory + separator + relative path,
/// with `\` between components when the client wrote the directory with `\`.
pub fn listed_path(export_directory: &str, relative: &str) -> String {
    let separator = winpath::listed_separator(export_directory);
    if separator == '\\' {
        let dir = trim_directory(export_directory).trim_end_matches('\\');
        return format!("{dir}\\{}", relative.replace('/', "\\"));
    }
    let dir = trim_directory(export_directory);
    if dir.ends_with('/') {
        format!("{dir}{relative}")
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
        assert_eq!(sanitise_stem("CON"), "_CON");
        assert_eq!(sanitise_stem("aux.txt"), "_aux.txt");
        assert_eq!(sanitise_stem("Lpt9"), "_Lpt9");
        assert_eq!(sanitise_stem("CONSOLE"), "CONSOLE");
    }

    #[test]
    fn stems_are_unique_ignoring_case() {
        let mut stems = StemAllocator::default();
        assert_eq!(stems.allocate("Disk"), "Disk");
        assert_eq!(stems.allocate("disk"), "disk-2");
        assert_eq!(stems.allocate("DISK-2"), "DISK-2-2");
    }

    #[test]
    fn windows_listed_paths_keep_the_clients_form() {
        assert_eq!(
            listed_path("C:\\Backups\\rp1", "Virtual Machines/x.vmcx"),
            "C:\\Backups\\rp1\\Virtual Machines\\x.vmcx"
        );
        assert_eq!(
            listed_path("c:/Backups/rp1/", "export.manifest"),
            "c:/Backups/rp1/export.manifest"
        );
        assert_eq!(listed_path("C:\\", "a/b"), "C:\\a\\b");
        assert_eq!(
            target_path(Path::new("C:/Backups"), "a/b"),
            Path::new("C:/Backups/a/b")
        );
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
