//! A clinic session: the refill rolls the plan forward to its new fill (new alarm and refill-by
//! dates), and the review lists every parameter of the current and the proposed programme with
//! the changed ones marked; a confirmed review's changes are what the session records.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{MG, TestResult, at, ml, plan, run, single, visit};
use itdose::engine::report::review::{NOT_SET, review};
use itdose::engine::{MriScan, PatientBolus, Plan, PrimingBolusSetting, roll_forward};

/// SynchroMed II 40 mL (±14.5 %), 40 mL of morphine 10 mg/mL at 2 mg/day (0.2 mL/day), filled
/// Wed 25 Nov 2026 09:00, alarm at 2 mL, no residual.
fn morphine() -> Plan {
    let mut p = plan("synchromed-ii-40", 40.0, "morphine", MG, 10.0, 2.0);
    p.csf.residual = Some(ml(0.0));
    p
}

/// The review row named `name`: (current, proposed, changed).
fn row(r: &itdose::engine::report::review::Review, name: &str) -> Option<(String, String, bool)> {
    r.rows
        .iter()
        .chain(&r.totals)
        .find(|x| x.parameter == name)
        .map(|x| (x.current.clone(), x.proposed.clone(), x.changed))
}

/// Visit on Wed 3 Mar 2027 09:00, 20.4 mL withdrawn, 38 mL injected. The new fill is 38 mL from 3 Mar 2027 09:00: (38 − 2) ÷ 0.2 = 180 days to the alarm →
/// Mon 30 Aug 2027 09:00. The visit is logged with its figures; the old fill's single bolus, priming
/// bolus and MRI before the visit are dropped, a later single bolus is kept.
#[test]
fn a_refill_rolls_the_plan_forward_to_the_new_fill() -> TestResult {
    let mut p = morphine();
    let mut v = visit(at(2027, 3, 3, 9, 0), 20.4);
    v.new_fill = Some(ml(38.0));
    p.visit = Some(v);
    p.boluses.single = vec![single(0.1, at(2026, 12, 1, 9, 0)), single(0.1, at(2027, 3, 10, 9, 0))];
    p.boluses.priming = Some(PrimingBolusSetting {
        at: at(2026, 11, 25, 9, 0),
        duration: common::hours(2.0),
    });
    p.csf.mri = Some(MriScan {
        at: at(2027, 1, 5, 9, 0),
        duration: common::hours(1.0),
    });
    // Priming needs the volume ahead of the drug: 0.2 mL tubing + 50 cm × 0.0026 mL/cm.
    p.csf.pump_tubing = Some(ml(0.2));
    p.csf.catheter_length_cm = Some(50.0);
    p.csf.catheter_ml_per_cm = Some(0.0026);
    let (outcome, _) = run(&p)?;
    let expected = outcome.reconciliation.as_ref().ok_or("no reconciliation")?.expected;
    let next = roll_forward(&p, &outcome, &p)?;
    assert_eq!(next.fill.volume, ml(38.0));
    assert_eq!(next.fill.filled_at, at(2027, 3, 3, 9, 0));
    assert!(next.visit.is_none());
    assert_eq!(next.visits.len(), 1);
    let logged = next.visits.first().ok_or("no visit logged")?;
    assert_eq!((logged.expected, logged.withdrawn), (expected, ml(20.4)));
    assert_eq!(next.boluses.single, vec![single(0.1, at(2027, 3, 10, 9, 0))]);
    assert!(next.boluses.priming.is_none() && next.csf.mri.is_none());
    // The new fill replaces the solution that was in the pump: morphine 10 mg/mL.
    assert_eq!(
        next.csf
            .previous
            .iter()
            .map(|d| (d.drug.as_str(), d.concentration.ismp()))
            .collect::<Vec<_>>(),
        [("morphine", "10 mg/mL".to_owned())]
    );
    assert_eq!((logged.new_fill, logged.confirmed_after_refill), (Some(ml(38.0)), None));
    assert_eq!(
        (next.drugs.clone(), next.programme.clone()),
        (p.drugs.clone(), p.programme.clone())
    );

    let (rolled, report) = run(&next)?;
    let nominal = rolled.nominal().ok_or("no projection")?;
    // 38 mL − 2 mL alarm = 36 mL ÷ 0.2 mL/day = 180 days (the single bolus of 0.1 mL on 10 Mar
    // takes 0.1 ÷ 0.2 = 0.5 day off): 179.5 days → Sun 29 Aug 2027 21:00.
    assert_eq!(
        itdose::engine::format::format_date_time(nominal.alarm_at),
        "Sun 29 Aug 2027, 21:00"
    );
    let r = review(Some((&p, &outcome)), (&next, &rolled));
    assert_eq!(
        row(&r, "Fill date"),
        Some(("Wed 25 Nov 2026, 09:00".into(), "Wed 3 Mar 2027, 09:00".into(), true))
    );
    assert_eq!(row(&r, "Fill volume"), Some(("40 mL".into(), "38 mL".into(), true)));
    assert_eq!(
        row(&r, "Flow rate"),
        Some(("0.2 mL/day".into(), "0.2 mL/day".into(), false))
    );
    let before = itdose::engine::format::format_date_time(outcome.nominal().ok_or("no projection")?.alarm_at);
    assert_eq!(
        row(&r, "Low-reservoir alarm date"),
        Some((before, "Sun 29 Aug 2027, 21:00".into(), true))
    );
    assert!(report.figures.iter().any(|f| f.name == "Refill by"));
    Ok(())
}

