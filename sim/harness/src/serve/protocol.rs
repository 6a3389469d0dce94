//! The wire form of the `rpsim serve` protocol (PROTOCOL.md): one JSON request per line
//! (`{"id": ..., "method": "...", "params": {...}}`), one JSON answer per line
//! (`{"id": ..., "result": {...}}` or `{"id": ..., "error": {"code", "name", "message"}}`), the
//! WBEM error codes answers use, and typed access to parameters. Owns parsing and rendering of
//! lines; it must never look at the world or decide what a method does.

use serde_json::{Map, Value};

/// The protocol version `Hello` agrees on.
pub const PROTOCOL_VERSION: u64 = 1;

/// A request's failure: a WBEM error code (as WMI returns to a client), its name and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolError {
    pub code: u32,
    pub name: &'static str,
    pub message: String,
}

macro_rules! wbem_errors {
    ($($fn_name:ident => $name:literal = $code:literal;)*) => {
        /// The WBEM codes answers use (WbemErrorEnum, 0x8004xxxx).
        pub mod wbem {
            $(#[doc = $name] pub const $fn_name: u32 = $code;)*
        }
        impl ProtocolError {
            $(
                #[allow(non_snake_case)]
                pub fn $fn_name(message: impl Into<String>) -> ProtocolError {
                    ProtocolError { code: $code, name: $name, message: message.into() }
                }
            )*
        }
    };
}

wbem_errors! {
    NOT_FOUND => "WBEM_E_NOT_FOUND" = 0x8004_1002;
    TYPE_MISMATCH => "WBEM_E_TYPE_MISMATCH" = 0x8004_1005;
    INVALID_PARAMETER => "WBEM_E_INVALID_PARAMETER" = 0x8004_1008;
    INVALID_CLASS => "WBEM_E_INVALID_CLASS" = 0x8004_1010;
    INVALID_OPERATION => "WBEM_E_INVALID_OPERATION" = 0x8004_1016;
    INVALID_SYNTAX => "WBEM_E_INVALID_SYNTAX" = 0x8004_1017;
    INVALID_METHOD => "WBEM_E_INVALID_METHOD" = 0x8004_102E;
    SHUTTING_DOWN => "WBEM_E_SHUTTING_DOWN" = 0x8004_1033;
    INVALID_OBJECT_PATH => "WBEM_E_INVALID_OBJECT_PATH" = 0x8004_103A;
    QUOTA_VIOLATION => "WBEM_E_QUOTA_VIOLATION" = 0x8004_106C;
}

/// One parsed request.
#[derive(Clone, Debug)]
pub struct Request {
    /// Echoed in the answer (any JSON value; `null` when absent).
    pub id: Value,
    pub method: String,
    pub params: Map<String, Value>,
}

/// Parses a request line; on failure, the id (when it could be read) and the error.
pub fn parse_request(line: &str) -> Result<Request, (Value, ProtocolError)> {
    let value: Value = serde_json::from_str(line).map_err(|e| {
        (
            Value::Null,
            ProtocolError::INVALID_SYNTAX(format!("the request is not JSON: {e}")),
        )
    })?;
    let Value::Object(mut object) = value else {
        return Err((
            Value::Null,
            ProtocolError::INVALID_SYNTAX("the request is not a JSON object"),
        ));
    };
    let id = object.remove("id").unwrap_or(Value::Null);
    let method = match object.remove("method") {
        Some(Value::String(method)) => method,
        Some(_) => {
            let e = ProtocolError::TYPE_MISMATCH("`method` must be a string");
            return Err((id, e));
        }
        None => {
            let e = ProtocolError::INVALID_SYNTAX("the request has no `method`");
            return Err((id, e));
        }
    };
    let params = match object.remove("params") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(params)) => params,
        Some(_) => {
            let e = ProtocolError::TYPE_MISMATCH("`params` must be an object");
            return Err((id, e));
        }
    };
    if let Some(extra) = object.keys().next() {
        let e = ProtocolError::INVALID_SYNTAX(format!(
            "unknown request field `{}`; a request has `id`, `method` and `params`",
            rpsim_scenario::text::one_line(extra)
        ));
        return Err((id, e));
    }
    Ok(Request { id, method, params })
}

/// The answer line (no newline) for a result.
pub fn answer_ok(id: &Value, result: Value) -> String {
    let mut object = Map::new();
    object.insert("id".into(), id.clone());
    object.insert("result".into(), result);
    Value::Object(object).to_string()
}

