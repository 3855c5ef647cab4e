//! The reservoir in words: the overall figures, the scenarios, every refill-by constraint, and the
//! reservoir chart's text alternative, marker labels, axis labels and read-out.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use super::Figure;
use crate::engine::format::{Display as _, format_date, format_date_time, format_number, with_unit};
use crate::engine::plan::outcome::Outcome;
use crate::engine::quantities::time::LONGEST_INTERVAL_DAYS;
use crate::engine::quantities::units::{Days, MlPerDay};
use crate::engine::reservoir::refill::{RefillCandidate, RefillReason, RuleVolume};
use crate::engine::reservoir::schedule::{Basal, PatientUse};

/// A scenario's name.
pub fn scenario_label(scenario: PatientUse) -> String {
    match scenario {
        PatientUse::None => "No patient boluses".into(),
        PatientUse::Typical(n) => format!("Typical: {n} patient bolus{} a day", if n == 1 { "" } else { "es" }),
        PatientUse::AllAllowed => "All allowed patient boluses".into(),
    }
}

fn days_between(from: DateTime, to: DateTime) -> f64 {
    from.duration_until(to).as_secs_f64() / 86_400.0
}

fn band_date(filled_at: DateTime, days: Days) -> String {
    crate::engine::quantities::time::after(filled_at, days)
        .map(format_date)
        .unwrap_or_default()
}

/// A refill-by constraint's reason, in words.
pub fn reason(candidate: &RefillCandidate) -> String {
    match &candidate.reason {
        RefillReason::PumpRule {
            volume,
            every_bolus,
            fast_edge,
        } => {
            let rule = match volume {
                RuleVolume::RefillDate(v) => format!("refill-date volume {} (pump rule)", v.ismp()),
                RuleVolume::Alarm(v) => format!("low-reservoir alarm {}", v.ismp()),
                RuleVolume::Reservoir(v) => format!("refill volume {} (no alarm on this pump)", v.ismp()),
            };
            let boluses = if *every_bolus {
                " with every allowed patient bolus"
            } else {
                ""
            };
            let timing = match fast_edge {
                Some(a) => format!(
                    ", if the pump delivers {} % more than programmed (the fast edge of its flow accuracy)",
                    format_number(*a)
                ),
                None => String::new(),
            };
            format!("{rule}{boluses}{timing}")
        }
        RefillReason::Stability {
            drug,
            days,
            condition,
            dilution_unknown,
        } => format!(
            "{drug} stability in the pump: {} ({condition}{})",
            days.ismp(),
            if *dilution_unknown {
                "; dilution not known (no stock strength entered): the shorter applies"
            } else {
                ""
            }
        ),
        RefillReason::EndOfService => "device end of service".into(),
        RefillReason::MriEmptied => "MRI: the pump is emptied before the scan and refilled after".into(),
    }
}

fn flow_rate(outcome: &Outcome) -> Figure {
    match &outcome.schedule.basal {
        Basal::Continuous { rate } => Figure::quantity("Flow rate", rate.value(), MlPerDay::SYMBOL),
        Basal::Flex { steps, .. } => {
            let low = steps.iter().map(|s| s.rate.value()).fold(f64::INFINITY, f64::min);
            let high = steps.iter().map(|s| s.rate.value()).fold(0.0, f64::max);
            Figure::text(
                "Flow rate",
                format!("flex: {} to {}", format_number(low), with_unit(high, MlPerDay::SYMBOL)),
            )
        }
    }
}

