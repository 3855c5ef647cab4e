//! The dosing engine: pure, deterministic, no I/O, no clock.
//!
//! Everything the app and the native command compute goes through here. Nothing in this module
//! (or below it) may import leptos, web-sys, wasm-bindgen or plotters, read a clock, or touch a
//! file: "now" and every input are passed in, and every invalid input comes back as an [`Error`]
//! naming the field and the bound. The engine never panics.

mod continuous;
mod error;
mod form;
pub mod format;
mod input;
mod pump;
mod units;

pub use continuous::{
    Caution, ContinuousInput, ContinuousPlan, daily_dose_for_rate, flow_rate_for_dose,
    plan_continuous,
};
pub use error::{Error, Field, Problem};
pub use form::{ContinuousForm, DEFAULT_PUMP_ID};
pub use input::{parse_date, parse_number, parse_time};
pub use pump::{Catalogue, CatalogueError, Mark, PumpModel, PumpSpec, Sourced, SourcedRow};
pub use units::{
    Concentration, Days, DoseRate, Hours, Mass, MassFamily, MassUnit, Mcg, McgPerDay, McgPerMl, Mg,
    MgPerDay, MgPerMl, Micrograms, Milligrams, Millilitres, MlPerDay, QuantityError,
};
