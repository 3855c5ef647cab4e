//! The plan: pump, drugs in one reservoir, programme (continuous or flex, with boluses), fill,
//! acknowledgements and refill visits, as a versioned file (`docs/plan-format.md`), and its
//! evaluation into a report. The app and the native `itdose report` command both evaluate plans
//! here, so they cannot disagree.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::catalogue::library::{Applies, DrugEntry, DrugLibrary, Severity};
use crate::engine::catalogue::pump::{Catalogue, Mark, MriKind, PumpModel, PumpSpec};
use crate::engine::csf::transit::{DeadVolume, bridge_bolus};
use crate::engine::dosing::compounding::{CompoundingLine, Worksheet, worksheet};
use crate::engine::dosing::limits::{self, CheckContext, CheckedDrug, StepNote, step_notes};
use crate::engine::dosing::programme::{Caution, after, alarm_caution, check_fill, check_rate};
use crate::engine::error::{Error, Field, Problem};
use crate::engine::plan::findings::{Acknowledgement, Finding, PlanStatus, settle};
use crate::engine::quantities::dose::{AnyConcentration, AnyDoseRate, AnyMass};
use crate::engine::quantities::format::{Display as _, format_date, format_date_time, format_number, with_unit};
use crate::engine::quantities::units::{Days, Hours, MassFamily, Millilitres, MlPerDay};
use crate::engine::reservoir::refill::{
    LoggedVisit, Reconciliation, RefillBy, RefillCandidate, Visit, VisitConcern, VisitContext, discrepancy_trend,
    reconcile, refill_by, stability_candidate,
};
use crate::engine::reservoir::schedule::{
    Basal, Cycle, DailyVolumes, FlexStep, PatientBolus, PatientUse, Pause, PeriodicBolus, ScenarioProjection, Schedule,
    SingleBolus,
};

/// The file format tag of a plan.
pub const PLAN_FORMAT: &str = "itdose-plan";
/// The plan format version this build reads and writes.
pub const PLAN_VERSION: u32 = 1;
/// At most this many drugs share one reservoir.
pub const MAX_DRUGS: usize = 4;
/// A proposed programme whose maximum 24-hour total of a drug rises by more than this factor over
/// the current programme needs an acknowledgement (our design: a safety net for the flex step
/// typed per hour instead of per day, a 24-fold overdose; not a published threshold).
pub const JUMP_FACTOR: f64 = 1.5;

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
    #[serde(default, skip_serializing_if = "Option::is_none", with = "optional_civil")]
    pub end_of_service: Option<DateTime>,
}

mod optional_civil {
    use jiff::civil::DateTime;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Wrap(#[serde(with = "crate::engine::quantities::civil_serde")] DateTime);

    pub fn serialize<S: Serializer>(at: &Option<DateTime>, s: S) -> Result<S::Ok, S::Error> {
        at.map(Wrap).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime>, D::Error> {
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
    }
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
}

/// How the programme is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
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
    /// No bolus of any kind.
    pub fn is_empty(&self) -> bool {
        self.periodic.is_empty()
            && self.single.is_empty()
            && self.patient.is_none()
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
    #[serde(default, skip_serializing_if = "Option::is_none", with = "optional_civil")]
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
    pub duration: crate::engine::quantities::units::Hours,
}

/// A figure as shown: its name, its value and unit, and its ISMP display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The figure's name, as in the app's `<dt>`.
    pub name: String,
    /// The value as a number in `unit` (absent for dates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The unit of `value`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// The display, as in the app's `<dd>`.
    pub display: String,
}

impl Figure {
    fn quantity(name: &str, value: f64, unit: &str) -> Self {
        Figure {
            name: name.to_owned(),
            value: Some(value),
            unit: unit.to_owned(),
            display: with_unit(value, unit),
        }
    }
    fn text(name: &str, display: String) -> Self {
        Figure {
            name: name.to_owned(),
            value: None,
            unit: String::new(),
            display,
        }
    }
    fn days(name: &str, days: Days) -> Self {
        Figure {
            name: name.to_owned(),
            value: Some(days.value()),
            unit: "days".into(),
            display: days.ismp(),
        }
    }
}

/// One drug's computed figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrugReport {
    /// Library id.
    pub drug: String,
    /// Tall Man display name.
    pub display_name: String,
    /// Whether this is the lead drug.
    pub lead: bool,
    /// Concentration in the reservoir.
    pub concentration: AnyConcentration,
    /// Daily dose of the basal (heaviest 24 hours of a flex cycle).
    pub daily_dose: AnyDoseRate,
    /// Maximum possible in 24 hours: basal + scheduled boluses + patient boluses at their maximum.
    pub daily_maximum: AnyDoseRate,
    /// The figures as shown.
    pub figures: Vec<Figure>,
}

/// What a plan computes to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Where the plan stands.
    pub status: PlanStatus,
    /// The pump's name.
    pub pump: String,
    /// Basal volume per day (the rate, or the heaviest 24 hours of a flex cycle).
    pub flow_rate: MlPerDay,
    /// The delivery schedule.
    pub schedule: Schedule,
    /// 24-hour volumes.
    pub daily_volumes: DailyVolumes,
    /// Pump capacity.
    pub capacity: Millilitres,
    /// When the pump was filled.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub filled_at: DateTime,
    /// Low-reservoir alarm volume.
    pub low_reservoir_alarm: Millilitres,
    /// Reservoir projections: no patient boluses first, then typical and all allowed when the
    /// programme has patient boluses.
    pub scenarios: Vec<ScenarioProjection>,
    /// The refill-by date and what binds it.
    pub refill_by: RefillBy,
    /// The refill visit's reconciliation, when a visit is entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<Reconciliation>,
    /// The visit log.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<LoggedVisit>,
    /// The discrepancy trend over the log, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_trend: Option<String>,
    /// Overall figures as shown.
    pub figures: Vec<Figure>,
    /// Current vs proposed maximum 24-hour totals (when a current programme is set), as the
    /// programmer's closing review shows them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comparison: Vec<Figure>,
    /// Scenario figures as shown (when the programme has patient boluses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenario_figures: Vec<Figure>,
    /// Per drug.
    pub drugs: Vec<DrugReport>,
    /// Findings, hard first.
    pub findings: Vec<Finding>,
    /// The compounding worksheet, when every drug has a stock strength.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compounding: Option<Worksheet>,
    /// The rinse of a new pump before its first fill (ziconotide), part of the worksheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rinse: Option<RinseReport>,
    /// Notes next to flex steps (a step far above the current programme).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub step_notes: Vec<StepNote>,
    /// What an MRI scan does, when one is planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mri: Option<MriReport>,
}

