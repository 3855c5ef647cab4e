//! itdose: an offline dosing calculator and visualiser for implanted intrathecal drug pumps.
//!
//! - [`engine`]: the pure dosing engine (units, ISMP formatting, pump catalogue, plans). Compiled
//!   natively and to wasm; tested natively.
//! - [`chart`]: drawing functions generic over plotters' `DrawingBackend` (canvas in the app, SVG
//!   in native tests). No model maths.
//! - `ui`: the Leptos single-page app (wasm32 only).

pub mod chart;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod engine;
pub mod form;

#[cfg(target_arch = "wasm32")]
pub mod ui;
