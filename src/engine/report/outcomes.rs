//! Outcomes in words: one row per visit (scores, MME, the intrathecal daily doses in force, the
//! markers) and the same as CSV.

use serde::{Deserialize, Serialize};

use crate::engine::catalogue::library::DrugLibrary;
use crate::engine::outcomes::{Markers, OutcomeEntry, Thresholds, baseline, markers};
use crate::engine::plan::model::Plan;
use crate::engine::quantities::format::{format_date_time, format_number, iso_date, iso_time};
use crate::engine::record::Record;

/// One visit, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OutcomeRow {
    /// "Wed 25 Nov 2026, 09:00".
    pub at: String,
    /// "6.4 of 10" or "not recorded".
    pub pain_now: String,
    /// Worst pain.
    pub pain_worst: String,
    /// "120 mg/day" or "not recorded".
    pub systemic_mme: String,
    /// The intrathecal daily doses in force then: "morphine 1 mg/day".
    pub intrathecal: String,
    /// The markers in words: "mild; responder; systemic opioids stopped".
    pub markers: String,
    /// Side effects.
    pub side_effects: String,
}

const NOT_RECORDED: &str = "not recorded";

fn or_not(v: Option<f64>, unit: &str) -> String {
    v.map_or_else(|| NOT_RECORDED.to_owned(), |v| format!("{} {unit}", format_number(v)))
}

/// The plan in force at `entry`: the last one confirmed at or before it (the first when none).
fn plan_at<'a>(record: &'a Record, entry: &OutcomeEntry) -> &'a Plan {
    record
        .history
        .iter()
        .rev()
        .find(|h| h.at <= entry.at)
        .or_else(|| record.history.first())
        .map_or(&record.plan, |h| &h.plan)
}

fn intrathecal(plan: &Plan, library: &DrugLibrary) -> String {
    let doses: Vec<String> = plan
        .drugs
        .iter()
        .filter_map(|d| {
            let dose = d.daily_dose?;
            let name = library
                .get(&d.drug)
                .map_or(d.drug.as_str(), |e| e.display_name.as_str());
            Some(format!("{name} {}", dose.ismp()))
        })
        .collect();
    if doses.is_empty() {
        NOT_RECORDED.to_owned()
    } else {
        doses.join(", ")
    }
}

fn marker_words(m: Markers) -> String {
    let mut out = Vec::new();
    if m.severe == Some(true) {
        out.push("severe pain");
    }
    if m.mild == Some(true) {
        out.push("mild pain");
    }
    if m.responder == Some(true) {
        out.push("responder");
    }
    if m.opioids_stopped == Some(true) {
        out.push("systemic opioids stopped");
    }
    out.join("; ")
}

/// The timeline's session markers in words: each letter and the workflows it stands for, in order
/// of first use ("R: Record created, Refill visit; C: Change the programme").
pub fn session_legend(record: &Record) -> String {
    let mut letters: Vec<(String, Vec<String>)> = Vec::new();
    for h in &record.history {
        let letter: String = h.workflow.chars().take(1).collect();
        match letters.iter_mut().find(|(l, _)| *l == letter) {
            Some((_, names)) if !names.contains(&h.workflow) => names.push(h.workflow.clone()),
            Some(_) => {}
            None => letters.push((letter, vec![h.workflow.clone()])),
        }
    }
    let parts: Vec<String> = letters
        .into_iter()
        .map(|(l, names)| format!("{l}: {}", names.join(", ")))
        .collect();
    format!("Session markers: {}.", parts.join("; "))
}

/// The thresholds in words, with their sources and marks.
pub fn thresholds_text(t: &Thresholds) -> String {
    format!(
        "Mild: pain below {} ({}, mark {}). Severe: {} or more ({}, mark {}). Responder: at least {} % below the first visit's score ({}, mark {}).",
        format_number(t.mild_below.value),
        t.mild_below.source,
        t.mild_below.mark.letter(),
        format_number(t.severe_from.value),
        t.severe_from.source,
        t.severe_from.mark.letter(),
        format_number(t.responder_percent.value),
        t.responder_percent.source,
        t.responder_percent.mark.letter()
    )
}

/// The visits, oldest first, with their markers.
pub fn rows(record: &Record, library: &DrugLibrary, t: &Thresholds) -> Vec<OutcomeRow> {
    let mut entries = record.outcomes.clone();
    entries.sort_by_key(|e| e.at);
    let base = baseline(&entries).cloned();
    entries
        .iter()
        .map(|e| OutcomeRow {
            at: format_date_time(e.at),
            pain_now: or_not(e.pain_now, "of 10"),
            pain_worst: or_not(e.pain_worst, "of 10"),
            systemic_mme: or_not(e.systemic_mme, "mg/day"),
            intrathecal: intrathecal(plan_at(record, e), library),
            markers: marker_words(markers(e, base.as_ref(), t)),
            side_effects: e.side_effects.clone(),
        })
        .collect()
}

/// A CSV cell: quoted when it holds a separator, a quote or a line break; a leading = + - @ is
/// prefixed with ' so that a spreadsheet does not run it as a formula.
fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The visits as CSV: one line each, numbers unformatted, markers as yes / no / empty.
pub fn csv(record: &Record, library: &DrugLibrary, t: &Thresholds) -> String {
    let mut entries = record.outcomes.clone();
    entries.sort_by_key(|e| e.at);
    let base = baseline(&entries).cloned();
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut out = String::from(
        "date,time,pain_now,pain_worst,systemic_mme_mg_per_day,intrathecal_daily_doses,mild,severe,responder,systemic_opioids_stopped,side_effects\n",
    );
    for e in &entries {
        let m = markers(e, base.as_ref(), t);
        let line = [
            iso_date(e.at),
            iso_time(e.at),
            num(e.pain_now),
            num(e.pain_worst),
            num(e.systemic_mme),
            cell(&intrathecal(plan_at(record, e), library)),
            yes_no(m.mild).to_owned(),
            yes_no(m.severe).to_owned(),
            yes_no(m.responder).to_owned(),
            yes_no(m.opioids_stopped).to_owned(),
            cell(&e.side_effects),
        ];
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}