/// The rinse of a new pump before its first fill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RinseReport {
    /// The drug's Tall Man name.
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
pub struct MriReport {
    /// Scan start.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub from: DateTime,
    /// Scan end (nominal restart for a pump that stalls).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub to: DateTime,
    /// Latest restart (scan end + 24 h) for a pump that stalls.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "optional_civil")]
    pub restart_latest: Option<DateTime>,
    /// Empty date if the restart is 24 h late.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "optional_civil")]
    pub empty_if_late: Option<DateTime>,
    /// Volume removed before the scan (a pump that must be emptied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed: Option<Millilitres>,
    /// Drug removed with it, per drug.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_drug: Vec<String>,
    /// What to do: the pump's MRI conditions and labelling, in order.
    pub checklist: Vec<String>,
}

impl Report {
    /// The no-patient-bolus projection (the programme as set).
    pub fn nominal(&self) -> Option<&ScenarioProjection> {
        self.scenarios.first()
    }
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
        }
    }

    /// Reads a plan file.
    ///
    /// # Errors
    /// [`Field::PlanFile`] naming the JSON problem, the format or the version.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let plan: Plan = serde_json::from_str(text)
            .map_err(|e| Error::invalid(Field::PlanFile, format!("not a valid plan file: {e}")))?;
        if plan.format != PLAN_FORMAT {
            return Err(Error::invalid(
                Field::PlanFile,
                format!(
                    "format is \u{201c}{}\u{201d}, expected \u{201c}{PLAN_FORMAT}\u{201d}",
                    plan.format
                ),
            ));
        }
        if plan.version != PLAN_VERSION {
            return Err(Error::invalid(
                Field::PlanFile,
                format!(
                    "version {} is not supported (this build reads version {PLAN_VERSION})",
                    plan.version
                ),
            ));
        }
        Ok(plan)
    }

    /// The plan as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn wrong_family(drug: &DrugEntry, index: usize, field: Field, suffix: &str, found: MassFamily) -> Error {
    Error::new(
        field,
        Problem::WrongFamily {
            drug: drug.display_name.clone(),
            expected: format!("{}{suffix}", drug.family.symbol()),
            found: format!("{}{suffix}", found.symbol()),
        },
    )
    .for_drug(index)
}

/// Evaluates a plan against the pump catalogue and the drug library.
///
/// Stages, each settled before the next: the basis (pump, drugs, concentrations, schedule with
/// every bolus and the MRI), the projections, the refill-by constraints (the MRI included), the
/// per-drug figures, the findings, and only then the overall figures, made from settled values.
///
/// # Errors
/// Every input error found (unknown pump or drug, wrong unit family, missing concentration or
/// dose, fill (with the residual) above capacity, rate outside the pump's verified range, an
/// invalid schedule, …), each naming its field and drug line. Library limits are not errors: they
/// are findings.
pub fn evaluate(plan: &Plan, catalogue: &Catalogue, library: &DrugLibrary) -> Result<Report, Vec<Error>> {
    let one = |e: Error| vec![e];
    let basis = Basis::settle(plan, catalogue, library)?;
    let volumes = basis.schedule.daily_volumes();
    let scenarios = basis.project().map_err(one)?;
    let (Some(nominal), Some(worst)) = (scenarios.first(), scenarios.last()) else {
        return Err(vec![Error::invalid(Field::Schedule, "no projection")]);
    };
    let flow_rate = MlPerDay::new(volumes.basal.value()).map_err(|e| vec![e.at(Field::FlowRate)])?;
    let mri = match plan.csf.mri.as_ref() {
        Some(scan) => Some(basis.mri_report(scan, nominal).map_err(one)?),
        None => None,
    };
    let refill = basis.refill_constraints(worst, mri.as_ref()).map_err(one)?;
    let has_boluses = volumes.scheduled_boluses.value() > 0.0
        || volumes.one_off_boluses.value() > 0.0
        || volumes.patient_boluses.value() > 0.0;
    let drugs = basis.drug_reports(&volumes, has_boluses);
    let reconciliation = basis.reconcile(&scenarios).map_err(one)?;
    let mut findings = basis.findings(&drugs, has_boluses, mri.as_ref(), reconciliation.as_ref());
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let status = settle(&mut findings, &plan.acknowledgements);
    let compounding = basis.compounding().transpose().map_err(one)?;
    let figures = overall_figures(&basis, nominal, &refill, mri.as_ref());
    let scenario_figures = scenario_figures(&scenarios);
    let comparison = comparison(plan, &drugs);
    let lead_entry = basis.lead().and_then(|i| basis.entries.get(i).copied());
    Ok(Report {
        status,
        pump: basis.pump.name.clone(),
        flow_rate,
        daily_volumes: volumes,
        capacity: basis.pump.capacity,
        filled_at: plan.fill.filled_at,
        low_reservoir_alarm: plan.fill.low_reservoir_alarm,
        refill_by: refill,
        reconciliation,
        visits: plan.visits.clone(),
        visit_trend: discrepancy_trend(&plan.visits),
        scenario_figures,
        comparison,
        figures,
        drugs,
        findings,
        compounding,
        rinse: basis.rinse(),
        step_notes: step_notes(plan, lead_entry),
        scenarios,
        schedule: basis.schedule,
        mri,
    })
}

/// What evaluation settles before any figure is made.
struct Basis<'a> {
    plan: &'a Plan,
    model: &'a PumpModel,
    library: &'a DrugLibrary,
    pump: PumpSpec,
    entries: Vec<&'a DrugEntry>,
    concentrations: Vec<AnyConcentration>,
    /// The delivery: programme, boluses (priming and bridge among the single ones), MRI pause.
    schedule: Schedule,
    /// The MRI pause with the 24-hour-late restart, for a pump that stalls.
    mri_latest: Option<Pause>,
    cautions: Vec<Caution>,
    accuracy: Option<f64>,
    refill_volume: Millilitres,
}

