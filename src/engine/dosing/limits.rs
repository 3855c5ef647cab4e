//! The checks of a plan against the drug library and the pump catalogue, the way dose error
//! reduction software makes them: limits (concentration, maximum possible 24-hour total, each
//! bolus), the change from the current programme (the 1.5 × jump, a change of drug, titration
//! steps and spacing), what a start or a new pump needs, drugs that should not be combined,
//! off-label use, label guidance and a suggested alarm volume.
//!
//! Every check that comes from the library or the catalogue carries the rule's source and mark;
//! the checks that are our design say so.

use jiff::civil::DateTime;

use crate::engine::catalogue::drug_rules::{GuidanceWhen, TitrationRule};
use crate::engine::catalogue::library::{Bound, DrugEntry, DrugLibrary, LimitQuantity, Severity};
use crate::engine::catalogue::pump::{Mark, PumpModel};
use crate::engine::plan::evaluate::{CurrentTotal, JUMP_FACTOR, Plan};
use crate::engine::plan::findings::Finding;
use crate::engine::quantities::dose::{AnyConcentration, AnyDoseRate};
use crate::engine::quantities::format::{format_number, with_unit};
use crate::engine::quantities::units::Millilitres;

/// A flex step whose daily dose is more than this many times the current programme's 24-hour
/// total, or less than its 1 ÷ this, is named next to the step (our design: a per-hour dose typed as per day is 24 times too
/// low, per day typed as per hour 24 times too high).
pub const STEP_FACTOR: f64 = 2.0;

/// Comparisons with a limit use a relative tolerance of 1e-9: 18.5 mcg/mL × (19.2 ÷ 18.5) mL/day is
/// 19.200000000000003 in floating point, which is the limit, not above it.
fn above(value: f64, bound: f64) -> bool {
    value > bound * (1.0 + 1e-9)
}

fn below(value: f64, bound: f64) -> bool {
    value < bound * (1.0 - 1e-9)
}

/// One drug of the plan as the checks see it.
#[derive(Debug, Clone, Copy)]
pub struct CheckedDrug<'a> {
    /// Its line (0-based).
    pub index: usize,
    /// Its library entry.
    pub entry: &'a DrugEntry,
    /// Its concentration in the reservoir.
    pub concentration: AnyConcentration,
    /// The maximum possible 24-hour total.
    pub daily_maximum: AnyDoseRate,
}

/// What the checks need besides the drugs.
#[derive(Debug, Clone, Copy)]
pub struct CheckContext<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// The pump model.
    pub pump: &'a PumpModel,
    /// The drug library in force.
    pub library: &'a DrugLibrary,
    /// The region whose labelling the library follows.
    pub region: &'a str,
    /// Whether the programme has boluses (the daily dose is then the maximum possible).
    pub has_boluses: bool,
    /// The low-reservoir alarm volume.
    pub alarm: Millilitres,
}

/// Every finding of the checks, in no particular order (the caller sorts by severity).
pub fn findings(cx: &CheckContext<'_>, drugs: &[CheckedDrug<'_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    for drug in drugs {
        limits(&mut out, cx, drug);
        bolus_limits(&mut out, cx, drug);
        start_and_new_pump(&mut out, cx, drug);
        combinations(&mut out, drug, drugs);
        guidance(&mut out, cx, drug);
        stock_strength(&mut out, cx, drug);
    }
    programme_change(&mut out, cx, drugs);
    off_label(&mut out, cx, drugs);
    out
}

