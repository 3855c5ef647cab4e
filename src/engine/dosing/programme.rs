//! A single drug in simple continuous infusion: flow rate from dose and concentration (or the
//! reverse), and the reservoir's fall from the fill to the low-reservoir alarm and to empty.
//!
//! Formulas (dose = rate × concentration is the definition of a continuous infusion):
//! - flow rate (mL/day) = daily dose (mg/day) ÷ concentration (mg/mL)
//! - days to alarm = (fill volume − alarm volume) ÷ flow rate
//! - days to empty = fill volume ÷ flow rate
//!
//! Dates are civil (wall-clock) date-times: the caller passes the fill date and time, the engine
//! never reads a clock. Alarm and empty times are rounded **down** to the minute, so a displayed
//! time is never later than the modelled one.

use jiff::SignedDuration;
use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::catalogue::pump::{Mark, PumpSpec, Sourced};
use crate::engine::error::{Error, Field, Problem};
use crate::engine::quantities::format::Display as _;
use crate::engine::quantities::units::{Concentration, Days, DoseRate, Mass, MassUnit, Millilitres, MlPerDay};

/// The longest interval the engine will put on a calendar. A plan that lasts longer has a rate
/// so low that it is certainly a typing error; this is a representational bound, not a clinical one.
const LONGEST_INTERVAL_DAYS: f64 = 36_525.0;

/// Flow rate that delivers `daily_dose` at `concentration`.
///
/// # Errors
/// [`Field::Concentration`] or [`Field::DailyDose`] when zero.
///
/// # Examples
/// ```
/// use itdose::engine::{flow_rate_for_dose, MgPerDay, MgPerMl};
/// // 2 mg/day ÷ 10 mg/mL = 0.2 mL/day
/// let rate = flow_rate_for_dose(MgPerDay::new(2.0)?, MgPerMl::new(10.0)?)?;
/// assert!((rate.value() - 0.2).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn flow_rate_for_dose<U: MassUnit>(
    daily_dose: DoseRate<U>,
    concentration: Concentration<U>,
) -> Result<MlPerDay, Error> {
    if concentration.value() == 0.0 {
        return Err(Error::new(Field::Concentration, Problem::Zero));
    }
    if daily_dose.value() == 0.0 {
        return Err(Error::new(Field::DailyDose, Problem::Zero));
    }
    (daily_dose / concentration).ok_or_else(|| {
        Error::new(
            Field::FlowRate,
            Problem::OutOfRange {
                detail: "daily dose ÷ concentration is too large".into(),
            },
        )
    })
}

/// Daily dose delivered by `flow_rate` at `concentration`.
///
/// # Errors
/// [`Field::FlowRate`] if the product is too large to represent.
pub fn daily_dose_for_rate<U: MassUnit>(
    flow_rate: MlPerDay,
    concentration: Concentration<U>,
) -> Result<DoseRate<U>, Error> {
    let dose = flow_rate * concentration;
    DoseRate::new(dose.value()).map_err(|e| e.at(Field::DailyDose))
}

/// What the user entered for a single-drug continuous plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "U: MassUnit")]
pub struct ContinuousInput<U: MassUnit> {
    /// The pump in use.
    pub pump: PumpSpec,
    /// Volume put into the reservoir.
    pub fill_volume: Millilitres,
    /// Drug concentration in the reservoir.
    pub concentration: Concentration<U>,
    /// Target daily dose.
    pub daily_dose: DoseRate<U>,
    /// Reservoir volume at which the low-reservoir alarm sounds.
    pub low_reservoir_alarm: Millilitres,
    /// When the pump was filled (wall-clock).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub filled_at: DateTime,
}

/// A caution that does not block the plan (an unverified bound crossed, for example).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caution {
    /// The field it is about.
    pub field: Field,
    /// What to check, in words.
    pub message: String,
}

