//! Quantities: typed units (mg and mcg as types), drug quantities whose family is chosen at run
//! time, ISMP display, strict parsing of what was typed, and civil date-times in files.

pub mod civil_serde;
pub mod dose;
pub mod format;
pub mod parse;
pub mod time;
pub mod units;
