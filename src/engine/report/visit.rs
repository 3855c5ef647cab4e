//! The refill visit in words: the reconciliation, its basis, the check after the refill, the log
//! and its trend.

use super::Figure;
use crate::engine::format::{Display as _, format_date_time, format_number};
use crate::engine::plan::outcome::Outcome;
use crate::engine::reservoir::visit::{Direction, ExpectedBasis, growing};

/// Where the expected residual comes from, in words.
pub fn basis_text(basis: ExpectedBasis) -> String {
    match basis {
        ExpectedBasis::Pump => "the pump's expected volume (programmer)".into(),
        ExpectedBasis::PatientBolusCount { count } => format!(
            "the programme as set plus the {count} patient bolus{} logged by the pump",
            if count == 1 { "" } else { "es" }
        ),
        ExpectedBasis::Programme => "the programme as set".into(),
        ExpectedBasis::TypicalScenario { per_day } => format!(
            "the programme with a typical {per_day} patient bolus{} a day \u{2014} an assumption: enter the pump's expected volume or its logged bolus count",
            if per_day == 1 { "" } else { "es" }
        ),
    }
}

pub(super) fn reconciliation(outcome: &Outcome) -> Vec<Figure> {
    let Some(r) = &outcome.reconciliation else {
        return Vec::new();
    };
    let threshold = match r.accuracy_percent {
        Some(a) => format!(
            "{} (the smaller of 2 mL and the pump's \u{b1}{} % accuracy \u{d7} the {} infused: ASRA 2017)",
            r.threshold.ismp(),
            format_number(a),
            r.infused.ismp()
        ),
        None => format!(
            "{} (the pump has no labelled accuracy: 2 mL, ASRA 2017)",
            r.threshold.ismp()
        ),
    };
    let verdict = match r.direction {
        Some(Direction::Shortfall) => {
            "FLAGGED: less withdrawn than expected \u{2014} possible over-infusion or pocket fill (see Limits and cautions)"
        }
        Some(Direction::Excess) => {
            "FLAGGED: more withdrawn than expected \u{2014} possible under-infusion, pump or catheter fault (see Limits and cautions)"
        }
        None => "within the threshold",
    };
    let mut rows = vec![
        Figure::text("Visit", format_date_time(r.visit.at)),
        Figure::quantity("Expected residual", r.expected.value(), "mL"),
        Figure::text("Expected from", basis_text(r.basis)),
        Figure::quantity("Infused since the fill", r.infused.value(), "mL"),
        Figure::quantity("Withdrawn", r.visit.withdrawn.value(), "mL"),
        Figure {
            name: "Discrepancy (withdrawn \u{2212} expected)".into(),
            value: Some(r.discrepancy.value()),
            unit: "mL".into(),
            display: r.discrepancy.ismp(),
        },
        Figure::text("Flag threshold", threshold),
        Figure::text("Reconciliation", verdict.into()),
    ];
    if let Some(a) = &r.after_refill {
        rows.push(Figure::text(
            "After the refill: expected in the reservoir",
            format!("{} (injected + residual left)", a.expected.ismp()),
        ));
        rows.push(Figure::text(
            "After the refill: confirmed",
            format!(
                "{} (discrepancy {}; flag beyond {}, Maino 2017){}",
                a.confirmed.ismp(),
                a.discrepancy.ismp(),
                a.threshold.ismp(),
                if a.flagged { ": FLAGGED" } else { "" }
            ),
        ));
    }
    rows
}

pub(super) fn log(outcome: &Outcome) -> Vec<Figure> {
    outcome
        .visits
        .iter()
        .map(|v| {
            Figure::text(
                &format_date_time(v.at),
                format!(
                    "withdrawn {}, expected {}, discrepancy {}{}{}",
                    v.withdrawn.ismp(),
                    v.expected.ismp(),
                    v.discrepancy.ismp(),
                    if v.flagged { " (flagged)" } else { "" },
                    refill_part(v)
                ),
            )
        })
        .collect()
}

/// "; injected 38 mL, confirmed 33 mL (flagged after the refill)" when the refill was logged.
fn refill_part(v: &crate::engine::reservoir::visit::LoggedVisit) -> String {
    let mut part = String::new();
    if let Some(n) = v.new_fill {
        part.push_str(&format!("; injected {}", n.ismp()));
    }
    if let Some(c) = v.confirmed_after_refill {
        part.push_str(&format!(", confirmed {}", c.ismp()));
    }
    if v.after_refill_flagged {
        part.push_str(" (flagged after the refill)");
    }
    part
}

/// The logged discrepancies in order, "growing: investigate" when each is larger than the last.
pub(super) fn trend(outcome: &Outcome) -> Option<String> {
    let log = &outcome.visits;
    if log.len() < 2 {
        return None;
    }
    let values: Vec<String> = log.iter().map(|v| v.discrepancy.ismp()).collect();
    Some(format!(
        "{}{}",
        values.join(" \u{2192} "),
        if growing(log) { " (growing: investigate)" } else { "" }
    ))
}
