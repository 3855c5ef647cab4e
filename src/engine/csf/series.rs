//! The modelled CSF concentration of each drug over a window after the fill: what reaches the
//! catheter tip (old solution first, through the dead volume, then the new one mixed with the
//! residual), delivered by the schedule (with any MRI pause, and nothing after a Prometra is
//! emptied), through each drug's linear model.
//!
//! **A model estimate of mean CSF concentration — not a measurement, not the concentration at the
//! catheter tip** (see [`super::pk`]).

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use super::model::{Missing, ModelSource, model_for};
use super::pk::{PkModel, TipInput, simulate_from};
use super::transit::{BridgeBolus, DeadVolume, PrimingBolus, bridge_bolus, priming_bolus};
use crate::engine::catalogue::library::DrugLibrary;
use crate::engine::error::{Error, Field};
use crate::engine::plan::model::Plan;
use crate::engine::plan::outcome::{DrugOutcome, Outcome};
use crate::engine::quantities::dose::AnyConcentration;
use crate::engine::quantities::time::after;
use crate::engine::quantities::units::{Days, DoseRate, Hours, Mcg, Mg, Millilitres, MlPerDay};
use crate::engine::reservoir::procedures::dead_volume;
use crate::engine::reservoir::schedule::PatientUse;

/// One drug's modelled series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsfSeries {
    /// Library id.
    pub drug: String,
    /// Tall Man name.
    pub display_name: String,
    /// The model used.
    pub model: PkModel,
    /// Where its parameters come from.
    pub source: ModelSource,
    /// Days after the fill.
    pub days: Vec<f64>,
    /// Concentration at each time, in the drug's unit per mL.
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
pub struct CsfOutcome {
    /// When the pump was filled (day 0).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub filled_at: DateTime,
    /// Volume ahead of the new solution (tubing + catheter).
    pub dead_volume: Millilitres,
    /// When the new solution reaches the tip.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub tip_arrival: DateTime,
    /// Days from the fill to the tip.
    pub tip_days: Days,
    /// The old solution's rate before the fill (the current programme's, or the rate that kept the
    /// lead drug's dose with the old concentration), when a solution being replaced is entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_rate: Option<MlPerDay>,
    /// The series.
    pub series: Vec<CsfSeries>,
    /// Drugs without a model, and why.
    pub missing: Vec<Missing>,
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

/// The window modelled: how long, at what step, under which patient-bolus scenario (default:
/// typical when the programme has patient boluses, else none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// Days after the fill.
    pub days: Days,
    /// The grid step.
    pub step: Hours,
    /// The patient-bolus scenario, when chosen.
    pub scenario: Option<PatientUse>,
}

/// The longest window the app models, days.
pub const LONGEST_WINDOW_DAYS: f64 = 120.0;

/// The model window as typed, in days: a number above 0 and at most [`LONGEST_WINDOW_DAYS`].
///
/// # Errors
/// [`Field::Window`] naming the bound.
pub fn window_days(text: &str) -> Result<Days, Error> {
    let days = crate::engine::quantities::parse::parse_number(Field::Window, text)?;
    if days <= 0.0 {
        return Err(Error::new(Field::Window, crate::engine::error::Problem::Zero));
    }
    if days > LONGEST_WINDOW_DAYS {
        return Err(Error::above(
            Field::Window,
            format!("{} days", crate::engine::format::format_number(days)),
            format!("{LONGEST_WINDOW_DAYS} days"),
            "the longest window",
        ));
    }
    Days::new(days).map_err(|e| e.at(Field::Window))
}

/// Delivery pieces: (from, to) minutes after the fill, mL per minute, and whether it is the new
/// solution that reaches the tip.
type Pieces = Vec<(f64, f64, f64, bool)>;

