//! The `state` of a `request_state_change` timeline entry: one of CIM's names (`start`,
//! `suspend`, `terminate`, `kill`, `service`) or any uint16 as WMI would pass it (`7`,
//! `32768`, ... test the job's answer to undefined values). Owns that YAML form; it must never
//! decide what a value means to the job.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// `RequestedState` of `CIM_ConcreteJob.RequestStateChange`, by name or by number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestedState {
    Start,
    Suspend,
    Terminate,
    Kill,
    Service,
    /// A value with no name: 0, 1, or in the reserved ranges 7..=32767 and 32768..=65535.
    Value(u16),
}

const NAMED: [(RequestedState, &str, u16); 5] = [
    (RequestedState::Start, "start", 2),
    (RequestedState::Suspend, "suspend", 3),
    (RequestedState::Terminate, "terminate", 4),
    (RequestedState::Kill, "kill", 5),
    (RequestedState::Service, "service", 6),
];

impl RequestedState {
    /// The uint16 WMI passes.
    pub fn code(self) -> u16 {
        match self {
            RequestedState::Value(code) => code,
            named => NAMED
                .iter()
                .find(|n| n.0 == named)
                .map(|n| n.2)
                .expect("named"),
        }
    }

    /// The state a number stands for: a name for 2..=6, else `Value`.
    pub fn from_code(code: u16) -> RequestedState {
        NAMED
            .iter()
            .find(|n| n.2 == code)
            .map_or(RequestedState::Value(code), |n| n.0)
    }

    fn name(self) -> Option<&'static str> {
        NAMED.iter().find(|n| n.0 == self).map(|n| n.1)
    }
}

impl Serialize for RequestedState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.name() {
            Some(name) => serializer.serialize_str(name),
            None => serializer.serialize_u16(self.code()),
        }
    }
}

impl<'de> Deserialize<'de> for RequestedState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RequestedState, D::Error> {
        struct StateVisitor;
        impl Visitor<'_> for StateVisitor {
            type Value = RequestedState;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "one of `start`, `suspend`, `terminate`, `kill`, `service`, or a number 0..=65535",
                )
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<RequestedState, E> {
                let code = u16::try_from(value).map_err(|_| {
                    E::custom(format!(
                        "requested state {value} is out of range, expected a number 0..=65535 or one of `start`, `suspend`, `terminate`, `kill`, `service`"
                    ))
                })?;
                Ok(RequestedState::from_code(code))
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<RequestedState, E> {
                match u64::try_from(value) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Signed(value), &self)),
                }
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<RequestedState, E> {
                NAMED.iter().find(|n| n.1 == text).map(|n| n.0).ok_or_else(|| {
                    E::custom(format!(
                        "unknown requested state `{text}`, expected one of `start`, `suspend`, `terminate`, `kill`, `service`, or a number 0..=65535"
                    ))
                })
            }
        }
        deserializer.deserialize_any(StateVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_both_parse_and_serialise_back() {
        for (text, state, code) in [
            ("kill", RequestedState::Kill, 5),
            ("5", RequestedState::Kill, 5),
            ("7", RequestedState::Value(7), 7),
            ("65535", RequestedState::Value(65535), 65535),
            ("0", RequestedState::Value(0), 0),
        ] {
            let parsed: RequestedState = serde_norway::from_str(text).unwrap();
            assert_eq!((parsed, parsed.code()), (state, code), "{text}");
            let back = serde_norway::to_string(&parsed).unwrap();
            let again: RequestedState = serde_norway::from_str(&back).unwrap();
            assert_eq!(again, parsed);
        }
    }

    #[test]
    fn out_of_range_and_unknown_names_are_refused_with_what_is_allowed() {
        for text in ["65536", "-1", "kil", "1.5"] {
            let error = serde_norway::from_str::<RequestedState>(text).unwrap_err();
            let message = error.to_string();
            assert!(
                message.contains("0..=65535") || message.contains("start"),
                "{text}: {message}"
            );
        }
    }
}