impl<'a> Basis<'a> {
    fn settle(plan: &'a Plan, catalogue: &'a Catalogue, library: &'a DrugLibrary) -> Result<Self, Vec<Error>> {
        let one = |e: Error| vec![e];
        let model = catalogue.get(&plan.pump.model).ok_or_else(|| {
            vec![Error::invalid(
                Field::Pump,
                format!("unknown pump \u{201c}{}\u{201d}", plan.pump.model),
            )]
        })?;
        let pump = model
            .spec_with_rate(plan.pump.capacity, plan.pump.fixed_rate)
            .map_err(one)?;
        let entries = library_entries(plan, library)?;
        let (basal, concentrations) = solve(plan, &pump, &entries)?;
        let fill = &plan.fill;
        check_fill(&pump, fill.volume, fill.low_reservoir_alarm).map_err(one)?;
        check_residual(&pump, fill.volume, plan.csf.residual).map_err(one)?;
        let cautions = pump_cautions(&pump, &basal, fill.low_reservoir_alarm).map_err(one)?;
        if let Some(scan) = &plan.csf.mri
            && scan.at < fill.filled_at
        {
            return Err(vec![Error::invalid(
                Field::Pk,
                format!(
                    "the MRI ({}) is before the fill ({})",
                    format_date_time(scan.at),
                    format_date_time(fill.filled_at)
                ),
            )]);
        }
        let mut single = plan.boluses.single.clone();
        single.extend(procedure_boluses(plan, &basal, &entries, &concentrations).map_err(one)?);
        let schedule = Schedule {
            basal,
            periodic: plan.boluses.periodic.clone(),
            single,
            patient: plan.boluses.patient.clone(),
            pauses: Vec::new(),
        };
        let (schedule, mri_latest) = with_mri_pause(schedule, plan.csf.mri.as_ref(), model.mri_kind);
        schedule.validate().map_err(one)?;
        Ok(Basis {
            plan,
            model,
            library,
            accuracy: model.flow_accuracy_percent.as_ref().map(|s| s.value),
            refill_volume: model
                .refill_volume_ml
                .as_ref()
                .map_or(fill.low_reservoir_alarm, |s| s.value),
            pump,
            entries,
            concentrations,
            schedule,
            mri_latest,
            cautions,
        })
    }

    /// The lead drug's line: the lead of a lead-dose programme, else the first line.
    fn lead(&self) -> Option<usize> {
        match self.plan.programme {
            Programme::LeadDose { lead } => Some(lead),
            _ => (!self.entries.is_empty()).then_some(0),
        }
    }

    /// Projections: no patient boluses first, then typical and all allowed when the programme has
    /// patient boluses.
    fn project(&self) -> Result<Vec<ScenarioProjection>, Error> {
        let fill = &self.plan.fill;
        let mut scenario_list = vec![PatientUse::None];
        if self.schedule.patient.is_some() {
            scenario_list.push(PatientUse::Typical(self.plan.boluses.typical_per_day.unwrap_or(0)));
            scenario_list.push(PatientUse::AllAllowed);
        }
        scenario_list
            .iter()
            .map(|s| {
                self.schedule.project(
                    fill.volume,
                    fill.filled_at,
                    fill.low_reservoir_alarm,
                    self.refill_volume,
                    *s,
                    self.accuracy,
                )
            })
            .collect()
    }

    /// Refill-by: the pump's rule under every allowed patient bolus, at the fast edge of the flow
    /// accuracy where the pump has a labelled accuracy (the alarm is computed from the programmed
    /// rate; a pump over-infusing within its accuracy empties first: TGA RC-2016-RN-01458-1); each
    /// drug's stability; the device's end of service; an MRI that empties the pump.
    fn refill_constraints(&self, worst: &ScenarioProjection, mri: Option<&MriReport>) -> Result<RefillBy, Error> {
        let fill = &self.plan.fill;
        let with_boluses = if self.schedule.patient.is_some() {
            " with every allowed patient bolus"
        } else {
            ""
        };
        let rule = match &self.model.refill_volume_ml {
            Some(v) => format!("refill-date volume {} (pump rule){with_boluses}", v.value.ismp()),
            None => format!("low-reservoir alarm {}{with_boluses}", fill.low_reservoir_alarm.ismp()),
        };
        let (pump_rule, at_programmed_rate) = match (worst.refill_volume_fast_at, self.accuracy) {
            (Some(fast), Some(a)) => (
                RefillCandidate {
                    at: fast,
                    reason: format!(
                        "{rule}, if the pump delivers {} % more than programmed (the fast edge of its flow accuracy)",
                        format_number(a)
                    ),
                },
                Some(RefillCandidate {
                    at: worst.refill_volume_at,
                    reason: format!("{rule}, at the programmed rate"),
                }),
            ),
            _ => (
                RefillCandidate {
                    at: worst.refill_volume_at,
                    reason: rule,
                },
                None,
            ),
        };
        let mut candidates = vec![pump_rule];
        for ((entry, line), concentration) in self.entries.iter().zip(&self.plan.drugs).zip(&self.concentrations) {
            if let Some(c) = stability_for(entry, line, *concentration, fill.new_pump, fill.filled_at)? {
                candidates.push(c);
            }
        }
        if let Some(end) = self.plan.pump.end_of_service {
            candidates.push(RefillCandidate {
                at: end,
                reason: "device end of service".into(),
            });
        }
        if let Some(m) = mri
            && m.removed.is_some()
        {
            candidates.push(RefillCandidate {
                at: m.from,
                reason: "MRI: the pump is emptied before the scan and refilled after".into(),
            });
        }
        let mut refill = refill_by(candidates).ok_or_else(|| Error::invalid(Field::Schedule, "no refill date"))?;
        refill.at_programmed_rate = at_programmed_rate;
        Ok(refill)
    }

    fn drug_reports(&self, volumes: &DailyVolumes, has_boluses: bool) -> Vec<DrugReport> {
        let lead = match self.plan.programme {
            Programme::LeadDose { lead } => Some(lead),
            _ => None,
        };
        self.entries
            .iter()
            .zip(&self.concentrations)
            .enumerate()
            .map(|(i, (entry, concentration))| {
                drug_report(
                    entry,
                    *concentration,
                    volumes,
                    has_boluses,
                    lead == Some(i),
                    self.plan.fill.volume,
                )
            })
            .collect()
    }

