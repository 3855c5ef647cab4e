//! The reservoir: exact projections under each patient-bolus scenario, the flow-accuracy band,
//! the earliest possible empty date, and the refill-by date — the pump's rule (at the fast edge of
//! its accuracy, with every allowed patient bolus, at the higher of a Prometra's 3 mL and the
//! alarm), each drug's stability, the device's end of service, an MRI that empties the pump, a
//! constant-flow pump's refill volume — and the capacity with the residual.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{
    MCG, MG, TestResult, close, conc, constant_flow, dose, element_ids, errors, figure, finding, findings, hours,
    messages, ml, morphine_40, plan, run, shown,
};
use itdose::engine::{
    Catalogue, Cycle, FlexDoseStep, FlexProgramme, Mark, MriKind, MriScan, PatientBolus, PatientUse, Plan,
    RefillReason, RuleVolume, Severity, format::Display, report::MarkerKind,
};
use jiff::civil::date;

/// The binding refill-by date and its reason, as the "Refill by" figure shows them.
fn refill_by(p: &Plan) -> Result<(String, String), Box<dyn std::error::Error>> {
    let (outcome, report) = run(p)?;
    let binding = &outcome.refill_by.binding;
    let shown_reason = report
        .refill_constraints
        .iter()
        .find(|f| f.name == shown(binding.at))
        .map(|f| f.display.clone())
        .ok_or("no constraint figure for the binding date")?;
    Ok((shown(binding.at), shown_reason))
}

// -------------------------------------------------------------------------------------------------
// Projections.
// -------------------------------------------------------------------------------------------------

/// A custom pump of 10 mL (no labelled accuracy, no minimum rate) with morphine 10 mg/mL at
/// 10 mg/day (1 mL/day), filled with 10 mL, alarm 2 mL; patient bolus 0.5 mL over 1 h
/// (0.5 mL/h on top of 1/24 mL/h basal), lockout 3 h, at most 4 a day, typically 2 a day.
fn custom_with_patient_boluses() -> Plan {
    let mut p = plan("custom", 10.0, "morphine", MG, 10.0, 10.0);
    p.pump.capacity = Some(ml(10.0));
    p.boluses.patient = Some(PatientBolus {
        volume: ml(0.5),
        duration: hours(1.0),
        lockout: hours(3.0),
        max_per_day: 4,
    });
    p.boluses.typical_per_day = Some(2);
    p
}

