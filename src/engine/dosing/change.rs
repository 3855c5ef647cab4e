//! The change from the current programme: no current programme to compare with, the 1.5 × jump
//! (our design), titration steps and spacing (the library's rules), a drug stopped, and a change of
//! drug or an added opioid compared as intrathecal morphine equivalents. And the flex steps far from
//! the current programme, named next to the step.

use serde::{Deserialize, Serialize};

use super::limits::{CheckContext, CheckedDrug, above, below, found};
use crate::engine::catalogue::drug_rules::{GuidanceWhen, TitrationRule};
use crate::engine::catalogue::library::{DrugEntry, Severity};
use crate::engine::catalogue::pump::Mark;
use crate::engine::plan::findings::{Finding, FindingKey, FindingKind, NamedDose, Origin, TitrationBreach};
use crate::engine::plan::model::{CurrentTotal, Plan, TitrationHistory};
use crate::engine::quantities::dose::AnyDoseRate;

/// A proposed programme whose maximum 24-hour total of a drug rises by more than this factor over
/// the current programme, or falls below its inverse, needs an acknowledgement (our design: a
/// safety net for a flex step typed per hour instead of per day, or the reverse; not a published
/// threshold).
pub const JUMP_FACTOR: f64 = 1.5;

/// A flex step whose daily dose is more than this many times the current programme's 24-hour
/// total, or less than its 1 ÷ this, is named next to the step (our design: a per-hour dose typed
/// as per day is 24 times too low, per day typed as per hour 24 times too high).
pub const STEP_FACTOR: f64 = 2.0;

/// Every finding of the change from the current programme.
pub fn findings(cx: &CheckContext<'_>, drugs: &[CheckedDrug<'_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    let current = &cx.plan.current_programme;
    if current.is_empty() {
        let new_pump = cx.plan.fill.new_pump;
        out.push(found(
            Severity::Info,
            FindingKey::rule("no_current_programme"),
            FindingKind::NoCurrentProgramme { new_pump },
            None,
            Origin::None,
            "info/no-current-programme".into(),
        ));
        return out;
    }
    for drug in drugs {
        if let Some(c) = current.iter().find(|c| c.drug == drug.entry.id) {
            out.extend(jump(drug, c.daily_maximum));
            titration(&mut out, cx, drug, c.daily_maximum);
        }
    }
    stopping(&mut out, cx, drugs);
    out.extend(drug_change(cx, drugs));
    out
}

fn jump(drug: &CheckedDrug<'_>, current: AnyDoseRate) -> Option<Finding> {
    let proposed = drug.daily_maximum;
    if current.family() != proposed.family() || current.value() <= 0.0 {
        return None;
    }
    let ratio = proposed.value() / current.value();
    if (ratio - 1.0).abs() < 1e-9 {
        return None;
    }
    // A fall to less than 1 ÷ 1.5 of the current total needs an acknowledgement too: a dose per
    // day typed per hour is 24 times too low, and an abrupt cut risks withdrawal (baclofen's boxed
    // warning, cloNIDine's rebound hypertension, opioids).
    let soft = ratio > JUMP_FACTOR || ratio * JUMP_FACTOR < 1.0;
    let entry = drug.entry;
    Some(found(
        if soft { Severity::Soft } else { Severity::Info },
        FindingKey::rule("jump")
            .drug(&entry.id)
            .bound(current.ismp())
            .value(proposed.ismp()),
        FindingKind::Jump {
            drug: entry.display_name.clone(),
            current,
            proposed,
        },
        Some(drug.index),
        Origin::Design,
        format!("{}/jump/{}/{}", entry.id, current.value(), proposed.value()),
    ))
}

/// A rise checked against each titration rule that applies in the library's region (and to the
/// drug's stated condition).
fn titration(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drug: &CheckedDrug<'_>, current: AnyDoseRate) {
    let proposed = drug.daily_maximum;
    if current.family() != proposed.family() || !above(proposed.value(), current.value()) {
        return;
    }
    let entry = drug.entry;
    let history = cx.plan.titration.as_ref();
    let mut unknown = false;
    for (i, rule) in entry
        .titration
        .iter()
        .enumerate()
        .filter(|(_, r)| r.applies_in(cx.region()) && r.applies_to(drug.condition))
    {
        let breaches = breaches(rule, current, proposed, history, cx.plan.fill.filled_at, &mut unknown);
        for breach in breaches {
            out.push(found(
                rule.severity,
                FindingKey::rule(&format!("titration.{}", breach.key()))
                    .drug(&entry.id)
                    .bound(breach.bound())
                    .value(format!("{} \u{2192} {}", current.ismp(), proposed.ismp())),
                FindingKind::Titration {
                    drug: entry.display_name.clone(),
                    current,
                    proposed,
                    breach,
                    condition: rule.condition.clone(),
                    regions: rule.regions.clone(),
                },
                Some(drug.index),
                Origin::Source {
                    source: rule.source.clone(),
                    mark: rule.mark,
                },
                format!(
                    "{}/titration/{i}/{}/{}/{}",
                    entry.id,
                    breach.key(),
                    current.ismp(),
                    proposed.ismp()
                ),
            ));
        }
    }
    if unknown {
        out.push(found(
            Severity::Info,
            FindingKey::rule("titration.history_unknown").drug(&entry.id),
            FindingKind::TitrationHistoryUnknown {
                drug: entry.display_name.clone(),
            },
            Some(drug.index),
            Origin::None,
            format!("{}/titration/history-unknown", entry.id),
        ));
    }
}