/// Rate, alarm, empty, refill-by (and at the programmed rate), the accuracy band, the earliest
/// possible empty date, the MRI emptying.
pub(super) fn overall(outcome: &Outcome) -> Vec<Figure> {
    let Some(nominal) = outcome.nominal() else {
        return vec![flow_rate(outcome)];
    };
    let refill = &outcome.refill_by;
    let mut figures = vec![
        flow_rate(outcome),
        Figure::days("Days to low-reservoir alarm", nominal.days_to_alarm),
        Figure::text("Low-reservoir alarm date", format_date_time(nominal.alarm_at)),
        Figure::days("Days to empty", nominal.days_to_empty),
        Figure::text("Empty date", format_date_time(nominal.empty_at)),
        Figure::text(
            "Refill by",
            format!("{} ({})", format_date_time(refill.binding.at), reason(&refill.binding)),
        ),
    ];
    if let Some(p) = &refill.at_programmed_rate {
        figures.push(Figure::text(
            "Pump rule at the programmed rate (information)",
            format!("{} ({}, at the programmed rate)", format_date_time(p.at), reason(p)),
        ));
    }
    let filled_at = outcome.fill.filled_at;
    if let (Some((early, late)), Some(a)) = (nominal.alarm_band, outcome.pump.accuracy_percent) {
        figures.push(Figure::text(
            "Low-reservoir alarm, flow accuracy band",
            format!(
                "{} to {} (\u{b1}{} %)",
                band_date(filled_at, early),
                band_date(filled_at, late),
                format_number(a)
            ),
        ));
    }
    if outcome.earliest_empty < nominal.empty_at {
        figures.push(Figure::text(
            "Earliest possible empty date (every allowed patient bolus, fast edge of the flow accuracy)",
            format_date_time(outcome.earliest_empty),
        ));
    }
    if let Some(m) = outcome.mri.as_ref()
        && let Some(removed) = m.removed
    {
        figures.push(Figure::text(
            "Emptied for the MRI",
            format!("{} ({} expected in the pump)", format_date_time(m.from), removed.ismp()),
        ));
    }
    figures
}

/// Each scenario's alarm and empty dates (when the programme has patient boluses).
pub(super) fn scenarios(outcome: &Outcome) -> Vec<Figure> {
    if outcome.scenarios.len() < 2 {
        return Vec::new();
    }
    outcome
        .scenarios
        .iter()
        .flat_map(|p| {
            let label = scenario_label(p.scenario);
            [
                Figure::text(&format!("{label}: low-reservoir alarm"), format_date_time(p.alarm_at)),
                Figure::text(&format!("{label}: empty"), format_date_time(p.empty_at)),
            ]
        })
        .collect()
}

/// Every refill-by constraint, earliest first: the date named by the reason.
pub(super) fn constraints(outcome: &Outcome) -> Vec<Figure> {
    outcome
        .refill_by
        .candidates
        .iter()
        .map(|c| Figure::text(&format_date_time(c.at), reason(c)))
        .collect()
}

/// What a chart marker marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkerKind {
    /// The refill-by date.
    RefillBy,
    /// The low-reservoir alarm.
    Alarm,
    /// Empty.
    Empty,
}

/// A vertical marker's position and label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartMarker {
    /// Days after the fill.
    pub day: f64,
    /// Label drawn at the top.
    pub label: String,
    /// What it marks.
    pub kind: MarkerKind,
}

/// The reservoir chart's words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReservoirChartText {
    /// Text alternative.
    pub description: String,
    /// Markers: refill-by, alarm, empty (those before an MRI that empties the pump).
    pub markers: Vec<ChartMarker>,
    /// One legend label per scenario, in the outcome's order.
    pub legend: Vec<String>,
}

