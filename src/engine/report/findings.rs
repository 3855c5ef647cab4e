//! Findings in words: each kind's message, its source line and mark, its acknowledgement.

use serde::{Deserialize, Serialize};

use crate::engine::catalogue::library::{Bound, Severity};
use crate::engine::catalogue::pump::Mark;
use crate::engine::dosing::change::JUMP_FACTOR;
use crate::engine::format::{Display as _, format_date_time, format_number, with_unit};
use crate::engine::plan::findings::{Finding, FindingKey, FindingKind, LimitSubject, Origin, TitrationBreach};
use crate::engine::reservoir::visit::Direction;

/// A finding as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingView {
    /// Its identity (what an acknowledgement records).
    pub key: FindingKey,
    /// Hard, soft or info.
    pub severity: Severity,
    /// "Hard limit — blocked", "Acknowledge to proceed", "Info".
    pub label: String,
    /// What was found.
    pub message: String,
    /// Where the rule comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// How far the source has been checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<Mark>,
    /// The recorded acknowledgement, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgement: Option<String>,
    /// A soft finding with no acknowledgement yet.
    pub needs_acknowledgement: bool,
}

pub(super) fn view(f: &Finding) -> FindingView {
    let (source, mark) = match &f.origin {
        Origin::Source { source, mark } => (Some(source.clone()), Some(*mark)),
        Origin::Cited { source } => (Some(source.clone()), None),
        Origin::Design => (Some(design_source(&f.kind)), None),
        Origin::None => (None, None),
    };
    FindingView {
        key: f.key.clone(),
        severity: f.severity,
        label: match f.severity {
            Severity::Hard => "Hard limit \u{2014} blocked",
            Severity::Soft => "Acknowledge to proceed",
            Severity::Info => "Info",
        }
        .to_owned(),
        message: finding_message(&f.kind),
        source,
        mark,
        acknowledgement: f
            .acknowledged
            .as_ref()
            .map(|a| format!("Acknowledged {}: {}", format_date_time(a.at), a.reason)),
        needs_acknowledgement: f.severity == Severity::Soft && f.acknowledged.is_none(),
    }
}

/// The source line of a rule of our own design.
fn design_source(kind: &FindingKind) -> String {
    match kind {
        FindingKind::Jump { .. } | FindingKind::DrugChange { .. } => format!(
            "itdose: a rise to more than {0} times the current 24-hour total, or a fall to less than 1 \u{f7} {0} of it, needs an acknowledgement (our design, not a published threshold)",
            format_number(JUMP_FACTOR)
        ),
        FindingKind::ConcentrationChange { .. } => {
            "itdose: the old solution ahead of the new one is delivered at the new rate unless a bridge bolus is programmed (our design)".into()
        }
        FindingKind::VisitLate { .. } => "itdose: the visit is after the refill-by date (our design)".into(),
        _ => "itdose (our design)".into(),
    }
}