/// See [`custom_with_patient_boluses`].
///
/// No boluses: alarm after (10 − 2) ÷ 1 = 8 days → Thu 3 Dec 09:00; empty after 10 days → Sat 5 Dec 09:00.
///
/// Typical, 2 a day: boluses at 6 h and 18 h after the fill each day (spacing 12 h, first at
/// half-spacing). Each day delivers 1 + 2 × 0.5 = 2 mL, so 8 mL are out after exactly 4 days
/// (the day-4 boluses end at 91 h; 91 h → 96 h is basal only: 7.7917 + 5/24 = 8):
/// alarm Sun 29 Nov 09:00. Then 102–103 h bolus, 114–115 h bolus: 8 + 6/24 + 0.54167 + 11/24 +
/// 0.54167 = 9.7917 mL at 115 h; 0.2083 mL more at 1/24 mL/h takes 5 h → empty at 120 h,
/// Mon 30 Nov 09:00.
///
/// All allowed: min(4, ⌈24/3⌉) = 4 a day, at 3, 9, 15, 21 h: 3 mL a day.
/// Alarm: 6 mL at 48 h; 51 h 6.125; 52 h 6.6667; 57 h 6.875; 58 h 7.4167; 63 h 7.625; the 63 h
/// bolus needs 0.375 mL at 0.54167 mL/h = 0.6923 h = 41.5 min → 63 h 41 min after the fill →
/// Sat 28 Nov 00:41. Empty: 9 mL at 72 h; 75 h 9.125; 76 h 9.6667; 81 h 9.875; 0.125 mL at
/// 0.54167 mL/h = 13.8 min → 81 h 13 min → Sat 28 Nov 18:13.
/// With no labelled accuracy the earliest possible empty date is the all-allowed one.
#[test]
fn alarm_and_empty_times_for_each_scenario_to_the_minute() -> TestResult {
    let (outcome, report) = run(&custom_with_patient_boluses())?;
    let times: Vec<(PatientUse, String, String)> = outcome
        .scenarios
        .iter()
        .map(|s| (s.scenario, shown(s.alarm_at), shown(s.empty_at)))
        .collect();
    assert_eq!(
        times,
        [
            (
                PatientUse::None,
                "Thu 3 Dec 2026, 09:00".into(),
                "Sat 5 Dec 2026, 09:00".into()
            ),
            (
                PatientUse::Typical(2),
                "Sun 29 Nov 2026, 09:00".into(),
                "Mon 30 Nov 2026, 09:00".into()
            ),
            (
                PatientUse::AllAllowed,
                "Sat 28 Nov 2026, 00:41".into(),
                "Sat 28 Nov 2026, 18:13".into()
            ),
        ]
    );
    let scenarios: Vec<(&str, &str)> = report
        .scenarios
        .iter()
        .map(|f| (f.name.as_str(), f.display.as_str()))
        .collect();
    assert_eq!(
        scenarios,
        [
            ("No patient boluses: low-reservoir alarm", "Thu 3 Dec 2026, 09:00"),
            ("No patient boluses: empty", "Sat 5 Dec 2026, 09:00"),
            (
                "Typical: 2 patient boluses a day: low-reservoir alarm",
                "Sun 29 Nov 2026, 09:00"
            ),
            ("Typical: 2 patient boluses a day: empty", "Mon 30 Nov 2026, 09:00"),
            (
                "All allowed patient boluses: low-reservoir alarm",
                "Sat 28 Nov 2026, 00:41"
            ),
            ("All allowed patient boluses: empty", "Sat 28 Nov 2026, 18:13"),
        ]
    );
    assert_eq!(outcome.earliest_empty, date(2026, 11, 28).at(18, 13, 0, 0));
    assert_eq!(
        figure(
            &report,
            "Earliest possible empty date (every allowed patient bolus, fast edge of the flow accuracy)"
        ),
        Some("Sat 28 Nov 2026, 18:13")
    );
    // The refill-by date is the alarm with every allowed patient bolus, at the programmed rate.
    assert_eq!(
        refill_by(&custom_with_patient_boluses())?,
        (
            "Sat 28 Nov 2026, 00:41".into(),
            "low-reservoir alarm 2 mL with every allowed patient bolus".into()
        )
    );
    Ok(())
}

/// ±14.5 % (SynchroMed II, S) on 1 mL/day (morphine 10 mg/mL at 10 mg/day), fill 10 mL, alarm 2 mL:
///   nominal alarm 8 days; earliest 8 ÷ 1.145 = 6.987 days (Wed 2 Dec); latest 8 ÷ 0.855 =
///   9.357 days (Fri 4 Dec)
///   empty: 10 ÷ 1.145 = 8.734 days; 10 ÷ 0.855 = 11.7 days
///   earliest possible empty date: 8.73362 days = 8 days 17 h 36.4 min → Fri 4 Dec 2026 02:36,
///   before the nominal empty date (Sat 5 Dec 09:00)
#[test]
fn the_flow_accuracy_band_and_the_earliest_empty_date() -> TestResult {
    let (outcome, report) = run(&plan("synchromed-ii-20", 10.0, "morphine", MG, 10.0, 10.0))?;
    let nominal = outcome.nominal().ok_or("no projection")?;
    let (early, late) = nominal.alarm_band.ok_or("no band")?;
    assert!(close(early.value(), 8.0 / 1.145) && close(late.value(), 8.0 / 0.855));
    assert_eq!(
        (early.ismp(), late.ismp()),
        ("6.987 days".to_owned(), "9.357 days".to_owned())
    );
    let (early, late) = nominal.empty_band.ok_or("no band")?;
    assert!(close(early.value(), 10.0 / 1.145) && close(late.value(), 10.0 / 0.855));
    assert_eq!(
        figure(&report, "Low-reservoir alarm, flow accuracy band"),
        Some("2 Dec 2026 to 4 Dec 2026 (\u{b1}14.5 %)")
    );
    assert_eq!(outcome.earliest_empty, date(2026, 12, 4).at(2, 36, 0, 0));
    assert_eq!(
        figure(
            &report,
            "Earliest possible empty date (every allowed patient bolus, fast edge of the flow accuracy)"
        ),
        Some("Fri 4 Dec 2026, 02:36")
    );
    Ok(())
}

