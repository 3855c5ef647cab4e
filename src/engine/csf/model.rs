//! Which CSF model a drug gets: the plan's own parameters, else the library's half-life with its
//! volume (or volume per kg × the patient's weight), with two compartments where the library has
//! k12 and k21. A drug with no half-life or no volume is not modelled, and says why.

use serde::{Deserialize, Serialize};

use super::pk::PkModel;
use crate::engine::catalogue::library::{DrugEntry, PkValue};
use crate::engine::plan::model::Plan;
use crate::engine::quantities::units::{Hours, Millilitres, PerHour};

/// Where a CSF volume comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "volume", rename_all = "snake_case")]
pub enum VolumeSource {
    /// A fixed volume from the library, mL.
    Fixed {
        /// The library's value.
        value: PkValue,
    },
    /// A volume per kg from the library × the patient's weight.
    PerKg {
        /// mL/kg.
        per_kg: PkValue,
        /// kg.
        weight_kg: f64,
    },
}

/// Where a model's parameters come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum ModelSource {
    /// Entered for this plan.
    Entered,
    /// The drug library's.
    Library {
        /// Half-life, h.
        half_life: PkValue,
        /// The volume.
        volume: VolumeSource,
        /// k12 and k21 for two compartments, per hour.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rates: Option<(PkValue, PkValue)>,
    },
}

/// Why a drug has no model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingWhy {
    /// The library has no CSF half-life for it.
    NoHalfLife,
    /// The library has no CSF volume for it.
    NoVolume,
    /// The library gives a volume per kg: the patient's weight is needed.
    NeedsWeight,
}

/// A drug with no model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Missing {
    /// Tall Man name.
    pub drug: String,
    /// Why.
    pub why: MissingWhy,
}

/// The model of a drug, and where its parameters come from.
///
/// # Errors
/// Why the drug has no model.
pub fn model_for(plan: &Plan, entry: &DrugEntry) -> Result<(PkModel, ModelSource), Missing> {
    if let Some(m) = plan.csf.models.iter().find(|m| m.drug == entry.id) {
        return Ok((m.model, ModelSource::Entered));
    }
    let missing = |why| Missing {
        drug: entry.display_name.clone(),
        why,
    };
    let pk = &entry.pk;
    let half = pk
        .csf_half_life_hours
        .as_ref()
        .ok_or_else(|| missing(MissingWhy::NoHalfLife))?;
    let (volume, source) = match (&pk.csf_volume_ml, &pk.csf_volume_ml_per_kg, plan.csf.weight_kg) {
        (Some(v), _, _) => (v.value, VolumeSource::Fixed { value: v.clone() }),
        (None, Some(per_kg), Some(kg)) => (
            per_kg.value * kg,
            VolumeSource::PerKg {
                per_kg: per_kg.clone(),
                weight_kg: kg,
            },
        ),
        (None, Some(_), None) => return Err(missing(MissingWhy::NeedsWeight)),
        (None, None, _) => return Err(missing(MissingWhy::NoVolume)),
    };
    let (Ok(half_life), Ok(volume_ml)) = (Hours::new(half.value), Millilitres::new(volume)) else {
        return Err(missing(MissingWhy::NoVolume));
    };
    let rates = pk.k12_per_hour.as_ref().zip(pk.k21_per_hour.as_ref());
    let model = match rates {
        Some((k12, k21)) => match (
            PerHour::new(std::f64::consts::LN_2 / half_life.value()),
            PerHour::new(k12.value),
            PerHour::new(k21.value),
        ) {
            (Ok(k10), Ok(k12), Ok(k21)) => PkModel::TwoCompartment {
                volume: volume_ml,
                k10,
                k12,
                k21,
            },
            _ => return Err(missing(MissingWhy::NoHalfLife)),
        },
        None => PkModel::OneCompartment {
            half_life,
            volume: volume_ml,
        },
    };
    Ok((
        model,
        ModelSource::Library {
            half_life: half.clone(),
            volume: source,
            rates: rates.map(|(a, b)| (a.clone(), b.clone())),
        },
    ))
}
