//! When to refill, and what the refill visit finds.
//!
//! Refill-by is the earliest of: the pump's refill-date rule under **every allowed patient bolus**
//! (Prometra's rule says so; we apply the same conservative choice to every pump), each drug's
//! stability in the pump, and the device's end-of-service date when entered.
//!
//! Reconciliation at a refill visit: the expected residual comes from the pump's own expected
//! volume when it is entered, else from the programme with the pump's logged patient-bolus count,
//! else from the programme as set (with typical patient use: an assumption, and the screen says so).
//! ASRA 2017 ("Accuracy in intrathecal drug delivery", e-poster): evaluate a discrepancy that is
//! outside the device's accuracy **or** greater than 2 mL. Either is enough, so the flag is
//! |withdrawn − expected| > min(2 mL, accuracy × volume infused since the fill), and 2 mL alone on a
//! pump with no labelled accuracy. A shortfall is possible over-infusion. After the refill, the
//! confirmed volume is checked against what should be in the reservoir (Maino 2017: > 1 mL in a
//! 20 mL pump, > 2 mL in a 40 mL pump suggests a pocket fill).

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::dosing::programme::after;
use crate::engine::error::{Error, Field};
use crate::engine::quantities::format::{Display as _, format_date_time, format_number};
use crate::engine::quantities::units::{Days, Millilitres, VolumeChange};
use crate::engine::reservoir::schedule::{Polyline, ScenarioProjection};

/// What sets the refill-by date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefillCandidate {
    /// The date this constraint allows until.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
    /// What it is, in words.
    pub reason: String,
}

/// The refill-by date and every constraint considered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefillBy {
    /// The earliest constraint: the one that binds.
    pub binding: RefillCandidate,
    /// Every constraint, earliest first.
    pub candidates: Vec<RefillCandidate>,
    /// The pump's rule at the programmed rate, shown as information when the constraint itself is
    /// taken at the fast edge of the flow accuracy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_programmed_rate: Option<RefillCandidate>,
}

/// Picks the earliest candidate.
pub fn refill_by(mut candidates: Vec<RefillCandidate>) -> Option<RefillBy> {
    candidates.sort_by_key(|c| c.at);
    let binding = candidates.first()?.clone();
    Some(RefillBy {
        binding,
        candidates,
        at_programmed_rate: None,
    })
}

/// The stability candidate of one drug: `days` after the fill.
///
/// # Errors
/// A date past year 9999.
pub fn stability_candidate(
    filled_at: DateTime,
    drug: &str,
    days: f64,
    condition: &str,
) -> Result<RefillCandidate, Error> {
    let d = Days::new(days).map_err(|e| e.at(Field::Drugs))?;
    Ok(RefillCandidate {
        at: after(filled_at, d)?,
        reason: format!("{drug} stability in the pump: {} ({condition})", d.ismp()),
    })
}

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

impl ExpectedBasis {
    /// Words for the screen.
    pub fn describe(self) -> String {
        match self {
            ExpectedBasis::Pump => "the pump's expected volume (programmer)".into(),
            ExpectedBasis::PatientBolusCount { count } => format!(
                "the programme as set plus the {count} patient bolus{} logged by the pump",
                if count == 1 { "" } else { "es" }
            ),
            ExpectedBasis::Programme => "the programme as set".into(),
            ExpectedBasis::TypicalScenario { per_day } => format!(
                "the programme with a typical {per_day} patient bolus{} a day \u{2014} an assumption: enter the pump's expected volume or its logged bolus count",
                if per_day == 1 { "" } else { "es" }
            ),
        }
    }
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

/// What a visit finds that needs attention, by kind (the finding's key uses the kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitConcern {
    /// The visit is after the projected empty date.
    AfterEmpty,
    /// Less withdrawn than expected, beyond the threshold.
    Shortfall,
    /// More withdrawn than expected, beyond the threshold.
    Excess,
    /// After the refill, less in the reservoir than injected: possible pocket fill.
    PocketFill,
    /// After the refill, more in the reservoir than expected.
    MoreAfterRefill,
}

impl VisitConcern {
    /// Stable key word.
    pub fn key(self) -> &'static str {
        match self {
            VisitConcern::AfterEmpty => "after_empty",
            VisitConcern::Shortfall => "shortfall",
            VisitConcern::Excess => "excess",
            VisitConcern::PocketFill => "pocket_fill",
            VisitConcern::MoreAfterRefill => "more_after_refill",
        }
    }
}

/// A concern with its message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitNote {
    /// What kind.
    pub concern: VisitConcern,
    /// In words, values ISMP-formatted.
    pub message: String,
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
    /// The check after the refill, when the confirmed volume is entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_refill: Option<AfterRefill>,
    /// Concerns for the findings, most important first.
    pub notes: Vec<VisitNote>,
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
}

/// Both checks of a visit compare with a relative tolerance of 1e-9, so that a discrepancy of
/// exactly the threshold (2 mL, say: 4 mL expected, 2 mL withdrawn) is not flagged over float noise.
fn beyond(discrepancy: f64, threshold: f64) -> bool {
    discrepancy.abs() > threshold * (1.0 + 1e-9)
}