pub(super) fn chart_text(outcome: &Outcome) -> ReservoirChartText {
    let Some(nominal) = outcome.nominal() else {
        return ReservoirChartText {
            description: String::new(),
            markers: Vec::new(),
            legend: Vec::new(),
        };
    };
    let filled_at = outcome.fill.filled_at;
    let refill = &outcome.refill_by.binding;
    let emptied = outcome
        .mri
        .as_ref()
        .filter(|m| m.removed.is_some())
        .map(|m| days_between(filled_at, m.from));
    // After the pump is emptied for an MRI, the alarm and empty dates of the fill never come.
    let before_emptying = |day: f64| emptied.is_none_or(|e| day < e);
    let mut markers = vec![ChartMarker {
        day: days_between(filled_at, refill.at),
        label: format!("Refill by {}", format_date(refill.at)),
        kind: MarkerKind::RefillBy,
    }];
    for (day, label, kind) in [
        (
            nominal.days_to_alarm.value(),
            format!("Alarm {}", format_date(nominal.alarm_at)),
            MarkerKind::Alarm,
        ),
        (
            nominal.days_to_empty.value(),
            format!("Empty {}", format_date(nominal.empty_at)),
            MarkerKind::Empty,
        ),
    ] {
        if before_emptying(day) {
            markers.push(ChartMarker { day, label, kind });
        }
    }
    ReservoirChartText {
        description: description(outcome),
        markers,
        legend: outcome.scenarios.iter().map(|p| scenario_label(p.scenario)).collect(),
    }
}

fn description(outcome: &Outcome) -> String {
    let Some(nominal) = outcome.nominal() else {
        return String::new();
    };
    let worst = outcome.scenarios.last().unwrap_or(nominal);
    let mut description = format!(
        "Reservoir volume falls from {} at the fill on {} to the low-reservoir alarm volume of {} on {}, and the reservoir is empty on {}.",
        outcome.fill.volume.ismp(),
        format_date_time(outcome.fill.filled_at),
        outcome.fill.low_reservoir_alarm.ismp(),
        format_date_time(nominal.alarm_at),
        format_date_time(nominal.empty_at),
    );
    if outcome.scenarios.len() > 1 {
        description.push_str(&format!(
            " With every allowed patient bolus the alarm comes on {} and empty on {}.",
            format_date_time(worst.alarm_at),
            format_date_time(worst.empty_at)
        ));
    }
    let refill = &outcome.refill_by.binding;
    description.push_str(&format!(
        " Refill by {} ({}).",
        format_date_time(refill.at),
        reason(refill)
    ));
    if let Some(m) = outcome.mri.as_ref() {
        if let Some(removed) = m.removed {
            description.push_str(&format!(
                " The pump is emptied for the MRI on {}: about {} removed; the line falls to 0 there.",
                format_date_time(m.from),
                removed.ismp()
            ));
        }
        description.push_str(&format!(
            " MRI from {} to {}{}: no delivery (shaded).",
            format_date_time(m.from),
            format_date_time(m.to),
            m.restart_latest
                .map(|l| format!(", restart possibly as late as {}", format_date_time(l)))
                .unwrap_or_default()
        ));
    }
    description
}

/// The date `day` days after the fill, as an axis label.
pub fn axis_date(filled_at: DateTime, day: f64) -> String {
    let minutes = (day * 1440.0).round();
    if !minutes.is_finite() || minutes.abs() > 1e9 {
        return String::new();
    }
    crate::engine::quantities::time::add_minutes(filled_at, minutes as i64)
        .map(format_date)
        .unwrap_or_default()
}

/// A volume as an axis label.
pub fn axis_volume(ml: f64) -> String {
    with_unit(ml, "mL")
}

/// A concentration (or any value in `unit`) as an axis label.
pub fn axis_value(value: f64, unit: &str) -> String {
    with_unit(value, unit)
}

/// The read-out under the pointer: the date and each scenario's volume.
pub fn readout(outcome: &Outcome, day: f64) -> Option<String> {
    // Bounded so the minute count can never overflow.
    if !(0.0..LONGEST_INTERVAL_DAYS).contains(&day) {
        return None;
    }
    let at = crate::engine::quantities::time::add_minutes(outcome.fill.filled_at, (day * 1440.0) as i64)?;
    let volumes: Vec<String> = outcome
        .scenarios
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p.volume_at(day).ismp(),
                scenario_label(p.scenario).to_lowercase()
            )
        })
        .collect();
    Some(format!("{}: {}", format_date_time(at), volumes.join("; ")))
}
