//! The WMI objects a client reads: resolving an object path to an export job, a reference point
//! collection or a VM group, rendering each as an instance (its properties under their WMI
//! names plus `__CLASS` and `__PATH`), enumerating a class, and the `Msvm_AffectedJobElement`
//! association. Owns that view of the world; it must never change the world, and it takes job
//! properties, `GetError` and `GetErrorEx` as the export crate returns them.

use super::paths::{self, ObjectPath};
use super::protocol::ProtocolError;
use rpsim_export::guid::Guid;
use rpsim_export::service::JobId;
use rpsim_world::refpoints::RefPoint;
use rpsim_world::Session;
use serde_json::{Map, Value};

/// What a path names, once resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Object {
    /// An export job: the index of its export record and its job.
    Job {
        export: usize,
        job: JobId,
    },
    /// A reference point collection (index in the world's registry).
    ReferencePoint(usize),
    /// A VM group (index in the world's groups).
    Group(usize),
    Service,
}

/// Read-only access to one session's objects.
pub struct Objects<'a, 's> {
    pub session: &'a Session<'s>,
    /// The service host's name (the `\\HOST` of every path).
    pub host: &'a str,
}

fn not_found(path: &ObjectPath) -> ProtocolError {
    let keys: Vec<String> = path
        .keys
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", rpsim_scenario::text::one_line(v)))
        .collect();
    ProtocolError::NOT_FOUND(format!(
        "no {} instance with {}",
        path.class,
        keys.join(",")
    ))
}

impl Objects<'_, '_> {
    /// Resolves a path; a job that was removed (TimeBeforeRemoval passed) is not found.
    pub fn resolve(&self, path: &ObjectPath) -> Result<Object, ProtocolError> {
        if let Some(host) = &path.host {
            if !host.eq_ignore_ascii_case(self.host) && host != "." {
                return Err(ProtocolError::NOT_FOUND(format!(
                    "host `{}` is not served; this is `{}`",
                    rpsim_scenario::text::one_line(host),
                    self.host
                )));
            }
        }
        let key = |name: &str| path.key(name).ok_or_else(|| not_found(path));
        let guid = |name: &str| -> Result<Guid, ProtocolError> {
            key(name)?.parse::<Guid>().map_err(|_| not_found(path))
        };
        if path.is(paths::EXPORT_JOB) || path.is(paths::CONCRETE_JOB) {
            let id = guid("InstanceID")?;
            return self.job_by_instance_id(&id).ok_or_else(|| not_found(path));
        }
        if path.is(paths::REFERENCE_POINT_COLLECTION) {
            let id = guid("CollectionID")?;
            let world = self.session.world();
            let index = world
                .refpoints
                .all()
                .iter()
                .position(|p| p.collection_id == id && !p.destroyed);
            return index
                .map(Object::ReferencePoint)
                .ok_or_else(|| not_found(path));
        }
        if path.is(paths::VIRTUAL_SYSTEM_COLLECTION) {
            let id = guid("CollectionID")?;
            let group = self.session.world().group_by_id(&id);
            return group.map(Object::Group).ok_or_else(|| not_found(path));
        }
        if path.is(paths::SERVICE) {
            return Ok(Object::Service);
        }
        Err(ProtocolError::INVALID_CLASS(format!(
            "class `{}` is not served; served classes: {}, {}, {}, {}",
            rpsim_scenario::text::one_line(&path.class),
            paths::EXPORT_JOB,
            paths::REFERENCE_POINT_COLLECTION,
            paths::VIRTUAL_SYSTEM_COLLECTION,
            paths::SERVICE
        )))
    }

    fn job_by_instance_id(&self, id: &Guid) -> Option<Object> {
        let service = self.session.service();
        let now = self.session.now_ns();
        self.session
            .exports()
            .iter()
            .enumerate()
            .find_map(|(export, record)| {
                let job = record.job_id?;
                (service.instance_id(job) == Some(*id)
                    && service.job_properties(job, now).is_some())
                .then_some(Object::Job { export, job })
            })
    }

    /// The path of an object.
    pub fn path(&self, object: Object) -> String {
        let world = self.session.world();
        match object {
            Object::Job { job, .. } => {
                let id = self.session.service().instance_id(job).unwrap_or_default();
                paths::format(
                    self.host,
                    paths::EXPORT_JOB,
                    &[("InstanceID", &id.to_string())],
                )
            }
            Object::ReferencePoint(index) => {
                let point = &world.refpoints.all()[index];
                let group = world.groups[point.group].id.to_string();
                paths::format(
                    self.host,
                    paths::REFERENCE_POINT_COLLECTION,
                    &[
                        ("CollectionID", &point.collection_id.to_string()),
                        ("VirtualSystemCollectionId", &group),
                    ],
                )
            }
            Object::Group(index) => paths::format(
                self.host,
                paths::VIRTUAL_SYSTEM_COLLECTION,
                &[("CollectionID", &world.groups[index].id.to_string())],
            ),
            Object::Service => paths::format(
                self.host,
                paths::SERVICE,
                &[
                    ("CreationClassName", paths::SERVICE),
                    ("Name", "CollectionReferencePointService"),
                    ("SystemCreationClassName", "Msvm_ComputerSystem"),
                    ("SystemName", self.host),
                ],
            ),
        }
    }

