//! When to refill, and what the refill visit finds.
//!
//! Refill-by is the earliest of: the pump's refill-date rule under **every allowed patient bolus**
//! (Prometra's rule says so; we apply the same conservative choice to every pump), each drug's
//! stability in the pump, and the device's end-of-service date when entered.
//!
//! Reconciliation at a refill visit (`domain.md` §3): expected residual = the fill less what the
//! programme delivered by the visit (no-patient-bolus scenario, or the typical scenario when one
//! is set); the withdrawn volume is flagged when it differs from that by more than
//! max(2 mL, the pump's flow accuracy × the volume infused since the fill). This flag is our design
//! from the ASRA 2017 poster's "outside device accuracy or > 2 mL", not a published rule.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use super::continuous::after;
use super::error::{Error, Field};
use super::format::{Display as _, format_date_time, format_number};
use super::schedule::ScenarioProjection;
use super::units::{Days, Millilitres, VolumeChange};

/// What sets the refill-by date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefillCandidate {
    /// The date this constraint allows until.
    #[serde(with = "super::civil_serde")]
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
}

/// Picks the earliest candidate.
pub fn refill_by(mut candidates: Vec<RefillCandidate>) -> Option<RefillBy> {
    candidates.sort_by_key(|c| c.at);
    let binding = candidates.first()?.clone();
    Some(RefillBy { binding, candidates })
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
    #[serde(with = "super::civil_serde")]
    pub at: DateTime,
    /// Volume withdrawn from the reservoir.
    pub withdrawn: Millilitres,
    /// Volume to be filled at this visit (checked against the capacity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_fill: Option<Millilitres>,
}

/// What a visit finds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// The visit.
    pub visit: Visit,
    /// Expected residual at the visit.
    pub expected: Millilitres,
    /// Volume infused since the fill (fill − expected).
    pub infused: Millilitres,
    /// Withdrawn − expected (positive: more came out than expected).
    pub discrepancy: VolumeChange,
    /// The flag threshold: max(2 mL, accuracy × infused).
    pub threshold: Millilitres,
    /// |discrepancy| > threshold.
    pub flagged: bool,
    /// Messages for the screen, in order of importance.
    pub messages: Vec<String>,
}

/// A recorded visit, kept in the plan's log with the figures it had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedVisit {
    /// When.
    #[serde(with = "super::civil_serde")]
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

/// Reconciles a visit against a projection.
///
/// # Errors
/// [`Field::Visit`] for a visit before the fill, or a new fill above the capacity.
pub fn reconcile(
    visit: &Visit,
    projection: &ScenarioProjection,
    filled_at: DateTime,
    fill: Millilitres,
    capacity: Millilitres,
    accuracy_percent: Option<f64>,
) -> Result<Reconciliation, Error> {
    if visit.at < filled_at {
        return Err(Error::invalid(
            Field::Visit,
            format!(
                "the visit ({}) is before the fill ({})",
                format_date_time(visit.at),
                format_date_time(filled_at)
            ),
        ));
    }
    if let Some(new_fill) = visit.new_fill
        && new_fill > capacity
    {
        return Err(Error::above(
            Field::Visit,
            format!("new fill {}", new_fill.ismp()),
            capacity.ismp(),
            "the pump capacity",
        ));
    }
    let days = filled_at.duration_until(visit.at).as_secs_f64() / 86_400.0;
    let expected = projection.volume_at(days);
    let infused = fill.saturating_sub(expected);
    let accuracy_share = accuracy_percent.unwrap_or(0.0) / 100.0 * infused.value();
    let threshold = Millilitres::new(accuracy_share.max(2.0)).map_err(|e| e.at(Field::Visit))?;
    let discrepancy = VolumeChange::new(visit.withdrawn.value() - expected.value()).map_err(|e| e.at(Field::Visit))?;
    let flagged = discrepancy.value().abs() > threshold.value();
    let mut messages = Vec::new();
    if visit.at >= projection.empty_at {
        messages.push(format!(
            "The visit is after the projected empty date ({}): the pump may have run dry and the patient may have lost opioid tolerance. Do not restart at the previous dose without assessment.",
            format_date_time(projection.empty_at)
        ));
    }
    if flagged {
        let direction = if discrepancy.value() > 0.0 { "more" } else { "less" };
        messages.push(format!(
            "Withdrawn {} is {} mL {direction} than the expected {} (threshold {}): check for a pocket fill, a catheter problem or a pump failure before refilling.",
            visit.withdrawn.ismp(),
            format_number(discrepancy.value().abs()),
            expected.ismp(),
            threshold.ismp()
        ));
    }
    Ok(Reconciliation {
        visit: visit.clone(),
        expected,
        infused,
        discrepancy,
        threshold,
        flagged,
        messages,
    })
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
