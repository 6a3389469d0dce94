//! Units used in scenario files: byte sizes (`64GiB`), sim durations (`250ms`), byte rates
//! (`100MiB/s`) and percentages (`10%`). Owns parsing and display of those quantities; it must
//! never know what the quantities are used for.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Largest byte quantity a scenario may name: 64 TiB. Anything larger is refused when parsed.
pub const BYTE_SIZE_MAX: u64 = 64 << 40;
/// Longest sim duration a scenario may name: 30 days.
pub const DURATION_NS_MAX: u64 = 30 * 24 * 3600 * 1_000_000_000;

const BYTE_UNITS: &[(&str, u64)] = &[
    ("B", 1),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
];

const TIME_UNITS: &[(&str, u64)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("min", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Spellings people write for a time unit, and the unit meant: named in the refusal.
const TIME_UNIT_SPELLINGS: &[(&str, &str)] = &[
    ("sec", "s"),
    ("secs", "s"),
    ("second", "s"),
    ("seconds", "s"),
    ("m", "min"),
    ("mins", "min"),
    ("minute", "min"),
    ("minutes", "min"),
    ("hr", "h"),
    ("hrs", "h"),
    ("hour", "h"),
    ("hours", "h"),
    ("msec", "ms"),
    ("µs", "us"),
    ("usec", "us"),
    ("nsec", "ns"),
];

/// A number of bytes, written as `4096`, `512B`, `64KiB`, `1.5GiB` or `10GB`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteSize(pub u64);

/// A sim duration in integer nanoseconds, written as `0`, `150ns`, `20us`, `250ms`, `3s`, `2min`, `1h`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimDuration(pub u64);

/// A rate in bytes per second, written as `100MiB/s` (the `/s` is required).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteRate(pub u64);

/// A percentage, written as `10%` or `12.5%`; stored in hundredths of a percent (0..=10000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Percent(pub u32);

impl ByteSize {
    pub fn bytes(self) -> u64 {
        self.0
    }
    pub fn is_zero(&self) -> bool {
        self.0 == 0
    }
}
impl SimDuration {
    pub fn ns(self) -> u64 {
        self.0
    }
}
impl ByteRate {
    pub fn bytes_per_s(self) -> u64 {
        self.0
    }
}
impl Percent {
    pub fn basis_points(self) -> u32 {
        self.0
    }
    /// `value * self`, rounded down.
    pub fn of(self, value: u64) -> u64 {
        ((value as u128 * self.0 as u128) / 10_000) as u64
    }
}

/// Splits `12.5GiB` into (`12.5`, `GiB`). Blanks between the number and the unit are allowed
/// (`30 s`, `64 GiB`, `10 %`): the unit is still one of the listed ones.
fn split_number(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(text.len());
    (text[..end].trim(), text[end..].trim())
}

/// Parses `number` (decimal, optional fraction) times `scale`, refusing overflow and values
/// that are not whole in the base unit.
fn scaled(number: &str, scale: u64, what: &str, original: &str) -> Result<u64, String> {
    let number = number.replace('_', "");
    if number.is_empty() {
        return Err(format!("`{original}` is not a {what}: it has no number"));
    }
    let (whole, frac) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number.as_str(), ""),
    };
    if whole.is_empty() || frac.contains('.') || frac.len() > 9 {
        return Err(format!("`{original}` is not a {what}: malformed number"));
    }
    let whole: u128 = whole
        .parse()
        .map_err(|_| format!("`{original}` is not a {what}: malformed number"))?;
    let frac_value: u128 = if frac.is_empty() {
        0
    } else {
        frac.parse()
            .map_err(|_| format!("`{original}` is not a {what}: malformed number"))?
    };
    let frac_den = 10u128.pow(frac.len() as u32);
    let too_large = || format!("`{original}` is too large for a {what}");
    let total = whole
        .checked_mul(scale as u128)
        .and_then(|t| t.checked_mul(frac_den))
        .and_then(|t| t.checked_add(frac_value * scale as u128))
        .ok_or_else(too_large)?;
    if total % frac_den != 0 {
        return Err(format!(
            "`{original}` is not a whole number of the base unit of a {what}"
        ));
    }
    let total = total / frac_den;
    u64::try_from(total).map_err(|_| too_large())
}

fn lookup(units: &[(&str, u64)], unit: &str) -> Option<u64> {
    units
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|(_, s)| *s)
}