/// What a rise from `current` to `proposed` breaks of `rule`; sets `unknown` when the history
/// needed for its spacing is missing.
fn breaches(
    rule: &TitrationRule,
    current: AnyDoseRate,
    proposed: AnyDoseRate,
    history: Option<&TitrationHistory>,
    change_at: jiff::civil::DateTime,
    unknown: &mut bool,
) -> Vec<TitrationBreach> {
    let step = proposed.value() - current.value();
    let mut out = Vec::new();
    if let Some(max) = rule.max_step
        && above(step, max)
    {
        out.push(TitrationBreach::Step { max });
    }
    if let Some(max) = rule.max_percent {
        // percent = (proposed − current) ÷ current × 100
        let percent = step / current.value() * 100.0;
        if above(percent, max) {
            out.push(TitrationBreach::Percent { percent, max });
        }
    }
    if let Some(min) = rule.min_hours_between {
        match history.and_then(|h| h.last_change) {
            Some(last) => {
                let hours = last.duration_until(change_at).as_secs_f64() / 3600.0;
                if below(hours, min) {
                    out.push(TitrationBreach::Spacing {
                        hours: hours.max(0.0),
                        min,
                    });
                }
            }
            None => *unknown = true,
        }
    }
    if let Some(max) = rule.max_increases_per_week {
        match history.and_then(|h| h.increases_past_week) {
            Some(rises) if rises.saturating_add(1) > max => out.push(TitrationBreach::Weekly { rises, max }),
            Some(_) => {}
            None => *unknown = true,
        }
    }
    out
}