/// The computed plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "U: MassUnit")]
pub struct ContinuousPlan<U: MassUnit> {
    /// The input this plan was computed from.
    pub input: ContinuousInput<U>,
    /// Programmed flow rate.
    pub flow_rate: MlPerDay,
    /// Drug in the reservoir at the fill.
    pub drug_in_reservoir: Mass<U>,
    /// Days from the fill until the low-reservoir alarm.
    pub days_to_alarm: Days,
    /// When the low-reservoir alarm sounds (rounded down to the minute).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub alarm_at: DateTime,
    /// Days from the fill until the reservoir is empty.
    pub days_to_empty: Days,
    /// When the reservoir is empty (rounded down to the minute).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub empty_at: DateTime,
    /// Cautions that do not block.
    pub cautions: Vec<Caution>,
}

impl<U: MassUnit> ContinuousPlan<U> {
    /// Reservoir volume `elapsed` after the fill (never below zero).
    pub fn volume_at(&self, elapsed: Days) -> Millilitres {
        self.input.fill_volume.saturating_sub(self.flow_rate * elapsed)
    }
}

/// The reservoir's fall at a constant rate: from the fill to the low-reservoir alarm and to empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReservoirProjection {
    /// When the pump was filled.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub filled_at: DateTime,
    /// Volume at the fill.
    pub fill_volume: Millilitres,
    /// Alarm volume.
    pub low_reservoir_alarm: Millilitres,
    /// Pump capacity.
    pub capacity: Millilitres,
    /// Rate.
    pub flow_rate: MlPerDay,
    /// Days from the fill until the low-reservoir alarm.
    pub days_to_alarm: Days,
    /// When the low-reservoir alarm sounds (rounded down to the minute).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub alarm_at: DateTime,
    /// Days from the fill until the reservoir is empty.
    pub days_to_empty: Days,
    /// When the reservoir is empty (rounded down to the minute).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub empty_at: DateTime,
    /// Cautions that do not block (unverified bounds crossed).
    pub cautions: Vec<Caution>,
}

impl ReservoirProjection {
    /// Reservoir volume `elapsed` after the fill (never below zero).
    pub fn volume_at(&self, elapsed: Days) -> Millilitres {
        self.fill_volume.saturating_sub(self.flow_rate * elapsed)
    }
}

/// Projects the reservoir at `flow_rate`, checking the fill against the pump capacity, the alarm
/// against the fill, and the rate against the pump's range.
///
/// - days to alarm = (fill volume − alarm volume) ÷ flow rate
/// - days to empty = fill volume ÷ flow rate
///
/// # Errors
/// Fill volume zero or above the capacity; alarm zero or not below the fill; rate below the pump's
/// minimum or above a verified maximum; an interval too long to put on a calendar.
pub fn project_reservoir(
    pump: &PumpSpec,
    fill: Millilitres,
    alarm: Millilitres,
    flow_rate: MlPerDay,
    filled_at: DateTime,
) -> Result<ReservoirProjection, Error> {
    check_fill(pump, fill, alarm)?;
    let mut cautions = check_rate(pump, flow_rate)?;
    cautions.extend(alarm_caution(pump, alarm));
    let days_to_alarm = days_for(fill.saturating_sub(alarm), flow_rate)?;
    let days_to_empty = days_for(fill, flow_rate)?;
    Ok(ReservoirProjection {
        filled_at,
        fill_volume: fill,
        low_reservoir_alarm: alarm,
        capacity: pump.capacity,
        flow_rate,
        days_to_alarm,
        alarm_at: after(filled_at, days_to_alarm)?,
        days_to_empty,
        empty_at: after(filled_at, days_to_empty)?,
        cautions,
    })
}

/// Checks the fill against the pump capacity and the alarm against the fill.
///
/// # Errors
/// Fill volume zero or above the capacity; alarm zero or not below the fill.
pub fn check_fill(pump: &PumpSpec, fill: Millilitres, alarm: Millilitres) -> Result<(), Error> {
    if fill.value() == 0.0 {
        return Err(Error::new(Field::FillVolume, Problem::Zero));
    }
    if fill > pump.capacity {
        return Err(Error::above(
            Field::FillVolume,
            fill.ismp(),
            pump.capacity.ismp(),
            "the pump capacity",
        ));
    }
    if alarm.value() == 0.0 {
        return Err(Error::new(Field::LowReservoirAlarm, Problem::Zero));
    }
    if alarm >= fill {
        return Err(Error::new(
            Field::LowReservoirAlarm,
            Problem::NotBelow {
                value: alarm.ismp(),
                bound: fill.ismp(),
                bound_name: "the fill volume".into(),
            },
        ));
    }
    Ok(())
}

