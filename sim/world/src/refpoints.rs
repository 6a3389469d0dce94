//! The registry of collection reference points: what each froze (per member VM and per disk:
//! epoch, RCT reset generation, RCT ID), its type and consistency, creation order, and the
//! destroy / remove-log rules. Owns those rules and their return codes; it must never touch
//! disk contents (the world freezes disks and hands the result here).
//!
//! Rules (ours, documented in sim/world/README.md):
//! - DestroyReferencePoint of a log-based point also destroys every later log-based point of
//!   the same VM group that is still alive: their logs continue its log and cannot stand alone.
//!   An RCT-based point is destroyed alone. Unknown or already destroyed: 32773.
//! - RemoveAssociatedData of a log-based point discards its log (HasAssociatedLog false), 0;
//!   of an RCT-based point: 32775 (invalid state); unknown or destroyed: 32773.

use rpsim_export::guid::Guid;
use rpsim_export::source::{ConsistencyLevel, ReferencePointType, VmPowerState};
use rpsim_export::wmi::return_code;
use std::collections::BTreeMap;

/// Most reference points one run may create.
pub const REFERENCE_POINTS_MAX: usize = 4096;

/// One disk as frozen by a reference point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiskPoint {
    /// Index of the disk in the world.
    pub disk: usize,
    pub epoch: u64,
    pub reset_generation: u64,
    pub rct_id: String,
    /// The disk's virtual size when the point was taken (a disk may grow later).
    pub virtual_size_bytes: u64,
}

/// One member VM as frozen by a reference point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberPoint {
    /// Index of the VM in the world.
    pub vm: usize,
    pub power_state: VmPowerState,
    /// Indices into [`RefPoint::disks`], in attachment order.
    pub disks: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefPoint {
    pub collection_id: Guid,
    /// Scenario-local name (`ElementName`).
    pub name: String,
    /// Index of the VM group in the world.
    pub group: usize,
    pub reference_point_type: ReferencePointType,
    pub consistency_level: ConsistencyLevel,
    pub creation_sequence: u64,
    pub taken_at_ns: u64,
    pub destroyed: bool,
    pub log_removed: bool,
    pub members: Vec<MemberPoint>,
    /// Each distinct disk once (a shared disk is frozen once for all its members).
    pub disks: Vec<DiskPoint>,
}

impl RefPoint {
    pub fn has_associated_log(&self) -> bool {
        self.reference_point_type == ReferencePointType::Log && !self.log_removed
    }
}

#[derive(Clone, Debug, Default)]
pub struct Registry {
    points: Vec<RefPoint>,
    by_id: BTreeMap<Guid, usize>,
    /// Latest point created under each scenario name.
    by_name: BTreeMap<String, usize>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// The creation sequence the next point will get (1-based).
    pub fn sequence_next(&self) -> u64 {
        self.points.len() as u64 + 1
    }

    pub fn is_full(&self) -> bool {
        self.points.len() >= REFERENCE_POINTS_MAX
    }

    /// Adds a point built by the world; its id and sequence must be fresh.
    pub fn add(&mut self, point: RefPoint) {
        assert!(!self.is_full(), "callers check is_full first");
        assert_eq!(point.creation_sequence, self.sequence_next());
        assert!(
            !self.by_id.contains_key(&point.collection_id),
            "collection ids are unique"
        );
        let index = self.points.len();
        self.by_id.insert(point.collection_id, index);
        self.by_name.insert(point.name.clone(), index);
        self.points.push(point);
    }

    /// Any point ever created, destroyed or not.
    pub fn get(&self, id: &Guid) -> Option<&RefPoint> {
        self.by_id.get(id).map(|i| &self.points[*i])
    }

    /// The latest point created under a scenario name, destroyed or not.
    pub fn by_name(&self, name: &str) -> Option<&RefPoint> {
        self.by_name.get(name).map(|i| &self.points[*i])
    }

    /// Every point in creation order.
    pub fn all(&self) -> &[RefPoint] {
        &self.points
    }

