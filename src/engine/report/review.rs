//! The programme in full (every parameter a clinician sets or checks) and the review before
//! confirming: the current and the proposed programme side by side, each row marked when it
//! changes, and each drug's maximum 24-hour total before and after.

use serde::{Deserialize, Serialize};

use super::Figure;
use crate::engine::format::{Display as _, format_date_time, format_number};
use crate::engine::plan::model::{Plan, Programme};
use crate::engine::plan::outcome::Outcome;
use crate::engine::plan::session::Change;
use crate::engine::quantities::units::Hours;
use crate::engine::reservoir::schedule::Cycle;

/// What the review shows when a parameter is not set on one side.
pub const NOT_SET: &str = "not set";

/// One row of the review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewRow {
    /// The parameter ("morphine daily dose").
    pub parameter: String,
    /// Under the current programme ([`NOT_SET`] when not set, or no current programme).
    pub current: String,
    /// Under the proposed programme.
    pub proposed: String,
    /// Whether it changes.
    pub changed: bool,
}

/// The review before confirming.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// Whether there is a current programme to compare with (none for a first fill).
    pub has_current: bool,
    /// Every parameter of the programme, the fill and its dates.
    pub rows: Vec<ReviewRow>,
    /// Each drug's maximum possible 24-hour total, before and after.
    pub totals: Vec<ReviewRow>,
}

impl Review {
    /// The changed rows, as a confirmed session records them.
    pub fn changes(&self) -> Vec<Change> {
        self.rows
            .iter()
            .chain(&self.totals)
            .filter(|r| r.changed)
            .map(|r| Change {
                parameter: r.parameter.clone(),
                from: r.current.clone(),
                to: r.proposed.clone(),
            })
            .collect()
    }
}

/// "10 min" under an hour, "1.5 h" from an hour.
fn duration(h: Hours) -> String {
    if h.value() < 1.0 {
        format!("{} min", format_number(h.value() * 60.0))
    } else {
        h.ismp()
    }
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The programme in full: the pump and fill, each drug, how the programme is set, the rate, flex
/// steps, every bolus (the patient bolus with each drug's dose per press), priming, bridge, MRI,
/// and the dates that follow (alarm and empty at the programmed rate without patient boluses, the
/// earliest possible empty date, and the refill-by date, which allows for both).
pub fn programme(plan: &Plan, outcome: &Outcome) -> Vec<Figure> {
    let mut f = vec![
        Figure::text("Pump", outcome.pump.name.clone()),
        Figure::text("Fill date", format_date_time(outcome.fill.filled_at)),
        Figure::quantity("Fill volume", outcome.fill.volume.value(), "mL"),
        Figure::quantity(
            "Low-reservoir alarm volume",
            outcome.fill.low_reservoir_alarm.value(),
            "mL",
        ),
    ];
    for d in &outcome.drugs {
        let name = &d.display_name;
        f.push(Figure::text(&format!("{name} concentration"), d.concentration.ismp()));
        f.push(Figure::text(&format!("{name} daily dose"), d.daily_dose.ismp()));
    }
    let lead_name = |lead: usize| {
        outcome
            .drugs
            .get(lead)
            .map(|d| d.display_name.clone())
            .unwrap_or_default()
    };
    let set_by = match &plan.programme {
        Programme::LeadDose { lead } if plan.flex.is_some() => {
            format!("flex steps of the lead drug ({})", lead_name(*lead))
        }
        Programme::LeadDose { lead } => format!("the lead drug's daily dose ({})", lead_name(*lead)),
        Programme::Rate { .. } => "the flow rate".to_owned(),
        Programme::ConstantFlow => "the pump (constant flow)".to_owned(),
    };
    f.push(Figure::text("Programme set by", set_by));
    f.push(Figure::quantity("Flow rate", outcome.flow_rate.value(), "mL/day"));
    flex_and_boluses(plan, outcome, &mut f);
    if let Some(m) = &plan.csf.mri {
        f.push(Figure::text(
            "MRI",
            format!("{}, {}", format_date_time(m.at), duration(m.duration)),
        ));
    }
    if let Some(n) = outcome.nominal() {
        f.push(Figure::text("Low-reservoir alarm date", format_date_time(n.alarm_at)));
        f.push(Figure::text("Empty date", format_date_time(n.empty_at)));
    }
    f.push(Figure::text(
        "Earliest possible empty date (every allowed patient bolus, fast edge of the flow accuracy)",
        format_date_time(outcome.earliest_empty),
    ));
    f.push(Figure::text(
        "Refill by",
        format_date_time(outcome.refill_by.binding.at),
    ));
    f
}

fn flex_and_boluses(plan: &Plan, outcome: &Outcome, f: &mut Vec<Figure>) {
    if let Some(flex) = &plan.flex {
        let cycle = match flex.cycle {
            Cycle::Day => "every 24 hours",
            Cycle::Week => "every 7 days",
        };
        f.push(Figure::text("Flex cycle", cycle.to_owned()));
        for (i, step) in flex.steps.iter().enumerate() {
            let day = match flex.cycle {
                Cycle::Week => format!("{} ", WEEKDAYS.get(usize::from(step.day)).unwrap_or(&"?")),
                Cycle::Day => String::new(),
            };
            f.push(Figure::text(
                &format!("Flex step {}", i + 1),
                format!("from {day}{}: {}", step.start, step.daily_dose.ismp()),
            ));
        }
    }
    let b = &plan.boluses;
    for (i, p) in b.periodic.iter().enumerate() {
        f.push(Figure::text(
            &format!("Periodic bolus {}", i + 1),
            format!(
                "{} over {} every {}, first {}",
                p.volume.ismp(),
                duration(p.duration),
                duration(p.interval),
                format_date_time(p.first)
            ),
        ));
    }
    for (i, s) in b.single.iter().enumerate() {
        f.push(Figure::text(
            &format!("Single bolus {}", i + 1),
            format!(
                "{} over {} at {}",
                s.volume.ismp(),
                duration(s.duration),
                format_date_time(s.at)
            ),
        ));
    }
    if let Some(p) = &b.patient {
        f.push(Figure::text(
            "Patient bolus (myPTM)",
            format!(
                "{} over {}, lockout {}, at most {} a day",
                p.volume.ismp(),
                duration(p.duration),
                duration(p.lockout),
                p.max_per_day
            ),
        ));
        for d in &outcome.drugs {
            f.push(Figure::text(
                &format!("{} per patient bolus", d.display_name),
                d.concentration.amount_in(p.volume).ismp(),
            ));
        }
        if let Some(n) = b.typical_per_day {
            f.push(Figure::text("Typical patient boluses a day", n.to_string()));
        }
    }
    if let Some(p) = &b.priming {
        f.push(Figure::text(
            "Priming bolus",
            format!("from {} over {}", format_date_time(p.at), duration(p.duration)),
        ));
    }
    if let Some(p) = &b.bridge {
        f.push(Figure::text("Bridge bolus", format!("from {}", format_date_time(p.at))));
    }
}

/// One flex step on the 24-hour timeline: where it starts and ends (fractions of the day, in
/// order from midnight) and its words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineStep {
    /// Start, 0 to 1 of the day.
    pub from: f64,
    /// End, 0 to 1 of the day.
    pub to: f64,
    /// "08:00–20:00: 3 mg/day".
    pub label: String,
}

