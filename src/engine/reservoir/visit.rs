//! The refill visit: the withdrawn volume against the expected residual, and the refill itself.
//!
//! The expected residual comes from the pump's own expected volume when it is entered, else from
//! the programme with the pump's logged patient-bolus count, else from the programme as set (with
//! typical patient use: an assumption, and the report says so). ASRA 2017 ("Accuracy in
//! intrathecal drug delivery", e-poster): evaluate a discrepancy that is outside the device's
//! accuracy **or** greater than 2 mL. Either is enough, so the flag is |withdrawn − expected| >
//! min(2 mL, accuracy × volume infused since the fill), and 2 mL alone on a pump with no labelled
//! accuracy. After the refill, the confirmed volume is checked against what should be in the
//! reservoir (Maino 2017, Neuromodulation 20:733: > 1 mL in a 20 mL pump, > 2 mL in a 40 mL pump
//! suggests a pocket fill).

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::error::{Error, Field, Location, Problem};
use crate::engine::quantities::format::Display as _;
use crate::engine::quantities::units::{Millilitres, VolumeChange};
use crate::engine::reservoir::schedule::ScenarioProjection;

/// A refill visit as entered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    /// When the residual was withdrawn.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
    /// Volume withdrawn from the reservoir.
    pub withdrawn: Millilitres,
    /// Volume injected at this visit (the new fill; checked, with the residual left in the pump,
    /// against the capacity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_fill: Option<Millilitres>,
    /// The reservoir volume the pump expects, as the programmer shows it at the visit (the best
    /// basis for the expected residual).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pump_expected: Option<Millilitres>,
    /// Patient-activated boluses delivered since the fill, from the pump's log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_boluses: Option<u32>,
    /// After the refill: the reservoir volume confirmed (by the programmer or by re-aspiration),
    /// to compare with the volume that should now be in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_after_refill: Option<Millilitres>,
}

/// Where the expected residual comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum ExpectedBasis {
    /// The pump's own expected volume, entered from the programmer.
    Pump,
    /// The programme as set plus the logged number of patient boluses.
    PatientBolusCount {
        /// Boluses logged since the fill.
        count: u32,
    },
    /// The programme as set (no patient boluses in the programme).
    Programme,
    /// The programme with the typical number of patient boluses a day: an assumption.
    TypicalScenario {
        /// Typical boluses a day.
        per_day: u32,
    },
}

/// Which way a flagged discrepancy goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Less withdrawn than expected: the pump may have delivered more than programmed.
    Shortfall,
    /// More withdrawn than expected: the pump may have delivered less than programmed.
    Excess,
}

/// The check after the refill (Maino 2017): the volume confirmed in the reservoir against the
/// volume that should be in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AfterRefill {
    /// Injected + the residual left after aspiration.
    pub expected: Millilitres,
    /// Confirmed in the reservoir.
    pub confirmed: Millilitres,
    /// Confirmed − expected.
    pub discrepancy: VolumeChange,
    /// 1 mL for a reservoir of 20 mL or less, 2 mL above (Maino 2017).
    pub threshold: Millilitres,
    /// |discrepancy| > threshold.
    pub flagged: bool,
}

/// What a visit finds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// The visit.
    pub visit: Visit,
    /// Expected residual at the visit.
    pub expected: Millilitres,
    /// Where the expected residual comes from.
    pub basis: ExpectedBasis,
    /// Volume infused since the fill (fill − expected).
    pub infused: Millilitres,
    /// Withdrawn − expected (positive: more came out than expected).
    pub discrepancy: VolumeChange,
    /// The flag threshold: min(2 mL, accuracy × infused), or 2 mL when the pump has no labelled
    /// accuracy.
    pub threshold: Millilitres,
    /// The pump's accuracy used in the threshold, ± percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy_percent: Option<f64>,
    /// |discrepancy| > threshold.
    pub flagged: bool,
    /// Which way, when flagged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// The earliest empty date, when the visit is after it or the pump was found empty.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::engine::quantities::civil_serde::optional"
    )]
    pub after_empty: Option<DateTime>,
    /// The check after the refill, when the confirmed volume is entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_refill: Option<AfterRefill>,
}