/// Drugs of the current programme that the proposed one stops, with their labels' stopping advice
/// (cloNIDine: taper over 2–4 days).
fn stopping(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drugs: &[CheckedDrug<'_>]) {
    for c in removed(cx.plan, drugs) {
        let Some(entry) = cx.library.get(&c.drug) else { continue };
        for (i, g) in entry
            .guidance
            .iter()
            .enumerate()
            .filter(|(_, g)| g.when == GuidanceWhen::Stopping)
        {
            out.push(found(
                Severity::Soft,
                FindingKey::rule("stopping")
                    .drug(&entry.id)
                    .bound(c.daily_maximum.ismp()),
                FindingKind::Stopping {
                    drug: entry.display_name.clone(),
                    current: c.daily_maximum,
                    text: g.text.clone(),
                },
                None,
                Origin::Source {
                    source: g.source.clone(),
                    mark: g.mark,
                },
                format!("{}/stopping/{i}", entry.id),
            ));
        }
    }
}

fn removed<'p>(plan: &'p Plan, drugs: &[CheckedDrug<'_>]) -> Vec<&'p CurrentTotal> {
    plan.current_programme
        .iter()
        .filter(|c| !drugs.iter().any(|d| d.entry.id == c.drug))
        .collect()
}

/// A drug of the current programme replaced by another, or an opioid added: the totals as
/// intrathecal morphine equivalents where every drug involved has one (the range's high end for a
/// drug added, its low end for a drug dropped: the comparison errs towards a rise). Either way it
/// needs an acknowledgement: a switch of opioid usually starts lower (incomplete cross-tolerance).
fn drug_change(cx: &CheckContext<'_>, drugs: &[CheckedDrug<'_>]) -> Option<Finding> {
    let dropped = removed(cx.plan, drugs);
    let added: Vec<&CheckedDrug<'_>> = drugs
        .iter()
        .filter(|d| !cx.plan.current_programme.iter().any(|c| c.drug == d.entry.id))
        .collect();
    let opioid_added = added.iter().any(|d| d.entry.is_in_class("opioid"));
    if added.is_empty() || (dropped.is_empty() && !opioid_added) {
        return None;
    }
    let entry_of = |id: &str| cx.library.get(id);
    let named = |e: Option<&DrugEntry>, id: &str| e.map_or(id.to_owned(), |e| e.display_name.clone());
    let current: Vec<NamedDose> = dropped
        .iter()
        .map(|c| (named(entry_of(&c.drug), &c.drug), c.daily_maximum))
        .collect();
    let proposed: Vec<NamedDose> = added
        .iter()
        .map(|d| (d.entry.display_name.clone(), d.daily_maximum))
        .collect();
    // Opioid load before and after: every opioid of the current and of the proposed programme.
    let equivalents = equivalents(cx, drugs);
    let marks = cx
        .plan
        .current_programme
        .iter()
        .filter_map(|c| entry_of(&c.drug))
        .chain(drugs.iter().map(|d| d.entry))
        .filter_map(|e| e.intrathecal_morphine_equivalent.as_ref().map(|q| q.mark));
    // The key names drugs by their library ids (display names may change with Tall Man lettering).
    let keyed = |doses: Vec<(&str, crate::engine::AnyDoseRate)>| {
        doses
            .iter()
            .map(|(id, d)| format!("{id} {}", d.ismp()))
            .collect::<Vec<_>>()
            .join("+")
    };
    let mut ids: Vec<&str> = dropped.iter().map(|c| c.drug.as_str()).collect();
    ids.extend(added.iter().map(|d| d.entry.id.as_str()));
    let origin = match (equivalents, weakest(marks)) {
        (Some(_), Some(mark)) => Origin::Source {
            source: "intrathecal morphine equivalents from the drug library".into(),
            mark,
        },
        _ => Origin::Design,
    };
    // The key names the drugs dropped (none when an opioid is only added) and the drugs added.
    let mut key = FindingKey::rule("drug_change").value(keyed(
        added.iter().map(|d| (d.entry.id.as_str(), d.daily_maximum)).collect(),
    ));
    if !dropped.is_empty() {
        key = key.bound(keyed(
            dropped.iter().map(|c| (c.drug.as_str(), c.daily_maximum)).collect(),
        ));
    }
    Some(found(
        Severity::Soft,
        key,
        FindingKind::DrugChange {
            current,
            proposed,
            equivalents,
        },
        None,
        origin,
        format!("drug_change/{}", ids.join("/")),
    ))
}

/// (before, after) opioid load as intrathecal morphine equivalents, mg/day, when every opioid
/// involved has an equivalent in the library.
fn equivalents(cx: &CheckContext<'_>, drugs: &[CheckedDrug<'_>]) -> Option<(f64, f64)> {
    let current_ids: Vec<&str> = cx.plan.current_programme.iter().map(|c| c.drug.as_str()).collect();
    let before: Option<Vec<f64>> = cx
        .plan
        .current_programme
        .iter()
        .filter_map(|c| cx.library.get(&c.drug).map(|e| (c, e)))
        .filter(|(_, e)| e.is_in_class("opioid"))
        .map(|(c, e)| {
            let q = e.intrathecal_morphine_equivalent.as_ref()?;
            // A drug kept counts at its low end on both sides; a drug dropped at its low end.
            Some(c.daily_maximum.value() * q.value)
        })
        .collect();
    let after: Option<Vec<f64>> = drugs
        .iter()
        .filter(|d| d.entry.is_in_class("opioid"))
        .map(|d| {
            let q = d.entry.intrathecal_morphine_equivalent.as_ref()?;
            let added = !current_ids.contains(&d.entry.id.as_str());
            let factor = if added { q.high.unwrap_or(q.value) } else { q.value };
            Some(d.daily_maximum.value() * factor)
        })
        .collect();
    Some((before?.iter().sum(), after?.iter().sum()))
}

/// The least checked of some marks: unverified, then secondary, then the rest.
fn weakest(marks: impl Iterator<Item = Mark>) -> Option<Mark> {
    let rank = |m: &Mark| match m {
        Mark::Unverified => 0,
        Mark::Secondary => 1,
        Mark::Institution => 2,
        Mark::Verified => 3,
    };
    marks.min_by_key(rank)
}

/// A flex step far from the current programme's 24-hour total of the lead drug.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepNote {
    /// The step (0-based).
    pub step: usize,
    /// The step's dose per day.
    pub dose: AnyDoseRate,
    /// The current programme's maximum 24-hour total.
    pub current: AnyDoseRate,
}

/// Flex steps whose daily dose is more than [`STEP_FACTOR`] times the current programme's 24-hour
/// total of the lead drug, or less than 1 ÷ [`STEP_FACTOR`] of it.
pub fn step_notes(plan: &Plan, lead: Option<&DrugEntry>) -> Vec<StepNote> {
    let (Some(flex), Some(lead)) = (&plan.flex, lead) else {
        return Vec::new();
    };
    let Some(current) = plan.current_programme.iter().find(|c| c.drug == lead.id) else {
        return Vec::new();
    };
    flex.steps
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            let (dose, now) = (s.daily_dose.value(), current.daily_maximum.value());
            s.daily_dose.family() == current.daily_maximum.family()
                && now > 0.0
                && (above(dose, STEP_FACTOR * now) || below(dose * STEP_FACTOR, now))
        })
        .map(|(i, s)| StepNote {
            step: i,
            dose: s.daily_dose,
            current: current.daily_maximum,
        })
        .collect()
}
