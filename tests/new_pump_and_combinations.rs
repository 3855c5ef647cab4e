//! A new pump's rules (ziconotide: start at most 2.4 mcg/day, undiluted 25 mcg/mL only — the stock
//! too —, rinse 3 × 2 mL, refill within 14 days), drugs that should not share a reservoir, off-label
//! use (the pump's approved drugs, the drug's own labelled pumps, neither known), label guidance, a
//! suggested alarm volume and commercial stock strengths.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{
    MCG, MG, TestResult, conc, constant_flow, docs, finding, findings, key, line, ml, plan, rules, run, shown,
};
use itdose::engine::{Mark, Plan, PlanStatus, Severity, format::Display};

/// Ziconotide in a SynchroMed II 20 mL at its first fill (a new pump), 20 mL.
fn ziconotide_new_pump(concentration: f64, daily: f64) -> Plan {
    let mut p = plan("synchromed-ii-20", 20.0, "ziconotide", MCG, concentration, daily);
    p.fill.new_pump = true;
    p
}

/// Every off-label finding's (rule, drug, bound).
fn off_label(report: &itdose::engine::Report) -> Vec<(String, Option<String>, Option<String>)> {
    report
        .findings
        .iter()
        .filter(|f| f.key.rule.starts_with("off_label"))
        .map(|f| (f.key.rule.clone(), f.key.drug.clone(), f.key.bound.clone()))
        .collect()
}

// -------------------------------------------------------------------------------------------------
// Ziconotide in a new pump.
// -------------------------------------------------------------------------------------------------

/// Prialt US label: start at no more than 2.4 mcg/day; the first fill is undiluted 25 mcg/mL.
///   25 mcg/mL at 9.6 mcg/day: 9.6 > 2.4 → soft start finding
///   25 mcg/mL at 2.4 mcg/day: exactly the starting maximum → none
///   20 mcg/mL at 2.4 mcg/day: not 25 mcg/mL → soft new-pump concentration finding
#[test]
fn ziconotide_in_a_new_pump_starts_low_and_undiluted() -> TestResult {
    let (_, report) = run(&ziconotide_new_pump(25.0, 9.6))?;
    let start = finding(&report, "start").ok_or("no start finding")?;
    assert_eq!((start.severity, start.mark), (Severity::Soft, Some(Mark::Verified)));
    assert_eq!(
        start.message,
        "ziconotide is being started in a new pump: 9.6 mcg/day is above the starting dose of at most 2.4 mcg/day."
    );
    assert!(finding(&report, "new_pump.concentration").is_none());

    let (_, report) = run(&ziconotide_new_pump(25.0, 2.4))?;
    assert!(finding(&report, "start").is_none(), "{:?}", rules(&report));
    assert!(finding(&report, "new_pump.concentration").is_none());

    let (_, report) = run(&ziconotide_new_pump(20.0, 2.4))?;
    let diluted = finding(&report, "new_pump.concentration").ok_or("no concentration finding")?;
    assert_eq!(
        diluted.key,
        key(
            "new_pump.concentration",
            Some("ziconotide"),
            Some("25"),
            Some("20 mcg/mL")
        )
    );
    assert_eq!(diluted.severity, Severity::Soft);
    assert_eq!(
        diluted.message,
        "ziconotide 20 mcg/mL in a new pump: the first fill of a new pump is undiluted 25 mcg/mL only (from 25 mcg/mL vials, no diluent)."
    );
    Ok(())
}

/// Undiluted means the stock too: 25 mcg/mL in the reservoir made from the 100 mcg/mL vial
/// (5 mL of stock + 15 mL of diluent for 20 mL) is diluted, and is named by its stock; made from
/// the 25 mcg/mL vial it is undiluted.
#[test]
fn a_new_pump_stock_must_also_be_25_mcg_per_ml() -> TestResult {
    let mut p = ziconotide_new_pump(25.0, 2.4);
    if let Some(l) = p.drugs.first_mut() {
        l.stock = Some(conc(MCG, 100.0));
    }
    let (outcome, report) = run(&p)?;
    let diluted = finding(&report, "new_pump.concentration").ok_or("no concentration finding")?;
    assert_eq!(diluted.key.value.as_deref(), Some("100 mcg/mL"));
    let w = outcome.compounding.ok_or("no worksheet")?;
    assert_eq!(
        (w.lines.first().map(|l| l.stock_volume.ismp()), w.diluent_volume.ismp()),
        (Some("5 mL".to_owned()), "15 mL".to_owned())
    );
    if let Some(l) = p.drugs.first_mut() {
        l.stock = Some(conc(MCG, 25.0));
    }
    assert!(finding(&run(&p)?.1, "new_pump.concentration").is_none());
    Ok(())
}

