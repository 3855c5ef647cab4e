//! A titration plan in words: one row per rise (date, dose, rise, rate) and what it follows.

use serde::{Deserialize, Serialize};

use crate::engine::dosing::titration::TitrationPlan;
use crate::engine::quantities::format::{format_date_time, format_number, with_unit};

/// One rise, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TitrationRow {
    /// "Tue 1 Dec 2026, 09:00".
    pub at: String,
    /// "4.8 mcg/day".
    pub dose: String,
    /// "+2.4 mcg/day".
    pub rise: String,
    /// "0.192 mL/day".
    pub rate: String,
}

/// The rows of `plan`, doses in `unit` ("mcg/day").
pub fn rows(plan: &TitrationPlan, unit: &str) -> Vec<TitrationRow> {
    plan.steps
        .iter()
        .map(|s| TitrationRow {
            at: format_date_time(s.at),
            dose: with_unit(s.dose, unit),
            rise: format!("+{}", with_unit(s.rise, unit)),
            rate: with_unit(s.rate, "mL/day"),
        })
        .collect()
}

/// What the plan follows and when the alarm falls, in sentences.
pub fn notes(plan: &TitrationPlan, unit: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut largest = Vec::new();
    if let Some(s) = plan.max_step {
        largest.push(with_unit(s, unit));
    }
    if let Some(p) = plan.max_percent {
        largest.push(format!("{} % of the dose before it", format_number(p)));
    }
    out.push(format!(
        "Each rise at most {}, at least {} apart.",
        largest.join(" and "),
        if plan.spacing_hours % 24.0 == 0.0 {
            let days = plan.spacing_hours / 24.0;
            format!(
                "{} {}",
                format_number(days),
                if (days - 1.0).abs() < 1e-12 { "day" } else { "days" }
            )
        } else {
            with_unit(plan.spacing_hours, "h")
        }
    ));
    out.extend(plan.rules.iter().map(|r| format!("Rule: {r}")));
    out.push(match plan.alarm {
        Some(a) => format!(
            "Under these rates the low-reservoir alarm sounds on {}: plan the refill before it.",
            format_date_time(a)
        ),
        None => "The low-reservoir alarm is not projected here (no fill, a programme with boluses, or not within a year of the last rise): see the reservoir chart.".to_owned(),
    });
    if !plan.refills.is_empty() {
        out.push(
            "Refills along the way: each on its refill-by date (the earliest of the pump's rule at the titrated rates and the fast edge of its flow accuracy, the drug's stability — a new pump's first fill, then after the first refill —, an MRI that empties the pump, and the end of service), to the same volume as this fill."
                .to_owned(),
        );
    }
    if plan.refills.len() >= crate::engine::dosing::titration::MAX_REFILLS {
        out.push(format!(
            "The list stops at {} refills: plan the later ones from the reservoir chart.",
            crate::engine::dosing::titration::MAX_REFILLS
        ));
    }
    out
}

/// One refill along the way, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RefillRow {
    /// "Sat 9 Jan 2027, 06:00".
    pub at: String,
    /// What binds it: "ziconotide stability in the pump: 60 days (…)".
    pub binding: String,
}

/// The refills along the way: each refill-by date and what binds it.
pub fn refill_rows(plan: &TitrationPlan) -> Vec<RefillRow> {
    plan.refills
        .iter()
        .map(|r| RefillRow {
            at: format_date_time(r.at),
            binding: super::reservoir::reason(&r.binding),
        })
        .collect()
}
