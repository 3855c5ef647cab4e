//! Wall-clock date-times in files as ISO 8601 without a time zone: "2026-11-25T09:00:00".
//!
//! Used with `#[serde(with = "civil_serde")]`. Reading goes through the engine's own strict date
//! and time parsers (jiff validates the calendar), so the app does not carry jiff's general
//! parser and its error catalogue (measured: about 20 KB of the gzip bundle).

use jiff::civil::DateTime;
use serde::{Deserialize, Deserializer, Serializer};

use crate::engine::error::Field;
use crate::engine::quantities::format::{iso_date, iso_time};
use crate::engine::quantities::parse::{parse_date, parse_time};

/// Writes "YYYY-MM-DDTHH:MM:SS".
///
/// # Errors
/// Whatever the serializer reports.
pub fn serialize<S: Serializer>(at: &DateTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("{}T{}:{:02}", iso_date(*at), iso_time(*at), at.second()))
}

/// Reads "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS".
///
/// # Errors
/// A message naming the expected form.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse(&text).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "\u{201c}{text}\u{201d} is not a date-time as YYYY-MM-DDTHH:MM:SS"
        ))
    })
}

fn parse(text: &str) -> Option<DateTime> {
    let (date, time) = text.split_once('T')?;
    let date = parse_date(Field::FillDate, date).ok()?;
    let time = parse_time(Field::FillTime, time).ok()?;
    Some(date.to_datetime(time))
}

/// The file form of a date-time, for keys: "2026-11-25T09:00:00".
pub fn key(at: DateTime) -> String {
    format!("{}T{}:{:02}", iso_date(at), iso_time(at), at.second())
}

/// The same for an optional date-time: `#[serde(with = "civil_serde::optional")]`.
pub mod optional {
    use jiff::civil::DateTime;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Wrap(#[serde(with = "super")] DateTime);

    /// Writes the date-time, or null.
    ///
    /// # Errors
    /// Whatever the serializer reports.
    pub fn serialize<S: Serializer>(at: &Option<DateTime>, s: S) -> Result<S::Ok, S::Error> {
        at.map(Wrap).serialize(s)
    }

    /// Reads a date-time, or null.
    ///
    /// # Errors
    /// As [`super::deserialize`].
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime>, D::Error> {
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct At(#[serde(with = "super")] DateTime);

    #[test]
    fn round_trip_and_refusals() -> Result<(), serde_json::Error> {
        let at = At(jiff::civil::date(2026, 11, 25).at(9, 5, 7, 0));
        assert_eq!(serde_json::to_string(&at)?, "\"2026-11-25T09:05:07\"");
        assert_eq!(serde_json::from_str::<At>("\"2026-11-25T09:05:07\"")?, at);
        assert_eq!(
            serde_json::from_str::<At>("\"2026-11-25T09:05\"")?,
            At(jiff::civil::date(2026, 11, 25).at(9, 5, 0, 0))
        );
        for bad in [
            "\"2026-11-25\"",
            "\"2026-02-30T09:00\"",
            "\"2026-11-25 09:00\"",
            "\"2026-11-25T09:00Z\"",
            "\"\"",
        ] {
            assert!(serde_json::from_str::<At>(bad).is_err(), "{bad}");
        }
        Ok(())
    }
}
