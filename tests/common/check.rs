//! The invariants every generated case is held to, shared by the short run (`tests/generated.rs`)
//! and the long run (`examples/generated_plans.rs`):
//!
//! - the engine never panics (the runs catch and count panics); every error names its field and
//!   shows no NaN or infinity;
//! - on a valid plan: mass balance, delivered + left = filled, at every checked vertex of every
//!   projection, against an independent integral of the schedule (within 1e-9 of the fill);
//!   dose = rate × concentration for every drug and every part of its 24-hour total; the entered
//!   dose, rate or target given back; the reservoir never rising between fills; a bolus added
//!   never making the alarm or empty time later nor the CSF peak lower; PK linearity (every
//!   concentration doubled: every CSF value doubled, within 1e-9 of the peak);
//! - every plan file of version 1, 2 and 3 loads back as the same plan (and a share link too);
//!   a file with a hostile value loads or is refused at the plan file, never a panic; a record
//!   round-trips through its file and its stored envelope.
#![allow(dead_code)]

use itdose::engine::record::{self, Record};
use itdose::engine::report;
use itdose::engine::{
    AckKey, AnyConcentration, AnyDoseRate, Basal, Catalogue, Cycle, Days, DrugLibrary, Error, Field, Hours, Outcome,
    PatientUse, PeriodicBolus, Plan, Programme, Schedule, SingleBolus, Window, concentration_series, evaluate, load,
    roll_forward, share, volume_after_refill,
};
use jiff::civil::DateTime;

use crate::generate::{Case, ExtraBolus, file_text, mutated, record_parts, shifted};
use crate::shown::{finite_text, shown_text};

/// The built-in catalogue and library.
pub struct Tools {
    /// Pumps.
    pub catalogue: Catalogue,
    /// Drugs.
    pub library: DrugLibrary,
}

impl Tools {
    /// The built-in ones.
    pub fn builtin() -> Result<Self, String> {
        Ok(Tools {
            catalogue: Catalogue::builtin().map_err(|e| e.to_string())?,
            library: DrugLibrary::builtin().map_err(|e| e.to_string())?,
        })
    }
}

/// What a case turned out to be, for the tallies.
#[derive(Debug, Default, Clone, Copy)]
pub struct Seen {
    /// The plan evaluated.
    pub valid: bool,
    /// A hostile file was tried: whether it loaded.
    pub hostile_file_loaded: Option<bool>,
    /// The record round-tripped (it was valid).
    pub record_round_tripped: bool,
}

/// An invariant that did not hold, and the figures that show it.
#[derive(Debug, Clone)]
pub struct Break {
    /// Which invariant.
    pub invariant: &'static str,
    /// What was seen.
    pub detail: String,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.invariant, self.detail)
    }
}

fn broke(invariant: &'static str, detail: impl Into<String>) -> Break {
    Break {
        invariant,
        detail: detail.into(),
    }
}

type Checked<T = ()> = Result<T, Break>;

/// Equal within 1e-9 of the larger (and 1e-300 absolute, for products below the normal range).
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-300
}

/// Every invariant of one case.
///
/// # Errors
/// The first invariant that does not hold.
pub fn check(case: &Case, tools: &Tools) -> Checked<Seen> {
    let plan = &case.plan;
    let mut seen = Seen::default();
    match evaluate(plan, &tools.catalogue, &tools.library) {
        Err(errors) => named(&errors, "evaluation")?,
        Ok(outcome) => {
            seen.valid = true;
            valid_plan(case, &outcome, tools)?;
        }
    }
    if representable(plan) {
        round_trips(case, tools)?;
        seen.record_round_tripped = record_round_trip(case, tools)?;
    }
    seen.hostile_file_loaded = hostile_file(case, tools)?;
    Ok(seen)
}

/// No bare number of the plan is NaN or infinite (a file cannot hold one: JSON has no such number).
fn representable(plan: &Plan) -> bool {
    [
        plan.csf.catheter_length_cm,
        plan.csf.catheter_ml_per_cm,
        plan.csf.weight_kg,
    ]
    .iter()
    .flatten()
    .all(|v| v.is_finite())
}

