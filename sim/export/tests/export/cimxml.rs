//! `GetErrorEx` as CIM-XML: every `Msvm_Error` instance a failed, terminated or killed job
//! reports parses back (with quick-xml, as a client's parser would) to exactly the error it
//! was written from, property by property, with DSP0201's shapes (`PROPERTY` with `TYPE`,
//! arrays as `PROPERTY.ARRAY`/`VALUE.ARRAY`, null as a property without `VALUE`).

use crate::common::*;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::Reader;
use rpsim_export::cimxml;
use rpsim_export::service::{ExportService, JobId};
use rpsim_export::source::ReferencePointType;
use rpsim_export::wmi::{CimError, RequestedState};
use std::collections::BTreeMap;

/// A parsed property: (TYPE, values); `None` values for a null scalar.
type Parsed = BTreeMap<String, (String, Option<Vec<String>>, bool)>;

/// Parses one `<INSTANCE>`; panics with the offending text on anything a client would reject.
fn parse_instance(xml: &str) -> (String, Parsed) {
    let mut reader = Reader::from_str(xml);
    let mut class = String::new();
    let mut properties = Parsed::new();
    let mut current: Option<(String, String, bool)> = None;
    let mut values: Vec<String> = Vec::new();
    let mut text: Option<String> = None;
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("{e}: {xml}")) {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attr = |key: &str| {
                    e.try_get_attribute(key)
                        .unwrap()
                        .map(|a| a.unescape_value().unwrap().into_owned())
                };
                match name.as_str() {
                    "INSTANCE" => class = attr("CLASSNAME").expect("CLASSNAME"),
                    "PROPERTY" | "PROPERTY.ARRAY" => {
                        let array = name == "PROPERTY.ARRAY";
                        current = Some((attr("NAME").unwrap(), attr("TYPE").unwrap(), array));
                        values.clear();
                    }
                    "VALUE" => text = Some(String::new()),
                    "VALUE.ARRAY" => {}
                    other => panic!("unexpected element {other} in {xml}"),
                }
            }
            Event::Text(t) => {
                if let Some(buffer) = text.as_mut() {
                    buffer.push_str(&t.decode().unwrap());
                }
            }
            Event::GeneralRef(r) => {
                let buffer = text.as_mut().expect("references only inside VALUE");
                match r.resolve_char_ref().unwrap() {
                    Some(c) => buffer.push(c),
                    None => {
                        let name = r.decode().unwrap();
                        buffer.push_str(resolve_predefined_entity(&name).expect("known entity"));
                    }
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"VALUE" => values.push(text.take().unwrap()),
                b"PROPERTY" | b"PROPERTY.ARRAY" => {
                    let (name, kind, array) = current.take().unwrap();
                    let parsed = if values.is_empty() && !array {
                        None
                    } else {
                        Some(values.clone())
                    };
                    assert!(properties.insert(name, (kind, parsed, array)).is_none());
                }
                _ => {}
            },
            Event::Eof => break,
            other => panic!("unexpected {other:?} in {xml}"),
        }
    }
    (class, properties)
}

fn scalar(p: &Parsed, name: &str, kind: &str) -> Option<String> {
    let (k, values, array) = p.get(name).unwrap_or_else(|| panic!("no {name}"));
    assert_eq!((k.as_str(), *array), (kind, false), "{name}");
    values.as_ref().map(|v| {
        assert_eq!(v.len(), 1, "{name}");
        v[0].clone()
    })
}

fn array(p: &Parsed, name: &str) -> Vec<String> {
    let (k, values, is_array) = &p[name];
    assert!(*is_array && k == "string", "{name}");
    values.clone().unwrap()
}