/// Without a new fill there is nothing to roll forward: the error names the new fill.
#[test]
fn no_new_fill_no_roll_forward() -> TestResult {
    let mut p = morphine();
    p.visit = Some(visit(at(2027, 3, 3, 9, 0), 20.4));
    let (outcome, _) = run(&p)?;
    let e = roll_forward(&p, &outcome, &p)
        .err()
        .ok_or("rolled without a new fill")?;
    assert_eq!(e.element_id(), "visit-new_fill");
    assert_eq!(
        e.to_string(),
        "Refill visit, new fill: enter the volume injected as the new fill"
    );
    Ok(())
}

/// A dose change with a patient bolus added: 2 → 3 mg/day at 10 mg/mL (0.2 → 0.3 mL/day), and a
/// myPTM bolus of 0.05 mL (0.05 × 10 = 0.5 mg per press), lockout 4 h, at most 4 a day. Every
/// changed parameter is marked, the unchanged are not, and the 24-hour maximum goes 2 mg/day →
/// 3 + 4 × 0.5 = 5 mg/day.
#[test]
fn the_review_marks_every_changed_parameter() -> TestResult {
    let before = morphine();
    let mut after = plan("synchromed-ii-40", 40.0, "morphine", MG, 10.0, 3.0);
    after.csf.residual = Some(ml(0.0));
    after.boluses.patient = Some(PatientBolus {
        volume: ml(0.05),
        duration: common::hours(10.0 / 60.0),
        lockout: common::hours(4.0),
        max_per_day: 4,
    });
    let (o1, _) = run(&before)?;
    let (o2, _) = run(&after)?;
    let r = review(Some((&before, &o1)), (&after, &o2));
    let changed: Vec<&str> = r
        .rows
        .iter()
        .chain(&r.totals)
        .filter(|x| x.changed)
        .map(|x| x.parameter.as_str())
        .collect();
    assert_eq!(
        changed,
        [
            "morphine daily dose",
            "Flow rate",
            "Patient bolus (myPTM)",
            "morphine per patient bolus",
            "Low-reservoir alarm date",
            "Empty date",
            "Earliest possible empty date (every allowed patient bolus, fast edge of the flow accuracy)",
            "Refill by",
            "morphine maximum possible per 24 h"
        ]
    );
    assert_eq!(
        row(&r, "morphine daily dose"),
        Some(("2 mg/day".into(), "3 mg/day".into(), true))
    );
    assert_eq!(
        row(&r, "Patient bolus (myPTM)"),
        Some((
            NOT_SET.into(),
            "0.05 mL over 10 min, lockout 4 h, at most 4 a day".into(),
            true
        ))
    );
    assert_eq!(
        row(&r, "morphine per patient bolus"),
        Some((NOT_SET.into(), "0.5 mg".into(), true))
    );
    assert_eq!(
        row(&r, "morphine maximum possible per 24 h"),
        Some(("2 mg/day".into(), "5 mg/day".into(), true))
    );
    assert_eq!(
        row(&r, "morphine concentration"),
        Some(("10 mg/mL".into(), "10 mg/mL".into(), false))
    );
    // The session records exactly the changed rows.
    let changes = r.changes();
    assert_eq!(changes.len(), changed.len());
    assert_eq!(
        changes.first().map(|c| (c.from.as_str(), c.to.as_str())),
        Some(("2 mg/day", "3 mg/day"))
    );
    // A first fill has no current programme: every row is new.
    let first = review(None, (&after, &o2));
    assert!(!first.has_current && first.rows.iter().all(|x| x.changed && x.current == NOT_SET));
    Ok(())
}

/// Flex steps 08:00 4 mg/day and 20:00 2 mg/day: the 20:00 step runs through midnight, so the day
/// reads 00:00–08:00 2 mg/day (0 to 8/24 = 0.333), 08:00–20:00 4 mg/day (to 20/24 = 0.833),
/// 20:00–24:00 2 mg/day.
#[test]
fn the_flex_timeline_covers_the_whole_day() -> TestResult {
    use itdose::engine::report::review::flex_timeline;
    use itdose::engine::{Cycle, FlexDoseStep, FlexProgramme};
    let mut p = morphine();
    p.flex = Some(FlexProgramme {
        cycle: Cycle::Day,
        steps: vec![
            FlexDoseStep {
                day: 0,
                start: "20:00".into(),
                daily_dose: common::dose(MG, 2.0),
            },
            FlexDoseStep {
                day: 0,
                start: "08:00".into(),
                daily_dose: common::dose(MG, 4.0),
            },
        ],
    });
    let t = flex_timeline(&p);
    let labels: Vec<&str> = t.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "00:00–08:00: 2 mg/day",
            "08:00–20:00: 4 mg/day",
            "20:00–24:00: 2 mg/day"
        ]
    );
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    let ends: Vec<f64> = t.iter().map(|s| s.to).collect();
    assert!(
        ends.len() == 3
            && ends
                .iter()
                .zip([8.0 / 24.0, 20.0 / 24.0, 1.0])
                .all(|(a, b)| close(*a, b))
    );
    // A 7-day cycle has no 24-hour timeline.
    if let Some(f) = p.flex.as_mut() {
        f.cycle = Cycle::Week;
    }
    assert!(flex_timeline(&p).is_empty());
    Ok(())
}

