//! A systemic taper plan: the home regimen's total MME brought down to zero in equal steps that
//! the clinician sets (a percent of the starting total, every so many days). There is no default
//! rate: the reference this app follows gives none, so the clinician chooses it.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::error::{Error, Field, Problem};
use crate::engine::quantities::format::with_unit;
use crate::engine::quantities::time::after;
use crate::engine::quantities::units::Days;

/// At most this starting MME, mg/day (our design: beyond is a typing error).
pub const MAX_START_MME: f64 = 100_000.0;
/// The smallest step, percent of the starting total (100 steps at most).
pub const MIN_PERCENT: f64 = 1.0;
/// The longest time between steps, days.
pub const MAX_DAYS_BETWEEN: f64 = 90.0;

/// What to taper.
#[derive(Debug, Clone, PartialEq)]
pub struct TaperInput {
    /// The starting total, MME in mg/day.
    pub start_mme: f64,
    /// Each step takes away this percent of the starting total.
    pub percent_per_step: f64,
    /// Days between steps.
    pub days_between: f64,
    /// The first step's date.
    pub start: DateTime,
}

/// One step: from `at`, `mme` mg/day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaperStep {
    /// When.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
    /// The total from then on, MME in mg/day.
    pub mme: f64,
}

fn bound(field: Field, v: f64, low: f64, high: f64, unit: &str) -> Result<(), Error> {
    if !v.is_finite() {
        return Err(Error::new(field, Problem::NotFinite));
    }
    if v < low {
        return Err(Error::new(
            field,
            Problem::Below {
                value: with_unit(v, unit),
                bound: with_unit(low, unit),
                bound_name: "the smallest accepted".into(),
            },
        ));
    }
    if v > high {
        return Err(Error::above(
            field,
            with_unit(v, unit),
            with_unit(high, unit),
            "the largest accepted",
        ));
    }
    Ok(())
}

/// The steps from the first reduction to zero.
///
/// # Errors
/// At the field: a starting MME that is not a positive number up to [`MAX_START_MME`], a percent
/// outside [`MIN_PERCENT`] to 100, days between outside 1 to [`MAX_DAYS_BETWEEN`], a date past the
/// calendar.
pub fn taper(input: &TaperInput) -> Result<Vec<TaperStep>, Error> {
    if !(input.start_mme.is_finite() && input.start_mme > 0.0) {
        return Err(Error::new(Field::SystemicMme, Problem::Zero));
    }
    bound(Field::SystemicMme, input.start_mme, 0.0, MAX_START_MME, "mg/day")?;
    bound(Field::TaperPercent, input.percent_per_step, MIN_PERCENT, 100.0, "%")?;
    bound(Field::TaperDays, input.days_between, 1.0, MAX_DAYS_BETWEEN, "days")?;
    let steps = (100.0 / input.percent_per_step - 1e-9).ceil().max(1.0) as u32;
    let every = Days::new(input.days_between).map_err(|e| e.at(Field::TaperDays))?;
    let mut out = Vec::with_capacity(steps as usize);
    let mut at = input.start;
    for k in 1..=steps {
        let left = 1.0 - f64::from(k) * input.percent_per_step / 100.0;
        out.push(TaperStep {
            at,
            mme: if k == steps {
                0.0
            } else {
                (input.start_mme * left).max(0.0)
            },
        });
        at = after(at, every).map_err(|e| Error::new(Field::TaperDays, e.problem))?;
    }
    Ok(out)
}
