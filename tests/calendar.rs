//! The engine's own calendar arithmetic (`add_minutes`) against jiff's checked addition: the same
//! date-time for any start from year -9,000 to 9,000 and any offset up to ±100 years, and none
//! exactly where jiff refuses (beyond year 9999 or before -9999).
#![cfg(not(target_arch = "wasm32"))]

use itdose::engine::quantities::time::add_minutes;
use jiff::SignedDuration;
use jiff::civil::{Date, DateTime};
use proptest::prelude::*;

fn start(year: i16, month: i8, day: i8, hour: i8, minute: i8, second: i8) -> Option<DateTime> {
    let day = day.min(Date::new(year, month, 1).ok()?.days_in_month());
    Some(Date::new(year, month, day).ok()?.at(hour, minute, second, 0))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]
    #[test]
    fn the_same_as_jiff(
        year in -9_000_i16..=9_000, month in 1_i8..=12, day in 1_i8..=31,
        hour in 0_i8..24, minute in 0_i8..60, second in 0_i8..60,
        minutes in -52_596_000_i64..=52_596_000,
    ) {
        let Some(at) = start(year, month, day, hour, minute, second) else { return Ok(()) };
        let jiff = at.checked_add(SignedDuration::from_mins(minutes)).ok();
        prop_assert_eq!(add_minutes(at, minutes), jiff);
    }
}

/// Worked examples: across a leap day (2028-02-28 23:30 + 60 min = 2028-02-29 00:30), a century
/// that is not a leap year (2100-02-28 + 1 day = 2100-03-01), one that is (2000-02-28 + 1 day =
/// 2000-02-29), back across the epoch (1970-01-01 00:00 − 1 min = 1969-12-31 23:59), seconds kept,
/// and the edges of the calendar.
#[test]
fn worked_examples() {
    let at = |y, mo, d, h, mi| jiff::civil::date(y, mo, d).at(h, mi, 0, 0);
    assert_eq!(add_minutes(at(2028, 2, 28, 23, 30), 60), Some(at(2028, 2, 29, 0, 30)));
    assert_eq!(add_minutes(at(2100, 2, 28, 9, 0), 1_440), Some(at(2100, 3, 1, 9, 0)));
    assert_eq!(add_minutes(at(2000, 2, 28, 9, 0), 1_440), Some(at(2000, 2, 29, 9, 0)));
    assert_eq!(add_minutes(at(1970, 1, 1, 0, 0), -1), Some(at(1969, 12, 31, 23, 59)));
    let with_seconds = jiff::civil::date(2026, 11, 25).at(9, 0, 7, 0);
    assert_eq!(
        add_minutes(with_seconds, 1),
        Some(jiff::civil::date(2026, 11, 25).at(9, 1, 7, 0))
    );
    assert_eq!(add_minutes(at(9999, 12, 31, 23, 59), 1), None);
    assert_eq!(add_minutes(at(-9999, 1, 1, 0, 0), -1), None);
    assert_eq!(add_minutes(at(2026, 1, 1, 0, 0), i64::MAX), None);
}
