//! The methods that change the world, translated into the timeline entries they become:
//! `CreateReferencePoint`, `DestroyReferencePoint`, `RemoveAssociatedData`,
//! `ExportReferencePoint` (with `ExportSettingData`), a job's `RequestStateChange`, and the
//! test-only `InjectFault`. Owns that translation and the refusals that happen before the
//! world is asked (arguments that name nothing, values no entry can express); it must never
//! carry out an entry (the world session does) nor answer a read.
//!
//! Every entry is validated as part of the scenario it extends before it runs, so a transcript
//! always converts to a scenario that loads.

use super::limits::SELECTION_ENTRIES_MAX;
use super::objects::{Object, Objects};
use super::paths;
use super::protocol::{Params, ProtocolError};
use rpsim_export::guid::Guid;
use rpsim_scenario::model::{
    self, Consistency, CreateReferencePoint, DiskSelection, Export, ReferencePointKind,
    ReferencePointRef, Scenario, TimelineEntry,
};
use rpsim_scenario::units::SimDuration;
use rpsim_world::World;

/// What a method call becomes: an entry to carry out, or an answer given without the world.
pub enum Translated {
    Entry(Box<TimelineEntry>),
    /// A `ReturnValue` with no entry (a value the method refuses before looking at the world).
    Refused(u32),
}

/// Names the session gives the reference points and exports a client creates.
#[derive(Default)]
pub struct Names {
    next_point: u64,
    next_export: u64,
}

impl Names {
    fn fresh(
        counter: &mut u64,
        prefix: &str,
        scenario: &Scenario,
        client: &[TimelineEntry],
    ) -> String {
        loop {
            *counter += 1;
            let name = format!("{prefix}-{counter}");
            let taken = scenario.timeline.iter().chain(client).any(|e| {
                e.create_reference_point
                    .as_ref()
                    .is_some_and(|c| c.name == name)
                    || e.export.as_ref().is_some_and(|x| x.name == name)
            });
            if !taken {
                return name;
            }
        }
    }
}

/// The scenario name of the reference point a path or bare `CollectionID` names (destroyed ones
/// too: the service, not the session, refuses those).
fn point_name(world: &World, text: &str) -> Option<String> {
    let id = match paths::parse(text) {
        Ok(path) if path.is(paths::REFERENCE_POINT_COLLECTION) => {
            path.key("CollectionID")?.parse::<Guid>().ok()?
        }
        Ok(_) => return None,
        Err(_) => text.parse::<Guid>().ok()?,
    };
    world.refpoints.get(&id).map(|p| p.name.clone())
}

fn no_point(method: &str, parameter: &str, text: &str) -> ProtocolError {
    ProtocolError::NOT_FOUND(format!(
        "{method}: {parameter} `{}` names no Msvm_ReferencePointCollection",
        rpsim_scenario::text::one_line(text)
    ))
}

fn entry() -> TimelineEntry {
    TimelineEntry::default()
}

/// `CreateReferencePoint(Collection, ReferencePointSettings, ReferencePointType)`.
pub fn create_reference_point(
    params: &Params,
    objects: &Objects,
    scenario: &Scenario,
    names: &mut Names,
) -> Result<Translated, ProtocolError> {
    params.only(&["Collection", "ReferencePointSettings", "ReferencePointType"])?;
    let collection = params.string("Collection")?;
    let group = match objects.resolve(&paths::parse(collection)?)? {
        Object::Group(group) => group,
        _ => {
            return Err(ProtocolError::INVALID_PARAMETER(
                "CreateReferencePoint: Collection must be a Msvm_VirtualSystemCollection",
            ))
        }
    };
    let kind = match params.unsigned("ReferencePointType", u64::from(u16::MAX))? {
        1 => ReferencePointKind::Log,
        2 => ReferencePointKind::Rct,
        // CIM "Invalid Parameter" (4): only log (1) and RCT (2) points exist.
        _ => {
            return Ok(Translated::Refused(
                rpsim_export::wmi::return_code::INVALID_PARAMETER_CIM,
            ))
        }
    };
    let consistency = match params.opt_object("ReferencePointSettings") {
        Ok(Some(settings)) => {
            settings.only(&["ConsistencyLevel"])?;
            match settings
                .get("ConsistencyLevel")
                .map(|_| settings.unsigned("ConsistencyLevel", 2))
            {
                None => Consistency::CrashConsistent,
                Some(Ok(2)) => Consistency::ApplicationConsistent,
                Some(Ok(_)) => Consistency::CrashConsistent,
                Some(Err(e)) => return Err(e),
            }
        }
        Ok(None) => Consistency::CrashConsistent,
        // An embedded instance as text: taken as crash consistent (ours).
        Err(_) if params.opt_string("ReferencePointSettings").is_ok() => {
            Consistency::CrashConsistent
        }
        Err(e) => return Err(e),
    };
    let world = objects.session.world();
    let name = Names::fresh(
        &mut names.next_point,
        "client-rp",
        scenario,
        objects.session.client_timeline(),
    );
    Ok(Translated::Entry(Box::new(TimelineEntry {
        create_reference_point: Some(CreateReferencePoint {
            name,
            group: world.groups[group].name.clone(),
            reference_point_type: kind,
            consistency,
        }),
        ..entry()
    })))
}

