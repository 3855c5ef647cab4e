//! The refill visit: the withdrawn volume against the expected residual (ASRA 2017: flag beyond
//! min(2 mL, accuracy × infused)), where the expected residual comes from, which way a flag goes,
//! the check after the refill (Maino 2017), a visit after the earliest possible empty date or
//! after the refill-by date, volumes the pump cannot hold, and the visit log.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{
    MCG, MG, TestResult, ack, at, current, element_ids, errors, finding, findings, hours, messages, ml, plan,
    reconciliation, run, visit,
};
use itdose::engine::{
    Direction, ExpectedBasis, LoggedVisit, Mark, Millilitres, PatientBolus, Plan, PlanStatus, Severity, Visit,
    VolumeChange, report::basis_text,
};

/// SynchroMed II 40 mL (±14.5 %, S), 40 mL of morphine 10 mg/mL at 2 mg/day (0.2 mL/day), with a
/// current programme of the same total and no residual (nothing else to acknowledge), and a visit.
/// Morphine's 90-day stability makes the refill-by date Tue 23 Feb 2027 09:00; the earliest
/// possible empty date is 40 ÷ (0.2 × 1.145) = 174.67 days → Wed 19 May 2027 01:08.
fn morphine_visit(v: Visit) -> Plan {
    let mut p = plan("synchromed-ii-40", 40.0, "morphine", MG, 10.0, 2.0);
    p.current_programme = vec![current("morphine", MG, 2.0)];
    p.csf.residual = Some(ml(0.0));
    p.visit = Some(v);
    p
}

/// (expected, threshold, discrepancy, flagged) of a visit, as shown.
fn reconciled(p: &Plan) -> Result<(String, String, String, bool), Box<dyn std::error::Error>> {
    use itdose::engine::format::Display as _;
    let r = run(p)?.0.reconciliation.ok_or("no reconciliation")?;
    Ok((r.expected.ismp(), r.threshold.ismp(), r.discrepancy.ismp(), r.flagged))
}

// -------------------------------------------------------------------------------------------------
// The threshold, its boundaries, the direction.
// -------------------------------------------------------------------------------------------------

/// ASRA 2017: evaluate a discrepancy outside the device accuracy OR above 2 mL, so the threshold
/// is min(2 mL, accuracy × infused). Visit 100 days after the fill (Fri 5 Mar 2027 09:00):
/// expected 40 − 0.2 × 100 = 20 mL; infused 40 − 20 = 20 mL; threshold min(2 mL, 0.145 × 20 =
/// 2.9 mL) = 2 mL.
///   withdrawn 18 mL: 18 − 20 = −2 mL, exactly the threshold → not flagged
///   withdrawn 17.9 mL: −2.1 mL → flagged, a shortfall: possible over-infusion (soft, V)
///   withdrawn 22.5 mL: +2.5 mL → flagged, an excess: possible under-infusion
/// (The old rule, max(2 mL, 2.9 mL) = 2.9 mL, let the −2.1 mL through.)
#[test]
fn the_threshold_is_the_smaller_of_2_ml_and_the_accuracy() -> TestResult {
    let visit_at = at(2027, 3, 5, 9, 0);
    let p = morphine_visit(visit(visit_at, 18.0));
    assert_eq!(reconciled(&p)?, ("20 mL".into(), "2 mL".into(), "-2 mL".into(), false));
    let (outcome, report) = run(&p)?;
    let r = outcome.reconciliation.ok_or("no reconciliation")?;
    assert!(common::close(r.infused.value(), 20.0) && r.accuracy_percent.is_some_and(|a| common::close(a, 14.5)));
    assert_eq!(r.direction, None);
    assert!(finding(&report, "visit.shortfall").is_none() && finding(&report, "visit.excess").is_none());
    assert_eq!(reconciliation(&report, "Reconciliation"), Some("within the threshold"));
    assert_eq!(
        reconciliation(&report, "Flag threshold"),
        Some("2 mL (the smaller of 2 mL and the pump's \u{b1}14.5 % accuracy \u{d7} the 20 mL infused: ASRA 2017)")
    );

    let p = morphine_visit(visit(visit_at, 17.9));
    assert_eq!(reconciled(&p)?, ("20 mL".into(), "2 mL".into(), "-2.1 mL".into(), true));
    let (outcome, report) = run(&p)?;
    assert_eq!(
        outcome.reconciliation.and_then(|r| r.direction),
        Some(Direction::Shortfall)
    );
    let shortfall = finding(&report, "visit.shortfall").ok_or("no shortfall finding")?;
    assert_eq!(
        (shortfall.key.bound.as_deref(), shortfall.key.value.as_deref()),
        (Some("2027-03-05T09:00:00"), Some("-2.1 mL"))
    );
    assert_eq!(
        (shortfall.severity, shortfall.mark),
        (Severity::Soft, Some(Mark::Verified))
    );
    assert!(
        shortfall.message.starts_with(
            "Withdrawn 17.9 mL is 2.1 mL less than the expected 20 mL (flag beyond 2 mL): possible over-infusion"
        ),
        "{}",
        shortfall.message
    );
    assert!(
        reconciliation(&report, "Reconciliation")
            .is_some_and(|v| v.starts_with("FLAGGED: less withdrawn than expected")),
        "{:?}",
        report.reconciliation
    );

    let (outcome, report) = run(&morphine_visit(visit(visit_at, 22.5)))?;
    assert_eq!(
        outcome.reconciliation.and_then(|r| r.direction),
        Some(Direction::Excess)
    );
    let excess = finding(&report, "visit.excess").ok_or("no excess finding")?;
    assert!(excess.message.contains("possible under-infusion"), "{}", excess.message);
    Ok(())
}

