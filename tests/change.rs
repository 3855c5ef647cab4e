//! The change from the current programme: no current programme to compare with, the 1.5 × jump
//! (our design) up and down, the library's titration rules (step, percent, spacing, rises a week)
//! with their boundaries, a change of drug compared as intrathecal morphine equivalents, an opioid
//! added, a drug stopped, and the starting dose of every drug being started.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{MCG, MG, TestResult, ack, at, current, dose, finding, findings, key, line, ml, plan, run};
use itdose::engine::{
    Cycle, FlexDoseStep, FlexProgramme, Mark, MassFamily, Plan, PlanStatus, Severity, TitrationHistory,
    report::{FindingView, Report},
};

/// One drug in a SynchroMed II 20 mL with a current programme and no residual (the residual
/// caution is not what these tests are about).
fn changed(
    drug: &str,
    family: MassFamily,
    concentration: f64,
    daily: f64,
    current_programme: &[(&str, MassFamily, f64)],
) -> Plan {
    let mut p = plan("synchromed-ii-20", 20.0, drug, family, concentration, daily);
    p.current_programme = current_programme.iter().map(|&(d, f, v)| current(d, f, v)).collect();
    p.csf.residual = Some(ml(0.0));
    p
}

/// Every finding of `rule` as (severity, bound).
fn of_rule(report: &Report, rule: &str) -> Vec<(Severity, Option<String>)> {
    findings(report, rule)
        .iter()
        .map(|f| (f.severity, f.key.bound.clone()))
        .collect()
}

// -------------------------------------------------------------------------------------------------
// No current programme.
// -------------------------------------------------------------------------------------------------

/// With no current programme nothing can be compared: an info finding says so, and that starting
/// doses are checked instead; at the first fill of a new pump it says that.
#[test]
fn no_current_programme_is_named() -> TestResult {
    let (outcome, report) = run(&plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 1.0))?;
    let none = finding(&report, "no_current_programme").ok_or("no info finding")?;
    assert_eq!((none.severity, none.source.as_deref()), (Severity::Info, None));
    assert_eq!(
        none.message,
        "No current programme is set: the change in each 24-hour total, the 1.5 \u{d7} jump and titration steps are not checked; starting doses are checked in case a drug is being started."
    );
    assert!(outcome.comparison.is_empty() && report.comparison.is_empty());
    let mut new_pump = plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 1.0);
    new_pump.fill.new_pump = true;
    let (_, report) = run(&new_pump)?;
    assert_eq!(
        finding(&report, "no_current_programme").map(|f| f.message.as_str()),
        Some(
            "First fill of a new pump: there is no current programme to compare with; starting doses are checked against the library."
        )
    );
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// The jump.
// -------------------------------------------------------------------------------------------------

/// The current programme gave morphine 2 mg/day. A proposed flex step typed per hour
/// (2 mg/h = 48 mg/day from 08:00 to 20:00, 1 mg/day otherwise), at 10 mg/mL:
///   24-hour basal = 1 × 12/24 + 48 × 12/24 = 24.5 mg → 24.5 ÷ 2 = 12.25 times, +1,125 %
/// is a soft finding naming the change, keyed by the drug and both totals; a proposed 2.4 mg/day
/// (+20 %) is information only.
#[test]
fn a_rise_against_the_current_programme_is_named() -> TestResult {
    let mut p = changed("morphine", MG, 10.0, 2.0, &[("morphine", MG, 2.0)]);
    p.flex = Some(FlexProgramme {
        cycle: Cycle::Day,
        steps: vec![
            FlexDoseStep {
                day: 0,
                start: "08:00".into(),
                daily_dose: dose(MG, 48.0),
            },
            FlexDoseStep {
                day: 0,
                start: "20:00".into(),
                daily_dose: dose(MG, 1.0),
            },
        ],
    });
    let (_, report) = run(&p)?;
    let jump = finding(&report, "jump").ok_or("no jump finding")?;
    assert_eq!(
        jump.key,
        key("jump", Some("morphine"), Some("2 mg/day"), Some("24.5 mg/day"))
    );
    assert_eq!(jump.severity, Severity::Soft);
    assert_eq!(
        report.comparison.first().map(|f| (f.name.as_str(), f.display.as_str())),
        Some((
            "morphine maximum per 24 h",
            "current 2 mg/day \u{2192} proposed 24.5 mg/day (12.25 times)"
        ))
    );
    assert_eq!(
        jump.message,
        "morphine maximum 24-hour total changes from 2 mg/day (current programme) to 24.5 mg/day (proposed): +1,125 %, 12.25 times the current."
    );
    assert!(
        jump.source
            .as_deref()
            .is_some_and(|s| s.contains("our design, not a published threshold"))
    );

    let (_, report) = run(&changed("morphine", MG, 10.0, 2.4, &[("morphine", MG, 2.0)]))?;
    let jump = finding(&report, "jump").ok_or("no jump finding")?;
    assert_eq!(jump.severity, Severity::Info);
    assert!(jump.message.contains("+20 %, 1.2 times"), "{}", jump.message);
    Ok(())
}

