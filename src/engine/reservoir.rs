//! The reservoir: delivery schedules, their exact projection, refill-by and the refill visit.

pub mod mri;
pub mod procedures;
pub mod refill;
pub mod schedule;
pub mod visit;