/// A recorded visit, kept in the plan's log with the figures it had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedVisit {
    /// When.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
    /// Expected residual.
    pub expected: Millilitres,
    /// Withdrawn.
    pub withdrawn: Millilitres,
    /// Withdrawn − expected.
    pub discrepancy: VolumeChange,
    /// Whether it was flagged.
    pub flagged: bool,
    /// The volume injected at the visit (plan format 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_fill: Option<Millilitres>,
    /// The volume confirmed in the reservoir after the refill (plan format 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_after_refill: Option<Millilitres>,
    /// Whether the check after the refill was flagged (Maino 2017; plan format 3).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub after_refill_flagged: bool,
}

/// The trend of logged discrepancies: each larger than the last (investigate).
pub fn growing(log: &[LoggedVisit]) -> bool {
    log.len() >= 2
        && log
            .windows(2)
            .all(|w| matches!(w, [a, b] if b.discrepancy.value().abs() > a.discrepancy.value().abs()))
}

/// What a visit is reconciled against.
#[derive(Debug, Clone, Copy)]
pub struct VisitContext<'a> {
    /// The programme without patient boluses.
    pub programme: &'a ScenarioProjection,
    /// The typical patient-bolus scenario and its boluses a day, when the programme has patient boluses.
    pub typical: Option<(&'a ScenarioProjection, u32)>,
    /// Volume of one patient bolus, when the programme has patient boluses.
    pub patient_bolus: Option<Millilitres>,
    /// When the pump was filled.
    pub filled_at: DateTime,
    /// The fill.
    pub fill: Millilitres,
    /// Pump capacity.
    pub capacity: Millilitres,
    /// The pump's labelled flow accuracy, ± percent.
    pub accuracy_percent: Option<f64>,
    /// Residual left in the pump after aspiration (mixes with the new fill).
    pub residual_left: Millilitres,
    /// The earliest the reservoir could be empty (every allowed patient bolus, fast edge).
    pub earliest_empty: DateTime,
}

/// Both checks of a visit compare with a relative tolerance of 1e-9, so that a discrepancy of
/// exactly the threshold (2 mL, say: 4 mL expected, 2 mL withdrawn) is not flagged over float noise.
fn beyond(discrepancy: f64, threshold: f64) -> bool {
    discrepancy.abs() > threshold * (1.0 + 1e-9)
}

fn at_visit(field: Field, problem: Problem) -> Error {
    Error::new(field, problem).located(Location::Visit)
}

/// Reconciles a visit (ASRA 2017: evaluate a discrepancy outside the device accuracy **or**
/// above 2 mL, so the threshold is the smaller of the two), and checks the refill (Maino 2017).
///
/// # Errors
/// At the visit's field: a visit before the fill, a withdrawn volume above the capacity, a pump
/// expected volume above the fill, a logged bolus count without patient boluses in the programme,
/// a new fill that with the residual left is above the capacity, a confirmed volume without a new
/// fill.
pub fn reconcile(visit: &Visit, cx: &VisitContext<'_>) -> Result<Reconciliation, Error> {
    check_visit(visit, cx)?;
    let days = cx.filled_at.duration_until(visit.at).as_secs_f64() / 86_400.0;
    let (expected, basis) = expected_residual(visit, cx, days);
    let infused = cx.fill.saturating_sub(expected);
    // ASRA 2017: outside the device accuracy OR above 2 mL: either is enough, so the smaller binds.
    let threshold = match cx.accuracy_percent {
        Some(a) => (a / 100.0 * infused.value()).min(2.0),
        None => 2.0,
    };
    let threshold = Millilitres::new(threshold).map_err(|e| e.at(Field::Withdrawn).located(Location::Visit))?;
    let discrepancy = VolumeChange::new(visit.withdrawn.value() - expected.value())
        .map_err(|e| e.at(Field::Withdrawn).located(Location::Visit))?;
    let flagged = beyond(discrepancy.value(), threshold.value());
    let direction = flagged.then(|| {
        if discrepancy.value() < 0.0 {
            Direction::Shortfall
        } else {
            Direction::Excess
        }
    });
    Ok(Reconciliation {
        visit: visit.clone(),
        expected,
        basis,
        infused,
        discrepancy,
        threshold,
        accuracy_percent: cx.accuracy_percent,
        flagged,
        direction,
        // After the earliest date the pump could be empty, or nothing could be withdrawn.
        after_empty: (visit.at >= cx.earliest_empty || visit.withdrawn.value() == 0.0).then_some(cx.earliest_empty),
        after_refill: after_refill_check(visit, cx)?,
    })
}

