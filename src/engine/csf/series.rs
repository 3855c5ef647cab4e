//! The modelled CSF concentration of each drug over a window after the fill: what reaches the
//! catheter tip (old solution first, through the dead volume, then the new one mixed with the
//! residual), delivered by the schedule (with any MRI pause), through each drug's linear model.
//!
//! **A model estimate of mean CSF concentration — not a measurement, not the concentration at the
//! catheter tip** (see [`crate::engine::csf::pk`]).

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::catalogue::library::DrugLibrary;
use crate::engine::csf::pk::{PkModel, TipInput, simulate_from};
use crate::engine::csf::transit::{
    BridgeBolus, DeadVolume, PrimingBolus, bridge_bolus, mixed_concentration, priming_bolus,
};
use crate::engine::error::{Error, Field};
use crate::engine::plan::evaluate::{Plan, Report};
use crate::engine::quantities::dose::AnyConcentration;
use crate::engine::quantities::format::{Display as _, format_number};
use crate::engine::quantities::units::{Days, DoseRate, Hours, Mcg, Mg, Millilitres};
use crate::engine::reservoir::schedule::PatientUse;

/// One drug's modelled series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsfSeries {
    /// Library id.
    pub drug: String,
    /// Tall Man name.
    pub display_name: String,
    /// Concentration unit, e.g. "mg/mL".
    pub unit: String,
    /// The model used.
    pub model: PkModel,
    /// The parameters in words, with their sources and marks.
    pub parameters: String,
    /// Days after the fill.
    pub days: Vec<f64>,
    /// Concentration at each time, in `unit`.
    pub values: Vec<f64>,
    /// Steady state of the new solution at the programme's basal rate.
    pub steady_state: f64,
    /// Highest value in the window.
    pub peak: f64,
    /// Lowest value in the window after the new solution reaches the tip.
    pub trough: f64,
    /// Concentration of this drug in the reservoir after the fill (mixed with the residual).
    pub reservoir_concentration: AnyConcentration,
    /// Time from the last change (the new solution reaching the tip) to within 10 % of the new
    /// steady state, when reached in the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_90_percent: Option<Days>,
}

/// The modelled series of every drug that has a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsfReport {
    /// Volume ahead of the new solution (tubing + catheter).
    pub dead_volume: Millilitres,
    /// When the new solution reaches the tip.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub tip_arrival: DateTime,
    /// Days from the fill to the tip.
    pub tip_days: Days,
    /// The series.
    pub series: Vec<CsfSeries>,
    /// Drugs without a model, and why.
    pub missing: Vec<String>,
    /// Always shown with the chart.
    pub caption: String,
    /// The patient-bolus scenario modelled.
    pub scenario: PatientUse,
    /// The bridge bolus for the lead drug, when the solution being replaced is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bridge: Option<BridgeBolus>,
    /// The priming bolus that would fill the dead volume with the new solution (after implant or
    /// catheter revision).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priming: Option<PrimingBolus>,
    /// MRI scan window (start, restart at scan end, latest restart), days after the fill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mri_days: Option<(f64, f64, f64)>,
    /// The grid step.
    pub step: Hours,
}

/// The label every concentration display carries.
pub const MODEL_CAPTION: &str =
    "Model estimate of mean CSF concentration \u{2014} not a measurement, not the concentration at the catheter tip.";

/// Computes the series over `days` after the fill at `step` intervals.
///
/// # Errors
/// [`Field::Pk`] for an invalid window or step, or an invalid model.
pub fn concentration_series(
    plan: &Plan,
    report: &Report,
    library: &DrugLibrary,
    days: Days,
    step: Hours,
) -> Result<CsfReport, Error> {
    concentration_series_for(plan, report, library, days, step, None)
}

