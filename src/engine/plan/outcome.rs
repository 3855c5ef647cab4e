//! What a plan evaluates to: typed values only, no words. The report module turns an outcome into
//! the figures the app, the printout and `itdose report` show.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::catalogue::pump::{Mark, MriKind};
use crate::engine::dosing::change::StepNote;
use crate::engine::dosing::compounding::Worksheet;
use crate::engine::plan::findings::{Finding, PlanStatus};
use crate::engine::plan::model::Fill;
use crate::engine::quantities::dose::{AnyConcentration, AnyDoseRate, AnyMass};
use crate::engine::quantities::units::{Millilitres, MlPerDay};
use crate::engine::reservoir::refill::RefillBy;
use crate::engine::reservoir::schedule::{DailyVolumes, ScenarioProjection, Schedule};
use crate::engine::reservoir::visit::{LoggedVisit, Reconciliation};

/// The pump in use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PumpOutcome {
    /// Catalogue id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Reservoir capacity.
    pub capacity: Millilitres,
    /// Labelled flow accuracy, ± percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy_percent: Option<f64>,
    /// A constant-flow pump (no alarm: the plan's alarm volume is the refill volume).
    pub constant_flow: bool,
}

/// One drug's doses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrugOutcome {
    /// Library id.
    pub id: String,
    /// Tall Man name.
    pub display_name: String,
    /// Whether this is the lead drug.
    pub lead: bool,
    /// Concentration compounded for the reservoir.
    pub concentration: AnyConcentration,
    /// Concentration in the reservoir after the fill mixes with the residual, when a solution
    /// being replaced is entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mixed: Option<AnyConcentration>,
    /// Daily dose of the basal (heaviest 24 hours of a flex cycle).
    pub daily_dose: AnyDoseRate,
    /// Scheduled (periodic) boluses, the most in 24 hours.
    pub scheduled_boluses: AnyDoseRate,
    /// One-off boluses (single, priming, bridge), the heaviest 24 hours of their delivery.
    pub one_off_boluses: AnyDoseRate,
    /// Patient boluses at their maximum.
    pub patient_boluses: AnyDoseRate,
    /// Maximum possible in 24 hours: the larger of every bolus at its worst with the new (or
    /// mixed) solution, and the first 24 hours while the old solution ahead of it is pushed through.
    pub daily_maximum: AnyDoseRate,
    /// The first 24 hours when the old solution in the volume ahead is pushed through at the new
    /// rate (a change of concentration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_day: Option<AnyDoseRate>,
    /// Drug in the reservoir at the fill.
    pub in_reservoir: AnyMass,
}

/// A drug's maximum 24-hour total, current and proposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Tall Man name.
    pub drug: String,
    /// Current programme.
    pub current: AnyDoseRate,
    /// Proposed.
    pub proposed: AnyDoseRate,
}

/// The rinse of a new pump before its first fill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rinse {
    /// Tall Man name.
    pub drug: String,
    /// How many rinses.
    pub times: u32,
    /// Volume of each.
    pub each: Millilitres,
    /// times × each.
    pub total: Millilitres,
    /// Concentration rinsed with.
    pub concentration: AnyConcentration,
    /// Drug used: total × concentration.
    pub amount: AnyMass,
    /// Where the rule comes from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

/// An MRI scan's effect on the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MriOutcome {
    /// Scan start.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub from: DateTime,
    /// Scan end (nominal restart for a pump that stalls).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub to: DateTime,
    /// How the pump behaves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<MriKind>,
    /// Latest restart (scan end + 24 h) for a pump that stalls.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::engine::quantities::civil_serde::optional"
    )]
    pub restart_latest: Option<DateTime>,
    /// Empty date if the restart is 24 h late.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::engine::quantities::civil_serde::optional"
    )]
    pub empty_if_late: Option<DateTime>,
    /// Volume expected in the pump at the scan, to be removed (a pump that must be emptied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed: Option<Millilitres>,
    /// Drug removed with it, per drug.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_drug: Vec<(String, AnyMass)>,
    /// The pump's MRI conditions (field strength, gradient), from the catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<String>,
    /// What happens when the pump could not be emptied first (emergency MRI), from the catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency: Option<String>,
    /// Baclofen is in the reservoir (higher risk from the interruption).
    pub baclofen: bool,
}

/// What a plan computes to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Where the plan stands.
    pub status: PlanStatus,
    /// The pump.
    pub pump: PumpOutcome,
    /// The fill.
    pub fill: Fill,
    /// Basal volume per day (the rate, or the heaviest 24 hours of a flex cycle).
    pub flow_rate: MlPerDay,
    /// The delivery schedule (priming and bridge boluses among the single ones, the MRI pause).
    pub schedule: Schedule,
    /// 24-hour volumes.
    pub daily_volumes: DailyVolumes,
    /// Whether the programme has boluses of any kind.
    pub has_boluses: bool,
    /// Reservoir projections: no patient boluses first, then typical and all allowed when the
    /// programme has patient boluses.
    pub scenarios: Vec<ScenarioProjection>,
    /// The earliest the reservoir can be empty: every allowed patient bolus, at the fast edge of
    /// the flow accuracy.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub earliest_empty: DateTime,
    /// The refill-by date and what binds it.
    pub refill_by: RefillBy,
    /// Per drug.
    pub drugs: Vec<DrugOutcome>,
    /// Current vs proposed maximum 24-hour totals (when a current programme is set).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comparison: Vec<Comparison>,
    /// Flex steps far from the current programme.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub step_notes: Vec<StepNote>,
    /// The refill visit's reconciliation, when a visit is entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<Reconciliation>,
    /// The visit log.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<LoggedVisit>,
    /// Findings, hard first.
    pub findings: Vec<Finding>,
    /// The compounding worksheet, when every drug has a stock strength.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compounding: Option<Worksheet>,
    /// The rinse of a new pump before its first fill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rinse: Option<Rinse>,
    /// What an MRI scan does, when one is planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mri: Option<MriOutcome>,
}

impl Outcome {
    /// The no-patient-bolus projection (the programme as set).
    pub fn nominal(&self) -> Option<&ScenarioProjection> {
        self.scenarios.first()
    }
}
