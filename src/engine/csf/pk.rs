//! Linear CSF pharmacokinetic models, solved exactly between input changes.
//!
//! **A model, not a measurement.** At pump flow rates drug mixes poorly in CSF (the concentration
//! falls 5–10-fold within 5–10 cm of the catheter tip; Flack & Bernards 2010): these curves are a
//! population-mean illustration of time to steady state, bolus peaks and transit delays, not the
//! concentration at the tip.
//!
//! Input is the drug reaching the catheter tip as piecewise-constant rates. Between two changes the
//! linear system dx/dt = M x + b has the closed form x(t + Δ) = x_ss + e^{MΔ} (x(t) − x_ss) with
//! x_ss = −M⁻¹ b, so the solution has no step-size error:
//! - one compartment: M = −k, k = ln 2 ÷ t½; A(t + Δ) = R/k + e^{−kΔ} (A − R/k)
//! - two compartments (central A1, peripheral A2; micro-constants k10, k12, k21):
//!   M = [[−(k10 + k12), k21], [k12, −k21]], eigenvalues λ₁,₂ = (tr ± √(tr² − 4 det)) ÷ 2 (real,
//!   negative, distinct), e^{MΔ} = (e^{λ₁Δ}(M − λ₂I) − e^{λ₂Δ}(M − λ₁I)) ÷ (λ₁ − λ₂),
//!   steady state A1 = R/k10, A2 = k12 R ÷ (k10 k21).
//!
//! Concentration = central amount ÷ central volume, in the drug's unit per mL.

use serde::{Deserialize, Serialize};

use crate::engine::error::{Error, Field};
use crate::engine::quantities::units::{Concentration, DoseRate, Hours, MassUnit, Millilitres, PerHour};

/// The smallest rate constant (per hour) or half-life (hours) the closed form is trusted with.
const SHORTEST_RATE: f64 = 1e-6;
/// The largest.
const LONGEST_RATE: f64 = 1e6;

/// A linear CSF model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum PkModel {
    /// One compartment: elimination half-life and volume of distribution.
    OneCompartment {
        /// Elimination half-life.
        half_life: Hours,
        /// Volume of distribution.
        volume: Millilitres,
    },
    /// Two compartments: central volume and micro-constants.
    TwoCompartment {
        /// Central volume.
        volume: Millilitres,
        /// Elimination from the central compartment.
        k10: PerHour,
        /// Central → peripheral.
        k12: PerHour,
        /// Peripheral → central.
        k21: PerHour,
    },
}

/// Drug reaching the catheter tip at a constant rate from `from` to `to` (hours after time 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(bound = "U: MassUnit")]
pub struct TipInput<U: MassUnit> {
    /// Start.
    pub from: Hours,
    /// End (exclusive).
    pub to: Hours,
    /// Rate during the interval.
    pub rate: DoseRate<U>,
}

impl PkModel {
    /// Checks every parameter is positive, and every rate constant (and half-life) within the
    /// range the closed form holds: from 0.000001 to 1,000,000 per hour (hours). Beyond it
    /// the steady state R/k overflows or e^{−kΔ} rounds to exactly 1 (a half-life of 1e308 h gave
    /// a concentration of zero instead of R·t/V; found by the long run of generated plans).
    ///
    /// # Errors
    /// [`Field::Pk`] naming the parameter and the bound.
    pub fn validate(&self) -> Result<(), Error> {
        let positive = |name: &str, v: f64| {
            if v > 0.0 && v.is_finite() {
                Ok(())
            } else {
                Err(Error::invalid(Field::Pk, format!("{name} must be greater than 0")))
            }
        };
        let within = |name: &str, v: f64, unit: &str| {
            positive(name, v)?;
            if (SHORTEST_RATE..=LONGEST_RATE).contains(&v) {
                Ok(())
            } else {
                Err(Error::invalid(
                    Field::Pk,
                    format!("{name} must be between 0.000001 and 1,000,000 {unit}"),
                ))
            }
        };
        match *self {
            PkModel::OneCompartment { half_life, volume } => {
                within("half-life", half_life.value(), "h")?;
                positive("volume", volume.value())
            }
            PkModel::TwoCompartment { volume, k10, k12, k21 } => {
                positive("central volume", volume.value())?;
                within("k10", k10.value(), "per hour")?;
                within("k12", k12.value(), "per hour")?;
                within("k21", k21.value(), "per hour")
            }
        }
    }

