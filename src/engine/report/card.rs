//! The patient card: the plan in plain language for the patient to carry.

use serde::{Deserialize, Serialize};

use super::Figure;
use crate::engine::catalogue::pump::{MriKind, PumpModel};
use crate::engine::format::{Display as _, format_date_time};
use crate::engine::plan::model::Plan;
use crate::engine::plan::outcome::Outcome;

/// One alarm: its name, how it sounds, what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardAlarm {
    /// "Low-reservoir alarm".
    pub name: String,
    /// How it sounds.
    pub sound: String,
    /// What to do.
    pub action: String,
}

/// The patient card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientCard {
    /// The pump, the medicines and the dates.
    pub figures: Vec<Figure>,
    /// The alarms.
    pub alarms: Vec<CardAlarm>,
    /// MRI scans with this pump.
    pub mri: String,
    /// How the patient bolus is meant to be used (absent without one).
    pub patient_bolus: Option<String>,
}

/// How the alarms sound: the tones differ by model and are not held here.
const SOUND: &str = "as your pump's patient manual describes it (ask us to describe it at your refill visit)";

/// The card for `plan` and its `outcome` on `pump`.
pub fn card(plan: &Plan, outcome: &Outcome, pump: Option<&PumpModel>) -> PatientCard {
    let mut figures = vec![Figure::text("Your pump", outcome.pump.name.clone())];
    for d in &outcome.drugs {
        figures.push(Figure::text(
            &format!("Medicine: {}", d.display_name),
            format!("{} in the pump; dose {}", d.concentration.ismp(), d.daily_dose.ismp()),
        ));
    }
    figures.push(Figure::text(
        "Your next refill is due by",
        format_date_time(outcome.refill_by.binding.at),
    ));
    // The earliest the alarm can sound: with every allowed extra dose (the patient may use them).
    let earliest_alarm = outcome.scenarios.iter().map(|s| s.alarm_at).min();
    let alarms = if outcome.pump.constant_flow {
        figures.push(Figure::text(
            "Alarms",
            "this pump has no alarm: keep your refill date".to_owned(),
        ));
        Vec::new()
    } else {
        if let Some(at) = earliest_alarm {
            figures.push(Figure::text(
                "The low-reservoir alarm could sound as early as",
                format_date_time(at),
            ));
        }
        alarms()
    };
    PatientCard {
        figures,
        alarms,
        mri: mri_text(pump),
        patient_bolus: patient_bolus(plan, outcome),
    }
}

fn alarms() -> Vec<CardAlarm> {
    vec![
        CardAlarm {
            name: "Low-reservoir alarm".to_owned(),
            sound: SOUND.to_owned(),
            action: "The pump is running low. Call the pump clinic the same day to bring your refill forward. Do not wait: when the pump runs empty the medicine stops and withdrawal can start.".to_owned(),
        },
        CardAlarm {
            name: "Critical alarm (the pump has stopped)".to_owned(),
            sound: SOUND.to_owned(),
            action: "Call the pump clinic at once. If you feel unwell, or your pump gives baclofen, go to the emergency department now and show this card. If you cannot tell which alarm it is, treat it as critical.".to_owned(),
        },
    ]
}

/// MRI in the patient's words: what the pump does, and its conditions (with their source).
fn mri_text(pump: Option<&PumpModel>) -> String {
    let Some(pump) = pump else {
        return "Ask the pump clinic before any MRI scan.".to_owned();
    };
    let what = match pump.mri_kind {
        Some(MriKind::StallRestartDelay) => {
            " The pump stops during the scan and may not restart by itself: it must be checked by the pump clinic after the scan."
        }
        Some(MriKind::EmptyBefore) => " The pump must be emptied before the scan and refilled after it.",
        None => "",
    };
    let conditions = pump
        .mri_conditions
        .as_ref()
        .map(|m| format!(" Conditions for the MRI team: {} ({})", m.value, m.source))
        .unwrap_or_default();
    format!(
        "Before any MRI scan, tell the pump clinic and the MRI team that you have this pump, and show this card.{what}{conditions}"
    )
}

/// How the patient bolus is meant to be used (none without one).
fn patient_bolus(plan: &Plan, outcome: &Outcome) -> Option<String> {
    plan.boluses.patient.as_ref().map(|p| {
        let per_press: Vec<String> = outcome
            .drugs
            .iter()
            .map(|d| format!("{} {}", d.concentration.amount_in(p.volume).ismp(), d.display_name))
            .collect();
        format!(
            "For pain or symptoms that break through, you can give yourself an extra dose with the \
             handheld programmer (myPTM). Each dose gives {}. Wait at least {} between doses; the \
             programmer refuses doses sooner, and allows at most {} a day. Tell us at your next visit \
             how often you used it.",
            per_press.join(" and "),
            p.lockout.ismp(),
            p.max_per_day
        )
    })
}
