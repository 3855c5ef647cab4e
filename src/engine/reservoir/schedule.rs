//! Delivery schedules: basal (continuous or flex steps over a 24-hour or 7-day cycle), periodic
//! boluses, single boluses and patient-activated boluses (myPTM / Prometra PTC), their 24-hour
//! totals, and the exact reservoir volume over time under three patient-bolus scenarios.
//!
//! Everything here is volume: a drug's dose is volume × its concentration (every drug in the
//! reservoir is delivered together). Time inside this module is minutes after the fill (`f64`);
//! the public API takes and returns typed durations and wall-clock date-times.
//!
//! Conventions (our design, stated so results are reproducible to the minute):
//! - A flex cycle is aligned to wall-clock midnight (24-hour cycle) or Monday 00:00 (7-day cycle);
//!   a step runs from its start until the next step's start, wrapping round the cycle.
//! - A bolus is delivered at a constant extra rate (volume ÷ duration) on top of the basal.
//! - Patient boluses in a scenario of n a day are taken evenly: at the fill + (k + ½) × 24 h ÷ n.
//! - "All allowed" is the most the lockout and the daily maximum allow:
//!   min(maximum per 24 h, ⌈24 h ÷ lockout⌉) a day.
//! - Periodic boluses count ⌈24 h ÷ interval⌉ in a 24-hour total (the most any 24-hour window can hold).
//! - One-off boluses (single, priming, bridge) count as delivered: the 24-hour total takes the
//!   heaviest 24-hour window of their delivery (a 10-hour bolus and one 24 h later can share a
//!   window). Adding the heaviest basal, periodic, one-off and patient parts, each at its own worst,
//!   can only over-state the total, never under-state it.

use jiff::civil::{DateTime, Time, Weekday};
use serde::{Deserialize, Serialize};

use crate::engine::error::{Error, Field, Location, Problem};
use crate::engine::quantities::format::Display as _;
use crate::engine::quantities::time::after;
use crate::engine::quantities::units::{Days, Hours, Millilitres, MlPerDay};

const MINUTES_PER_DAY: f64 = 1440.0;
/// The longest projection the engine computes; a schedule that lasts longer is a typing error.
const LONGEST_PROJECTION_DAYS: f64 = 3660.0;
/// The shortest bolus the engine models, in hours (a millisecond). A bolus is a window of the
/// projection, in minutes after the fill as an `f64`: ten years of minutes leave about 1e-9 minute
/// of resolution, so a bolus of 1e-308 h had no width at all, and its volume vanished from the
/// projection while the 24-hour totals kept it. A representational bound, not a clinical one.
pub(crate) const SHORTEST_BOLUS_HOURS: f64 = 1.0 / 3_600_000.0;

/// The length of a flex cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cycle {
    /// Steps repeat every day from midnight.
    Day,
    /// Steps repeat every week from Monday 00:00.
    Week,
}

impl Cycle {
    fn minutes(self) -> f64 {
        match self {
            Cycle::Day => MINUTES_PER_DAY,
            Cycle::Week => 7.0 * MINUTES_PER_DAY,
        }
    }
}

/// One flex step: from its start (in the cycle) the pump runs at `rate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlexStep {
    /// Day of the week (0 = Monday … 6 = Sunday) for a 7-day cycle; 0 for a 24-hour cycle.
    #[serde(default)]
    pub day: u8,
    /// Time of day the step starts.
    #[serde(with = "time_serde")]
    pub start: Time,
    /// Rate during the step.
    pub rate: MlPerDay,
}

/// The basal delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Basal {
    /// One rate, always.
    Continuous {
        /// The rate.
        rate: MlPerDay,
    },
    /// Steps of different rates repeating over a cycle.
    Flex {
        /// 24-hour or 7-day.
        cycle: Cycle,
        /// At least one step.
        steps: Vec<FlexStep>,
    },
}

/// A bolus repeated at a fixed interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodicBolus {
    /// Volume of each bolus.
    pub volume: Millilitres,
    /// How long each bolus takes.
    pub duration: Hours,
    /// From the start of one bolus to the start of the next.
    pub interval: Hours,
    /// When the first one starts.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub first: DateTime,
}