    /// The steady-state (central, peripheral) amounts under a constant input of `per_hour`:
    /// one compartment A = R/k; two compartments A1 = R/k10, A2 = k12 R ÷ (k10 k21).
    fn steady_state(&self, per_hour: f64) -> (f64, f64) {
        match *self {
            PkModel::OneCompartment { half_life, .. } => (per_hour / (std::f64::consts::LN_2 / half_life.value()), 0.0),
            PkModel::TwoCompartment { k10, k12, k21, .. } => {
                let (k10, k12, k21) = (k10.value(), k12.value(), k21.value());
                (per_hour / k10, k12 * per_hour / (k10 * k21))
            }
        }
    }

    fn volume(&self) -> f64 {
        match *self {
            PkModel::OneCompartment { volume, .. } | PkModel::TwoCompartment { volume, .. } => volume.value(),
        }
    }
}

/// The model ready to step: its constants computed once (for two compartments the eigenvalues and
/// e^{MΔ}'s coefficients), and the exponential factors of the last step kept, so that on a constant
/// grid every step of the same length reuses them instead of computing e^{λΔ} again.
struct Stepper {
    /// One compartment: (−k, 0); two: (λ₁, λ₂).
    rates: (f64, f64),
    /// Two compartments: (m11, m12, m21, m22) of M; unused for one.
    m: (f64, f64, f64, f64),
    /// Whether the model has two compartments.
    two: bool,
    /// The last step's length and its factors (e^{λ₁Δ}, e^{λ₂Δ}).
    last: Option<(f64, (f64, f64))>,
}

impl Stepper {
    fn new(model: &PkModel) -> Self {
        match *model {
            PkModel::OneCompartment { half_life, .. } => Self {
                rates: (-std::f64::consts::LN_2 / half_life.value(), 0.0),
                m: (0.0, 0.0, 0.0, 0.0),
                two: false,
                last: None,
            },
            PkModel::TwoCompartment { k10, k12, k21, .. } => {
                let (k10, k12, k21) = (k10.value(), k12.value(), k21.value());
                let (m11, m12, m21, m22) = (-(k10 + k12), k21, k12, -k21);
                let tr = m11 + m22;
                let det = m11 * m22 - m12 * m21;
                let root = (tr * tr - 4.0 * det).max(0.0).sqrt();
                // λ₁ − λ₂ = root; the form below avoids cancellation in λ₂ = tr − λ₁ for small det.
                let l1 = (tr + root) / 2.0;
                let l2 = if l1 != 0.0 { det / l1 } else { (tr - root) / 2.0 };
                Self {
                    rates: (l1, l2),
                    m: (m11, m12, m21, m22),
                    two: true,
                    last: None,
                }
            }
        }
    }

    /// (e^{λ₁Δ}, e^{λ₂Δ}): those of the last step when `dt` is the same length to within the
    /// rounding of the grid's times (a few units in the last place of `at`, the time reached:
    /// below anything the times themselves can tell apart), else computed.
    fn factors(&mut self, dt: f64, at: f64) -> (f64, f64) {
        let noise = 8.0 * f64::EPSILON * at.abs().max(1.0);
        if let Some((length, factors)) = self.last
            && (length - dt).abs() <= noise
        {
            return factors;
        }
        let factors = (
            (self.rates.0 * dt).exp(),
            if self.two { (self.rates.1 * dt).exp() } else { 0.0 },
        );
        self.last = Some((dt, factors));
        factors
    }

    /// Advances the state (central, peripheral amounts) by `dt` hours, to time `at`, at input
    /// rate `r` per hour, from the steady state `ss` of that rate.
    fn advance(&mut self, state: (f64, f64), ss: (f64, f64), dt: f64, at: f64) -> (f64, f64) {
        let (e1, e2) = self.factors(dt, at);
        if !self.two {
            return (ss.0 + e1 * (state.0 - ss.0), 0.0);
        }
        let (l1, l2) = self.rates;
        let (m11, m12, m21, m22) = self.m;
        let diff = l1 - l2;
        // e^{MΔ} = (e1 (M − l2 I) − e2 (M − l1 I)) / (l1 − l2)
        let p11 = (e1 * (m11 - l2) - e2 * (m11 - l1)) / diff;
        let p12 = (e1 - e2) * m12 / diff;
        let p21 = (e1 - e2) * m21 / diff;
        let p22 = (e1 * (m22 - l2) - e2 * (m22 - l1)) / diff;
        let d = (state.0 - ss.0, state.1 - ss.1);
        (ss.0 + p11 * d.0 + p12 * d.1, ss.1 + p21 * d.0 + p22 * d.1)
    }
}