    fn reconcile(&self, scenarios: &[ScenarioProjection]) -> Result<Option<Reconciliation>, Error> {
        let (Some(visit), Some(programme)) = (&self.plan.visit, scenarios.first()) else {
            return Ok(None);
        };
        let cx = VisitContext {
            programme,
            typical: scenarios
                .get(1)
                .filter(|_| self.schedule.patient.is_some())
                .map(|p| (p, self.plan.boluses.typical_per_day.unwrap_or(0))),
            patient_bolus: self.schedule.patient.as_ref().map(|p| p.volume),
            filled_at: self.plan.fill.filled_at,
            fill: self.plan.fill.volume,
            capacity: self.pump.capacity,
            accuracy_percent: self.accuracy,
            residual_left: self.plan.csf.residual.unwrap_or(Millilitres::ZERO),
        };
        reconcile(visit, &cx).map(Some)
    }

    fn findings(
        &self,
        drugs: &[DrugReport],
        has_boluses: bool,
        mri: Option<&MriReport>,
        reconciliation: Option<&Reconciliation>,
    ) -> Vec<Finding> {
        let checked: Vec<CheckedDrug<'_>> = self
            .entries
            .iter()
            .zip(drugs)
            .enumerate()
            .map(|(index, (entry, d))| CheckedDrug {
                index,
                entry,
                concentration: d.concentration,
                daily_maximum: d.daily_maximum,
            })
            .collect();
        let cx = CheckContext {
            plan: self.plan,
            pump: self.model,
            library: self.library,
            region: &self.library.region,
            has_boluses,
            alarm: self.plan.fill.low_reservoir_alarm,
        };
        let mut findings = limits::findings(&cx, &checked);
        findings.extend(self.cautions.iter().map(caution_finding));
        let no_low_limit: Vec<&str> = self
            .entries
            .iter()
            .filter(|e| !e.has_low_concentration_limit())
            .map(|e| e.display_name.as_str())
            .collect();
        if !no_low_limit.is_empty() {
            findings.push(Finding {
                severity: Severity::Info,
                key: "info/no-low-concentration-limit".into(),
                drug: None,
                message: format!(
                    "The drug library sets no low-concentration limit for {}. A concentration entered lower than the real one makes the pump deliver more drug than displayed (ISMP): check the concentration against the bag label.",
                    no_low_limit.join(", ")
                ),
                source: Some("ISMP smart-pump guidance".into()),
                mark: None,
                acknowledged: None,
            });
        }
        if let Some(m) = mri {
            findings.extend(self.mri_finding(m));
        }
        if let Some(r) = reconciliation {
            findings.extend(visit_findings(r));
        }
        findings
    }

    /// The Prometra emptying before an MRI, as a caution at the top of the findings.
    fn mri_finding(&self, m: &MriReport) -> Option<Finding> {
        let removed = m.removed?;
        let source = self.model.mri.as_ref();
        Some(Finding {
            severity: Severity::Soft,
            key: format!(
                "mri/empty/{}/{}",
                crate::engine::quantities::civil_serde::key(m.from),
                removed.ismp()
            ),
            drug: None,
            message: format!(
                "MRI {}: empty the {} before the scan \u{2014} remove {} ({}); the field can open both valves and dump the reservoir and catheter contents. The pump is refilled after the scan.",
                format_date_time(m.from),
                self.pump.name,
                removed.ismp(),
                m.removed_drug.join(", ")
            ),
            source: source.map(|s| s.source.clone()),
            mark: source.map(|s| s.mark),
            acknowledged: None,
        })
    }

    fn compounding(&self) -> Option<Result<Worksheet, Error>> {
        compounding_for(self.plan, &self.entries, &self.concentrations)
    }

    /// The rinse of a new pump before its first fill, from the library's new-pump rule.
    fn rinse(&self) -> Option<RinseReport> {
        if !self.plan.fill.new_pump {
            return None;
        }
        self.entries.iter().zip(&self.concentrations).find_map(|(entry, c)| {
            let rule = entry.new_pump.as_ref()?;
            let rinse = rule.rinse?;
            let concentration = match rule.concentration {
                Some(v) => AnyConcentration::new(entry.family, v).ok()?,
                None => *c,
            };
            let each = Millilitres::new(rinse.volume_ml).ok()?;
            let total = Millilitres::new(rinse.volume_ml * f64::from(rinse.times)).ok()?;
            Some(RinseReport {
                drug: entry.display_name.clone(),
                times: rinse.times,
                each,
                total,
                concentration,
                amount: concentration.amount_in(total),
                source: rule.source.clone(),
                mark: rule.mark,
            })
        })
    }

    /// What an MRI scan does to this plan.
    fn mri_report(&self, scan: &MriScan, nominal: &ScenarioProjection) -> Result<MriReport, Error> {
        let fill = &self.plan.fill;
        let end = after(
            scan.at,
            Days::new(scan.duration.value() / 24.0).map_err(|e| e.at(Field::Pk))?,
        )?;
        let mut report = MriReport {
            from: scan.at,
            to: end,
            restart_latest: None,
            empty_if_late: None,
            removed: None,
            removed_drug: Vec::new(),
            checklist: Vec::new(),
        };
        let conditions = self.model.mri_conditions.as_ref().map(|c| c.value.clone());
        match self.model.mri_kind {
            Some(MriKind::StallRestartDelay) => {
                if let Some(latest) = &self.mri_latest {
                    let mut late = self.schedule.clone();
                    late.pauses = vec![latest.clone()];
                    let p = late.project(
                        fill.volume,
                        fill.filled_at,
                        fill.low_reservoir_alarm,
                        self.refill_volume,
                        PatientUse::None,
                        self.accuracy,
                    )?;
                    report.restart_latest = Some(latest.to);
                    report.empty_if_late = Some(p.empty_at);
                }
                report.checklist.extend(conditions);
                report.checklist.extend([
                    "The MRI field stalls the pump's rotor: no drug is delivered during the scan.".to_owned(),
                    "Do not program \u{201c}stopped pump\u{201d} before the scan (Medtronic).".into(),
                    "Interrogate the pump after the scan to confirm it has restarted; restart delays of 2 to 24 hours have been reported.".into(),
                    "Check the event log for the stall and recovery; they may appear only after a second interrogation.".into(),
                    "A pump that is alarming when the scan forces it into telemetry mode does not resume until it is interrogated: clear alarms before the scan.".into(),
                    "Watch for withdrawal during the interruption.".into(),
                ]);
            }
            Some(MriKind::EmptyBefore) => {
                let days = fill.filled_at.duration_until(scan.at).as_secs_f64() / 86_400.0;
                let removed = nominal.volume_at(days);
                report.removed_drug = self
                    .entries
                    .iter()
                    .zip(&self.concentrations)
                    .map(|(e, c)| format!("{} {}", e.display_name, c.amount_in(removed).ismp()))
                    .collect();
                report.removed = Some(removed);
                report.checklist.extend(conditions);
                report.checklist.push(format!(
                    "Empty the pump before the scan: remove {} (the field can open both valves and dump the reservoir and catheter contents).",
                    removed.ismp()
                ));
                report
                    .checklist
                    .extend(self.model.emergency_mri.as_ref().map(|e| e.value.clone()));
                report.checklist.extend([
                    "Refill after the scan and confirm delivery has resumed.".to_owned(),
                    "Plan for the interruption of therapy (withdrawal).".into(),
                ]);
            }
            None => {
                report.checklist.extend(conditions);
                report
                    .checklist
                    .push("The catalogue has no MRI behaviour for this pump: follow its labelling.".into());
            }
        }
        if self.entries.iter().any(|e| e.id == "baclofen") {
            report.checklist.push(
                "Baclofen: an interruption risks withdrawal (boxed warning); the patient is at higher risk from the scan."
                    .into(),
            );
        }
        Ok(report)
    }
}

