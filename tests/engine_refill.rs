//! Refill-by constraints, refill-visit reconciliation and the current-vs-proposed jump, through
//! the plan evaluation the app and `itdose report` use. Arithmetic written out.
#![cfg(not(target_arch = "wasm32"))]
// The helpers build quantities from literal constants; a bad literal should stop the test loudly.
#![allow(clippy::expect_used)]

use itdose::engine::{
    AnyConcentration, AnyDoseRate, Catalogue, CurrentTotal, Cycle, DrugLibrary, DrugLine, ExpectedBasis, Fill,
    FlexDoseStep, FlexProgramme, Hours, Mark, MassFamily, Millilitres, PatientBolus, Plan, PlanStatus, Programme,
    PumpChoice, Report, Severity, Visit, evaluate, format::Display, format::format_date_time,
};
use jiff::civil::{DateTime, date};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn ml(v: f64) -> Millilitres {
    Millilitres::new(v).expect("literal")
}
fn conc(family: MassFamily, v: f64) -> AnyConcentration {
    AnyConcentration::new(family, v).expect("literal")
}
fn dose(family: MassFamily, v: f64) -> AnyDoseRate {
    AnyDoseRate::new(family, v).expect("literal")
}
fn filled() -> DateTime {
    date(2026, 11, 25).at(9, 0, 0, 0)
}

/// One drug, lead-dose programme.
fn plan(pump: &str, fill: f64, drug: &str, family: MassFamily, concentration: f64, daily: f64) -> Plan {
    Plan::new(
        PumpChoice {
            model: pump.into(),
            capacity: None,
            fixed_rate: None,
            end_of_service: None,
        },
        Fill {
            volume: ml(fill),
            low_reservoir_alarm: ml(2.0),
            filled_at: filled(),
            new_pump: false,
        },
        vec![DrugLine {
            drug: drug.into(),
            concentration: Some(conc(family, concentration)),
            daily_dose: Some(dose(family, daily)),
            stock: None,
        }],
        Programme::LeadDose { lead: 0 },
    )
}

fn run(plan: &Plan) -> Result<Report, Box<dyn std::error::Error>> {
    evaluate(plan, &Catalogue::builtin()?, &DrugLibrary::builtin()?).map_err(|e| format!("{e:?}").into())
}

fn binding(report: &Report) -> (String, String) {
    (
        format_date_time(report.refill_by.binding.at),
        report.refill_by.binding.reason.clone(),
    )
}

/// Morphine 5 mg/mL in 20 mL, alarm 2 mL; morphine stability 90 days (UW Health, S). The pump's
/// rule is taken at the fast edge of its flow accuracy (SynchroMed II ±14.5 %, S): the pump may
/// deliver 1.145 times the programmed rate and reach the alarm volume first.
///   0.8 mg/day ÷ 5 = 0.16 mL/day; fast 0.16 × 1.145 = 0.1832 mL/day: alarm after
///   18 ÷ 0.1832 = 98.25 days → stability (90 days) binds: 25 Nov 2026 + 90 days = Tue 23 Feb 2027.
///   2 mg/day ÷ 5 = 0.4 mL/day; fast 0.458 mL/day: 18 ÷ 0.458 = 39.301 days = 39 days 7 h 13.5 min
///   → Sun 3 Jan 2027 16:13 (rounded down) binds; at the programmed rate 18 ÷ 0.4 = 45 days
///   (Sat 9 Jan 2027 09:00) is shown as information.
///   An end of service 30 days after the fill (Fri 25 Dec 2026 00:00) binds over both.
#[test]
fn which_constraint_binds_the_refill_by_date() -> TestResult {
    let slow = run(&plan("synchromed-ii-20", 20.0, "morphine", MassFamily::Mg, 5.0, 0.8))?;
    assert_eq!(
        binding(&slow),
        (
            "Tue 23 Feb 2027, 09:00".into(),
            "morphine stability in the pump: 90 days (in the pump)".into()
        )
    );
    assert_eq!(slow.refill_by.candidates.len(), 2);
    let fast = run(&plan("synchromed-ii-20", 20.0, "morphine", MassFamily::Mg, 5.0, 2.0))?;
    assert_eq!(
        binding(&fast),
        (
            "Sun 3 Jan 2027, 16:13".into(),
            "low-reservoir alarm 2 mL, if the pump delivers 14.5 % more than programmed (the fast edge of its flow accuracy)"
                .into()
        )
    );
    let programmed = fast
        .refill_by
        .at_programmed_rate
        .clone()
        .ok_or("no programmed-rate date")?;
    assert_eq!(format_date_time(programmed.at), "Sat 9 Jan 2027, 09:00");
    let mut ending = plan("synchromed-ii-20", 20.0, "morphine", MassFamily::Mg, 5.0, 2.0);
    ending.pump.end_of_service = Some(date(2026, 12, 25).at(0, 0, 0, 0));
    assert_eq!(
        binding(&run(&ending)?),
        ("Fri 25 Dec 2026, 00:00".into(), "device end of service".into())
    );
    Ok(())
}

