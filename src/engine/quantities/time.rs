//! Dates after the fill: a duration added to a wall-clock date-time, rounded down to the minute
//! so that a displayed time is never later than the modelled one.

use jiff::civil::{Date, DateTime, Time};

use crate::engine::error::{Error, Field, Problem};
use crate::engine::quantities::units::Days;

/// The longest interval the engine will put on a calendar. A plan that lasts longer has a rate
/// so low that it is certainly a typing error; this is a representational bound, not a clinical one.
pub const LONGEST_INTERVAL_DAYS: f64 = 36_525.0;

/// `start` plus `days`, rounded down to the minute.
pub fn after(start: DateTime, days: Days) -> Result<DateTime, Error> {
    // Bound first: beyond this the minute count could overflow (and no clinical date lies there).
    if days.value() > LONGEST_INTERVAL_DAYS {
        return Err(Error::new(
            Field::FillDate,
            Problem::OutOfRange {
                detail: "the date would be more than 100 years away".into(),
            },
        ));
    }
    // Rounding down must not turn float noise into a lost minute: 38 mL ÷ 0.2 mL/day is
    // 189.99999999999997 in binary floating point, which is 190 days, not 189 days 23:59. A relative
    // nudge of 1e-9 (under 0.02 s per 100 days) absorbs that noise and nothing clinical.
    // days ≤ LONGEST_INTERVAL_DAYS, so the minute count fits an i64 with room to spare.
    let minutes = (days.value() * 24.0 * 60.0 * (1.0 + 1e-9)).floor() as i64;
    add_minutes(start, minutes).ok_or_else(|| {
        Error::new(
            Field::FillDate,
            Problem::OutOfRange {
                detail: "the date would be past year 9999".into(),
            },
        )
    })
}

/// Days from 1970-01-01 to the proleptic Gregorian date `year`-`month`-`day` (H. Hinnant's
/// `days_from_civil`: eras of 400 years, 146,097 days each, the year starting in March).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01: (year, month, day) (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// `start` plus `minutes` (seconds and fractions kept), or none beyond the calendar (years -9999
/// to 9999). The engine's own calendar arithmetic: jiff's checked addition would bring its whole
/// error catalogue into the wasm bundle; a property test checks this against jiff natively.
pub fn add_minutes(start: DateTime, minutes: i64) -> Option<DateTime> {
    let day = days_from_civil(
        i64::from(start.year()),
        i64::from(start.month()),
        i64::from(start.day()),
    );
    let total = day
        .checked_mul(1_440)?
        .checked_add(i64::from(start.hour()) * 60 + i64::from(start.minute()))?
        .checked_add(minutes)?;
    let (year, month, day) = civil_from_days(total.div_euclid(1_440));
    let minute_of_day = total.rem_euclid(1_440);
    let date = Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let time = Time::new(
        i8::try_from(minute_of_day / 60).ok()?,
        i8::try_from(minute_of_day % 60).ok()?,
        start.second(),
        start.subsec_nanosecond(),
    )
    .ok()?;
    Some(date.to_datetime(time))
}
