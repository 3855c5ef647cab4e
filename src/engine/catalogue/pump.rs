//! The pump catalogue: device values as data, each with its source and verification mark.
//!
//! The built-in catalogue is `data/pumps.json`, compiled in. Unknown values are absent, never
//! invented; unverified values ([`Mark::Unverified`]) are shown and may warn, but never block.

use serde::{Deserialize, Serialize};

use crate::engine::error::{Error, Field, Problem};
use crate::engine::quantities::units::{Millilitres, MlPerDay};

/// How far a value has been checked: V verified, S secondary source, U unverified, I institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mark {
    /// Read in the cited source.
    #[serde(rename = "V")]
    Verified,
    /// Read in a secondary source that quotes the primary.
    #[serde(rename = "S")]
    Secondary,
    /// Commonly cited but not confirmed: an editable default only, never a hard limit.
    #[serde(rename = "U")]
    Unverified,
    /// Set by the institution (edited in itdose or in its own library file): the institution
    /// owns the value, as it owns a smart-pump drug library.
    #[serde(rename = "I")]
    Institution,
}

impl Mark {
    /// One letter: V, S, U or I.
    pub fn letter(self) -> &'static str {
        match self {
            Mark::Verified => "V",
            Mark::Secondary => "S",
            Mark::Unverified => "U",
            Mark::Institution => "I",
        }
    }

    /// Words for the screen.
    pub fn describe(self) -> &'static str {
        match self {
            Mark::Verified => "verified in the cited source",
            Mark::Secondary => "from a secondary source",
            Mark::Unverified => {
                "unverified \u{2014} confirm against current labelling / your institution's drug library"
            }
            Mark::Institution => "set by your institution",
        }
    }
}

/// A default value with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// The source, as a citation a reader can look up.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// What kind of pump a catalogue entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PumpKind {
    /// Programmable rate (SynchroMed II, Prometra): capacity from the catalogue.
    Programmable,
    /// Fixed flow rate (e.g. Codman 3000): the user enters capacity and rate; the dose changes only
    /// through the concentration.
    ConstantFlow,
    /// Any other pump: the user enters the capacity.
    Custom,
}

/// One pump model in the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PumpModel {
    /// Stable identifier, used in saved plans.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Programmable, constant-flow or custom.
    pub kind: PumpKind,
    /// Reservoir capacity; absent for a custom pump, whose capacity the user enters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_ml: Option<Sourced<Millilitres>>,
    /// Lowest programmable flow rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_rate_ml_per_day: Option<Sourced<MlPerDay>>,
    /// Highest programmable flow rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_rate_ml_per_day: Option<Sourced<MlPerDay>>,
    /// Default low-reservoir alarm volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_reservoir_alarm_ml: Option<Sourced<Millilitres>>,
    /// Flow accuracy, ± percent of programmed volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_accuracy_percent: Option<Sourced<f64>>,
    /// Internal dead space.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_space_ml: Option<Sourced<Millilitres>>,
    /// Catheter access port volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catheter_access_port_ml: Option<Sourced<Millilitres>>,
    /// Volume at which the refill date falls under the manufacturer's rule (Prometra: 3 mL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refill_volume_ml: Option<Sourced<Millilitres>>,
    /// Catheter volume per cm, where the manufacturer states it (mL/cm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catheter_ml_per_cm: Option<Sourced<f64>>,
    /// How the refill date is set, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refill_rule: Option<Sourced<String>>,
    /// What MRI does to the pump, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mri: Option<Sourced<String>>,
    /// How MRI is modelled: the rotor stalls (SynchroMed) or the pump is emptied first (Prometra).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mri_kind: Option<MriKind>,
    /// The MRI conditions of the labelling (field strength, gradient), in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mri_conditions: Option<Sourced<String>>,
    /// What happens at an MRI when the pump could not be emptied first (Prometra II), in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_mri: Option<Sourced<String>>,
    /// How the rate of a constant-flow pump drifts, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_drift: Option<Sourced<String>>,
    /// The drugs approved for this pump, each with its source; absent when not known (no
    /// off-label caution is then given for single drugs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_drugs: Option<Vec<ApprovedDrug>>,
}

/// A drug approved for use in a pump.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovedDrug {
    /// Drug library id.
    pub drug: String,
    /// Where it comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// How an MRI scan affects delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MriKind {
    /// Delivery stops for the scan and restarts after a delay of 0 to 24 h (SynchroMed II).
    StallRestartDelay,
    /// The pump must be emptied before the scan and refilled after (Prometra).
    EmptyBefore,
}

/// The pump catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    /// Format version of the catalogue file.
    pub version: u32,
    /// A note shown with the catalogue.
    #[serde(default)]
    pub note: String,
    /// The pumps.
    pub pumps: Vec<PumpModel>,
}

/// The catalogue file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("pump catalogue: {0}")]
pub struct CatalogueError(String);

const BUILTIN_CATALOGUE: &str = include_str!("../../../data/pumps.json");

impl Catalogue {
    /// The catalogue shipped with itdose (`data/pumps.json`).
    ///
    /// # Errors
    /// [`CatalogueError`] if the file is malformed (a test guarantees it is not).
    pub fn builtin() -> Result<Self, CatalogueError> {
        Self::from_json(BUILTIN_CATALOGUE)
    }

