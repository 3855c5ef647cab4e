//! The catalogue: where every default number comes from (provenance), the pump catalogue and the
//! drug library with its rules, all as data the user can see, export and import.

pub mod drug_rules;
pub mod library;
pub mod pump;
