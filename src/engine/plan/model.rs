//! The plan file: pump, drugs in one reservoir, programme (continuous or flex, with boluses),
//! fill, acknowledgements, refill visits, CSF settings and confirmed sessions (`docs/plan-format.md`).
//! Version 3; versions 1 and 2 are read and migrated ([`super::migrate`]).

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::plan::findings::Acknowledgement;
use crate::engine::plan::session::Session;
use crate::engine::quantities::dose::{AnyConcentration, AnyDoseRate};
use crate::engine::quantities::units::{Hours, Millilitres, MlPerDay};
use crate::engine::reservoir::schedule::{Cycle, PatientBolus, PeriodicBolus, SingleBolus};
use crate::engine::reservoir::visit::{LoggedVisit, Visit};

/// The file format tag of a plan.
pub const PLAN_FORMAT: &str = "itdose-plan";
/// The plan format version this build writes (versions 1 and 2 are read and migrated; version 3
/// added the confirmed sessions).
pub const PLAN_VERSION: u32 = 3;
/// At most this many drugs share one reservoir.
pub const MAX_DRUGS: usize = 4;

/// The pump in a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PumpChoice {
    /// Catalogue id.
    pub model: String,
    /// Capacity, for a pump the catalogue gives none for (custom, constant-flow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Millilitres>,
    /// Rate of a constant-flow pump (label rate or last measured rate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_rate: Option<MlPerDay>,
    /// Device end of service (e.g. 90 days after the elective replacement indicator), when known.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::engine::quantities::civil_serde::optional"
    )]
    pub end_of_service: Option<DateTime>,
}

/// The fill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fill {
    /// Volume put into the reservoir.
    pub volume: Millilitres,
    /// Reservoir volume at which the low-reservoir alarm sounds.
    pub low_reservoir_alarm: Millilitres,
    /// When the pump is (or was) filled, wall-clock.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub filled_at: DateTime,
    /// First fill of a new pump (some drugs, e.g. ziconotide, must be refilled sooner).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub new_pump: bool,
}

/// One drug in the reservoir.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrugLine {
    /// Drug library id.
    pub drug: String,
    /// Concentration in the reservoir (absent on a constant-flow pump, where it is solved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concentration: Option<AnyConcentration>,
    /// Target daily dose (the lead drug's, or every drug's on a constant-flow pump).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_dose: Option<AnyDoseRate>,
    /// Stock vial strength, for the compounding worksheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<AnyConcentration>,
    /// The condition the drug is given for, in the library's words, when its limits or titration
    /// rules differ by condition (baclofen: "spasticity of spinal origin"); absent: every rule
    /// applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// How the programme is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "mode",
    rename_all = "snake_case",
    expecting = "a programme: {\"mode\": \"lead_dose\", \"lead\": 0}, {\"mode\": \"rate\", \"flow_rate\": …} or {\"mode\": \"constant_flow\"}"
)]
pub enum Programme {
    /// The lead drug's daily dose is set; the rate follows, and every other drug's dose follows the rate.
    LeadDose {
        /// Index of the lead drug line.
        lead: usize,
    },
    /// The flow rate is set; every drug's dose follows.
    Rate {
        /// Programmed rate.
        flow_rate: MlPerDay,
    },
    /// Constant-flow pump: the rate is fixed; each drug's target dose gives its concentration.
    ConstantFlow,
}

/// One flex step, as the lead drug's daily dose from its start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlexDoseStep {
    /// Day of the week (0 = Monday) in a 7-day cycle; 0 in a 24-hour cycle.
    #[serde(default)]
    pub day: u8,
    /// Start time, "HH:MM".
    pub start: String,
    /// The lead drug's dose per day during the step.
    pub daily_dose: AnyDoseRate,
}

/// Flex dosing: the lead drug's dose in steps over a 24-hour or 7-day cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlexProgramme {
    /// 24-hour or 7-day.
    pub cycle: Cycle,
    /// The steps.
    pub steps: Vec<FlexDoseStep>,
}

/// Boluses on top of the basal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Boluses {
    /// Periodic boluses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub periodic: Vec<PeriodicBolus>,
    /// Single boluses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub single: Vec<SingleBolus>,
    /// Patient-activated boluses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<PatientBolus>,
    /// Typical patient activations per day (for the typical scenario).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typical_per_day: Option<u32>,
    /// A priming bolus (after implant or catheter revision): the volume ahead of the drug (pump
    /// tubing + catheter, from the CSF settings) delivered from `at` over `duration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priming: Option<PrimingBolusSetting>,
    /// A bridge bolus (after a change of drug or concentration): the volume ahead of the new
    /// solution delivered from `at` at the rate that keeps the lead drug's dose with the old
    /// concentration (from the CSF settings' solution being replaced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bridge: Option<BridgeBolusSetting>,
}

