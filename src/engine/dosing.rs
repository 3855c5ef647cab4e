//! Dosing: the programme (rate from dose and concentration, or the reverse, for one to four drugs
//! in one reservoir), the checks of each drug against the library and the pump, the change from the
//! current programme, and compounding. (Conversion from systemic opioids belongs here too.)

pub mod change;
pub mod compounding;
pub mod limits;
pub mod programme;
pub mod titration;
