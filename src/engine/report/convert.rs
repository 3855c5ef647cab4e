//! A conversion in words: the arithmetic line by line, the cautions, and the JSON the native
//! command prints.

use serde::Serialize;

use crate::engine::catalogue::pump::Mark;
use crate::engine::convert::{Conversion, OpioidTable, Target};
use crate::engine::quantities::format::{format_number, with_unit};

/// The arithmetic, one line per step: each opioid's MME, the total, the ratio, the reduction and,
/// for HYDROmorphone, the potency.
pub fn arithmetic(c: &Conversion) -> Vec<String> {
    let mut lines: Vec<String> = c
        .items
        .iter()
        .map(|i| {
            format!(
                "{} {} \u{00d7} {} = {} MME",
                i.opioid.display_name,
                with_unit(i.amount, i.opioid.unit.symbol()),
                format_number(i.opioid.factor),
                format_number(i.mme)
            )
        })
        .collect();
    let parts: Vec<String> = c.items.iter().map(|i| format_number(i.mme)).collect();
    if parts.len() > 1 {
        lines.push(format!(
            "Total: {} = {} MME (mg/day of oral morphine)",
            parts.join(" + "),
            format_number(c.total_mme)
        ));
    } else {
        lines.push(format!(
            "Total: {} MME (mg/day of oral morphine)",
            format_number(c.total_mme)
        ));
    }
    lines.push(format!(
        "Intrathecal morphine at {} : 1: {} \u{00f7} {} = {}",
        format_number(c.ratio),
        format_number(c.total_mme),
        format_number(c.ratio),
        with_unit(c.it_morphine_unreduced, "mg/day")
    ));
    lines.push(format!(
        "Reduced by {} % for incomplete cross-tolerance: {} \u{00d7} {} = {}",
        format_number(c.reduction_percent),
        format_number(c.it_morphine_unreduced),
        format_number((100.0 - c.reduction_percent) / 100.0),
        with_unit(c.it_morphine, "mg/day")
    ));
    if let (Target::Hydromorphone, Some(p)) = (c.target, &c.potency) {
        lines.push(format!(
            "Intrathecal HYDROmorphone at {} times the potency of intrathecal morphine (unverified): {} \u{00f7} {} = {}",
            format_number(p.value),
            format_number(c.it_morphine),
            format_number(p.value),
            with_unit(c.daily_dose, "mg/day")
        ));
    }
    lines
}

/// The cautions: the general one, each opioid's own, no reduction chosen, an unverified ratio or
/// potency, and serum morphine above its threshold.
pub fn cautions(c: &Conversion, table: &OpioidTable) -> Vec<String> {
    let mut out = vec![table.general_caution.clone()];
    for item in &c.items {
        if !item.opioid.caution.is_empty() && !out.contains(&item.opioid.caution) {
            out.push(item.opioid.caution.clone());
        }
    }
    // A factor that is not the CDC's is said where it is used, not only in the table.
    for item in c.items.iter().filter(|i| i.opioid.mark == Mark::Institution) {
        let line = format!(
            "{}: the factor {} is not the CDC's: {}.",
            item.opioid.display_name,
            format_number(item.opioid.factor),
            item.opioid.source
        );
        if !out.contains(&line) {
            out.push(line);
        }
    }
    if c.reduction_percent <= 0.0 {
        out.push(
            "No reduction for incomplete cross-tolerance: the full calculated equivalent. The CDC advises starting substantially lower."
                .to_owned(),
        );
    }
    if let Some(r) = table.ratios.iter().find(|r| (r.value - c.ratio).abs() < 1e-9) {
        if r.mark.letter() == "U" {
            out.push(format!("The ratio {} is unverified (mark U): {}.", r.label, r.source));
        }
    } else {
        out.push(format!(
            "The ratio {} : 1 is the clinician's own (neither of the sourced ratios).",
            format_number(c.ratio)
        ));
    }
    if c.ratio < 100.0 {
        out.push(format!(
            "At {} : 1 the dose is {} times the dose at 100 : 1, the lowest sourced ratio.",
            format_number(c.ratio),
            format_number(100.0 / c.ratio)
        ));
    }
    if c.reduction_percent > 0.0 && c.reduction_percent < 5.0 {
        out.push(format!(
            "A reduction of {} % is small: check that a percentage was meant (30 for 30 %).",
            format_number(c.reduction_percent)
        ));
    }
    if let Some(p) = &c.potency {
        out.push(format!(
            "The HYDROmorphone potency ({} times) is unverified: {}.",
            format_number(p.value),
            p.source
        ));
    }
    if c.target == Target::Morphine && c.daily_dose > table.serum_note.value {
        out.push(format!(
            "{} ({}, mark {}).",
            table.serum_note.text,
            table.serum_note.source,
            table.serum_note.mark.letter()
        ));
    }
    out
}

