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
                text: echo(trimmed),
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

/// At most this many characters of what was typed are quoted back in a message.
const ECHO_CHARS: usize = 24;

/// What was typed, as a message quotes it: a paste of 10,000 characters is quoted by its start
/// ("123456789012345678901234…"), so the message stays a line next to its field.
pub fn echo(text: &str) -> String {
    match text.char_indices().nth(ECHO_CHARS) {
        Some((end, _)) => format!("{}\u{2026}", &text[..end]),
        None => text.to_owned(),
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
/// [`Problem::Missing`], or [`Problem::NotADateOrTime`] naming the expected form or saying the
/// day does not exist (30 February).
pub fn parse_date(field: Field, text: &str) -> Result<Date, Error> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::new(field, Problem::Missing));
    }
    let refuse = |hint: &str| {
        Error::new(
            field,
            Problem::NotADateOrTime {
                text: echo(trimmed),
                what: "a date".into(),
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
/// [`Problem::Missing`] or [`Problem::NotADateOrTime`] naming the expected form.
pub fn parse_time(field: Field, text: &str) -> Result<Time, Error> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::new(field, Problem::Missing));
    }
    let refuse = || {
        Error::new(
            field,
            Problem::NotADateOrTime {
                text: echo(trimmed),
                what: "a time".into(),
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
    fn a_long_paste_is_quoted_by_its_start() {
        // 10,000 digits parse to infinity: refused as too large, and the message quotes 24 of
        // them, not all 10,000 (the bad-input matrix pastes them into every field).
        let paste = "1234567890".repeat(1000);
        let msg = parse_number(Field::FillVolume, &paste).map_err(|e| e.to_string());
        assert_eq!(
            msg,
            Err("Fill volume: \u{201c}123456789012345678901234\u{2026}\u{201d} is not a number (too large)".into())
        );
        let date = parse_date(Field::FillDate, &paste).map_err(|e| e.to_string());
        assert!(date.is_err_and(|m| m.chars().count() < 100), "date message stays short");
        let time = parse_time(Field::FillTime, &paste).map_err(|e| e.to_string());
        assert!(time.is_err_and(|m| m.chars().count() < 100), "time message stays short");
        // Multi-byte characters are cut at a character, never inside one.
        let words = "\u{e9}".repeat(30);
        assert!(
            parse_number(Field::FillVolume, &words)
                .is_err_and(|e| e.to_string().contains(&format!("{}\u{2026}", "\u{e9}".repeat(24))))
        );
        // A short entry is quoted whole.
        assert!(parse_number(Field::FillVolume, "4o").is_err_and(|e| e.to_string().contains("\u{201c}4o\u{201d}")));
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
        // A date or time that does not read is said to be no date or time (it was "not a number").
        assert_eq!(
            parse_date(Field::FillDate, "2026-02-30").map_err(|e| e.to_string()),
            Err("Fill date: \u{201c}2026-02-30\u{201d} is not a date (no such date)".into())
        );
        assert_eq!(
            parse_time(Field::FillTime, "25:00").map_err(|e| e.to_string()),
            Err("Fill time: \u{201c}25:00\u{201d} is not a time (expected a 24-hour time as HH:MM)".into())
        );
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
