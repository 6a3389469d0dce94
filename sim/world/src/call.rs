//! Builds the `ExportReferencePoint` arguments from a scenario `export` entry: scenario names
//! become `CollectionID`s, VM GUIDs and disk instance IDs. Owns that translation; it must never
//! validate (an unknown name becomes a deliberately malformed string so the job refuses it).
//!
//! `VirtualMachinesToDisksToExport[]` uses the job's text form (sim/export/README.md):
//! `<VM-GUID>:<disk instance id>,<disk instance id>`. A VM listed with an empty disk list is left
//! out of the array; if every listed VM has an empty list, each is passed as `<VM-GUID>:` (which
//! the job refuses) rather than an empty array (which would mean "every disk").

use crate::target::VIRTUAL_ROOT;
use crate::world::World;
use rpsim_export::guid::Guid;
use rpsim_export::service::ExportCall;
use rpsim_scenario::model::{DiskSelection, Export};

/// The call and the reference points it names (when they resolve).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltCall {
    pub call: ExportCall,
    pub reference_point: Option<Guid>,
    pub base: Option<Guid>,
}

fn collection_text(world: &World, name: &str) -> (String, Option<Guid>) {
    match world.reference_point_id(name) {
        Some(id) => (id.to_string(), Some(id)),
        None => (format!("unknown-reference-point:{name}"), None),
    }
}

/// `ExportDirectory`: `/exports/<target_dir>`, the raw `export_directory`, or
/// `/exports/<export name>` when neither is given.
pub fn export_directory(export: &Export) -> String {
    match (&export.target_dir, &export.export_directory) {
        (Some(dir), _) => format!("{VIRTUAL_ROOT}/{dir}"),
        (None, Some(raw)) => raw.clone(),
        (None, None) => format!("{VIRTUAL_ROOT}/{}", export.name),
    }
}

pub fn build(world: &World, export: &Export) -> BuiltCall {
    let (reference_point_collection, reference_point) =
        collection_text(world, &export.reference_point);
    let (base_reference_point_collection, base) = match &export.base {
        Some(name) => collection_text(world, name),
        None => (String::new(), None),
    };
    let selection = match &export.disks {
        Some(selection) => selection_texts(world, selection),
        None => Vec::new(),
    };
    BuiltCall {
        call: ExportCall {
            reference_point_collection,
            export_directory: export_directory(export),
            base_reference_point_collection,
            virtual_machines_to_disks_to_export: selection,
        },
        reference_point,
        base,
    }
}

fn selection_texts(world: &World, selection: &[DiskSelection]) -> Vec<String> {
    let mut texts = Vec::new();
    let mut empty = Vec::new();
    for entry in selection {
        // VM names are unique in a scenario: a VM of another group is passed by its real id so
        // that the job, not the scenario loader, refuses it.
        let Some(vm) = world.vm_index(None, &entry.vm) else {
            texts.push(format!("unknown-vm:{}", entry.vm));
            continue;
        };
        let vm_id = world.vms[vm].id;
        if entry.disks.is_empty() {
            empty.push(format!("{vm_id}:"));
            continue;
        }
        let group_name = &world.groups[world.vms[vm].group].name;
        let ids: Vec<String> = entry
            .disks
            .iter()
            .map(|disk| {
                let own = world.disk_index(group_name, &format!("{}/{disk}", entry.vm));
                match own.or_else(|| world.disk_index(group_name, disk)) {
                    Some(index) => world.disks[index].instance_id.clone(),
                    None => format!("unknown-disk:{disk}"),
                }
            })
            .collect();
        texts.push(format!("{vm_id}:{}", ids.join(",")));
    }
    if texts.is_empty() {
        return empty;
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::tests::scenario;

    fn export(yaml: &str) -> Export {
        serde_norway::from_str(yaml).unwrap()
    }

    #[test]
    fn names_become_ids_and_unknown_names_stay_malformed() {
        let mut w = World::new(&scenario(), 1).unwrap();
        let id = crate::world::tests::rct_point(&mut w, "rp", 0);
        let built = build(
            &w,
            &export("{name: e, reference_point: rp, base: nope, target_dir: x}"),
        );
        assert_eq!(built.call.reference_point_collection, id.to_string());
        assert_eq!(built.reference_point, Some(id));
        assert_eq!(built.base, None);
        assert!(built
            .call
            .base_reference_point_collection
            .parse::<Guid>()
            .is_err());
        assert_eq!(built.call.export_directory, "/exports/x");
        assert!(built.call.virtual_machines_to_disks_to_export.is_empty());
    }

    #[test]
    fn disk_selection_uses_vm_guids_and_instance_ids() {
        let w = World::new(&scenario(), 1).unwrap();
        let e = export(
            "{name: e, reference_point: rp, export_directory: rel, disks: [{vm: a, disks: [os, quorum]}, {vm: b, disks: []}]}",
        );
        let built = build(&w, &e);
        assert_eq!(built.call.export_directory, "rel");
        let texts = &built.call.virtual_machines_to_disks_to_export;
        assert_eq!(texts.len(), 1, "b's empty list is left out");
        let expected = format!(
            "{}:{},{}",
            w.vms[0].id, w.disks[0].instance_id, w.disks[2].instance_id
        );
        assert_eq!(texts[0], expected);
        let only_empty = build(
            &w,
            &export("{name: e, reference_point: rp, disks: [{vm: b, disks: []}]}"),
        );
        assert_eq!(
            only_empty.call.virtual_machines_to_disks_to_export,
            vec![format!("{}:", w.vms[1].id)]
        );
        assert_eq!(only_empty.call.export_directory, "/exports/e");
    }
}