/// Every error names its field, says what is wrong, and shows no NaN or infinity.
fn named(errors: &[Error], stage: &str) -> Checked {
    if errors.is_empty() {
        return Err(broke("error names a field", format!("{stage}: refused with no error")));
    }
    for e in errors {
        let text = e.to_string();
        let label = e.at.map_or(e.field.label().to_owned(), |at| at.label());
        if e.element_id().is_empty() || !text.starts_with(&label) || text.len() <= label.len() + 2 {
            return Err(broke("error names a field", format!("{stage}: {text:?} ({e:?})")));
        }
        if !finite_text(&text) {
            return Err(broke("error shows no NaN", format!("{stage}: {text}")));
        }
    }
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// A valid plan.
// -------------------------------------------------------------------------------------------------

fn valid_plan(case: &Case, outcome: &Outcome, tools: &Tools) -> Checked {
    let plan = &case.plan;
    doses(plan, outcome)?;
    never_rises(outcome)?;
    mass_balance(outcome)?;
    shown(outcome)?;
    let csf = series(case, plan, outcome, tools)?;
    linearity(case, outcome, csf.as_ref(), tools)?;
    more_boluses(case, outcome, csf.as_ref(), tools)?;
    rolled(plan, outcome, tools)
}

/// dose = rate × concentration, for every drug and every part of its 24-hour total; the entered
/// dose, rate or target given back.
fn doses(plan: &Plan, outcome: &Outcome) -> Checked {
    let v = &outcome.daily_volumes;
    let fill = plan.fill.volume.value();
    if !close(outcome.flow_rate.value(), v.basal.value()) {
        return Err(broke(
            "dose = rate × concentration",
            format!("flow rate {:?} vs basal {:?}", outcome.flow_rate, v.basal),
        ));
    }
    for (i, d) in outcome.drugs.iter().enumerate() {
        let c = d.concentration.value();
        let parts = [
            ("daily dose", d.daily_dose.value(), v.basal.value()),
            (
                "scheduled boluses",
                d.scheduled_boluses.value(),
                v.scheduled_boluses.value(),
            ),
            ("one-off boluses", d.one_off_boluses.value(), v.one_off_boluses.value()),
            ("patient boluses", d.patient_boluses.value(), v.patient_boluses.value()),
            ("in the reservoir", d.in_reservoir.value(), fill),
        ];
        for (what, value, volume) in parts {
            if !close(value, c * volume) {
                return Err(broke(
                    "dose = rate × concentration",
                    format!("drug {i} {what}: {value} ≠ {c} × {volume}"),
                ));
            }
        }
        let parts_sum =
            d.daily_dose.value() + d.scheduled_boluses.value() + d.one_off_boluses.value() + d.patient_boluses.value();
        if d.daily_maximum.value() < parts_sum * (1.0 - 1e-9) {
            return Err(broke(
                "dose = rate × concentration",
                format!(
                    "drug {i}: maximum {:?} below its parts {parts_sum} (24-hour volumes {v:?})",
                    d.daily_maximum
                ),
            ));
        }
        entered(plan, outcome, i)?;
    }
    Ok(())
}

/// The entered figure given back: the lead dose (or between the flex steps' doses), the rate, a
/// constant-flow pump's target dose at its fixed rate.
fn entered(plan: &Plan, outcome: &Outcome, i: usize) -> Checked {
    let (Some(d), Some(line)) = (outcome.drugs.get(i), plan.drugs.get(i)) else {
        return Err(broke("dose = rate × concentration", format!("drug {i}: no line")));
    };
    let bad = |what: String| Err(broke("dose = rate × concentration", format!("drug {i}: {what}")));
    let same_concentration = line.concentration.is_none_or(|c| c == d.concentration);
    match (&plan.programme, &plan.flex) {
        (Programme::ConstantFlow, _) => {
            let target = line.daily_dose.map_or(0.0, AnyDoseRate::value);
            if !close(d.daily_dose.value(), target) {
                return bad(format!("constant flow: dose {:?} ≠ target {target}", d.daily_dose));
            }
        }
        (_, _) if !same_concentration => {
            return bad(format!(
                "concentration {:?} ≠ entered {:?}",
                d.concentration, line.concentration
            ));
        }
        (Programme::Rate { flow_rate }, None) if !close(outcome.flow_rate.value(), flow_rate.value()) => {
            return bad(format!("rate {:?} ≠ programmed {flow_rate:?}", outcome.flow_rate));
        }
        (Programme::LeadDose { lead }, None) if *lead == i => {
            let target = line.daily_dose.map_or(0.0, AnyDoseRate::value);
            if !close(d.daily_dose.value(), target) {
                return bad(format!("lead dose {:?} ≠ entered {target}", d.daily_dose));
            }
        }
        (Programme::LeadDose { lead }, Some(flex)) if *lead == i => {
            // Any 24 hours of a flex cycle hold between the lowest and the highest step's dose.
            let doses: Vec<f64> = flex.steps.iter().map(|s| s.daily_dose.value()).collect();
            let low = doses.iter().copied().fold(f64::INFINITY, f64::min);
            let high = doses.iter().copied().fold(0.0, f64::max);
            let dose = d.daily_dose.value();
            if dose < low * (1.0 - 1e-9) || dose > high * (1.0 + 1e-9) {
                return bad(format!("flex lead dose {dose} outside the steps' {low}..{high}"));
            }
        }
        _ => {}
    }
    Ok(())
}

/// The reservoir never rises: every projection and its accuracy band, from the fill down to zero.
fn never_rises(outcome: &Outcome) -> Checked {
    let fill = outcome.fill.volume.value();
    for p in &outcome.scenarios {
        let mut lines = vec![p.vertices.clone()];
        if let Some(a) = outcome.pump.accuracy_percent {
            let (fast, slow) = p.band_vertices(a);
            lines.push(fast);
            lines.push(slow);
        }
        for line in &lines {
            let falls = line
                .windows(2)
                .all(|w| matches!(w, [a, b] if b.0 >= a.0 && b.1 <= a.1 && b.1 >= 0.0));
            if !falls {
                let rise = line
                    .windows(2)
                    .find(|w| matches!(w, [a, b] if !(b.0 >= a.0 && b.1 <= a.1 && b.1 >= 0.0)));
                return Err(broke(
                    "the reservoir never rises",
                    format!("{:?}: {rise:?}", p.scenario),
                ));
            }
        }
        let starts = p.vertices.first().is_some_and(|v| close(v.1, fill));
        let ends = p.vertices.last().is_some_and(|v| v.1 <= 0.0);
        let ordered =
            outcome.fill.filled_at <= p.alarm_at && p.alarm_at <= p.empty_at && p.days_to_alarm <= p.days_to_empty;
        if !(starts && ends && ordered) {
            return Err(broke(
                "the reservoir never rises",
                format!(
                    "{:?}: starts {starts}, ends {ends}, fill ≤ alarm ≤ empty {ordered}",
                    p.scenario
                ),
            ));
        }
    }
    Ok(())
}

/// Every figure, message and chart word of the report is a number, not NaN or infinity.
fn shown(outcome: &Outcome) -> Checked {
    for text in shown_text(&report::build(outcome)) {
        if !finite_text(&text) {
            return Err(broke("the report shows numbers", text));
        }
    }
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Mass balance against an independent integral of the schedule.
// -------------------------------------------------------------------------------------------------

/// The schedule's delivery from the fill, integrated in closed form from the conventions of
/// `src/engine/reservoir/schedule.rs` (flex steps aligned to midnight or Monday 00:00; a bolus at a
/// constant rate over its duration; a periodic series that began before the fill continued from
/// its next start; n patient boluses a day at (k + ½) × 24 h ÷ n; nothing during a pause).
struct Delivery {
    /// Flex: cycle minutes, the fill's offset in the cycle, steps (offset, mL/min) sorted, the
    /// volume of one whole cycle. Continuous: mL/min.
    basal: BasalIntegral,
    /// (start, end, mL/min) after the fill.
    windows: Vec<(f64, f64, f64)>,
    /// (from, to) minutes after the fill, merged.
    pauses: Vec<(f64, f64)>,
}

enum BasalIntegral {
    Continuous(f64),
    Flex {
        cycle: f64,
        phase: f64,
        steps: Vec<(f64, f64)>,
        per_cycle: f64,
    },
}

fn minutes_between(from: DateTime, to: DateTime) -> f64 {
    from.duration_until(to).as_secs_f64() / 60.0
}

impl BasalIntegral {
    fn of(schedule: &Schedule, filled_at: DateTime) -> Self {
        match &schedule.basal {
            Basal::Continuous { rate } => BasalIntegral::Continuous(rate.value() / 1440.0),
            Basal::Flex { cycle, steps } => {
                let minutes = |t: jiff::civil::Time| {
                    f64::from(t.hour()) * 60.0 + f64::from(t.minute()) + f64::from(t.second()) / 60.0
                };
                let (length, phase) = match cycle {
                    Cycle::Day => (1440.0, minutes(filled_at.time())),
                    Cycle::Week => (
                        10_080.0,
                        f64::from(filled_at.weekday().to_monday_zero_offset()) * 1440.0 + minutes(filled_at.time()),
                    ),
                };
                let mut sorted: Vec<(f64, f64)> = steps
                    .iter()
                    .map(|s| (f64::from(s.day) * 1440.0 + minutes(s.start), s.rate.value() / 1440.0))
                    .collect();
                sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
                let mut basal = BasalIntegral::Flex {
                    cycle: length,
                    phase,
                    steps: sorted,
                    per_cycle: 0.0,
                };
                let whole = basal.within_cycle(length);
                if let BasalIntegral::Flex { per_cycle, .. } = &mut basal {
                    *per_cycle = whole;
                }
                basal
            }
        }
    }

    /// Volume from the cycle's start to `y` minutes into it: before the first step, the last
    /// step's rate (still running from the cycle before).
    fn within_cycle(&self, y: f64) -> f64 {
        let BasalIntegral::Flex { steps, .. } = self else {
            return 0.0;
        };
        let Some(&(_, last_rate)) = steps.last() else {
            return 0.0;
        };
        let mut total = 0.0;
        let mut from = 0.0;
        let mut rate = last_rate;
        for &(offset, next_rate) in steps {
            if offset >= y {
                break;
            }
            total += (offset - from) * rate;
            from = offset;
            rate = next_rate;
        }
        total + (y - from) * rate
    }

    /// Volume from the fill to `t` minutes after it.
    fn to(&self, t: f64) -> f64 {
        match self {
            BasalIntegral::Continuous(rate) => rate * t,
            BasalIntegral::Flex {
                cycle,
                phase,
                per_cycle,
                ..
            } => {
                let at = |x: f64| (x / cycle).floor() * per_cycle + self.within_cycle(x.rem_euclid(*cycle));
                at(t + phase) - at(*phase)
            }
        }
    }
}

impl Delivery {
    fn of(schedule: &Schedule, filled_at: DateTime, scenario: PatientUse, until: f64) -> Self {
        let mut windows = Vec::new();
        for b in &schedule.periodic {
            let (duration, interval) = (b.duration.value() * 60.0, b.interval.value() * 60.0);
            let mut start = minutes_between(filled_at, b.first);
            if start < 0.0 {
                start += (-start / interval).ceil() * interval;
            }
            while start <= until {
                windows.push((start, start + duration, b.volume.value() / duration));
                start += interval;
            }
        }
        for b in &schedule.single {
            let start = minutes_between(filled_at, b.at);
            let duration = b.duration.value() * 60.0;
            if start >= 0.0 {
                windows.push((start, start + duration, b.volume.value() / duration));
            }
        }
        if let Some(p) = &schedule.patient {
            let by_lockout = (24.0 / p.lockout.value()).ceil().min(f64::from(u32::MAX));
            let allowed = f64::from(p.max_per_day).min(by_lockout);
            let per_day = match scenario {
                PatientUse::None => 0.0,
                PatientUse::Typical(n) => f64::from(n).min(allowed),
                PatientUse::AllAllowed => allowed,
            };
            if per_day > 0.0 {
                let spacing = 1440.0 / per_day;
                let duration = p.duration.value() * 60.0;
                let mut k = 0.0;
                while (k + 0.5) * spacing <= until {
                    let start = (k + 0.5) * spacing;
                    windows.push((start, start + duration, p.volume.value() / duration));
                    k += 1.0;
                }
            }
        }
        let mut pauses: Vec<(f64, f64)> = schedule
            .pauses
            .iter()
            .map(|p| {
                (
                    minutes_between(filled_at, p.from).max(0.0),
                    minutes_between(filled_at, p.to),
                )
            })
            .filter(|(from, to)| to > from)
            .collect();
        pauses.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut merged: Vec<(f64, f64)> = Vec::new();
        for (from, to) in pauses {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        Delivery {
            basal: BasalIntegral::of(schedule, filled_at),
            windows,
            pauses: merged,
        }
    }

    /// Everything the schedule would deliver from `a` to `b` minutes, pauses aside.
    fn between(&self, a: f64, b: f64) -> f64 {
        let boluses: f64 = self
            .windows
            .iter()
            .map(|&(s, e, rate)| (e.min(b) - s.max(a)).max(0.0) * rate)
            .sum();
        self.basal.to(b) - self.basal.to(a) + boluses
    }

    /// The most the schedule can deliver per minute around `t`: the fastest basal step and every
    /// bolus running then.
    fn rate_near(&self, t: f64) -> f64 {
        let basal = match &self.basal {
            BasalIntegral::Continuous(rate) => *rate,
            BasalIntegral::Flex { steps, .. } => steps.iter().map(|s| s.1).fold(0.0, f64::max),
        };
        let slack = t.abs().max(1.0) * 1e-12;
        basal
            + self
                .windows
                .iter()
                .filter(|(s, e, _)| *s <= t + slack && *e >= t - slack)
                .map(|w| w.2)
                .sum::<f64>()
    }

    /// Delivered from the fill to `t` minutes.
    fn to(&self, t: f64) -> f64 {
        let paused: f64 = self
            .pauses
            .iter()
            .filter(|(from, _)| *from < t)
            .map(|&(from, to)| self.between(from, to.min(t)))
            .sum();
        self.between(0.0, t) - paused
    }
}

/// delivered + left = filled at (up to 24) vertices of every projection, at the alarm and at empty.
fn mass_balance(outcome: &Outcome) -> Checked {
    let fill = outcome.fill.volume.value();
    let alarm = outcome.fill.low_reservoir_alarm.value();
    for p in &outcome.scenarios {
        let until = p.vertices.last().map_or(0.0, |v| v.0 * 1440.0);
        let delivery = Delivery::of(&outcome.schedule, outcome.fill.filled_at, p.scenario, until);
        let stride = (p.vertices.len() / 20).max(1);
        let mut points: Vec<(f64, f64)> = p.vertices.iter().step_by(stride).copied().collect();
        points.extend(p.vertices.last().copied());
        points.push((p.days_to_alarm.value(), alarm));
        points.push((p.days_to_empty.value(), 0.0));
        for (days, left) in points {
            let t = days * 1440.0;
            let delivered = delivery.to(t);
            // Times are minutes in an f64: where a bolus runs at 1e303 mL/min (a priming bolus of
            // the volume ahead of a 1e308-cm catheter), a few units in the last place of the time
            // hold the whole fill, and no two ways of summing can agree closer than that.
            let resolution = delivery.rate_near(t) * t.abs().max(1.0) * f64::EPSILON * 8.0;
            if (delivered + left - fill).abs() > 1e-9 * fill.max(1.0) + resolution {
                return Err(broke(
                    "mass balance",
                    format!(
                        "{:?} at day {days}: delivered {delivered} + left {left} ≠ filled {fill} (off by {:e})",
                        p.scenario,
                        delivered + left - fill
                    ),
                ));
            }
        }
    }
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// CSF: linearity and more boluses.
// -------------------------------------------------------------------------------------------------

fn window(case: &Case) -> Window {
    let (days, step) = case.spec.uses.window;
    Window {
        days: Days::new(days).unwrap_or(Days::ZERO),
        step: Hours::new(step).unwrap_or(Hours::ZERO),
        scenario: None,
    }
}

/// The CSF series: every value a number, never negative; or an error naming its field.
fn series(case: &Case, plan: &Plan, outcome: &Outcome, tools: &Tools) -> Checked<Option<itdose::engine::CsfOutcome>> {
    match concentration_series(plan, outcome, &tools.library, window(case)) {
        Ok(csf) => {
            for s in &csf.series {
                if !s.values.iter().all(|v| v.is_finite() && *v >= 0.0)
                    || !s.peak.is_finite()
                    || !s.steady_state.is_finite()
                {
                    return Err(broke("CSF values are numbers", format!("{}: peak {}", s.drug, s.peak)));
                }
            }
            Ok(Some(csf))
        }
        Err(e) => named(&[e], "CSF series").map(|()| None),
    }
}

/// A series within a factor 1e58 of the largest `f64` (a hostile model: a CSF volume of 1e-308 mL):
/// more drug may take it past, and a refusal then is right.
fn overflowing(csf: &itdose::engine::CsfOutcome) -> bool {
    csf.series.iter().any(|s| s.peak > 1e250 || s.steady_state > 1e250)
}

/// Every concentration (new, stock, replaced, current total, flex dose) × 2: the same rates.
/// None when one of them cannot be doubled (above half the largest `f64`).
fn doubled(plan: &Plan) -> Option<Plan> {
    let twice_c = |c: AnyConcentration| AnyConcentration::new(c.family(), 2.0 * c.value()).ok();
    let twice_d = |d: AnyDoseRate| AnyDoseRate::new(d.family(), 2.0 * d.value()).ok();
    let mut p = plan.clone();
    for line in &mut p.drugs {
        line.concentration = match line.concentration {
            Some(c) => Some(twice_c(c)?),
            None => None,
        };
        line.daily_dose = match line.daily_dose {
            Some(d) => Some(twice_d(d)?),
            None => None,
        };
        line.stock = match line.stock {
            Some(c) => Some(twice_c(c)?),
            None => None,
        };
    }
    for old in &mut p.csf.previous {
        old.concentration = twice_c(old.concentration)?;
    }
    for current in &mut p.current_programme {
        current.daily_maximum = twice_d(current.daily_maximum)?;
    }
    if let Some(flex) = &mut p.flex {
        for step in &mut flex.steps {
            step.daily_dose = twice_d(step.daily_dose)?;
        }
    }
    Some(p)
}

/// PK linearity: twice every concentration, twice every CSF value (within 1e-9 of the peak).
fn linearity(case: &Case, outcome: &Outcome, csf: Option<&itdose::engine::CsfOutcome>, tools: &Tools) -> Checked {
    let (Some(csf), Some(plan)) = (csf, doubled(&case.plan)) else {
        return Ok(());
    };
    let huge = outcome
        .drugs
        .iter()
        .any(|d| d.daily_maximum.value() > 1e300 || d.in_reservoir.value() > 1e300);
    let twice = match evaluate(&plan, &tools.catalogue, &tools.library) {
        Ok(o) => o,
        Err(_) if huge => return Ok(()),
        Err(e) => return Err(broke("PK linearity", format!("the doubled plan is refused: {e:?}"))),
    };
    if twice.scenarios.first().map(|p| p.alarm_at) != outcome.scenarios.first().map(|p| p.alarm_at) {
        return Err(broke("PK linearity", "doubling every concentration moved the alarm"));
    }
    let csf2 = match concentration_series(&plan, &twice, &tools.library, window(case)) {
        Ok(c) => c,
        Err(e) if overflowing(csf) => return named(&[e], "the doubled plan's series"),
        Err(e) => return Err(broke("PK linearity", format!("the doubled plan's series: {e}"))),
    };
    for (one, two) in csf.series.iter().zip(&csf2.series) {
        let scale = (2.0 * one.peak).max(f64::MIN_POSITIVE);
        let off = one
            .values
            .iter()
            .zip(&two.values)
            .map(|(a, b)| (b - 2.0 * a).abs())
            .fold(0.0, f64::max);
        if off > 1e-9 * scale || one.values.len() != two.values.len() {
            return Err(broke(
                "PK linearity",
                format!(
                    "{}: twice the dose is off twice the concentration by {off:e} (peak {})",
                    one.drug, one.peak
                ),
            ));
        }
    }
    Ok(())
}

/// The plan with the case's extra bolus.
fn with_extra(case: &Case) -> Plan {
    let mut plan = case.plan.clone();
    let at = |days: f64| shifted(plan.fill.filled_at, days);
    match case.spec.uses.extra {
        ExtraBolus::Single(volume, duration, days) => {
            let bolus = SingleBolus {
                volume: itdose::engine::Millilitres::new(volume).unwrap_or(itdose::engine::Millilitres::ZERO),
                duration: Hours::new(duration).unwrap_or(Hours::ZERO),
                at: at(days),
            };
            plan.boluses.single.push(bolus);
        }
        ExtraBolus::Periodic(volume, duration, interval, days) => {
            let bolus = PeriodicBolus {
                volume: itdose::engine::Millilitres::new(volume).unwrap_or(itdose::engine::Millilitres::ZERO),
                duration: Hours::new(duration).unwrap_or(Hours::ZERO),
                interval: Hours::new(interval).unwrap_or(Hours::ZERO),
                first: at(days),
            };
            plan.boluses.periodic.push(bolus);
        }
    }
    plan
}

/// Whether a solution being replaced is stronger than the new one: then more delivery pushes it
/// out sooner and a later bolus may carry the weaker one, so a peak may fall (the model, not a
/// fault); the CSF part of the check is made only without one.
fn stronger_old(plan: &Plan, outcome: &Outcome) -> bool {
    outcome.drugs.iter().any(|d| {
        let new = d.mixed.unwrap_or(d.concentration).value();
        plan.csf
            .previous
            .iter()
            .any(|p| p.drug == d.id && p.concentration.value() > new)
    })
}

/// A refusal of figures beyond the largest `f64` where a concentration is near it (1e300 mg/mL or
/// more, a hostile value): the few mL a day of one more bolus can take such a figure past it.
fn overflow_refusal(errors: &[Error], outcome: &Outcome) -> bool {
    let near = outcome
        .drugs
        .iter()
        .any(|d| d.concentration.value() > 1e300 || d.mixed.is_some_and(|m| m.value() > 1e300));
    near && errors
        .iter()
        .all(|e| e.to_string().contains("beyond the largest number"))
}

/// A bolus added never makes the alarm or empty later, nor a CSF peak lower.
fn more_boluses(case: &Case, outcome: &Outcome, csf: Option<&itdose::engine::CsfOutcome>, tools: &Tools) -> Checked {
    let plan = with_extra(case);
    let more = match evaluate(&plan, &tools.catalogue, &tools.library) {
        Ok(o) => o,
        Err(e) if overflow_refusal(&e, outcome) => return named(&e, "the plan with one more bolus"),
        Err(e) => {
            return Err(broke(
                "more boluses",
                format!("the plan with one more bolus is refused: {e:?}"),
            ));
        }
    };
    for (before, after) in outcome.scenarios.iter().zip(&more.scenarios) {
        let later = |a: f64, b: f64| b > a * (1.0 + 1e-9);
        if later(before.days_to_alarm.value(), after.days_to_alarm.value())
            || later(before.days_to_empty.value(), after.days_to_empty.value())
        {
            return Err(broke(
                "more boluses",
                format!(
                    "{:?}: alarm {} → {} days, empty {} → {} days",
                    before.scenario,
                    before.days_to_alarm.value(),
                    after.days_to_alarm.value(),
                    before.days_to_empty.value(),
                    after.days_to_empty.value()
                ),
            ));
        }
    }
    let Some(csf) = csf.filter(|_| !stronger_old(&case.plan, outcome)) else {
        return Ok(());
    };
    let csf2 = match concentration_series(&plan, &more, &tools.library, window(case)) {
        Ok(c) => c,
        Err(e) if overflowing(csf) => return named(&[e], "the series with one more bolus"),
        Err(e) => return Err(broke("more boluses", format!("the series with one more bolus: {e}"))),
    };
    for (one, two) in csf.series.iter().zip(&csf2.series) {
        if two.peak < one.peak * (1.0 - 1e-9) {
            return Err(broke(
                "more boluses",
                format!("{}: the CSF peak fell from {} to {}", one.drug, one.peak, two.peak),
            ));
        }
    }
    Ok(())
}

/// The refill rolls the plan forward: the new fill at the visit, the visit logged; the new plan
/// evaluates or is refused with named errors, and keeps the invariants.
fn rolled(plan: &Plan, outcome: &Outcome, tools: &Tools) -> Checked {
    let Some(visit) = plan.visit.as_ref().filter(|v| v.new_fill.is_some()) else {
        return Ok(());
    };
    let next = roll_forward(plan, outcome, plan).map_err(|e| broke("refill session", e.to_string()))?;
    let injected = visit.new_fill.unwrap_or(itdose::engine::Millilitres::ZERO);
    let expected = volume_after_refill(injected, visit.confirmed_after_refill);
    if !close(next.fill.volume.value(), expected)
        || next.fill.filled_at != visit.at
        || next.visits.len() != plan.visits.len() + 1
    {
        return Err(broke("refill session", format!("rolled fill {:?}", next.fill)));
    }
    match evaluate(&next, &tools.catalogue, &tools.library) {
        Err(errors) => named(&errors, "the plan after the refill"),
        Ok(o) => {
            doses(&next, &o)?;
            never_rises(&o)?;
            mass_balance(&o)
        }
    }
}

// -------------------------------------------------------------------------------------------------
// Files, links and records.
// -------------------------------------------------------------------------------------------------

/// The first place two JSON trees differ, as a path and both values.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, path: &str) -> Option<String> {
    match (a, b) {
        (serde_json::Value::Object(x), serde_json::Value::Object(y)) => {
            x.keys().chain(y.keys()).find_map(|k| match (x.get(k), y.get(k)) {
                (Some(u), Some(v)) => first_difference(u, v, &format!("{path}.{k}")),
                (u, v) => Some(format!("{path}.{k}: {u:?} vs {v:?}")),
            })
        }
        (serde_json::Value::Array(x), serde_json::Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| first_difference(u, v, &format!("{path}.{i}"))),
        _ => (a != b).then(|| format!("{path}: {a} vs {b}")),
    }
}

fn difference(expected: &Plan, loaded: &Plan) -> String {
    match (serde_json::to_value(expected), serde_json::to_value(loaded)) {
        (Ok(a), Ok(b)) => first_difference(&a, &b, "").unwrap_or_else(|| "the same JSON, different plans".into()),
        _ => "not comparable".into(),
    }
}

/// The same plan, but that a version-1 acknowledgement may now carry its finding's key (when the
/// finding arises: `kept` lists the ones that stayed as written).
fn same_plan(expected: &Plan, loaded: &Plan, kept: &[String]) -> Result<(), String> {
    if expected == loaded {
        return Ok(());
    }
    let upgraded = expected.acknowledgements.len() == loaded.acknowledgements.len()
        && expected.acknowledgements.iter().zip(&loaded.acknowledgements).all(|(e, l)| {
            e == l || matches!((&e.finding, &l.finding), (AckKey::Legacy(t), AckKey::Key(_)) if !kept.contains(t) && e.reason == l.reason && e.at == l.at)
        });
    let mut aligned = loaded.clone();
    aligned.acknowledgements.clone_from(&expected.acknowledgements);
    if upgraded && aligned == *expected {
        Ok(())
    } else {
        Err(difference(expected, loaded))
    }
}

/// Plan files of the case's version, and a share link, load back as the same plan; a loaded plan
/// saved again loads the same.
fn round_trips(case: &Case, tools: &Tools) -> Checked {
    let version = case.spec.uses.version;
    let mut expected = case.plan.clone();
    expected.version = itdose::engine::PLAN_VERSION;
    let text = file_text(&case.plan, version).map_err(|e| broke("plan file round trip", e))?;
    let loaded = load(&text, &tools.catalogue, &tools.library)
        .map_err(|e| broke("plan file round trip", format!("version {version} refused: {e}")))?;
    if loaded.from_version != version {
        return Err(broke(
            "plan file round trip",
            format!("version {version} read as {}", loaded.from_version),
        ));
    }
    same_plan(&expected, &loaded.plan, &loaded.kept)
        .map_err(|d| broke("plan file round trip", format!("version {version}: {d}")))?;
    let again = load(&loaded.plan.to_json(), &tools.catalogue, &tools.library)
        .map_err(|e| broke("plan file round trip", format!("saved again, refused: {e}")))?;
    if again.plan != loaded.plan {
        return Err(broke(
            "plan file round trip",
            format!("saved again: {}", difference(&loaded.plan, &again.plan)),
        ));
    }
    match share::encode(&case.plan) {
        Ok(link) => {
            let shared = share::decode(&link, &tools.catalogue, &tools.library)
                .map_err(|e| broke("share link round trip", e.to_string()))?;
            same_plan(&expected, &shared.plan, &shared.kept).map_err(|d| broke("share link round trip", d))
        }
        Err(e) if e.field == Field::ShareLink => Ok(()),
        Err(e) => Err(broke("share link round trip", e.to_string())),
    }
}

/// A file with one hostile value loads (and then evaluates or is refused, and saves and loads
/// the same) or is refused at the plan file with a message.
fn hostile_file(case: &Case, tools: &Tools) -> Checked<Option<bool>> {
    let Some((which, token)) = case.spec.uses.mutation else {
        return Ok(None);
    };
    let Ok(text) = file_text(&case.plan, case.spec.uses.version) else {
        return Ok(None);
    };
    let Some((bad, path)) = mutated(&text, which, token) else {
        return Ok(None);
    };
    match load(&bad, &tools.catalogue, &tools.library) {
        Err(e) => {
            if e.field != Field::PlanFile {
                return Err(broke("hostile file refused at the plan file", format!("{path}: {e:?}")));
            }
            named(&[e], "hostile file").map(|()| Some(false))
        }
        Ok(loaded) => {
            if let Err(errors) = evaluate(&loaded.plan, &tools.catalogue, &tools.library) {
                named(&errors, "hostile file, evaluated")?;
            }
            let again = load(&loaded.plan.to_json(), &tools.catalogue, &tools.library)
                .map_err(|e| broke("plan file round trip", format!("hostile {path}, saved again: {e}")))?;
            if again.plan != loaded.plan {
                return Err(broke(
                    "plan file round trip",
                    format!("hostile {path}, saved again: {}", difference(&loaded.plan, &again.plan)),
                ));
            }
            Ok(Some(true))
        }
    }
}

fn same_record(expected: &Record, opened: &Record) -> Result<(), String> {
    let mut a = expected.clone();
    let mut b = opened.clone();
    same_plan(&a.plan, &b.plan, &[])?;
    for (x, y) in a.history.iter().zip(&b.history) {
        same_plan(&x.plan, &y.plan, &[])?;
    }
    b.plan.acknowledgements.clone_from(&a.plan.acknowledgements);
    for (x, y) in a.history.iter_mut().zip(&mut b.history) {
        y.plan.acknowledgements.clone_from(&x.plan.acknowledgements);
    }
    a.plan.version = b.plan.version;
    if a == b {
        Ok(())
    } else {
        Err(format!(
            "{:?} vs {:?}",
            serde_json::to_string(&a).ok().map(|t| t.len()),
            serde_json::to_string(&b).ok().map(|t| t.len())
        ))
    }
}

/// A valid record round-trips through its file and its stored envelope; an invalid one is refused
/// naming its field.
fn record_round_trip(case: &Case, tools: &Tools) -> Checked<bool> {
    let at = case.plan.fill.filled_at;
    let (id, patient, implant, outcomes) = record_parts(&case.spec.uses.record, at);
    let mut expected = case.plan.clone();
    expected.version = itdose::engine::PLAN_VERSION;
    let mut record = match Record::new(&id, patient, implant, expected.clone(), at) {
        Ok(r) => r,
        Err(e) => return named(&[e], "record").map(|()| false),
    };
    record.outcomes = outcomes;
    if let Err(e) = record.validate() {
        return named(&[e], "record").map(|()| false);
    }
    record.confirm(shifted(at, 1.0), "Refill visit", expected);
    let text = record::export(&record).map_err(|e| broke("record round trip", e.to_string()))?;
    let opened = record::import(&text, "fresh", at, &tools.catalogue, &tools.library)
        .map_err(|e| broke("record round trip", format!("the file is refused: {e}")))?;
    same_record(&record, &opened.record).map_err(|d| broke("record round trip", format!("file: {d}")))?;
    if record.outcomes.is_empty() {
        // Version 1 had no outcome log: the same record written as version 1 reads back the same.
        let mut value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| broke("record round trip", e.to_string()))?;
        if let Some(object) = value.as_object_mut() {
            object.insert("version".into(), serde_json::Value::from(1));
        }
        let opened = record::import(&value.to_string(), "fresh", at, &tools.catalogue, &tools.library)
            .map_err(|e| broke("record round trip", format!("version 1 is refused: {e}")))?;
        same_record(&record, &opened.record).map_err(|d| broke("record round trip", format!("version 1: {d}")))?;
    }
    let stored = record::seal(&record, at).map_err(|e| broke("record round trip", e.to_string()))?;
    let unsealed = record::unseal(&stored, &tools.catalogue, &tools.library)
        .map_err(|e| broke("record round trip", format!("the stored text is refused: {e}")))?;
    same_record(&record, &unsealed.record).map_err(|d| broke("record round trip", format!("stored: {d}")))?;
    if unsealed.saved_at != Some(at) {
        return Err(broke("record round trip", "the time it was saved changed"));
    }
    if let Some((which, token)) = case.spec.uses.mutation
        && let Some((bad, _)) = mutated(&text, which, token)
        && let Err(e) = record::import(&bad, "fresh", at, &tools.catalogue, &tools.library)
    {
        named(&[e], "hostile record")?;
    }
    Ok(true)
}