/// The modelled central concentration at each of `times` (hours after time 0, any order), starting
/// drug-free at time 0.
///
/// # Errors
/// [`Field::Pk`] for an invalid model, a negative time, or an input whose end is before its start.
pub fn simulate<U: MassUnit>(
    model: &PkModel,
    inputs: &[TipInput<U>],
    times: &[Hours],
) -> Result<Vec<Concentration<U>>, Error> {
    simulate_from(model, DoseRate::ZERO, inputs, times)
}

/// As [`simulate`], but starting at the exact steady state of a constant input `before` reaching
/// the tip since long before time 0 (a refill replacing a solution the patient has had for weeks).
/// The state is the closed form, not a long warm-up run that would start a fraction low.
///
/// # Errors
/// As [`simulate`].
pub fn simulate_from<U: MassUnit>(
    model: &PkModel,
    before: DoseRate<U>,
    inputs: &[TipInput<U>],
    times: &[Hours],
) -> Result<Vec<Concentration<U>>, Error> {
    model.validate()?;
    // Rate changes: (time, change of rate per hour).
    let mut changes: Vec<(f64, f64)> = Vec::with_capacity(inputs.len() * 2);
    for input in inputs {
        if input.to < input.from {
            return Err(Error::invalid(Field::Pk, "an input ends before it starts"));
        }
        let per_hour = input.rate.value() / 24.0;
        changes.push((input.from.value(), per_hour));
        changes.push((input.to.value(), -per_hour));
    }
    changes.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by(|&a, &b| {
        times
            .get(a)
            .map(|t| t.value())
            .unwrap_or(0.0)
            .total_cmp(&times.get(b).map(|t| t.value()).unwrap_or(0.0))
    });

    let mut out = vec![0.0; times.len()];
    let mut state = model.steady_state(before.value() / 24.0);
    let mut stepper = Stepper::new(model);
    let mut now = 0.0;
    let mut rate = 0.0;
    let mut ss = model.steady_state(rate);
    let mut next_change = 0;
    for index in order {
        let target = times.get(index).map_or(0.0, |t| t.value());
        // Apply every change up to the target, advancing exactly between them.
        while let Some(&(at, delta)) = changes.get(next_change) {
            if at > target {
                break;
            }
            if at > now {
                state = stepper.advance(state, ss, at - now, at);
                now = at;
            }
            rate += delta;
            ss = model.steady_state(rate);
            next_change += 1;
        }
        if target > now {
            state = stepper.advance(state, ss, target - now, target);
            now = target;
        }
        if let Some(slot) = out.get_mut(index) {
            *slot = state.0 / model.volume();
        }
    }
    // A figure the closed form cannot hold (a rate constant near the largest f64, a volume near
    // the smallest) is refused: NaN.max(0.0) is 0.0, and a model that cannot be computed used to
    // show a concentration of zero. Only rounding below zero is floored.
    out.into_iter()
        .map(|c| {
            if !c.is_finite() {
                return Err(Error::invalid(
                    Field::Pk,
                    "with these parameters the model's figures are beyond the largest number this calculator holds: check the volume and the rate constants",
                ));
            }
            Concentration::new(c.max(0.0)).map_err(|e| e.at(Field::Pk))
        })
        .collect()
}

/// Reduces a series to (time, min, max) per column so that no bolus peak is lost when it is drawn
/// at `columns` pixels.
pub fn min_max_per_column(times: &[f64], values: &[f64], columns: usize) -> Vec<(f64, f64, f64)> {
    let (Some(&first), Some(&last)) = (times.first(), times.last()) else {
        return Vec::new();
    };
    if columns == 0 || last <= first {
        return times.iter().zip(values).map(|(&t, &v)| (t, v, v)).collect();
    }
    let width = (last - first) / columns as f64;
    let mut out: Vec<(f64, f64, f64)> = Vec::with_capacity(columns);
    for (&t, &v) in times.iter().zip(values) {
        let column = (((t - first) / width) as usize).min(columns - 1);
        let column_time = first + (column as f64 + 0.5) * width;
        match out.last_mut() {
            Some(last) if (last.0 - column_time).abs() < width / 4.0 => {
                last.1 = last.1.min(v);
                last.2 = last.2.max(v);
            }
            _ => out.push((column_time, v, v)),
        }
    }
    out
}