/// Early in the fill the accuracy binds: 20 days (Tue 15 Dec 2026), expected 40 − 0.2 × 20 =
/// 36 mL, infused 4 mL, threshold min(2, 0.145 × 4 = 0.58) = 0.58 mL:
///   −0.5 mL passes; −0.58 mL (exactly the threshold) passes; −0.6 mL is flagged.
#[test]
fn early_in_the_fill_the_accuracy_binds() -> TestResult {
    let early = at(2026, 12, 15, 9, 0);
    assert_eq!(
        reconciled(&morphine_visit(visit(early, 35.5)))?,
        ("36 mL".into(), "0.58 mL".into(), "-0.5 mL".into(), false)
    );
    assert_eq!(
        reconciled(&morphine_visit(visit(early, 35.42)))?,
        ("36 mL".into(), "0.58 mL".into(), "-0.58 mL".into(), false)
    );
    assert_eq!(
        reconciled(&morphine_visit(visit(early, 35.4)))?,
        ("36 mL".into(), "0.58 mL".into(), "-0.6 mL".into(), true)
    );
    Ok(())
}

/// The audit's case: a 4.5 mL shortfall on a 40 mL pump after 175 days at 0.2 mL/day (Wed
/// 19 May 2027 09:00): expected 40 − 35 = 5 mL, infused 35 mL; the old threshold max(2, 0.145 ×
/// 35 = 5.075) = 5.075 mL hid it; now min(2, 5.075) = 2 mL flags it. A Prometra (no labelled
/// accuracy): 2 mL alone — 20 days at 0.2 mL/day, expected 16 mL, withdrawn 14 mL: −2 mL passes.
#[test]
fn a_large_shortfall_is_never_within_the_threshold() -> TestResult {
    let p = morphine_visit(visit(at(2027, 5, 19, 9, 0), 0.5));
    assert_eq!(reconciled(&p)?, ("5 mL".into(), "2 mL".into(), "-4.5 mL".into(), true));

    let mut p = plan("prometra-ii-20", 20.0, "morphine", MG, 10.0, 2.0);
    p.visit = Some(visit(at(2026, 12, 15, 9, 0), 14.0));
    assert_eq!(reconciled(&p)?, ("16 mL".into(), "2 mL".into(), "-2 mL".into(), false));
    let (_, report) = run(&p)?;
    assert_eq!(
        reconciliation(&report, "Flag threshold"),
        Some("2 mL (the pump has no labelled accuracy: 2 mL, ASRA 2017)")
    );
    Ok(())
}

