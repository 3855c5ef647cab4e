//! Parsing of what the user typed. Strict on purpose: a pump dose is no place for guessing.
//!
//! - A comma is refused, not read: "0,5" is 0.5 to a German reader and 5 to a thousands-separator
//!   parser, a ten-fold error either way. The message asks for a decimal point.
//! - Exponents, signs other than a leading minus, spaces inside the number, "NaN" and "inf" are
//!   refused.

use jiff::civil::{Date, Time};

use crate::engine::error::{Error, Field, Problem};

/// Parses a plain decimal number such as "40", "0.048" or ".5".
///
/// # Errors
/// [`Problem::Missing`] for empty input, [`Problem::NotANumber`] for anything else that is not a
/// plain decimal.
pub fn parse_number(field: Field, text: &str) -> Result<f64, Error> {
    let trimmed = text.trim();
    let refuse = |hint: &str| {
        Err(Error::new(
            field,
            Problem::NotANumber {
                text: trimmed.to_owned(),
                hint: hint.to_owned(),
            },
        ))
    };
    if trimmed.is_empty() {
        return Err(Error::new(field, Problem::Missing));
    }
    if trimmed.contains(',') {
        return refuse("use a decimal point, not a comma, and no thousands separators");
    }
    let digits = trimmed.strip_prefix('-').unwrap_or(trimmed);
    let mut points = 0;
    let mut digit_count = 0;
    for c in digits.chars() {
        match c {
            '0'..='9' => digit_count += 1,
            '.' => points += 1,
            _ => return refuse("use digits and one decimal point only"),
        }
    }
    if points > 1 || digit_count == 0 {
        return refuse("use digits and one decimal point only");
    }
    match trimmed.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => refuse("too large"),
    }
}

/// Splits `text` on `separator` into fields of exactly the given digit counts.
/// (`<input type="date">` and `type="time"` give fixed ISO forms; jiff validates the calendar.)
fn fixed_digit_fields(text: &str, separator: char, widths: &[usize]) -> Option<Vec<i16>> {
    let parts: Vec<&str> = text.split(separator).collect();
    if parts.len() != widths.len() {
        return None;
    }
    parts
        .iter()
        .zip(widths)
        .map(|(part, &width)| {
            (part.len() == width && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<i16>().ok())
                .flatten()
        })
        .collect()
}

/// Parses an ISO date "2026-11-25" (what `<input type="date">` gives).
///
/// # Errors
/// [`Problem::Missing`], or [`Problem::NotANumber`] naming the expected form or saying the day
/// does not exist (30 February).
pub fn parse_date(field: Field, text: &str) -> Result<Date, Error> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::new(field, Problem::Missing));
    }
    let refuse = |hint: &str| {
        Error::new(
            field,
            Problem::NotANumber {
                text: trimmed.to_owned(),
                hint: hint.to_owned(),
            },
        )
    };
    let parts = fixed_digit_fields(trimmed, '-', &[4, 2, 2]).ok_or_else(|| refuse("expected a date as YYYY-MM-DD"))?;
    let [year, month, day] = parts.as_slice() else {
        return Err(refuse("expected a date as YYYY-MM-DD"));
    };
    let (Ok(month), Ok(day)) = (i8::try_from(*month), i8::try_from(*day)) else {
        return Err(refuse("no such date"));
    };
    Date::new(*year, month, day).map_err(|_| refuse("no such date"))
}

/// Parses a 24-hour time "09:30" or "09:30:15" (what `<input type="time">` gives).
///
/// # Errors
/// [`Problem::Missing`] or [`Problem::NotANumber`] naming the expected form.
pub fn parse_time(field: Field, text: &str) -> Result<Time, Error> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::new(field, Problem::Missing));
    }
    let refuse = || {
        Error::new(
            field,
            Problem::NotANumber {
                text: trimmed.to_owned(),
                hint: "expected a 24-hour time as HH:MM".into(),
            },
        )
    };
    let parts = fixed_digit_fields(trimmed, ':', &[2, 2])
        .or_else(|| fixed_digit_fields(trimmed, ':', &[2, 2, 2]))
        .ok_or_else(refuse)?;
    let narrow = |v: Option<&i16>| v.map_or(Some(0), |&v| i8::try_from(v).ok());
    match (narrow(parts.first()), narrow(parts.get(1)), narrow(parts.get(2))) {
        (Some(h), Some(m), Some(s)) => Time::new(h, m, s, 0).map_err(|_| refuse()),
        _ => Err(refuse()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_decimals() {
        for (text, value) in [
            ("40", 40.0),
            ("0.048", 0.048),
            (" 2 ", 2.0),
            (".5", 0.5),
            ("10.", 10.0),
            ("-1", -1.0),
        ] {
            assert_eq!(parse_number(Field::FillVolume, text), Ok(value), "{text}");
        }
    }

    #[test]
    fn refuses_commas_exponents_and_words() {
        for text in [
            "0,5", "1,000", "1e3", "NaN", "inf", "4o", "1.2.3", "+1", "--1", ".", "-", "1 000",
        ] {
            let err = parse_number(Field::FillVolume, text);
            assert!(
                matches!(
                    err,
                    Err(Error {
                        field: Field::FillVolume,
                        at: None,
                        problem: Problem::NotANumber { .. }
                    })
                ),
                "{text}"
            );
        }
        assert_eq!(
            parse_number(Field::DailyDose, "  "),
            Err(Error::new(Field::DailyDose, Problem::Missing))
        );
    }

    #[test]
    fn comma_message_explains_why() {
        let msg = parse_number(Field::Concentration, "0,5").map_err(|e| e.to_string());
        assert_eq!(
            msg,
            Err("Concentration: \u{201c}0,5\u{201d} is not a number (use a decimal point, not a comma, and no thousands separators)".into())
        );
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(
            parse_date(Field::FillDate, "2026-11-25"),
            Ok(jiff::civil::date(2026, 11, 25))
        );
        assert!(parse_date(Field::FillDate, "25/11/2026").is_err());
        assert!(parse_date(Field::FillDate, "2026-02-30").is_err());
        assert_eq!(parse_time(Field::FillTime, "09:30"), Ok(jiff::civil::time(9, 30, 0, 0)));
        assert!(parse_time(Field::FillTime, "25:00").is_err());
        assert_eq!(
            parse_time(Field::FillTime, "23:59:30"),
            Ok(jiff::civil::time(23, 59, 30, 0))
        );
        for bad in ["9:30", "09:3", "09-30", "0930", "09:30:", "-1:00", "09:60"] {
            assert!(parse_time(Field::FillTime, bad).is_err(), "{bad}");
        }
        for bad in [
            "2026-2-28",
            "26-02-28",
            "2026/02/28",
            "2026-13-01",
            "2026-00-10",
            "+2026-01-01",
        ] {
            assert!(parse_date(Field::FillDate, bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_date(Field::FillDate, "2028-02-29"),
            Ok(jiff::civil::date(2028, 2, 29))
        );
    }
}
