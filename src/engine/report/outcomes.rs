//! Outcomes in words: one row per visit (scores, MME, the intrathecal daily doses in force, the
//! markers) and the same as CSV.

use serde::{Deserialize, Serialize};

use crate::engine::outcomes::{DosesFrom, Markers, OutcomeEntry, Thresholds, by_date, doses_at, markers};
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
    /// The intrathecal basal daily doses in force then: "morphine 1 mg/day" (boluses apart).
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

/// The intrathecal basal daily doses in force at a visit, in words (boluses apart).
fn intrathecal(history: &[DosesFrom], entry: &OutcomeEntry) -> String {
    let Some(from) = doses_at(history, entry.at) else {
        return "before the record's first session".to_owned();
    };
    let doses: Vec<String> = from
        .doses
        .iter()
        .map(|d| match d.daily {
            Some(dose) => format!("{} {}", d.display_name, dose.ismp()),
            None => format!("{} dose not evaluated", d.display_name),
        })
        .collect();
    match (doses.is_empty(), from.evaluated) {
        (true, _) => NOT_RECORDED.to_owned(),
        (false, true) => doses.join(", "),
        (false, false) => format!("{} (as declared: the plan does not evaluate now)", doses.join(", ")),
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

/// The visits, oldest first, with their markers and the intrathecal doses in force then
/// (`history`: [`intrathecal_history`](crate::engine::outcomes::intrathecal_history)).
pub fn rows(record: &Record, history: &[DosesFrom], t: &Thresholds) -> Vec<OutcomeRow> {
    let (entries, base) = by_date(&record.outcomes);
    entries
        .into_iter()
        .map(|e| OutcomeRow {
            at: format_date_time(e.at),
            pain_now: or_not(e.pain_now, "of 10"),
            pain_worst: or_not(e.pain_worst, "of 10"),
            systemic_mme: or_not(e.systemic_mme, "mg/day"),
            intrathecal: intrathecal(history, e),
            markers: marker_words(markers(e, base, t)),
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
pub fn csv(record: &Record, history: &[DosesFrom], t: &Thresholds) -> String {
    let (entries, base) = by_date(&record.outcomes);
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut out = String::from(
        "date,time,pain_now,pain_worst,systemic_mme_mg_per_day,intrathecal_basal_daily_doses,mild,severe,responder,systemic_opioids_stopped,side_effects\n",
    );
    for e in entries {
        let m = markers(e, base, t);
        let line = [
            iso_date(e.at),
            iso_time(e.at),
            num(e.pain_now),
            num(e.pain_worst),
            num(e.systemic_mme),
            cell(&intrathecal(history, e)),
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

/// The label of a drug's strip on the therapy timeline: "Intrathecal morphine, basal (mg/day)".
pub fn dose_strip_label(display_name: &str, unit: &str) -> String {
    format!("Intrathecal {display_name}, basal ({unit})")
}
