//! The new solution's way to the CSF: the volume ahead of it (tubing + catheter) and when it
//! reaches the catheter tip, the refill mixing with the residual, a change of concentration pushed
//! through at the new rate (its first-day total and the caution), the bridge and priming boluses,
//! and the modelled CSF series — an exact warm start at the old solution's rate, the MRI pause, an
//! emptied Prometra, the scenarios, and the CSV with an exact, distinct time on every row.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{MCG, MG, TestResult, close, conc, docs, figure, finding, hours, library, ml, per_day, plan, run};
use itdose::engine::{
    AnyConcentration, Basal, Cycle, Days, DeadVolume, FlexStep, MriScan, PatientBolus, PatientUse, Plan, PreviousDrug,
    Schedule, Severity, Window, bridge_bolus, concentration_series, format::Display, mixed_concentration,
    priming_bolus, report::csf_section, tip_arrival, to_csv,
};
use jiff::civil::{date, time};

/// The modelled series of `plan` over `days` at `step` hours.
fn series(
    p: &Plan,
    days: f64,
    step: f64,
    scenario: Option<PatientUse>,
) -> Result<itdose::engine::CsfOutcome, Box<dyn std::error::Error>> {
    let (outcome, _) = run(p)?;
    Ok(concentration_series(
        p,
        &outcome,
        &library()?,
        Window {
            days: Days::new(days)?,
            step: hours(step),
            scenario,
        },
    )?)
}

// -------------------------------------------------------------------------------------------------
// Transit, mixing, bridge and priming, worked by hand.
// -------------------------------------------------------------------------------------------------

/// domain.md §4: 0.16 mL of catheter at 0.048 mL/day is more than three days:
///   0.16 ÷ 0.048 = 3.333 days = 3 days 8 h → filled Wed 25 Nov 2026 09:00, at the tip Sat 28 Nov 17:00.
#[test]
fn the_new_solution_reaches_the_tip_at_a_constant_rate() -> TestResult {
    let (at, days) = tip_arrival(
        &Schedule::continuous(per_day(0.048)),
        ml(20.0),
        common::filled(),
        ml(0.16),
    )?;
    assert_eq!(days.ismp(), "3.333 days");
    assert_eq!(at, date(2026, 11, 28).at(17, 0, 0, 0));
    Ok(())
}

/// The rate changes midway (flex): 0.1 mL/day from 00:00, 0.3 mL/day from 12:00. Filled at
/// 00:00 with 0.25 mL ahead of the new solution: day 1 delivers 0.1 × ½ + 0.3 × ½ = 0.2 mL;
/// 0.05 mL more at 0.1 mL/day takes 12 h → the tip at 12:00 on day 2 (Thu 26 Nov 12:00).
#[test]
fn the_new_solution_reaches_the_tip_when_the_rate_changes_midway() -> TestResult {
    let schedule = Schedule {
        basal: Basal::Flex {
            cycle: Cycle::Day,
            steps: vec![
                FlexStep {
                    day: 0,
                    start: time(0, 0, 0, 0),
                    rate: per_day(0.1),
                },
                FlexStep {
                    day: 0,
                    start: time(12, 0, 0, 0),
                    rate: per_day(0.3),
                },
            ],
        },
        ..Schedule::continuous(per_day(0.1))
    };
    let (at, _) = tip_arrival(&schedule, ml(20.0), date(2026, 11, 25).at(0, 0, 0, 0), ml(0.25))?;
    assert_eq!(at, date(2026, 11, 26).at(12, 0, 0, 0));
    Ok(())
}

/// 1.4 mL residual of morphine 10 mg/mL + 18.6 mL fill of 20 mg/mL:
///   (10 × 1.4 + 20 × 18.6) ÷ 20 = (14 + 372) ÷ 20 = 19.3 mg/mL.
/// A drug only in the new fill is diluted by the residual: 100 mcg/mL × 18.6 ÷ 20 = 93 mcg/mL.
/// Families never mix: an old solution in mg/mL with a new one in mcg/mL is refused.
#[test]
fn a_refill_onto_a_residual_mixes() -> TestResult {
    let mixed = mixed_concentration(Some(conc(MG, 10.0)), ml(1.4), Some(conc(MG, 20.0)), ml(18.6))?;
    assert_eq!(mixed.map(AnyConcentration::ismp).as_deref(), Some("19.3 mg/mL"));
    let clonidine = mixed_concentration(None, ml(1.4), Some(conc(MCG, 100.0)), ml(18.6))?;
    assert_eq!(clonidine.map(AnyConcentration::ismp).as_deref(), Some("93 mcg/mL"));
    assert!(mixed_concentration(Some(conc(MG, 10.0)), ml(1.4), Some(conc(MCG, 10.0)), ml(18.6)).is_err());
    Ok(())
}