/// The fill and the residual left in the pump must fit the reservoir: overfilling is a risk
/// factor for over-infusion (Medtronic FA596; HSA 2016).
fn check_residual(pump: &PumpSpec, fill: Millilitres, residual: Option<Millilitres>) -> Result<(), Error> {
    let Some(residual) = residual.filter(|r| r.value() > 0.0) else {
        return Ok(());
    };
    let total = fill.value() + residual.value();
    if total > pump.capacity.value() * (1.0 + 1e-9) {
        return Err(Error::above(
            Field::FillVolume,
            format!(
                "{} + the residual {} = {}",
                fill.ismp(),
                residual.ismp(),
                with_unit(total, Millilitres::SYMBOL)
            ),
            pump.capacity.ismp(),
            "the pump capacity",
        ));
    }
    Ok(())
}

/// Every rate of the basal checked against the pump's range, and the alarm against its
/// recommended volume.
fn pump_cautions(pump: &PumpSpec, basal: &Basal, alarm: Millilitres) -> Result<Vec<Caution>, Error> {
    let rates: Vec<MlPerDay> = match basal {
        Basal::Continuous { rate } => vec![*rate],
        Basal::Flex { steps, .. } => steps.iter().map(|s| s.rate).filter(|r| r.value() > 0.0).collect(),
    };
    let mut cautions: Vec<Caution> = Vec::new();
    for rate in rates {
        for c in check_rate(pump, rate)? {
            if !cautions.contains(&c) {
                cautions.push(c);
            }
        }
    }
    cautions.extend(alarm_caution(pump, alarm));
    Ok(cautions)
}

/// The priming and bridge boluses as programmed, as single boluses of the admixture. Both count in
/// the 24-hour totals and empty the reservoir. The bridge runs at the rate that keeps the lead
/// drug's dose with the old concentration; counting it on top of the basal over-states both the
/// total and the depletion, never under-states them.
fn procedure_boluses(
    plan: &Plan,
    basal: &Basal,
    entries: &[&DrugEntry],
    concentrations: &[AnyConcentration],
) -> Result<Vec<SingleBolus>, Error> {
    let (priming, bridge) = (&plan.boluses.priming, &plan.boluses.bridge);
    if priming.is_none() && bridge.is_none() {
        return Ok(Vec::new());
    }
    let csf = &plan.csf;
    let dead = DeadVolume::with_catheter(
        csf.pump_tubing.unwrap_or(Millilitres::ZERO),
        csf.catheter_length_cm.unwrap_or(0.0),
        csf.catheter_ml_per_cm.unwrap_or(0.0),
    )?
    .total();
    if dead.value() <= 0.0 {
        return Err(Error::invalid(
            Field::Schedule,
            "a priming or bridge bolus is sized by the volume ahead of the drug: enter the pump tubing and the catheter (length and volume per cm)",
        ));
    }
    let mut out = Vec::new();
    if let Some(p) = priming {
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
            return Err(Error::invalid(Field::Schedule, "bridge bolus: no lead drug"));
        };
        let Some(old) = csf
            .previous
            .iter()
            .find(|p| p.drug == entry.id)
            .map(|p| p.concentration)
        else {
            return Err(Error::invalid(
                Field::Schedule,
                format!(
                    "bridge bolus: enter the concentration of {} in the solution being replaced",
                    entry.display_name
                ),
            ));
        };
        // old rate = lead dose ÷ old concentration = basal × new concentration ÷ old concentration
        let basal_per_day = Schedule {
            basal: basal.clone(),
            periodic: Vec::new(),
            single: Vec::new(),
            patient: None,
            pauses: Vec::new(),
        }
        .daily_volumes()
        .basal;
        let rate =
            MlPerDay::new(basal_per_day.value() * new.value() / old.value()).map_err(|e| e.at(Field::Schedule))?;
        let bolus = bridge_bolus(dead, old, rate)?;
        if !(bolus.duration.value() > 0.0 && bolus.duration.value().is_finite()) {
            return Err(Error::invalid(Field::Schedule, "bridge bolus: the old rate is zero"));
        }
        out.push(SingleBolus {
            volume: dead,
            duration: bolus.duration.to_hours(),
            at: b.at,
        });
    }
    Ok(out)
}