/// Ziconotide (Prialt label, V): refill a new pump within 14 days; afterwards 40 days diluted,
/// 84 days undiluted. 2.4 mcg/day at 25 mcg/mL = 0.096 mL/day: the alarm is 187.5 days away.
#[test]
fn ziconotide_stability_depends_on_dilution_and_a_new_pump() -> TestResult {
    let base = plan("synchromed-ii-20", 20.0, "ziconotide", MassFamily::Mcg, 25.0, 2.4);
    let with_stock = |stock: f64| {
        let mut p = base.clone();
        if let Some(l) = p.drugs.first_mut() {
            l.stock = Some(conc(MassFamily::Mcg, stock));
        }
        p
    };
    // Undiluted (stock 25 = reservoir 25 mcg/mL): 84 days → 17 Feb 2027.
    assert_eq!(binding(&run(&with_stock(25.0))?).0, "Wed 17 Feb 2027, 09:00");
    // Diluted from 100 mcg/mL: 40 days → 4 Jan 2027.
    assert_eq!(binding(&run(&with_stock(100.0))?).0, "Mon 4 Jan 2027, 09:00");
    // No stock entered: dilution unknown, the shorter (40 days) applies, and says so.
    let unknown = run(&base)?;
    assert_eq!(binding(&unknown).0, "Mon 4 Jan 2027, 09:00");
    assert!(
        binding(&unknown).1.contains("dilution not known"),
        "{}",
        binding(&unknown).1
    );
    // First fill of a new pump: 14 days → 9 Dec 2026.
    let mut new_pump = with_stock(25.0);
    new_pump.fill.new_pump = true;
    assert_eq!(
        binding(&run(&new_pump)?),
        (
            "Wed 9 Dec 2026, 09:00".into(),
            "ziconotide stability in the pump: 14 days (first fill of a new pump (rinse))".into()
        )
    );
    Ok(())
}

/// Prometra II 20 mL, rule: refill when 3 mL remain **with every allowed patient bolus**.
/// Basal 0.5 mL/day (morphine 2.5 mg/day at 5 mg/mL); patient bolus 0.1 mL over 10 min, lockout
/// 4 h, at most 4 a day → min(4, ⌈24/4⌉ = 6) = 4 a day at 3, 9, 15, 21 h after the fill:
/// 0.9 mL a day. After 18 days 16.2 mL are out (t = 18 d); 0.8 mL more to reach 17 mL out:
/// +3 h basal 0.0625 → 16.2625; bolus (0.1 + 0.0035) → 16.366; to 9 h +0.1215 → 16.4875;
/// bolus → 16.591; to 15 h → 16.7125; bolus → 16.816; to 21 h → 16.9375; the 21 h bolus runs at
/// 0.6 + 0.0208 mL/h and needs 0.0625 mL: 6.04 min → 18 d 21 h 06 min → Mon 14 Dec 2026 06:06.
#[test]
fn prometra_refill_rule_assumes_every_allowed_bolus() -> TestResult {
    let mut p = plan("prometra-ii-20", 20.0, "morphine", MassFamily::Mg, 5.0, 2.5);
    p.boluses.patient = Some(PatientBolus {
        volume: ml(0.1),
        duration: Hours::new(10.0 / 60.0)?,
        lockout: Hours::new(4.0)?,
        max_per_day: 4,
    });
    p.boluses.typical_per_day = Some(1);
    let report = run(&p)?;
    assert_eq!(
        binding(&report),
        (
            "Mon 14 Dec 2026, 06:06".into(),
            "refill-date volume 3 mL (pump rule) with every allowed patient bolus".into()
        )
    );
    assert_eq!(report.scenarios.len(), 3, "none, typical, all allowed");
    Ok(())
}

fn visit(at: DateTime, withdrawn: f64) -> Visit {
    Visit {
        at,
        withdrawn: ml(withdrawn),
        new_fill: None,
        pump_expected: None,
        patient_boluses: None,
        confirmed_after_refill: None,
    }
}

