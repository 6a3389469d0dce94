//! The text form of `ExportSettingData.VirtualMachinesToDisksToExport[]` (ours; see README.md):
//! `<VirtualMachineId>` (every disk of that VM) or `<VirtualMachineId>:<disk>[,<disk>...]`.
//! Owns parsing and formatting only; it must never look at the source (validate.rs checks
//! that the VMs and disks exist).

use crate::guid::Guid;
use std::collections::BTreeSet;

/// Bound on entries in one call.
pub const SELECTION_ENTRIES_MAX: usize = 1024;
/// Bound on disk IDs in one entry.
pub const SELECTION_DISKS_MAX: usize = 1024;
/// Bound on one entry's length.
pub const SELECTION_ENTRY_BYTES_MAX: usize = 64 * 1024;

/// One parsed `Msvm_VirtualMachineToDisks`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmSelection {
    pub virtual_machine_id: Guid,
    /// Disk instance IDs in the order given; `None` means every disk of the VM.
    pub disks_to_export: Option<Vec<String>>,
}

/// Parses every entry; an error names the first malformed entry.
pub fn parse_all(entries: &[String]) -> Result<Vec<VmSelection>, String> {
    if entries.len() > SELECTION_ENTRIES_MAX {
        return Err(format!(
            "{} entries; at most {SELECTION_ENTRIES_MAX} are accepted",
            entries.len()
        ));
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        let selection = parse(entry)?;
        if !seen.insert(selection.virtual_machine_id) {
            return Err(format!(
                "VM {} is named twice",
                selection.virtual_machine_id
            ));
        }
        out.push(selection);
    }
    assert_eq!(out.len(), entries.len());
    Ok(out)
}

/// Parses one entry.
pub fn parse(entry: &str) -> Result<VmSelection, String> {
    if entry.len() > SELECTION_ENTRY_BYTES_MAX {
        return Err(format!(
            "entry longer than {SELECTION_ENTRY_BYTES_MAX} bytes"
        ));
    }
    let (vm_text, disks_text) = match entry.split_once(':') {
        Some((vm, disks)) => (vm, Some(disks)),
        None => (entry, None),
    };
    let virtual_machine_id: Guid = vm_text
        .parse()
        .map_err(|e| format!("entry `{entry}`: VirtualMachineId: {e}"))?;
    let disks_to_export = match disks_text {
        None => None,
        Some(text) => Some(parse_disks(entry, text)?),
    };
    Ok(VmSelection {
        virtual_machine_id,
        disks_to_export,
    })
}

fn parse_disks(entry: &str, text: &str) -> Result<Vec<String>, String> {
    let disks: Vec<String> = text.split(',').map(str::to_string).collect();
    if disks.len() > SELECTION_DISKS_MAX {
        return Err(format!(
            "entry `{entry}`: more than {SELECTION_DISKS_MAX} disks"
        ));
    }
    let mut seen = BTreeSet::new();
    for disk in &disks {
        if disk.is_empty() || disk.contains('\0') {
            return Err(format!(
                "entry `{entry}`: empty or malformed disk instance ID"
            ));
        }
        if !seen.insert(disk.as_str()) {
            return Err(format!("entry `{entry}`: disk `{disk}` is named twice"));
        }
    }
    Ok(disks)
}

/// The text form of one entry (inverse of [`parse`]).
pub fn format(selection: &VmSelection) -> String {
    match &selection.disks_to_export {
        None => selection.virtual_machine_id.to_string(),
        Some(disks) => {
            assert!(!disks.is_empty() && disks.iter().all(|d| !d.contains(',')));
            format!("{}:{}", selection.virtual_machine_id, disks.join(","))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VM: &str = "8A3B5C1D-0000-8000-8000-000000000001";

    #[test]
    fn vm_alone_means_all_disks() {
        let s = parse(VM).unwrap();
        assert_eq!(s.disks_to_export, None);
        assert_eq!(format(&s), VM);
    }

    #[test]
    fn disk_ids_may_contain_colons_and_backslashes() {
        let text = format!("{VM}:Microsoft:AB\\CD\\0\\0\\D,disk-2");
        let s = parse(&text).unwrap();
        assert_eq!(
            s.disks_to_export,
            Some(vec![
                "Microsoft:AB\\CD\\0\\0\\D".to_string(),
                "disk-2".to_string()
            ])
        );
        assert_eq!(format(&s), text);
    }

    #[test]
    fn malformed_entries_are_refused() {
        for bad in [
            "",
            "not-a-guid",
            &format!("{VM}:"),
            &format!("{VM}:a,,b"),
            &format!("{VM}:a,a"),
        ] {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(parse_all(&[VM.to_string(), VM.to_string()]).is_err());
    }
}