/// `DestroyReferencePoint(ReferencePointCollection)` and `RemoveAssociatedData(...)`.
pub fn reference_point_action(
    params: &Params,
    objects: &Objects,
    destroy: bool,
) -> Result<Translated, ProtocolError> {
    params.only(&["ReferencePointCollection"])?;
    let text = params.string("ReferencePointCollection")?;
    let world = objects.session.world();
    let name = point_name(world, text)
        .ok_or_else(|| no_point(params.method, "ReferencePointCollection", text))?;
    let reference = Some(ReferencePointRef {
        reference_point: name,
    });
    Ok(Translated::Entry(Box::new(if destroy {
        TimelineEntry {
            destroy_reference_point: reference,
            ..entry()
        }
    } else {
        TimelineEntry {
            remove_associated_data: reference,
            ..entry()
        }
    })))
}

/// `ExportReferencePoint(ReferencePointCollection, ExportDirectory, ExportSettingData)`.
pub fn export_reference_point(
    params: &Params,
    objects: &Objects,
    scenario: &Scenario,
    names: &mut Names,
) -> Result<Translated, ProtocolError> {
    params.only(&[
        "ReferencePointCollection",
        "ExportDirectory",
        "ExportSettingData",
    ])?;
    let world = objects.session.world();
    let text = params.string("ReferencePointCollection")?;
    let reference_point = point_name(world, text)
        .ok_or_else(|| no_point(params.method, "ReferencePointCollection", text))?;
    let export_directory = params.string("ExportDirectory")?.to_string();
    let mut base = None;
    let mut disks = None;
    if let Some(settings) = params.opt_object("ExportSettingData")? {
        settings.only(&[
            "BaseReferencePointCollection",
            "VirtualMachinesToDisksToExport",
        ])?;
        if let Some(text) = settings.opt_string("BaseReferencePointCollection")? {
            if !text.is_empty() {
                let name = point_name(world, text)
                    .ok_or_else(|| no_point(params.method, "BaseReferencePointCollection", text))?;
                base = Some(name);
            }
        }
        let texts =
            settings.string_array("VirtualMachinesToDisksToExport", SELECTION_ENTRIES_MAX)?;
        if !texts.is_empty() {
            disks = Some(selection(world, &texts)?);
        }
    }
    let name = Names::fresh(
        &mut names.next_export,
        "client-export",
        scenario,
        objects.session.client_timeline(),
    );
    let export = Export {
        name,
        reference_point,
        base,
        target_dir: None,
        export_directory: Some(export_directory),
        disks,
        // The client names its base itself.
        base_latest_completed: false,
    };
    // The entry must make exactly the call the client made.
    let built = rpsim_world::call::build(world, &export);
    let asked: Vec<String> = params
        .opt_object("ExportSettingData")?
        .map(|s| s.string_array("VirtualMachinesToDisksToExport", SELECTION_ENTRIES_MAX))
        .transpose()?
        .unwrap_or_default()
        .into_iter()
        .map(str::to_string)
        .collect();
    if built.call.virtual_machines_to_disks_to_export != asked {
        return Err(ProtocolError::INVALID_PARAMETER(
            "ExportReferencePoint: this VirtualMachinesToDisksToExport[] has no scenario form \
             (list each VM as `<VM-GUID>:<disk instance id>,...`, and a VM with no disks only \
             when every VM has none)",
        ));
    }
    Ok(Translated::Entry(Box::new(TimelineEntry {
        export: Some(export),
        ..entry()
    })))
}

