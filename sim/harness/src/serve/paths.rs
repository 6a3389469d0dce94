//! WMI object paths as clients write them:
//! `\\HOST\root\virtualization\v2:Msvm_CollectionReferencePointExportJob.InstanceID="…"`, with
//! or without the `\\HOST\namespace:` prefix, keys `Name="value"` separated by commas, values in
//! double quotes with `\"` and `\\` escaped (WMI's object path syntax). Owns parsing and
//! formatting paths and the class names rpsim serves; it must never resolve a path to an object.

use super::protocol::ProtocolError;

/// The namespace every path lives in.
pub const NAMESPACE: &str = r"root\virtualization\v2";

pub const EXPORT_JOB: &str = "Msvm_CollectionReferencePointExportJob";
/// The base class; enumerating it returns the export jobs (WMI enumerates subclasses too).
pub const CONCRETE_JOB: &str = "CIM_ConcreteJob";
pub const REFERENCE_POINT_COLLECTION: &str = "Msvm_ReferencePointCollection";
pub const VIRTUAL_SYSTEM_COLLECTION: &str = "Msvm_VirtualSystemCollection";
pub const SERVICE: &str = "Msvm_CollectionReferencePointService";
pub const AFFECTED_JOB_ELEMENT: &str = "Msvm_AffectedJobElement";

/// A parsed object path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectPath {
    /// The host of a full path (`None` for a relative path).
    pub host: Option<String>,
    pub class: String,
    /// Keys in the order written.
    pub keys: Vec<(String, String)>,
}

impl ObjectPath {
    /// The value of key `name` (case-insensitive, as WMI compares names).
    pub fn key(&self, name: &str) -> Option<&str> {
        self.keys
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the class is `class` (case-insensitive).
    pub fn is(&self, class: &str) -> bool {
        self.class.eq_ignore_ascii_case(class)
    }
}

/// The full path of an instance: `\\host\root\virtualization\v2:Class.Key="value",...`.
pub fn format(host: &str, class: &str, keys: &[(&str, &str)]) -> String {
    let keys: Vec<String> = keys
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', r"\\").replace('"', "\\\"")))
        .collect();
    format!(r"\\{host}\{NAMESPACE}:{class}.{}", keys.join(","))
}

/// Parses `text` as an object path.
pub fn parse(text: &str) -> Result<ObjectPath, ProtocolError> {
    let bad = |why: &str| {
        ProtocolError::INVALID_OBJECT_PATH(format!(
            "`{}` is not an object path: {why}; write \\\\HOST\\{NAMESPACE}:Class.Key=\"value\"",
            rpsim_scenario::text::one_line(text)
        ))
    };
    let (host, relative) = match text.strip_prefix(r"\\") {
        Some(rest) => {
            let (host, rest) = rest.split_once('\\').ok_or_else(|| bad("no namespace"))?;
            let (namespace, relative) = rest.split_once(':').ok_or_else(|| bad("no `:`"))?;
            if !namespace.eq_ignore_ascii_case(NAMESPACE) {
                return Err(ProtocolError::INVALID_OBJECT_PATH(format!(
                    "namespace `{}` is not served; rpsim serves {NAMESPACE}",
                    rpsim_scenario::text::one_line(namespace)
                )));
            }
            (Some(host.to_string()), relative)
        }
        None => (None, text),
    };
    let (class, mut rest) = relative
        .split_once('.')
        .ok_or_else(|| bad("no `.` after the class"))?;
    if class.is_empty() || !class.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(bad("the class name is not a WMI name"));
    }
    let mut keys = Vec::new();
    loop {
        let (name, after) = rest
            .split_once('=')
            .ok_or_else(|| bad("a key has no `=`"))?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(bad("a key name is not a WMI name"));
        }
        let after = after
            .strip_prefix('"')
            .ok_or_else(|| bad("a key value is not quoted"))?;
        let (value, after) = quoted(after).ok_or_else(|| bad("a key value is not closed"))?;
        keys.push((name.to_string(), value));
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None if after.is_empty() => break,
            None => return Err(bad("text after a key value")),
        }
    }
    Ok(ObjectPath {
        host,
        class: class.to_string(),
        keys,
    })
}

/// The value of a quoted string whose opening quote is already consumed, and the rest.
fn quoted(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &text[i + 1..])),
            '\\' => value.push(chars.next()?.1),
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_and_relative_paths_parse_and_round_trip() {
        let text = format("host-a", EXPORT_JOB, &[("InstanceID", "A\"B\\C")]);
        assert_eq!(
            text,
            r#"\\host-a\root\virtualization\v2:Msvm_CollectionReferencePointExportJob.InstanceID="A\"B\\C""#
        );
        let path = parse(&text).unwrap();
        assert_eq!(path.host.as_deref(), Some("host-a"));
        assert!(path.is(EXPORT_JOB));
        assert_eq!(path.key("instanceid"), Some("A\"B\\C"));
        let relative =
            parse(r#"Msvm_ReferencePointCollection.CollectionID="x",Other="y""#).unwrap();
        assert_eq!(relative.host, None);
        assert_eq!(relative.keys.len(), 2);
    }

    #[test]
    fn malformed_paths_are_refused_with_the_reason() {
        for (text, why) in [
            ("nothing", "no `.`"),
            (r#"C.K="open"#, "not closed"),
            ("C.K=x", "not quoted"),
            (r#"C.K="a"junk"#, "text after"),
            (r#"\\h\root\cimv2:C.K="a""#, "not served"),
            ("C-x.K=\"a\"", "WMI name"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.message.contains(why), "{text}: {}", e.message);
        }
    }
}