fn finding(
    severity: Severity,
    key: String,
    drug: Option<usize>,
    message: String,
    source: String,
    mark: Option<Mark>,
) -> Finding {
    Finding {
        severity,
        key,
        drug: Some(drug).flatten(),
        message,
        source: Some(source),
        mark,
        acknowledged: None,
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

/// Concentration and maximum possible 24-hour total against the library's limits.
fn limits(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drug: &CheckedDrug<'_>) {
    let dose_name = if cx.has_boluses {
        "maximum possible daily dose"
    } else {
        "daily dose"
    };
    for (quantity, value, shown, name) in [
        (
            LimitQuantity::Concentration,
            drug.concentration.value(),
            drug.concentration.ismp(),
            "concentration",
        ),
        (
            LimitQuantity::DailyDose,
            drug.daily_maximum.value(),
            drug.daily_maximum.ismp(),
            dose_name,
        ),
    ] {
        limit_check(out, cx, drug, quantity, value, &shown, name);
    }
}

fn limit_check(
    out: &mut Vec<Finding>,
    cx: &CheckContext<'_>,
    drug: &CheckedDrug<'_>,
    quantity: LimitQuantity,
    value: f64,
    shown: &str,
    name: &str,
) {
    let entry = drug.entry;
    for limit in entry.limits_in(quantity, cx.region) {
        let crossed = match limit.bound {
            Bound::Max => above(value, limit.value),
            Bound::Min => below(value, limit.value),
        };
        if !crossed {
            continue;
        }
        let (word, bound) = match limit.bound {
            Bound::Max => ("above", "max"),
            Bound::Min => ("below", "min"),
        };
        let kind = match limit.severity {
            Severity::Hard => "hard",
            Severity::Soft => "soft",
            Severity::Info => "reference",
        };
        out.push(finding(
            limit.severity,
            format!(
                "{}/{}/{bound}/{}/{}",
                entry.id,
                quantity.name().replace(' ', "_"),
                limit.value,
                value
            ),
            Some(drug.index),
            format!(
                "{} {name} {shown} is {word} the {kind} limit of {}{}.",
                entry.display_name,
                with_unit(limit.value, &quantity.unit(entry.family)),
                scope(&limit.condition, &limit.regions)
            ),
            limit.source.clone(),
            Some(limit.mark),
        ));
    }
}

/// Each bolus's dose (periodic, single, patient: volume × concentration) against per-bolus limits.
fn bolus_limits(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drug: &CheckedDrug<'_>) {
    if drug
        .entry
        .limits_in(LimitQuantity::BolusDose, cx.region)
        .next()
        .is_none()
    {
        return;
    }
    let boluses = &cx.plan.boluses;
    let volumes = boluses
        .periodic
        .iter()
        .map(|b| ("periodic bolus", b.volume))
        .chain(boluses.single.iter().map(|b| ("single bolus", b.volume)))
        .chain(boluses.patient.iter().map(|b| ("patient bolus", b.volume)));
    for (what, volume) in volumes {
        let dose = drug.concentration.amount_in(volume);
        limit_check(
            out,
            cx,
            drug,
            LimitQuantity::BolusDose,
            dose.value(),
            &dose.ismp(),
            what,
        );
    }
}

/// A drug being started (a new pump, or absent from the current programme): the library's highest
/// starting dose; a new pump: its only concentration and its rinse.
fn start_and_new_pump(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drug: &CheckedDrug<'_>) {
    let Some(rule) = &drug.entry.new_pump else { return };
    let entry = drug.entry;
    let new_pump = cx.plan.fill.new_pump;
    let current = &cx.plan.current_programme;
    // Started: a new pump, or absent from the current programme. With no current programme set, a
    // start cannot be ruled out, so the starting dose is checked too (and says so).
    let (starting, how) = if new_pump {
        (true, " is being started in a new pump:")
    } else if current.is_empty() {
        (true, ", if it is being started (no current programme is set):")
    } else {
        (!current.iter().any(|c| c.drug == entry.id), " is being started:")
    };
    if let Some(max) = rule.max_start_dose
        && starting
        && above(drug.daily_maximum.value(), max)
    {
        let unit = format!("{}/day", entry.family.symbol());
        out.push(finding(
            rule.severity,
            format!("{}/start/max/{max}/{}", entry.id, drug.daily_maximum.ismp()),
            Some(drug.index),
            format!(
                "{}{how} {} is above the starting dose of at most {}.",
                entry.display_name,
                drug.daily_maximum.ismp(),
                with_unit(max, &unit)
            ),
            rule.source.clone(),
            Some(rule.mark),
        ));
    }
    if !new_pump {
        return;
    }
    if let Some(only) = rule.concentration
        && (drug.concentration.value() - only).abs() > 1e-9 * only
    {
        let unit = format!("{}/mL", entry.family.symbol());
        out.push(finding(
            rule.severity,
            format!(
                "{}/new_pump/concentration/{only}/{}",
                entry.id,
                drug.concentration.ismp()
            ),
            Some(drug.index),
            format!(
                "{} {} in a new pump: the first fill of a new pump is undiluted {} only.",
                entry.display_name,
                drug.concentration.ismp(),
                with_unit(only, &unit)
            ),
            rule.source.clone(),
            Some(rule.mark),
        ));
    }
    if let Some(rinse) = rule.rinse {
        let strength = rule
            .concentration
            .map(|c| format!(" {}", with_unit(c, &format!("{}/mL", entry.family.symbol()))))
            .unwrap_or_default();
        out.push(finding(
            Severity::Info,
            format!("{}/new_pump/rinse", entry.id),
            Some(drug.index),
            format!(
                "Before the first fill, rinse the new pump {} \u{d7} {} with {}{strength} (on the compounding worksheet).",
                rinse.times,
                with_unit(rinse.volume_ml, Millilitres::SYMBOL),
                entry.display_name
            ),
            rule.source.clone(),
            Some(rule.mark),
        ));
    }
}

/// Drugs that should not share the reservoir (ziconotide with an opioid).
fn combinations(out: &mut Vec<Finding>, drug: &CheckedDrug<'_>, all: &[CheckedDrug<'_>]) {
    for avoid in &drug.entry.avoid_with {
        let others: Vec<&str> = all
            .iter()
            .filter(|o| o.index != drug.index && o.entry.is_in_class(&avoid.class))
            .map(|o| o.entry.display_name.as_str())
            .collect();
        if others.is_empty() {
            continue;
        }
        out.push(finding(
            avoid.severity,
            format!("{}/avoid_with/{}", drug.entry.id, avoid.class),
            Some(drug.index),
            format!(
                "{} with {} ({}): {}",
                drug.entry.display_name,
                others.join(", "),
                avoid.class,
                avoid.message
            ),
            avoid.source.clone(),
            Some(avoid.mark),
        ));
    }
}

/// Label guidance that applies now, and a suggested alarm volume.
fn guidance(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drug: &CheckedDrug<'_>) {
    let entry = drug.entry;
    for (i, g) in entry.guidance.iter().enumerate() {
        let applies = match g.when {
            GuidanceWhen::Always => true,
            GuidanceWhen::NewPump => cx.plan.fill.new_pump,
            GuidanceWhen::Stopping | GuidanceWhen::Reference => false,
        };
        if applies {
            out.push(finding(
                Severity::Info,
                format!("{}/guidance/{i}", entry.id),
                Some(drug.index),
                format!("{}: {}", entry.display_name, g.text),
                g.source.clone(),
                Some(g.mark),
            ));
        }
    }
    if let Some(suggested) = &entry.low_reservoir_alarm_ml
        && below(cx.alarm.value(), suggested.value)
    {
        out.push(finding(
            Severity::Info,
            format!("{}/alarm/{}", entry.id, suggested.value),
            Some(drug.index),
            format!(
                "{}: a low-reservoir alarm of {} is suggested (now {}), so the refill comes before withdrawal.",
                entry.display_name,
                with_unit(suggested.value, Millilitres::SYMBOL),
                with_unit(cx.alarm.value(), Millilitres::SYMBOL)
            ),
            suggested.source.clone(),
            Some(suggested.mark),
        ));
    }
}

/// A stock strength that is not a commercial strength: a compounded stock, or a typing error.
fn stock_strength(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drug: &CheckedDrug<'_>) {
    let (Some(strengths), Some(stock)) = (
        &drug.entry.strengths,
        cx.plan.drugs.get(drug.index).and_then(|l| l.stock),
    ) else {
        return;
    };
    if strengths.values.iter().any(|v| (stock.value() - v).abs() <= 1e-9 * v) {
        return;
    }
    let unit = format!("{}/mL", drug.entry.family.symbol());
    let listed: Vec<String> = strengths.values.iter().map(|v| with_unit(*v, &unit)).collect();
    out.push(finding(
        Severity::Info,
        format!("{}/stock/{}", drug.entry.id, stock.ismp()),
        Some(drug.index),
        format!(
            "{} stock {} is not a commercial strength ({}): check the vial label.",
            drug.entry.display_name,
            stock.ismp(),
            listed.join(", ")
        ),
        strengths.source.clone(),
        Some(strengths.mark),
    ));
}

/// Off-label use (FDA safety communication, 14 Nov 2018): a drug not approved for the pump, and
/// any admixture. A visible caution, never a block: admixtures are common practice (PACC).
fn off_label(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drugs: &[CheckedDrug<'_>]) {
    if let Some(approved) = &cx.pump.approved_drugs {
        let listed: Vec<&str> = approved.iter().map(|a| a.drug.as_str()).collect();
        let source = approved
            .iter()
            .map(|a| format!("{} [{}]", a.source, a.mark.letter()))
            .collect::<Vec<_>>()
            .join("; ");
        for drug in drugs.iter().filter(|d| !listed.contains(&d.entry.id.as_str())) {
            out.push(finding(
                Severity::Soft,
                format!("off_label/{}/{}", cx.pump.id, drug.entry.id),
                Some(drug.index),
                format!(
                    "{} is off-label in the {}: the drugs approved for it are {}. Pump failure was more than twice as common with off-label drugs (FDA 2018).",
                    drug.entry.display_name,
                    cx.pump.name,
                    listed.join(", ")
                ),
                source.clone(),
                None,
            ));
        }
    }
    if drugs.len() > 1 {
        let names: Vec<&str> = drugs.iter().map(|d| d.entry.display_name.as_str()).collect();
        out.push(finding(
            Severity::Soft,
            format!("off_label/admixture/{}", drugs.iter().map(|d| d.entry.id.as_str()).collect::<Vec<_>>().join("+")),
            None,
            format!(
                "Admixture of {}: admixtures are off-label in implanted pumps (common practice, but pump failure was more than twice as common with off-label use).",
                names.join(", ")
            ),
            "FDA safety communication, 14 Nov 2018".to_owned(),
            Some(Mark::Verified),
        ));
    }
}

/// The change from the current programme: no current programme, a change of drug, the 1.5 × jump,
/// titration steps and spacing, and guidance on stopping a drug.
fn programme_change(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drugs: &[CheckedDrug<'_>]) {
    let current = &cx.plan.current_programme;
    if current.is_empty() {
        out.push(Finding {
            severity: Severity::Info,
            key: "info/no-current-programme".into(),
            drug: None,
            message: if cx.plan.fill.new_pump {
                "First fill of a new pump: there is no current programme to compare with; starting doses are checked against the library.".into()
            } else {
                "No current programme is set: the change in each 24-hour total, the 1.5 \u{d7} jump and titration steps are not checked.".into()
            },
            source: Some(jump_source()),
            mark: None,
            acknowledged: None,
        });
        return;
    }
    for drug in drugs {
        if let Some(c) = current.iter().find(|c| c.drug == drug.entry.id) {
            jump(out, drug, c.daily_maximum);
            titration(out, cx, drug, c.daily_maximum);
        }
    }
    drug_change(out, cx, drugs);
}

fn jump_source() -> String {
    format!(
        "itdose: a rise to more than {0} times the current 24-hour total, or a fall to less than 1 \u{f7} {0} of it, needs an acknowledgement (our design, not a published threshold)",
        format_number(JUMP_FACTOR)
    )
}

fn jump(out: &mut Vec<Finding>, drug: &CheckedDrug<'_>, current: AnyDoseRate) {
    let proposed = drug.daily_maximum;
    if current.family() != proposed.family() || current.value() <= 0.0 {
        return;
    }
    let ratio = proposed.value() / current.value();
    if (ratio - 1.0).abs() < 1e-9 {
        return;
    }
    let change = (ratio - 1.0) * 100.0;
    let entry = drug.entry;
    // A fall to less than 1 ÷ 1.5 of the current total needs an acknowledgement too: a dose per
    // day typed per hour is 24 times too low, and an abrupt cut risks withdrawal (baclofen's boxed
    // warning, cloNIDine's rebound hypertension, opioids).
    let falls = ratio * JUMP_FACTOR < 1.0;
    out.push(Finding {
        severity: if ratio > JUMP_FACTOR || falls {
            Severity::Soft
        } else {
            Severity::Info
        },
        key: format!("{}/jump/{}/{}", entry.id, current.value(), proposed.value()),
        drug: Some(drug.index),
        message: format!(
            "{} maximum 24-hour total changes from {} (current programme) to {} (proposed): {}{} %, {} times the current.{}",
            entry.display_name,
            current.ismp(),
            proposed.ismp(),
            if change > 0.0 { "+" } else { "" },
            format_number(change),
            format_number(ratio),
            if falls {
                " An abrupt reduction risks withdrawal: check it is intended."
            } else {
                ""
            }
        ),
        source: Some(jump_source()),
        mark: None,
        acknowledged: None,
    });
}

/// A rise checked against each titration rule that applies in the library's region.
fn titration(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drug: &CheckedDrug<'_>, current: AnyDoseRate) {
    let proposed = drug.daily_maximum;
    if current.family() != proposed.family() || !above(proposed.value(), current.value()) {
        return;
    }
    let step = proposed.value() - current.value();
    let entry = drug.entry;
    let history = cx.plan.titration.as_ref();
    let mut spacing_unknown = false;
    for (i, rule) in entry
        .titration
        .iter()
        .enumerate()
        .filter(|(_, r)| r.applies_in(cx.region))
    {
        let mut push = |what: &str, message: String| {
            out.push(finding(
                rule.severity,
                format!(
                    "{}/titration/{i}/{what}/{}/{}",
                    entry.id,
                    current.ismp(),
                    proposed.ismp()
                ),
                Some(drug.index),
                message,
                rule.source.clone(),
                Some(rule.mark),
            ));
        };
        let change = format!(
            "{} rises from {} to {} (+{})",
            entry.display_name,
            current.ismp(),
            proposed.ismp(),
            with_unit(step, &format!("{}/day", entry.family.symbol()))
        );
        let scope = scope(&rule.condition, &rule.regions);
        if let Some(max) = rule.max_step
            && above(step, max)
        {
            push(
                "step",
                format!(
                    "{change}: a step above the titration step of at most {}{scope}.",
                    with_unit(max, &format!("{}/day", entry.family.symbol()))
                ),
            );
        }
        if let Some(max) = rule.max_percent {
            // percent = (proposed − current) ÷ current × 100
            let percent = step / current.value() * 100.0;
            if above(percent, max) {
                push(
                    "percent",
                    format!(
                        "{change}: +{} % is above the titration step of at most +{} % per 24 h{scope}.",
                        format_number(percent),
                        format_number(max)
                    ),
                );
            }
        }
        spacing(
            &mut push,
            rule,
            history,
            cx.plan.fill.filled_at,
            &change,
            &scope,
            &mut spacing_unknown,
        );
    }
    if spacing_unknown {
        out.push(Finding {
            severity: Severity::Info,
            key: format!("{}/titration/history-unknown", entry.id),
            drug: Some(drug.index),
            message: format!(
                "{}: enter the date of the last dose change and the rises in the past 7 days to check the spacing of titration steps.",
                entry.display_name
            ),
            source: None,
            mark: None,
            acknowledged: None,
        });
    }
}

fn spacing(
    push: &mut impl FnMut(&str, String),
    rule: &TitrationRule,
    history: Option<&crate::engine::plan::evaluate::TitrationHistory>,
    change_at: DateTime,
    change: &str,
    scope: &str,
    unknown: &mut bool,
) {
    if let Some(min_hours) = rule.min_hours_between {
        match history.and_then(|h| h.last_change) {
            Some(last) => {
                let hours = last.duration_until(change_at).as_secs_f64() / 3600.0;
                if below(hours, min_hours) {
                    push(
                        "spacing",
                        format!(
                            "{change} {} h after the last change: at least {} h apart{scope}.",
                            format_number(hours.max(0.0)),
                            format_number(min_hours)
                        ),
                    );
                }
            }
            None => *unknown = true,
        }
    }
    if let Some(max) = rule.max_increases_per_week {
        match history.and_then(|h| h.increases_past_week) {
            Some(n) if n.saturating_add(1) > max => push(
                "weekly",
                format!(
                    "{change}: with the {n} rise{} in the past 7 days this is rise {} in a week; at most {max}{scope}.",
                    if n == 1 { "" } else { "s" },
                    n.saturating_add(1)
                ),
            ),
            Some(_) => {}
            None => *unknown = true,
        }
    }
}

/// Drugs in the current programme that the proposed one drops, and drugs it adds. Where every
/// drug involved has an intrathecal morphine equivalent in the library, the totals are compared
/// as morphine equivalents; otherwise the change cannot be compared and says so. Either way a
/// change of drug needs an acknowledgement.
fn drug_change(out: &mut Vec<Finding>, cx: &CheckContext<'_>, drugs: &[CheckedDrug<'_>]) {
    let current = &cx.plan.current_programme;
    let removed: Vec<&CurrentTotal> = current
        .iter()
        .filter(|c| !drugs.iter().any(|d| d.entry.id == c.drug))
        .collect();
    let added: Vec<&CheckedDrug<'_>> = drugs
        .iter()
        .filter(|d| !current.iter().any(|c| c.drug == d.entry.id))
        .collect();
    for c in &removed {
        let Some(entry) = cx.library_entry(&c.drug) else {
            continue;
        };
        for (i, g) in entry.guidance.iter().enumerate() {
            if g.when == GuidanceWhen::Stopping {
                out.push(finding(
                    Severity::Soft,
                    format!("{}/stopping/{i}", entry.id),
                    None,
                    format!(
                        "{} ({} now) is not in the proposed programme. {}",
                        entry.display_name,
                        c.daily_maximum.ismp(),
                        g.text
                    ),
                    g.source.clone(),
                    Some(g.mark),
                ));
            }
        }
    }
    if removed.is_empty() || added.is_empty() {
        return;
    }
    let old_names: Vec<String> = removed
        .iter()
        .map(|c| {
            let name = cx
                .library_entry(&c.drug)
                .map_or(c.drug.as_str(), |e| e.display_name.as_str());
            format!("{name} {}", c.daily_maximum.ismp())
        })
        .collect();
    let new_names: Vec<String> = added
        .iter()
        .map(|d| format!("{} {}", d.entry.display_name, d.daily_maximum.ismp()))
        .collect();
    let old_eq: Option<Vec<(f64, Mark)>> = removed
        .iter()
        .map(|c| {
            let e = cx.library_entry(&c.drug)?.intrathecal_morphine_equivalent.as_ref()?;
            Some((c.daily_maximum.value() * e.value, e.mark))
        })
        .collect();
    let new_eq: Option<Vec<(f64, Mark)>> = added
        .iter()
        .map(|d| {
            let e = d.entry.intrathecal_morphine_equivalent.as_ref()?;
            Some((d.daily_maximum.value() * e.value, e.mark))
        })
        .collect();
    let head = format!(
        "The drug changes: {} (current) \u{2192} {} (proposed).",
        old_names.join(" + "),
        new_names.join(" + ")
    );
    let (message, mark) = match (old_eq, new_eq) {
        (Some(old), Some(new)) => {
            let before: f64 = old.iter().map(|e| e.0).sum();
            let after: f64 = new.iter().map(|e| e.0).sum();
            let mark = weakest(old.iter().chain(&new).map(|e| e.1));
            let ratio = if before > 0.0 { after / before } else { f64::INFINITY };
            (
                format!(
                    "{head} As intrathecal morphine equivalents: {} \u{2192} {}, {} times the current{}. Check the conversion: a switch of opioid usually starts lower, for incomplete cross-tolerance (CDC 2022).",
                    with_unit(before, "mg/day"),
                    with_unit(after, "mg/day"),
                    format_number(ratio),
                    if ratio > JUMP_FACTOR {
                        format!(": above {} times", format_number(JUMP_FACTOR))
                    } else {
                        String::new()
                    }
                ),
                mark,
            )
        }
        _ => (
            format!(
                "{head} The library has no intrathecal morphine equivalent for every drug involved, so the totals cannot be compared: check the conversion (a switch of opioid usually starts lower, for incomplete cross-tolerance: CDC 2022)."
            ),
            None,
        ),
    };
    let ids: Vec<&str> = removed
        .iter()
        .map(|c| c.drug.as_str())
        .chain(added.iter().map(|d| d.entry.id.as_str()))
        .collect();
    out.push(Finding {
        severity: Severity::Soft,
        key: format!("drug_change/{}", ids.join("/")),
        drug: None,
        message,
        source: Some(format!("{}; equivalents from the drug library", jump_source())),
        mark,
        acknowledged: None,
    });
}

impl CheckContext<'_> {
    fn library_entry(&self, id: &str) -> Option<&DrugEntry> {
        self.library.get(id)
    }
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

/// A note next to one flex step.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StepNote {
    /// The step (0-based).
    pub step: usize,
    /// What to check.
    pub message: String,
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
        .map(|(i, s)| {
            let ratio = s.daily_dose.value() / current.daily_maximum.value();
            StepNote {
                step: i,
                message: format!(
                    "Step {}: {} is {} {} times the current programme's 24-hour total of {} ({} times). Was a dose per hour entered as per day, or the reverse? Per hour is \u{d7} 24.",
                    i + 1,
                    s.daily_dose.ismp(),
                    if ratio > 1.0 { "more than" } else { "less than 1 \u{f7}" },
                    format_number(STEP_FACTOR),
                    current.daily_maximum.ismp(),
                    format_number(ratio)
                ),
            }
        })
        .collect()
}