fn scope(condition: &str, regions: &[String]) -> String {
    let mut parts = Vec::new();
    if !condition.is_empty() {
        parts.push(condition.to_owned());
    }
    if !regions.is_empty() {
        parts.push(format!("{} labelling", regions.join(", ")));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

fn subject(s: LimitSubject) -> &'static str {
    match s {
        LimitSubject::Concentration => "concentration",
        LimitSubject::DailyDose => "daily dose",
        LimitSubject::MaximumDailyDose => "maximum possible daily dose",
        LimitSubject::PeriodicBolus => "periodic bolus",
        LimitSubject::SingleBolus => "single bolus",
        LimitSubject::PatientBolus => "patient bolus",
    }
}

fn names(list: &[String]) -> String {
    list.join(", ")
}

/// What a finding says, values ISMP-formatted.
pub fn finding_message(kind: &FindingKind) -> String {
    match kind {
        FindingKind::Limit { .. } => limit_message(kind),
        FindingKind::Start { .. } | FindingKind::NewPumpConcentration { .. } | FindingKind::Rinse { .. } => {
            start_message(kind)
        }
        FindingKind::Jump { .. }
        | FindingKind::Titration { .. }
        | FindingKind::TitrationHistoryUnknown { .. }
        | FindingKind::Stopping { .. }
        | FindingKind::DrugChange { .. }
        | FindingKind::NoCurrentProgramme { .. } => change_message(kind),
        FindingKind::VisitAfterEmpty { .. }
        | FindingKind::VisitLate { .. }
        | FindingKind::VisitDiscrepancy { .. }
        | FindingKind::AfterRefill { .. } => visit_message(kind),
        _ => other_message(kind),
    }
}

fn limit_message(kind: &FindingKind) -> String {
    let FindingKind::Limit {
        drug,
        subject: s,
        bound,
        severity,
        limit,
        value,
        unit,
        condition,
        regions,
    } = kind
    else {
        return String::new();
    };
    let word = match bound {
        Bound::Max => "above",
        Bound::Min => "below",
    };
    let level = match severity {
        Severity::Hard => "hard",
        Severity::Soft => "soft",
        Severity::Info => "reference",
    };
    format!(
        "{drug} {} {} is {word} the {level} limit of {}{}.",
        subject(*s),
        with_unit(*value, unit),
        with_unit(*limit, unit),
        scope(condition, regions)
    )
}

fn start_message(kind: &FindingKind) -> String {
    match kind {
        FindingKind::Start {
            drug,
            new_pump,
            current_unknown,
            dose,
            max,
        } => {
            let how = if *new_pump {
                " is being started in a new pump:"
            } else if *current_unknown {
                ", if it is being started (no current programme is set):"
            } else {
                " is being started:"
            };
            format!(
                "{drug}{how} {} is above the starting dose of at most {}.",
                dose.ismp(),
                with_unit(*max, &dose.symbol())
            )
        }
        FindingKind::NewPumpConcentration {
            drug,
            concentration,
            only,
        } => format!(
            "{drug} {} in a new pump: the first fill of a new pump is undiluted {} only (from {} vials, no diluent).",
            concentration.ismp(),
            with_unit(*only, &concentration.symbol()),
            with_unit(*only, &concentration.symbol())
        ),
        FindingKind::Rinse {
            drug,
            times,
            each,
            strength,
        } => format!(
            "Before the first fill, rinse the new pump {times} \u{d7} {} with {drug}{} (on the compounding worksheet).",
            each.ismp(),
            strength.map(|s| format!(" {}", s.ismp())).unwrap_or_default()
        ),
        _ => String::new(),
    }
}

fn change_message(kind: &FindingKind) -> String {
    match kind {
        FindingKind::NoCurrentProgramme { new_pump: true } => {
            "First fill of a new pump: there is no current programme to compare with; starting doses are checked against the library.".into()
        }
        FindingKind::NoCurrentProgramme { new_pump: false } => {
            "No current programme is set: the change in each 24-hour total, the 1.5 \u{d7} jump and titration steps are not checked; starting doses are checked in case a drug is being started.".into()
        }
        FindingKind::Jump {
            drug,
            current,
            proposed,
        } => jump_message(drug, *current, *proposed),
        FindingKind::Titration { .. } => titration_message(kind),
        FindingKind::TitrationHistoryUnknown { drug } => format!(
            "{drug}: enter the date of the last dose change and the rises in the past 7 days to check the spacing of titration steps."
        ),
        FindingKind::Stopping { drug, current, text } => {
            format!("{drug} ({} now) is not in the proposed programme. {text}", current.ismp())
        }
        FindingKind::DrugChange { .. } => drug_change_message(kind),
        _ => String::new(),
    }
}

fn jump_message(drug: &str, current: crate::engine::AnyDoseRate, proposed: crate::engine::AnyDoseRate) -> String {
    let ratio = proposed.value() / current.value();
    let change = (ratio - 1.0) * 100.0;
    if beyond(ratio) {
        return format!(
            "{drug} maximum 24-hour total changes from {} (current programme) to {} (proposed): {FROM_NOTHING}.",
            current.ismp(),
            proposed.ismp()
        );
    }
    format!(
        "{drug} maximum 24-hour total changes from {} (current programme) to {} (proposed): {}{} %, {} times the current.{}",
        current.ismp(),
        proposed.ismp(),
        if change > 0.0 { "+" } else { "" },
        format_number(change),
        format_number(ratio),
        if ratio * JUMP_FACTOR < 1.0 {
            " An abrupt reduction risks withdrawal: check it is intended."
        } else {
            ""
        }
    )
}

fn titration_message(kind: &FindingKind) -> String {
    let FindingKind::Titration {
        drug,
        current,
        proposed,
        breach,
        condition,
        regions,
    } = kind
    else {
        return String::new();
    };
    let per_day = proposed.symbol();
    let step = proposed.value() - current.value();
    let change = format!(
        "{drug} rises from {} to {} (+{})",
        current.ismp(),
        proposed.ismp(),
        with_unit(step, &per_day)
    );
    let scope = scope(condition, regions);
    match breach {
        TitrationBreach::Step { max } => format!(
            "{change}: a step above the titration step of at most {}{scope}.",
            with_unit(*max, &per_day)
        ),
        // From 0 a rise is no percentage at all (÷ 0): said in words, never "+not a number %".
        TitrationBreach::Percent { percent, max } if beyond(*percent / 100.0 + 1.0) => format!(
            "{change}: {FROM_NOTHING}; the titration step is at most +{} % per 24 h{scope}.",
            format_number(*max)
        ),
        TitrationBreach::Percent { percent, max } => format!(
            "{change}: +{} % is above the titration step of at most +{} % per 24 h{scope}.",
            format_number(*percent),
            format_number(*max)
        ),
        TitrationBreach::Spacing { hours, min } => format!(
            "{change} {} h after the last change: at least {} h apart{scope}.",
            format_number(*hours),
            format_number(*min)
        ),
        TitrationBreach::Weekly { rises, max } => format!(
            "{change}: with the {rises} rise{} in the past 7 days this is rise {} in a week; at most {max}{scope}.",
            if *rises == 1 { "" } else { "s" },
            rises.saturating_add(1)
        ),
    }
}

/// A rise to more than this many times the current (from 0, or from almost nothing) is said in
/// words: its ratio or percentage is no number (÷ 0) or one of hundreds of digits.
const BEYOND_RATIO: f64 = 1000.0;

/// Whether a ratio of proposed to current is beyond words as a number (or no number at all).
fn beyond(ratio: f64) -> bool {
    ratio.is_nan() || ratio >= BEYOND_RATIO
}

/// What such a rise is said as.
const FROM_NOTHING: &str = "more than 1,000 times the current (a rise from nothing or almost nothing)";

fn drug_change_message(kind: &FindingKind) -> String {
    let FindingKind::DrugChange {
        current,
        proposed,
        equivalents,
    } = kind
    else {
        return String::new();
    };
    let list = |doses: &[crate::engine::plan::findings::NamedDose]| {
        doses
            .iter()
            .map(|(n, d)| format!("{n} {}", d.ismp()))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let head = if current.is_empty() {
        format!("An opioid is added: {} (proposed).", list(proposed))
    } else {
        format!(
            "The drug changes: {} (current) \u{2192} {} (proposed).",
            list(current),
            list(proposed)
        )
    };
    let tail = "a switch of opioid usually starts lower, for incomplete cross-tolerance (CDC 2022)";
    match equivalents {
        Some((before, after)) if *before <= 0.0 => format!(
            "{head} No opioid is in the current programme: {} as intrathecal morphine equivalent is an opioid start; check it against the starting dose.",
            with_unit(*after, "mg/day")
        ),
        Some((before, after)) if beyond(after / before) => format!(
            "{head} Opioids as intrathecal morphine equivalents: {} \u{2192} {}, {FROM_NOTHING}: above {} times. Check the conversion: {tail}.",
            with_unit(*before, "mg/day"),
            with_unit(*after, "mg/day"),
            format_number(JUMP_FACTOR)
        ),
        Some((before, after)) => {
            let ratio = after / before;
            format!(
                "{head} Opioids as intrathecal morphine equivalents: {} \u{2192} {}, {} times the current{}. Check the conversion: {tail}.",
                with_unit(*before, "mg/day"),
                with_unit(*after, "mg/day"),
                format_number(ratio),
                if ratio > JUMP_FACTOR {
                    format!(": above {} times", format_number(JUMP_FACTOR))
                } else {
                    String::new()
                }
            )
        }
        None => format!(
            "{head} The library has no intrathecal morphine equivalent for every opioid involved, so the totals cannot be compared: check the conversion ({tail})."
        ),
    }
}

fn visit_message(kind: &FindingKind) -> String {
    match kind {
        FindingKind::VisitAfterEmpty {
            empty_at,
            found_empty,
            opioids,
            others,
        } => {
            let mut text = if *found_empty {
                "Nothing could be withdrawn: the pump was found empty.".to_owned()
            } else {
                format!(
                    "The visit is after the earliest date the pump could be empty ({}, every allowed patient bolus, fast edge of the flow accuracy).",
                    format_date_time(*empty_at)
                )
            };
            text.push_str(" Running the pump empty is a risk factor for over-infusion when it restarts.");
            if !opioids.is_empty() {
                text.push_str(&format!(
                    " {}: the patient may have lost opioid tolerance; restarting at the previous dose may overdose an opioid-naive patient: assess and restart low.",
                    names(opioids)
                ));
            }
            if !others.is_empty() {
                text.push_str(&format!(
                    " {}: assess for withdrawal (baclofen: boxed warning; cloNIDine: rebound hypertension) and restart under supervision.",
                    names(others)
                ));
            }
            text
        }
        FindingKind::VisitLate { refill_by } => format!(
            "The visit is after the refill-by date ({}): check the reservoir volume and the patient before refilling.",
            format_date_time(*refill_by)
        ),
        FindingKind::VisitDiscrepancy {
            direction,
            withdrawn,
            expected,
            threshold,
            amount,
        } => {
            let amount = format_number(*amount);
            match direction {
                Direction::Shortfall => format!(
                    "Withdrawn {} is {amount} mL less than the expected {} (flag beyond {}): possible over-infusion \u{2014} the patient may have received more drug than programmed \u{2014} or part of the last fill went into the pocket. Assess the patient for overdose and interrogate the pump before refilling.",
                    withdrawn.ismp(),
                    expected.ismp(),
                    threshold.ismp()
                ),
                Direction::Excess => format!(
                    "Withdrawn {} is {amount} mL more than the expected {} (flag beyond {}): possible under-infusion \u{2014} a pump stall or a catheter occlusion, kink or leak. Assess the patient for withdrawal and check the pump and catheter before refilling.",
                    withdrawn.ismp(),
                    expected.ismp(),
                    threshold.ismp()
                ),
            }
        }
        FindingKind::AfterRefill {
            less,
            confirmed,
            expected,
            threshold,
            amount,
        } => {
            let amount = format_number(*amount);
            if *less {
                format!(
                    "After the refill {} is confirmed in the reservoir, {amount} mL less than the {} that should be there (flag beyond {} for this pump): possible pocket fill \u{2014} drug may be in the subcutaneous pocket. Monitor for overdose and follow the manufacturer's emergency procedure for a pocket fill.",
                    confirmed.ismp(),
                    expected.ismp(),
                    threshold.ismp()
                )
            } else {
                format!(
                    "After the refill {} is confirmed in the reservoir, {amount} mL more than the {} that should be there (flag beyond {} for this pump): check the residual left after aspiration and the volumes recorded.",
                    confirmed.ismp(),
                    expected.ismp(),
                    threshold.ismp()
                )
            }
        }
        _ => String::new(),
    }
}

fn other_message(kind: &FindingKind) -> String {
    match kind {
        FindingKind::AvoidWith {
            drug,
            others,
            class,
            text,
        } => {
            format!("{drug} with {} ({class}): {text}", names(others))
        }
        FindingKind::Guidance { drug, text } => format!("{drug}: {text}"),
        FindingKind::SuggestedAlarm { drug, suggested, alarm } => format!(
            "{drug}: a low-reservoir alarm of {} is suggested (now {}), so the refill comes before withdrawal.",
            suggested.ismp(),
            alarm.ismp()
        ),
        FindingKind::StockStrength { drug, stock, listed } => format!(
            "{drug} stock {} is not a commercial strength ({}): check the vial label.",
            stock.ismp(),
            listed.iter().map(|c| c.ismp()).collect::<Vec<_>>().join(", ")
        ),
        FindingKind::OffLabel {
            drug,
            pump,
            by_drug,
            approved,
        } => {
            if *by_drug {
                format!(
                    "{drug} is off-label in the {pump}: its labelling names only {}. Pump failure was more than twice as common with off-label use (FDA 2018).",
                    approved.join(", ")
                )
            } else {
                format!(
                    "{drug} is off-label in the {pump}: the drugs approved for it are {}. Pump failure was more than twice as common with off-label drugs (FDA 2018).",
                    approved.join(", ")
                )
            }
        }
        FindingKind::ApprovalUnknown { drug, pump } => format!(
            "The catalogue does not say which drugs are approved for the {pump}: check its labelling for {drug} (off-label use deserves a caution, FDA 2018)."
        ),
        FindingKind::Admixture { drugs } => format!(
            "Admixture of {}: admixtures are off-label in implanted pumps (common practice, but pump failure was more than twice as common with off-label use).",
            names(drugs)
        ),
        _ => pump_message(kind),
    }
}

fn pump_message(kind: &FindingKind) -> String {
    match kind {
        FindingKind::AboveMaximumRate { rate, maximum } => format!(
            "Flow rate {} is above the pump's maximum rate of {}.",
            rate.ismp(),
            maximum.ismp()
        ),
        FindingKind::AlarmBelowRecommended { alarm, recommended } => format!(
            "Low-reservoir alarm {} is below the recommended {}: withdrawal has been reported with residuals above 2 mL.",
            alarm.ismp(),
            recommended.ismp()
        ),
        FindingKind::NoLowConcentrationLimit { drugs } => format!(
            "The drug library sets no low-concentration limit for {}. A concentration entered lower than the real one makes the pump deliver more drug than displayed (ISMP): check the concentration against the bag label.",
            names(drugs)
        ),
        FindingKind::MriEmpty {
            at,
            pump,
            removed,
            drugs,
        } => format!(
            "MRI {}: empty the {pump} before the scan \u{2014} aspirate until it is empty (expected about {}: {}); the field can open both valves and dump the reservoir and catheter contents. The pump is refilled after the scan.",
            format_date_time(*at),
            removed.ismp(),
            drugs
                .iter()
                .map(|(n, a)| format!("{n} {}", a.ismp()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        FindingKind::ConcentrationChange {
            drug,
            old,
            new,
            dead_volume,
            first_day,
        } => format!(
            "{drug} changes from {} to {} with no bridge bolus: the {} ahead of the new solution is delivered at the new rate, {} in the first 24 hours. Consider a bridge bolus.",
            old.ismp(),
            new.ismp(),
            dead_volume.ismp(),
            first_day.ismp()
        ),
        FindingKind::ResidualUnknown {
            fill,
            dead_space,
            capacity,
        } => format!(
            "The residual left in the pump is not entered: the pump can keep up to {}, and {} with it would exceed the {} reservoir. Enter the residual (overfilling is a risk factor for over-infusion).",
            dead_space.ismp(),
            fill.ismp(),
            capacity.ismp()
        ),
        FindingKind::RateDrift { text } => format!("Constant-flow pump: {text}"),
        _ => String::new(),
    }
}