/// A visit finding is acknowledged by its key (rule, the visit's time, the discrepancy): the
/// 17.9 mL shortfall acknowledged, the plan has nothing else waiting.
#[test]
fn a_flagged_visit_is_acknowledged_by_its_key() -> TestResult {
    let mut p = morphine_visit(visit(at(2027, 2, 23, 9, 0), 19.9));
    // 90 days: expected 40 − 18 = 22 mL; 19.9 − 22 = −2.1 mL, beyond 2 mL.
    let (outcome, report) = run(&p)?;
    assert_eq!(outcome.status, PlanStatus::NeedsAcknowledgement);
    let shortfall = finding(&report, "visit.shortfall").ok_or("no shortfall finding")?;
    p.acknowledgements = vec![ack(&shortfall.key, "patient assessed, pump interrogated: no fault")];
    assert_eq!(run(&p)?.0.status, PlanStatus::Valid);
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Where the expected residual comes from.
// -------------------------------------------------------------------------------------------------

/// The expected residual's basis: the pump's own expected volume first; else the programme with
/// the pump's logged patient-bolus count; else the programme (typical use: an assumption).
/// Prometra II 20 mL, morphine 1 mg/day at 10 mg/mL = 0.1 mL/day, patient bolus 0.05 mL.
/// Visit 30 days after the fill (Fri 25 Dec 2026): programme alone 20 − 3 = 17 mL; with 40 logged
/// boluses 17 − 40 × 0.05 = 15 mL; with the pump's 15.5 mL, 15.5 mL.
#[test]
fn the_expected_residual_says_where_it_comes_from() -> TestResult {
    use itdose::engine::format::Display as _;
    let mut p = plan("prometra-ii-20", 20.0, "morphine", MG, 10.0, 1.0);
    p.boluses.patient = Some(PatientBolus {
        volume: ml(0.05),
        duration: hours(0.1),
        lockout: hours(4.0),
        max_per_day: 4,
    });
    let mut v = visit(at(2026, 12, 25, 9, 0), 15.0);
    v.patient_boluses = Some(40);
    p.visit = Some(v.clone());
    let (outcome, report) = run(&p)?;
    let r = outcome.reconciliation.ok_or("no reconciliation")?;
    assert_eq!(
        (r.expected.ismp(), r.basis),
        ("15 mL".into(), ExpectedBasis::PatientBolusCount { count: 40 })
    );
    assert_eq!(
        reconciliation(&report, "Expected from"),
        Some("the programme as set plus the 40 patient boluses logged by the pump")
    );

    v.pump_expected = Some(ml(15.5));
    p.visit = Some(v.clone());
    let r = run(&p)?.0.reconciliation.ok_or("no reconciliation")?;
    assert_eq!((r.expected.ismp(), r.basis), ("15.5 mL".into(), ExpectedBasis::Pump));

    v.pump_expected = None;
    v.patient_boluses = None;
    p.visit = Some(v.clone());
    let r = run(&p)?.0.reconciliation.ok_or("no reconciliation")?;
    assert_eq!(
        (r.expected.ismp(), r.basis),
        ("17 mL".into(), ExpectedBasis::TypicalScenario { per_day: 0 })
    );
    assert!(basis_text(r.basis).contains("an assumption"), "{}", basis_text(r.basis));

    p.boluses.patient = None;
    p.visit = Some(v);
    let r = run(&p)?.0.reconciliation.ok_or("no reconciliation")?;
    assert_eq!(r.basis, ExpectedBasis::Programme);
    assert_eq!(basis_text(r.basis), "the programme as set");
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// After the refill.
// -------------------------------------------------------------------------------------------------

/// Maino 2017: after the refill, more than 1 mL (20 mL pump) or 2 mL (40 mL pump) between what
/// should be in the reservoir (injected + residual left) and what is confirmed suggests a pocket fill.
///   40 mL pump, 38 mL injected: confirmed 36 mL → −2 mL, not flagged; 35.9 mL → −2.1 mL, flagged.
#[test]
fn after_the_refill_a_missing_volume_suggests_a_pocket_fill() -> TestResult {
    use itdose::engine::format::Display as _;
    let mut v = visit(at(2027, 2, 5, 9, 0), 24.0);
    v.new_fill = Some(ml(38.0));
    v.confirmed_after_refill = Some(ml(36.0));
    let (_, report) = run(&morphine_visit(v.clone()))?;
    assert_eq!(
        reconciliation(&report, "After the refill: confirmed"),
        Some("36 mL (discrepancy -2 mL; flag beyond 2 mL, Maino 2017)")
    );
    let a = run(&morphine_visit(v.clone()))?
        .0
        .reconciliation
        .and_then(|r| r.after_refill)
        .ok_or("no after-refill check")?;
    assert_eq!(
        (a.expected.ismp(), a.threshold.ismp(), a.flagged),
        ("38 mL".into(), "2 mL".into(), false)
    );
    v.confirmed_after_refill = Some(ml(35.9));
    let (_, report) = run(&morphine_visit(v))?;
    let pocket = finding(&report, "visit.pocket_fill").ok_or("no pocket-fill finding")?;
    assert_eq!(pocket.key.value.as_deref(), Some("-2.1 mL"));
    assert!(pocket.message.contains("possible pocket fill"), "{}", pocket.message);
    Ok(())
}

/// A 20 mL pump: 19 mL injected + 0.5 mL residual left = 19.5 mL should be in it; threshold 1 mL.
/// Confirmed 18.5 → −1 mL, not flagged; 18.4 → −1.1 mL, flagged; 20.6 → +1.1 mL, flagged the other
/// way (more than should be there: check the residual and the volumes recorded).
#[test]
fn after_the_refill_a_20_ml_pump_flags_beyond_1_ml() -> TestResult {
    use itdose::engine::format::Display as _;
    let with_confirmed = |confirmed: f64| {
        let mut p = plan("synchromed-ii-20", 19.5, "morphine", MG, 10.0, 2.0);
        p.csf.residual = Some(ml(0.5));
        let mut v = visit(at(2027, 1, 14, 9, 0), 9.5);
        v.new_fill = Some(ml(19.0));
        v.confirmed_after_refill = Some(ml(confirmed));
        p.visit = Some(v);
        p
    };
    let after = |p: &Plan| -> Result<(String, String, String, bool), Box<dyn std::error::Error>> {
        let a = run(p)?
            .0
            .reconciliation
            .and_then(|r| r.after_refill)
            .ok_or("no after-refill check")?;
        Ok((a.expected.ismp(), a.threshold.ismp(), a.discrepancy.ismp(), a.flagged))
    };
    assert_eq!(
        after(&with_confirmed(18.5))?,
        ("19.5 mL".into(), "1 mL".into(), "-1 mL".into(), false)
    );
    assert!(after(&with_confirmed(18.4))?.3);
    let (_, report) = run(&with_confirmed(20.6))?;
    let more = finding(&report, "visit.more_after_refill").ok_or("no more-after-refill finding")?;
    assert!(
        more.message.contains("check the residual left after aspiration"),
        "{}",
        more.message
    );
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// After the earliest possible empty date; after the refill-by date.
// -------------------------------------------------------------------------------------------------

/// A visit at or after the earliest date the pump could be empty (every allowed patient bolus,
/// fast edge of the accuracy: Wed 19 May 2027 01:08 here) is a soft finding: running the pump
/// empty is a risk factor for over-infusion (Medtronic FA596), and morphine tolerance may be lost.
///   Wed 19 May 2027 01:07 (a minute before): none
///   Wed 19 May 2027 01:08 (at it): soft "visit.after_empty"
#[test]
fn a_visit_at_the_earliest_empty_date_warns() -> TestResult {
    let (_, report) = run(&morphine_visit(visit(at(2027, 5, 19, 1, 7), 5.2)))?;
    assert!(
        findings(&report, "visit.after_empty").is_empty(),
        "{:?}",
        report.findings
    );
    let (outcome, report) = run(&morphine_visit(visit(at(2027, 5, 19, 1, 8), 5.2)))?;
    assert_eq!(
        outcome.reconciliation.and_then(|r| r.after_empty),
        Some(at(2027, 5, 19, 1, 8))
    );
    let dry = finding(&report, "visit.after_empty").ok_or("no after-empty finding")?;
    assert_eq!(dry.key.bound.as_deref(), Some("2027-05-19T01:08:00"));
    assert_eq!(dry.severity, Severity::Soft);
    assert_eq!(
        dry.message,
        "The visit is after the earliest date the pump could be empty (Wed 19 May 2027, 01:08, every allowed patient bolus, fast edge of the flow accuracy). Running the pump empty is a risk factor for over-infusion when it restarts. morphine: the patient may have lost opioid tolerance; restarting at the previous dose may overdose an opioid-naive patient: assess and restart low."
    );
    Ok(())
}

/// Nothing withdrawn (0 mL) means the pump was found empty, whenever the visit is: the same soft
/// finding, worded so. Baclofen's and cloNIDine's interruption means withdrawal, not lost tolerance.
#[test]
fn a_pump_found_empty_warns_of_withdrawal_or_lost_tolerance() -> TestResult {
    let (_, report) = run(&morphine_visit(visit(at(2026, 12, 15, 9, 0), 0.0)))?;
    let dry = finding(&report, "visit.after_empty").ok_or("no after-empty finding")?;
    assert!(
        dry.message
            .starts_with("Nothing could be withdrawn: the pump was found empty."),
        "{}",
        dry.message
    );
    assert!(
        dry.message
            .contains("morphine: the patient may have lost opioid tolerance"),
        "{}",
        dry.message
    );

    let mut p = plan("synchromed-ii-20", 20.0, "baclofen", MCG, 500.0, 300.0);
    p.visit = Some(visit(at(2026, 12, 15, 9, 0), 0.0));
    let (_, report) = run(&p)?;
    let dry = finding(&report, "visit.after_empty").ok_or("no after-empty finding")?;
    assert!(
        dry.message.ends_with("baclofen: assess for withdrawal (baclofen: boxed warning; cloNIDine: rebound hypertension) and restart under supervision."),
        "{}",
        dry.message
    );
    assert!(!dry.message.contains("opioid tolerance"), "{}", dry.message);
    Ok(())
}

/// A visit after the refill-by date (Tue 23 Feb 2027 09:00, morphine's 90-day stability) is a soft
/// finding (our design): at 09:00 exactly, none; at 09:01, "visit.late".
#[test]
fn a_visit_after_the_refill_by_date_is_late() -> TestResult {
    let (_, report) = run(&morphine_visit(visit(at(2027, 2, 23, 9, 0), 22.0)))?;
    assert!(findings(&report, "visit.late").is_empty(), "{:?}", report.findings);
    let (_, report) = run(&morphine_visit(visit(at(2027, 2, 23, 9, 1), 22.0)))?;
    let late = finding(&report, "visit.late").ok_or("no late finding")?;
    assert_eq!(late.severity, Severity::Soft);
    assert_eq!(
        late.message,
        "The visit is after the refill-by date (Tue 23 Feb 2027, 09:00): check the reservoir volume and the patient before refilling."
    );
    assert_eq!(
        late.source.as_deref(),
        Some("itdose: the visit is after the refill-by date (our design)")
    );
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Volumes the pump cannot hold, and inputs that do not fit.
// -------------------------------------------------------------------------------------------------

/// Refused at the visit's field: withdrawn above the capacity (45 > 40 mL); a new fill above it;
/// a new fill that with the residual left does not fit (40 + 1.4 = 41.4 mL); a visit before the
/// fill; the pump's expected volume above the fill and residual; a logged bolus count without
/// patient boluses in the programme; a confirmed volume without the volume injected.
#[test]
fn volumes_the_pump_cannot_hold_are_refused_at_the_visit() -> TestResult {
    let when = at(2027, 2, 5, 9, 0);
    let refused = |v: Visit, residual: Option<f64>| -> Result<(Vec<String>, Vec<String>), Box<dyn std::error::Error>> {
        let mut p = morphine_visit(v);
        if let Some(r) = residual {
            p.csf.residual = Some(ml(r));
            p.fill.volume = ml(40.0 - r);
        }
        let errs = errors(&p)?;
        Ok((element_ids(&errs), messages(&errs)))
    };
    assert_eq!(
        refused(visit(when, 45.0), None)?,
        (
            vec!["visit-withdrawn".to_owned()],
            vec!["Refill visit, withdrawn volume: 45 mL is above the pump capacity of 40 mL".to_owned()]
        )
    );
    let mut v = visit(when, 20.0);
    v.new_fill = Some(ml(45.0));
    assert_eq!(
        refused(v.clone(), None)?.1,
        ["Refill visit, new fill: 45 mL is above the pump capacity of 40 mL"]
    );
    v.new_fill = Some(ml(40.0));
    assert_eq!(
        refused(v, Some(1.4))?,
        (
            vec!["visit-new_fill".to_owned()],
            vec![
                "Refill visit, new fill: 40 mL + the residual 1.4 mL = 41.4 mL is above the pump capacity of 40 mL"
                    .to_owned()
            ]
        )
    );
    assert_eq!(
        refused(visit(at(2026, 11, 24, 9, 0), 20.0), None)?,
        (
            vec!["visit-date".to_owned()],
            vec![
                "Refill visit, date: the visit (Tue 24 Nov 2026, 09:00) is before the fill (Wed 25 Nov 2026, 09:00)"
                    .to_owned()
            ]
        )
    );
    let mut v = visit(when, 20.0);
    v.pump_expected = Some(ml(41.0));
    assert_eq!(
        refused(v, None)?.1,
        ["Refill visit, pump's expected volume: 41 mL is above the fill with the residual of 40 mL"]
    );
    let mut v = visit(when, 20.0);
    v.patient_boluses = Some(3);
    assert_eq!(
        refused(v, None)?,
        (
            vec!["visit-patient_boluses".to_owned()],
            vec!["Refill visit, patient boluses logged: the programme has no patient boluses".to_owned()]
        )
    );
    let mut v = visit(when, 20.0);
    v.confirmed_after_refill = Some(ml(38.0));
    assert_eq!(refused(v, None)?.0, ["visit-new_fill"]);
    Ok(())
}

/// A withdrawn volume of exactly the capacity (40 mL) is accepted; the new fill of exactly the
/// capacity with no residual left too.
#[test]
fn volumes_of_exactly_the_capacity_are_accepted() -> TestResult {
    let mut v = visit(at(2026, 11, 25, 9, 0), 40.0);
    v.new_fill = Some(ml(40.0));
    let r = run(&morphine_visit(v))?.0.reconciliation.ok_or("no reconciliation")?;
    assert_eq!(r.discrepancy.value().to_bits(), 0.0_f64.to_bits());
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// The visit log.
// -------------------------------------------------------------------------------------------------

/// Logged visits are shown one a line; discrepancies of −0.5, −1.2 and −2.4 mL each larger than
/// the last: "growing: investigate".
#[test]
fn the_visit_log_shows_a_growing_discrepancy() -> TestResult {
    let logged =
        |month: i8, expected: f64, withdrawn: f64, flagged: bool| -> Result<LoggedVisit, Box<dyn std::error::Error>> {
            Ok(LoggedVisit {
                at: at(2026, month, 1, 9, 0),
                expected: Millilitres::new(expected)?,
                withdrawn: Millilitres::new(withdrawn)?,
                discrepancy: VolumeChange::new(withdrawn - expected)?,
                flagged,
                new_fill: None,
                confirmed_after_refill: None,
                after_refill_flagged: false,
            })
        };
    let mut p = plan("synchromed-ii-40", 40.0, "morphine", MG, 10.0, 2.0);
    p.visits = vec![
        logged(6, 20.0, 19.5, false)?,
        logged(8, 20.0, 18.8, false)?,
        logged(10, 20.0, 17.6, true)?,
    ];
    let (_, report) = run(&p)?;
    let log: Vec<(&str, &str)> = report
        .visit_log
        .iter()
        .map(|f| (f.name.as_str(), f.display.as_str()))
        .collect();
    assert_eq!(
        log,
        [
            (
                "Mon 1 Jun 2026, 09:00",
                "withdrawn 19.5 mL, expected 20 mL, discrepancy -0.5 mL"
            ),
            (
                "Sat 1 Aug 2026, 09:00",
                "withdrawn 18.8 mL, expected 20 mL, discrepancy -1.2 mL"
            ),
            (
                "Thu 1 Oct 2026, 09:00",
                "withdrawn 17.6 mL, expected 20 mL, discrepancy -2.4 mL (flagged)"
            ),
        ]
    );
    assert_eq!(
        report.visit_trend.as_deref(),
        Some("-0.5 mL \u{2192} -1.2 mL \u{2192} -2.4 mL (growing: investigate)")
    );
    p.visits.truncate(1);
    assert_eq!(run(&p)?.1.visit_trend, None);
    Ok(())
}