fn drug_report(
    entry: &DrugEntry,
    concentration: AnyConcentration,
    volumes: &DailyVolumes,
    has_boluses: bool,
    lead: bool,
    fill: Millilitres,
) -> DrugReport {
    let per_day = |v: Millilitres| concentration.dose_at(MlPerDay::new(v.value()).unwrap_or(MlPerDay::ZERO));
    let daily_dose = per_day(volumes.basal);
    let daily_maximum = per_day(volumes.maximum);
    let name = &entry.display_name;
    let unit = daily_dose.symbol();
    let mut figures = vec![
        Figure::quantity(
            &format!("{name} concentration"),
            concentration.value(),
            &concentration.symbol(),
        ),
        Figure::quantity(&format!("{name} daily dose"), daily_dose.value(), &unit),
    ];
    if has_boluses {
        for (label, volume) in [
            ("scheduled boluses per 24 h", volumes.scheduled_boluses),
            ("one-off boluses in the heaviest 24 h", volumes.one_off_boluses),
            ("patient boluses per 24 h at their maximum", volumes.patient_boluses),
            ("maximum possible per 24 h", volumes.maximum),
        ] {
            figures.push(Figure::quantity(
                &format!("{name} {label}"),
                per_day(volume).value(),
                &unit,
            ));
        }
    }
    figures.push(Figure::quantity(
        &format!("{name} in reservoir at fill"),
        concentration.amount_in(fill).value(),
        concentration.family().symbol(),
    ));
    DrugReport {
        drug: entry.id.clone(),
        display_name: name.clone(),
        lead,
        concentration,
        daily_dose,
        daily_maximum,
        figures,
    }
}

/// The visit's concerns as soft findings, keyed by kind, visit time and discrepancy.
fn visit_findings(r: &Reconciliation) -> Vec<Finding> {
    r.notes
        .iter()
        .map(|note| {
            let (source, mark) = match note.concern {
                VisitConcern::AfterEmpty => (
                    "Medtronic field notice FA596 (HSA 2016): running the pump empty is a risk factor for over-infusion; an interrupted opioid leaves the patient less tolerant",
                    Mark::Secondary,
                ),
                VisitConcern::Shortfall | VisitConcern::Excess => (
                    "ASRA 2017 e-poster \u{201c}Accuracy in intrathecal drug delivery\u{201d}: evaluate a discrepancy outside the device accuracy or greater than 2 mL",
                    Mark::Verified,
                ),
                VisitConcern::PocketFill | VisitConcern::MoreAfterRefill => (
                    "Maino 2017, Neuromodulation 20:733: after the refill, a discrepancy above 1 mL (20 mL pump) or 2 mL (40 mL pump) suggests a pocket fill",
                    Mark::Verified,
                ),
            };
            let value = match note.concern {
                VisitConcern::PocketFill | VisitConcern::MoreAfterRefill => {
                    r.after_refill.as_ref().map(|a| a.discrepancy.ismp()).unwrap_or_default()
                }
                _ => r.discrepancy.ismp(),
            };
            Finding {
                severity: Severity::Soft,
                key: format!(
                    "visit/{}/{}/{value}",
                    crate::engine::quantities::civil_serde::key(r.visit.at),
                    note.concern.key()
                ),
                drug: None,
                message: note.message.clone(),
                source: Some(source.into()),
                mark: Some(mark),
                acknowledged: None,
            }
        })
        .collect()
}

fn overall_figures(
    basis: &Basis<'_>,
    nominal: &ScenarioProjection,
    refill: &RefillBy,
    mri: Option<&MriReport>,
) -> Vec<Figure> {
    let flow_rate_figure = match &basis.schedule.basal {
        Basal::Continuous { rate } => Figure::quantity("Flow rate", rate.value(), MlPerDay::SYMBOL),
        Basal::Flex { steps, .. } => {
            let low = steps.iter().map(|s| s.rate.value()).fold(f64::INFINITY, f64::min);
            let high = steps.iter().map(|s| s.rate.value()).fold(0.0, f64::max);
            Figure::text(
                "Flow rate",
                format!("flex: {} to {}", format_number(low), with_unit(high, MlPerDay::SYMBOL)),
            )
        }
    };
    let filled_at = basis.plan.fill.filled_at;
    let mut figures = vec![
        flow_rate_figure,
        Figure::days("Days to low-reservoir alarm", nominal.days_to_alarm),
        Figure::text("Low-reservoir alarm date", format_date_time(nominal.alarm_at)),
        Figure::days("Days to empty", nominal.days_to_empty),
        Figure::text("Empty date", format_date_time(nominal.empty_at)),
        Figure::text(
            "Refill by",
            format!("{} ({})", format_date_time(refill.binding.at), refill.binding.reason),
        ),
    ];
    if let Some(p) = &refill.at_programmed_rate {
        figures.push(Figure::text(
            "Pump rule at the programmed rate (information)",
            format!("{} ({})", format_date_time(p.at), p.reason),
        ));
    }
    if let (Some((early, late)), Some(a)) = (nominal.alarm_band, basis.accuracy) {
        figures.push(Figure::text(
            "Low-reservoir alarm, flow accuracy band",
            format!(
                "{} to {} (\u{b1}{} %)",
                band_date(filled_at, early),
                band_date(filled_at, late),
                format_number(a)
            ),
        ));
    }
    if let Some(removed) = mri.and_then(|m| m.removed.map(|r| (m.from, r))) {
        figures.push(Figure::text(
            "Emptied for the MRI",
            format!("{} ({} removed)", format_date_time(removed.0), removed.1.ismp()),
        ));
    }
    figures
}

fn scenario_figures(scenarios: &[ScenarioProjection]) -> Vec<Figure> {
    if scenarios.len() < 2 {
        return Vec::new();
    }
    scenarios
        .iter()
        .flat_map(|p| {
            let label = p.scenario.label();
            [
                Figure::text(&format!("{label}: low-reservoir alarm"), format_date_time(p.alarm_at)),
                Figure::text(&format!("{label}: empty"), format_date_time(p.empty_at)),
            ]
        })
        .collect()
}

/// Current vs proposed maximum 24-hour totals, as the programmer's closing review shows them.
fn comparison(plan: &Plan, drugs: &[DrugReport]) -> Vec<Figure> {
    drugs
        .iter()
        .filter_map(|d| {
            let current = plan.current_programme.iter().find(|c| c.drug == d.drug)?;
            let ratio =
                if current.daily_maximum.value() > 0.0 && current.daily_maximum.family() == d.daily_maximum.family() {
                    format!(
                        " ({} times)",
                        format_number(d.daily_maximum.value() / current.daily_maximum.value())
                    )
                } else {
                    String::new()
                };
            Some(Figure::text(
                &format!("{} maximum per 24 h", d.display_name),
                format!(
                    "current {} \u{2192} proposed {}{ratio}",
                    current.daily_maximum.ismp(),
                    d.daily_maximum.ismp()
                ),
            ))
        })
        .collect()
}

