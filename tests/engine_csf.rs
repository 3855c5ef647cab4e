//! The modelled CSF series of a plan: transit delay after a refill with a new concentration, the
//! mixed reservoir concentration, the MRI interruption, and the CSV command.
#![cfg(not(target_arch = "wasm32"))]

use itdose::engine::{Catalogue, Days, DrugLibrary, Hours, Plan, evaluate, format::Display};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn example() -> Result<Plan, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/example-ziconotide-refill.json"
    ))?;
    Ok(Plan::from_json(&text).map_err(|e| e.to_string())?)
}

/// `docs/example-ziconotide-refill.json`: ziconotide 25 mcg/mL at 2.4 mcg/day (0.096 mL/day),
/// refilled onto 1.4 mL of 10 mcg/mL; 0.14 mL tubing + 89 cm × 0.0026 mL/cm = 0.3714 mL ahead.
///   reservoir: (10 × 1.4 + 25 × 20) ÷ 21.4 = 514 ÷ 21.4 = 24.02 mcg/mL
///   tip: 0.3714 ÷ 0.096 = 3.869 days after the fill
///   before: old 10 mcg/mL × 0.096 = 0.96 mcg/day → C = (0.96/24) ÷ (ln 2/4.6 × 155) = 0.001713 mcg/mL
///   after: 24.02 × 0.096 = 2.306 mcg/day → C_ss = 0.004115 mcg/mL (label t½ 4.6 h, V 155 mL)
#[test]
fn new_concentration_reaches_the_csf_after_the_transit_delay() -> TestResult {
    let plan = example()?;
    let catalogue = Catalogue::builtin()?;
    let library = DrugLibrary::builtin()?;
    let report = evaluate(&plan, &catalogue, &library).map_err(|e| format!("{e:?}"))?;
    let csf = itdose::engine::concentration_series(&plan, &report, &library, Days::new(10.0)?, Hours::new(1.0)?)?;
    assert_eq!(csf.dead_volume.ismp(), "0.3714 mL");
    assert_eq!(csf.tip_days.ismp(), "3.869 days");
    let s = csf.series.first().ok_or("no series")?;
    assert_eq!(s.reservoir_concentration.ismp(), "24.02 mcg/mL");
    let at = |hours: usize| s.values.get(hours).copied().unwrap_or(f64::NAN);
    // Day 3 (72 h): still the old solution at its steady state.
    assert!((at(72) - 0.001_713).abs() < 2e-6, "{}", at(72));
    // Day 9 (216 h): the new solution, > 20 half-lives after arrival, at its steady state.
    // 216 − 92.9 = 123 h = 26.8 half-lives after arrival: within 2^-26.8 ≈ 1e-8 of steady state.
    assert!((at(216) - s.steady_state).abs() < 1e-7 * s.steady_state);
    assert!((s.steady_state - 0.004_115).abs() < 2e-6, "{}", s.steady_state);
    assert!(s.parameters.contains("Prialt label"), "{}", s.parameters);
    // One compartment: 90 % of the change is done after ln 10 ÷ ln 2 = 3.322 half-lives
    // = 3.322 × 4.6 h = 15.28 h (on a 1-hour grid here: the first whole hour after, 16 h,
    // less the 0.869-day arrival's fraction of an hour).
    let t90 = s.time_to_90_percent.ok_or("not reached")?.to_hours().value();
    let exact = std::f64::consts::LN_10 / std::f64::consts::LN_2 * 4.6;
    assert!(t90 >= exact && t90 < exact + 1.0, "{t90} vs {exact}");
    Ok(())
}

