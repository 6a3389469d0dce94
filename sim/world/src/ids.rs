//! Deterministic identities: GUIDs from (seed, kind, name), Hyper-V-shaped disk instance IDs and
//! RCT IDs. Owns the text formats of those IDs; it must never draw from a random stream (IDs
//! depend on names only, so adding a VM never renames another).

use rpsim_export::guid::Guid;
use xxhash_rust::xxh3::xxh3_128_with_seed;

/// The GUID of the object of `kind` (`host`, `group`, `vm`, `disk`, `reference_point`) called
/// `name` in a run with `seed`.
pub fn guid(seed: u64, kind: &str, name: &str) -> Guid {
    assert!(!kind.is_empty());
    let mut bytes = Vec::with_capacity(kind.len() + 1 + name.len());
    bytes.extend_from_slice(kind.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(name.as_bytes());
    Guid::from_u128(xxh3_128_with_seed(&bytes, seed))
}

/// Hyper-V's shape of a virtual disk's WMI instance ID:
/// `Microsoft:<OWNER-GUID>\<DISK-GUID>\0\0\D`. The owner is the VM, or the group for a shared
/// disk. The colon and backslashes exercise the job's file-name sanitiser.
pub fn disk_instance_id(owner: &Guid, disk: &Guid) -> String {
    format!("Microsoft:{owner}\\{disk}\\0\\0\\D")
}

/// A disk's RCT ID: `rct:<DISK-GUID>:<reset generation>:<epoch>`.
pub fn rct_id(disk: &Guid, reset_generation: u64, epoch: u64) -> String {
    format!("rct:{disk}:{reset_generation}:{epoch}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_stable_for_the_same_seed_kind_and_name() {
        assert_eq!(guid(1, "vm", "node-a"), guid(1, "vm", "node-a"));
    }

    #[test]
    fn guids_differ_by_seed_kind_and_name() {
        let base = guid(1, "vm", "node-a");
        assert_ne!(base, guid(2, "vm", "node-a"));
        assert_ne!(base, guid(1, "group", "node-a"));
        assert_ne!(base, guid(1, "vm", "node-b"));
        // The separator keeps ("vm", "x") and ("vmx", "") apart.
        assert_ne!(guid(1, "vm", "x"), guid(1, "vmx", ""));
    }

    #[test]
    fn disk_instance_id_has_hyper_v_shape() {
        let owner = guid(1, "vm", "a");
        let disk = guid(1, "disk", "a/os");
        let id = disk_instance_id(&owner, &disk);
        assert!(id.starts_with("Microsoft:"));
        assert!(id.ends_with("\\0\\0\\D"));
        assert_eq!(id.matches('\\').count(), 4);
        assert!(id.contains(&disk.to_string()));
        assert_eq!(rct_id(&disk, 2, 5), format!("rct:{disk}:2:5"));
    }
}
