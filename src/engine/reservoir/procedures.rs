//! The priming and bridge boluses as programmed: the volume ahead of the drug (pump tubing +
//! catheter) delivered as a single bolus. Both count in the 24-hour totals and empty the reservoir.
//! At priming rates drug and fluid mix: drug can reach the patient before the priming bolus ends
//! (Medtronic labelling update). The bridge runs at the rate that keeps the lead drug's dose with
//! the old concentration; counting it on top of the basal over-states both the total and the
//! depletion, never under-states them.

use crate::engine::catalogue::library::DrugEntry;
use crate::engine::csf::transit::{DeadVolume, bridge_bolus};
use crate::engine::error::{Error, Field, Location};
use crate::engine::plan::model::{Plan, Programme};
use crate::engine::quantities::dose::AnyConcentration;
use crate::engine::quantities::units::{Millilitres, MlPerDay};
use crate::engine::reservoir::schedule::{Basal, SHORTEST_BOLUS_HOURS, SingleBolus};

/// The volume ahead of a new solution: pump tubing + catheter length × volume per cm.
///
/// # Errors
/// At the catheter: a negative or non-finite length or volume per cm.
pub fn dead_volume(plan: &Plan) -> Result<Millilitres, Error> {
    let csf = &plan.csf;
    Ok(DeadVolume::with_catheter(
        csf.pump_tubing.unwrap_or(Millilitres::ZERO),
        csf.catheter_length_cm.unwrap_or(0.0),
        csf.catheter_ml_per_cm.unwrap_or(0.0),
    )?
    .total())
}

/// The programmed priming and bridge boluses, as single boluses of the admixture.
///
/// # Errors
/// At the priming or bridge bolus: no volume ahead of the drug entered; no old concentration of
/// the lead drug for a bridge; a bridge that would never end.
pub fn boluses(
    plan: &Plan,
    basal_per_day: Millilitres,
    entries: &[&DrugEntry],
    concentrations: &[AnyConcentration],
) -> Result<Vec<SingleBolus>, Error> {
    let (priming, bridge) = (&plan.boluses.priming, &plan.boluses.bridge);
    if priming.is_none() && bridge.is_none() {
        return Ok(Vec::new());
    }
    let at = if priming.is_some() {
        Location::Priming
    } else {
        Location::Bridge
    };
    let dead = dead_volume(plan)?;
    if dead.value() <= 0.0 {
        return Err(Error::invalid(
            Field::Volume,
            "it is the volume ahead of the drug: enter the pump tubing and the catheter (length and volume per cm)",
        )
        .located(at));
    }
    let mut out = Vec::new();
    if let Some(p) = priming {
        if p.duration.value() > 0.0 && p.duration.value() < SHORTEST_BOLUS_HOURS {
            return Err(
                Error::invalid(Field::Duration, "shorter than a millisecond: check the unit")
                    .located(Location::Priming),
            );
        }
        out.push(SingleBolus {
            volume: dead,
            duration: p.duration,
            at: p.at,
        });
    }
    if let Some(b) = bridge {
        let lead = match plan.programme {
            Programme::LeadDose { lead } => lead,
            _ => 0,
        };
        let (Some(entry), Some(new)) = (entries.get(lead), concentrations.get(lead)) else {
            return Err(Error::invalid(Field::LeadDrug, "no lead drug").located(Location::Bridge));
        };
        let Some(old) = plan
            .csf
            .previous
            .iter()
            .find(|p| p.drug == entry.id)
            .map(|p| p.concentration)
        else {
            let detail = format!(
                "enter the concentration of {} in the solution being replaced",
                entry.display_name
            );
            return Err(Error::invalid(Field::Previous, detail).for_drug(lead));
        };
        // old rate = lead dose ÷ old concentration = basal × new concentration ÷ old concentration:
        // an old concentration of 0 has no such rate (it was worded "must be a finite number").
        if old.value() <= 0.0 {
            let detail = format!(
                "must be greater than 0 for the bridge bolus, which runs at the rate that kept the dose of {} with the old concentration",
                entry.display_name
            );
            return Err(Error::invalid(Field::Previous, detail).for_drug(lead));
        }
        let rate = MlPerDay::new(basal_per_day.value() * new.value() / old.value())
            .map_err(|e| e.at(Field::Previous).for_drug(lead))?;
        let bolus = bridge_bolus(dead, old, rate)?;
        if !(bolus.duration.value() > 0.0 && bolus.duration.value().is_finite()) {
            return Err(Error::invalid(Field::Previous, "the old rate is zero").located(Location::Bridge));
        }
        if bolus.duration.to_hours().value() < SHORTEST_BOLUS_HOURS {
            return Err(Error::invalid(
                Field::Previous,
                "the bridge would last less than a millisecond: check the volume ahead of the drug and the old concentration",
            )
            .located(Location::Bridge));
        }
        out.push(SingleBolus {
            volume: dead,
            duration: bolus.duration.to_hours(),
            at: b.at,
        });
    }
    Ok(out)
}

/// The basal's heaviest 24 hours, in mL.
pub fn basal_per_day(basal: &Basal) -> Millilitres {
    crate::engine::reservoir::schedule::Schedule {
        basal: basal.clone(),
        periodic: Vec::new(),
        single: Vec::new(),
        patient: None,
        pauses: Vec::new(),
    }
    .daily_volumes()
    .basal
}
