//! Catheter transit, refill mixing, bridge and priming boluses.
//!
//! Transit is volumetric (plug flow): the solution at the catheter tip is the one that entered the
//! pump tubing a fixed **volume** earlier, so a new solution reaches the tip once the dead volume
//! ahead of it (pump tubing + catheter) has been delivered, whatever the rate does meanwhile. At a
//! refill, the residual the pump keeps after aspiration **mixes** with the new fill (the meaning of
//! SynchroMed II's "at most 1.4 mL" dead space is not stated in its product page; we model a residual
//! that mixes and a tubing volume that is pushed through, both entered by the user).
//!
//! Plug flow is an idealisation. At priming rates drug and fluid mix: drug can reach the patient
//! before a priming bolus ends, and the concentration afterwards is reduced (Medtronic labelling
//! update); priming is done under medical supervision.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::error::{Error, Field};
use crate::engine::quantities::dose::{AnyConcentration, AnyMass};
use crate::engine::quantities::format::Display as _;
use crate::engine::quantities::units::{Days, Millilitres, MlPerDay};
use crate::engine::reservoir::schedule::{PatientUse, Schedule};

/// The volume ahead of a new solution: pump tubing (plug flow, value unverified, user-entered)
/// and the catheter (length × volume per cm).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DeadVolume {
    /// Pump tubing ahead of the catheter.
    pub pump_tubing: Millilitres,
    /// Catheter.
    pub catheter: Millilitres,
}

impl DeadVolume {
    /// Catheter volume = implanted length (cm) × volume per cm (mL/cm); both entered by the user
    /// (Prometra preset 0.0026 mL/cm, V; Medtronic catheters: from the model's labelling).
    ///
    /// # Errors
    /// [`Field::Pk`] for a negative or non-finite length or volume per cm.
    pub fn with_catheter(pump_tubing: Millilitres, length_cm: f64, ml_per_cm: f64) -> Result<Self, Error> {
        if !(length_cm >= 0.0 && length_cm.is_finite() && ml_per_cm >= 0.0 && ml_per_cm.is_finite()) {
            return Err(Error::invalid(
                Field::Pk,
                "catheter length and volume per cm must be 0 or more",
            ));
        }
        let catheter = Millilitres::new(length_cm * ml_per_cm).map_err(|e| e.at(Field::Pk))?;
        Ok(Self { pump_tubing, catheter })
    }

    /// Tubing + catheter.
    pub fn total(&self) -> Millilitres {
        Millilitres::new(self.pump_tubing.value() + self.catheter.value()).unwrap_or(Millilitres::ZERO)
    }
}

/// Concentration of each drug in the reservoir after a fill onto a residual:
/// (old × residual + new × fill) ÷ (residual + fill), per drug. A drug only in the old solution is
/// diluted by the fill; a drug only in the new one, by the residual.
///
/// # Errors
/// [`Field::Pk`] when the total volume is zero or a drug's two concentrations are in different unit
/// families (never converted).
pub fn mixed_concentration(
    old: Option<AnyConcentration>,
    residual: Millilitres,
    new: Option<AnyConcentration>,
    fill: Millilitres,
) -> Result<Option<AnyConcentration>, Error> {
    let total = residual.value() + fill.value();
    if total <= 0.0 {
        return Err(Error::invalid(Field::Pk, "residual + fill is zero"));
    }
    let family = match (old, new) {
        (None, None) => return Ok(None),
        (Some(o), Some(n)) if o.family() != n.family() => {
            return Err(Error::invalid(
                Field::Pk,
                format!(
                    "{} and {} cannot be mixed in one calculation (nothing is converted)",
                    o.symbol(),
                    n.symbol()
                ),
            ));
        }
        (Some(c), _) | (None, Some(c)) => c.family(),
    };
    let amount = old.map_or(0.0, |c| c.value() * residual.value()) + new.map_or(0.0, |c| c.value() * fill.value());
    AnyConcentration::new(family, amount / total)
        .map(Some)
        .map_err(|e| e.at(Field::Pk))
}

/// When a solution filled at `filled_at` reaches the catheter tip under `schedule` (no patient
/// boluses): when the dead volume ahead of it has been delivered.
///
/// # Errors
/// An invalid schedule, or a dead volume not smaller than the fill.
pub fn tip_arrival(
    schedule: &Schedule,
    fill: Millilitres,
    filled_at: DateTime,
    dead: Millilitres,
) -> Result<(DateTime, Days), Error> {
    if dead.value() <= 0.0 {
        return Ok((filled_at, Days::ZERO));
    }
    if dead >= fill {
        return Err(Error::invalid(
            Field::Pk,
            format!(
                "the dead volume {} is not smaller than the fill {}",
                dead.ismp(),
                fill.ismp()
            ),
        ));
    }
    let remaining = Millilitres::new(fill.value() - dead.value()).map_err(|e| e.at(Field::Pk))?;
    // The projection's refill-volume mark is reached when `dead` mL have been delivered.
    let p = schedule.project(fill, filled_at, remaining, remaining, PatientUse::None, None)?;
    let days = Days::new(filled_at.duration_until(p.refill_volume_at).as_secs_f64() / 86_400.0)
        .map_err(|e| e.at(Field::Pk))?;
    Ok((p.refill_volume_at, days))
}

/// A bridge bolus: after a change of drug or concentration, the old solution still ahead of the
/// new one is delivered at the rate that keeps the old dose, until the new solution reaches the tip.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BridgeBolus {
    /// The volume ahead of the new solution.
    pub volume: Millilitres,
    /// The old rate (old dose ÷ old concentration).
    pub rate: MlPerDay,
    /// volume ÷ rate.
    pub duration: Days,
    /// Old drug delivered meanwhile: volume × old concentration.
    pub old_drug_delivered: AnyMass,
}

/// The bridge bolus for `dead` mL of old solution at `old_concentration`, run at `old_rate`.
///
/// # Errors
/// [`Field::Pk`] for a zero rate.
pub fn bridge_bolus(
    dead: Millilitres,
    old_concentration: AnyConcentration,
    old_rate: MlPerDay,
) -> Result<BridgeBolus, Error> {
    let duration = (dead / old_rate).ok_or_else(|| Error::invalid(Field::Pk, "the old rate is zero"))?;
    Ok(BridgeBolus {
        volume: dead,
        rate: old_rate,
        duration,
        old_drug_delivered: old_concentration.amount_in(dead),
    })
}

/// A priming bolus after implant or catheter revision: fills the pump tubing and the catheter so
/// the drug reaches the tip. Not a clean plug: at priming rates drug and fluid mix, so drug can reach
/// the patient before the bolus ends and the concentration afterwards is reduced (Medtronic
/// labelling update).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PrimingBolus {
    /// Tubing + catheter.
    pub volume: Millilitres,
    /// Drug in the dead volume: volume × concentration. With mixing, part of it can reach the
    /// patient during the priming bolus itself.
    pub drug_in_dead_volume: AnyMass,
}

/// The priming bolus for a dead volume filled with `concentration`.
pub fn priming_bolus(dead: &DeadVolume, concentration: AnyConcentration) -> PrimingBolus {
    let volume = dead.total();
    PrimingBolus {
        volume,
        drug_in_dead_volume: concentration.amount_in(volume),
    }
}
