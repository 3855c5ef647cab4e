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
use crate::engine::error::{Error, Field, Problem};
use crate::engine::quantities::format::format_number;
use crate::engine::quantities::time::after;
use crate::engine::quantities::units::Days;

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
    /// The fill: volume (mL), when (wall clock) and the low-reservoir alarm volume (mL).
    pub fill: Option<(f64, DateTime, f64)>,
}

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
        if !(own.days_between.is_finite() && own.days_between >= 1.0) {
            return Err(invalid(Field::TitrationRule, "days between rises: at least 1"));
        }
        let positive = |v: Option<f64>| v.is_none_or(|v| v.is_finite() && v > 0.0);
        if !positive(own.max_step)
            || !positive(own.max_percent)
            || (own.max_step.is_none() && own.max_percent.is_none())
        {
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
    if let Some((volume, _, alarm)) = input.fill
        && !(volume.is_finite() && alarm.is_finite() && volume > alarm)
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
    let alarm = input.fill.and_then(|fill| alarm_at(input, &steps, fill));
    Ok(TitrationPlan {
        steps,
        max_step,
        max_percent,
        spacing_hours,
        rules,
        alarm,
    })
}

/// When the reservoir reaches the alarm volume, delivering the current dose until the first rise
/// and each step's rate after it (none: not within a year of the last rise).
fn alarm_at(
    input: &TitrationInput,
    steps: &[TitrationStep],
    (volume, filled, alarm): (f64, DateTime, f64),
) -> Option<DateTime> {
    let mut left = volume - alarm;
    let mut from = filled;
    let mut rate = input.current / input.concentration;
    let changes = steps.iter().map(|s| (s.at, s.rate));
    for (until, next_rate) in changes.chain(std::iter::once((
        after(steps.last().map_or(filled, |s| s.at), Days::new(366.0).ok()?).ok()?,
        0.0,
    ))) {
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