/// Checks a rate against the pump's range: below a known minimum (or above a verified maximum)
/// is an error; above an unverified maximum is a caution.
///
/// # Errors
/// Zero rate; rate below the pump's minimum; rate above a verified maximum.
pub fn check_rate(pump: &PumpSpec, flow_rate: MlPerDay) -> Result<Vec<Caution>, Error> {
    if flow_rate.value() == 0.0 {
        return Err(Error::new(Field::FlowRate, Problem::Zero));
    }
    if let Some(minimum) = pump.minimum_rate
        && flow_rate < minimum
    {
        return Err(Error::below(
            Field::FlowRate,
            flow_rate.ismp(),
            minimum.ismp(),
            "the pump's minimum rate",
        ));
    }
    let mut cautions = Vec::new();
    if let Some(Sourced {
        value: maximum,
        mark,
        source,
    }) = &pump.maximum_rate
        && flow_rate > *maximum
    {
        if *mark == Mark::Verified {
            return Err(Error::above(
                Field::FlowRate,
                flow_rate.ismp(),
                maximum.ismp(),
                "the pump's maximum rate",
            ));
        }
        cautions.push(Caution {
            field: Field::FlowRate,
            message: format!(
                "Flow rate {} is above the pump's maximum rate of {} ({}; {}).",
                flow_rate.ismp(),
                maximum.ismp(),
                mark.describe(),
                source
            ),
        });
    }
    Ok(cautions)
}

/// A caution when the alarm is below the pump's recommended volume.
pub fn alarm_caution(pump: &PumpSpec, alarm: Millilitres) -> Option<Caution> {
    let recommended = pump.recommended_alarm.as_ref()?;
    (alarm < recommended.value).then(|| Caution {
        field: Field::LowReservoirAlarm,
        message: format!(
            "Low-reservoir alarm {} is below the recommended {} ({}): withdrawal has been reported with residuals above 2 mL.",
            alarm.ismp(),
            recommended.value.ismp(),
            recommended.source
        ),
    })
}

/// Computes a single-drug continuous plan.
///
/// # Errors
/// The first invalid field in form order: fill volume zero or above the pump capacity;
/// concentration or dose zero; alarm zero or not below the fill volume; flow rate below the pump's
/// minimum (or above a verified maximum); an interval too long to put on a calendar.
pub fn plan_continuous<U: MassUnit>(input: &ContinuousInput<U>) -> Result<ContinuousPlan<U>, Error> {
    let fill = input.fill_volume;
    if fill.value() == 0.0 {
        return Err(Error::new(Field::FillVolume, Problem::Zero));
    }
    if fill > input.pump.capacity {
        return Err(Error::above(
            Field::FillVolume,
            fill.ismp(),
            input.pump.capacity.ismp(),
            "the pump capacity",
        ));
    }
    let flow_rate = flow_rate_for_dose(input.daily_dose, input.concentration)?;
    let projection = project_reservoir(&input.pump, fill, input.low_reservoir_alarm, flow_rate, input.filled_at)?;
    let drug_in_reservoir = Mass::new((fill * input.concentration).value()).map_err(|e| e.at(Field::Concentration))?;
    Ok(ContinuousPlan {
        input: input.clone(),
        flow_rate,
        drug_in_reservoir,
        days_to_alarm: projection.days_to_alarm,
        alarm_at: projection.alarm_at,
        days_to_empty: projection.days_to_empty,
        empty_at: projection.empty_at,
        cautions: projection.cautions,
    })
}

fn days_for(volume: Millilitres, rate: MlPerDay) -> Result<Days, Error> {
    match volume / rate {
        Some(days) if days.value() <= LONGEST_INTERVAL_DAYS => Ok(days),
        _ => Err(Error::new(
            Field::FlowRate,
            Problem::OutOfRange {
                detail: format!("{} would last more than 100 years", volume.ismp()),
            },
        )),
    }
}

/// `start` plus `days`, rounded down to the minute.
pub(crate) fn after(start: DateTime, days: Days) -> Result<DateTime, Error> {
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