    /// The instance: every property under its WMI name, `__CLASS` and `__PATH`.
    pub fn instance(&self, object: Object) -> Value {
        let world = self.session.world();
        let (class, mut map) = match object {
            Object::Job { job, .. } => {
                let properties = self
                    .session
                    .service()
                    .job_properties(job, self.session.now_ns());
                let map = match serde_json::to_value(properties) {
                    Ok(Value::Object(map)) => map,
                    _ => Map::new(),
                };
                (paths::EXPORT_JOB, map)
            }
            Object::ReferencePoint(index) => (
                paths::REFERENCE_POINT_COLLECTION,
                reference_point(&world.refpoints.all()[index], world),
            ),
            Object::Group(index) => {
                let group = &world.groups[index];
                let mut map = Map::new();
                map.insert("CollectionID".into(), group.id.to_string().into());
                map.insert("ElementName".into(), group.name.clone().into());
                (paths::VIRTUAL_SYSTEM_COLLECTION, map)
            }
            Object::Service => {
                let mut map = Map::new();
                map.insert("Name".into(), "CollectionReferencePointService".into());
                map.insert("SystemName".into(), self.host.into());
                (paths::SERVICE, map)
            }
        };
        map.insert("__CLASS".into(), class.into());
        map.insert("__PATH".into(), self.path(object).into());
        Value::Object(map)
    }

    /// Every instance of `class`, in creation order.
    pub fn enumerate(&self, class: &str) -> Result<Vec<Object>, ProtocolError> {
        let is = |name: &str| class.eq_ignore_ascii_case(name);
        let world = self.session.world();
        if is(paths::EXPORT_JOB) || is(paths::CONCRETE_JOB) {
            return Ok(self.jobs());
        }
        if is(paths::REFERENCE_POINT_COLLECTION) {
            let points = world.refpoints.all().iter().enumerate();
            return Ok(points
                .filter(|(_, p)| !p.destroyed)
                .map(|(i, _)| Object::ReferencePoint(i))
                .collect());
        }
        if is(paths::VIRTUAL_SYSTEM_COLLECTION) {
            return Ok((0..world.groups.len()).map(Object::Group).collect());
        }
        if is(paths::SERVICE) {
            return Ok(vec![Object::Service]);
        }
        Err(ProtocolError::INVALID_CLASS(format!(
            "class `{}` is not served",
            rpsim_scenario::text::one_line(class)
        )))
    }

    /// Every job the service still holds (not removed), in creation order.
    fn jobs(&self) -> Vec<Object> {
        let service = self.session.service();
        let now = self.session.now_ns();
        let exports = self.session.exports().iter().enumerate();
        exports
            .filter_map(|(export, record)| {
                let job = record.job_id?;
                service
                    .job_properties(job, now)
                    .map(|_| Object::Job { export, job })
            })
            .collect()
    }

    /// `ASSOCIATORS OF {object} WHERE AssocClass = Msvm_AffectedJobElement`: for a VM group or a
    /// reference point collection, the jobs exporting it (the group of, or the point, or its
    /// base); for a job, the reference point collection and the VM group it affects.
    pub fn affected_job_elements(&self, object: Object) -> Vec<Object> {
        let world = self.session.world();
        let group_of =
            |id: &Option<Guid>| id.and_then(|id| world.refpoints.get(&id)).map(|p| p.group);
        match object {
            Object::Job { export, .. } => {
                let record = &self.session.exports()[export];
                let mut elements = Vec::new();
                if let Some(id) = record.reference_point {
                    let points = world.refpoints.all();
                    if let Some(i) = points
                        .iter()
                        .position(|p| p.collection_id == id && !p.destroyed)
                    {
                        elements.push(Object::ReferencePoint(i));
                    }
                }
                if let Some(group) = group_of(&record.reference_point) {
                    elements.push(Object::Group(group));
                }
                elements
            }
            Object::ReferencePoint(index) => {
                let id = Some(world.refpoints.all()[index].collection_id);
                self.jobs_where(|record| record.reference_point == id || record.base == id)
            }
            Object::Group(group) => {
                self.jobs_where(|record| group_of(&record.reference_point) == Some(group))
            }
            Object::Service => Vec::new(),
        }
    }

    fn jobs_where(&self, keep: impl Fn(&rpsim_world::ExportRecord) -> bool) -> Vec<Object> {
        self.jobs()
            .into_iter()
            .filter(|object| match object {
                Object::Job { export, .. } => keep(&self.session.exports()[*export]),
                _ => false,
            })
            .collect()
    }
}

fn reference_point(point: &RefPoint, world: &rpsim_world::World) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(
        "CollectionID".into(),
        point.collection_id.to_string().into(),
    );
    map.insert("ElementName".into(), point.name.clone().into());
    // Both enums carry their WMI values (1 log, 2 RCT; 1 crash, 2 application consistent).
    let kind = point.reference_point_type as u16;
    map.insert("ReferencePointType".into(), kind.into());
    let consistency = point.consistency_level as u16;
    map.insert("ConsistencyLevel".into(), consistency.into());
    let group = world.groups[point.group].id.to_string();
    map.insert("VirtualSystemCollectionId".into(), group.into());
    map.insert("HasAssociatedLog".into(), point.has_associated_log().into());
    map
}
