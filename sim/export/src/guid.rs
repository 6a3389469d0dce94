//! GUIDs as WMI shows them (`8A3B5C1D-...`, upper case, no braces). Owns formatting and parsing
//! only; it must never generate GUIDs from randomness (callers derive them deterministically).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    pub const NIL: Guid = Guid([0; 16]);

    /// Builds a GUID from 128 bits, setting the RFC 4122 version (8, custom) and variant bits.
    pub fn from_u128(bits: u128) -> Guid {
        let mut bytes = bits.to_be_bytes();
        bytes[6] = (bytes[6] & 0x0f) | 0x80;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Guid(bytes)
    }
}

impl fmt::Display for Guid {
    /// `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX`, upper case, built in a stack buffer: every job
    /// object carries several GUIDs, and one `write!` per byte was a tenth of a job read.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut text = [0u8; 36];
        let mut at = 0;
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                text[at] = b'-';
                at += 1;
            }
            text[at] = HEX[usize::from(byte >> 4)];
            text[at + 1] = HEX[usize::from(byte & 0x0F)];
            at += 2;
        }
        assert_eq!(at, text.len());
        f.write_str(std::str::from_utf8(&text).expect("ASCII"))
    }
}

impl FromStr for Guid {
    type Err = String;
    fn from_str(s: &str) -> Result<Guid, String> {
        let trimmed = s.trim_start_matches('{').trim_end_matches('}');
        let hex: String = trimmed.chars().filter(|c| *c != '-').collect();
        let dashes_ok = trimmed.len() == 36
            && [8, 13, 18, 23]
                .iter()
                .all(|&i| trimmed.as_bytes()[i] == b'-');
        if hex.len() != 32 || !dashes_ok || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!(
                "`{s}` is not a GUID (expected XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX)"
            ));
        }
        let mut bytes = [0u8; 16];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
        }
        Ok(Guid(bytes))
    }
}

impl Serialize for Guid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Guid {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Guid, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_round_trips_through_text() {
        let g = Guid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        let text = g.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(text.parse::<Guid>().unwrap(), g);
        assert!("not-a-guid".parse::<Guid>().is_err());
    }
}