/// One bolus, after which the pump returns to the underlying therapy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SingleBolus {
    /// Volume.
    pub volume: Millilitres,
    /// How long it takes.
    pub duration: Hours,
    /// When it starts.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
}

/// Patient-activated bolus settings (myPTM / PTC). Device ranges are unverified: these are
/// inputs with sane validation, not device limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientBolus {
    /// Volume per activation.
    pub volume: Millilitres,
    /// Delivery duration of one activation.
    pub duration: Hours,
    /// Minimum interval between activations.
    pub lockout: Hours,
    /// Maximum activations per 24 hours.
    pub max_per_day: u32,
}

impl PatientBolus {
    /// The most activations any 24 hours can hold: min(maximum per 24 h, ⌈24 h ÷ lockout⌉).
    pub fn allowed_per_day(&self) -> u32 {
        let by_lockout = (24.0 / self.lockout.value()).ceil();
        let by_lockout = if by_lockout.is_finite() && by_lockout >= 0.0 {
            by_lockout.min(f64::from(u32::MAX)) as u32
        } else {
            u32::MAX
        };
        self.max_per_day.min(by_lockout)
    }
}

/// A whole delivery schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// Basal delivery.
    pub basal: Basal,
    /// Periodic boluses.
    #[serde(default)]
    pub periodic: Vec<PeriodicBolus>,
    /// Single boluses.
    #[serde(default)]
    pub single: Vec<SingleBolus>,
    /// Patient-activated boluses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<PatientBolus>,
    /// Times with no delivery at all (an MRI scan and the pump's restart delay).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pauses: Vec<Pause>,
}

/// A time with no delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pause {
    /// Start.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub from: DateTime,
    /// End.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub to: DateTime,
}

/// How many patient boluses a projection assumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scenario", content = "per_day", rename_all = "snake_case")]
pub enum PatientUse {
    /// No patient boluses.
    None,
    /// A typical number per day (entered by the user).
    Typical(u32),
    /// Every bolus the lockout and daily maximum allow.
    AllAllowed,
}

/// 24-hour volumes of a schedule (multiply by a drug's concentration for its doses).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DailyVolumes {
    /// Basal volume in the heaviest 24 hours of the cycle (any start time).
    pub basal: Millilitres,
    /// Scheduled boluses (periodic), the most a 24-hour window holds.
    pub scheduled_boluses: Millilitres,
    /// One-off boluses (single, priming, bridge), the most that start in any 24 hours.
    pub one_off_boluses: Millilitres,
    /// Patient boluses at their maximum.
    pub patient_boluses: Millilitres,
    /// The sum: the maximum possible in 24 hours.
    pub maximum: Millilitres,
}

/// The reservoir over time under one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioProjection {
    /// Which scenario.
    pub scenario: PatientUse,
    /// When the low-reservoir alarm volume is reached (rounded down to the minute).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub alarm_at: DateTime,
    /// When the refill-rule volume is reached (rounded down to the minute).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub refill_volume_at: DateTime,
    /// When the reservoir is empty (rounded down to the minute).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub empty_at: DateTime,
    /// Days from the fill to the alarm.
    pub days_to_alarm: Days,
    /// Days from the fill to empty.
    pub days_to_empty: Days,
    /// Earliest–latest alarm under the pump's flow accuracy (absent when the accuracy is unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm_band: Option<(Days, Days)>,
    /// Earliest–latest empty under the pump's flow accuracy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_band: Option<(Days, Days)>,
    /// When the refill-rule volume is reached at the fast edge of the flow accuracy (every flow ×
    /// (1 + accuracy)), rounded down to the minute; absent when the accuracy is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "optional_civil")]
    pub refill_volume_fast_at: Option<DateTime>,
    /// (days after fill, mL) vertices of the volume line, for the chart.
    pub vertices: Vec<(f64, f64)>,
}

/// A walk's result: (minutes, mL) vertices, and the minute each mark volume was reached.
type Walk = (Vec<(f64, f64)>, Vec<f64>);

/// (days after fill, mL) vertices of a volume line.
pub type Polyline = Vec<(f64, f64)>;

