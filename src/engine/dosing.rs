//! Dosing: the programme (rate from dose and concentration, or the reverse, for one to four drugs
//! in one reservoir), the checks of a plan against the library and the pump, and compounding.

pub mod compounding;
pub mod limits;
pub mod programme;