impl Boluses {
    /// No bolus of any kind and nothing else set (a plan file leaves the section out).
    pub fn is_empty(&self) -> bool {
        self.periodic.is_empty()
            && self.single.is_empty()
            && self.patient.is_none()
            && self.typical_per_day.is_none()
            && self.priming.is_none()
            && self.bridge.is_none()
    }
}

/// A programmed priming bolus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimingBolusSetting {
    /// When it starts.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
    /// How long it takes.
    pub duration: Hours,
}

/// A programmed bridge bolus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BridgeBolusSetting {
    /// When it starts.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
}

/// The titration history of the current programme, for the titration rules' spacing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TitrationHistory {
    /// When the dose was last changed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::engine::quantities::civil_serde::optional"
    )]
    pub last_change: Option<DateTime>,
    /// How many times the dose rose in the 7 days before this change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increases_past_week: Option<u32>,
}

/// A drug's maximum 24-hour total under the current (interrogated) programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentTotal {
    /// Drug library id.
    pub drug: String,
    /// Maximum possible in 24 hours under the current programme.
    pub daily_maximum: AnyDoseRate,
}

/// A complete plan, as saved in a plan file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Always [`PLAN_FORMAT`].
    pub format: String,
    /// Always [`PLAN_VERSION`] for files this build writes.
    pub version: u32,
    /// The pump.
    pub pump: PumpChoice,
    /// The fill.
    pub fill: Fill,
    /// One to four drugs in the reservoir.
    pub drugs: Vec<DrugLine>,
    /// How the programme is set.
    pub programme: Programme,
    /// Recorded acknowledgements of soft limits.
    #[serde(default)]
    pub acknowledgements: Vec<Acknowledgement>,
    /// Extra volume compounded to prime the refill kit (worksheet only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_volume: Option<Millilitres>,
    /// Flex dosing (lead-dose programmes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flex: Option<FlexProgramme>,
    /// Boluses.
    #[serde(default, skip_serializing_if = "Boluses::is_empty")]
    pub boluses: Boluses,
    /// The current programme's maximum 24-hour totals, to compare the proposed one with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub current_programme: Vec<CurrentTotal>,
    /// When the current programme last changed, for titration rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub titration: Option<TitrationHistory>,
    /// A refill visit to reconcile against this fill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit: Option<Visit>,
    /// Recorded visits (the log).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<LoggedVisit>,
    /// CSF model settings: dead volume, the solution being replaced, PK parameters, MRI.
    #[serde(default, skip_serializing_if = "CsfSettings::is_default")]
    pub csf: CsfSettings,
    /// Confirmed clinic sessions (version 3): when, which workflow, what changed, the
    /// acknowledgements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<Session>,
}

/// What the CSF concentration model needs beyond the programme.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CsfSettings {
    /// Pump tubing ahead of the catheter (plug flow; value unverified, user-entered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pump_tubing: Option<Millilitres>,
    /// Implanted catheter length, cm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catheter_length_cm: Option<f64>,
    /// Catheter volume per cm, mL/cm (Prometra 0.0026, V; Medtronic catheters: from the labelling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catheter_ml_per_cm: Option<f64>,
    /// Residual left in the reservoir after aspiration, which mixes with the new fill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residual: Option<Millilitres>,
    /// The solution being replaced (in the residual, the tubing and the catheter), per drug.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous: Vec<PreviousDrug>,
    /// Patient weight, kg (for volumes given per kg, e.g. morphine CSF ≈ 1 mL/kg).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<f64>,
    /// Per-drug model parameters replacing the library defaults.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<DrugModel>,
    /// An MRI scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mri: Option<MriScan>,
}

impl CsfSettings {
    /// Nothing set.
    pub fn is_default(&self) -> bool {
        *self == CsfSettings::default()
    }
}

/// A drug in the solution being replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousDrug {
    /// Drug library id.
    pub drug: String,
    /// Its concentration in the old solution.
    pub concentration: AnyConcentration,
}

/// A drug's CSF model parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrugModel {
    /// Drug library id.
    pub drug: String,
    /// The model.
    pub model: crate::engine::csf::pk::PkModel,
}

/// An MRI scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MriScan {
    /// Start of the scan.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
    /// Length of the scan.
    pub duration: Hours,
}

impl Plan {
    /// A plan of this format version with no schedule extras, acknowledgements, visits or CSF
    /// settings; add them with struct update syntax.
    pub fn new(pump: PumpChoice, fill: Fill, drugs: Vec<DrugLine>, programme: Programme) -> Self {
        Plan {
            format: PLAN_FORMAT.to_owned(),
            version: PLAN_VERSION,
            pump,
            fill,
            drugs,
            programme,
            acknowledgements: Vec::new(),
            extra_volume: None,
            flex: None,
            boluses: Boluses::default(),
            current_programme: Vec::new(),
            titration: None,
            visit: None,
            visits: Vec::new(),
            csf: CsfSettings::default(),
            sessions: Vec::new(),
        }
    }

    /// The plan as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