/// The proposal's figures: (name, value with unit).
pub fn figures(c: &Conversion) -> Vec<(String, String)> {
    vec![
        ("Total MME".to_owned(), with_unit(c.total_mme, "mg/day")),
        (
            format!("Proposed intrathecal {}", c.target.display_name()),
            with_unit(c.daily_dose, "mg/day"),
        ),
    ]
}

/// An opioid's factor in words: "1.5 MME per mg/day taken".
pub fn factor_text(o: &crate::engine::convert::Opioid) -> String {
    format!("{} MME per {}", format_number(o.factor), o.unit.symbol())
}

/// A taper's steps in words: (date, "90 mg/day").
pub fn taper_rows(steps: &[crate::engine::taper::TaperStep]) -> Vec<(String, String)> {
    steps
        .iter()
        .map(|s| {
            (
                crate::engine::quantities::format::format_date_time(s.at),
                format!("{} MME", with_unit(s.mme, "mg/day")),
            )
        })
        .collect()
}

/// A quantity with its unit, as the native command prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Amount {
    /// "mg/day", "mcg/h".
    pub unit: String,
    /// The value.
    pub value: f64,
}

/// One line of the native command's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemJson {
    /// Opioid id.
    pub drug: String,
    /// Its amount.
    pub amount: Amount,
    /// Its MME factor.
    pub factor: f64,
    /// The factor's mark: "V" for the CDC's, "I" for one set by the institution.
    pub factor_mark: String,
    /// Where the factor comes from.
    pub factor_source: String,
    /// amount × factor.
    pub mme: f64,
}

/// The intrathecal proposal in the native command's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntrathecalJson {
    /// "morphine" or "hydromorphone".
    pub drug: String,
    /// Oral : intrathecal morphine ratio.
    pub ratio: f64,
    /// Reduction, percent.
    pub reduction_percent: f64,
    /// The proposed daily dose.
    pub daily_dose: Amount,
}

/// The native command's output (`itdose convert`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConversionJson {
    /// The total MME.
    pub total_mme: Amount,
    /// Each line.
    pub items: Vec<ItemJson>,
    /// The proposal.
    pub intrathecal: IntrathecalJson,
    /// The arithmetic in words.
    pub arithmetic: Vec<String>,
    /// The cautions.
    pub cautions: Vec<String>,
    /// How the proposal stands against the drug library (filled by the caller that has one).
    pub library_checks: Vec<String>,
}

/// The native command's output for `c`.
pub fn json(c: &Conversion, table: &OpioidTable) -> ConversionJson {
    let mg_day = |value: f64| Amount {
        unit: "mg/day".into(),
        value,
    };
    ConversionJson {
        total_mme: mg_day(c.total_mme),
        items: c
            .items
            .iter()
            .map(|i| ItemJson {
                drug: i.opioid.id.clone(),
                amount: Amount {
                    unit: i.opioid.unit.symbol().into(),
                    value: i.amount,
                },
                factor: i.opioid.factor,
                factor_mark: i.opioid.mark.letter().to_owned(),
                factor_source: i.opioid.source.clone(),
                mme: i.mme,
            })
            .collect(),
        intrathecal: IntrathecalJson {
            drug: c.target.drug().into(),
            ratio: c.ratio,
            reduction_percent: c.reduction_percent,
            daily_dose: mg_day(c.daily_dose),
        },
        arithmetic: arithmetic(c),
        cautions: cautions(c, table),
        library_checks: Vec::new(),
    }
}