fn minutes(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.split_once(':')?;
    let (h, m): (u32, u32) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// The steps of a 24-hour flex cycle on a timeline from midnight (the step running at midnight
/// wraps round: it is shown from midnight and again up to midnight). Empty for a 7-day cycle or
/// without flex.
pub fn flex_timeline(plan: &Plan) -> Vec<TimelineStep> {
    let Some(flex) = plan.flex.as_ref().filter(|f| f.cycle == Cycle::Day) else {
        return Vec::new();
    };
    let mut steps: Vec<(u32, String)> = flex
        .steps
        .iter()
        .filter_map(|s| Some((minutes(&s.start)?, s.daily_dose.ismp())))
        .collect();
    steps.sort_by_key(|(m, _)| *m);
    let Some(last) = steps.last().cloned() else {
        return Vec::new();
    };
    if steps.first().is_some_and(|(m, _)| *m > 0) {
        steps.insert(0, (0, last.1.clone()));
    }
    let hhmm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
    steps
        .iter()
        .enumerate()
        .map(|(i, (start, dose))| {
            let end = steps.get(i + 1).map_or(24 * 60, |(m, _)| *m);
            TimelineStep {
                from: f64::from(*start) / 1440.0,
                to: f64::from(end) / 1440.0,
                label: format!("{}\u{2013}{}: {dose}", hhmm(*start), hhmm(end)),
            }
        })
        .filter(|s| s.to > s.from)
        .collect()
}

/// Each drug's maximum possible 24-hour total.
pub fn totals(outcome: &Outcome) -> Vec<Figure> {
    outcome
        .drugs
        .iter()
        .map(|d| {
            Figure::text(
                &format!("{} maximum possible per 24 h", d.display_name),
                d.daily_maximum.ismp(),
            )
        })
        .collect()
}

/// Rows for the figures of both sides, by name: the proposed order first, then what only the
/// current programme has.
fn rows(current: &[Figure], proposed: &[Figure]) -> Vec<ReviewRow> {
    let value = |list: &[Figure], name: &str| list.iter().find(|f| f.name == name).map(|f| f.display.clone());
    let names = proposed.iter().map(|f| &f.name).chain(
        current
            .iter()
            .map(|f| &f.name)
            .filter(|n| !proposed.iter().any(|p| &p.name == *n)),
    );
    names
        .map(|name| {
            let (c, p) = (value(current, name), value(proposed, name));
            ReviewRow {
                parameter: name.clone(),
                changed: c != p,
                current: c.unwrap_or_else(|| NOT_SET.to_owned()),
                proposed: p.unwrap_or_else(|| NOT_SET.to_owned()),
            }
        })
        .collect()
}

/// The review of `proposed` against `current` (absent for a first fill: every row is new).
pub fn review(current: Option<(&Plan, &Outcome)>, proposed: (&Plan, &Outcome)) -> Review {
    let (before, before_totals) = current.map_or((Vec::new(), Vec::new()), |(p, o)| (programme(p, o), totals(o)));
    Review {
        has_current: current.is_some(),
        rows: rows(&before, &programme(proposed.0, proposed.1)),
        totals: rows(&before_totals, &totals(proposed.1)),
    }
}