/// Computes the series.
///
/// # Errors
/// [`Field::Pk`] for an invalid window or step, or an invalid model.
pub fn concentration_series(
    plan: &Plan,
    outcome: &Outcome,
    library: &DrugLibrary,
    window: Window,
) -> Result<CsfOutcome, Error> {
    let (days, step) = (window.days, window.step);
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
    let dead = dead_volume(plan)?;
    let scenario = match (window.scenario, outcome.schedule.patient.is_some()) {
        (_, false) => PatientUse::None,
        (Some(s), true) => s,
        (None, true) => PatientUse::Typical(plan.boluses.typical_per_day.unwrap_or(0)),
    };
    let horizon_minutes = days.value() * 1440.0;
    let (pieces, tip_minutes) = pieces(outcome, scenario, horizon_minutes, dead);
    let tip_days = Days::new(tip_minutes / 1440.0).map_err(|e| e.at(Field::Pk))?;
    let old_rate = old_rate(plan, outcome);
    let grid: Vec<Hours> = (0..=points as u64)
        .map(|i| Hours::new(i as f64 * step.value()).unwrap_or(Hours::ZERO))
        .collect();
    let mut series = Vec::new();
    let mut missing = Vec::new();
    for drug in &outcome.drugs {
        let Some(entry) = library.get(&drug.id) else { continue };
        let (model, source) = match model_for(plan, entry) {
            Ok(found) => found,
            Err(why) => {
                missing.push(why);
                continue;
            }
        };
        model.validate()?;
        let old = plan
            .csf
            .previous
            .iter()
            .find(|p| p.drug == drug.id)
            .map(|p| p.concentration);
        let run = Run {
            model,
            pieces: &pieces,
            grid: &grid,
            tip_minutes,
            basal: outcome.daily_volumes.basal,
            old_rate,
        };
        series.push(run.series(drug, old, source)?);
    }
    let (bridge, priming) = procedures(plan, outcome, dead);
    let since = |at: DateTime| outcome.fill.filled_at.duration_until(at).as_secs_f64() / 86_400.0;
    Ok(CsfOutcome {
        filled_at: outcome.fill.filled_at,
        dead_volume: dead,
        tip_arrival: after(outcome.fill.filled_at, tip_days)?,
        tip_days,
        old_rate,
        series,
        missing,
        scenario,
        bridge,
        priming,
        mri_days: outcome
            .mri
            .as_ref()
            .map(|m| (since(m.from), since(m.to), m.restart_latest.map_or(since(m.to), since))),
        step,
    })
}

/// The delivery split where the dead volume has been pushed through (before: the old solution
/// reaches the tip; after: the new one), and the minute the new one arrives.
fn pieces(outcome: &Outcome, scenario: PatientUse, horizon: f64, dead: Millilitres) -> (Pieces, f64) {
    let filled_at = outcome.fill.filled_at;
    let mut segments = outcome.schedule.segments(filled_at, scenario, horizon);
    // A pump emptied before an MRI (Prometra) delivers nothing from the scan on, until it is refilled.
    if let Some(from) = outcome.mri.as_ref().filter(|m| m.removed.is_some()).map(|m| m.from) {
        let emptied = filled_at.duration_until(from).as_secs_f64() / 60.0;
        for segment in &mut segments {
            if segment.0 >= emptied {
                segment.2 = 0.0;
            } else if segment.1 > emptied {
                segment.1 = emptied;
            }
        }
    }
    let mut pieces: Pieces = Vec::with_capacity(segments.len() + 1);
    let mut delivered = 0.0;
    let mut tip = if dead.value() <= 0.0 { Some(0.0) } else { None };
    for &(t0, t1, rate) in &segments {
        let next = delivered + rate * (t1 - t0);
        if tip.is_none() && rate > 0.0 && next >= dead.value() {
            let t = t0 + (dead.value() - delivered) / rate;
            tip = Some(t);
            pieces.push((t0, t, rate, false));
            pieces.push((t, t1, rate, true));
        } else {
            pieces.push((t0, t1, rate, tip.is_some()));
        }
        delivered = next;
    }
    (pieces, tip.unwrap_or(horizon))
}

/// The rate the old solution ran at before the fill: the current programme's total of the lead
/// drug ÷ its old concentration; else the rate that kept the lead drug's dose with the old
/// concentration (lead dose ÷ old concentration, as a bridge does); else the new basal rate.
fn old_rate(plan: &Plan, outcome: &Outcome) -> Option<MlPerDay> {
    let lead = outcome.drugs.iter().find(|d| d.lead).or(outcome.drugs.first())?;
    let old = plan.csf.previous.iter().find(|p| p.drug == lead.id)?.concentration;
    if old.value() <= 0.0 {
        return None;
    }
    let dose = plan
        .current_programme
        .iter()
        .find(|c| c.drug == lead.id && c.daily_maximum.family() == old.family())
        .map_or(lead.daily_dose.value(), |c| c.daily_maximum.value());
    MlPerDay::new(dose / old.value()).ok()
}

/// What the series of one drug is computed from.
struct Run<'a> {
    model: PkModel,
    pieces: &'a [(f64, f64, f64, bool)],
    grid: &'a [Hours],
    tip_minutes: f64,
    basal: Millilitres,
    old_rate: Option<MlPerDay>,
}