impl ScenarioProjection {
    /// The flow-accuracy band as two volume lines, (more flow, less flow). Every flow scales by
    /// (1 ± a), so the volume delivered by any time scales too: v±(t) = fill − (1 ± a)(fill − v(t)),
    /// floored at 0. Exact for this model; `accuracy_percent` as in the pump catalogue.
    pub fn band_vertices(&self, accuracy_percent: f64) -> (Polyline, Polyline) {
        let fill = self.vertices.first().map_or(0.0, |v| v.1);
        let a = accuracy_percent / 100.0;
        let line = |factor: f64| -> Vec<(f64, f64)> {
            let mut out: Vec<(f64, f64)> = self
                .vertices
                .iter()
                .map(|&(t, v)| (t, (fill - factor * (fill - v)).max(0.0)))
                .collect();
            if factor < 1.0 {
                // Less flow lasts longer than the nominal line: extend it to its own empty time.
                if let (Some(&(t_end, _)), true) = (self.vertices.last(), factor > 0.0) {
                    out.push((t_end / factor, 0.0));
                }
            }
            out
        };
        (line(1.0 + a), line(1.0 - a))
    }
}

fn minutes_of(t: Time) -> f64 {
    f64::from(t.hour()) * 60.0 + f64::from(t.minute()) + f64::from(t.second()) / 60.0
}

fn weekday_index(w: Weekday) -> u8 {
    u8::try_from(w.to_monday_zero_offset()).unwrap_or(0)
}

impl Schedule {
    /// A continuous schedule at `rate` with no boluses.
    pub fn continuous(rate: MlPerDay) -> Self {
        Schedule {
            basal: Basal::Continuous { rate },
            periodic: Vec::new(),
            single: Vec::new(),
            patient: None,
            pauses: Vec::new(),
        }
    }