/// A pump with no labelled accuracy and no patient boluses can be empty no earlier than its
/// nominal empty date: the figure is not shown (Prometra II: 20 mL at 0.2 mL/day, 100 days).
#[test]
fn no_earliest_empty_figure_when_it_is_the_nominal_date() -> TestResult {
    let (outcome, report) = run(&plan("prometra-ii-20", 20.0, "morphine", MG, 10.0, 2.0))?;
    assert_eq!(Some(outcome.earliest_empty), outcome.nominal().map(|n| n.empty_at));
    assert!(
        report
            .figures
            .iter()
            .all(|f| !f.name.starts_with("Earliest possible empty date"))
    );
    Ok(())
}

/// A flex programme: 5 mg/day (0.5 mL/day at 10 mg/mL) from 08:00, 1 mg/day (0.1 mL/day) from
/// 20:00, in a custom 1 mL pump filled at 09:00 with 1 mL, alarm 0.5 mL.
/// 09:00–20:00 = 11 h at 0.5/24 mL/h = 0.2292 mL → 0.7708 left; 20:00–08:00 = 12 h at 0.1/24 =
/// 0.05 → 0.7208 at 08:00; then 0.2208 mL more at 0.5/24 mL/h = 10.6 h → Thu 26 Nov 18:36
/// (10.6 h = 10 h 36 min).
#[test]
fn a_flex_projection_follows_the_steps() -> TestResult {
    let mut p = plan("custom", 1.0, "morphine", MG, 10.0, 5.0);
    p.pump.capacity = Some(ml(1.0));
    p.fill.low_reservoir_alarm = ml(0.5);
    p.flex = Some(FlexProgramme {
        cycle: Cycle::Day,
        steps: vec![
            FlexDoseStep {
                day: 0,
                start: "08:00".into(),
                daily_dose: dose(MG, 5.0),
            },
            FlexDoseStep {
                day: 0,
                start: "20:00".into(),
                daily_dose: dose(MG, 1.0),
            },
        ],
    });
    let (outcome, _) = run(&p)?;
    assert_eq!(
        outcome.nominal().map(|n| n.alarm_at),
        Some(date(2026, 11, 26).at(18, 36, 0, 0))
    );
    Ok(())
}

/// The reservoir falls linearly at a constant rate and never below zero:
/// 40 mL − 0.2 mL/day × 50 days = 30 mL; after 500 days, 0 mL.
#[test]
fn the_volume_falls_linearly_and_never_below_zero() -> TestResult {
    let (outcome, _) = run(&morphine_40())?;
    let nominal = outcome.nominal().ok_or("no projection")?;
    assert!(close(nominal.volume_at(50.0).value(), 30.0));
    assert_eq!(nominal.volume_at(500.0).value().to_bits(), 0.0_f64.to_bits());
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// Refill-by.
// -------------------------------------------------------------------------------------------------

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
    let slow = plan("synchromed-ii-20", 20.0, "morphine", MG, 5.0, 0.8);
    assert_eq!(
        refill_by(&slow)?,
        (
            "Tue 23 Feb 2027, 09:00".into(),
            "morphine stability in the pump: 90 days (in the pump)".into()
        )
    );
    assert_eq!(run(&slow)?.0.refill_by.candidates.len(), 2);
    let fast = plan("synchromed-ii-20", 20.0, "morphine", MG, 5.0, 2.0);
    assert_eq!(
        refill_by(&fast)?,
        (
            "Sun 3 Jan 2027, 16:13".into(),
            "low-reservoir alarm 2 mL, if the pump delivers 14.5 % more than programmed (the fast edge of its flow accuracy)"
                .into()
        )
    );
    let (outcome, report) = run(&fast)?;
    let programmed = outcome
        .refill_by
        .at_programmed_rate
        .clone()
        .ok_or("no programmed-rate date")?;
    assert_eq!(shown(programmed.at), "Sat 9 Jan 2027, 09:00");
    assert_eq!(
        figure(&report, "Pump rule at the programmed rate (information)"),
        Some("Sat 9 Jan 2027, 09:00 (low-reservoir alarm 2 mL, at the programmed rate)")
    );
    let mut ending = fast;
    ending.pump.end_of_service = Some(date(2026, 12, 25).at(0, 0, 0, 0));
    assert_eq!(
        refill_by(&ending)?,
        ("Fri 25 Dec 2026, 00:00".into(), "device end of service".into())
    );
    Ok(())
}