/// Adds the MRI pause to the schedule: the scan itself for a pump that stalls (restart at the
/// scan's end; the 24-hour-late restart is returned separately for the band), nothing for a pump
/// that is emptied (the report says so instead).
fn with_mri_pause(mut schedule: Schedule, scan: Option<&MriScan>, kind: Option<MriKind>) -> (Schedule, Option<Pause>) {
    let Some(scan) = scan else { return (schedule, None) };
    let end = after(scan.at, Days::new(scan.duration.value() / 24.0).unwrap_or(Days::ZERO)).unwrap_or(scan.at);
    match kind {
        Some(MriKind::StallRestartDelay) => {
            schedule.pauses.push(Pause { from: scan.at, to: end });
            let latest = after(end, Days::new(1.0).unwrap_or(Days::ZERO)).unwrap_or(end);
            (
                schedule,
                Some(Pause {
                    from: scan.at,
                    to: latest,
                }),
            )
        }
        _ => (schedule, None),
    }
}

/// Each line's library entry, with every unknown drug, repeated drug and wrong unit family.
fn library_entries<'a>(plan: &Plan, library: &'a DrugLibrary) -> Result<Vec<&'a DrugEntry>, Vec<Error>> {
    if plan.drugs.is_empty() || plan.drugs.len() > MAX_DRUGS {
        return Err(vec![Error::invalid(
            Field::Drugs,
            format!("{} drugs given; a reservoir holds 1 to {MAX_DRUGS}", plan.drugs.len()),
        )]);
    }
    let mut errors = Vec::new();
    let mut entries = Vec::with_capacity(plan.drugs.len());
    for (i, line) in plan.drugs.iter().enumerate() {
        let Some(entry) = library.get(&line.drug) else {
            errors.push(
                Error::invalid(
                    Field::Drug,
                    format!("\u{201c}{}\u{201d} is not in the drug library", line.drug),
                )
                .for_drug(i),
            );
            continue;
        };
        if plan.drugs.iter().take(i).any(|other| other.drug == line.drug) {
            errors.push(
                Error::invalid(
                    Field::Drug,
                    format!("{} is already in the reservoir", entry.display_name),
                )
                .for_drug(i),
            );
        }
        if let Some(c) = line.concentration
            && c.family() != entry.family
        {
            errors.push(wrong_family(entry, i, Field::Concentration, "/mL", c.family()));
        }
        if let Some(d) = line.daily_dose
            && d.family() != entry.family
        {
            errors.push(wrong_family(entry, i, Field::DailyDose, "/day", d.family()));
        }
        if let Some(st) = line.stock
            && st.family() != entry.family
        {
            errors.push(wrong_family(entry, i, Field::StockStrength, "/mL", st.family()));
        }
        if let Some(p) = plan.csf.previous.iter().find(|p| p.drug == line.drug)
            && p.concentration.family() != entry.family
        {
            errors.push(wrong_family(entry, i, Field::Pk, "/mL", p.concentration.family()));
        }
        if let Some(c) = plan.current_programme.iter().find(|c| c.drug == line.drug)
            && c.daily_maximum.family() != entry.family
        {
            errors.push(wrong_family(
                entry,
                i,
                Field::Schedule,
                "/day",
                c.daily_maximum.family(),
            ));
        }
        entries.push(entry);
    }
    if errors.is_empty() { Ok(entries) } else { Err(errors) }
}

fn band_date(filled_at: DateTime, days: Days) -> String {
    after(filled_at, days).map(format_date).unwrap_or_default()
}

/// The stability constraint of one drug, if its library entry has one that applies.
fn stability_for(
    entry: &DrugEntry,
    line: &DrugLine,
    concentration: AnyConcentration,
    new_pump: bool,
    filled_at: DateTime,
) -> Result<Option<RefillCandidate>, Error> {
    // Undiluted when the reservoir concentration equals the stock's; unknown without a stock.
    let undiluted = line
        .stock
        .map(|s| (s.value() - concentration.value()).abs() <= 1e-9 * s.value());
    let mut best: Option<(f64, String)> = None;
    let mut consider = |days: f64, condition: String| {
        if best.as_ref().is_none_or(|b| days < b.0) {
            best = Some((days, condition));
        }
    };
    for s in &entry.stability {
        match (s.applies, undiluted) {
            (Applies::Always, _) => consider(s.days, s.condition.clone()),
            (Applies::NewPump, _) if new_pump => consider(s.days, s.condition.clone()),
            (Applies::Diluted, Some(false)) | (Applies::Undiluted, Some(true)) => consider(s.days, s.condition.clone()),
            _ => {}
        }
    }
    if undiluted.is_none()
        && let Some(shortest) = entry
            .stability
            .iter()
            .filter(|s| matches!(s.applies, Applies::Diluted | Applies::Undiluted))
            .min_by(|a, b| a.days.total_cmp(&b.days))
    {
        consider(
            shortest.days,
            format!(
                "{}; dilution not known (no stock strength entered): the shorter applies",
                shortest.condition
            ),
        );
    }
    best.map(|(days, condition)| stability_candidate(filled_at, &entry.display_name, days, &condition))
        .transpose()
}

/// Every line's concentration, or an error at each line that lacks one.
fn concentrations(plan: &Plan, errors: &mut Vec<Error>) -> Vec<AnyConcentration> {
    let mut out = Vec::with_capacity(plan.drugs.len());
    for (i, line) in plan.drugs.iter().enumerate() {
        match line.concentration {
            Some(c) if c.value() == 0.0 => errors.push(Error::new(Field::Concentration, Problem::Zero).for_drug(i)),
            Some(c) => out.push(c),
            None => errors.push(Error::new(Field::Concentration, Problem::Missing).for_drug(i)),
        }
    }
    out
}

/// A line's target daily dose, or an error at that line.
fn target_dose(plan: &Plan, index: usize, errors: &mut Vec<Error>) -> Option<AnyDoseRate> {
    match plan.drugs.get(index).and_then(|l| l.daily_dose) {
        Some(d) if d.value() == 0.0 => {
            errors.push(Error::new(Field::DailyDose, Problem::Zero).for_drug(index));
            None
        }
        Some(d) => Some(d),
        None => {
            errors.push(Error::new(Field::DailyDose, Problem::Missing).for_drug(index));
            None
        }
    }
}