/// The new pump is rinsed 3 × 2 mL = 6 mL with 25 mcg/mL: 6 × 25 = 150 mcg, first on the worksheet.
/// Refill-by at 9.6 mcg/day (0.384 mL/day):
///   pump rule at the fast edge: 18 mL ÷ (0.384 × 1.145) = 40.94 days
///   stability: new pump 14 days; dilution unknown (no stock) 40 days → 14 days binds
///   Wed 25 Nov 2026 09:00 + 14 days = Wed 9 Dec 2026 09:00
#[test]
fn a_new_pump_is_rinsed_and_refilled_within_14_days() -> TestResult {
    let (outcome, report) = run(&ziconotide_new_pump(25.0, 9.6))?;
    let rinse = outcome.rinse.as_ref().ok_or("no rinse")?;
    assert_eq!(
        (
            rinse.times,
            rinse.each.ismp(),
            rinse.total.ismp(),
            rinse.concentration.ismp(),
            rinse.amount.ismp()
        ),
        (3, "2 mL".into(), "6 mL".into(), "25 mcg/mL".into(), "150 mcg".into())
    );
    let row = report.worksheet.first().ok_or("no worksheet row")?;
    assert_eq!(row.name, "Rinse the new pump first (ziconotide)");
    assert!(
        row.display
            .starts_with("3 \u{d7} 2 mL of 25 mcg/mL (6 mL in all, 150 mcg) before the first fill [V] Prialt US label"),
        "{}",
        row.display
    );
    let info = finding(&report, "new_pump.rinse").ok_or("no rinse finding")?;
    assert_eq!(
        (info.severity, info.message.as_str()),
        (
            Severity::Info,
            "Before the first fill, rinse the new pump 3 \u{d7} 2 mL with ziconotide 25 mcg/mL (on the compounding worksheet)."
        )
    );
    assert_eq!(shown(outcome.refill_by.binding.at), "Wed 9 Dec 2026, 09:00");
    assert_eq!(
        common::figure(&report, "Refill by"),
        Some("Wed 9 Dec 2026, 09:00 (ziconotide stability in the pump: 14 days (first fill of a new pump (rinse)))")
    );
    Ok(())
}

/// Not a new pump: no rinse, no new-pump concentration rule (20 mcg/mL diluted is fine after the
/// first refill).
#[test]
fn the_new_pump_rules_apply_to_a_new_pump_only() -> TestResult {
    let (outcome, report) = run(&plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 20.0, 2.4))?;
    assert!(outcome.rinse.is_none());
    assert!(finding(&report, "new_pump.").is_none(), "{:?}", rules(&report));
    Ok(())
}

/// docs/example-new-pump-cautions.json: a Prometra II 20 mL, new pump, ziconotide 20 mcg/mL at
/// 4.8 mcg/day (lead, 0.24 mL/day) with morphine 2 mg/mL (0.24 × 2 = 0.48 mg/day, below its 1 mg/day
/// start). Soft: the start (4.8 > 2.4), the new-pump concentration (20 ≠ 25), ziconotide with an
/// opioid, ziconotide off-label in a Prometra (its labelling names SynchroMed II/III only), the
/// admixture; info: the rinse.
#[test]
fn the_docs_new_pump_example_raises_every_caution() -> TestResult {
    let (outcome, report) = run(&docs("example-new-pump-cautions.json")?)?;
    assert_eq!(outcome.status, PlanStatus::NeedsAcknowledgement);
    let soft: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Soft)
        .map(|f| f.key.rule.clone())
        .collect();
    assert_eq!(
        soft,
        [
            "start",
            "new_pump.concentration",
            "avoid_with",
            "off_label",
            "off_label.admixture"
        ]
    );
    assert!(
        findings(&report, "start")
            .iter()
            .all(|f| f.key.drug.as_deref() == Some("ziconotide"))
    );
    assert!(finding(&report, "new_pump.rinse").is_some());
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Combinations.
// -------------------------------------------------------------------------------------------------

/// SynchroMed II 20 mL: ziconotide 25 mcg/mL (lead, 2.4 mcg/day → 0.096 mL/day) with morphine
/// 10 mg/mL (0.096 × 10 = 0.96 mg/day). Prialt label: concomitant intrathecal opioids are not
/// recommended → soft (V); any admixture is off-label (FDA 2018) → soft, named in line order.
#[test]
fn ziconotide_with_an_opioid_is_a_soft_finding() -> TestResult {
    let mut p = plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 2.4);
    p.drugs.push(line("morphine", MG, 10.0, None));
    let (outcome, report) = run(&p)?;
    assert_eq!(
        outcome.drugs.get(1).map(|d| d.daily_dose.ismp()).as_deref(),
        Some("0.96 mg/day")
    );
    let avoid = finding(&report, "avoid_with").ok_or("no avoid_with finding")?;
    assert_eq!(
        avoid.key,
        key("avoid_with", Some("ziconotide"), Some("opioid"), Some("morphine"))
    );
    assert_eq!((avoid.severity, avoid.mark), (Severity::Soft, Some(Mark::Verified)));
    assert_eq!(
        avoid.message,
        "ziconotide with morphine (opioid): Concomitant intrathecal opioids are not recommended with ziconotide."
    );
    let admixture = finding(&report, "off_label.admixture").ok_or("no admixture finding")?;
    assert_eq!(
        admixture.key,
        key("off_label.admixture", None, None, Some("ziconotide+morphine"))
    );
    assert_eq!(admixture.severity, Severity::Soft);
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Off-label use (FDA safety communication, 14 Nov 2018): a caution, never a block.
// -------------------------------------------------------------------------------------------------