/// [`concentration_series`] under a chosen patient-bolus scenario (default: typical when the
/// programme has patient boluses, else none).
///
/// # Errors
/// As [`concentration_series`].
pub fn concentration_series_for(
    plan: &Plan,
    report: &Report,
    library: &DrugLibrary,
    days: Days,
    step: Hours,
    scenario: Option<PatientUse>,
) -> Result<CsfReport, Error> {
    if days.value() <= 0.0 || step.value() <= 0.0 {
        return Err(Error::invalid(
            Field::Pk,
            "the window and the step must be greater than 0",
        ));
    }
    let points = (days.value() * 24.0 / step.value()).floor();
    if points > 2_000_000.0 {
        return Err(Error::invalid(
            Field::Pk,
            "more than 2,000,000 points: use a longer step",
        ));
    }
    let csf = &plan.csf;
    let dead = DeadVolume::with_catheter(
        csf.pump_tubing.unwrap_or(Millilitres::ZERO),
        csf.catheter_length_cm.unwrap_or(0.0),
        csf.catheter_ml_per_cm.unwrap_or(0.0),
    )?
    .total();
    let scenario = match (scenario, report.schedule.patient.is_some()) {
        (_, false) => PatientUse::None,
        (Some(s), true) => s,
        (None, true) => PatientUse::Typical(plan.boluses.typical_per_day.unwrap_or(0)),
    };
    let horizon_minutes = days.value() * 1440.0;
    let mut segments = report.schedule.segments(report.filled_at, scenario, horizon_minutes);
    // A pump emptied before an MRI (Prometra) delivers nothing from the scan on, until it is refilled.
    if let Some(from) = report.mri.as_ref().filter(|m| m.removed.is_some()).map(|m| m.from) {
        let emptied = report.filled_at.duration_until(from).as_secs_f64() / 60.0;
        for segment in &mut segments {
            if segment.0 >= emptied {
                segment.2 = 0.0;
            } else if segment.1 > emptied {
                segment.1 = emptied;
            }
        }
    }

    // Split the delivery where the dead volume has been pushed through: before, the old solution
    // reaches the tip; after, the new one.
    let mut pieces: Vec<(f64, f64, f64, bool)> = Vec::with_capacity(segments.len() + 1);
    let mut delivered = 0.0;
    let mut tip_minutes = if dead.value() <= 0.0 { Some(0.0) } else { None };
    for &(t0, t1, rate) in &segments {
        let next = delivered + rate * (t1 - t0);
        if tip_minutes.is_none() && rate > 0.0 && next >= dead.value() {
            let t = t0 + (dead.value() - delivered) / rate;
            tip_minutes = Some(t);
            pieces.push((t0, t, rate, false));
            pieces.push((t, t1, rate, true));
        } else {
            pieces.push((t0, t1, rate, tip_minutes.is_some()));
        }
        delivered = next;
    }
    let tip_minutes = tip_minutes.unwrap_or(horizon_minutes);
    let tip_days = Days::new(tip_minutes / 1440.0).map_err(|e| e.at(Field::Pk))?;
    let tip_arrival = crate::engine::dosing::programme::after(report.filled_at, tip_days)?;

    let mut series = Vec::new();
    let mut missing = Vec::new();
    let residual = csf.residual.unwrap_or(Millilitres::ZERO);
    for drug in &report.drugs {
        let Some(entry) = library.get(&drug.drug) else { continue };
        let previous = csf
            .previous
            .iter()
            .find(|p| p.drug == drug.drug)
            .map(|p| p.concentration);
        let Some(model) = model_for(plan, entry, &mut missing) else {
            continue;
        };
        model.0.validate()?;
        let mixed = mixed_concentration(
            previous,
            residual,
            Some(drug.concentration),
            report.nominal().map_or(Millilitres::ZERO, |n| {
                n.vertices
                    .first()
                    .and_then(|v| Millilitres::new(v.1).ok())
                    .unwrap_or(Millilitres::ZERO)
            }),
        )?
        .unwrap_or(drug.concentration);
        let old = previous.map_or(0.0, |c| c.value());
        let basal_ml_per_min = report.daily_volumes.basal.value() / 1440.0;
        let per_day = |ml_per_min: f64, conc: f64| ml_per_min * 1440.0 * conc;
        // The old solution has been delivered at the basal rate for long before the fill: the model
        // starts at its exact steady state (closed form), not after a warm-up run.
        let before = per_day(basal_ml_per_min, old);
        let mut inputs_mg: Vec<(f64, f64, f64)> = Vec::new(); // (from h, to h, per day)
        for &(t0, t1, rate, new) in &pieces {
            let conc = if new { mixed.value() } else { old };
            if rate > 0.0 && conc > 0.0 && t1 > t0 {
                inputs_mg.push((t0 / 60.0, t1 / 60.0, per_day(rate, conc)));
            }
        }
        let grid: Vec<Hours> = (0..=points as u64)
            .map(|i| Hours::new(i as f64 * step.value()).unwrap_or(Hours::ZERO))
            .collect();
        let values: Vec<f64> = match mixed {
            AnyConcentration::Mg(_) => run::<Mg>(&model.0, before, &inputs_mg, &grid)?,
            AnyConcentration::Mcg(_) => run::<Mcg>(&model.0, before, &inputs_mg, &grid)?,
        };
        let days_axis: Vec<f64> = (0..grid.len()).map(|i| i as f64 * step.value() / 24.0).collect();
        let steady_state = steady_state(&model.0, per_day(basal_ml_per_min, mixed.value()));
        let (days_axis_copy, values_copy) = (days_axis.clone(), values.clone());
        let peak = values.iter().copied().fold(0.0, f64::max);
        let trough = values
            .iter()
            .zip(&days_axis)
            .filter(|(_, d)| **d * 1440.0 >= tip_minutes)
            .map(|(v, _)| *v)
            .fold(f64::INFINITY, f64::min);
        series.push(CsfSeries {
            drug: drug.drug.clone(),
            display_name: drug.display_name.clone(),
            unit: mixed.symbol(),
            model: model.0,
            parameters: model.1,
            days: days_axis,
            values,
            steady_state,
            peak,
            trough: if trough.is_finite() { trough } else { 0.0 },
            reservoir_concentration: mixed,
            time_to_90_percent: time_to_90(&days_axis_copy, &values_copy, tip_minutes / 1440.0, steady_state),
        });
    }
    // Bridge: the old solution ahead of the new one, at the rate that keeps the lead drug's dose
    // (lead dose ÷ old concentration). Priming: the new solution filling the dead volume.
    let lead = report.drugs.iter().find(|d| d.lead).or(report.drugs.first());
    let bridge = lead.and_then(|d| {
        let old = csf.previous.iter().find(|p| p.drug == d.drug)?.concentration;
        let rate = crate::engine::quantities::units::MlPerDay::new(d.daily_dose.value() / old.value()).ok()?;
        if dead.value() > 0.0 {
            bridge_bolus(dead, old, rate).ok()
        } else {
            None
        }
    });
    let tubing = csf.pump_tubing.unwrap_or(Millilitres::ZERO);
    let priming = lead.filter(|_| dead.value() > 0.0).map(|d| {
        let catheter = Millilitres::new(dead.value() - tubing.value()).unwrap_or(Millilitres::ZERO);
        priming_bolus(
            &DeadVolume {
                pump_tubing: tubing,
                catheter,
            },
            d.concentration,
        )
    });
    let since = |at: DateTime| report.filled_at.duration_until(at).as_secs_f64() / 86_400.0;
    let mri_days = report
        .mri
        .as_ref()
        .map(|m| (since(m.from), since(m.to), m.restart_latest.map_or(since(m.to), since)));
    Ok(CsfReport {
        dead_volume: dead,
        tip_arrival,
        tip_days,
        series,
        missing,
        caption: MODEL_CAPTION.to_owned(),
        scenario,
        bridge,
        priming,
        mri_days,
        step,
    })
}