    /// `DestroyReferencePoint`: (return code, every point destroyed, the named one first).
    pub fn destroy(&mut self, id: &Guid) -> (u32, Vec<Guid>) {
        let Some(&index) = self.by_id.get(id) else {
            return (return_code::INVALID_PARAMETER, Vec::new());
        };
        if self.points[index].destroyed {
            return (return_code::INVALID_PARAMETER, Vec::new());
        }
        let (group, sequence, kind) = {
            let p = &self.points[index];
            (p.group, p.creation_sequence, p.reference_point_type)
        };
        let mut destroyed = vec![*id];
        self.points[index].destroyed = true;
        if kind == ReferencePointType::Log {
            for p in self.points.iter_mut().filter(|p| {
                !p.destroyed
                    && p.group == group
                    && p.reference_point_type == ReferencePointType::Log
                    && p.creation_sequence > sequence
            }) {
                p.destroyed = true;
                destroyed.push(p.collection_id);
            }
        }
        (return_code::COMPLETED, destroyed)
    }

    /// `RemoveAssociatedData`: the return code.
    pub fn remove_associated_data(&mut self, id: &Guid) -> u32 {
        let Some(&index) = self.by_id.get(id) else {
            return return_code::INVALID_PARAMETER;
        };
        let point = &mut self.points[index];
        if point.destroyed {
            return return_code::INVALID_PARAMETER;
        }
        if point.reference_point_type != ReferencePointType::Log {
            return return_code::INVALID_STATE;
        }
        point.log_removed = true;
        assert!(!point.has_associated_log());
        return_code::COMPLETED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(registry: &Registry, group: usize, kind: ReferencePointType) -> RefPoint {
        let sequence = registry.sequence_next();
        RefPoint {
            collection_id: Guid::from_u128(sequence as u128),
            name: format!("rp{sequence}"),
            group,
            reference_point_type: kind,
            consistency_level: ConsistencyLevel::CrashConsistent,
            creation_sequence: sequence,
            taken_at_ns: 0,
            destroyed: false,
            log_removed: false,
            members: Vec::new(),
            disks: Vec::new(),
        }
    }

    fn add(registry: &mut Registry, group: usize, kind: ReferencePointType) -> Guid {
        let p = point(registry, group, kind);
        let id = p.collection_id;
        registry.add(p);
        id
    }

    #[test]
    fn destroying_a_log_point_destroys_later_log_points_of_its_group_only() {
        let mut r = Registry::new();
        let first = add(&mut r, 0, ReferencePointType::Log);
        let second = add(&mut r, 0, ReferencePointType::Log);
        let other_group = add(&mut r, 1, ReferencePointType::Log);
        let rct = add(&mut r, 0, ReferencePointType::Rct);
        let third = add(&mut r, 0, ReferencePointType::Log);
        let (code, gone) = r.destroy(&second);
        assert_eq!(code, 0);
        assert_eq!(gone, vec![second, third]);
        assert!(!r.get(&first).unwrap().destroyed);
        assert!(!r.get(&other_group).unwrap().destroyed);
        assert!(!r.get(&rct).unwrap().destroyed);
        assert_eq!(r.destroy(&second).0, return_code::INVALID_PARAMETER);
    }

    #[test]
    fn destroying_an_rct_point_destroys_it_alone() {
        let mut r = Registry::new();
        let a = add(&mut r, 0, ReferencePointType::Rct);
        let b = add(&mut r, 0, ReferencePointType::Rct);
        assert_eq!(r.destroy(&a), (0, vec![a]));
        assert!(!r.get(&b).unwrap().destroyed);
        assert_eq!(
            r.destroy(&Guid::from_u128(999)).0,
            return_code::INVALID_PARAMETER
        );
    }

    #[test]
    fn remove_associated_data_applies_to_log_points_only() {
        let mut r = Registry::new();
        let log = add(&mut r, 0, ReferencePointType::Log);
        let rct = add(&mut r, 0, ReferencePointType::Rct);
        assert!(r.get(&log).unwrap().has_associated_log());
        assert!(!r.get(&rct).unwrap().has_associated_log());
        assert_eq!(r.remove_associated_data(&log), 0);
        assert!(!r.get(&log).unwrap().has_associated_log());
        assert_eq!(r.remove_associated_data(&rct), return_code::INVALID_STATE);
        assert_eq!(
            r.remove_associated_data(&Guid::NIL),
            return_code::INVALID_PARAMETER
        );
    }

    #[test]
    fn names_resolve_to_the_latest_point() {
        let mut r = Registry::new();
        let mut p = point(&r, 0, ReferencePointType::Rct);
        p.name = "nightly".into();
        r.add(p);
        let mut q = point(&r, 0, ReferencePointType::Rct);
        q.name = "nightly".into();
        let q_id = q.collection_id;
        r.add(q);
        assert_eq!(r.by_name("nightly").unwrap().collection_id, q_id);
        assert!(r.by_name("weekly").is_none());
    }
}
