//! The one report: every clinical figure and message, formatted once, ISMP style, from an
//! evaluated [`Outcome`]. The app's screens, the printout, the patient card and `itdose report`
//! (text and JSON) render these sections; none of them formats a clinical figure itself.
//!
//! The JSON form is an interface others script: `docs/report-format.md` documents it, and
//! [`REPORT_VERSION`] changes whenever a field changes meaning.

pub mod card;
mod catalogue;
pub mod convert;
mod csf;
mod drugs;
mod findings;
mod mri;
pub mod outcomes;
pub mod record;
mod reservoir;
pub mod review;
pub mod titration;
mod visit;

use serde::{Deserialize, Serialize};

pub use catalogue::{
    SourcedRow, catheter_offer, current_programme_text, date_echo, drug_hint, drug_rows, import_note, limit_text,
    pump_rows, region_text,
};
pub use csf::{CsfChartText, CsfSection, MODEL_CAPTION, MODEL_WHY, csf_section, parameters};
pub use findings::{FindingView, finding_message};
pub use reservoir::{
    ChartMarker, MarkerKind, ReservoirChartText, axis_date, axis_value, axis_volume, readout, scenario_label,
};
pub use visit::basis_text;

use crate::engine::format::{Display as _, with_unit};
use crate::engine::plan::findings::PlanStatus;
use crate::engine::plan::outcome::Outcome;
use crate::engine::quantities::units::Days;

/// The file format tag of a report.
pub const REPORT_FORMAT: &str = "itdose-report";
/// The report format version this build writes.
pub const REPORT_VERSION: u32 = 1;

/// A figure as shown: its name, its value and unit, and its ISMP display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The figure's name, as in the app's `<dt>`.
    pub name: String,
    /// The value as a number in `unit` (absent for dates and text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The unit of `value`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// The display, as in the app's `<dd>`.
    pub display: String,
}

impl Figure {
    /// A quantity with its unit.
    pub fn quantity(name: &str, value: f64, unit: &str) -> Self {
        Figure {
            name: name.to_owned(),
            value: Some(value),
            unit: unit.to_owned(),
            display: with_unit(value, unit),
        }
    }

    /// Text (a date, a reason).
    pub fn text(name: &str, display: String) -> Self {
        Figure {
            name: name.to_owned(),
            value: None,
            unit: String::new(),
            display,
        }
    }

    /// A number of days.
    pub fn days(name: &str, days: Days) -> Self {
        Figure {
            name: name.to_owned(),
            value: Some(days.value()),
            unit: "days".into(),
            display: days.ismp(),
        }
    }
}

/// Where the plan stands, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusText {
    /// The status.
    pub status: PlanStatus,
    /// In words.
    pub text: String,
}

/// One drug's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrugSection {
    /// Library id.
    pub id: String,
    /// "morphine (lead drug)".
    pub heading: String,
    /// Whether this is the lead drug.
    pub lead: bool,
    /// The figures.
    pub figures: Vec<Figure>,
}

/// A note next to a flex step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepNoteText {
    /// The step (0-based).
    pub step: usize,
    /// What to check.
    pub text: String,
}

/// The MRI section: what the scan does and the checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MriSection {
    /// "MRI Thu 3 Dec 2026, 09:00".
    pub title: String,
    /// The interruption, the late restart, the volume removed.
    pub figures: Vec<Figure>,
    /// What to do, in order.
    pub checklist: Vec<String>,
}

/// Everything a plan computes to, in words and ISMP figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`REPORT_FORMAT`].
    pub format: String,
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// Where the plan stands.
    pub status: StatusText,
    /// The pump's name.
    pub pump: String,
    /// Each drug's concentration and daily dose, in one line.
    pub summary: String,
    /// The overall figures: rate, alarm, empty, refill-by.
    pub figures: Vec<Figure>,
    /// Per drug.
    pub drugs: Vec<DrugSection>,
    /// Current vs proposed maximum 24-hour totals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comparison: Vec<Figure>,
    /// The patient-bolus scenarios' alarm and empty dates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<Figure>,
    /// Every refill-by constraint, earliest first (the first binds).
    pub refill_constraints: Vec<Figure>,
    /// Notes next to flex steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub step_notes: Vec<StepNoteText>,
    /// The refill visit's reconciliation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reconciliation: Vec<Figure>,
    /// The visit log, one figure a visit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visit_log: Vec<Figure>,
    /// The discrepancy trend over the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_trend: Option<String>,
    /// Findings, hard first, with their sources, marks and acknowledgements.
    pub findings: Vec<FindingView>,
    /// The compounding worksheet (with the rinse of a new pump).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub worksheet: Vec<Figure>,
    /// The MRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mri: Option<MriSection>,
    /// The reservoir chart's words: its text alternative and marker labels.
    pub reservoir_chart: ReservoirChartText,
    /// Notes shown with the figures.
    pub notes: Vec<String>,
}

/// Words for a status.
pub fn status_text(status: PlanStatus) -> &'static str {
    match status {
        PlanStatus::Valid => "Valid: no hard limit crossed; every soft limit acknowledged",
        PlanStatus::NeedsAcknowledgement => "Not yet valid: soft limits need an acknowledgement with a reason",
        PlanStatus::Blocked => "Not valid: a hard limit is crossed",
    }
}

/// The report of an outcome.
pub fn build(outcome: &Outcome) -> Report {
    let summary: Vec<String> = outcome
        .drugs
        .iter()
        .map(|d| {
            format!(
                "{} {} at {}",
                d.display_name,
                d.concentration.ismp(),
                d.daily_dose.ismp()
            )
        })
        .collect();
    Report {
        format: REPORT_FORMAT.to_owned(),
        version: REPORT_VERSION,
        status: StatusText {
            status: outcome.status,
            text: status_text(outcome.status).to_owned(),
        },
        pump: outcome.pump.name.clone(),
        summary: summary.join("; "),
        figures: reservoir::overall(outcome),
        drugs: drugs::sections(outcome),
        comparison: drugs::comparison(outcome),
        scenarios: reservoir::scenarios(outcome),
        refill_constraints: reservoir::constraints(outcome),
        step_notes: drugs::step_notes(outcome),
        reconciliation: visit::reconciliation(outcome),
        visit_log: visit::log(outcome),
        visit_trend: visit::trend(outcome),
        findings: outcome.findings.iter().map(findings::view).collect(),
        worksheet: drugs::worksheet(outcome),
        mri: mri::section(outcome),
        reservoir_chart: reservoir::chart_text(outcome),
        notes: vec![
            "Refill before the low-reservoir alarm; do not rely on the alarm (UW Health nursing, \u{201c}Pump refills\u{201d}). Alarm and empty times are rounded down to the minute.".to_owned(),
        ],
    }
}