fn run<U: crate::engine::quantities::units::MassUnit>(
    model: &PkModel,
    before: f64,
    inputs: &[(f64, f64, f64)],
    grid: &[Hours],
) -> Result<Vec<f64>, Error> {
    let typed: Vec<TipInput<U>> = inputs
        .iter()
        .filter_map(|&(a, b, r)| {
            Some(TipInput {
                from: Hours::new(a).ok()?,
                to: Hours::new(b).ok()?,
                rate: DoseRate::new(r).ok()?,
            })
        })
        .collect();
    let before = DoseRate::new(before).map_err(|e| e.at(Field::Pk))?;
    Ok(simulate_from(model, before, &typed, grid)?
        .into_iter()
        .map(|c| c.value())
        .collect())
}

/// Days from `change` until the series stays within 10 % of the way from its value at the change
/// to `target` (i.e. 90 % of the change is done).
fn time_to_90(days: &[f64], values: &[f64], change: f64, target: f64) -> Option<Days> {
    let start = days.iter().position(|d| *d >= change)?;
    let from = *values.get(start)?;
    let band = 0.1 * (target - from).abs();
    if band == 0.0 {
        return Days::new(0.0).ok();
    }
    let last_outside = values
        .iter()
        .enumerate()
        .skip(start)
        .rev()
        .find(|(_, v)| (**v - target).abs() > band)
        .map(|(i, _)| i);
    let reached = match last_outside {
        None => start,
        Some(i) if i + 1 < values.len() => i + 1,
        Some(_) => return None,
    };
    Days::new(days.get(reached)? - change).ok()
}