    /// Checks the schedule.
    ///
    /// # Errors
    /// At the step or bolus (its location and field): a step on a day outside the cycle or at the
    /// same start as an earlier one; a bolus with zero duration, zero interval or an interval
    /// shorter than its duration; a patient lockout shorter than its duration; a bolus whose rate
    /// or 24-hour total is beyond the largest `f64`. At [`Field::Schedule`]: a flex programme with
    /// no step, a basal that never delivers, 24-hour totals beyond the largest `f64`.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |field: Field, at: Location, detail: String| Err(Error::invalid(field, detail).located(at));
        if let Basal::Flex { cycle, steps } = &self.basal {
            if steps.is_empty() {
                return Err(Error::invalid(
                    Field::Schedule,
                    "a flex programme needs at least one step",
                ));
            }
            for (i, s) in steps.iter().enumerate() {
                let at = Location::FlexStep(i);
                if *cycle == Cycle::Week && s.day > 6 || *cycle == Cycle::Day && s.day != 0 {
                    return bad(Field::Start, at, format!("day {} is outside the cycle", s.day));
                }
                if steps.iter().take(i).any(|o| o.day == s.day && o.start == s.start) {
                    return bad(Field::Start, at, "the same start as an earlier step".into());
                }
            }
        }
        if self.average_basal_per_minute() <= 0.0 {
            return Err(Error::invalid(
                Field::Schedule,
                "the basal delivers nothing: the reservoir would never empty; check the rates",
            ));
        }
        for (i, b) in self.periodic.iter().enumerate() {
            let at = Location::PeriodicBolus(i);
            if b.duration.value() <= 0.0 {
                return Err(Error::new(Field::Duration, Problem::Zero).located(at));
            }
            if b.interval.value() <= 0.0 {
                return Err(Error::new(Field::Interval, Problem::Zero).located(at));
            }
            if b.interval.value() < b.duration.value() {
                let detail = format!(
                    "{} is shorter than the duration ({})",
                    b.interval.ismp(),
                    b.duration.ismp()
                );
                return bad(Field::Interval, at, detail);
            }
        }
        for (i, b) in self.single.iter().enumerate() {
            if b.duration.value() <= 0.0 {
                return Err(Error::new(Field::Duration, Problem::Zero).located(Location::SingleBolus(i)));
            }
        }
        if let Some(p) = &self.patient {
            let at = Location::PatientBolus;
            if p.duration.value() <= 0.0 {
                return Err(Error::new(Field::Duration, Problem::Zero).located(at));
            }
            if p.lockout.value() <= 0.0 {
                return Err(Error::new(Field::Lockout, Problem::Zero).located(at));
            }
            if p.lockout.value() < p.duration.value() {
                let detail = format!(
                    "{} is shorter than the delivery duration ({})",
                    p.lockout.ismp(),
                    p.duration.ismp()
                );
                return bad(Field::Lockout, at, detail);
            }
        }
        self.check_deliveries()
    }

    /// Flex steps sorted by their offset in the cycle, as (offset minutes, mL per minute).
    fn steps(&self) -> Option<(f64, Vec<(f64, f64)>)> {
        match &self.basal {
            Basal::Continuous { .. } => None,
            Basal::Flex { cycle, steps } => {
                let mut out: Vec<(f64, f64)> = steps
                    .iter()
                    .map(|s| {
                        (
                            f64::from(s.day) * MINUTES_PER_DAY + minutes_of(s.start),
                            s.rate.value() / MINUTES_PER_DAY,
                        )
                    })
                    .collect();
                out.sort_by(|a, b| a.0.total_cmp(&b.0));
                Some((cycle.minutes(), out))
            }
        }
    }

    /// Basal mL per minute at `offset` minutes into the cycle.
    fn basal_at_offset(steps: &[(f64, f64)], offset: f64) -> f64 {
        // The active step is the last one starting at or before the offset; before the first
        // step of the cycle, the last step (from the previous cycle) is still running.
        steps
            .iter()
            .rev()
            .find(|(start, _)| *start <= offset)
            .or(steps.last())
            .map_or(0.0, |s| s.1)
    }

    fn average_basal_per_minute(&self) -> f64 {
        match &self.basal {
            Basal::Continuous { rate } => rate.value() / MINUTES_PER_DAY,
            Basal::Flex { .. } => self.steps().map_or(0.0, |(cycle, steps)| {
                Self::cycle_integral(&steps, cycle, 0.0, cycle) / cycle
            }),
        }
    }

    /// Basal volume from `from` to `to` minutes into the cycle (0 ≤ from ≤ to ≤ cycle).
    fn cycle_integral(steps: &[(f64, f64)], cycle: f64, from: f64, to: f64) -> f64 {
        let mut edges: Vec<f64> = steps.iter().map(|s| s.0).filter(|&t| t > from && t < to).collect();
        edges.insert(0, from);
        edges.push(to.min(cycle));
        edges
            .windows(2)
            .map(|w| match w {
                [a, b] => (b - a) * Self::basal_at_offset(steps, *a),
                _ => 0.0,
            })
            .sum()
    }

    /// 24-hour volumes: basal in the heaviest 24 hours, periodic boluses, patient boluses at
    /// their maximum, and the sum. Each is a number for a schedule that [`Schedule::validate`]
    /// accepts (it refuses one whose totals are beyond the largest `f64`).
    pub fn daily_volumes(&self) -> DailyVolumes {
        let [basal, scheduled, one_off, patient] = self.daily_totals();
        let ml = |v: f64| Millilitres::new(v).unwrap_or(Millilitres::ZERO);
        DailyVolumes {
            basal: ml(basal),
            scheduled_boluses: ml(scheduled),
            one_off_boluses: ml(one_off),
            patient_boluses: ml(patient),
            maximum: ml(basal + scheduled + one_off + patient),
        }
    }

    /// The 24-hour volumes (basal, periodic, one-off, patient) as plain numbers, which may be
    /// infinite for an unchecked schedule.
    fn daily_totals(&self) -> [f64; 4] {
        let basal = match &self.basal {
            Basal::Continuous { rate } => rate.value(),
            Basal::Flex { .. } => match self.steps() {
                Some((cycle, steps)) => {
                    // The most any 24 hours can hold, not just a calendar day: the integral over a
                    // sliding window is piecewise linear in its start, so its maximum is at a window
                    // that starts or ends on a step change.
                    let day = MINUTES_PER_DAY.min(cycle);
                    let window = |a: f64| -> f64 {
                        let a = a.rem_euclid(cycle);
                        if a + day <= cycle {
                            Self::cycle_integral(&steps, cycle, a, a + day)
                        } else {
                            Self::cycle_integral(&steps, cycle, a, cycle)
                                + Self::cycle_integral(&steps, cycle, 0.0, a + day - cycle)
                        }
                    };
                    steps
                        .iter()
                        .flat_map(|(start, _)| [window(*start), window(*start - day)])
                        .fold(window(0.0), f64::max)
                }
                None => 0.0,
            },
        };
        let scheduled: f64 = self
            .periodic
            .iter()
            .map(|b| b.volume.value() * (24.0 / b.interval.value()).ceil())
            .sum();
        let patient = self
            .patient
            .as_ref()
            .map_or(0.0, |p| p.volume.value() * f64::from(p.allowed_per_day()));
        let one_off = self.heaviest_one_off_window();
        [basal, scheduled, one_off, patient]
    }

    /// Every bolus lasts at least [`SHORTEST_BOLUS_HOURS`] (a millisecond), and every bolus's rate and every
    /// 24-hour total is a number. A volume near the largest `f64` (1e308 mL), repeated or delivered
    /// in an instant, or step rates as large, would overflow to infinity: a 24-hour maximum of
    /// infinity cannot be checked against any limit (it used to become zero, and pass every limit).
    fn check_deliveries(&self) -> Result<(), Error> {
        let beyond = |field: Field, at: Location| {
            Err(Error::invalid(
                field,
                "with the other values entered, its delivery is beyond the largest number this calculator holds: check the units and the decimal point",
            )
            .located(at))
        };
        let too_short = |at: Location| {
            Err(Error::invalid(Field::Duration, "shorter than a millisecond: check the unit").located(at))
        };
        let per_minute = |volume: Millilitres, duration: Hours| volume.value() / (duration.value() * 60.0);
        let boluses = self
            .periodic
            .iter()
            .enumerate()
            .map(|(i, b)| {
                (
                    Location::PeriodicBolus(i),
                    b.volume,
                    b.duration,
                    b.volume.value() * (24.0 / b.interval.value()).ceil(),
                )
            })
            .chain(
                self.single
                    .iter()
                    .enumerate()
                    .map(|(i, b)| (Location::SingleBolus(i), b.volume, b.duration, 0.0)),
            )
            .chain(self.patient.iter().map(|p| {
                (
                    Location::PatientBolus,
                    p.volume,
                    p.duration,
                    p.volume.value() * f64::from(p.allowed_per_day()),
                )
            }));
        for (at, volume, duration, per_day) in boluses {
            if duration.value() < SHORTEST_BOLUS_HOURS {
                return too_short(at);
            }
            if !per_day.is_finite() || !per_minute(volume, duration).is_finite() {
                return beyond(Field::Volume, at);
            }
        }
        let [basal, scheduled, one_off, patient] = self.daily_totals();
        if !(basal + scheduled + one_off + patient).is_finite() {
            return Err(Error::invalid(
                Field::Schedule,
                "the most that 24 hours can deliver is beyond the largest number this calculator holds: check the rates, the bolus volumes and the decimal point",
            ));
        }
        Ok(())
    }

    /// The most one-off (single) bolus volume delivered in any 24 hours. Each bolus delivers at a
    /// constant rate over its duration, so the volume in a window [t, t + 24 h) is piecewise linear
    /// in t and is largest where the window starts or ends on a bolus edge: every such t is tried.
    fn heaviest_one_off_window(&self) -> f64 {
        let Some(origin) = self.single.first().map(|b| b.at) else {
            return 0.0;
        };
        let spans: Vec<(f64, f64, f64)> = self
            .single
            .iter()
            .map(|b| {
                let start = origin.duration_until(b.at).as_secs_f64() / 60.0;
                let minutes = b.duration.value() * 60.0;
                (start, start + minutes, b.volume.value())
            })
            .collect();
        let in_window = |t: f64| -> f64 {
            spans
                .iter()
                .map(|&(s, e, v)| {
                    let overlap = (e.min(t + MINUTES_PER_DAY) - s.max(t)).max(0.0);
                    // The share delivered (≤ 1) first: a volume near the largest f64 stays finite.
                    if e > s { v * (overlap / (e - s)) } else { 0.0 }
                })
                .sum()
        };
        spans
            .iter()
            .flat_map(|&(s, e, _)| [s, e, s - MINUTES_PER_DAY, e - MINUTES_PER_DAY])
            .map(in_window)
            .fold(0.0, f64::max)
    }

    /// Every (start, end, mL per minute) bolus window up to `horizon` minutes after the fill.
    fn bolus_windows(&self, filled_at: DateTime, scenario: PatientUse, horizon: f64) -> Vec<(f64, f64, f64)> {
        let since_fill = |at: DateTime| -> f64 { filled_at.duration_until(at).as_secs_f64() / 60.0 };
        let mut windows = Vec::new();
        for b in &self.periodic {
            let duration = b.duration.value() * 60.0;
            let interval = b.interval.value() * 60.0;
            let mut start = since_fill(b.first);
            if start < 0.0 {
                // The series began before this fill: continue it from its next start.
                start += (-start / interval).ceil() * interval;
            }
            while start < horizon {
                windows.push((start, start + duration, b.volume.value() / duration));
                start += interval;
            }
        }
        for b in &self.single {
            let start = since_fill(b.at);
            let duration = b.duration.value() * 60.0;
            if start >= 0.0 && start < horizon {
                windows.push((start, start + duration, b.volume.value() / duration));
            }
        }
        if let Some(p) = &self.patient {
            let per_day = match scenario {
                PatientUse::None => 0,
                PatientUse::Typical(n) => n.min(p.allowed_per_day()),
                PatientUse::AllAllowed => p.allowed_per_day(),
            };
            if per_day > 0 {
                let spacing = MINUTES_PER_DAY / f64::from(per_day);
                let duration = p.duration.value() * 60.0;
                let mut start = spacing / 2.0;
                while start < horizon {
                    windows.push((start, start + duration, p.volume.value() / duration));
                    start += spacing;
                }
            }
        }
        windows
    }

    /// Projects the reservoir from the fill until empty under `scenario`, with every flow scaled
    /// by `flow_factor` (1 nominal; 1 ± accuracy for the band).
    ///
    /// Returns the vertices (minutes, mL) and the minutes at which `marks` volumes are reached.
    /// The delivery as (start, end, mL per minute) segments from the fill (minutes) to `horizon`:
    /// basal steps, bolus windows (swept, so many boluses stay cheap), and pauses (MRI) at zero.
    pub(crate) fn segments(&self, filled_at: DateTime, scenario: PatientUse, horizon: f64) -> Vec<(f64, f64, f64)> {
        let steps = self.steps();
        let phase = match &self.basal {
            Basal::Flex { cycle: Cycle::Week, .. } => {
                f64::from(weekday_index(filled_at.weekday())) * MINUTES_PER_DAY + minutes_of(filled_at.time())
            }
            _ => minutes_of(filled_at.time()),
        };
        // Breakpoints: flex step changes, bolus starts and ends, pause edges.
        let mut times = vec![0.0, horizon];
        if let Some((cycle, steps)) = &steps {
            let mut k = 0.0;
            while k * cycle - phase < horizon {
                for (offset, _) in steps {
                    let t = k * cycle + offset - phase;
                    if t > 0.0 && t < horizon {
                        times.push(t);
                    }
                }
                k += 1.0;
            }
        }
        let windows = self.bolus_windows(filled_at, scenario, horizon);
        // Bolus rate changes, swept in time order.
        let mut changes: Vec<(f64, f64)> = Vec::with_capacity(windows.len() * 2);
        for (start, end, rate) in &windows {
            times.push(*start);
            times.push(*end);
            changes.push((*start, *rate));
            changes.push((*end, -*rate));
        }
        changes.sort_by(|a, b| a.0.total_cmp(&b.0));
        let since_fill = |at: DateTime| filled_at.duration_until(at).as_secs_f64() / 60.0;
        let pauses: Vec<(f64, f64)> = self
            .pauses
            .iter()
            .map(|p| (since_fill(p.from), since_fill(p.to)))
            .collect();
        for (from, to) in &pauses {
            times.push(*from);
            times.push(*to);
        }
        times.retain(|t| *t >= 0.0 && *t <= horizon);
        times.sort_by(f64::total_cmp);
        times.dedup();
        let basal_at = |t: f64| -> f64 {
            match (&self.basal, &steps) {
                (Basal::Continuous { rate }, _) => rate.value() / MINUTES_PER_DAY,
                (_, Some((cycle, steps))) => Self::basal_at_offset(steps, (t + phase).rem_euclid(*cycle)),
                _ => 0.0,
            }
        };
        let mut out = Vec::with_capacity(times.len());
        // The bolus rate is a running sum of starts (+) and ends (−): compensated (Neumaier), so a
        // large bolus ending gives back exactly the smaller ones it overlapped, instead of losing
        // them to rounding for the rest of the projection.
        let mut bolus = Compensated::default();
        let mut next_change = 0;
        for pair in times.windows(2) {
            let [t0, t1] = pair else { continue };
            while let Some(&(at, delta)) = changes.get(next_change) {
                if at > *t0 {
                    break;
                }
                bolus.add(delta);
                next_change += 1;
            }
            let mid = (t0 + t1) / 2.0;
            let paused = pauses.iter().any(|(from, to)| *from <= mid && mid < *to);
            let rate = if paused {
                0.0
            } else {
                basal_at(mid) + bolus.value().max(0.0)
            };
            out.push((*t0, *t1, rate));
        }
        out
    }

    fn walk(
        &self,
        fill: f64,
        filled_at: DateTime,
        scenario: PatientUse,
        flow_factor: f64,
        marks: &[f64],
    ) -> Result<Walk, Error> {
        let average = self.average_basal_per_minute() * flow_factor;
        let cycle = self.steps().map_or(MINUTES_PER_DAY, |(c, _)| c);
        let paused: f64 = self
            .pauses
            .iter()
            .map(|p| p.from.duration_until(p.to).as_secs_f64().max(0.0) / 60.0)
            .sum();
        let horizon = fill / average + 2.0 * cycle + paused;
        if !horizon.is_finite() || horizon > LONGEST_PROJECTION_DAYS * MINUTES_PER_DAY {
            return Err(Error::new(
                Field::Schedule,
                Problem::OutOfRange {
                    detail: "the reservoir would last more than 10 years; check the rates".into(),
                },
            ));
        }
        // Every bolus becomes two breakpoints: refuse a schedule that would need millions of them
        // (an interval or lockout of seconds is a typing error) instead of exhausting memory.
        let per_minute: f64 = self
            .periodic
            .iter()
            .map(|b| 1.0 / (b.interval.value() * 60.0))
            .sum::<f64>()
            + self
                .patient
                .as_ref()
                .map_or(0.0, |p| f64::from(p.allowed_per_day()) / MINUTES_PER_DAY);
        if per_minute * horizon > 1_000_000.0 {
            return Err(Error::invalid(
                Field::Schedule,
                "over a million boluses before the reservoir empties: check the bolus interval and the lockout",
            ));
        }
        let segments = self.segments(filled_at, scenario, horizon);
        let mut volume = fill;
        let mut vertices = vec![(0.0, fill)];
        // A mark at or above the fill volume is reached at the fill itself.
        let mut found: Vec<Option<f64>> = marks.iter().map(|m| (*m >= fill).then_some(0.0)).collect();
        for &(t0, t1, base_rate) in &segments {
            let (t0, t1) = (&t0, &t1);
            let rate = base_rate * flow_factor;
            let next = volume - rate * (t1 - t0);
            for (i, mark) in marks.iter().enumerate() {
                if let Some(slot @ None) = found.get_mut(i)
                    && volume > *mark
                    && next <= *mark
                    && rate > 0.0
                {
                    *slot = Some(t0 + (volume - mark) / rate);
                }
            }
            if next <= 0.0 {
                let t_empty = t0 + volume / rate.max(f64::MIN_POSITIVE);
                vertices.push((t_empty, 0.0));
                break;
            }
            volume = next;
            vertices.push((*t1, volume));
        }
        let found: Option<Vec<f64>> = found.into_iter().collect();
        let found = found.ok_or_else(|| {
            Error::new(
                Field::Schedule,
                Problem::OutOfRange {
                    detail: "the reservoir does not empty within the projection".into(),
                },
            )
        })?;
        Ok((vertices, found))
    }

    /// The reservoir under `scenario`: alarm, refill-rule volume and empty times, the accuracy
    /// band, and the chart vertices.
    ///
    /// # Errors
    /// An invalid schedule ([`Schedule::validate`]), or a reservoir that lasts over 10 years.
    pub fn project(
        &self,
        fill: Millilitres,
        filled_at: DateTime,
        alarm: Millilitres,
        refill_volume: Millilitres,
        scenario: PatientUse,
        accuracy_percent: Option<f64>,
    ) -> Result<ScenarioProjection, Error> {
        self.validate()?;
        let marks = [alarm.value(), refill_volume.value(), 0.0];
        let (vertices, at) = self.walk(fill.value(), filled_at, scenario, 1.0, &marks)?;
        let [alarm_min, refill_min, empty_min] = at.as_slice() else {
            return Err(Error::invalid(Field::Schedule, "projection failed"));
        };
        let days = |m: f64| Days::new(m / MINUTES_PER_DAY).map_err(|e| e.at(Field::Schedule));
        let band = match accuracy_percent {
            Some(a) if a > 0.0 && a < 100.0 => {
                // More flow (1 + a) empties earlier; less flow (1 − a) later.
                let (_, fast) = self.walk(fill.value(), filled_at, scenario, 1.0 + a / 100.0, &marks)?;
                let (_, slow) = self.walk(fill.value(), filled_at, scenario, 1.0 - a / 100.0, &marks)?;
                match (fast.as_slice(), slow.as_slice()) {
                    ([fa, fr, fe], [sa, _, se]) => {
                        Some(((days(*fa)?, days(*sa)?), (days(*fe)?, days(*se)?), days(*fr)?))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        let (days_to_alarm, days_to_refill, days_to_empty) = (days(*alarm_min)?, days(*refill_min)?, days(*empty_min)?);
        Ok(ScenarioProjection {
            scenario,
            alarm_at: after(filled_at, days_to_alarm)?,
            refill_volume_at: after(filled_at, days_to_refill)?,
            empty_at: after(filled_at, days_to_empty)?,
            days_to_alarm,
            days_to_empty,
            alarm_band: band.map(|b| b.0),
            empty_band: band.map(|b| b.1),
            refill_volume_fast_at: band.map(|b| after(filled_at, b.2)).transpose()?,
            vertices: vertices.into_iter().map(|(m, v)| (m / MINUTES_PER_DAY, v)).collect(),
        })
    }
}

/// A sum with Neumaier's compensation: the rounding error of each addition kept apart and added
/// back, so that adding and then removing a large term returns the small ones exactly.
#[derive(Debug, Default, Clone, Copy)]
struct Compensated {
    sum: f64,
    error: f64,
}

impl Compensated {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        self.error += if self.sum.abs() >= x.abs() {
            (self.sum - t) + x
        } else {
            (x - t) + self.sum
        };
        self.sum = t;
    }

    fn value(self) -> f64 {
        self.sum + self.error
    }
}

mod optional_civil {
    use jiff::civil::DateTime;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Wrap(#[serde(with = "crate::engine::quantities::civil_serde")] DateTime);

    pub fn serialize<S: Serializer>(at: &Option<DateTime>, s: S) -> Result<S::Ok, S::Error> {
        at.map(Wrap).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime>, D::Error> {
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
    }
}

mod time_serde {
    use jiff::civil::Time;
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::engine::error::Field;
    use crate::engine::quantities::parse::parse_time;

    pub fn serialize<S: Serializer>(t: &Time, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:02}:{:02}", t.hour(), t.minute()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
        let text = String::deserialize(d)?;
        parse_time(Field::Schedule, &text).map_err(|e| serde::de::Error::custom(e.to_string()))
    }
}
