//! When to refill: the earliest of the pump's refill-date rule (under **every allowed patient
//! bolus**, and at the fast edge of its flow accuracy where it has one: refill dates err early),
//! each drug's stability in the pump, the device's end of service, and an MRI that empties the pump.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::error::{Error, Field};
use crate::engine::quantities::time::after;
use crate::engine::quantities::units::{Days, Millilitres};
use crate::engine::reservoir::schedule::{Polyline, ScenarioProjection};

/// Which volume the pump's rule refills at.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "at", content = "volume", rename_all = "snake_case")]
pub enum RuleVolume {
    /// The manufacturer's refill-date volume (Prometra: 3 mL).
    RefillDate(Millilitres),
    /// The low-reservoir alarm volume.
    Alarm(Millilitres),
    /// The refill volume entered for a pump with no alarm (constant flow).
    Reservoir(Millilitres),
}

/// Why a date is a refill-by constraint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum RefillReason {
    /// The pump's refill-date rule.
    PumpRule {
        /// Refill at which volume.
        volume: RuleVolume,
        /// With every allowed patient bolus (the programme has patient boluses).
        every_bolus: bool,
        /// At the fast edge of the flow accuracy, ± percent; absent at the programmed rate.
        fast_edge: Option<f64>,
    },
    /// A drug's stability in the pump.
    Stability {
        /// Tall Man name.
        drug: String,
        /// Days from the fill.
        days: Days,
        /// When it applies, in the library's words.
        condition: String,
        /// The stock strength was not entered, so the shorter of diluted and undiluted applies.
        dilution_unknown: bool,
    },
    /// The device's end of service.
    EndOfService,
    /// An MRI that empties the pump before the scan.
    MriEmptied,
}

/// What sets the refill-by date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefillCandidate {
    /// The date this constraint allows until.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
    /// Why.
    pub reason: RefillReason,
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
    dilution_unknown: bool,
) -> Result<RefillCandidate, Error> {
    let d = Days::new(days).map_err(|e| e.at(Field::Drugs))?;
    Ok(RefillCandidate {
        at: after(filled_at, d)?,
        reason: RefillReason::Stability {
            drug: drug.to_owned(),
            days: d,
            condition: condition.to_owned(),
            dilution_unknown,
        },
    })
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