/// Off-label follows the pump's approved drugs:
///   HYDROmorphone 2 mg/mL at 1 mg/day in a SynchroMed II → off-label, the approved drugs listed
///   morphine 10 mg/mL at 2 mg/day in a SynchroMed II or a Prometra II → approved
/// Never a block.
#[test]
fn off_label_follows_the_pump_approval() -> TestResult {
    let (outcome, report) = run(&plan("synchromed-ii-20", 20.0, "hydromorphone", MG, 2.0, 1.0))?;
    assert_eq!(
        off_label(&report),
        [(
            "off_label".into(),
            Some("hydromorphone".into()),
            Some("synchromed-ii-20".into())
        )]
    );
    let f = finding(&report, "off_label").ok_or("no off-label finding")?;
    assert_eq!(f.severity, Severity::Soft);
    assert_eq!(
        f.message,
        "HYDROmorphone is off-label in the SynchroMed II 8637-20 (20 mL): the drugs approved for it are morphine [V], ziconotide [V], baclofen [U]. Pump failure was more than twice as common with off-label drugs (FDA 2018)."
    );
    assert_ne!(outcome.status, PlanStatus::Blocked);
    for pump in ["synchromed-ii-20", "prometra-ii-20"] {
        let (outcome, report) = run(&plan(pump, 20.0, "morphine", MG, 10.0, 2.0))?;
        assert_eq!(off_label(&report), [], "{pump}");
        assert_ne!(outcome.status, PlanStatus::Blocked);
    }
    Ok(())
}

/// Ziconotide's own labelling names its pumps (Prialt: SynchroMed II/III only, V): in a
/// Prometra II or a custom pump it is off-label from that labelling; in a SynchroMed III it is not.
#[test]
fn ziconotide_is_off_label_outside_the_pumps_its_labelling_names() -> TestResult {
    let (outcome, report) = run(&plan("prometra-ii-20", 20.0, "ziconotide", MCG, 25.0, 2.4))?;
    assert_eq!(
        off_label(&report),
        [(
            "off_label".into(),
            Some("ziconotide".into()),
            Some("prometra-ii-20".into())
        )]
    );
    let f = finding(&report, "off_label").ok_or("no off-label finding")?;
    assert_eq!(
        (f.source.as_deref(), f.mark),
        (Some("Prialt label: SynchroMed II/III only"), Some(Mark::Verified))
    );
    assert_eq!(
        f.message,
        "ziconotide is off-label in the Prometra II (20 mL): its labelling names only synchromed-ii-20, synchromed-ii-40, synchromed-iii. Pump failure was more than twice as common with off-label use (FDA 2018)."
    );
    assert_ne!(outcome.status, PlanStatus::Blocked);

    let mut custom = plan("custom", 20.0, "ziconotide", MCG, 25.0, 2.4);
    custom.pump.capacity = Some(ml(20.0));
    assert_eq!(
        off_label(&run(&custom)?.1),
        [("off_label".into(), Some("ziconotide".into()), Some("custom".into()))]
    );

    let mut synchromed_iii = plan("synchromed-iii", 20.0, "ziconotide", MCG, 25.0, 2.4);
    synchromed_iii.pump.capacity = Some(ml(20.0));
    assert_eq!(off_label(&run(&synchromed_iii)?.1), []);
    Ok(())
}