/// (expected, threshold, discrepancy, flagged) of a visit, as shown.
fn reconciled(p: &Plan) -> Result<(String, String, String, bool), Box<dyn std::error::Error>> {
    let r = run(p)?.reconciliation.ok_or("no reconciliation")?;
    Ok((r.expected.ismp(), r.threshold.ismp(), r.discrepancy.ismp(), r.flagged))
}

/// ASRA 2017: evaluate a discrepancy outside the device accuracy OR above 2 mL, so the threshold
/// is min(2 mL, accuracy × infused).
/// SynchroMed II 40 mL (±14.5 %, S), 40 mL at 0.2 mL/day (morphine 2 mg/day at 10 mg/mL).
/// Visit 100 days after the fill: expected 40 − 0.2 × 100 = 20 mL; infused 40 − 20 = 20 mL;
/// threshold min(2 mL, 0.145 × 20 = 2.9 mL) = 2 mL.
///   withdrawn 18 mL: 18 − 20 = −2 mL, exactly the threshold → not flagged
///   withdrawn 17.9 mL: −2.1 mL → flagged, a shortfall: possible over-infusion
///   withdrawn 22.5 mL: +2.5 mL → flagged, an excess: possible under-infusion
/// (The old rule, max(2 mL, 2.9 mL) = 2.9 mL, let the −2.1 mL through.)
#[test]
fn reconciliation_threshold_is_the_smaller_of_2_ml_and_the_accuracy() -> TestResult {
    let mut p = plan("synchromed-ii-40", 40.0, "morphine", MassFamily::Mg, 10.0, 2.0);
    let visit_at = date(2027, 3, 5).at(9, 0, 0, 0); // 25 Nov 2026 + 100 days
    p.visit = Some(visit(visit_at, 18.0));
    assert_eq!(reconciled(&p)?, ("20 mL".into(), "2 mL".into(), "-2 mL".into(), false));
    assert_eq!(run(&p)?.status, PlanStatus::Valid);

    p.visit = Some(visit(visit_at, 17.9));
    assert_eq!(reconciled(&p)?, ("20 mL".into(), "2 mL".into(), "-2.1 mL".into(), true));
    let report = run(&p)?;
    assert_eq!(report.status, PlanStatus::NeedsAcknowledgement);
    let shortfall = report
        .findings
        .iter()
        .find(|f| f.key.contains("/shortfall/"))
        .ok_or("no shortfall finding")?;
    assert!(
        shortfall.message.starts_with(
            "Withdrawn 17.9 mL is 2.1 mL less than the expected 20 mL (flag beyond 2 mL): possible over-infusion"
        ),
        "{}",
        shortfall.message
    );
    assert_eq!(shortfall.mark, Some(Mark::Verified));

    p.visit = Some(visit(visit_at, 22.5));
    let report = run(&p)?;
    let excess = report
        .findings
        .iter()
        .find(|f| f.key.contains("/excess/"))
        .ok_or("no excess finding")?;
    assert!(excess.message.contains("possible under-infusion"), "{}", excess.message);

    // Early in the fill the accuracy binds: 20 days, expected 40 − 0.2 × 20 = 36 mL, infused 4 mL,
    // threshold min(2, 0.145 × 4 = 0.58) = 0.58 mL: −0.5 mL passes, −0.6 mL is flagged.
    let early = date(2026, 12, 15).at(9, 0, 0, 0);
    p.visit = Some(visit(early, 35.5));
    assert_eq!(
        reconciled(&p)?,
        ("36 mL".into(), "0.58 mL".into(), "-0.5 mL".into(), false)
    );
    p.visit = Some(visit(early, 35.4));
    assert!(reconciled(&p)?.3);
    Ok(())
}

/// The audit's case: a 4.5 mL shortfall on a 40 mL pump after 175 days at 0.2 mL/day:
/// expected 40 − 35 = 5 mL, infused 35 mL; old threshold max(2, 0.145 × 35 = 5.075) = 5.075 mL hid
/// it; now min(2, 5.075) = 2 mL flags it. A Prometra (no labelled accuracy) uses 2 mL alone.
#[test]
fn a_large_shortfall_is_never_within_the_threshold() -> TestResult {
    let mut p = plan("synchromed-ii-40", 40.0, "morphine", MassFamily::Mg, 10.0, 2.0);
    p.visit = Some(visit(date(2027, 5, 19).at(9, 0, 0, 0), 0.5)); // + 175 days
    assert_eq!(reconciled(&p)?, ("5 mL".into(), "2 mL".into(), "-4.5 mL".into(), true));

    let mut p = plan("prometra-ii-20", 20.0, "morphine", MassFamily::Mg, 10.0, 2.0);
    // 20 days at 0.2 mL/day: expected 16 mL; threshold 2 mL (no accuracy in the catalogue).
    p.visit = Some(visit(date(2026, 12, 15).at(9, 0, 0, 0), 14.0));
    assert_eq!(reconciled(&p)?, ("16 mL".into(), "2 mL".into(), "-2 mL".into(), false));
    Ok(())
}