fn unit_names(units: &[(&str, u64)]) -> String {
    units.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

/// Parses a byte size such as `64GiB`; a bare number is bytes.
pub fn parse_byte_size(text: &str) -> Result<ByteSize, String> {
    let (number, unit) = split_number(text.trim());
    let scale = if unit.is_empty() {
        1
    } else {
        lookup(BYTE_UNITS, unit).ok_or_else(|| {
            format!(
                "`{text}` has an unknown size unit `{unit}`; allowed: {}",
                unit_names(BYTE_UNITS)
            )
        })?
    };
    let bytes = scaled(number, scale, "byte size", text)?;
    if bytes > BYTE_SIZE_MAX {
        return Err(format!("`{text}` is larger than the limit of 64TiB"));
    }
    Ok(ByteSize(bytes))
}

/// Parses a duration such as `250ms`; a bare `0` is allowed, other bare numbers are not.
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let (number, unit) = split_number(text.trim());
    if unit.is_empty() {
        if number == "0" {
            return Ok(SimDuration(0));
        }
        return Err(format!(
            "`{text}` needs a time unit; allowed: {}",
            unit_names(TIME_UNITS)
        ));
    }
    let scale = lookup(TIME_UNITS, unit).ok_or_else(|| {
        let hint = TIME_UNIT_SPELLINGS
            .iter()
            .find(|(spelling, _)| spelling.eq_ignore_ascii_case(unit))
            .map_or(String::new(), |(_, meant)| {
                format!(" (for `{unit}`, write `{number}{meant}`)")
            });
        format!(
            "`{text}` has an unknown time unit `{unit}`; allowed: {}{hint}",
            unit_names(TIME_UNITS)
        )
    })?;
    let ns = scaled(number, scale, "duration", text)?;
    if ns > DURATION_NS_MAX {
        return Err(format!("`{text}` is longer than the limit of 30 days"));
    }
    Ok(SimDuration(ns))
}

/// Parses a rate such as `100MiB/s`.
pub fn parse_byte_rate(text: &str) -> Result<ByteRate, String> {
    let trimmed = text.trim();
    let Some(size) = trimmed.strip_suffix("/s") else {
        return Err(format!(
            "`{text}` is not a rate: write it as a size per second, such as `100MiB/s`"
        ));
    };
    let bytes = parse_byte_size(size).map_err(|e| format!("rate {e}"))?;
    if bytes.0 == 0 {
        return Err(format!(
            "`{text}` is a rate of zero; a rate must be positive"
        ));
    }
    Ok(ByteRate(bytes.0))
}

/// Parses a percentage such as `12.5%`.
pub fn parse_percent(text: &str) -> Result<Percent, String> {
    let trimmed = text.trim();
    let Some(number) = trimmed.strip_suffix('%') else {
        return Err(format!("`{text}` is not a percentage: write it like `10%`"));
    };
    let value = scaled(number.trim(), 100, "percentage", text)?;
    if value > 10_000 {
        return Err(format!("`{text}` is more than 100%"));
    }
    Ok(Percent(value as u32))
}

/// Accepts a YAML integer or string and hands the text to `parse`.
fn deserialize_with<'de, D, T>(
    deserializer: D,
    expecting: &'static str,
    parse: fn(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct TextVisitor<T> {
        expecting: &'static str,
        parse: fn(&str) -> Result<T, String>,
    }
    impl<T> de::Visitor<'_> for TextVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.parse)(v).map_err(E::custom)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            (self.parse)(&v.to_string()).map_err(E::custom)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            if v < 0 {
                return Err(E::custom(format!("{v} is negative; {}", self.expecting)));
            }
            (self.parse)(&v.to_string()).map_err(E::custom)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
            Err(E::custom(format!(
                "{v} is a bare fraction; write {} with a unit",
                self.expecting
            )))
        }
    }
    deserializer.deserialize_any(TextVisitor { expecting, parse })
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_with(d, "a byte size such as `64GiB`", parse_byte_size)
    }
}
impl<'de> Deserialize<'de> for SimDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_with(d, "a duration such as `250ms`", parse_duration)
    }
}
impl<'de> Deserialize<'de> for ByteRate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_with(d, "a rate such as `100MiB/s`", parse_byte_rate)
    }
}
impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_with(d, "a percentage such as `10%`", parse_percent)
    }
}

