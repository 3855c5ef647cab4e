//! The titration planner: from the current to a target daily dose, the steps each drug's titration
//! rule allows (the library's rules for the region and the condition: an absolute step, a percent
//! of the current dose, hours between rises, rises per week; or the clinician's own rule for a
//! drug the library gives none), with each step's date, dose and rate, and when the low-reservoir
//! alarm falls under the titrated rates (so the refills along the way can be planned).
//!
//! Every rule that applies is followed, information rules included (ziconotide's US label: "no
//! more than 2-3 times a week" plans at 2 a week), and rises per week become a whole number of days
//! between rises, rounded up (3 a week: every 3 days; 2 a week: every 4 days), so that no 7 days
//! ever hold more than the rule allows: our design, erring towards fewer rises.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::catalogue::library::DrugLibrary;
use crate::engine::catalogue::pump::Catalogue;
use crate::engine::error::{Error, Field, Problem};
use crate::engine::plan::evaluate::evaluate;
use crate::engine::plan::model::Plan;
use crate::engine::plan::outcome::Outcome;
use crate::engine::quantities::format::format_number;
use crate::engine::quantities::time::after;
use crate::engine::quantities::units::Days;
use crate::engine::reservoir::refill::{RefillCandidate, RefillReason, RuleVolume};

/// At most this many steps in one plan (more means the target is unreachable in practice).
pub const MAX_STEPS: usize = 100;

/// A rule the clinician sets for a drug the library gives no titration rule for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnRule {
    /// Largest rise per step, in the drug's unit per day.
    pub max_step: Option<f64>,
    /// Largest rise per step, percent of the dose before it.
    pub max_percent: Option<f64>,
    /// Days between rises.
    pub days_between: f64,
}

/// What to plan.
#[derive(Debug, Clone, PartialEq)]
pub struct TitrationInput {
    /// Drug library id.
    pub drug: String,
    /// The condition it is given for, when its rules differ by condition.
    pub condition: Option<String>,
    /// The current daily dose, in the drug's unit per day.
    pub current: f64,
    /// The target daily dose.
    pub target: f64,
    /// The first rise is no earlier than this.
    pub start: DateTime,
    /// When the dose last rose (the first rise keeps the rule's spacing from it).
    pub last_change: Option<DateTime>,
    /// The clinician's rule, used when the library gives none for this drug.
    pub own_rule: Option<OwnRule>,
    /// Concentration in the reservoir, in the drug's unit per mL.
    pub concentration: f64,
    /// The fill and what binds its refill date (none: the alarm and the refills are not
    /// projected).
    pub fill: Option<TitrationFill>,
}

/// The fill the titration starts from, and the refill-by constraints that recur with every refill.
#[derive(Debug, Clone, PartialEq)]
pub struct TitrationFill {
    /// Volume filled, mL (every refill along the way is assumed to the same volume).
    pub volume: f64,
    /// When (wall clock).
    pub filled_at: DateTime,
    /// The low-reservoir alarm volume, mL.
    pub alarm: f64,
    /// The volume the pump's refill rule refills at (the alarm, Prometra's refill-date volume, or a
    /// constant-flow pump's refill volume).
    pub rule: RuleVolume,
    /// The fast edge of the pump's flow accuracy, ± percent (refill dates err early).
    pub fast_edge: Option<f64>,
    /// The shortest drug stability in the pump for this fill, in days from it, with its reason.
    pub stability: Option<(Days, RefillReason)>,
    /// The same for the refills after it (for a new pump's first fill the labels give a shorter
    /// stability than after the first refill: ziconotide 14 days, then 40 or 84).
    pub later_stability: Option<(Days, RefillReason)>,
    /// An MRI that empties the pump before the scan (this fill only).
    pub mri_emptied: Option<DateTime>,
    /// The device's end of service.
    pub end_of_service: Option<DateTime>,
}

/// The shortest stability among an evaluated plan's refill-by candidates.
fn shortest_stability(outcome: &Outcome) -> Option<(Days, RefillReason)> {
    let mut out: Option<(Days, RefillReason)> = None;
    for c in &outcome.refill_by.candidates {
        if let RefillReason::Stability { days, .. } = &c.reason
            && out.as_ref().is_none_or(|(d, _)| days.value() < d.value())
        {
            out = Some((*days, c.reason.clone()));
        }
    }
    out
}