/// Reconciles a visit (ASRA 2017: evaluate a discrepancy outside the device accuracy **or**
/// above 2 mL, so the threshold is the smaller of the two), and checks the refill (Maino 2017).
///
/// # Errors
/// [`Field::Visit`] for a visit before the fill, a withdrawn volume above the capacity, a pump
/// expected volume above the fill, a logged bolus count without patient boluses in the programme,
/// or a new fill that, with the residual left, is above the capacity.
pub fn reconcile(visit: &Visit, cx: &VisitContext<'_>) -> Result<Reconciliation, Error> {
    check_visit(visit, cx)?;
    let days = cx.filled_at.duration_until(visit.at).as_secs_f64() / 86_400.0;
    let (expected, basis) = expected_residual(visit, cx, days)?;
    let infused = cx.fill.saturating_sub(expected);
    // ASRA 2017: outside the device accuracy OR above 2 mL: either is enough, so the smaller binds.
    let threshold = match cx.accuracy_percent {
        Some(a) => (a / 100.0 * infused.value()).min(2.0),
        None => 2.0,
    };
    let threshold = Millilitres::new(threshold).map_err(|e| e.at(Field::Visit))?;
    let discrepancy = VolumeChange::new(visit.withdrawn.value() - expected.value()).map_err(|e| e.at(Field::Visit))?;
    let flagged = beyond(discrepancy.value(), threshold.value());
    let direction = flagged.then(|| {
        if discrepancy.value() < 0.0 {
            Direction::Shortfall
        } else {
            Direction::Excess
        }
    });
    let mut notes = Vec::new();
    let empty_at = cx.programme.empty_at;
    if visit.at >= empty_at {
        notes.push(VisitNote {
            concern: VisitConcern::AfterEmpty,
            message: format!(
                "The visit is after the projected empty date ({}): the pump may have run dry and the patient may have lost opioid tolerance. Restarting at the previous dose may overdose an opioid-naive patient: assess the patient and restart low.",
                format_date_time(empty_at)
            ),
        });
    }
    let amount = format_number(discrepancy.value().abs());
    match direction {
        Some(Direction::Shortfall) => notes.push(VisitNote {
            concern: VisitConcern::Shortfall,
            message: format!(
                "Withdrawn {} is {amount} mL less than the expected {} (flag beyond {}): possible over-infusion \u{2014} the patient may have received more drug than programmed \u{2014} or part of the last fill went into the pocket. Assess the patient for overdose and interrogate the pump before refilling.",
                visit.withdrawn.ismp(),
                expected.ismp(),
                threshold.ismp()
            ),
        }),
        Some(Direction::Excess) => notes.push(VisitNote {
            concern: VisitConcern::Excess,
            message: format!(
                "Withdrawn {} is {amount} mL more than the expected {} (flag beyond {}): possible under-infusion \u{2014} a pump stall or a catheter occlusion, kink or leak. Assess the patient for withdrawal and check the pump and catheter before refilling.",
                visit.withdrawn.ismp(),
                expected.ismp(),
                threshold.ismp()
            ),
        }),
        None => {}
    }
    let after_refill = after_refill_check(visit, cx, &mut notes)?;
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
        after_refill,
        notes,
    })
}

fn check_visit(visit: &Visit, cx: &VisitContext<'_>) -> Result<(), Error> {
    if visit.at < cx.filled_at {
        return Err(Error::invalid(
            Field::Visit,
            format!(
                "the visit ({}) is before the fill ({})",
                format_date_time(visit.at),
                format_date_time(cx.filled_at)
            ),
        ));
    }
    if visit.withdrawn > cx.capacity {
        return Err(Error::above(
            Field::Visit,
            format!("withdrawn {}", visit.withdrawn.ismp()),
            cx.capacity.ismp(),
            "the pump capacity",
        ));
    }
    if let Some(expected) = visit.pump_expected
        && expected > cx.fill
    {
        return Err(Error::above(
            Field::Visit,
            format!("the pump's expected volume {}", expected.ismp()),
            cx.fill.ismp(),
            "the fill",
        ));
    }
    if visit.patient_boluses.is_some() && cx.patient_bolus.is_none() {
        return Err(Error::invalid(
            Field::Visit,
            "a patient-bolus count was entered, but the programme has no patient boluses",
        ));
    }
    if let Some(new_fill) = visit.new_fill {
        let total = new_fill.value() + cx.residual_left.value();
        if total > cx.capacity.value() * (1.0 + 1e-9) {
            return Err(Error::above(
                Field::Visit,
                if cx.residual_left.value() > 0.0 {
                    format!(
                        "new fill {} + residual {} = {}",
                        new_fill.ismp(),
                        cx.residual_left.ismp(),
                        crate::engine::quantities::format::with_unit(total, Millilitres::SYMBOL)
                    )
                } else {
                    format!("new fill {}", new_fill.ismp())
                },
                cx.capacity.ismp(),
                "the pump capacity",
            ));
        }
    }
    Ok(())
}