/// Every constraint is listed, earliest first (the first binds): for 2 mg/day at 5 mg/mL with an
/// end of service on Fri 25 Dec 2026, the end of service, then the fast-edge alarm (Sun 3 Jan
/// 2027 16:13), then morphine's stability (Tue 23 Feb 2027 09:00).
#[test]
fn every_refill_by_constraint_is_listed_earliest_first() -> TestResult {
    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 5.0, 2.0);
    p.pump.end_of_service = Some(date(2026, 12, 25).at(0, 0, 0, 0));
    let (_, report) = run(&p)?;
    let names: Vec<&str> = report.refill_constraints.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Fri 25 Dec 2026, 00:00",
            "Sun 3 Jan 2027, 16:13",
            "Tue 23 Feb 2027, 09:00"
        ]
    );
    Ok(())
}

/// An end of service before the fill (Wed 25 Nov 2026, 09:00) made the refill-by date a date
/// before the fill ("Mon 1 Jan 1, 00:00 (device end of service)", found by the bad-input
/// matrix): refused at the end of service. On the fill itself it binds at once.
#[test]
fn an_end_of_service_before_the_fill_is_refused() -> TestResult {
    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 5.0, 2.0);
    p.pump.end_of_service = Some(date(1, 1, 1).at(0, 0, 0, 0));
    let errs = errors(&p)?;
    assert_eq!(element_ids(&errs), ["end_of_service"]);
    assert_eq!(
        messages(&errs),
        [
            "Device end of service: the device's end of service (Mon 1 Jan 1, 00:00) is before the fill (Wed 25 Nov 2026, 09:00): the pump is past it"
        ]
    );
    p.pump.end_of_service = Some(date(2026, 11, 25).at(9, 0, 0, 0));
    assert_eq!(
        refill_by(&p)?,
        ("Wed 25 Nov 2026, 09:00".into(), "device end of service".into())
    );
    Ok(())
}