impl TitrationFill {
    /// The fill of an evaluated plan and its recurring constraints: the pump's rule volume and flow
    /// accuracy, the shortest stability (for a new pump's first fill, and for the refills after it:
    /// the plan evaluated again as a refill), an MRI that empties the pump, the end of service. None
    /// for a programme with boluses (the alarm would be projected from the lead drug's rate alone:
    /// the reservoir chart has it).
    pub fn of(plan: &Plan, outcome: &Outcome, catalogue: &Catalogue, library: &DrugLibrary) -> Option<Self> {
        if !plan.boluses.is_empty() {
            return None;
        }
        let mut rule = RuleVolume::Alarm(plan.fill.low_reservoir_alarm);
        let mut mri_emptied = None;
        for c in &outcome.refill_by.candidates {
            match &c.reason {
                RefillReason::PumpRule { volume, .. } => rule = *volume,
                RefillReason::MriEmptied => mri_emptied = Some(c.at),
                _ => {}
            }
        }
        let stability = shortest_stability(outcome);
        // A refill of the same pump: its stability is the later refills' (when that plan does
        // not evaluate, the first fill's, which is never longer).
        let later_stability = if plan.fill.new_pump {
            let mut refill = plan.clone();
            refill.fill.new_pump = false;
            evaluate(&refill, catalogue, library)
                .ok()
                .and_then(|o| shortest_stability(&o))
                .or_else(|| stability.clone())
        } else {
            stability.clone()
        };
        Some(Self {
            volume: plan.fill.volume.value(),
            filled_at: plan.fill.filled_at,
            alarm: plan.fill.low_reservoir_alarm.value(),
            rule,
            fast_edge: outcome.pump.accuracy_percent.filter(|a| *a > 0.0 && *a < 100.0),
            stability,
            later_stability,
            mri_emptied,
            end_of_service: plan.pump.end_of_service,
        })
    }

    fn rule_volume(&self) -> f64 {
        match self.rule {
            RuleVolume::RefillDate(v) | RuleVolume::Alarm(v) | RuleVolume::Reservoir(v) => v.value(),
        }
    }
}

/// A refill along the way: its refill-by date and what binds it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRefill {
    /// Refill by then.
    pub at: DateTime,
    /// What binds it (the pump's rule at the titrated rates, a drug's stability, the end of service).
    pub binding: RefillCandidate,
}

/// At most this many refills are planned along the way.
pub const MAX_REFILLS: usize = 24;

/// One rise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TitrationStep {
    /// When.
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
    /// The daily dose from then on.
    pub dose: f64,
    /// The rise.
    pub rise: f64,
    /// The rate from then on, mL/day.
    pub rate: f64,
}

/// The plan.
#[derive(Debug, Clone, PartialEq)]
pub struct TitrationPlan {
    /// The rises, in order.
    pub steps: Vec<TitrationStep>,
    /// The largest absolute rise per step, when a rule sets one.
    pub max_step: Option<f64>,
    /// The largest rise per step as a percent of the dose before it, when a rule sets one.
    pub max_percent: Option<f64>,
    /// Hours between rises.
    pub spacing_hours: f64,
    /// The rules applied, in words with their sources and marks.
    pub rules: Vec<String>,
    /// When the low-reservoir alarm sounds under the titrated rates (none: no fill given, or not
    /// within the plan's last step plus a year).
    pub alarm: Option<DateTime>,
    /// The refills along the way, each on its refill-by date and to the fill's volume, until the
    /// first one after the last rise (empty: no fill given).
    pub refills: Vec<PlannedRefill>,
}

fn invalid(field: Field, detail: impl Into<String>) -> Error {
    Error::invalid(field, detail)
}

/// The combined bounds: max step, max percent, spacing in hours, the rules in words.
type Bounds = (Option<f64>, Option<f64>, f64, Vec<String>);

