//! The dosing engine: pure, deterministic, no I/O, no clock.
//!
//! Everything the app and the native command compute goes through here. Nothing in this module
//! (or below it) may import leptos, web-sys, wasm-bindgen or plotters, read a clock, or touch a
//! file: "now" and every input are passed in, and every invalid input comes back as an [`Error`]
//! naming the field and the bound. The engine never panics.

mod catalogue;
mod csf;
mod dosing;
mod error;
mod plan;
pub mod quantities;
mod reservoir;

pub use quantities::format;

pub use catalogue::drug_rules::{
    AvoidWith, Guidance, GuidanceWhen, NewPumpRule, Rinse, SourcedNumber, Strengths, TitrationRule,
};
pub use catalogue::library::{
    Bound, DEFAULT_REGION, DrugEntry, DrugLibrary, LIBRARY_FORMAT, LIBRARY_VERSION, LibraryError, Limit, LimitQuantity,
    PkDefaults, PkValue, Severity, Stability, StartRange,
};
pub use catalogue::pump::{
    ApprovedDrug, Catalogue, CatalogueError, Mark, PumpKind, PumpModel, PumpSpec, Sourced, SourcedRow,
};
pub use csf::pk::{PkModel, TipInput, min_max_per_column, simulate, simulate_from};
pub use csf::series::{CsfReport, CsfSeries, MODEL_CAPTION, concentration_series, concentration_series_for, to_csv};
pub use csf::transit::{
    BridgeBolus, DeadVolume, PrimingBolus, bridge_bolus, mixed_concentration, priming_bolus, tip_arrival,
};
pub use dosing::compounding::{CompoundingLine, Worksheet, WorksheetLine, worksheet};
pub use dosing::limits::{STEP_FACTOR, StepNote};
pub use dosing::programme::{
    Caution, ContinuousInput, ContinuousPlan, daily_dose_for_rate, flow_rate_for_dose, plan_continuous,
};
pub use dosing::programme::{ReservoirProjection, project_reservoir};
pub use error::{Error, Field, Problem, element_id};
pub use plan::evaluate::{
    Boluses, BridgeBolusSetting, CsfSettings, CurrentTotal, DrugLine, DrugModel, DrugReport, Figure, Fill,
    FlexDoseStep, FlexProgramme, JUMP_FACTOR, MAX_DRUGS, MriReport, MriScan, PLAN_FORMAT, PLAN_VERSION, Plan,
    PreviousDrug, PrimingBolusSetting, Programme, PumpChoice, Report, RinseReport, TitrationHistory, evaluate,
};
pub use plan::findings::{Acknowledgement, Finding, PlanStatus, settle};
pub use quantities::dose::{AnyConcentration, AnyDoseRate, AnyMass, FamilyMismatch};
pub use quantities::parse::{parse_date, parse_number, parse_time};
pub use quantities::units::{
    Concentration, Days, DoseRate, Hours, Mass, MassFamily, MassUnit, Mcg, McgPerDay, McgPerMl, Mg, MgPerDay, MgPerMl,
    Micrograms, Milligrams, Millilitres, MlPerDay, PerHour, QuantityError, VolumeChange,
};
pub use reservoir::refill::{
    AfterRefill, Direction, ExpectedBasis, LoggedVisit, Reconciliation, RefillBy, RefillCandidate, Visit, VisitConcern,
    VisitContext, VisitNote, discrepancy_trend, reconcile, refill_by, stability_candidate,
};
pub use reservoir::schedule::{
    Basal, Cycle, DailyVolumes, FlexStep, PatientBolus, PatientUse, PeriodicBolus, Polyline, ScenarioProjection,
    Schedule, SingleBolus,
};
