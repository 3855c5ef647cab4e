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
    serializer.serialize_str(&key(*at))
}

/// Reads "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS".
///
/// # Errors
/// A message naming the expected form.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse(&text).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "\u{201c}{}\u{201d} is not a date-time as YYYY-MM-DDTHH:MM:SS",
            crate::engine::quantities::parse::echo(&text)
        ))
    })
}

fn parse(text: &str) -> Option<DateTime> {
    let (date, time) = text.split_once('T')?;
    // A year before year 0 is written with its sign, "-0044-03-15" (the civil calendar reaches
    // year -9999): whatever is written is read back.
    let date = match date.trim_start().strip_prefix('-') {
        Some(unsigned) => {
            let d = parse_date(Field::FillDate, unsigned).ok()?;
            jiff::civil::Date::new(-d.year(), d.month(), d.day()).ok()?
        }
        None => parse_date(Field::FillDate, date).ok()?,
    };
    let time = parse_time(Field::FillTime, time).ok()?;
    Some(date.to_datetime(time))
}

/// The file form of a date-time, for keys: "2026-11-25T09:00:00" (a year before year 0 with its
/// sign and four digits: "-0044-03-15T12:00:00").
pub fn key(at: DateTime) -> String {
    let date = if at.year() < 0 {
        format!("-{:04}-{:02}-{:02}", at.year().unsigned_abs(), at.month(), at.day())
    } else {
        iso_date(at)
    };
    format!("{date}T{}:{:02}", iso_time(at), at.second())
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

    /// Found by the long run of generated plans (issue 13): a plan filled in year -9999 (the
    /// civil calendar's first year) was written as "-9999-01-01T00:00:00" and refused when read
    /// back; year -5 was written "-005-…". Every date-time the calendar holds reads back.
    #[test]
    fn every_year_of_the_calendar_reads_back() -> Result<(), serde_json::Error> {
        for year in [-9999, -5, 0, 1, 9999] {
            let at = At(jiff::civil::date(year, 2, 29 - i8::from(year % 4 != 0)).at(23, 59, 7, 0));
            let text = serde_json::to_string(&at)?;
            assert_eq!(serde_json::from_str::<At>(&text)?, at, "{text}");
        }
        assert_eq!(
            serde_json::to_string(&At(jiff::civil::date(-5, 3, 15).at(12, 0, 0, 0)))?,
            "\"-0005-03-15T12:00:00\""
        );
        assert!(serde_json::from_str::<At>("\"--2026-11-25T09:00\"").is_err());
        Ok(())
    }
}