/// Old morphine 10 mg/mL at 2 mg/day → old rate 0.2 mL/day; 0.16 mL ahead of the new solution:
///   duration 0.16 ÷ 0.2 = 0.8 day (19.2 h); old drug delivered 0.16 × 10 = 1.6 mg.
#[test]
fn bridge_bolus_volume_and_rate() -> TestResult {
    let bridge = bridge_bolus(ml(0.16), conc(MG, 10.0), per_day(0.2))?;
    assert_eq!(
        (
            bridge.volume.ismp(),
            bridge.rate.ismp(),
            bridge.duration.ismp(),
            bridge.old_drug_delivered.ismp()
        ),
        (
            "0.16 mL".into(),
            "0.2 mL/day".into(),
            "0.8 days".into(),
            "1.6 mg".into()
        )
    );
    Ok(())
}

/// Prometra catheter: 110 cm − 21 cm trimmed = 89 cm × 0.0026 mL/cm = 0.2314 mL; with 0.14 mL of
/// tubing ahead of it the priming volume is 0.3714 mL, holding 3.714 mg of 10 mg/mL morphine. A
/// negative length is refused.
#[test]
fn a_priming_bolus_fills_the_tubing_and_the_catheter() -> TestResult {
    let dead = DeadVolume::with_catheter(ml(0.14), 110.0 - 21.0, 0.0026)?;
    assert_eq!(dead.catheter.ismp(), "0.2314 mL");
    let priming = priming_bolus(&dead, conc(MG, 10.0));
    assert_eq!(
        (priming.volume.ismp(), priming.drug_in_dead_volume.ismp()),
        ("0.3714 mL".into(), "3.714 mg".into())
    );
    assert!(DeadVolume::with_catheter(ml(0.0), -1.0, 0.0026).is_err());
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// A change of concentration pushed through at the new rate.
// -------------------------------------------------------------------------------------------------

/// Prometra II 20 mL, morphine 10 mg/mL at 2 mg/day (0.2 mL/day), replacing 20 mg/mL, with the
/// Prometra catheter (89 cm × 0.0026 mL/cm = 0.2314 mL) ahead of the new solution and no bridge.
/// The first 24 hours deliver V = 0.2 mL, all of it the old solution (0.2 < 0.2314):
///   first day = old × min(dead, V) + mixed × (V − dead)⁺ = 20 × 0.2 + 10 × 0 = 4 mg/day
/// which is the maximum possible per 24 h (4 > 2), and a soft "concentration change without
/// bridge" caution (our design), keyed by the old and new concentrations.
#[test]
fn a_change_of_concentration_counts_its_first_day() -> TestResult {
    let mut p = plan("prometra-ii-20", 20.0, "morphine", MG, 10.0, 2.0);
    p.csf.catheter_length_cm = Some(89.0);
    p.csf.catheter_ml_per_cm = Some(0.0026);
    p.csf.previous = vec![PreviousDrug {
        drug: "morphine".into(),
        concentration: conc(MG, 20.0),
    }];
    let (outcome, report) = run(&p)?;
    let drug = outcome.drugs.first().ok_or("no drug")?;
    assert!(
        close(drug.first_day.map_or(0.0, |d| d.value()), 4.0),
        "{:?}",
        drug.first_day
    );
    assert!(close(drug.daily_maximum.value(), 4.0), "{:?}", drug.daily_maximum);
    assert_eq!(
        figure(&report, "morphine in the first 24 h, the old solution pushed through"),
        Some("4 mg/day")
    );
    assert_eq!(figure(&report, "morphine maximum possible per 24 h"), Some("4 mg/day"));
    let change = finding(&report, "concentration_change").ok_or("no concentration-change finding")?;
    assert_eq!(
        change.key,
        common::key(
            "concentration_change",
            Some("morphine"),
            Some("20 mg/mL"),
            Some("10 mg/mL")
        )
    );
    assert_eq!(change.severity, Severity::Soft);
    assert_eq!(
        change.message,
        "morphine changes from 20 mg/mL to 10 mg/mL with no bridge bolus: the 0.2314 mL ahead of the new solution is delivered at the new rate, 4 mg/day in the first 24 hours. Consider a bridge bolus."
    );
    assert_eq!(
        change.source.as_deref(),
        Some(
            "itdose: the old solution ahead of the new one is delivered at the new rate unless a bridge bolus is programmed (our design)"
        )
    );
    Ok(())
}

/// When the first 24 hours deliver more than the volume ahead: 5 mg/day at 10 mg/mL (0.5 mL/day)
/// replacing 20 mg/mL behind 0.2314 mL:
///   20 × 0.2314 + 10 × (0.5 − 0.2314) = 4.628 + 2.686 = 7.314 mg/day > 5 mg/day
/// With a bridge bolus programmed there is no caution.
#[test]
fn the_first_day_pushes_the_old_solution_then_the_new() -> TestResult {
    let mut p = plan("prometra-ii-20", 20.0, "morphine", MG, 10.0, 5.0);
    p.csf.catheter_length_cm = Some(89.0);
    p.csf.catheter_ml_per_cm = Some(0.0026);
    p.csf.previous = vec![PreviousDrug {
        drug: "morphine".into(),
        concentration: conc(MG, 20.0),
    }];
    let (outcome, _) = run(&p)?;
    let drug = outcome.drugs.first().ok_or("no drug")?;
    assert!(close(drug.daily_maximum.value(), 7.314), "{:?}", drug.daily_maximum);
    p.boluses.bridge = Some(itdose::engine::BridgeBolusSetting { at: common::filled() });
    assert!(finding(&run(&p)?.1, "concentration_change").is_none());
    Ok(())
}

/// docs/example-ziconotide-refill.json: SynchroMed II 20 mL, ziconotide 25 mcg/mL, 18.6 mL filled
/// onto the 1.4 mL left of 10 mcg/mL (18.6 + 1.4 = 20 mL, the capacity); no catheter volume entered
/// (Medtronic catheters' volume per cm is not in the catalogue), so no transit delay and no
/// first-day total.
///   reservoir: (10 × 1.4 + 25 × 18.6) ÷ 20 = (14 + 465) ÷ 20 = 23.95 mcg/mL
/// The limits are checked at the higher of the new and the mixed: 25 mcg/mL × 0.096 = 2.4 mcg/day.
#[test]
fn the_ziconotide_refill_mixes_with_the_residual() -> TestResult {
    let p = docs("example-ziconotide-refill.json")?;
    let (outcome, report) = run(&p)?;
    let drug = outcome.drugs.first().ok_or("no drug")?;
    assert_eq!(drug.mixed.map(AnyConcentration::ismp).as_deref(), Some("23.95 mcg/mL"));
    assert_eq!(drug.first_day, None);
    assert_eq!(drug.daily_maximum.ismp(), "2.4 mcg/day");
    assert_eq!(
        figure(&report, "ziconotide in the reservoir after mixing with the residual"),
        Some("23.95 mcg/mL")
    );
    assert!(finding(&report, "concentration_change").is_none());
    let csf = series(&p, 2.0, 1.0, None)?;
    assert_eq!(csf.tip_days.ismp(), "0 days");
    let s = csf.series.first().ok_or("no series")?;
    assert_eq!(s.reservoir_concentration.ismp(), "23.95 mcg/mL");
    let section = csf_section(&csf);
    let chart = section.charts.first().ok_or("no chart")?;
    assert!(chart.description.contains("Prialt label"), "{}", chart.description);
    assert_eq!(chart.tip_label, None);
    Ok(())
}

// -------------------------------------------------------------------------------------------------
// The modelled series.
// -------------------------------------------------------------------------------------------------

/// docs/example-prometra-transit.json: Prometra II, morphine 10 mg/mL at 1 mg/day (0.1 mL/day),
/// replacing 5 mg/mL; the Prometra catheter, 89 cm × 0.0026 mL/cm = 0.2314 mL, ahead of it.
///   tip: 0.2314 ÷ 0.1 = 2.314 days after the fill (Fri 27 Nov 2026 16:32)
///   model: t½ 3 h (S), V = 1 mL/kg × 70 kg = 70 mL; k = ln 2 ÷ 3 = 0.2310 /h
///   before the fill the old solution ran at its own rate, the lead dose with the old
///   concentration: 1 mg/day ÷ 5 mg/mL = 0.2 mL/day, i.e. 1 mg/day → C = (1/24) ÷ (0.2310 × 70)
///   = 0.002576 mg/mL, exactly from the first point (the closed-form steady state, no warm-up)
///   after the fill the old 5 mg/mL is pushed at the new 0.1 mL/day: 0.5 mg/day, towards
///   C = 0.001288 mg/mL; at 48 h (16 half-lives): 0.001288 + (0.002576 − 0.001288) × 2⁻¹⁶
///   after the tip: 10 × 0.1 = 1 mg/day → C_ss = 0.002576 mg/mL again (day 9, 216 h)
#[test]
fn the_series_starts_exactly_at_the_old_solutions_steady_state() -> TestResult {
    let p = docs("example-prometra-transit.json")?;
    let csf = series(&p, 10.0, 1.0, None)?;
    assert_eq!(csf.dead_volume.ismp(), "0.2314 mL");
    assert_eq!(csf.tip_days.ismp(), "2.314 days");
    assert_eq!(csf.tip_arrival, date(2026, 11, 27).at(16, 32, 0, 0));
    assert_eq!(csf.old_rate.map(|r| r.ismp()).as_deref(), Some("0.2 mL/day"));
    let s = csf.series.first().ok_or("no series")?;
    assert_eq!(s.reservoir_concentration.ismp(), "10 mg/mL");
    let at = |hours: usize| s.values.get(hours).copied().unwrap_or(f64::NAN);
    let k = std::f64::consts::LN_2 / 3.0;
    let steady = |mg_per_day: f64| mg_per_day / 24.0 / (k * 70.0);
    let (full, half) = (steady(1.0), steady(0.5));
    assert!((full - 0.002_576).abs() < 1e-6 && (half - 0.001_288).abs() < 1e-6);
    assert!((at(0) - full).abs() < 1e-12 * full, "{} vs {full}", at(0));
    let at_48 = half + (full - half) * 2f64.powi(-16);
    assert!((at(48) - at_48).abs() < 1e-9 * at_48, "{} vs {at_48}", at(48));
    assert!((at(216) - s.steady_state).abs() < 1e-9 * s.steady_state);
    assert!((s.steady_state - full).abs() < 1e-12 * full, "{}", s.steady_state);
    // One compartment: 90 % of the change is done ln 10 ÷ ln 2 = 3.322 half-lives = 9.966 h after
    // the tip; on a 1-hour grid at most one hour later.
    let t90 = s.time_to_90_percent.ok_or("not reached")?.to_hours().value();
    let exact = std::f64::consts::LN_10 / std::f64::consts::LN_2 * 3.0;
    assert!(t90 >= exact && t90 < exact + 1.0, "{t90} vs {exact}");
    let section = csf_section(&csf);
    let chart = section.charts.first().ok_or("no chart")?;
    assert!(
        chart
            .description
            .contains("Before the fill the old solution ran at 0.2 mL/day"),
        "{}",
        chart.description
    );
    assert_eq!(chart.tip_label.as_deref(), Some("New solution at the tip 27 Nov 2026"));
    Ok(())
}

/// The old solution's rate is the current programme's, when one is set: a current programme of
/// morphine 0.5 mg/day at the old 5 mg/mL is 0.1 mL/day, so before the fill C = 0.5 mg/day's
/// steady state, (0.5/24) ÷ (ln 2 ÷ 3 × 70) = 0.001288 mg/mL.
#[test]
fn the_old_rate_is_the_current_programmes_when_set() -> TestResult {
    let mut p = docs("example-prometra-transit.json")?;
    p.current_programme = vec![common::current("morphine", MG, 0.5)];
    let csf = series(&p, 1.0, 1.0, None)?;
    assert_eq!(csf.old_rate.map(|r| r.ismp()).as_deref(), Some("0.1 mL/day"));
    let first = csf
        .series
        .first()
        .and_then(|s| s.values.first().copied())
        .ok_or("no value")?;
    let expected = 0.5 / 24.0 / (std::f64::consts::LN_2 / 3.0 * 70.0);
    assert!((first - expected).abs() < 1e-12 * expected, "{first} vs {expected}");
    Ok(())
}

/// The bridge and priming boluses the report offers for the transit example: the 0.2314 mL ahead,
/// at the old rate 0.2 mL/day for 0.2314 ÷ 0.2 = 1.157 days (1.157 mg of the old 5 mg/mL);
/// priming 0.2314 mL of 10 mg/mL = 2.314 mg.
#[test]
fn the_report_offers_a_bridge_and_a_priming_bolus() -> TestResult {
    let csf = series(&docs("example-prometra-transit.json")?, 3.0, 1.0, None)?;
    let section = csf_section(&csf);
    let shown = |name: &str| {
        section
            .figures
            .iter()
            .find(|f| f.name.starts_with(name))
            .map(|f| f.display.clone())
    };
    assert_eq!(
        shown("Bridge bolus").as_deref(),
        Some("0.2314 mL at 0.2 mL/day for 1.157 days (old drug delivered meanwhile: 1.157 mg)")
    );
    assert!(shown("Priming bolus").is_some_and(|d| d.starts_with("0.2314 mL (2.314 mg of drug in it).")));
    assert_eq!(
        shown("New solution reaches the catheter tip").as_deref(),
        Some("Fri 27 Nov 2026, 16:32 (2.314 days after the fill)")
    );
    assert!(section.caption.contains("not a measurement"));
    Ok(())
}

/// An MRI on a SynchroMed II stops delivery for the scan: the concentration falls during it.
/// Ziconotide (t½ 4.6 h, V): the scan starts 8 days (192 h) after the fill and lasts 2 h, so C
/// falls by e^(−ln 2 ÷ 4.6 × 2) between 192 h and 194 h.
#[test]
fn an_mri_interrupts_delivery() -> TestResult {
    let mut p = docs("example-ziconotide-refill.json")?;
    p.csf.mri = Some(MriScan {
        at: date(2026, 12, 3).at(9, 0, 0, 0),
        duration: hours(2.0),
    });
    let csf = series(&p, 10.0, 1.0, None)?;
    let s = csf.series.first().ok_or("no series")?;
    let k = std::f64::consts::LN_2 / 4.6;
    let before = s.values.get(192).copied().unwrap_or(f64::NAN);
    let after = s.values.get(194).copied().unwrap_or(f64::NAN);
    assert!(
        (after - before * (-k * 2.0).exp()).abs() < 1e-9 * before,
        "{before} {after}"
    );
    assert!(csf.mri_days.is_some_and(|(from, to, latest)| close(from, 8.0)
        && close(to, 8.0 + 2.0 / 24.0)
        && close(latest, 9.0 + 2.0 / 24.0)));
    Ok(())
}

/// A Prometra is emptied before an MRI: from the scan on nothing is delivered, so the modelled
/// concentration only decays. Morphine (t½ 3 h, S), scan 120 h after the fill: 6 h after the scan
/// it is e^(−ln 2 × 6 ÷ 3) = 1/4 of its value at the scan.
#[test]
fn an_emptied_prometra_delivers_nothing_after_the_scan() -> TestResult {
    let mut p = docs("example-prometra-transit.json")?;
    p.csf.mri = Some(MriScan {
        at: date(2026, 11, 30).at(9, 0, 0, 0),
        duration: hours(1.0),
    });
    let csf = series(&p, 7.0, 1.0, None)?;
    let s = csf.series.first().ok_or("no series")?;
    let at = |hours: usize| s.values.get(hours).copied().unwrap_or(f64::NAN);
    assert!(
        (at(126) - at(120) / 4.0).abs() < 1e-12 * at(120),
        "{} {}",
        at(120),
        at(126)
    );
    Ok(())
}

/// Patient boluses per scenario: more boluses never lower the modelled peak (ziconotide refill with
/// a 0.02 mL patient bolus, lockout 6 h, at most 4 a day, typically 1): none < typical ≤ all.
#[test]
fn patient_bolus_scenarios_raise_the_peak() -> TestResult {
    let mut p = docs("example-ziconotide-refill.json")?;
    p.boluses.patient = Some(PatientBolus {
        volume: ml(0.02),
        duration: hours(0.25),
        lockout: hours(6.0),
        max_per_day: 4,
    });
    p.boluses.typical_per_day = Some(1);
    let peak = |scenario| -> Result<f64, Box<dyn std::error::Error>> {
        let csf = series(&p, 7.0, 1.0 / 60.0, scenario)?;
        Ok(csf.series.first().map_or(0.0, |s| s.peak))
    };
    let none = peak(Some(PatientUse::None))?;
    let typical = peak(None)?;
    let all = peak(Some(PatientUse::AllAllowed))?;
    assert!(none < typical && typical <= all, "{none} {typical} {all}");
    Ok(())
}

/// A drug with no CSF half-life in the library is not modelled, and the report says why
/// (bupivacaine: none).
#[test]
fn a_drug_without_a_model_is_named() -> TestResult {
    let mut p = plan("synchromed-ii-20", 20.0, "morphine", MG, 5.0, 1.0);
    p.drugs.push(common::line("bupivacaine", MG, 2.5, None));
    p.csf.weight_kg = Some(70.0);
    let csf = series(&p, 1.0, 1.0, None)?;
    assert_eq!(
        csf.series.iter().map(|s| s.drug.as_str()).collect::<Vec<_>>(),
        ["morphine"]
    );
    assert_eq!(
        csf_section(&csf).missing,
        ["Not modelled: bupivacaine: no CSF half-life in the drug library; enter one to model it"]
    );
    Ok(())
}

/// The window and step must be positive; more than 2,000,000 points is refused.
#[test]
fn an_impossible_window_is_refused() -> TestResult {
    let p = docs("example-ziconotide-refill.json")?;
    let (outcome, _) = run(&p)?;
    let library = library()?;
    let window = |days: f64, step: f64| Window {
        days: Days::new(days).unwrap_or(Days::ZERO),
        step: hours(step),
        scenario: None,
    };
    assert!(concentration_series(&p, &outcome, &library, window(0.0, 1.0)).is_err());
    assert!(concentration_series(&p, &outcome, &library, window(1.0, 0.0)).is_err());
    assert!(concentration_series(&p, &outcome, &library, window(2000.0, 1.0 / 60.0)).is_err());
    Ok(())
}

/// The CSV of docs/example-ziconotide-refill.json over 30 days at 1-minute steps: one drug
/// (ziconotide), 30 × 24 × 60 = 43,200 steps, so rows k = 0 … 43,200, 43,201 data rows. Row k's
/// time is k × (1/60) h, written exactly: it reads back as the same f64, and every row's time is
/// distinct and later than the last.
#[test]
fn the_csv_has_an_exact_distinct_time_on_every_row() -> TestResult {
    let csf = series(&docs("example-ziconotide-refill.json")?, 30.0, 1.0 / 60.0, None)?;
    let csv = to_csv(&csf);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("time_h,drug,concentration,unit"));
    let rows: Vec<&str> = lines.collect();
    assert!(
        rows.iter()
            .all(|r| r.split(',').nth(1) == Some("ziconotide") && r.ends_with(",mcg/mL"))
    );
    let times: Vec<f64> = rows
        .iter()
        .map(|l| l.split(',').next().unwrap_or_default().parse::<f64>())
        .collect::<Result<_, _>>()?;
    assert_eq!(times.len(), 43_201);
    assert!(times.windows(2).all(|w| matches!(w, [a, b] if a < b)));
    let distinct: std::collections::HashSet<u64> = times.iter().map(|t| t.to_bits()).collect();
    assert_eq!(distinct.len(), times.len());
    for (k, t) in times.iter().enumerate() {
        let expected = k as f64 * (1.0 / 60.0);
        assert_eq!(t.to_bits(), expected.to_bits(), "row {k}: {t} ≠ {expected}");
    }
    Ok(())
}