/// The basal (continuous or flex) and each drug's concentration, by programme mode.
fn solve(plan: &Plan, pump: &PumpSpec, entries: &[&DrugEntry]) -> Result<(Basal, Vec<AnyConcentration>), Vec<Error>> {
    let (rate, concentrations) = solve_rate(plan, pump, entries)?;
    let Some(flex) = &plan.flex else {
        return Ok((
            Basal::Continuous {
                rate: rate.unwrap_or(MlPerDay::ZERO),
            },
            concentrations,
        ));
    };
    let Programme::LeadDose { lead } = plan.programme else {
        return Err(vec![Error::invalid(
            Field::Schedule,
            "flex steps are set as the lead drug's dose: choose a lead-dose programme",
        )]);
    };
    let (Some(lead_concentration), Some(entry)) = (concentrations.get(lead), entries.get(lead)) else {
        return Err(vec![Error::invalid(
            Field::LeadDrug,
            format!("line {} does not exist", lead + 1),
        )]);
    };
    let mut errors = Vec::new();
    let mut steps = Vec::with_capacity(flex.steps.len());
    for (i, step) in flex.steps.iter().enumerate() {
        let start = crate::engine::quantities::parse::parse_time(Field::Schedule, &step.start);
        match (start, lead_concentration.rate_for(step.daily_dose)) {
            (Ok(start), Ok(Some(rate))) => steps.push(FlexStep {
                day: step.day,
                start,
                rate,
            }),
            (Err(_), _) => errors.push(Error::invalid(
                Field::Schedule,
                format!(
                    "flex step {}: \u{201c}{}\u{201d} is not a time as HH:MM",
                    i + 1,
                    step.start
                ),
            )),
            (_, Err(m)) => errors.push(Error::invalid(
                Field::Schedule,
                format!(
                    "flex step {}: {} was entered, but {} is dosed in {}/day (nothing is converted)",
                    i + 1,
                    step.daily_dose.symbol(),
                    entry.display_name,
                    m.expected.symbol()
                ),
            )),
            (_, Ok(None)) => errors.push(Error::invalid(
                Field::Schedule,
                format!("flex step {}: the dose cannot be computed", i + 1),
            )),
        }
    }
    if errors.is_empty() {
        Ok((
            Basal::Flex {
                cycle: flex.cycle,
                steps,
            },
            concentrations,
        ))
    } else {
        Err(errors)
    }
}

/// The continuous rate (absent for a flex programme) and each drug's concentration.
fn solve_rate(
    plan: &Plan,
    pump: &PumpSpec,
    entries: &[&DrugEntry],
) -> Result<(Option<MlPerDay>, Vec<AnyConcentration>), Vec<Error>> {
    let mut errors = Vec::new();
    match (&plan.programme, pump.fixed_rate) {
        (Programme::ConstantFlow, Some(rate)) => {
            // concentration = target dose ÷ fixed rate, per drug
            let mut out = Vec::with_capacity(entries.len());
            for (i, entry) in entries.iter().enumerate() {
                if let Some(dose) = target_dose(plan, i, &mut errors) {
                    match dose.concentration_at(rate) {
                        Some(c) => out.push(c),
                        None => errors.push(
                            Error::invalid(
                                Field::DailyDose,
                                format!("no concentration of {} gives this dose", entry.display_name),
                            )
                            .for_drug(i),
                        ),
                    }
                }
            }
            if errors.is_empty() {
                Ok((Some(rate), out))
            } else {
                Err(errors)
            }
        }
        (Programme::ConstantFlow, None) => Err(vec![Error::invalid(
            Field::Programme,
            "a constant-flow programme needs a constant-flow pump",
        )]),
        (_, Some(_)) => Err(vec![Error::invalid(
            Field::Programme,
            "a constant-flow pump's rate is fixed: set each drug's target dose (constant-flow programme)",
        )]),
        (Programme::Rate { flow_rate }, None) => {
            let out = concentrations(plan, &mut errors);
            if flow_rate.value() == 0.0 {
                errors.push(Error::new(Field::FlowRate, Problem::Zero));
            }
            if errors.is_empty() {
                Ok((Some(*flow_rate), out))
            } else {
                Err(errors)
            }
        }
        (Programme::LeadDose { lead }, None) => {
            if *lead >= plan.drugs.len() {
                return Err(vec![Error::invalid(
                    Field::LeadDrug,
                    format!("line {} does not exist", lead + 1),
                )]);
            }
            let out = concentrations(plan, &mut errors);
            if plan.flex.is_some() {
                // Flex steps carry the lead dose; the line's own daily dose is not used.
                return if errors.is_empty() {
                    Ok((None, out))
                } else {
                    Err(errors)
                };
            }
            let dose = target_dose(plan, *lead, &mut errors);
            if !errors.is_empty() {
                return Err(errors);
            }
            // rate = lead dose ÷ lead concentration (families already checked equal)
            let rate = match (out.get(*lead), dose) {
                (Some(c), Some(d)) => c.rate_for(d).ok().flatten(),
                _ => None,
            };
            match rate {
                Some(rate) => Ok((Some(rate), out)),
                None => Err(vec![
                    Error::invalid(Field::DailyDose, "daily dose ÷ concentration cannot be computed").for_drug(*lead),
                ]),
            }
        }
    }
}

fn caution_finding(caution: &Caution) -> Finding {
    Finding {
        severity: Severity::Soft,
        key: format!("pump/{}/{}", caution.field.key(), caution.message),
        drug: None,
        message: caution.message.clone(),
        source: None,
        mark: Some(Mark::Unverified).filter(|_| caution.message.contains("unverified")),
        acknowledged: None,
    }
}

fn compounding_for(
    plan: &Plan,
    entries: &[&DrugEntry],
    concentrations: &[AnyConcentration],
) -> Option<Result<Worksheet, Error>> {
    let stocks: Option<Vec<AnyConcentration>> = plan.drugs.iter().map(|d| d.stock).collect();
    let lines: Vec<CompoundingLine> = entries
        .iter()
        .zip(concentrations)
        .zip(stocks?)
        .map(|((entry, target), stock)| CompoundingLine {
            drug: entry.display_name.clone(),
            target: *target,
            stock,
        })
        .collect();
    Some(worksheet(
        plan.fill.volume,
        plan.extra_volume.unwrap_or(Millilitres::ZERO),
        &lines,
    ))
}