/// A pump whose approved drugs the catalogue does not know (a constant-flow pump, a custom pump):
/// a soft "off_label.unknown" asks to check its labelling. Constant-flow 30 mL, 1 mL/day, morphine
/// 4 mg/day → 4 ÷ 1 = 4 mg/mL.
#[test]
fn a_pump_with_unknown_approvals_asks_to_check_its_labelling() -> TestResult {
    let (outcome, report) = run(&constant_flow(30.0, 1.0, 30.0, &[("morphine", MG, 4.0)]))?;
    assert_eq!(
        outcome.drugs.first().map(|d| d.concentration.ismp()).as_deref(),
        Some("4 mg/mL")
    );
    assert_eq!(
        off_label(&report),
        [(
            "off_label.unknown".into(),
            Some("morphine".into()),
            Some("constant-flow".into())
        )]
    );
    let f = finding(&report, "off_label.unknown").ok_or("no finding")?;
    assert_eq!(f.severity, Severity::Soft);
    assert_eq!(
        f.message,
        "The catalogue does not say which drugs are approved for the Constant-flow pump (e.g. Codman 3000; enter capacity and rate): check its labelling for morphine (off-label use deserves a caution, FDA 2018)."
    );
    assert_ne!(outcome.status, PlanStatus::Blocked);
    let mut custom = plan("custom", 20.0, "morphine", MG, 10.0, 2.0);
    custom.pump.capacity = Some(ml(20.0));
    assert_eq!(
        off_label(&run(&custom)?.1),
        [(
            "off_label.unknown".into(),
            Some("morphine".into()),
            Some("custom".into())
        )]
    );
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Guidance, the suggested alarm, stock strengths.
// -------------------------------------------------------------------------------------------------

/// Baclofen 500 mcg/mL at 300 mcg/day with the pump's 2 mL alarm:
///   the boxed warning (abrupt withdrawal) whenever baclofen is in the reservoir → info
///   the screening guidance only at the first fill of a new pump → info
///   a suggested alarm of 4 mL (Neurosurgery 2004, S): 2 < 4 → info; a 4 mL alarm → none
#[test]
fn baclofen_guidance_and_suggested_alarm() -> TestResult {
    let p = plan("synchromed-ii-20", 20.0, "baclofen", MCG, 500.0, 300.0);
    let (_, report) = run(&p)?;
    let guidance = findings(&report, "guidance");
    assert_eq!(
        guidance.iter().map(|g| g.key.bound.as_deref()).collect::<Vec<_>>(),
        [Some("0")]
    );
    let boxed = guidance.first().ok_or("no guidance finding")?;
    assert_eq!(boxed.severity, Severity::Info);
    assert!(
        boxed.message.starts_with("baclofen: Boxed warning:"),
        "{}",
        boxed.message
    );
    let alarm = finding(&report, "alarm.suggested").ok_or("no alarm finding")?;
    assert_eq!((alarm.severity, alarm.mark), (Severity::Info, Some(Mark::Secondary)));
    assert_eq!(
        alarm.message,
        "baclofen: a low-reservoir alarm of 4 mL is suggested (now 2 mL), so the refill comes before withdrawal."
    );

    let mut new_pump = p.clone();
    new_pump.fill.new_pump = true;
    let (_, report) = run(&new_pump)?;
    let screening = common::finding_bound(&report, "guidance", "1").ok_or("no screening guidance")?;
    assert!(
        screening.message.starts_with("baclofen: Screening before implant"),
        "{}",
        screening.message
    );

    let mut four = p;
    four.fill.low_reservoir_alarm = ml(4.0);
    assert!(finding(&run(&four)?.1, "alarm.suggested").is_none());
    Ok(())
}

/// Reference guidance is not shown as a finding (ziconotide's PACC practice note), nor stopping
/// guidance while the drug is still given (cloNIDine's taper).
#[test]
fn reference_and_stopping_guidance_are_not_findings_now() -> TestResult {
    assert!(
        findings(
            &run(&plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 2.4))?.1,
            "guidance"
        )
        .is_empty()
    );
    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 5.0, 1.0);
    p.drugs.push(line("clonidine", MCG, 100.0, None));
    assert!(findings(&run(&p)?.1, "guidance").is_empty());
    Ok(())
}

/// A stock that is not a commercial strength is named (a compounded stock or a typing error):
/// morphine 15 mg/mL (Infumorph: 10 and 25 mg/mL, V) → info; 25 mg/mL → none.
#[test]
fn a_stock_that_is_not_a_commercial_strength_is_named() -> TestResult {
    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 10.0, 1.0);
    if let Some(l) = p.drugs.first_mut() {
        l.stock = Some(conc(MG, 15.0));
    }
    let (_, report) = run(&p)?;
    let stock = finding(&report, "stock_strength").ok_or("no stock finding")?;
    assert_eq!(
        stock.key,
        key("stock_strength", Some("morphine"), None, Some("15 mg/mL"))
    );
    assert_eq!(
        (stock.severity, stock.message.as_str()),
        (
            Severity::Info,
            "morphine stock 15 mg/mL is not a commercial strength (10 mg/mL, 25 mg/mL): check the vial label."
        )
    );
    if let Some(l) = p.drugs.first_mut() {
        l.stock = Some(conc(MG, 25.0));
    }
    assert!(finding(&run(&p)?.1, "stock_strength").is_none());
    Ok(())
}