fn check_visit(visit: &Visit, cx: &VisitContext<'_>) -> Result<(), Error> {
    use crate::engine::quantities::format::format_date_time;
    if visit.at < cx.filled_at {
        return Err(at_visit(
            Field::Date,
            Problem::Invalid {
                detail: format!(
                    "the visit ({}) is before the fill ({})",
                    format_date_time(visit.at),
                    format_date_time(cx.filled_at)
                ),
            },
        ));
    }
    if visit.withdrawn > cx.capacity {
        return Err(Error::above(
            Field::Withdrawn,
            visit.withdrawn.ismp(),
            cx.capacity.ismp(),
            "the pump capacity",
        )
        .located(Location::Visit));
    }
    // The pump counts the residual left with the fill.
    let held = Millilitres::new(cx.fill.value() + cx.residual_left.value()).unwrap_or(cx.fill);
    if let Some(expected) = visit.pump_expected
        && expected.value() > held.value() * (1.0 + 1e-9)
    {
        return Err(Error::above(
            Field::PumpExpected,
            expected.ismp(),
            held.ismp(),
            "the fill with the residual",
        )
        .located(Location::Visit));
    }
    if visit.patient_boluses.is_some() && cx.patient_bolus.is_none() {
        return Err(at_visit(
            Field::PatientBoluses,
            Problem::Invalid {
                detail: "the programme has no patient boluses".into(),
            },
        ));
    }
    if let Some(new_fill) = visit.new_fill {
        let total = new_fill.value() + cx.residual_left.value();
        if total > cx.capacity.value() * (1.0 + 1e-9) {
            let value = if cx.residual_left.value() > 0.0 {
                format!(
                    "{} + the residual {} = {}",
                    new_fill.ismp(),
                    cx.residual_left.ismp(),
                    crate::engine::format::with_unit(total, Millilitres::SYMBOL)
                )
            } else {
                new_fill.ismp()
            };
            return Err(
                Error::above(Field::NewFill, value, cx.capacity.ismp(), "the pump capacity").located(Location::Visit),
            );
        }
    }
    if visit.confirmed_after_refill.is_some() && visit.new_fill.is_none() {
        return Err(at_visit(
            Field::NewFill,
            Problem::Invalid {
                detail: "enter the volume injected to check the volume confirmed after the refill".into(),
            },
        ));
    }
    Ok(())
}

/// The expected residual and its basis: the pump's own figure first, then the programme with the
/// logged bolus count, then the programme as set (typical patient use when it has patient boluses).
fn expected_residual(visit: &Visit, cx: &VisitContext<'_>, days: f64) -> (Millilitres, ExpectedBasis) {
    if let Some(expected) = visit.pump_expected {
        return (expected, ExpectedBasis::Pump);
    }
    if let (Some(count), Some(bolus)) = (visit.patient_boluses, cx.patient_bolus) {
        // expected = fill − programme delivered by the visit − count × bolus volume (floored at 0)
        let by_programme = cx.programme.volume_at(days);
        let boluses = Millilitres::new(f64::from(count) * bolus.value()).unwrap_or(Millilitres::ZERO);
        return (
            by_programme.saturating_sub(boluses),
            ExpectedBasis::PatientBolusCount { count },
        );
    }
    match cx.typical {
        Some((typical, per_day)) => (typical.volume_at(days), ExpectedBasis::TypicalScenario { per_day }),
        None => (cx.programme.volume_at(days), ExpectedBasis::Programme),
    }
}

/// Maino 2017 (Neuromodulation 20:733): after the refill, a discrepancy above 1 mL (20 mL pump)
/// or 2 mL (40 mL pump) between what should be in the reservoir and what is confirmed suggests a
/// pocket fill.
fn after_refill_check(visit: &Visit, cx: &VisitContext<'_>) -> Result<Option<AfterRefill>, Error> {
    let (Some(injected), Some(confirmed)) = (visit.new_fill, visit.confirmed_after_refill) else {
        return Ok(None);
    };
    let located = |e: crate::engine::QuantityError| e.at(Field::Confirmed).located(Location::Visit);
    let expected = Millilitres::new(injected.value() + cx.residual_left.value()).map_err(located)?;
    let threshold = Millilitres::new(if cx.capacity.value() <= 20.0 { 1.0 } else { 2.0 }).map_err(located)?;
    let discrepancy = VolumeChange::new(confirmed.value() - expected.value()).map_err(located)?;
    Ok(Some(AfterRefill {
        expected,
        confirmed,
        discrepancy,
        threshold,
        flagged: beyond(discrepancy.value(), threshold.value()),
    }))
}
