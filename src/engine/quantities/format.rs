//! ISMP formatting of numbers and quantities for every screen, chart and printout.
//!
//! Rules (ISMP list of error-prone abbreviations, symbols and dose designations):
//! no trailing zero ("1 mg", never "1.0 mg"); always a leading zero ("0.5 mg", never ".5 mg");
//! "mcg" never "µg"; "mL" never "cc"; a space between number and unit; thousands separated
//! ("1,000 mcg").
//!
//! Precision: four significant figures, but never fewer than all the integer digits, so
//! 0.048 stays 0.048, 0.208333 shows as 0.2083 and 15,000 stays 15,000. Four figures keep every
//! pump-programmable step visible (SynchroMed II programs to 0.001 mL/day at the low end) without
//! printing float noise such as 190.00000000000003.

use jiff::civil::{DateTime, Weekday};

use crate::engine::quantities::units::{Concentration, Days, DoseRate, Hours, Mass, MassUnit, Millilitres, MlPerDay};

/// Significant figures shown for fractional values.
const SIGNIFICANT_FIGURES: i32 = 4;
/// No display ever shows more decimals than this; smaller values show as "0".
const MAX_DECIMALS: i32 = 9;

/// Formats a number the ISMP way. Non-finite values (which the engine never produces) show as
/// "not a number" rather than panicking or printing "NaN".
pub fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return "not a number".to_owned();
    }
    let decimals = decimals_for(value);
    let text = format!("{:.*}", usize::try_from(decimals).unwrap_or(0), value.abs());
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, f.trim_end_matches('0')),
        None => (text.as_str(), ""),
    };
    let is_zero = int_part.chars().all(|c| c == '0') && frac_part.is_empty();
    let mut out = String::new();
    if value < 0.0 && !is_zero {
        out.push('-');
    }
    out.push_str(&group_thousands(int_part));
    if !frac_part.is_empty() {
        out.push('.');
        out.push_str(frac_part);
    }
    out
}

fn decimals_for(value: f64) -> i32 {
    let magnitude = value.abs();
    if magnitude == 0.0 {
        return 0;
    }
    // floor(log10) is the position of the leading digit: 190 -> 2, 0.048 -> -2.
    let leading = magnitude.log10().floor() as i32;
    (SIGNIFICANT_FIGURES - 1 - leading).clamp(0, MAX_DECIMALS)
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats a number followed by a space and its unit symbol: "0.048 mL/day".
pub fn with_unit(value: f64, symbol: &str) -> String {
    format!("{} {}", format_number(value), symbol)
}

/// A quantity that can be shown the ISMP way.
pub trait Display {
    /// "0.2 mL/day", "1,000 mcg", "190 days".
    fn ismp(&self) -> String;
}

impl Display for Millilitres {
    fn ismp(&self) -> String {
        with_unit(self.value(), Self::SYMBOL)
    }
}
impl Display for MlPerDay {
    fn ismp(&self) -> String {
        with_unit(self.value(), Self::SYMBOL)
    }
}
impl Display for crate::engine::quantities::units::PerHour {
    fn ismp(&self) -> String {
        with_unit(self.value(), "/h")
    }
}
impl Display for Hours {
    fn ismp(&self) -> String {
        with_unit(self.value(), Self::SYMBOL)
    }
}
impl Display for Days {
    fn ismp(&self) -> String {
        let text = format_number(self.value());
        let unit = if text == "1" { "day" } else { "days" };
        format!("{text} {unit}")
    }
}
impl Display for crate::engine::quantities::units::VolumeChange {
    /// "+0.5 mL", "-1.2 mL", "0 mL".
    fn ismp(&self) -> String {
        let text = with_unit(self.value(), "mL");
        if self.value() > 0.0 && text != "0 mL" {
            format!("+{text}")
        } else {
            text
        }
    }
}

impl<U: MassUnit> Display for Mass<U> {
    fn ismp(&self) -> String {
        with_unit(self.value(), &self.symbol())
    }
}
impl<U: MassUnit> Display for Concentration<U> {
    fn ismp(&self) -> String {
        with_unit(self.value(), &self.symbol())
    }
}
impl<U: MassUnit> Display for DoseRate<U> {
    fn ismp(&self) -> String {
        with_unit(self.value(), &self.symbol())
    }
}

// Dates are printed from jiff's fields rather than with `strftime`: the format is fixed, and jiff's
// strftime printer pulls its whole error catalogue into the wasm bundle (about 40 KB gzip, measured
// with scripts/bundle-size.sh). The calendar arithmetic itself stays with jiff.

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_name(month: i8) -> &'static str {
    usize::try_from(month - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("?")
}

fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    }
}