    /// Reads a catalogue from JSON.
    ///
    /// # Errors
    /// [`CatalogueError`] naming the line and column of the first problem.
    pub fn from_json(text: &str) -> Result<Self, CatalogueError> {
        serde_json::from_str(text).map_err(|e| CatalogueError(e.to_string()))
    }

    /// The pump with this id.
    pub fn get(&self, id: &str) -> Option<&PumpModel> {
        self.pumps.iter().find(|p| p.id == id)
    }
}

/// The limits of the pump in use, as the calculations need them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PumpSpec {
    /// Display name.
    pub name: String,
    /// Reservoir capacity: the fill volume may not exceed it (hard limit).
    pub capacity: Millilitres,
    /// Lowest programmable rate: a lower rate cannot be delivered (hard limit).
    pub minimum_rate: Option<MlPerDay>,
    /// Highest programmable rate, with its mark: enforced only when verified.
    pub maximum_rate: Option<Sourced<MlPerDay>>,
    /// Recommended low-reservoir alarm: a lower alarm gives a caution, never a block.
    pub recommended_alarm: Option<Sourced<Millilitres>>,
    /// The fixed rate of a constant-flow pump, as entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_rate: Option<MlPerDay>,
}

impl PumpModel {
    /// The limits of this pump. A pump with no catalogue capacity takes `custom_capacity`; a
    /// constant-flow pump takes `fixed_rate`.
    ///
    /// # Errors
    /// [`Field::PumpCapacity`] if the pump needs a capacity and has none, or a zero one;
    /// [`Field::FixedRate`] likewise for a constant-flow pump's rate.
    pub fn spec(&self, custom_capacity: Option<Millilitres>) -> Result<PumpSpec, Error> {
        self.spec_with_rate(custom_capacity, None)
    }

    /// [`PumpModel::spec`], with the fixed rate of a constant-flow pump.
    ///
    /// # Errors
    /// As [`PumpModel::spec`].
    pub fn spec_with_rate(
        &self,
        custom_capacity: Option<Millilitres>,
        fixed_rate: Option<MlPerDay>,
    ) -> Result<PumpSpec, Error> {
        let fixed_rate = match (self.kind, fixed_rate) {
            (PumpKind::ConstantFlow, None) => {
                return Err(Error::new(Field::FixedRate, Problem::Missing));
            }
            (PumpKind::ConstantFlow, Some(r)) if r.value() == 0.0 => {
                return Err(Error::new(Field::FixedRate, Problem::Zero));
            }
            (PumpKind::ConstantFlow, Some(r)) => Some(r),
            _ => None,
        };
        let capacity = match (&self.capacity_ml, custom_capacity) {
            (Some(sourced), _) => sourced.value,
            (None, Some(capacity)) => capacity,
            (None, None) => return Err(Error::new(Field::PumpCapacity, Problem::Missing)),
        };
        if capacity.value() == 0.0 {
            return Err(Error::new(Field::PumpCapacity, Problem::Zero));
        }
        Ok(PumpSpec {
            name: self.name.clone(),
            capacity,
            minimum_rate: self.minimum_rate_ml_per_day.as_ref().map(|s| s.value),
            maximum_rate: self.maximum_rate_ml_per_day.clone(),
            recommended_alarm: self.low_reservoir_alarm_ml.clone(),
            fixed_rate,
        })
    }

    /// Whether the user must enter the capacity.
    pub fn is_custom(&self) -> bool {
        self.capacity_ml.is_none()
    }

    /// Whether this is a constant-flow pump (the user enters its rate).
    pub fn is_constant_flow(&self) -> bool {
        self.kind == PumpKind::ConstantFlow
    }

    /// The volume the alarm field starts at for this pump: the recommended low-reservoir alarm,
    /// or the refill-rule volume (Prometra).
    pub fn default_alarm(&self) -> Option<&Sourced<Millilitres>> {
        self.low_reservoir_alarm_ml.as_ref().or(self.refill_volume_ml.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_pump_needs_a_capacity() -> Result<(), CatalogueError> {
        let catalogue = Catalogue::builtin()?;
        let custom = catalogue.get("custom").cloned();
        let custom = custom.ok_or_else(|| CatalogueError("no custom pump".into()))?;
        assert!(custom.is_custom());
        assert_eq!(
            custom.spec(None),
            Err(Error::new(Field::PumpCapacity, Problem::Missing))
        );
        assert_eq!(
            custom.spec(Some(Millilitres::ZERO)),
            Err(Error::new(Field::PumpCapacity, Problem::Zero))
        );
        let cap = Millilitres::new(18.0).map_err(|e| CatalogueError(e.to_string()))?;
        assert_eq!(custom.spec(Some(cap)).map(|s| s.capacity), Ok(cap));
        Ok(())
    }

    #[test]
    fn catalogue_rejects_invalid_values() {
        let bad = r#"{"version":1,"pumps":[{"id":"x","name":"x","kind":"custom","capacity_ml":{"value":-20,"source":"s","mark":"V"}}]}"#;
        assert!(Catalogue::from_json(bad).is_err());
    }
}