/// The expected residual and its basis: the pump's own figure first, then the programme with the
/// logged bolus count, then the programme as set (typical patient use when it has patient boluses).
fn expected_residual(visit: &Visit, cx: &VisitContext<'_>, days: f64) -> Result<(Millilitres, ExpectedBasis), Error> {
    if let Some(expected) = visit.pump_expected {
        return Ok((expected, ExpectedBasis::Pump));
    }
    if let (Some(count), Some(bolus)) = (visit.patient_boluses, cx.patient_bolus) {
        // expected = fill − programme delivered by the visit − count × bolus volume (floored at 0)
        let by_programme = cx.programme.volume_at(days).value();
        let value = (by_programme - f64::from(count) * bolus.value()).max(0.0);
        return Ok((
            Millilitres::new(value).map_err(|e| e.at(Field::Visit))?,
            ExpectedBasis::PatientBolusCount { count },
        ));
    }
    Ok(match cx.typical {
        Some((typical, per_day)) => (typical.volume_at(days), ExpectedBasis::TypicalScenario { per_day }),
        None => (cx.programme.volume_at(days), ExpectedBasis::Programme),
    })
}

/// Maino 2017 (Neuromodulation 20:733): after the refill, a discrepancy above 1 mL (20 mL pump)
/// or 2 mL (40 mL pump) between what should be in the reservoir and what is confirmed suggests a
/// pocket fill.
fn after_refill_check(
    visit: &Visit,
    cx: &VisitContext<'_>,
    notes: &mut Vec<VisitNote>,
) -> Result<Option<AfterRefill>, Error> {
    let (Some(injected), Some(confirmed)) = (visit.new_fill, visit.confirmed_after_refill) else {
        if visit.confirmed_after_refill.is_some() {
            return Err(Error::invalid(
                Field::Visit,
                "enter the volume injected (new fill) to check the volume confirmed after the refill",
            ));
        }
        return Ok(None);
    };
    let expected = Millilitres::new(injected.value() + cx.residual_left.value()).map_err(|e| e.at(Field::Visit))?;
    let threshold =
        Millilitres::new(if cx.capacity.value() <= 20.0 { 1.0 } else { 2.0 }).map_err(|e| e.at(Field::Visit))?;
    let discrepancy = VolumeChange::new(confirmed.value() - expected.value()).map_err(|e| e.at(Field::Visit))?;
    let flagged = beyond(discrepancy.value(), threshold.value());
    if flagged {
        let amount = format_number(discrepancy.value().abs());
        notes.push(if discrepancy.value() < 0.0 {
            VisitNote {
                concern: VisitConcern::PocketFill,
                message: format!(
                    "After the refill {} is confirmed in the reservoir, {amount} mL less than the {} that should be there (flag beyond {} for this pump): possible pocket fill \u{2014} drug may be in the subcutaneous pocket. Monitor for overdose and follow the manufacturer's emergency procedure for a pocket fill.",
                    confirmed.ismp(),
                    expected.ismp(),
                    threshold.ismp()
                ),
            }
        } else {
            VisitNote {
                concern: VisitConcern::MoreAfterRefill,
                message: format!(
                    "After the refill {} is confirmed in the reservoir, {amount} mL more than the {} that should be there (flag beyond {} for this pump): check the residual left after aspiration and the volumes recorded.",
                    confirmed.ismp(),
                    expected.ismp(),
                    threshold.ismp()
                ),
            }
        });
    }
    Ok(Some(AfterRefill {
        expected,
        confirmed,
        discrepancy,
        threshold,
        flagged,
    }))
}

/// The trend of logged discrepancies, in words ("growing" when each is larger than the last).
pub fn discrepancy_trend(log: &[LoggedVisit]) -> Option<String> {
    if log.len() < 2 {
        return None;
    }
    let values: Vec<String> = log.iter().map(|v| v.discrepancy.ismp()).collect();
    let growing = log
        .windows(2)
        .all(|w| matches!(w, [a, b] if b.discrepancy.value().abs() > a.discrepancy.value().abs()));
    Some(format!(
        "{}{}",
        values.join(" \u{2192} "),
        if growing { " (growing: investigate)" } else { "" }
    ))
}

impl ScenarioProjection {
    /// The volume line up to `days` after the fill, then straight down to 0 there: the pump
    /// emptied before an MRI.
    pub fn emptied_at(&self, days: f64) -> Polyline {
        let mut out: Polyline = self.vertices.iter().copied().take_while(|(t, _)| *t < days).collect();
        if out.len() < self.vertices.len() {
            out.push((days, self.volume_at(days).value()));
            out.push((days, 0.0));
        }
        out
    }

    /// Volume in the reservoir `days` after the fill, interpolated on the projection.
    pub fn volume_at(&self, days: f64) -> Millilitres {
        let mut previous = self.vertices.first().copied().unwrap_or((0.0, 0.0));
        for &(t, v) in &self.vertices {
            if t >= days {
                let span = t - previous.0;
                let value = if span > 0.0 {
                    previous.1 + (v - previous.1) * (days - previous.0) / span
                } else {
                    v
                };
                return Millilitres::new(value.max(0.0)).unwrap_or(Millilitres::ZERO);
            }
            previous = (t, v);
        }
        Millilitres::ZERO
    }
}
