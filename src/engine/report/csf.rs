//! The CSF model in words: the transit, each drug's modelled figures, the bridge and priming
//! boluses, the drugs not modelled, and each chart's title, caption and text alternative. Always
//! labelled a model estimate.

use serde::{Deserialize, Serialize};

use super::Figure;
use crate::engine::csf::model::{MissingWhy, ModelSource, VolumeSource};
use crate::engine::csf::pk::PkModel;
use crate::engine::csf::series::{CsfOutcome, CsfSeries};
use crate::engine::format::{Display as _, format_date, format_date_time, format_number, with_unit};

/// The label every concentration display carries.
pub const MODEL_CAPTION: &str =
    "Model estimate of mean CSF concentration \u{2014} not a measurement, not the concentration at the catheter tip.";

/// Why the curve is a model (Flack & Bernards 2010).
pub const MODEL_WHY: &str = "At pump flow rates drug mixes poorly in CSF: the concentration falls 5\u{2013}10-fold within 5\u{2013}10 cm of the catheter tip (Flack & Bernards 2010). These curves illustrate time to steady state, bolus peaks and the transit delay.";

/// One drug's chart in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsfChartText {
    /// Library id.
    pub drug: String,
    /// "morphine: modelled mean CSF concentration".
    pub title: String,
    /// Axis title of the concentration.
    pub axis: String,
    /// Unit of the axis ("mg/mL").
    pub unit: String,
    /// Text alternative.
    pub description: String,
    /// Label of the tip-arrival marker, when inside the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip_label: Option<String>,
}

/// The CSF section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsfSection {
    /// The caption every concentration display carries.
    pub caption: String,
    /// Why it is a model.
    pub why: String,
    /// Transit, per-drug, bridge and priming figures.
    pub figures: Vec<Figure>,
    /// Drugs not modelled, and why.
    pub missing: Vec<String>,
    /// One per modelled drug, in the outcome's order.
    pub charts: Vec<CsfChartText>,
}

/// The CSF section of a modelled series.
pub fn csf_section(csf: &CsfOutcome) -> CsfSection {
    CsfSection {
        caption: MODEL_CAPTION.to_owned(),
        why: MODEL_WHY.to_owned(),
        figures: figures(csf),
        missing: csf.missing.iter().map(missing).collect(),
        charts: csf.series.iter().map(|s| chart(csf, s)).collect(),
    }
}

fn missing(m: &crate::engine::csf::model::Missing) -> String {
    let why = match m.why {
        MissingWhy::NoHalfLife => "no CSF half-life in the drug library; enter one to model it",
        MissingWhy::NoVolume => "no CSF volume; enter a CSF volume to model it",
        MissingWhy::NeedsWeight => "no CSF volume; enter the patient's weight to model it",
    };
    format!("Not modelled: {}: {why}", m.drug)
}

fn figures(csf: &CsfOutcome) -> Vec<Figure> {
    let mut rows = vec![
        Figure::quantity(
            "Volume ahead of the new solution (tubing + catheter)",
            csf.dead_volume.value(),
            "mL",
        ),
        Figure::text(
            "New solution reaches the catheter tip",
            format!(
                "{} ({} after the fill)",
                format_date_time(csf.tip_arrival),
                csf.tip_days.ismp()
            ),
        ),
    ];
    for s in &csf.series {
        let unit = s.reservoir_concentration.symbol();
        let name = &s.display_name;
        rows.push(Figure::quantity(
            &format!("{name} in the reservoir after the fill (mixed with the residual)"),
            s.reservoir_concentration.value(),
            &unit,
        ));
        rows.push(Figure::quantity(
            &format!("{name} modelled steady state"),
            s.steady_state,
            &unit,
        ));
        rows.push(Figure::text(
            &format!("{name} modelled peak / trough in the window"),
            format!("{} / {}", with_unit(s.peak, &unit), with_unit(s.trough, &unit)),
        ));
        rows.push(Figure::text(
            &format!("{name} time to 90 % of steady state after the change"),
            s.time_to_90_percent
                .map_or_else(|| "not reached in the window".to_owned(), |d| d.to_hours().ismp()),
        ));
    }
    if let Some(b) = csf.bridge {
        rows.push(Figure::text(
            "Bridge bolus (old solution at the rate that keeps the lead drug's dose as now programmed)",
            format!(
                "{} at {} for {} (old drug delivered meanwhile: {})",
                b.volume.ismp(),
                b.rate.ismp(),
                b.duration.ismp(),
                b.old_drug_delivered.ismp()
            ),
        ));
    }
    if let Some(p) = csf.priming {
        rows.push(Figure::text(
            "Priming bolus (after implant or catheter revision)",
            format!(
                "{} ({} of drug in it). At priming rates drug and fluid mix: drug can reach the patient before the priming bolus ends, and the concentration afterwards is reduced (Medtronic labelling update). Prime under medical supervision.",
                p.volume.ismp(),
                p.drug_in_dead_volume.ismp()
            ),
        ));
    }
    rows
}

