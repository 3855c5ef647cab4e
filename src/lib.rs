//! itdose: an offline dosing calculator and visualiser for implanted intrathecal drug pumps.
//!
//! - [`engine`]: the pure dosing engine (units, ISMP formatting, pump catalogue, plans). Compiled
//!   natively and to wasm; tested natively.
//! - [`chart`]: drawing functions generic over plotters' `DrawingBackend` (canvas in the app, SVG
//!   in native tests). No model maths.
//! - `ui`: the Leptos single-page app (wasm32 only).

pub mod chart;
// Compiled for wasm32 too, so that scripts/size-floor.sh can measure the engine and its report
// without the app. The app does not call it. (Its file reading is passed in, except the factor
// table of `convert --table`, read with std::fs: unsupported on wasm32, and never called there.)
pub mod cli;
pub mod engine;
pub mod form;

#[cfg(target_arch = "wasm32")]
pub mod ui;