/// The expected residual's basis: the pump's own expected volume first; else the programme with
/// the pump's logged patient-bolus count; else the programme (typical use: an assumption).
/// Prometra II 20 mL, morphine 1 mg/day at 10 mg/mL = 0.1 mL/day, patient bolus 0.05 mL.
/// Visit 30 days after the fill: programme alone 20 − 3 = 17 mL; with 40 logged boluses
/// 17 − 40 × 0.05 = 15 mL; with the pump's 15.5 mL, 15.5 mL.
#[test]
fn the_expected_residual_says_where_it_comes_from() -> TestResult {
    let mut p = plan("prometra-ii-20", 20.0, "morphine", MassFamily::Mg, 10.0, 1.0);
    p.boluses.patient = Some(PatientBolus {
        volume: ml(0.05),
        duration: Hours::new(0.1)?,
        lockout: Hours::new(4.0)?,
        max_per_day: 4,
    });
    let at = date(2026, 12, 25).at(9, 0, 0, 0);
    let mut v = visit(at, 15.0);
    v.patient_boluses = Some(40);
    p.visit = Some(v.clone());
    let r = run(&p)?.reconciliation.ok_or("no reconciliation")?;
    assert_eq!(
        (r.expected.ismp(), r.basis),
        ("15 mL".into(), ExpectedBasis::PatientBolusCount { count: 40 })
    );
    v.pump_expected = Some(ml(15.5));
    p.visit = Some(v.clone());
    let r = run(&p)?.reconciliation.ok_or("no reconciliation")?;
    assert_eq!((r.expected.ismp(), r.basis), ("15.5 mL".into(), ExpectedBasis::Pump));
    v.pump_expected = None;
    v.patient_boluses = None;
    p.visit = Some(v);
    let r = run(&p)?.reconciliation.ok_or("no reconciliation")?;
    assert_eq!(r.basis, ExpectedBasis::TypicalScenario { per_day: 0 });
    assert!(r.basis.describe().contains("an assumption"));
    Ok(())
}

/// Maino 2017: after the refill, more than 1 mL (20 mL pump) or 2 mL (40 mL pump) between what
/// should be in the reservoir (injected + residual left) and what is confirmed suggests a pocket fill.
///   40 mL pump, 38 mL injected: confirmed 36 mL → −2 mL, not flagged; 35.9 mL → −2.1 mL, flagged.
///   20 mL pump, 19 mL injected + 0.5 mL residual = 19.5 mL: confirmed 18.5 → −1 mL, not flagged;
///   18.4 → −1.1 mL, flagged.
#[test]
fn after_the_refill_a_missing_volume_suggests_a_pocket_fill() -> TestResult {
    let mut p = plan("synchromed-ii-40", 40.0, "morphine", MassFamily::Mg, 10.0, 2.0);
    let at = date(2027, 3, 5).at(9, 0, 0, 0);
    let mut v = visit(at, 20.0);
    v.new_fill = Some(ml(38.0));
    v.confirmed_after_refill = Some(ml(36.0));
    p.visit = Some(v.clone());
    let a = run(&p)?
        .reconciliation
        .and_then(|r| r.after_refill)
        .ok_or("no after-refill check")?;
    assert_eq!(
        (a.expected.ismp(), a.threshold.ismp(), a.flagged),
        ("38 mL".into(), "2 mL".into(), false)
    );
    v.confirmed_after_refill = Some(ml(35.9));
    p.visit = Some(v);
    let report = run(&p)?;
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.key.contains("/pocket_fill/") && f.message.contains("possible pocket fill")),
        "{:?}",
        report.findings
    );

    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MassFamily::Mg, 10.0, 2.0);
    p.csf.residual = Some(ml(0.5));
    p.fill.volume = ml(19.5);
    let mut v = visit(date(2027, 1, 14).at(9, 0, 0, 0), 9.5);
    v.new_fill = Some(ml(19.0));
    v.confirmed_after_refill = Some(ml(18.5));
    p.visit = Some(v.clone());
    let a = run(&p)?
        .reconciliation
        .and_then(|r| r.after_refill)
        .ok_or("no after-refill check")?;
    assert_eq!(
        (a.expected.ismp(), a.threshold.ismp(), a.discrepancy.ismp(), a.flagged),
        ("19.5 mL".into(), "1 mL".into(), "-1 mL".into(), false)
    );
    v.confirmed_after_refill = Some(ml(18.4));
    p.visit = Some(v);
    let a = run(&p)?
        .reconciliation
        .and_then(|r| r.after_refill)
        .ok_or("no after-refill check")?;
    assert!(a.flagged);
    Ok(())
}

