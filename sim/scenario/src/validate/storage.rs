//! Validation of the export storage's mount points (`storage.mounts`): each is a drive letter
//! (`C:`) or a UNC share (`\\server\share`), and no two name the same volume ignoring case (as
//! Windows compares them). Owns those rules and their messages; it must never decide how a
//! mount maps onto the real directory (the world's target does).

use super::Problems;
use crate::model::Scenario;
use crate::path::NodePath;

/// Mount points one storage may declare.
pub const MOUNTS_MAX: usize = 64;
/// Longest mount point, in bytes.
pub const MOUNT_BYTES_MAX: usize = 512;
/// Characters a server or share name never holds (Windows' reserved file-name characters).
const NAME_CHARACTERS_REFUSED: [char; 9] = ['<', '>', ':', '"', '/', '\\', '|', '?', '*'];

pub(crate) fn check(scenario: &Scenario, problems: &mut Problems) {
    let path = NodePath::root().key("storage").key("mounts");
    let mounts = &scenario.storage.mounts;
    if !problems.count(&path, "mount points", mounts.len(), MOUNTS_MAX) {
        return;
    }
    let mut seen: Vec<String> = Vec::new();
    for (index, mount) in mounts.iter().enumerate() {
        let at = path.index(index);
        match problem(mount) {
            Some(message) => problems.at(&at, message),
            None => {
                let folded = mount.to_uppercase();
                if seen.contains(&folded) {
                    let message = format!(
                        "mount point `{}` is declared twice (Windows ignores case)",
                        mount.escape_debug()
                    );
                    problems.at(&at, message);
                }
                seen.push(folded);
            }
        }
    }
}

/// What is wrong with one mount point, if anything.
fn problem(mount: &str) -> Option<String> {
    let shown = mount.escape_debug();
    if mount.len() > MOUNT_BYTES_MAX {
        return Some(format!(
            "mount point is {} bytes long; at most {MOUNT_BYTES_MAX} are allowed",
            mount.len()
        ));
    }
    let bytes = mount.as_bytes();
    if bytes.len() == 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return None;
    }
    let expected =
        "expected a drive letter such as `C:` or a share such as `\\\\backup-srv\\share`";
    let Some(rest) = mount.strip_prefix("\\\\") else {
        return Some(format!("mount point `{shown}` is not valid; {expected}"));
    };
    let parts: Vec<&str> = rest.split('\\').collect();
    let valid_name = |name: &&str| {
        !name.is_empty()
            && !name.ends_with(['.', ' '])
            && !name
                .chars()
                .any(|c| (c as u32) < 32 || NAME_CHARACTERS_REFUSED.contains(&c))
    };
    match parts.as_slice() {
        [server, share] if valid_name(server) && valid_name(share) => None,
        _ => Some(format!(
            "mount point `{shown}` is not a share `\\\\server\\share` with valid names; {expected}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn drive_letters_and_shares_are_the_mount_points() {
        for ok in ["C:", "z:", "\\\\backup-srv\\share", "\\\\10.0.0.5\\b$"] {
            assert_eq!(problem(ok), None, "{ok}");
        }
        for bad in [
            "C",
            "CC:",
            "1:",
            "C:\\",
            "\\\\srv",
            "\\\\srv\\",
            "\\\\srv\\a\\b",
            "//srv/share",
            "\\\\s|v\\x",
        ] {
            assert!(problem(bad).is_some(), "{bad} accepted");
        }
    }
}
