//! `GetErrorEx`'s `Errors[]` as WMI hands them to a client: each error one embedded
//! `Msvm_Error` instance serialised as CIM-XML (DMTF DSP0201: `<INSTANCE CLASSNAME=..>`,
//! `<PROPERTY NAME=.. TYPE=..><VALUE>..</VALUE></PROPERTY>`, arrays as `PROPERTY.ARRAY` /
//! `VALUE.ARRAY`, a null property with no `VALUE`). Owns that text form; it must never parse
//! (clients do) nor decide which errors a job reports.

use crate::wmi::CimError;
use std::fmt::Write as _;

/// The class every error instance is written as.
pub const ERROR_CLASS_NAME: &str = "Msvm_Error";

/// Bound on the text of one instance (a message is a few hundred bytes; this is far above).
const INSTANCE_BYTES_MAX: usize = 1 << 20;

/// One property value of an instance.
enum Value<'a> {
    Scalar(&'static str, String),
    Null(&'static str),
    Array(&'static str, &'a [String]),
}

/// `error` as one CIM-XML `INSTANCE` of `Msvm_Error`, properties in the class's MOF order.
pub fn msvm_error(error: &CimError) -> String {
    let properties: [(&str, Value); 15] = [
        ("ErrorType", uint16(error.error_type)),
        ("OtherErrorType", string(error.other_error_type.as_deref())),
        ("OwningEntity", string(Some(&error.owning_entity))),
        ("MessageID", string(Some(&error.message_id))),
        ("Message", string(Some(&error.message))),
        (
            "MessageArguments",
            Value::Array("string", &error.message_arguments),
        ),
        ("PerceivedSeverity", uint16(error.perceived_severity)),
        ("ProbableCause", uint16(error.probable_cause)),
        (
            "ProbableCauseDescription",
            string(Some(&error.probable_cause_description)),
        ),
        (
            "RecommendedActions",
            Value::Array("string", &error.recommended_actions),
        ),
        ("ErrorSource", string(Some(&error.error_source))),
        ("ErrorSourceFormat", uint16(error.error_source_format)),
        (
            "OtherErrorSourceFormat",
            string(error.other_error_source_format.as_deref()),
        ),
        (
            "CIMStatusCode",
            Value::Scalar("uint32", error.cim_status_code.to_string()),
        ),
        (
            "CIMStatusCodeDescription",
            string(Some(&error.cim_status_code_description)),
        ),
    ];
    let mut text = format!("<INSTANCE CLASSNAME=\"{ERROR_CLASS_NAME}\">");
    for (name, value) in &properties {
        write_property(&mut text, name, value);
    }
    text.push_str("</INSTANCE>");
    assert!(
        text.len() <= INSTANCE_BYTES_MAX,
        "an error instance stays small"
    );
    text
}

/// Every error of a chain, in order (what `GetErrorEx` returns in `Errors[]`).
pub fn msvm_errors(errors: &[CimError]) -> Vec<String> {
    errors.iter().map(msvm_error).collect()
}

fn uint16(value: u16) -> Value<'static> {
    Value::Scalar("uint16", value.to_string())
}

fn string(value: Option<&str>) -> Value<'static> {
    match value {
        Some(text) => Value::Scalar("string", text.to_string()),
        None => Value::Null("string"),
    }
}

fn write_property(text: &mut String, name: &str, value: &Value) {
    match value {
        Value::Scalar(kind, v) => {
            let _ = write!(
                text,
                "<PROPERTY NAME=\"{name}\" TYPE=\"{kind}\"><VALUE>{}</VALUE></PROPERTY>",
                escape(v)
            );
        }
        Value::Null(kind) => {
            let _ = write!(
                text,
                "<PROPERTY NAME=\"{name}\" TYPE=\"{kind}\"></PROPERTY>"
            );
        }
        Value::Array(kind, items) => {
            let _ = write!(
                text,
                "<PROPERTY.ARRAY NAME=\"{name}\" TYPE=\"{kind}\"><VALUE.ARRAY>"
            );
            for item in items.iter() {
                let _ = write!(text, "<VALUE>{}</VALUE>", escape(item));
            }
            text.push_str("</VALUE.ARRAY></PROPERTY.ARRAY>");
        }
    }
}

/// XML text: markup characters as entities; tab, line feed and carriage return as character
/// references (so a parser keeps them exactly); every other character XML 1.0 cannot carry
/// (other C0 controls, U+FFFE, U+FFFF) as U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_controls_cannot_break_the_document() {
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(escape("x\ny\r\tz"), "x&#10;y&#13;&#9;z");
        assert_eq!(escape("evil\u{1b}[2J"), "evil\u{FFFD}[2J");
    }
}