/// The answer line (no newline) for an error.
pub fn answer_error(id: &Value, error: &ProtocolError) -> String {
    let mut body = Map::new();
    body.insert("code".into(), Value::from(error.code));
    body.insert("name".into(), Value::from(error.name));
    body.insert("message".into(), Value::from(error.message.clone()));
    let mut object = Map::new();
    object.insert("id".into(), id.clone());
    object.insert("error".into(), Value::Object(body));
    Value::Object(object).to_string()
}

/// Typed access to one request's parameters, with errors that name the method and parameter.
pub struct Params<'a> {
    pub method: &'a str,
    pub map: &'a Map<String, Value>,
}

impl<'a> Params<'a> {
    /// Refuses parameters the method does not take.
    pub fn only(&self, known: &[&str]) -> Result<(), ProtocolError> {
        match self.map.keys().find(|k| !known.contains(&k.as_str())) {
            None => Ok(()),
            Some(unknown) => Err(ProtocolError::INVALID_PARAMETER(format!(
                "{} has no parameter `{}`; its parameters: {}",
                self.method,
                rpsim_scenario::text::one_line(unknown),
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ))),
        }
    }

    fn missing(&self, name: &str) -> ProtocolError {
        ProtocolError::INVALID_PARAMETER(format!("{} needs parameter `{name}`", self.method))
    }

    fn mismatch(&self, name: &str, wanted: &str) -> ProtocolError {
        ProtocolError::TYPE_MISMATCH(format!(
            "{}: parameter `{name}` must be {wanted}",
            self.method
        ))
    }

    /// An optional parameter (`null` counts as absent).
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    pub fn string(&self, name: &str) -> Result<&'a str, ProtocolError> {
        self.opt_string(name)?.ok_or_else(|| self.missing(name))
    }

    pub fn opt_string(&self, name: &str) -> Result<Option<&'a str>, ProtocolError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(self.mismatch(name, "a string")),
        }
    }

    pub fn unsigned(&self, name: &str, max: u64) -> Result<u64, ProtocolError> {
        let value = self.get(name).ok_or_else(|| self.missing(name))?;
        value
            .as_u64()
            .filter(|v| *v <= max)
            .ok_or_else(|| self.mismatch(name, &format!("an integer from 0 to {max}")))
    }

    pub fn string_array(&self, name: &str, max: usize) -> Result<Vec<&'a str>, ProtocolError> {
        let Some(value) = self.get(name) else {
            return Ok(Vec::new());
        };
        let wanted = format!("an array of at most {max} strings");
        let Value::Array(items) = value else {
            return Err(self.mismatch(name, &wanted));
        };
        if items.len() > max {
            return Err(self.mismatch(name, &wanted));
        }
        items
            .iter()
            .map(|item| item.as_str().ok_or_else(|| self.mismatch(name, &wanted)))
            .collect()
    }

    pub fn opt_object(&self, name: &str) -> Result<Option<Params<'a>>, ProtocolError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Params {
                method: self.method,
                map,
            })),
            Some(_) => Err(self.mismatch(name, "an object")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_requests_get_located_errors() {
        let (_, e) = parse_request("{").unwrap_err();
        assert_eq!(e.code, wbem::INVALID_SYNTAX);
        let (id, e) = parse_request(r#"{"id":7,"method":3}"#).unwrap_err();
        assert_eq!((id, e.code), (Value::from(7), wbem::TYPE_MISMATCH));
        let (_, e) = parse_request(r#"{"id":1,"method":"Get","oops":1}"#).unwrap_err();
        assert!(e.message.contains("oops"), "{}", e.message);
        let (_, e) = parse_request("[1]").unwrap_err();
        assert_eq!(e.code, wbem::INVALID_SYNTAX);
    }

    #[test]
    fn not_found_is_wmis_code() {
        assert_eq!(wbem::NOT_FOUND, 2_147_749_890);
        let line = answer_error(&Value::from(1), &ProtocolError::NOT_FOUND("gone"));
        assert_eq!(
            line,
            r#"{"error":{"code":2147749890,"message":"gone","name":"WBEM_E_NOT_FOUND"},"id":1}"#
        );
    }

    #[test]
    fn parameters_are_typed() {
        let request = parse_request(r#"{"method":"M","params":{"a":"x","n":70000}}"#).unwrap();
        let p = Params {
            method: "M",
            map: &request.params,
        };
        assert_eq!(p.string("a").unwrap(), "x");
        assert_eq!(
            p.unsigned("n", 65535).unwrap_err().code,
            wbem::TYPE_MISMATCH
        );
        assert_eq!(p.string("b").unwrap_err().code, wbem::INVALID_PARAMETER);
        assert!(p.only(&["a"]).unwrap_err().message.contains("`n`"));
    }
}