fn bounds(input: &TitrationInput, library: &DrugLibrary) -> Result<Bounds, Error> {
    let drug = library
        .get(&input.drug)
        .ok_or_else(|| invalid(Field::Drug, format!("{} is not in the drug library", input.drug)))?;
    let rules: Vec<_> = drug
        .titration
        .iter()
        .filter(|r| r.applies_in(&library.region) && r.applies_to(input.condition.as_deref()))
        .collect();
    let min_of = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    if rules.is_empty() {
        let own = input.own_rule.as_ref().ok_or_else(|| {
            invalid(
                Field::TitrationRule,
                format!(
                    "the drug library gives no titration rule for {}: set your own (largest rise and days between rises)",
                    drug.display_name
                ),
            )
        })?;
        // Each part of the clinician's rule is refused at its own input.
        if !(own.days_between.is_finite() && own.days_between >= 1.0) {
            return Err(invalid(Field::OwnDays, "at least 1"));
        }
        for (field, value) in [(Field::OwnStep, own.max_step), (Field::OwnPercent, own.max_percent)] {
            match value {
                Some(v) if !v.is_finite() => return Err(Error::new(field, Problem::NotFinite)),
                Some(v) if v <= 0.0 => return Err(Error::new(field, Problem::Zero)),
                _ => {}
            }
        }
        if own.max_step.is_none() && own.max_percent.is_none() {
            return Err(invalid(
                Field::TitrationRule,
                "set the largest rise per step (an amount, a percent, or both) as a positive number",
            ));
        }
        let text = format!(
            "Your rule for {}: {}every {} day(s).",
            drug.display_name,
            [
                own.max_step.map(|s| format!("at most {} per step, ", format_number(s))),
                own.max_percent
                    .map(|p| format!("at most {} % per step, ", format_number(p))),
            ]
            .into_iter()
            .flatten()
            .collect::<String>(),
            format_number(own.days_between)
        );
        return Ok((own.max_step, own.max_percent, own.days_between * 24.0, vec![text]));
    }
    let mut max_step = None;
    let mut max_percent = None;
    let mut spacing: f64 = 0.0;
    let mut words = Vec::new();
    for r in &rules {
        max_step = min_of(max_step, r.max_step);
        max_percent = min_of(max_percent, r.max_percent);
        if let Some(h) = r.min_hours_between {
            spacing = spacing.max(h);
        }
        if let Some(n) = r.max_increases_per_week {
            // Whole days, rounded up: n rises in any 7 days at most.
            spacing = spacing.max((7.0 / f64::from(n.max(1))).ceil() * 24.0);
        }
        words.push(format!("{} (mark {})", r.source, r.mark.letter()));
    }
    if input.own_rule.is_some() {
        words.push("Your own rule is not used: the library gives this drug a rule.".to_owned());
    }
    if max_step.is_none() && max_percent.is_none() {
        return Err(invalid(
            Field::TitrationRule,
            format!(
                "the library's rule for {} sets no largest rise: the steps cannot be sized",
                drug.display_name
            ),
        ));
    }
    Ok((max_step, max_percent, spacing.max(24.0), words))
}

/// Plans the rises from `input.current` to `input.target`.
///
/// # Errors
/// At the field: a dose, target or concentration that is not a positive number; a drug not in
/// the library; no rule (library or own) that sizes the steps; a target more than [`MAX_STEPS`]
/// rises away; a date beyond the calendar.
pub fn plan_titration(input: &TitrationInput, library: &DrugLibrary) -> Result<TitrationPlan, Error> {
    for (field, v) in [
        (Field::DailyDose, input.current),
        (Field::TitrationTarget, input.target),
        (Field::Concentration, input.concentration),
    ] {
        if !v.is_finite() {
            return Err(Error::new(field, Problem::NotFinite));
        }
        if v <= 0.0 {
            return Err(Error::new(field, Problem::Zero));
        }
    }
    if input.target <= input.current {
        return Err(invalid(
            Field::TitrationTarget,
            format!(
                "the target must be above the current dose ({}): the planner plans rises",
                format_number(input.current)
            ),
        ));
    }
    if let Some(fill) = &input.fill
        && !(fill.volume.is_finite()
            && fill.alarm.is_finite()
            && fill.volume > fill.alarm
            && fill.volume > fill.rule_volume())
    {
        return Err(invalid(
            Field::FillVolume,
            "the fill must be above the low-reservoir alarm volume to project the alarm",
        ));
    }
    let (max_step, max_percent, spacing_hours, rules) = bounds(input, library)?;
    let retag = |e: Error| Error::new(Field::TitrationRule, e.problem);
    let spacing = Days::new(spacing_hours / 24.0).map_err(|e| e.at(Field::TitrationRule))?;
    let mut at = match input.last_change {
        Some(last) => after(last, spacing).map_err(retag)?.max(input.start),
        None => input.start,
    };
    let mut steps = Vec::new();
    let mut dose = input.current;
    while input.target - dose > 1e-9 * input.target {
        if steps.len() >= MAX_STEPS {
            return Err(invalid(
                Field::TitrationTarget,
                format!("more than {MAX_STEPS} rises would be needed: choose a nearer target"),
            ));
        }
        let by_percent = max_percent.map(|p| dose * p / 100.0);
        let step = match (max_step, by_percent) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b).unwrap_or(0.0),
        };
        let next = if dose + step >= input.target - 1e-9 * input.target {
            input.target
        } else {
            dose + step
        };
        steps.push(TitrationStep {
            at,
            dose: next,
            rise: next - dose,
            rate: next / input.concentration,
        });
        dose = next;
        at = after(at, spacing).map_err(retag)?;
    }
    let alarm = input
        .fill
        .as_ref()
        .and_then(|fill| used_by(input, &steps, fill.filled_at, fill.volume - fill.alarm, 1.0));
    let refills = input
        .fill
        .as_ref()
        .map(|fill| refills(input, &steps, fill))
        .unwrap_or_default();
    Ok(TitrationPlan {
        steps,
        max_step,
        max_percent,
        spacing_hours,
        rules,
        alarm,
        refills,
    })
}