/// An MRI on a SynchroMed II stops delivery for the scan: the concentration falls during it.
#[test]
fn mri_interrupts_delivery() -> TestResult {
    let mut plan = example()?;
    plan.csf.mri = Some(itdose::engine::MriScan {
        at: jiff::civil::date(2026, 12, 3).at(9, 0, 0, 0),
        duration: Hours::new(2.0)?,
    });
    let catalogue = Catalogue::builtin()?;
    let library = DrugLibrary::builtin()?;
    let report = evaluate(&plan, &catalogue, &library).map_err(|e| format!("{e:?}"))?;
    let mri = report.mri.clone().ok_or("no MRI report")?;
    assert_eq!(mri.restart_latest, Some(jiff::civil::date(2026, 12, 4).at(11, 0, 0, 0)));
    assert!(
        mri.checklist
            .iter()
            .any(|c| c.contains("Interrogate the pump after the scan"))
    );
    let csf = itdose::engine::concentration_series(&plan, &report, &library, Days::new(10.0)?, Hours::new(1.0)?)?;
    let s = csf.series.first().ok_or("no series")?;
    // The scan starts 8 days (192 h) after the fill and lasts 2 h: C falls by e^(−k × 2 h).
    let k = std::f64::consts::LN_2 / 4.6;
    let before = s.values.get(192).copied().unwrap_or(f64::NAN);
    let after = s.values.get(194).copied().unwrap_or(f64::NAN);
    assert!(
        (after - before * (-k * 2.0).exp()).abs() < 1e-9 * before,
        "{before} {after}"
    );
    // Prometra must be emptied instead.
    plan.pump.model = "prometra-ii-20".into();
    let report = evaluate(&plan, &catalogue, &library).map_err(|e| format!("{e:?}"))?;
    let mri = report.mri.ok_or("no MRI report")?;
    assert!(mri.removed.is_some());
    assert!(report.refill_by.binding.reason.starts_with("MRI: the pump is emptied"));
    Ok(())
}

#[test]
fn concentration_command_prints_csv() {
    let read = |path: &str| {
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).map_err(|e| e.to_string())
    };
    let args: Vec<String> = [
        "concentration",
        "docs/example-ziconotide-refill.json",
        "--days",
        "2",
        "--step",
        "1h",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let (code, out, err) = itdose::cli::run(&args, read);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.first().copied(), Some("time_h,drug,concentration,unit"));
    assert_eq!(lines.len(), 1 + 49, "header + 0..=48 h");
    assert!(
        lines
            .get(1)
            .is_some_and(|l| l.starts_with("0,ziconotide,") && l.ends_with(",mcg/mL"))
    );
    assert!(err.contains("not a measurement"));
    let bad: Vec<String> = ["concentration", "docs/example-ziconotide-refill.json", "--step", "1x"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(itdose::cli::run(&bad, read).0, 2);
}

/// Patient boluses per scenario: more boluses never lower the modelled peak.
#[test]
fn patient_bolus_scenarios_raise_the_peak() -> TestResult {
    let mut plan = example()?;
    plan.boluses.patient = Some(itdose::engine::PatientBolus {
        volume: itdose::engine::Millilitres::new(0.02)?,
        duration: Hours::new(0.25)?,
        lockout: Hours::new(6.0)?,
        max_per_day: 4,
    });
    plan.boluses.typical_per_day = Some(1);
    let catalogue = Catalogue::builtin()?;
    let library = DrugLibrary::builtin()?;
    let report = evaluate(&plan, &catalogue, &library).map_err(|e| format!("{e:?}"))?;
    let peak = |s| -> Result<f64, Box<dyn std::error::Error>> {
        let r = itdose::engine::concentration_series_for(
            &plan,
            &report,
            &library,
            Days::new(7.0)?,
            Hours::new(1.0 / 60.0)?,
            s,
        )?;
        Ok(r.series.first().map_or(0.0, |x| x.peak))
    };
    let none = peak(Some(itdose::engine::PatientUse::None))?;
    let typical = peak(None)?;
    let all = peak(Some(itdose::engine::PatientUse::AllAllowed))?;
    assert!(none < typical && typical <= all, "{none} {typical} {all}");
    let read = |path: &str| {
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).map_err(|e| e.to_string())
    };
    let bad: Vec<String> = [
        "concentration",
        "docs/example-ziconotide-refill.json",
        "--scenario",
        "most",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    assert_eq!(itdose::cli::run(&bad, read).0, 2);
    Ok(())
}