/// Formats a wall-clock date-time unambiguously for clinical use: "Thu 3 Jun 2027, 09:36".
/// A numeric date such as 03/06/2027 reads as March in one country and June in another.
pub fn format_date_time(at: DateTime) -> String {
    format!(
        "{} {}, {:02}:{:02}",
        weekday_name(at.weekday()),
        format_date(at),
        at.hour(),
        at.minute()
    )
}

/// Formats a date for chart axes: "3 Jun 2027".
pub fn format_date(at: DateTime) -> String {
    format!("{} {} {}", at.day(), month_name(at.month()), at.year())
}

/// ISO 8601 date, as `<input type="date">` expects: "2026-11-25".
pub fn iso_date(at: DateTime) -> String {
    format!("{:04}-{:02}-{:02}", at.year(), at.month(), at.day())
}

/// 24-hour time to the minute, as `<input type="time">` expects: "09:05".
pub fn iso_time(at: DateTime) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ismp_number_table() {
        let table: &[(f64, &str)] = &[
            (1.0, "1"),          // no trailing zero
            (0.5, "0.5"),        // leading zero
            (0.048, "0.048"),    // SynchroMed II minimum rate stays exact
            (0.2, "0.2"),        // flow rate in the worked example
            (190.0, "190"),      // days to alarm in the worked example
            (1000.0, "1,000"),   // thousands separator
            (15000.0, "15,000"), // integer digits are never rounded away
            (1234567.8, "1,234,568"),
            (0.208_333_3, "0.2083"), // four significant figures
            (19.2, "19.2"),
            (2.4, "2.4"),
            (0.0026, "0.0026"), // Prometra catheter mL/cm
            (0.0, "0"),
            (-0.0, "0"),
            (-1.5, "-1.5"),
            (190.000_000_000_000_03, "190"), // float noise is not shown
            (0.000_000_000_1, "0"),
        ];
        for (value, expected) in table {
            assert_eq!(format_number(*value), *expected, "formatting {value}");
        }
    }

    #[test]
    fn non_finite_never_panics() {
        assert_eq!(format_number(f64::NAN), "not a number");
        assert_eq!(format_number(f64::INFINITY), "not a number");
        // The largest finite f64 has 309 integer digits: grouped, never in exponent notation.
        let max = format_number(f64::MAX);
        assert!(max.starts_with("179,769,313,486,231,570,"), "{max}");
        assert_eq!(max.len(), 309 + 102);
    }

    #[test]
    fn quantities_have_a_space_and_ismp_symbols() -> Result<(), super::super::units::QuantityError> {
        use crate::engine::quantities::units::{McgPerDay, MgPerMl};
        assert_eq!(MlPerDay::new(0.048)?.ismp(), "0.048 mL/day");
        assert_eq!(MgPerMl::new(10.0)?.ismp(), "10 mg/mL");
        assert_eq!(McgPerDay::new(1000.0)?.ismp(), "1,000 mcg/day");
        assert_eq!(Days::new(1.0)?.ismp(), "1 day");
        assert_eq!(Days::new(190.0)?.ismp(), "190 days");
        Ok(())
    }

    #[test]
    fn dates_are_unambiguous() {
        let at = jiff::civil::date(2027, 6, 3).at(9, 36, 0, 0);
        assert_eq!(format_date_time(at), "Thu 3 Jun 2027, 09:36");
        assert_eq!(format_date(at), "3 Jun 2027");
        assert_eq!(
            format_date_time(jiff::civil::date(2026, 1, 4).at(0, 5, 0, 0)),
            "Sun 4 Jan 2026, 00:05"
        );
        assert_eq!(
            (iso_date(at), iso_time(at)),
            ("2027-06-03".to_owned(), "09:36".to_owned())
        );
    }
}