/// The patient card: each medicine's concentration and dose; the alarm at its earliest (every
/// allowed extra dose); a Prometra's MRI says the pump is emptied first; a constant-flow pump has no
/// alarm to describe.
#[test]
fn the_patient_card_speaks_plainly_and_errs_early() -> TestResult {
    use itdose::engine::report::card::card;
    let cat = common::catalogue()?;
    // Prometra II 20 mL, morphine 10 mg/mL at 1 mg/day (0.1 mL/day); myPTM 0.05 mL (0.5 mg),
    // lockout 4 h, at most 4 a day: with every dose the rate is 0.1 + 0.2 = 0.3 mL/day.
    let mut p = plan("prometra-ii-20", 20.0, "morphine", MG, 10.0, 1.0);
    p.boluses.patient = Some(PatientBolus {
        volume: ml(0.05),
        duration: common::hours(10.0 / 60.0),
        lockout: common::hours(4.0),
        max_per_day: 4,
    });
    let (o, _) = run(&p)?;
    let c = card(&p, &o, cat.get("prometra-ii-20"));
    let shown = |name: &str| c.figures.iter().find(|f| f.name == name).map(|f| f.display.clone());
    assert_eq!(
        shown("Medicine: morphine").as_deref(),
        Some("10 mg/mL in the pump; dose 1 mg/day")
    );
    let earliest = o.scenarios.iter().map(|s| s.alarm_at).min().ok_or("no scenario")?;
    assert!(earliest < o.nominal().ok_or("no projection")?.alarm_at);
    assert_eq!(
        shown("The low-reservoir alarm could sound as early as"),
        Some(itdose::engine::format::format_date_time(earliest))
    );
    assert_eq!(c.alarms.len(), 2);
    assert!(c.mri.contains("must be emptied before the scan"), "{}", c.mri);
    let bolus = c.patient_bolus.ok_or("no myPTM text")?;
    assert!(
        bolus.contains("Each dose gives 0.5 mg morphine") && bolus.contains("at least 4 h"),
        "{bolus}"
    );
    // A constant-flow pump has no alarm.
    let cf = common::constant_flow(30.0, 1.0, 30.0, &[("morphine", MG, 2.0)]);
    let (o, _) = run(&cf)?;
    let c = card(&cf, &o, cat.get(&cf.pump.model));
    assert!(c.alarms.is_empty());
    assert_eq!(
        shown_in(&c.figures, "Alarms").as_deref(),
        Some("this pump has no alarm: keep your refill date")
    );
    Ok(())
}

fn shown_in(figures: &[itdose::engine::Figure], name: &str) -> Option<String> {
    figures.iter().find(|f| f.name == name).map(|f| f.display.clone())
}

/// Confirming a refill writes the new fill into the form and keeps everything else as typed: text
/// under a switched-off section (flex steps typed, then flex switched off) is not dropped.
#[test]
fn confirming_keeps_what_was_typed() -> TestResult {
    use itdose::form::{FlexStepForm, PlanForm};
    let (cat, lib) = (common::catalogue()?, common::library()?);
    let mut form = PlanForm::from_plan(&morphine(), &lib);
    form.flex.steps = vec![FlexStepForm {
        start: "08:00".into(),
        dose: "3".into(),
        ..FlexStepForm::default()
    }];
    form.flex.enabled = false;
    form.visit.date = "2027-03-03".into();
    form.visit.time = "09:00".into();
    form.visit.withdrawn = "20.4".into();
    form.visit.new_fill = "38".into();
    let plan = form.to_plan(&cat, &lib).map_err(|e| format!("{e:?}"))?;
    let (outcome, _) = run(&plan)?;
    let next = roll_forward(&plan, &outcome, &plan)?;
    let after = form.confirmed(&next, &lib, true);
    assert_eq!(
        (
            after.fill_volume.as_str(),
            after.fill_date.as_str(),
            after.fill_time.as_str()
        ),
        ("38", "2027-03-03", "09:00")
    );
    assert_eq!(after.visit, Default::default());
    assert_eq!(after.visits.len(), 1);
    assert_eq!(after.flex, form.flex, "the typed flex steps are kept");
    assert_eq!(after.drugs.first().map(|d| d.daily_dose.as_str()), Some("2"));
    Ok(())
}
