//! Work saved in this browser: the form as typed, under a versioned key, and the one migration
//! from the first version (one mg line, no drug named). Pure: the app reads and writes the
//! storage; this decides what the stored text becomes.

use serde::Deserialize;

use super::{DrugForm, PlanForm};
use crate::engine::MassFamily;
use crate::engine::json_problem;

/// The key of the form as saved today.
pub const STORAGE_KEY: &str = "itdose.form.v2";
/// The key of the first version's form (one concentration in mg/mL and one dose in mg/day).
pub const FIRST_STORAGE_KEY: &str = "itdose.form.v1";
/// Where text that could not be read is kept, so that a save never overwrites it.
pub const UNREADABLE_KEY: &str = "itdose.form.unreadable";

/// The first version's form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FirstForm {
    pump_id: String,
    custom_capacity: String,
    fill_volume: String,
    concentration: String,
    daily_dose: String,
    low_reservoir_alarm: String,
    fill_date: String,
    fill_time: String,
}

/// What was found in storage.
#[derive(Debug, Clone, PartialEq)]
pub enum Restored {
    /// Nothing saved.
    Nothing,
    /// The saved form.
    Form(PlanForm),
    /// The first version's form, carried over: its drug must be chosen.
    Migrated(PlanForm),
    /// Text that is not a form: kept aside, never overwritten.
    Unreadable(String),
}

/// What the stored texts (today's key, then the first version's) become.
pub fn restore(current: Option<&str>, first: Option<&str>) -> Restored {
    if let Some(text) = current {
        return match serde_json::from_str::<PlanForm>(text) {
            Ok(form) => Restored::Form(form),
            Err(e) => Restored::Unreadable(json_problem(&e)),
        };
    }
    let Some(text) = first else { return Restored::Nothing };
    match serde_json::from_str::<FirstForm>(text) {
        Ok(old) => Restored::Migrated(migrate_first(old)),
        Err(e) => Restored::Unreadable(json_problem(&e)),
    }
}

/// The first version named no drug: its line keeps the mg values as typed, with no drug chosen,
/// so the user must choose it before anything is computed.
fn migrate_first(old: FirstForm) -> PlanForm {
    let mut line = DrugForm::for_drug("", MassFamily::Mg);
    line.concentration = old.concentration;
    line.daily_dose = old.daily_dose;
    let defaults = PlanForm::default();
    PlanForm {
        pump_id: if old.pump_id.is_empty() {
            defaults.pump_id.clone()
        } else {
            old.pump_id
        },
        custom_capacity: old.custom_capacity,
        fill_volume: old.fill_volume,
        low_reservoir_alarm: old.low_reservoir_alarm,
        fill_date: old.fill_date,
        fill_time: old.fill_time,
        drugs: vec![line],
        ..defaults
    }
}

/// The note shown after loading.
pub fn note(restored: &Restored) -> Option<String> {
    match restored {
        Restored::Migrated(_) => Some(
            "Work saved by an earlier version of itdose was carried over: choose the drug of line 1 (its concentration and dose are in mg, as typed).".to_owned(),
        ),
        Restored::Unreadable(e) => Some(format!(
            "The work saved on this device could not be read ({e}); it is kept aside on this device, and a blank plan is shown."
        )),
        Restored::Nothing | Restored::Form(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_version_keeps_every_value_and_asks_for_the_drug() {
        let old = r#"{"pump_id":"synchromed-ii-20","custom_capacity":"","fill_volume":"18","concentration":"0.5","daily_dose":"1.2","low_reservoir_alarm":"2","fill_date":"2026-11-25","fill_time":"09:00"}"#;
        let restored = restore(None, Some(old));
        assert!(note(&restored).is_some());
        let mut line = DrugForm::for_drug("", MassFamily::Mg);
        line.concentration = "0.5".into();
        line.daily_dose = "1.2".into();
        let expected = PlanForm {
            pump_id: "synchromed-ii-20".into(),
            fill_volume: "18".into(),
            low_reservoir_alarm: "2".into(),
            fill_date: "2026-11-25".into(),
            fill_time: "09:00".into(),
            drugs: vec![line],
            ..PlanForm::default()
        };
        assert_eq!(restored, Restored::Migrated(expected));
    }

    #[test]
    fn todays_form_wins_and_unreadable_text_is_reported_not_replaced() {
        let today = serde_json::to_string(&PlanForm::default()).unwrap_or_default();
        assert_eq!(restore(Some(&today), Some("{}")), Restored::Form(PlanForm::default()));
        assert!(matches!(restore(Some("not json"), None), Restored::Unreadable(_)));
        assert_eq!(restore(None, None), Restored::Nothing);
    }
}
