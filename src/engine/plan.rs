//! The plan: its file format and migration, its evaluation into a typed outcome, and its findings.

pub mod evaluate;
pub mod findings;
pub mod migrate;
pub mod model;
pub mod outcome;
pub mod session;
pub mod share;