/// The boundaries of the 1.5 × jump (morphine 10 mg/mL, SynchroMed II 20 mL):
///   2 → 3 mg/day: exactly 1.5 times, not more → info
///   2 → 3.01 mg/day: 1.505 times → soft
///   3 → 2 mg/day: 0.6667 times, × 1.5 = 1, not less than 1 → info
///   3 → 1.99 mg/day: 0.6633 × 1.5 = 0.995 < 1 → soft
///   2 → 2 mg/day: no change → no finding
#[test]
fn the_jump_boundaries_are_exact() -> TestResult {
    for (from, to, expected) in [
        (2.0, 3.0, Some(Severity::Info)),
        (2.0, 3.01, Some(Severity::Soft)),
        (3.0, 2.0, Some(Severity::Info)),
        (3.0, 1.99, Some(Severity::Soft)),
        (2.0, 2.0, None),
    ] {
        let (_, report) = run(&changed("morphine", MG, 10.0, to, &[("morphine", MG, from)]))?;
        assert_eq!(
            finding(&report, "jump").map(|f| f.severity),
            expected,
            "{from} → {to} mg/day"
        );
    }
    Ok(())
}

/// Morphine 10 mg/mL; current programme 2.4 mg/day. A fall to less than 1 ÷ 1.5 of it needs an
/// acknowledgement (a per-day dose typed as per hour is 24 times too low; abrupt cuts risk
/// withdrawal):
///   1 mg/day: 1 ÷ 2.4 = 0.4167; 0.4167 × 1.5 = 0.625 < 1 → soft, "An abrupt reduction risks withdrawal"
///   1.7 mg/day: 1.7 ÷ 2.4 = 0.7083; × 1.5 = 1.0625 ≥ 1 → info
#[test]
fn a_large_fall_needs_an_acknowledgement() -> TestResult {
    let (_, report) = run(&changed("morphine", MG, 10.0, 1.0, &[("morphine", MG, 2.4)]))?;
    let jump = finding(&report, "jump").ok_or("no jump finding")?;
    assert_eq!(jump.severity, Severity::Soft);
    assert_eq!(
        jump.message,
        "morphine maximum 24-hour total changes from 2.4 mg/day (current programme) to 1 mg/day (proposed): -58.33 %, 0.4167 times the current. An abrupt reduction risks withdrawal: check it is intended."
    );
    let (_, report) = run(&changed("morphine", MG, 10.0, 1.7, &[("morphine", MG, 2.4)]))?;
    assert_eq!(finding(&report, "jump").map(|f| f.severity), Some(Severity::Info));
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Ziconotide titration (US library, the default).
// -------------------------------------------------------------------------------------------------

/// SynchroMed II 20 mL, fill 20 mL, ziconotide 25 mcg/mL; current programme `from` mcg/day, last
/// changed Mon 23 Nov 2026 09:00 (48 h before the change at the fill) with `rises` rises in the
/// past 7 days.
fn ziconotide(from: f64, to: f64, rises: u32) -> Plan {
    let mut p = changed("ziconotide", MCG, 25.0, to, &[("ziconotide", MCG, from)]);
    p.titration = Some(TitrationHistory {
        last_change: Some(at(2026, 11, 23, 9, 0)),
        increases_past_week: Some(rises),
    });
    p
}

fn titration(report: &Report) -> Vec<&FindingView> {
    report
        .findings
        .iter()
        .filter(|f| f.key.rule.starts_with("titration."))
        .collect()
}

/// Prialt US label: raise by at most 2.4 mcg/day.
///   2.4 → 4.8 mcg/day (4.8 ÷ 25 = 0.192 mL/day): step 4.8 − 2.4 = 2.4, not above 2.4 → no finding
///   2.4 → 4.9 mcg/day: step 4.9 − 2.4 = 2.5 > 2.4 → soft step finding (V), keyed
///     ("titration.step", "ziconotide", rule 0, "2.4 mcg/day → 4.9 mcg/day")
///   7.2 → 9.6 mcg/day: step 9.6 − 7.2 = 2.4 (2.3999999999999995 in floating point) → no finding
/// The last change was 48 h ago (≥ 24 h) and this is rise 2 in a week (≤ 2): no spacing or weekly
/// finding.
#[test]
fn the_ziconotide_titration_step_is_at_most_2_4_mcg_per_day() -> TestResult {
    let (outcome, report) = run(&ziconotide(2.4, 4.8, 1))?;
    assert!(common::close(
        outcome.drugs.first().map_or(0.0, |d| d.daily_maximum.value()),
        4.8
    ));
    assert!(titration(&report).is_empty(), "{:?}", titration(&report));

    let (_, report) = run(&ziconotide(2.4, 4.9, 1))?;
    let found = titration(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    let step = found.first().ok_or("no step finding")?;
    assert_eq!(
        step.key,
        key(
            "titration.step",
            Some("ziconotide"),
            Some("max 2.4"),
            Some("2.4 mcg/day \u{2192} 4.9 mcg/day")
        )
    );
    assert_eq!((step.severity, step.mark), (Severity::Soft, Some(Mark::Verified)));
    assert_eq!(
        step.message,
        "ziconotide rises from 2.4 mcg/day to 4.9 mcg/day (+2.5 mcg/day): a step above the titration step of at most 2.4 mcg/day (US labelling)."
    );

    let (_, report) = run(&ziconotide(7.2, 9.6, 1))?;
    assert!(titration(&report).is_empty(), "{:?}", titration(&report));
    Ok(())
}

/// Prialt US label: at least 24 h between rises. The change is at the fill (Wed 25 Nov 09:00),
/// 2.4 → 4.8 mcg/day (a step of exactly 2.4: no step finding).
///   last change Tue 24 Nov 10:00: 23 h < 24 h → soft spacing finding
///   last change Tue 24 Nov 09:00: 24 h, not below 24 h → none
#[test]
fn ziconotide_rises_are_at_least_24_hours_apart() -> TestResult {
    let mut p = ziconotide(2.4, 4.8, 1);
    p.titration = Some(TitrationHistory {
        last_change: Some(at(2026, 11, 24, 10, 0)),
        increases_past_week: Some(1),
    });
    let (_, report) = run(&p)?;
    let found = titration(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    let spacing = found.first().ok_or("no spacing finding")?;
    assert_eq!(
        (spacing.key.rule.as_str(), spacing.severity),
        ("titration.spacing", Severity::Soft)
    );
    assert_eq!(
        spacing.message,
        "ziconotide rises from 2.4 mcg/day to 4.8 mcg/day (+2.4 mcg/day) 23 h after the last change: at least 24 h apart (US labelling)."
    );
    p.titration = Some(TitrationHistory {
        last_change: Some(at(2026, 11, 24, 9, 0)),
        increases_past_week: Some(1),
    });
    assert!(titration(&run(&p)?.1).is_empty());
    Ok(())
}

/// Prialt US label: "no more than 2–3 times a week". The library has two rules: a third rise in a
/// week is information (rule 1, at most 2, info), a fourth is soft (rule 0, at most 3, soft).
///   1 rise in the past week + this one = 2 → none
///   2 + this one = 3 > 2 → info (rule 1)
///   3 + this one = 4 > 3 → soft (rule 0), and > 2 → info (rule 1)
#[test]
fn ziconotide_rises_a_week_third_is_info_fourth_is_soft() -> TestResult {
    assert!(titration(&run(&ziconotide(2.4, 4.8, 1))?.1).is_empty());
    let (_, report) = run(&ziconotide(2.4, 4.8, 2))?;
    assert_eq!(
        of_rule(&report, "titration.weekly"),
        [(Severity::Info, Some("max 2".into()))]
    );
    assert_eq!(
        findings(&report, "titration.weekly")
            .first()
            .map(|f| f.message.as_str()),
        Some(
            "ziconotide rises from 2.4 mcg/day to 4.8 mcg/day (+2.4 mcg/day): with the 2 rises in the past 7 days this is rise 3 in a week; at most 2 (US labelling)."
        )
    );
    let (_, report) = run(&ziconotide(2.4, 4.8, 3))?;
    assert_eq!(
        of_rule(&report, "titration.weekly"),
        [
            (Severity::Soft, Some("max 3".into())),
            (Severity::Info, Some("max 2".into()))
        ]
    );
    assert!(
        findings(&report, "titration.weekly")
            .first()
            .is_some_and(|f| f.message.contains("this is rise 4 in a week; at most 3")),
        "{:?}",
        report.findings
    );
    Ok(())
}

/// A rise (2.4 → 4.8 mcg/day) with no titration history: the spacing and the weekly count cannot
/// be checked, and an info finding asks for them.
#[test]
fn a_titration_without_history_asks_for_it() -> TestResult {
    let mut p = ziconotide(2.4, 4.8, 1);
    p.titration = None;
    let (_, report) = run(&p)?;
    let unknown = finding(&report, "titration.history_unknown").ok_or("no history-unknown finding")?;
    assert_eq!(
        unknown.key,
        key("titration.history_unknown", Some("ziconotide"), None, None)
    );
    assert_eq!(unknown.severity, Severity::Info);
    assert_eq!(
        unknown.message,
        "ziconotide: enter the date of the last dose change and the rises in the past 7 days to check the spacing of titration steps."
    );
    Ok(())
}

/// A fall is not a titration step: 4.8 → 2.4 mcg/day breaks no titration rule (and asks for no
/// history).
#[test]
fn a_fall_is_not_checked_against_titration_rules() -> TestResult {
    let mut p = ziconotide(4.8, 2.4, 3);
    p.titration = None;
    let (_, report) = run(&p)?;
    assert!(titration(&report).is_empty(), "{:?}", titration(&report));
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Baclofen: percent titration by condition.
// -------------------------------------------------------------------------------------------------

/// SynchroMed II 20 mL, baclofen 500 mcg/mL; current programme 300 mcg/day, last changed 48 h
/// ago. Labels: raise by at most 30 % per 24 h (spinal origin), 15 % (cerebral origin).
///   390 mcg/day: (390 − 300) ÷ 300 × 100 = 30 % → above 15 % only → one finding (cerebral)
///   391 mcg/day: (391 − 300) ÷ 300 × 100 = 30.33 % → above 30 % and 15 % → two findings
///   391 mcg/day given for "spasticity of spinal origin": the spinal rule only → one finding
#[test]
fn baclofen_percent_titration_by_condition() -> TestResult {
    let with = |to: f64, condition: Option<&str>| {
        let mut p = changed("baclofen", MCG, 500.0, to, &[("baclofen", MCG, 300.0)]);
        p.titration = Some(TitrationHistory {
            last_change: Some(at(2026, 11, 23, 9, 0)),
            increases_past_week: None,
        });
        if let Some(l) = p.drugs.first_mut() {
            l.condition = condition.map(str::to_owned);
        }
        p
    };
    let (_, report) = run(&with(390.0, None))?;
    let percent = findings(&report, "titration.percent");
    assert_eq!(percent.len(), 1, "{:?}", report.findings);
    let cerebral = percent.first().ok_or("no percent finding")?;
    assert_eq!(cerebral.severity, Severity::Soft);
    assert_eq!(
        cerebral.message,
        "baclofen rises from 300 mcg/day to 390 mcg/day (+90 mcg/day): +30 % is above the titration step of at most +15 % per 24 h (spasticity of cerebral origin)."
    );

    let (_, report) = run(&with(391.0, None))?;
    let messages: Vec<&str> = findings(&report, "titration.percent")
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "baclofen rises from 300 mcg/day to 391 mcg/day (+91 mcg/day): +30.33 % is above the titration step of at most +30 % per 24 h (spasticity of spinal origin).",
            "baclofen rises from 300 mcg/day to 391 mcg/day (+91 mcg/day): +30.33 % is above the titration step of at most +15 % per 24 h (spasticity of cerebral origin)."
        ]
    );

    let (_, report) = run(&with(391.0, Some("spasticity of spinal origin")))?;
    assert_eq!(
        of_rule(&report, "titration.percent"),
        [(Severity::Soft, Some("max 30 %".into()))]
    );
    Ok(())
}

/// Found by the generated plans: a drug in the current programme at 0 mcg/day, raised (here to
/// 50 mcg/day, 0.1 mL/day at 500 mcg/mL). (50 − 0) ÷ 0 × 100 is no number: the rise is still above the 30 % step (a soft finding), and the
/// message says so in words; it showed "+not a number %".
#[test]
fn a_rise_from_zero_is_said_in_words_not_as_a_percentage() -> TestResult {
    let p = changed("baclofen", MCG, 500.0, 50.0, &[("baclofen", MCG, 0.0)]);
    let (_, report) = run(&p)?;
    let messages: Vec<(Severity, &str)> = findings(&report, "titration.percent")
        .iter()
        .map(|f| (f.severity, f.message.as_str()))
        .collect();
    assert!(!messages.is_empty(), "{:?}", report.findings);
    for (severity, message) in messages {
        assert_eq!(severity, Severity::Soft);
        assert!(
            message.starts_with(
                "baclofen rises from 0 mcg/day to 50 mcg/day (+50 mcg/day): more than 1,000 times the current (a rise from nothing or almost nothing); the titration step is at most +"
            ),
            "{message}"
        );
    }
    Ok(())
}

/// Found by the generated plans: a 24-hour total raised from almost nothing (0.000000001 mg/day,
/// shown as 0) to 1 mg/day is 1,000,000,000 times the current, and (ratio − 1) × 100 % ran to
/// hundreds of digits (from 0: "not a number"). Beyond 1,000 times it is said in words.
#[test]
fn a_jump_from_almost_nothing_is_said_in_words() -> TestResult {
    let p = changed("morphine", MG, 5.0, 1.0, &[("morphine", MG, 1e-9)]);
    let (_, report) = run(&p)?;
    let jump = finding(&report, "jump").ok_or_else(|| format!("no jump finding: {:?}", report.findings))?;
    assert!(
        jump.message
            .ends_with("(proposed): more than 1,000 times the current (a rise from nothing or almost nothing)."),
        "{}",
        jump.message
    );
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// A change of drug.
// -------------------------------------------------------------------------------------------------

/// Current programme morphine 10 mg/day; proposed HYDROmorphone 2 mg/mL at 2 mg/day (1 mL/day).
/// As intrathecal morphine equivalents (library: morphine × 1 [V], HYDROmorphone × 5–6 [U]; a drug
/// added counts at the range's high end, so the comparison errs towards a rise):
///   current 10 × 1 = 10 mg/day; proposed 2 × 6 = 12 mg/day; 12 ÷ 10 = 1.2 times the current
///   the weakest mark of the factors is U
/// The key holds both programmes with their doses.
#[test]
fn a_change_of_opioid_is_compared_as_morphine_equivalents() -> TestResult {
    let p = changed("hydromorphone", MG, 2.0, 2.0, &[("morphine", MG, 10.0)]);
    let (_, report) = run(&p)?;
    let change = finding(&report, "drug_change").ok_or("no drug_change finding")?;
    assert_eq!(
        change.key,
        key(
            "drug_change",
            None,
            Some("morphine 10 mg/day"),
            Some("hydromorphone 2 mg/day")
        )
    );
    assert_eq!((change.severity, change.mark), (Severity::Soft, Some(Mark::Unverified)));
    assert_eq!(
        change.message,
        "The drug changes: morphine 10 mg/day (current) \u{2192} HYDROmorphone 2 mg/day (proposed). Opioids as intrathecal morphine equivalents: 10 mg/day \u{2192} 12 mg/day, 1.2 times the current. Check the conversion: a switch of opioid usually starts lower, for incomplete cross-tolerance (CDC 2022)."
    );
    Ok(())
}

/// HYDROmorphone 2.6 mg/day (1.3 mL/day) for morphine 10 mg/day: 2.6 × 6 = 15.6 mg/day, 1.56
/// times: "above 1.5 times". Its key differs from 2 mg/day's, so an acknowledgement of the 2 mg/day
/// change does not carry over.
#[test]
fn a_change_of_drug_key_includes_the_doses() -> TestResult {
    let first = key(
        "drug_change",
        None,
        Some("morphine 10 mg/day"),
        Some("hydromorphone 2 mg/day"),
    );
    let mut p = changed("hydromorphone", MG, 2.0, 2.6, &[("morphine", MG, 10.0)]);
    p.acknowledgements = vec![ack(&first, "converted at 1:5, discussed with the patient")];
    let (outcome, report) = run(&p)?;
    let change = finding(&report, "drug_change").ok_or("no drug_change finding")?;
    assert_eq!(change.key.value.as_deref(), Some("hydromorphone 2.6 mg/day"));
    assert!(change.needs_acknowledgement);
    assert!(
        change
            .message
            .contains("10 mg/day \u{2192} 15.6 mg/day, 1.56 times the current: above 1.5 times."),
        "{}",
        change.message
    );
    assert_eq!(outcome.status, PlanStatus::NeedsAcknowledgement);
    Ok(())
}

/// Current morphine 10 mg/day; proposed fentaNYL 50 mcg/mL at 100 mcg/day (2 mL/day). The library
/// has no morphine equivalent for fentaNYL: the totals cannot be compared, and the change still
/// needs an acknowledgement (our design, no mark).
#[test]
fn a_change_to_a_drug_without_an_equivalent_cannot_be_compared() -> TestResult {
    let (_, report) = run(&changed("fentanyl", MCG, 50.0, 100.0, &[("morphine", MG, 10.0)]))?;
    let change = finding(&report, "drug_change").ok_or("no drug_change finding")?;
    assert_eq!(
        change.key,
        key(
            "drug_change",
            None,
            Some("morphine 10 mg/day"),
            Some("fentanyl 100 mcg/day")
        )
    );
    assert_eq!((change.severity, change.mark), (Severity::Soft, None));
    assert!(change.message.contains("cannot be compared"), "{}", change.message);
    Ok(())
}

/// An opioid added to a programme that had none: current cloNIDine 20 mcg/day; proposed morphine
/// 5 mg/mL at 1 mg/day (lead, 0.2 mL/day) with cloNIDine 100 mcg/mL (0.2 × 100 = 20 mcg/day).
/// A soft finding names the opioid added.
#[test]
fn an_opioid_added_is_a_soft_finding() -> TestResult {
    let mut p = changed("morphine", MG, 5.0, 1.0, &[("clonidine", MCG, 20.0)]);
    p.drugs.push(line("clonidine", MCG, 100.0, None));
    let (_, report) = run(&p)?;
    let added = finding(&report, "drug_change").ok_or("no drug_change finding")?;
    assert_eq!(added.severity, Severity::Soft);
    assert_eq!(added.key.value.as_deref(), Some("morphine 1 mg/day"));
    assert!(
        added
            .message
            .starts_with("An opioid is added: morphine 1 mg/day (proposed)."),
        "{}",
        added.message
    );
    assert!(
        finding(&report, "jump").is_none(),
        "cloNIDine is unchanged: {:?}",
        report.findings
    );
    Ok(())
}

/// The opioid-added message compares the opioid load before (none: 0 mg/day) and after (morphine
/// 1 mg/day): it must not print a ratio to zero.
#[test]
fn an_opioid_added_message_has_no_ratio_to_zero() -> TestResult {
    let mut p = changed("morphine", MG, 5.0, 1.0, &[("clonidine", MCG, 20.0)]);
    p.drugs.push(line("clonidine", MCG, 100.0, None));
    let (_, report) = run(&p)?;
    let added = finding(&report, "drug_change").ok_or("no drug_change finding")?;
    assert_eq!(
        added.message,
        "An opioid is added: morphine 1 mg/day (proposed). No opioid is in the current programme: 1 mg/day as intrathecal morphine equivalent is an opioid start; check it against the starting dose."
    );
    assert_eq!(added.key.bound, None, "no current drug dropped: {:?}", added.key);
    Ok(())
}

/// Current programme morphine 2 mg/day + cloNIDine 100 mcg/day; proposed morphine 10 mg/mL at
/// 2 mg/day alone: cloNIDine stops → soft finding to taper over 2–4 days (Duraclon label). No drug
/// is added, so there is no drug_change finding.
#[test]
fn stopping_clonidine_asks_for_a_taper() -> TestResult {
    let (_, report) = run(&changed(
        "morphine",
        MG,
        10.0,
        2.0,
        &[("morphine", MG, 2.0), ("clonidine", MCG, 100.0)],
    ))?;
    let stopping = finding(&report, "stopping").ok_or("no stopping finding")?;
    assert_eq!(
        stopping.key,
        key("stopping", Some("clonidine"), Some("100 mcg/day"), None)
    );
    assert_eq!(
        (stopping.severity, stopping.source.as_deref()),
        (Severity::Soft, Some("Duraclon label"))
    );
    assert_eq!(
        stopping.message,
        "cloNIDine (100 mcg/day now) is not in the proposed programme. Stopping cloNIDine: taper over 2-4 days; abrupt withdrawal can cause rebound hypertension."
    );
    assert!(finding(&report, "drug_change").is_none(), "{:?}", report.findings);
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Starting doses.
// -------------------------------------------------------------------------------------------------

/// With no current programme on an existing pump a start cannot be ruled out: ziconotide
/// 9.6 mcg/day (25 mcg/mL) is checked against the starting dose of at most 2.4 mcg/day (its
/// new-pump rule, Prialt label) and says so.
#[test]
fn a_start_cannot_be_ruled_out_without_a_current_programme() -> TestResult {
    let (_, report) = run(&plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 9.6))?;
    let start = finding(&report, "start").ok_or("no start finding")?;
    assert_eq!(
        start.key,
        key("start", Some("ziconotide"), Some("max 2.4"), Some("9.6 mcg/day"))
    );
    assert_eq!(start.severity, Severity::Soft);
    assert_eq!(
        start.message,
        "ziconotide, if it is being started (no current programme is set): 9.6 mcg/day is above the starting dose of at most 2.4 mcg/day."
    );
    Ok(())
}

/// Morphine's highest starting dose is the Infumorph label's 1 mg/day (opioid-naive 0.2–1
/// mg/day, V). No current programme, morphine 10 mg/mL:
///   1 mg/day: exactly the highest starting dose → none
///   1.1 mg/day: above → soft, mark V, source the Infumorph label
#[test]
fn morphine_starts_at_most_at_the_infumorph_label_dose() -> TestResult {
    let (_, report) = run(&plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 1.0))?;
    assert!(finding(&report, "start").is_none(), "{:?}", report.findings);
    let (_, report) = run(&plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 1.1))?;
    let start = finding(&report, "start").ok_or("no start finding")?;
    assert_eq!(start.key.bound.as_deref(), Some("max 1"));
    assert_eq!(start.mark, Some(Mark::Verified));
    assert!(
        start
            .source
            .as_deref()
            .is_some_and(|s| s.starts_with("Infumorph label")),
        "{:?}",
        start.source
    );
    Ok(())
}

/// A drug absent from a set current programme is being started: current morphine 2 mg/day;
/// proposed morphine 10 mg/mL at 2 mg/day (0.2 mL/day) with cloNIDine 600 mcg/mL: 0.2 × 600 =
/// 120 mcg/day > 100 mcg/day (cloNIDine's highest starting dose, PACC, U) → soft; morphine, in the
/// current programme, is not checked as a start. With cloNIDine 500 mcg/mL: 100 mcg/day exactly → none.
#[test]
fn a_drug_absent_from_the_current_programme_is_a_start() -> TestResult {
    let mut p = changed("morphine", MG, 10.0, 2.0, &[("morphine", MG, 2.0)]);
    p.drugs.push(line("clonidine", MCG, 600.0, None));
    let (_, report) = run(&p)?;
    let starts: Vec<Option<&str>> = findings(&report, "start")
        .iter()
        .map(|f| f.key.drug.as_deref())
        .collect();
    assert_eq!(starts, [Some("clonidine")]);
    assert_eq!(
        finding(&report, "start").map(|f| f.message.as_str()),
        Some("cloNIDine is being started: 120 mcg/day is above the starting dose of at most 100 mcg/day.")
    );
    if let Some(l) = p.drugs.get_mut(1) {
        l.concentration = Some(common::conc(MCG, 500.0));
    }
    assert!(finding(&run(&p)?.1, "start").is_none());
    Ok(())
}

/// At the first fill of a new pump every drug is being started, whatever the current programme
/// says: morphine 2 mg/day in a new pump is above 1 mg/day.
#[test]
fn every_drug_of_a_new_pump_is_a_start() -> TestResult {
    let mut p = changed("morphine", MG, 10.0, 2.0, &[("morphine", MG, 2.0)]);
    p.fill.new_pump = true;
    let (_, report) = run(&p)?;
    assert_eq!(
        finding(&report, "start").map(|f| f.message.as_str()),
        Some("morphine is being started in a new pump: 2 mg/day is above the starting dose of at most 1 mg/day.")
    );
    Ok(())
}