/// The refills along the way: from the fill, the earliest of the pump's rule (the volume down to
/// the rule's volume at the titrated rates, at the fast edge of the flow accuracy), the shortest
/// stability and the end of service; refilled then to the same volume, and again, until the first
/// refill after the last rise (or the end of service, or [`MAX_REFILLS`]).
fn refills(input: &TitrationInput, steps: &[TitrationStep], fill: &TitrationFill) -> Vec<PlannedRefill> {
    let last_rise = steps.last().map_or(fill.filled_at, |s| s.at);
    let factor = 1.0 + fill.fast_edge.unwrap_or(0.0) / 100.0;
    let rule = RefillReason::PumpRule {
        volume: fill.rule,
        every_bolus: false,
        fast_edge: fill.fast_edge,
    };
    let mut out = Vec::new();
    let mut from = fill.filled_at;
    while out.len() < MAX_REFILLS {
        let mut candidates: Vec<RefillCandidate> = Vec::new();
        if let Some(at) = used_by(input, steps, from, fill.volume - fill.rule_volume(), factor) {
            candidates.push(RefillCandidate {
                at,
                reason: rule.clone(),
            });
        }
        let stability = if out.is_empty() {
            &fill.stability
        } else {
            &fill.later_stability
        };
        if let Some((days, reason)) = stability
            && let Ok(at) = after(from, *days)
        {
            candidates.push(RefillCandidate {
                at,
                reason: reason.clone(),
            });
        }
        if let Some(end) = fill.end_of_service {
            candidates.push(RefillCandidate {
                at: end,
                reason: RefillReason::EndOfService,
            });
        }
        if let Some(mri) = fill.mri_emptied.filter(|_| out.is_empty()) {
            candidates.push(RefillCandidate {
                at: mri,
                reason: RefillReason::MriEmptied,
            });
        }
        let Some(binding) = candidates.into_iter().min_by_key(|c| c.at) else {
            break;
        };
        let at = binding.at;
        let ends = at <= from || at > last_rise || binding.reason == RefillReason::EndOfService;
        out.push(PlannedRefill { at, binding });
        if ends {
            break;
        }
        from = at;
    }
    out
}

/// When `volume` mL is used from `from`, delivering (× `factor`, the fast edge of the flow
/// accuracy) the dose in force at each moment: the current dose before the first rise, each
/// step's rate after it (none: not within a year of the last rise).
fn used_by(
    input: &TitrationInput,
    steps: &[TitrationStep],
    start: DateTime,
    volume: f64,
    factor: f64,
) -> Option<DateTime> {
    let mut left = volume;
    let mut from = start;
    let mut rate = steps
        .iter()
        .rev()
        .find(|s| s.at <= start)
        .map_or(input.current / input.concentration, |s| s.rate)
        * factor;
    let changes = steps.iter().filter(|s| s.at > start).map(|s| (s.at, s.rate * factor));
    let horizon = after(steps.last().map_or(start, |s| s.at.max(start)), Days::new(366.0).ok()?).ok()?;
    for (until, next_rate) in changes.chain(std::iter::once((horizon, 0.0))) {
        let days = (until.duration_since(from).as_secs_f64() / 86_400.0).max(0.0);
        if rate > 0.0 && left <= rate * days {
            return after(from, Days::new(left / rate).ok()?).ok();
        }
        left -= rate * days;
        from = until.max(from);
        rate = next_rate;
    }
    None
}