impl Run<'_> {
    fn series(
        &self,
        drug: &DrugOutcome,
        old: Option<AnyConcentration>,
        source: ModelSource,
    ) -> Result<CsfSeries, Error> {
        let mixed = drug.mixed.unwrap_or(drug.concentration);
        let old = old.map_or(0.0, |c| c.value());
        let basal_per_day = self.basal.value();
        // The old solution ran at its own rate for long before the fill: the model starts at its
        // exact steady state (closed form), not after a warm-up run.
        let before = old * self.old_rate.map_or(basal_per_day, MlPerDay::value);
        let inputs: Vec<(f64, f64, f64)> = self
            .pieces
            .iter()
            .filter_map(|&(t0, t1, rate, new)| {
                let conc = if new { mixed.value() } else { old };
                (rate > 0.0 && conc > 0.0 && t1 > t0).then(|| (t0 / 60.0, t1 / 60.0, rate * 1440.0 * conc))
            })
            .collect();
        let values: Vec<f64> = match mixed {
            AnyConcentration::Mg(_) => run::<Mg>(&self.model, before, &inputs, self.grid)?,
            AnyConcentration::Mcg(_) => run::<Mcg>(&self.model, before, &inputs, self.grid)?,
        };
        let step = self.grid.get(1).map_or(0.0, |h| h.value());
        let days: Vec<f64> = (0..self.grid.len()).map(|i| i as f64 * step / 24.0).collect();
        let steady_state = steady_state(&self.model, basal_per_day * mixed.value());
        if !steady_state.is_finite() {
            return Err(Error::invalid(
                Field::Pk,
                "with these parameters the model's figures are beyond the largest number this calculator holds: check the volume and the rate constants",
            ));
        }
        let peak = values.iter().copied().fold(0.0, f64::max);
        let trough = values
            .iter()
            .zip(&days)
            .filter(|(_, d)| **d * 1440.0 >= self.tip_minutes)
            .map(|(v, _)| *v)
            .fold(f64::INFINITY, f64::min);
        let time_to_90_percent = time_to_90(&days, &values, self.tip_minutes / 1440.0, steady_state);
        Ok(CsfSeries {
            drug: drug.id.clone(),
            display_name: drug.display_name.clone(),
            model: self.model,
            source,
            days,
            values,
            steady_state,
            peak,
            trough: if trough.is_finite() { trough } else { 0.0 },
            reservoir_concentration: mixed,
            time_to_90_percent,
        })
    }
}

/// Bridge: the old solution ahead of the new one, at the rate that keeps the lead drug's dose
/// (lead dose ÷ old concentration). Priming: the new solution filling the dead volume.
fn procedures(plan: &Plan, outcome: &Outcome, dead: Millilitres) -> (Option<BridgeBolus>, Option<PrimingBolus>) {
    if dead.value() <= 0.0 {
        return (None, None);
    }
    let Some(lead) = outcome.drugs.iter().find(|d| d.lead).or(outcome.drugs.first()) else {
        return (None, None);
    };
    let bridge = plan.csf.previous.iter().find(|p| p.drug == lead.id).and_then(|p| {
        let rate = MlPerDay::new(lead.daily_dose.value() / p.concentration.value()).ok()?;
        bridge_bolus(dead, p.concentration, rate).ok()
    });
    let tubing = plan.csf.pump_tubing.unwrap_or(Millilitres::ZERO);
    let catheter = Millilitres::new(dead.value() - tubing.value()).unwrap_or(Millilitres::ZERO);
    let priming = priming_bolus(
        &DeadVolume {
            pump_tubing: tubing,
            catheter,
        },
        lead.concentration,
    );
    (bridge, Some(priming))
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

/// The series as CSV: `time_h,drug,concentration,unit`. Times are written exactly (the shortest
/// decimal that reads back as the same number), never rounded for display: a 1-minute series has
/// a distinct time on every row.
pub fn to_csv(csf: &CsfOutcome) -> String {
    let mut out = String::from("time_h,drug,concentration,unit\n");
    for s in &csf.series {
        let unit = s.reservoir_concentration.symbol();
        for (i, v) in s.values.iter().enumerate() {
            out.push_str(&format!(
                "{},{},{:e},{unit}\n",
                i as f64 * csf.step.value() + 0.0,
                s.drug,
                v
            ));
        }
    }
    out
}