/// The error a client rebuilds from the text.
fn rebuild(xml: &str) -> CimError {
    let (class, p) = parse_instance(xml);
    assert_eq!(class, "Msvm_Error");
    assert_eq!(p.len(), 15, "every Msvm_Error property is present");
    let number = |name: &str, kind: &str| scalar(&p, name, kind).unwrap().parse::<u32>().unwrap();
    let text = |name: &str| scalar(&p, name, "string").unwrap();
    CimError {
        error_type: number("ErrorType", "uint16") as u16,
        other_error_type: scalar(&p, "OtherErrorType", "string"),
        owning_entity: text("OwningEntity"),
        message_id: text("MessageID"),
        message: text("Message"),
        message_arguments: array(&p, "MessageArguments"),
        perceived_severity: number("PerceivedSeverity", "uint16") as u16,
        probable_cause: number("ProbableCause", "uint16") as u16,
        probable_cause_description: text("ProbableCauseDescription"),
        recommended_actions: array(&p, "RecommendedActions"),
        error_source: text("ErrorSource"),
        error_source_format: number("ErrorSourceFormat", "uint16") as u16,
        other_error_source_format: scalar(&p, "OtherErrorSourceFormat", "string"),
        cim_status_code: number("CIMStatusCode", "uint32"),
        cim_status_code_description: text("CIMStatusCodeDescription"),
    }
}

fn assert_round_trip(errors: &[CimError]) {
    assert!(!errors.is_empty(), "the job reports errors");
    let texts = cimxml::msvm_errors(errors);
    for (error, xml) in errors.iter().zip(&texts) {
        assert!(
            xml.starts_with("<INSTANCE CLASSNAME=\"Msvm_Error\">"),
            "{xml}"
        );
        assert_eq!(&rebuild(xml), error, "{xml}");
    }
}

/// A job of a one-block export into a fresh directory, called and not yet stepped.
fn started(id: u8) -> (FakeSource, ExportService, JobId, tempfile::TempDir) {
    let mut source = FakeSource::two_vm_group();
    source.write(DISK1, 0);
    let rp = source.take(id, ReferencePointType::Rct);
    let tmp = tempfile::tempdir().unwrap();
    let mut service = ExportService::new("h");
    let export_call = call(&rp, None, &tmp.path().join("e"));
    let job = start(&mut service, &source, &export_call);
    (source, service, job, tmp)
}

fn kill(service: &mut ExportService, job: JobId) {
    let code = service.request_state_change(job, RequestedState::Kill.code(), 0, 1_500);
    assert_eq!(code, Ok(0), "a fresh job is cancellable");
}

#[test]
fn a_failed_jobs_errors_parse_back_exactly() {
    let (source, mut service, job, _tmp) = started(0x51);
    let mut target = FaultyTarget::new();
    target.space_bytes = Some(1024);
    let last = run(&mut service, job, &source, &mut target).pop().unwrap();
    assert_eq!(last.job_state, 10);
    let errors = service.get_error_ex(job, 0).unwrap().1;
    assert!(errors.len() >= 2, "a chain: {errors:#?}");
    assert_round_trip(&errors);
}

#[test]
fn a_killed_jobs_notice_parses_back_with_its_null_properties() {
    let (_source, mut service, job, _tmp) = started(0x52);
    kill(&mut service, job);
    let errors = service.get_error_ex(job, 1_500).unwrap().1;
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].other_error_type.as_deref(),
        Some("Killed by request")
    );
    assert_eq!(errors[0].other_error_source_format, None);
    assert_round_trip(&errors);
    let xml = cimxml::msvm_error(&errors[0]);
    assert!(
        xml.contains("<PROPERTY NAME=\"OtherErrorSourceFormat\" TYPE=\"string\"></PROPERTY>"),
        "a null property has no VALUE: {xml}"
    );
}

#[test]
fn markup_line_breaks_and_controls_in_messages_survive_or_are_replaced() {
    let (_source, mut service, job, _tmp) = started(0x53);
    kill(&mut service, job);
    let mut error = service
        .get_error(job, 1_500)
        .unwrap()
        .1
        .expect("GetError reports the kill");
    error.message = "a <b> & \"c\" 'd'\r\n\ttab".to_string();
    error.message_arguments = vec!["x</VALUE>".to_string(), String::new()];
    assert_round_trip(std::slice::from_ref(&error));
    error.message = "evil\u{1b}[2J".to_string();
    assert_eq!(
        rebuild(&cimxml::msvm_error(&error)).message,
        "evil\u{FFFD}[2J"
    );
}