/// Each unit serialises as its display text (`64GiB`, `250ms`), which parses back to itself.
macro_rules! serialize_as_text {
    ($($unit:ty),*) => {$(
        impl Serialize for $unit {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
    )*};
}
serialize_as_text!(ByteSize, SimDuration, ByteRate, Percent);

fn display_scaled(f: &mut fmt::Formatter, value: u64, units: &[(&str, u64)]) -> fmt::Result {
    let best = units
        .iter()
        .filter(|(_, s)| *s <= value.max(1) && value % s == 0)
        .max_by_key(|(_, s)| *s)
        .copied()
        .unwrap_or(units[0]);
    write!(f, "{}{}", value / best.1, best.0)
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        display_scaled(f, self.0, &BYTE_UNITS[..5])
    }
}
impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        display_scaled(f, self.0, TIME_UNITS)
    }
}
impl fmt::Display for ByteRate {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}/s", ByteSize(self.0))
    }
}
impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.0 % 100 == 0 {
            write!(f, "{}%", self.0 / 100)
        } else {
            write!(f, "{}.{:02}%", self.0 / 100, self.0 % 100)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes_parse_with_binary_and_decimal_units() {
        assert_eq!(parse_byte_size("64GiB").unwrap().0, 64 << 30);
        assert_eq!(parse_byte_size("1.5KiB").unwrap().0, 1536);
        assert_eq!(parse_byte_size("10GB").unwrap().0, 10_000_000_000);
        assert_eq!(parse_byte_size("4096").unwrap().0, 4096);
        assert!(parse_byte_size("1.3B").is_err());
        assert!(parse_byte_size("65TiB").unwrap_err().contains("limit"));
        assert!(parse_byte_size("12Gb")
            .unwrap_err()
            .contains("unknown size unit"));
    }

    #[test]
    fn huge_numbers_are_refused_without_overflow() {
        let digits = "9".repeat(38);
        for text in [format!("{digits}TiB"), format!("{digits}.999999999TiB")] {
            assert!(
                parse_byte_size(&text).unwrap_err().contains("too large"),
                "{text}"
            );
        }
        assert!(parse_duration(&format!("{digits}h")).is_err());
        assert!(
            parse_byte_size(&"9".repeat(60)).is_err(),
            "beyond u128 is malformed"
        );
    }

    #[test]
    fn durations_need_units_except_zero() {
        assert_eq!(parse_duration("250ms").unwrap().0, 250_000_000);
        assert_eq!(parse_duration("0").unwrap().0, 0);
        assert!(parse_duration("5")
            .unwrap_err()
            .contains("needs a time unit"));
        assert_eq!(parse_duration("2min").unwrap().0, 120_000_000_000);
    }

    #[test]
    fn a_space_before_the_unit_is_accepted_and_other_spellings_are_refused_with_a_hint() {
        assert_eq!(parse_duration("30 s"), parse_duration("30s"));
        assert_eq!(parse_duration("1.5 min").unwrap().0, 90_000_000_000);
        assert_eq!(parse_byte_size("64 GiB"), parse_byte_size("64GiB"));
        assert_eq!(parse_byte_rate("100 MiB/s"), parse_byte_rate("100MiB/s"));
        assert_eq!(parse_percent("10 %"), parse_percent("10%"));
        for (text, hint) in [
            ("30sec", "write `30s`"),
            ("30 sec", "write `30s`"),
            ("2m", "write `2min`"),
            ("1hr", "write `1h`"),
        ] {
            let error = parse_duration(text).unwrap_err();
            assert!(error.contains("unknown time unit"), "{error}");
            assert!(error.ends_with(&format!("{hint})")), "{error}");
        }
        assert!(!parse_duration("3 parsecs").unwrap_err().contains("write"));
    }

    #[test]
    fn rates_and_percentages() {
        assert_eq!(parse_byte_rate("100MiB/s").unwrap().0, 100 << 20);
        assert!(parse_byte_rate("100MiB").is_err());
        assert!(parse_byte_rate("0B/s").is_err());
        assert_eq!(parse_percent("12.5%").unwrap().0, 1250);
        assert!(parse_percent("101%").is_err());
        assert_eq!(Percent(1000).of(200), 20);
    }

    #[test]
    fn display_round_trips() {
        for text in ["64GiB", "1MiB", "3B", "250ms", "2min"] {
            let shown = if text.ends_with('B') {
                parse_byte_size(text).unwrap().to_string()
            } else {
                parse_duration(text).unwrap().to_string()
            };
            assert_eq!(shown, text);
        }
    }
}
