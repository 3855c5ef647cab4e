//! The plan: its file format, its evaluation and its findings.

pub mod evaluate;
pub mod findings;