fn chart(csf: &CsfOutcome, s: &CsfSeries) -> CsfChartText {
    let unit = s.reservoir_concentration.symbol();
    let mut text = format!(
        "{MODEL_CAPTION} Modelled {}: steady state {}; peak {} in the window.",
        s.display_name,
        with_unit(s.steady_state, &unit),
        with_unit(s.peak, &unit)
    );
    let tip = csf.tip_days.value();
    if tip > 0.0 {
        text.push_str(&format!(
            " The new solution reaches the catheter tip {} after the fill, on {}.",
            csf.tip_days.ismp(),
            format_date_time(csf.tip_arrival)
        ));
    }
    if csf.mri_days.is_some() {
        text.push_str(
            " The shaded band is the MRI interruption (darker: the scan; lighter: a restart up to 24 hours late).",
        );
    }
    if let Some(rate) = csf.old_rate {
        text.push_str(&format!(
            " Before the fill the old solution ran at {} (the current programme, or the lead drug's dose with the old concentration).",
            rate.ismp()
        ));
    }
    text.push_str(&format!(" Parameters: {}.", parameters(&s.model, &s.source)));
    let window = s.days.last().copied().unwrap_or(0.0);
    CsfChartText {
        drug: s.drug.clone(),
        title: format!("{}: modelled mean CSF concentration", s.display_name),
        axis: format!("{} (model)", s.display_name),
        unit,
        description: text,
        tip_label: (tip > 0.0 && tip < window)
            .then(|| format!("New solution at the tip {}", format_date(csf.tip_arrival))),
    }
}

/// The model's parameters with their sources and marks.
pub fn parameters(model: &PkModel, source: &ModelSource) -> String {
    match source {
        ModelSource::Entered => match *model {
            PkModel::OneCompartment { half_life, volume } => format!(
                "one compartment: half-life {}, volume {} (entered for this plan)",
                half_life.ismp(),
                volume.ismp()
            ),
            PkModel::TwoCompartment { volume, k10, k12, k21 } => format!(
                "two compartments: central volume {}, k10 {}, k12 {}, k21 {} (entered for this plan)",
                volume.ismp(),
                k10.ismp(),
                k12.ismp(),
                k21.ismp()
            ),
        },
        ModelSource::Library {
            half_life,
            volume,
            rates,
        } => {
            let volume = match volume {
                VolumeSource::Fixed { value } => format!(
                    "volume {} [{}] {}",
                    with_unit(value.value, "mL"),
                    value.mark.letter(),
                    value.source
                ),
                VolumeSource::PerKg { per_kg, weight_kg } => format!(
                    "volume {} \u{d7} {} [{}] {}",
                    with_unit(per_kg.value, "mL/kg"),
                    with_unit(*weight_kg, "kg"),
                    per_kg.mark.letter(),
                    per_kg.source
                ),
            };
            let half = format!(
                "half-life {} [{}] {}",
                with_unit(half_life.value, "h"),
                half_life.mark.letter(),
                half_life.source
            );
            match rates {
                Some((k12, k21)) => format!(
                    "two compartments: central {half}; {volume}; k12 {} /h [{}]; k21 {} /h [{}]",
                    format_number(k12.value),
                    k12.mark.letter(),
                    format_number(k21.value),
                    k21.mark.letter()
                ),
                None => format!("one compartment: {half}; {volume}"),
            }
        }
    }
}
