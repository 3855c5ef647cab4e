//! Each drug's figures, current vs proposed, flex step notes and the compounding worksheet.

use super::{DrugSection, Figure, StepNoteText};
use crate::engine::dosing::change::STEP_FACTOR;
use crate::engine::format::{Display as _, format_number};
use crate::engine::plan::outcome::Outcome;

/// Per drug: concentration, daily dose, the 24-hour totals when there are boluses, the first
/// 24 hours of a change of concentration, the drug in the reservoir.
pub(super) fn sections(outcome: &Outcome) -> Vec<DrugSection> {
    outcome
        .drugs
        .iter()
        .map(|d| {
            let name = &d.display_name;
            let q = |label: &str, value: f64, unit: &str| Figure::quantity(&format!("{name} {label}"), value, unit);
            let unit = d.daily_dose.symbol();
            let mut figures = vec![
                q("concentration", d.concentration.value(), &d.concentration.symbol()),
                q("daily dose", d.daily_dose.value(), &unit),
            ];
            if let Some(mixed) = d
                .mixed
                .filter(|m| (m.value() - d.concentration.value()).abs() > 1e-9 * m.value())
            {
                figures.push(q(
                    "in the reservoir after mixing with the residual",
                    mixed.value(),
                    &mixed.symbol(),
                ));
            }
            if outcome.has_boluses {
                for (label, dose) in [
                    ("scheduled boluses per 24 h", d.scheduled_boluses),
                    ("one-off boluses in the heaviest 24 h", d.one_off_boluses),
                    ("patient boluses per 24 h at their maximum", d.patient_boluses),
                ] {
                    figures.push(q(label, dose.value(), &unit));
                }
            }
            if let Some(first) = d.first_day {
                figures.push(q(
                    "in the first 24 h, the old solution pushed through",
                    first.value(),
                    &unit,
                ));
            }
            if outcome.has_boluses || d.first_day.is_some_and(|f| f.value() > d.daily_dose.value()) {
                figures.push(q("maximum possible per 24 h", d.daily_maximum.value(), &unit));
            }
            figures.push(q(
                "in reservoir at fill",
                d.in_reservoir.value(),
                d.in_reservoir.family().symbol(),
            ));
            DrugSection {
                id: d.id.clone(),
                heading: format!("{name}{}", if d.lead { " (lead drug)" } else { "" }),
                lead: d.lead,
                figures,
            }
        })
        .collect()
}

/// Current vs proposed maximum 24-hour totals, as the programmer's closing review shows them.
pub(super) fn comparison(outcome: &Outcome) -> Vec<Figure> {
    outcome
        .comparison
        .iter()
        .map(|c| {
            let ratio = if c.current.value() > 0.0 && c.current.family() == c.proposed.family() {
                format!(" ({} times)", format_number(c.proposed.value() / c.current.value()))
            } else {
                String::new()
            };
            Figure::text(
                &format!("{} maximum per 24 h", c.drug),
                format!(
                    "current {} \u{2192} proposed {}{ratio}",
                    c.current.ismp(),
                    c.proposed.ismp()
                ),
            )
        })
        .collect()
}

/// Flex steps far from the current programme: the likely per-hour / per-day slip.
pub(super) fn step_notes(outcome: &Outcome) -> Vec<StepNoteText> {
    outcome
        .step_notes
        .iter()
        .map(|n| {
            let ratio = n.dose.value() / n.current.value();
            StepNoteText {
                step: n.step,
                text: format!(
                    "Step {}: {} is {} {} times the current programme's 24-hour total of {} ({} times). Was a dose per hour entered as per day, or the reverse? Per hour is \u{d7} 24.",
                    n.step + 1,
                    n.dose.ismp(),
                    if ratio > 1.0 { "more than" } else { "less than 1 \u{f7}" },
                    format_number(STEP_FACTOR),
                    n.current.ismp(),
                    format_number(ratio)
                ),
            }
        })
        .collect()
}

/// The compounding worksheet, with the rinse of a new pump first.
pub(super) fn worksheet(outcome: &Outcome) -> Vec<Figure> {
    let mut rows = Vec::new();
    if let Some(r) = &outcome.rinse {
        rows.push(Figure::text(
            &format!("Rinse the new pump first ({})", r.drug),
            format!(
                "{} \u{d7} {} of {} ({} in all, {}) before the first fill [{}] {}",
                r.times,
                r.each.ismp(),
                r.concentration.ismp(),
                r.total.ismp(),
                r.amount.ismp(),
                r.mark.letter(),
                r.source
            ),
        ));
    }
    if let Some(w) = &outcome.compounding {
        rows.push(Figure::text(
            "Total volume to compound",
            format!(
                "{} ({} fill + {} to prime the refill kit)",
                w.total_volume.ismp(),
                w.fill_volume.ismp(),
                w.extra_volume.ismp()
            ),
        ));
        for line in &w.lines {
            rows.push(Figure::text(
                &format!("{} stock to draw up", line.drug),
                format!(
                    "{} of {} (target {}; {} in total)",
                    line.stock_volume.ismp(),
                    line.stock.ismp(),
                    line.target.ismp(),
                    line.amount.ismp()
                ),
            ));
        }
        rows.push(Figure::text("Diluent", w.diluent_volume.ismp()));
    }
    rows
}