/// Steady state of a constant input `per_day` (drug unit per day), drug unit per mL.
fn steady_state(model: &PkModel, per_day: f64) -> f64 {
    let per_hour = per_day / 24.0;
    match *model {
        PkModel::OneCompartment { half_life, volume } => {
            per_hour / (std::f64::consts::LN_2 / half_life.value()) / volume.value()
        }
        PkModel::TwoCompartment { volume, k10, .. } => per_hour / k10.value() / volume.value(),
    }
}

/// The model for a drug: the plan's own, else the library's half-life with its volume (or volume
/// per kg × the plan's weight). Records why a drug has none.
fn model_for(
    plan: &Plan,
    entry: &crate::engine::catalogue::library::DrugEntry,
    missing: &mut Vec<String>,
) -> Option<(PkModel, String)> {
    if let Some(m) = plan.csf.models.iter().find(|m| m.drug == entry.id) {
        return Some((m.model, describe(&m.model, "entered for this plan")));
    }
    let pk = &entry.pk;
    let Some(half) = &pk.csf_half_life_hours else {
        missing.push(format!(
            "{}: no CSF half-life in the drug library; enter one to model it",
            entry.display_name
        ));
        return None;
    };
    let volume = match (&pk.csf_volume_ml, &pk.csf_volume_ml_per_kg, plan.csf.weight_kg) {
        (Some(v), _, _) => Some((
            v.value,
            format!("volume {} [{}] {}", format_number(v.value), v.mark.letter(), v.source),
        )),
        (None, Some(per_kg), Some(kg)) => Some((
            per_kg.value * kg,
            format!(
                "volume {} mL/kg \u{d7} {} kg [{}] {}",
                format_number(per_kg.value),
                format_number(kg),
                per_kg.mark.letter(),
                per_kg.source
            ),
        )),
        _ => None,
    };
    let Some((volume, volume_text)) = volume else {
        let hint = if pk.csf_volume_ml_per_kg.is_some() {
            "enter the patient's weight"
        } else {
            "enter a CSF volume"
        };
        missing.push(format!("{}: no CSF volume; {hint} to model it", entry.display_name));
        return None;
    };
    let half_life = Hours::new(half.value).ok()?;
    let volume_ml = Millilitres::new(volume).ok()?;
    if let (Some(k12), Some(k21)) = (&pk.k12_per_hour, &pk.k21_per_hour) {
        let model = PkModel::TwoCompartment {
            volume: volume_ml,
            k10: crate::engine::quantities::units::PerHour::new(std::f64::consts::LN_2 / half_life.value()).ok()?,
            k12: crate::engine::quantities::units::PerHour::new(k12.value).ok()?,
            k21: crate::engine::quantities::units::PerHour::new(k21.value).ok()?,
        };
        return Some((
            model,
            format!(
                "two compartments: central half-life {} [{}] {}; {volume_text}; k12 {} /h [{}]; k21 {} /h [{}]",
                half_life.ismp(),
                half.mark.letter(),
                half.source,
                format_number(k12.value),
                k12.mark.letter(),
                format_number(k21.value),
                k21.mark.letter()
            ),
        ));
    }
    let model = PkModel::OneCompartment {
        half_life,
        volume: volume_ml,
    };
    Some((
        model,
        format!(
            "one compartment: half-life {} [{}] {}; {volume_text}",
            Hours::new(half.value).ok()?.ismp(),
            half.mark.letter(),
            half.source
        ),
    ))
}

fn describe(model: &PkModel, origin: &str) -> String {
    match *model {
        PkModel::OneCompartment { half_life, volume } => format!(
            "one compartment: half-life {}, volume {} ({origin})",
            half_life.ismp(),
            volume.ismp()
        ),
        PkModel::TwoCompartment { volume, k10, k12, k21 } => format!(
            "two compartments: central volume {}, k10 {}, k12 {}, k21 {} ({origin})",
            volume.ismp(),
            k10.ismp(),
            k12.ismp(),
            k21.ismp()
        ),
    }
}

/// The series as CSV: `time_h,drug,concentration,unit`. Times are written exactly (the shortest
/// decimal that reads back as the same number), never rounded for display: a 1-minute series has
/// a distinct time on every row.
pub fn to_csv(report: &CsfReport) -> String {
    let mut out = String::from("time_h,drug,concentration,unit\n");
    for s in &report.series {
        for (i, v) in s.values.iter().enumerate() {
            out.push_str(&format!(
                "{},{},{:e},{}\n",
                i as f64 * report.step.value() + 0.0,
                s.drug,
                v,
                s.unit
            ));
        }
    }
    out
}