/// A visit after the projected empty date (200 days at 0.2 mL/day) warns that restarting at the
/// previous dose may overdose; withdrawn or new-fill volumes the pump cannot hold are refused.
#[test]
fn impossible_visits_are_refused_and_a_dry_pump_warns() -> TestResult {
    let mut p = plan("synchromed-ii-40", 40.0, "morphine", MassFamily::Mg, 10.0, 2.0);
    p.visit = Some(visit(date(2027, 7, 1).at(9, 0, 0, 0), 0.5));
    let report = run(&p)?;
    let dry = report
        .findings
        .iter()
        .find(|f| f.key.contains("/after_empty/"))
        .ok_or("no empty-date finding")?;
    assert!(
        dry.message
            .contains("Restarting at the previous dose may overdose an opioid-naive patient")
    );

    let errors_of = |p: &Plan| -> Result<Vec<String>, Box<dyn std::error::Error>> {
        Ok(evaluate(p, &Catalogue::builtin()?, &DrugLibrary::builtin()?)
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect())
    };
    let at = date(2027, 3, 5).at(9, 0, 0, 0);
    p.visit = Some(visit(at, 45.0));
    assert_eq!(
        errors_of(&p)?,
        ["Refill visit: withdrawn 45 mL is above the pump capacity of 40 mL"]
    );
    let mut v = visit(at, 20.0);
    v.new_fill = Some(ml(45.0));
    p.visit = Some(v.clone());
    assert_eq!(
        errors_of(&p)?,
        ["Refill visit: new fill 45 mL is above the pump capacity of 40 mL"]
    );
    // With 1.4 mL left in the pump, 40 mL more does not fit: 40 + 1.4 = 41.4 mL.
    v.new_fill = Some(ml(40.0));
    p.visit = Some(v);
    p.csf.residual = Some(ml(1.4));
    p.fill.volume = ml(38.6);
    assert_eq!(
        errors_of(&p)?,
        ["Refill visit: new fill 40 mL + residual 1.4 mL = 41.4 mL is above the pump capacity of 40 mL"]
    );
    Ok(())
}

/// The current programme gave morphine 2 mg/day. A proposed flex step typed per hour
/// (2 mg/h = 48 mg/day from 08:00 to 20:00, 1 mg/day otherwise):
///   24-hour basal = 1 × 12/24 + 48 × 12/24 = 24.5 mg → 24.5 ÷ 2 = 12.25 times, +1,125 %
/// is a soft finding naming the change; a proposed 2.4 mg/day (+20 %) is information only.
#[test]
fn a_jump_against_the_current_programme_is_named() -> TestResult {
    let mut p = plan("synchromed-ii-40", 40.0, "morphine", MassFamily::Mg, 10.0, 2.0);
    p.current_programme = vec![CurrentTotal {
        drug: "morphine".into(),
        daily_maximum: dose(MassFamily::Mg, 2.0),
    }];
    p.flex = Some(FlexProgramme {
        cycle: Cycle::Day,
        steps: vec![
            FlexDoseStep {
                day: 0,
                start: "08:00".into(),
                daily_dose: dose(MassFamily::Mg, 48.0),
            },
            FlexDoseStep {
                day: 0,
                start: "20:00".into(),
                daily_dose: dose(MassFamily::Mg, 1.0),
            },
        ],
    });
    let report = run(&p)?;
    let jump = report
        .findings
        .iter()
        .find(|f| f.key.starts_with("morphine/jump"))
        .ok_or("no jump finding")?;
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
    p.flex = None;
    if let Some(l) = p.drugs.first_mut() {
        l.daily_dose = Some(dose(MassFamily::Mg, 2.4));
    }
    let report = run(&p)?;
    let jump = report
        .findings
        .iter()
        .find(|f| f.key.starts_with("morphine/jump"))
        .ok_or("no jump finding")?;
    assert_eq!(jump.severity, Severity::Info);
    assert!(jump.message.contains("+20 %, 1.2 times"), "{}", jump.message);
    Ok(())
}