/// Ziconotide (Prialt label, V): refill a new pump within 14 days; afterwards 40 days diluted,
/// 84 days undiluted. 2.4 mcg/day at 25 mcg/mL = 0.096 mL/day: the alarm is 187.5 days away.
///   undiluted (stock 25 = reservoir 25 mcg/mL): 84 days → Wed 17 Feb 2027 09:00
///   diluted from 100 mcg/mL: 40 days → Mon 4 Jan 2027 09:00
///   no stock entered: dilution unknown, the shorter (40 days) applies, and says so
///   first fill of a new pump: 14 days → Wed 9 Dec 2026 09:00
#[test]
fn ziconotide_stability_depends_on_dilution_and_a_new_pump() -> TestResult {
    let base = plan("synchromed-ii-20", 20.0, "ziconotide", MCG, 25.0, 2.4);
    let with_stock = |stock: f64| {
        let mut p = base.clone();
        if let Some(l) = p.drugs.first_mut() {
            l.stock = Some(conc(MCG, stock));
        }
        p
    };
    assert_eq!(
        refill_by(&with_stock(25.0))?,
        (
            "Wed 17 Feb 2027, 09:00".into(),
            "ziconotide stability in the pump: 84 days (undiluted, after the first refill)".into()
        )
    );
    assert_eq!(
        refill_by(&with_stock(100.0))?,
        (
            "Mon 4 Jan 2027, 09:00".into(),
            "ziconotide stability in the pump: 40 days (diluted, after the first refill)".into()
        )
    );
    assert_eq!(
        refill_by(&base)?,
        (
            "Mon 4 Jan 2027, 09:00".into(),
            "ziconotide stability in the pump: 40 days (diluted, after the first refill; dilution not known (no stock strength entered): the shorter applies)".into()
        )
    );
    let mut new_pump = with_stock(25.0);
    new_pump.fill.new_pump = true;
    assert_eq!(
        refill_by(&new_pump)?,
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
fn the_prometra_rule_assumes_every_allowed_bolus() -> TestResult {
    let mut p = plan("prometra-ii-20", 20.0, "morphine", MG, 5.0, 2.5);
    p.boluses.patient = Some(PatientBolus {
        volume: ml(0.1),
        duration: hours(10.0 / 60.0),
        lockout: hours(4.0),
        max_per_day: 4,
    });
    p.boluses.typical_per_day = Some(1);
    assert_eq!(
        refill_by(&p)?,
        (
            "Mon 14 Dec 2026, 06:06".into(),
            "refill-date volume 3 mL (pump rule) with every allowed patient bolus".into()
        )
    );
    assert_eq!(run(&p)?.0.scenarios.len(), 3, "none, typical, all allowed");
    Ok(())
}

/// A Prometra refills at the higher of its refill-date volume (3 mL) and the alarm: a 4 mL alarm
/// (as for baclofen) must not come after the refill-by date. Prometra II 20 mL, morphine 10 mg/mL
/// at 2 mg/day (0.2 mL/day), no accuracy in the catalogue:
///   alarm 2 mL: rule 3 mL, (20 − 3) ÷ 0.2 = 85 days → Thu 18 Feb 2027 09:00
///   alarm 3 mL: exactly the rule's 3 mL, still the pump rule: 85 days
///   alarm 4 mL: rule 4 mL, (20 − 4) ÷ 0.2 = 80 days → Sat 13 Feb 2027 09:00
#[test]
fn a_prometra_refills_at_the_higher_of_3_ml_and_the_alarm() -> TestResult {
    let with_alarm = |alarm: f64| {
        let mut p = plan("prometra-ii-20", 20.0, "morphine", MG, 10.0, 2.0);
        p.fill.low_reservoir_alarm = ml(alarm);
        p
    };
    for (alarm, expected) in [
        (2.0, ("Thu 18 Feb 2027, 09:00", "refill-date volume 3 mL (pump rule)")),
        (3.0, ("Thu 18 Feb 2027, 09:00", "refill-date volume 3 mL (pump rule)")),
        (4.0, ("Sat 13 Feb 2027, 09:00", "low-reservoir alarm 4 mL")),
    ] {
        assert_eq!(
            refill_by(&with_alarm(alarm))?,
            (expected.0.into(), expected.1.into()),
            "alarm {alarm} mL"
        );
    }
    let (outcome, _) = run(&with_alarm(4.0))?;
    assert!(matches!(
        outcome.refill_by.binding.reason,
        RefillReason::PumpRule {
            volume: RuleVolume::Alarm(v),
            every_bolus: false,
            fast_edge: None
        } if close(v.value(), 4.0)
    ));
    Ok(())
}

/// A constant-flow pump has no alarm: the volume entered is its refill volume, and the reason
/// says so. 30 mL at 1 mL/day, refill at 2 mL: (30 − 2) ÷ 1 = 28 days → Wed 23 Dec 2026 09:00.
#[test]
fn a_constant_flow_pump_refills_at_its_refill_volume() -> TestResult {
    let p = constant_flow(30.0, 1.0, 30.0, &[("morphine", MG, 4.0)]);
    assert_eq!(
        refill_by(&p)?,
        (
            "Wed 23 Dec 2026, 09:00".into(),
            "refill volume 2 mL (no alarm on this pump)".into()
        )
    );
    let (_, report) = run(&p)?;
    assert_eq!(
        figure(&report, "Refill by"),
        Some("Wed 23 Dec 2026, 09:00 (refill volume 2 mL (no alarm on this pump))")
    );
    Ok(())
}

/// The worked refill-by of [`refill_by_is_the_binding_constraint_for_every_pump`], per pump.
///
/// Morphine 10 mg/mL at 2 mg/day → 0.2 mL/day, fill 20 mL, alarm 2 mL; morphine stability 90 days
/// → Tue 23 Feb 2027 09:00.
///   SynchroMed II (±14.5 %): alarm at the fast edge 18 ÷ (0.2 × 1.145) = 18 ÷ 0.229
///     = 78.6026 days = 78 days 14 h 27.8 min → Thu 11 Feb 2027 23:27 (rounded down);
///     a 1-hour MRI stalls the pump for the hour → Fri 12 Feb 2027 00:27
///   SynchroMed III, custom (capacity 20 mL, no accuracy): alarm 18 ÷ 0.2 = 90 days, the same as
///     stability → Tue 23 Feb 2027 09:00; no MRI model, so the MRI changes nothing
///   Prometra (refill-date volume 3 mL): (20 − 3) ÷ 0.2 = 85 days → Thu 18 Feb 2027 09:00;
///     emptied for an MRI 10 days after the fill → Sat 5 Dec 2026 09:00
///   constant-flow (30 mL, 1 mL/day, 4 mg/mL): (30 − 2) ÷ 1 = 28 days → Wed 23 Dec 2026 09:00
fn worked_refill_by(pump: &str, with_mri: bool) -> Option<&'static str> {
    Some(match (pump, with_mri) {
        ("synchromed-ii-20" | "synchromed-ii-40", false) => "Thu 11 Feb 2027, 23:27",
        ("synchromed-ii-20" | "synchromed-ii-40", true) => "Fri 12 Feb 2027, 00:27",
        ("synchromed-iii" | "custom", _) => "Tue 23 Feb 2027, 09:00",
        ("prometra-20" | "prometra-ii-20" | "prometra-ii-40", false) => "Thu 18 Feb 2027, 09:00",
        ("prometra-20" | "prometra-ii-20" | "prometra-ii-40", true) => "Sat 5 Dec 2026, 09:00",
        ("constant-flow", _) => "Wed 23 Dec 2026, 09:00",
        _ => return None,
    })
}

/// For every catalogue pump, with and without an MRI 10 days after the fill (Sat 5 Dec 2026
/// 09:00, 1 h): the figure "Refill by" shows the binding constraint's date and reason, the binding
/// constraint is the earliest candidate, and its date is the worked one ([`worked_refill_by`]).
/// A Prometra emptied for the MRI gives a soft "mri.empty" finding.
#[test]
fn refill_by_is_the_binding_constraint_for_every_pump() -> TestResult {
    let catalogue = Catalogue::builtin()?;
    let scan = MriScan {
        at: date(2026, 12, 5).at(9, 0, 0, 0),
        duration: hours(1.0),
    };
    let mut worked = 0;
    for model in &catalogue.pumps {
        for mri in [None, Some(scan.clone())] {
            let mut p = if model.is_constant_flow() {
                constant_flow(30.0, 1.0, 30.0, &[("morphine", MG, 4.0)])
            } else {
                let mut p = plan(&model.id, 20.0, "morphine", MG, 10.0, 2.0);
                if model.is_custom() {
                    p.pump.capacity = Some(ml(20.0));
                }
                p
            };
            p.csf.mri = mri.clone();
            let what = format!(
                "{} {}",
                model.id,
                if mri.is_some() { "with MRI" } else { "without MRI" }
            );
            let (outcome, report) = run(&p).map_err(|e| format!("{what}: {e}"))?;
            let binding = &outcome.refill_by.binding;
            let earliest = outcome.refill_by.candidates.iter().map(|c| c.at).min();
            assert_eq!(Some(binding.at), earliest, "{what}");
            let reason = report
                .refill_constraints
                .first()
                .map(|f| f.display.clone())
                .unwrap_or_default();
            assert_eq!(
                figure(&report, "Refill by"),
                Some(format!("{} ({reason})", shown(binding.at)).as_str()),
                "{what}"
            );
            let expected = worked_refill_by(&model.id, mri.is_some()).ok_or(format!("{what}: no worked date"))?;
            assert_eq!(shown(binding.at), expected, "{what}: {reason}");
            worked += 1;
            if model.mri_kind == Some(MriKind::EmptyBefore) && mri.is_some() {
                assert_eq!(
                    reason, "MRI: the pump is emptied before the scan and refilled after",
                    "{what}"
                );
                let empty = finding(&report, "mri.empty").ok_or(format!("{what}: no mri.empty finding"))?;
                assert_eq!(empty.severity, Severity::Soft, "{what}");
            }
        }
    }
    assert_eq!(worked, 2 * catalogue.pumps.len());
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// MRI.
// -------------------------------------------------------------------------------------------------

/// A SynchroMed II stalls for the scan and may restart up to 24 h late. docs' ziconotide refill
/// (18.6 mL of 25 mcg/mL at 2.4 mcg/day, 0.096 mL/day), MRI Thu 3 Dec 2026 09:00 for 2 h:
/// delivery stops 09:00–11:00; the latest restart is Fri 4 Dec 11:00. The checklist tells to
/// interrogate the pump after the scan.
#[test]
fn an_mri_stalls_a_synchromed_ii() -> TestResult {
    let mut p = common::docs("example-ziconotide-refill.json")?;
    p.csf.mri = Some(MriScan {
        at: date(2026, 12, 3).at(9, 0, 0, 0),
        duration: hours(2.0),
    });
    let (outcome, report) = run(&p)?;
    let mri = outcome.mri.clone().ok_or("no MRI outcome")?;
    assert_eq!(mri.kind, Some(MriKind::StallRestartDelay));
    assert_eq!(
        (mri.from, mri.to),
        (date(2026, 12, 3).at(9, 0, 0, 0), date(2026, 12, 3).at(11, 0, 0, 0))
    );
    assert_eq!(mri.restart_latest, Some(date(2026, 12, 4).at(11, 0, 0, 0)));
    let section = report.mri.ok_or("no MRI section")?;
    assert_eq!(section.title, "MRI Thu 3 Dec 2026, 09:00");
    assert_eq!(
        section.figures.first().map(|f| f.display.as_str()),
        Some("Thu 3 Dec 2026, 09:00 to Thu 3 Dec 2026, 11:00 (restart possibly as late as Fri 4 Dec 2026, 11:00)")
    );
    assert!(
        section
            .checklist
            .iter()
            .any(|c| c.contains("Interrogate the pump after the scan")),
        "{:?}",
        section.checklist
    );
    Ok(())
}

/// A Prometra is emptied before the scan. Prometra II 20 mL, morphine 10 mg/mL at 2 mg/day
/// (0.2 mL/day), MRI Sat 5 Dec 2026 09:00 (10 days after the fill): 20 − 0.2 × 10 = 18 mL are in
/// the pump, 18 × 10 = 180 mg of morphine, removed. The refill-by date is the scan; the chart's
/// alarm and empty markers (85 and 100 days) never come and are not drawn.
#[test]
fn a_prometra_is_emptied_before_an_mri() -> TestResult {
    let mut p = plan("prometra-ii-20", 20.0, "morphine", MG, 10.0, 2.0);
    p.csf.mri = Some(MriScan {
        at: date(2026, 12, 5).at(9, 0, 0, 0),
        duration: hours(1.0),
    });
    let (outcome, report) = run(&p)?;
    let mri = outcome.mri.clone().ok_or("no MRI outcome")?;
    assert_eq!(mri.removed.map(|v| v.ismp()).as_deref(), Some("18 mL"));
    let removed: Vec<(String, String)> = mri.removed_drug.iter().map(|(d, a)| (d.clone(), a.ismp())).collect();
    assert_eq!(removed, [("morphine".to_owned(), "180 mg".to_owned())]);
    assert_eq!(
        figure(&report, "Emptied for the MRI"),
        Some("Sat 5 Dec 2026, 09:00 (18 mL expected in the pump)")
    );
    let empty = finding(&report, "mri.empty").ok_or("no mri.empty finding")?;
    assert_eq!(empty.key.value.as_deref(), Some("18 mL"));
    assert!(
        empty
            .message
            .starts_with("MRI Sat 5 Dec 2026, 09:00: empty the Prometra II (20 mL) before the scan"),
        "{}",
        empty.message
    );
    let kinds: Vec<MarkerKind> = report.reservoir_chart.markers.iter().map(|m| m.kind).collect();
    assert_eq!(kinds, [MarkerKind::RefillBy]);
    let section = report.mri.ok_or("no MRI section")?;
    assert!(
        section
            .checklist
            .iter()
            .any(|c| c.starts_with("If the drug cannot be removed first (emergency MRI)")),
        "{:?}",
        section.checklist
    );
    Ok(())
}

/// A scan before the fill cannot be planned on this fill: refused at the MRI's date.
#[test]
fn impossible_mri_scans_are_refused() -> TestResult {
    let mut p = common::docs("example-ziconotide-refill.json")?;
    p.csf.mri = Some(MriScan {
        at: date(2026, 1, 10).at(9, 0, 0, 0),
        duration: hours(1.0),
    });
    let errs = errors(&p)?;
    assert_eq!(element_ids(&errs), ["mri-date"]);
    assert_eq!(
        messages(&errs),
        ["MRI, date: the MRI (Sat 10 Jan 2026, 09:00) is before the fill (Wed 25 Nov 2026, 09:00)"]
    );
    Ok(())
}

/// A scan of 1e6 h (114 years, e.g. minutes typed where hours were meant upstream) or 1e16 h
/// cannot be put on a calendar (the engine's bound is 36,525 days): it must be refused, as it was
/// in version 1 ("huge durations are errors"), not silently shortened.
#[test]
fn an_mri_too_long_for_the_calendar_is_refused() -> TestResult {
    for duration in [1e6, 1e16] {
        let mut p = common::docs("example-ziconotide-refill.json")?;
        p.csf.mri = Some(MriScan {
            at: date(2026, 12, 1).at(9, 0, 0, 0),
            duration: hours(duration),
        });
        let errs = errors(&p)?;
        assert_eq!(element_ids(&errs), ["mri-duration"], "{duration} h");
        assert!(
            messages(&errs)
                .iter()
                .all(|m| m.ends_with("would end the scan beyond the calendar")),
            "{errs:?}"
        );
    }
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// The capacity, the residual.
// -------------------------------------------------------------------------------------------------

/// SynchroMed II 20 mL with a residual of 1.4 mL left after aspiration:
///   fill 18.6 mL: 18.6 + 1.4 = 20 mL, exactly the capacity → evaluates
///   fill 18.7 mL: 18.7 + 1.4 = 20.1 mL > 20 mL → error on the fill volume
#[test]
fn the_fill_and_the_residual_must_fit_the_reservoir() -> TestResult {
    let mut p = plan("synchromed-ii-20", 18.6, "morphine", MG, 10.0, 2.0);
    p.csf.residual = Some(ml(1.4));
    run(&p)?;
    p.fill.volume = ml(18.7);
    let errs = errors(&p)?;
    assert_eq!(element_ids(&errs), ["fill_volume"]);
    assert_eq!(
        messages(&errs),
        ["Fill volume: 18.7 mL + the residual 1.4 mL = 20.1 mL is above the pump capacity of 20 mL"]
    );
    Ok(())
}

/// A SynchroMed II can keep up to 1.4 mL after aspiration (its dead space, catalogue). A refill
/// with no residual entered whose fill + 1.4 mL exceeds the capacity is a soft caution:
///   18.6 + 1.4 = 20 mL, exactly the 20 mL capacity → none
///   18.7 + 1.4 = 20.1 mL > 20 mL → soft "residual_unknown", key (bound "20 mL", value "18.7 mL")
///   the same with the residual entered (0 mL) → none; the first fill of a new pump → none
///   a Prometra (no dead space in the catalogue), 20 mL → none
#[test]
fn an_unknown_residual_that_could_overfill_cautions() -> TestResult {
    let (_, report) = run(&plan("synchromed-ii-20", 18.6, "morphine", MG, 10.0, 2.0))?;
    assert!(
        findings(&report, "residual_unknown").is_empty(),
        "{:?}",
        report.findings
    );
    let over = plan("synchromed-ii-20", 18.7, "morphine", MG, 10.0, 2.0);
    let (_, report) = run(&over)?;
    let caution = finding(&report, "residual_unknown").ok_or("no residual caution")?;
    assert_eq!(caution.severity, Severity::Soft);
    assert_eq!(
        (caution.key.bound.as_deref(), caution.key.value.as_deref()),
        (Some("20 mL"), Some("18.7 mL"))
    );
    assert_eq!(
        caution.message,
        "The residual left in the pump is not entered: the pump can keep up to 1.4 mL, and 18.7 mL with it would exceed the 20 mL reservoir. Enter the residual (overfilling is a risk factor for over-infusion)."
    );
    let mut entered = over.clone();
    entered.csf.residual = Some(ml(0.0));
    assert!(findings(&run(&entered)?.1, "residual_unknown").is_empty());
    let mut new_pump = over;
    new_pump.fill.new_pump = true;
    assert!(findings(&run(&new_pump)?.1, "residual_unknown").is_empty());
    assert!(
        findings(
            &run(&plan("prometra-ii-20", 20.0, "morphine", MG, 10.0, 2.0))?.1,
            "residual_unknown"
        )
        .is_empty()
    );
    Ok(())
}

/// The Prometra II 40 mL values carry their sources and marks (catalogue): capacity 40 mL (V),
/// refill-date volume 3 mL (V), catheter 0.0026 mL/cm (V), empty before MRI; its minimum rate and
/// accuracy are unknown, absent rather than invented.
#[test]
fn prometra_ii_40_catalogue_values_carry_sources() -> TestResult {
    let catalogue = Catalogue::builtin()?;
    let pump = catalogue.get("prometra-ii-40").ok_or("no Prometra II 40")?;
    let capacity = pump.capacity_ml.as_ref().ok_or("no capacity")?;
    assert_eq!(
        (capacity.value.ismp(), capacity.mark),
        ("40 mL".to_owned(), Mark::Verified)
    );
    let refill = pump.refill_volume_ml.as_ref().ok_or("no refill-date volume")?;
    assert_eq!((refill.value.ismp(), refill.mark), ("3 mL".to_owned(), Mark::Verified));
    let per_cm = pump.catheter_ml_per_cm.as_ref().ok_or("no catheter volume")?;
    assert!(close(per_cm.value, 0.0026) && per_cm.mark == Mark::Verified);
    assert!(
        pump.mri
            .as_ref()
            .is_some_and(|m| m.value.contains("Empty the pump before MRI") && !m.source.is_empty())
    );
    assert_eq!(pump.mri_kind, Some(MriKind::EmptyBefore));
    assert!(pump.minimum_rate_ml_per_day.is_none() && pump.flow_accuracy_percent.is_none());
    Ok(())
}
