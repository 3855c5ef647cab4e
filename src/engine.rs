//! The dosing engine: pure, deterministic, no I/O, no clock.
//!
//! Everything the app and the native command compute goes through here. Nothing in this module
//! (or below it) may import leptos, web-sys, wasm-bindgen or plotters, read a clock, or touch a
//! file: "now" and every input are passed in, and every invalid input comes back as an [`Error`]
//! naming the field and the bound. The engine never panics.

mod checks;
mod civil_serde;
mod compounding;
mod continuous;
mod csf;
mod dose;
mod drug_rules;
mod error;
mod findings;
mod form;
mod form_schedule;
pub mod format;
mod input;
mod library;
mod pk;
mod plan;
mod pump;
mod refill;
mod schedule;
mod transit;
mod units;

pub use checks::{STEP_FACTOR, StepNote};
pub use compounding::{CompoundingLine, Worksheet, WorksheetLine, worksheet};
pub use continuous::{
    Caution, ContinuousInput, ContinuousPlan, daily_dose_for_rate, flow_rate_for_dose, plan_continuous,
};
pub use continuous::{ReservoirProjection, project_reservoir};
pub use csf::{CsfReport, CsfSeries, MODEL_CAPTION, concentration_series, concentration_series_for, to_csv};
pub use dose::{AnyConcentration, AnyDoseRate, AnyMass, FamilyMismatch};
pub use drug_rules::{AvoidWith, Guidance, GuidanceWhen, NewPumpRule, Rinse, SourcedNumber, Strengths, TitrationRule};
pub use error::{Error, Field, Problem, element_id};
pub use findings::{Acknowledgement, Finding, PlanStatus, settle};
pub use form::{DEFAULT_PUMP_ID, DrugForm, FormMode, PlanForm};
pub use form_schedule::{
    CsfForm, DrugCsfForm, FlexForm, FlexStepForm, PatientForm, Per, PeriodicForm, ProcedureForm, SingleForm,
    TitrationForm, VisitForm,
};
pub use input::{parse_date, parse_number, parse_time};
pub use library::{
    Bound, DEFAULT_REGION, DrugEntry, DrugLibrary, LIBRARY_FORMAT, LIBRARY_VERSION, LibraryError, Limit, LimitQuantity,
    PkDefaults, PkValue, Severity, Stability, StartRange,
};
pub use pk::{PkModel, TipInput, min_max_per_column, simulate, simulate_from};
pub use plan::{
    Boluses, BridgeBolusSetting, CsfSettings, CurrentTotal, DrugLine, DrugModel, DrugReport, Figure, Fill,
    FlexDoseStep, FlexProgramme, JUMP_FACTOR, MAX_DRUGS, MriReport, MriScan, PLAN_FORMAT, PLAN_VERSION, Plan,
    PreviousDrug, PrimingBolusSetting, Programme, PumpChoice, Report, RinseReport, TitrationHistory, evaluate,
};
pub use pump::{ApprovedDrug, Catalogue, CatalogueError, Mark, PumpKind, PumpModel, PumpSpec, Sourced, SourcedRow};
pub use refill::{
    AfterRefill, Direction, ExpectedBasis, LoggedVisit, Reconciliation, RefillBy, RefillCandidate, Visit, VisitConcern,
    VisitContext, VisitNote, discrepancy_trend, reconcile, refill_by, stability_candidate,
};
pub use schedule::{
    Basal, Cycle, DailyVolumes, FlexStep, PatientBolus, PatientUse, PeriodicBolus, Polyline, ScenarioProjection,
    Schedule, SingleBolus,
};
pub use transit::{
    BridgeBolus, DeadVolume, PrimingBolus, bridge_bolus, mixed_concentration, priming_bolus, tip_arrival,
};
pub use units::{
    Concentration, Days, DoseRate, Hours, Mass, MassFamily, MassUnit, Mcg, McgPerDay, McgPerMl, Mg, MgPerDay, MgPerMl,
    Micrograms, Milligrams, Millilitres, MlPerDay, PerHour, QuantityError, VolumeChange,
};
