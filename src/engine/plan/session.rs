//! A clinic session's two engine steps: the refill that rolls a plan forward to its new fill, and
//! the record a confirmed review leaves in the plan (when, which workflow, what changed, which
//! soft limits were acknowledged). The clock is the caller's: the engine has none.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::error::{Error, Field, Location};
use crate::engine::plan::findings::Acknowledgement;
use crate::engine::plan::model::{Plan, PreviousDrug};
use crate::engine::plan::outcome::Outcome;
use crate::engine::quantities::units::Millilitres;
use crate::engine::reservoir::visit::LoggedVisit;

/// One parameter a confirmed review changed, as the review showed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The parameter, as named in the review ("morphine daily dose").
    pub parameter: String,
    /// Before ("not set" when it was not).
    pub from: String,
    /// After.
    pub to: String,
}

/// A confirmed clinic session, kept with the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// When it was confirmed (the clinician's device clock).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
    /// The workflow it was confirmed from ("Refill visit", "Change the programme", ...).
    pub workflow: String,
    /// Every parameter the review showed as changed.
    #[serde(default)]
    pub changes: Vec<Change>,
    /// The soft-limit acknowledgements in force when it was confirmed.
    #[serde(default)]
    pub acknowledgements: Vec<Acknowledgement>,
}

/// The reservoir volume the new fill starts from: the volume injected, or the volume confirmed in
/// the reservoir after the refill when that is smaller. The residual left after aspiration is not
/// added: whether the pump can deliver it is not verified (the SynchroMed dead space is marked U),
/// and the programmer is given the volume injected; leaving it out, and taking the smaller, errs
/// towards an earlier alarm and refill-by date (our design: refill dates err early). The residual
/// stays in the plan's CSF settings, where it counts against the capacity and mixes with the fill.
pub fn volume_after_refill(injected: Millilitres, confirmed: Option<Millilitres>) -> f64 {
    confirmed.map_or(injected.value(), |c| c.value().min(injected.value()))
}

/// The plan after its refill visit: the new fill (at the visit, of [`volume_after_refill`]), the
/// visit logged with its reconciliation and its refill check, the solution being replaced set to
/// the one that was in the pump (`replaced`: the plan in force since the last fill), and what
/// belonged to the old fill dropped (single, priming and bridge boluses and an MRI before the
/// visit; "first fill of a new pump"). The programme, the drugs and the acknowledgements carry
/// over; the caller may change them next.
///
/// # Errors
/// At the visit's new fill when the plan has no visit with a new fill, or `outcome` (the plan's own
/// evaluation) has no reconciliation of it.
pub fn roll_forward(plan: &Plan, outcome: &Outcome, replaced: &Plan) -> Result<Plan, Error> {
    let missing = |why: &str| Error::invalid(Field::NewFill, why).located(Location::Visit);
    let visit = plan.visit.as_ref().ok_or_else(|| missing("enter the refill visit"))?;
    let injected = visit
        .new_fill
        .ok_or_else(|| missing("enter the volume injected as the new fill"))?;
    let reconciliation = outcome
        .reconciliation
        .as_ref()
        .filter(|r| r.visit == *visit)
        .ok_or_else(|| missing("the visit has not been reconciled against this fill"))?;
    let volume = Millilitres::new(volume_after_refill(injected, visit.confirmed_after_refill))
        .map_err(|e| e.at(Field::NewFill).located(Location::Visit))?;
    let at = visit.at;
    let mut next = plan.clone();
    next.fill.volume = volume;
    next.fill.filled_at = at;
    next.fill.new_pump = false;
    next.visits.push(LoggedVisit {
        at,
        expected: reconciliation.expected,
        withdrawn: visit.withdrawn,
        discrepancy: reconciliation.discrepancy,
        flagged: reconciliation.flagged,
        new_fill: Some(injected),
        confirmed_after_refill: visit.confirmed_after_refill,
        after_refill_flagged: reconciliation.after_refill.as_ref().is_some_and(|a| a.flagged),
    });
    // What the new fill replaces (in the residual, the tubing and the catheter) is the solution
    // that was in the pump.
    next.csf.previous = replaced
        .drugs
        .iter()
        .filter_map(|d| {
            Some(PreviousDrug {
                drug: d.drug.clone(),
                concentration: d.concentration?,
            })
        })
        .collect();
    next.visit = None;
    next.boluses.single.retain(|b| b.at >= at);
    next.boluses.priming = next.boluses.priming.take().filter(|p| p.at >= at);
    next.boluses.bridge = next.boluses.bridge.take().filter(|b| b.at >= at);
    next.csf.mri = next.csf.mri.take().filter(|m| m.at >= at);
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_volume_after_a_refill_errs_low() -> Result<(), Box<dyn std::error::Error>> {
        // 20 mL injected: the new fill starts from 20 mL.
        let injected = Millilitres::new(20.0)?;
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(volume_after_refill(injected, None), 20.0));
        // Confirmed 19.8 mL (< 20): the smaller is taken.
        assert!(close(
            volume_after_refill(injected, Some(Millilitres::new(19.8)?)),
            19.8
        ));
        // Confirmed 21 mL (> 20: a residual, or a typing error): never more than was injected.
        assert!(close(
            volume_after_refill(injected, Some(Millilitres::new(21.0)?)),
            20.0
        ));
        Ok(())
    }
}