/// `<VM-GUID>:<disk instance id>,...` texts back to VM and disk names.
fn selection(world: &World, texts: &[&str]) -> Result<Vec<DiskSelection>, ProtocolError> {
    let bad = |text: &str, why: &str| {
        ProtocolError::INVALID_PARAMETER(format!(
            "ExportReferencePoint: VirtualMachinesToDisksToExport entry `{}` {why}",
            rpsim_scenario::text::one_line(text)
        ))
    };
    texts
        .iter()
        .map(|text| {
            let (vm, ids) = text
                .split_once(':')
                .ok_or_else(|| bad(text, "has no `:`"))?;
            let vm = vm
                .parse::<Guid>()
                .ok()
                .and_then(|id| world.vm_by_id(&id))
                .ok_or_else(|| bad(text, "names no VM"))?;
            let vm_name = world.vms[vm].name.clone();
            let disks = ids
                .split(',')
                .filter(|id| !id.is_empty())
                .map(|id| {
                    let disk = world
                        .disk_by_instance_id(id)
                        .ok_or_else(|| bad(text, "names a disk that does not exist"))?;
                    let name = &world.disks[disk].name;
                    let own = name.strip_prefix(&format!("{vm_name}/"));
                    Ok(own.unwrap_or(name).to_string())
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(DiskSelection { vm: vm_name, disks })
        })
        .collect()
}

/// A job's `RequestStateChange(RequestedState, TimeoutPeriod)`.
pub fn request_state_change(
    params: &Params,
    export_name: &str,
) -> Result<Translated, ProtocolError> {
    params.only(&["Path", "RequestedState", "TimeoutPeriod"])?;
    let state = match params.unsigned("RequestedState", u64::from(u16::MAX))? {
        2 => model::RequestedState::Start,
        3 => model::RequestedState::Suspend,
        4 => model::RequestedState::Terminate,
        5 => model::RequestedState::Kill,
        6 => model::RequestedState::Service,
        // CIM_ConcreteJob.RequestStateChange: 5 "Invalid Parameter".
        _ => {
            return Ok(Translated::Refused(
                rpsim_export::wmi::state_change_code::INVALID_PARAMETER,
            ))
        }
    };
    let timeout = match params.opt_string("TimeoutPeriod")? {
        None => None,
        Some(text) => Some(SimDuration(parse_interval(text).ok_or_else(|| {
            ProtocolError::TYPE_MISMATCH(format!(
                "RequestStateChange: TimeoutPeriod `{}` is not a CIM interval \
                 (ddddddddhhmmss.mmmmmm:000)",
                rpsim_scenario::text::one_line(text)
            ))
        })?)),
    };
    Ok(Translated::Entry(Box::new(TimelineEntry {
        request_state_change: Some(model::RequestStateChange {
            export: export_name.to_string(),
            state,
            timeout,
        }),
        ..entry()
    })))
}

/// `InjectFault(Fault)`: a fault in the scenario format (sim/scenario/FORMAT.md), now.
pub fn inject_fault(params: &Params) -> Result<Translated, ProtocolError> {
    params.only(&["Fault"])?;
    let value = params
        .get("Fault")
        .ok_or_else(|| ProtocolError::INVALID_PARAMETER("InjectFault needs parameter `Fault`"))?;
    let fault: model::Fault = serde_json::from_value(value.clone()).map_err(|e| {
        ProtocolError::INVALID_PARAMETER(format!("InjectFault: Fault is not a fault: {e}"))
    })?;
    Ok(Translated::Entry(Box::new(TimelineEntry {
        fault: Some(fault),
        ..entry()
    })))
}

/// The problems of `scenario` extended by `client` and `candidate`, if any.
pub fn problems_with(
    scenario: &Scenario,
    client: &[TimelineEntry],
    candidate: &TimelineEntry,
) -> Option<String> {
    let mut extended = scenario.clone();
    extended.timeline.extend(client.iter().cloned());
    extended.timeline.push(candidate.clone());
    let problems = rpsim_scenario::validate(&extended);
    let first = problems.first()?;
    Some(first.message.clone())
}

/// A CIM interval `ddddddddhhmmss.mmmmmm:000` in nanoseconds.
pub fn parse_interval(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    if bytes.len() != 25 || bytes[14] != b'.' || &text[21..] != ":000" {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u64> {
        let part = &text[range];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (days, hours, minutes, seconds, micros) = (
        digits(0..8)?,
        digits(8..10)?,
        digits(10..12)?,
        digits(12..14)?,
        digits(15..21)?,
    );
    if hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    let total_s = ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
    total_s
        .checked_mul(1_000_000_000)?
        .checked_add(micros * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_as_cim_writes_them() {
        assert_eq!(
            parse_interval("00000000000005.000000:000"),
            Some(5_000_000_000)
        );
        assert_eq!(
            parse_interval("00000001000000.000001:000"),
            Some(86_400_000_001_000)
        );
        let formatted = rpsim_export::cimtime::interval(90_000_000_000);
        assert_eq!(parse_interval(&formatted), Some(90_000_000_000));
        for bad in [
            "5s",
            "00000000000060.000000:000",
            "0000000000000x.000000:000",
            "",
        ] {
            assert_eq!(parse_interval(bad), None, "{bad}");
        }
    }
}
