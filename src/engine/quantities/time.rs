//! Dates after the fill: a duration added to a wall-clock date-time, rounded down to the minute
//! so that a displayed time is never later than the modelled one.

use jiff::SignedDuration;
use jiff::civil::DateTime;

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
    start.checked_add(SignedDuration::from_mins(minutes)).map_err(|_| {
        Error::new(
            Field::FillDate,
            Problem::OutOfRange {
                detail: "the date would be past year 9999".into(),
            },
        )
    })
}
