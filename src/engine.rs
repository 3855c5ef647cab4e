//! The dosing engine: pure, deterministic, no I/O, no clock.
//!
//! Everything the app and the native command compute goes through here. Nothing in this module
//! (or below it) may import leptos, web-sys, wasm-bindgen or plotters, read a clock, or touch a
//! file: "now" and every input are passed in, and every invalid input comes back as an [`Error`]
//! naming the field, its location and the bound. The engine never panics.
//!
//! Laid out by concept: [`quantities`] (typed units, ISMP display, strict parsing, dates),
//! `catalogue` (provenance, pumps, the drug library and its rules), `dosing` (programme, checks,
//! change, compounding), `reservoir` (schedule, projection, refill-by, visit, MRI), `csf` (the
//! exact solver, transit, series), `plan` (file, migration, evaluation, findings) and [`report`]
//! (every figure in words, once). This front door re-exports what callers use.

mod catalogue;
pub mod convert;
mod csf;
mod dosing;
mod error;
pub mod outcomes;
mod plan;
pub mod quantities;
pub mod record;
pub mod report;
mod reservoir;
pub mod taper;

pub use quantities::format;

pub use catalogue::drug_rules::{
    AvoidWith, Guidance, GuidanceWhen, LabelledPumps, NewPumpRule, Rinse as RinseRule, SourcedNumber, Strengths,
    TitrationRule,
};
pub use catalogue::library::{
    Applies, Bound, DEFAULT_REGION, DrugEntry, DrugLibrary, LIBRARY_FORMAT, LIBRARY_VERSION, LibraryError, Limit,
    LimitQuantity, PkDefaults, PkValue, Severity, Stability, StartRange,
};
pub use catalogue::pump::{
    ApprovedDrug, Catalogue, CatalogueError, Mark, MriKind, PumpKind, PumpModel, PumpSpec, Sourced,
};
pub use csf::model::{Missing, MissingWhy, ModelSource, VolumeSource};
pub use csf::pk::{PkModel, TipInput, min_max_per_column, simulate, simulate_from};
pub use csf::series::{CsfOutcome, CsfSeries, LONGEST_WINDOW_DAYS, Window, concentration_series, to_csv, window_days};
pub use csf::transit::{
    BridgeBolus, DeadVolume, PrimingBolus, bridge_bolus, mixed_concentration, priming_bolus, tip_arrival,
};
pub use dosing::change::{JUMP_FACTOR, STEP_FACTOR, StepNote};
pub use dosing::compounding::{CompoundingLine, Worksheet, WorksheetLine, worksheet};
pub use dosing::titration::{
    MAX_REFILLS, MAX_STEPS, OwnRule, PlannedRefill, TitrationFill, TitrationInput, TitrationPlan, TitrationStep,
    plan_titration,
};
pub use error::{Error, Field, Location, Problem, element_id, json_problem};
pub use plan::evaluate::evaluate;
pub use plan::findings::{
    AckKey, Acknowledgement, Finding, FindingKey, FindingKind, LimitSubject, Origin, PlanStatus, TitrationBreach,
    settle,
};
pub use plan::migrate::{Loaded, load, load_within, upgrade_acknowledgements};
pub use plan::model::{
    Boluses, BridgeBolusSetting, CsfSettings, CurrentTotal, DrugLine, DrugModel, Fill, FlexDoseStep, FlexProgramme,
    MAX_DRUGS, MriScan, PLAN_FORMAT, PLAN_VERSION, Plan, PreviousDrug, PrimingBolusSetting, Programme, PumpChoice,
    TitrationHistory,
};
pub use plan::outcome::{Comparison, DrugOutcome, MriOutcome, Outcome, PumpOutcome, Rinse};
pub use plan::session::{Change, Session, roll_forward, volume_after_refill};
pub use plan::share;
pub use quantities::dose::{AnyConcentration, AnyDoseRate, AnyMass, FamilyMismatch};
pub use quantities::parse::{echo, parse_date, parse_number, parse_time};
pub use quantities::units::{
    Concentration, Days, DoseRate, Hours, Mass, MassFamily, MassUnit, Mcg, McgPerDay, McgPerMl, Mg, MgPerDay, MgPerMl,
    Micrograms, Milligrams, Millilitres, MlPerDay, PerHour, QuantityError, VolumeChange,
};
pub use report::{Figure, Report};
pub use reservoir::refill::{RefillBy, RefillCandidate, RefillReason, RuleVolume};
pub use reservoir::schedule::{
    Basal, Cycle, DailyVolumes, FlexStep, PatientBolus, PatientUse, PeriodicBolus, Polyline, ScenarioProjection,
    Schedule, SingleBolus,
};
pub use reservoir::visit::{AfterRefill, Direction, ExpectedBasis, LoggedVisit, Reconciliation, Visit};
