//! Refill-by constraints, refill-visit reconciliation and the current-vs-proposed jump, through
//! the plan evaluation the app and `itdose report` use. Arithmetic written out.
#![cfg(not(target_arch = "wasm32"))]
// The helpers build quantities from literal constants; a bad literal should stop the test loudly.
#![allow(clippy::expect_used)]

use itdose::engine::{
    AnyConcentration, AnyDoseRate, Catalogue, CurrentTotal, Cycle, DrugLibrary, DrugLine, Fill, FlexDoseStep,
    FlexProgramme, Hours, MassFamily, Millilitres, PatientBolus, Plan, PlanStatus, Programme, PumpChoice, Report,
    Severity, Visit, evaluate, format::Display, format::format_date_time,
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

/// Morphine 5 mg/mL in 20 mL, alarm 2 mL; morphine stability 90 days (UW Health, S).
///   0.8 mg/day ÷ 5 = 0.16 mL/day: alarm after 18 ÷ 0.16 = 112.5 days → stability (90 days) binds:
///   25 Nov 2026 + 90 days = Tue 23 Feb 2027.
///   2 mg/day ÷ 5 = 0.4 mL/day: alarm after 18 ÷ 0.4 = 45 days → Sat 9 Jan 2027 09:00 binds.
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
        ("Sat 9 Jan 2027, 09:00".into(), "low-reservoir alarm 2 mL".into())
    );
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

/// SynchroMed II 40 mL (±14.5 %, S), 40 mL at 0.2 mL/day (morphine 2 mg/day at 10 mg/mL).
/// Visit 100 days after the fill: expected 40 − 0.2 × 100 = 20 mL; infused 20 mL;
/// threshold max(2 mL, 0.145 × 20 = 2.9 mL) = 2.9 mL.
///   withdrawn 18 mL: −2 mL, within 2.9 → not flagged
///   withdrawn 16.5 mL: −3.5 mL, beyond 2.9 → flagged (a soft finding to acknowledge)
#[test]
fn reconciliation_flagged_and_not() -> TestResult {
    let mut p = plan("synchromed-ii-40", 40.0, "morphine", MassFamily::Mg, 10.0, 2.0);
    let visit_at = date(2027, 3, 5).at(9, 0, 0, 0); // 25 Nov 2026 + 100 days
    p.visit = Some(Visit {
        at: visit_at,
        withdrawn: ml(18.0),
        new_fill: Some(ml(40.0)),
    });
    let report = run(&p)?;
    let r = report.reconciliation.clone().ok_or("no reconciliation")?;
    assert_eq!(
        (r.expected.ismp(), r.threshold.ismp(), r.discrepancy.ismp(), r.flagged),
        ("20 mL".into(), "2.9 mL".into(), "-2 mL".into(), false)
    );
    assert_eq!(report.status, PlanStatus::Valid);

    p.visit = Some(Visit {
        at: visit_at,
        withdrawn: ml(16.5),
        new_fill: None,
    });
    let report = run(&p)?;
    let r = report.reconciliation.clone().ok_or("no reconciliation")?;
    assert_eq!((r.discrepancy.ismp(), r.flagged), ("-3.5 mL".into(), true));
    assert_eq!(report.status, PlanStatus::NeedsAcknowledgement);
    assert!(report.findings.iter().any(|f| {
        f.severity == Severity::Soft
            && f.message
                .contains("3.5 mL less than the expected 20 mL (threshold 2.9 mL)")
    }));

    // A visit after the projected empty date (200 days) warns of lost opioid tolerance.
    p.visit = Some(Visit {
        at: date(2027, 7, 1).at(9, 0, 0, 0),
        withdrawn: ml(0.5),
        new_fill: None,
    });
    let report = run(&p)?;
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.message.contains("may have lost opioid tolerance"))
    );

    // A new fill above the capacity is refused.
    p.visit = Some(Visit {
        at: visit_at,
        withdrawn: ml(20.0),
        new_fill: Some(ml(45.0)),
    });
    let errors = evaluate(&p, &Catalogue::builtin()?, &DrugLibrary::builtin()?)
        .err()
        .unwrap_or_default();
    assert_eq!(
        errors.first().map(ToString::to_string).as_deref(),
        Some("Refill visit: new fill 45 mL is above the pump capacity of 40 mL")
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
